"""The watcher service: observer -> settle -> worker -> pipeline, until stopped.

The observer's handler only queues paths; all work happens in the worker (the thread that
calls `run`). Three nets lie under the native events:
- a startup scan, for files saved while the service was down;
- a periodic rescan, for events that never came (inotify overflow, a network share that sends
  none, a watcher thread that died);
- the content hash in the event log, so a duplicate event or a rescan never handles a file twice.

One file's failure never stops the service (`_handle`): a failure that is not the file's fault
(permission, full disk, a lock, the master data missing) is recorded once per file and cause and
retried with exponential back-off (`watcher.service.backoff`), its recovery recorded once; anything
unforeseen quarantines that one file (`watcher.service.quarantine`) and the worker goes on. Only a
lost record (`RecordLostError`: the archive or log replaced under the service) stops it, loudly.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import schedule
from watchdog.observers import Observer

from watcher.errors import KinerjaError, RecordLostError, UsageError
from watcher.masterdata.model import Settings
from watcher.masterdata.source import MasterSource
from watcher.record.durable import FolderSyncs
from watcher.record.guard import RecordGuard, check_at_start, lost_event
from watcher.record.store import Event, Outcome, Store, utc_now
from watcher.service.backoff import Backoff
from watcher.service.console import outcome_line
from watcher.service.events import (
    DEFAULT_OPTIONS,
    HANDLED_EVENTS,
    Change,
    EventQueue,
    ServiceOptions,
)
from watcher.service.health import Heartbeat, health_path
from watcher.service.history import lying_in_delivery_folders
from watcher.service.in_place import InPlace
from watcher.service.intake import MESSAGES
from watcher.service.isolation import Isolation, signature
from watcher.service.jobs import OfficeJobs
from watcher.service.lock import ServiceLock
from watcher.service.names import printable
from watcher.service.notices import is_service_notice
from watcher.service.open_files import open_lock
from watcher.service.pipeline import Handled, Pipeline, original_suffix, owner_of
from watcher.service.placement import Where, is_output, is_tree_folder, place_of
from watcher.service.poller import Poller
from watcher.service.prefetch import MIN_BURST, Prefetch
from watcher.service.stability import FileStabilityTracker, is_ignored
from watcher.service.tree import Tree
from watcher.share.audit import ShareActors, share_actors
from watcher.sop.calendar import cuti_bersama_notice, opening_time
from watcher.sop.model import Sop
from watcher.sop.tree_sop import INSTALL_HINT, check_recorded, copy_into_tree, resolve_sop
from watcher.sop.workflow import SUPERSEDED_FOLDER

log = logging.getLogger(__name__)
# Listeners run after new events, at most once a second, and during a burst (a file handled in
# the last second) only after ten times as long as they last took: a burst is routed first, and
# the status page (rebuilt from the whole log, so slower as the log grows) takes at most a tenth
# of the worker's time meanwhile. Once the files stop coming, they run within the second.
LISTENER_SECONDS: Final = 1.0
LISTENER_SHARE: Final = 0.1
# The loop sleeps until something is due (a settling file, a retry, a rescan, a timed job, the
# health file, listeners after new events) or a change or the stop arrives, and at least this
# often looks whether the record is still there. A file held open is looked at twice a second.
LONGEST_WAIT: Final = 5.0
HELD_WAIT: Final = 0.5
# Called in the worker with the store and the events recorded since the last call (reports,
# the status page). A listener's failure is logged and never stops the service.
Listener = Callable[[Store, list[Event]], None]


class Service:
    def __init__(
        self,
        tree: Tree,
        options: ServiceOptions = DEFAULT_OPTIONS,
        *,
        now: Callable[[], datetime] = utc_now,
        listeners: Sequence[Listener] = (),
        sop: Sop | None = None,
        mail: Callable[[str, str], object] | None = None,
    ) -> None:
        self.tree, self.options, self.now = tree, options, now
        self.listeners = tuple(listeners)
        self.sop, self.mail = sop or resolve_sop(tree), mail
        self.last_event_id = 0
        self.unheard = True  # events may have been recorded since the listeners last ran
        self.listened_at = -LISTENER_SECONDS  # monotonic time the listeners last ran ...
        self.listen_gap = LISTENER_SECONDS  # ... and how long they wait during a burst
        self.handled_at = -LISTENER_SECONDS  # monotonic time a file was last handled
        self.master: MasterSource = MasterSource(tree.master_path)
        self.pipeline: Pipeline | None = None  # set while running
        self.items: queue.Queue[Change] = queue.Queue()
        # lstat: a link is judged as itself (a dangling one must not look vanished)
        self.tracker = FileStabilityTracker(quiet_seconds=options.quiet_seconds,
                                            settle_seconds=options.settle_seconds,
                                            stat=os.lstat)  # fmt: skip
        self.backoff = Backoff(first_seconds=options.retry_seconds,
                               cap_seconds=options.retry_max_seconds)  # fmt: skip
        self.isolation = Isolation(tree, self.backoff, now)
        self.seen: dict[Path, tuple[int, int, int]] = {}  # handled files by signature
        # Written, close event not yet seen: last write. Any name, temp files too: a temp file
        # renamed into place while its writer still has it open is not complete yet.
        self.writing: dict[Path, float] = {}
        self.prefetch = Prefetch()  # a burst validated on every core
        self.held: set[Path] = set()  # checked but still open in a spreadsheet program (a lock)
        self.scans = 0  # folder scans done (startup, periodic, new folders); tests wait on it
        self.ready = threading.Event()  # set once the startup scan is queued
        self.actor: ShareActors | None = None  # who renamed a file, from Samba's audit log
        self.heartbeat = Heartbeat(health_path(tree), polling=options.polling,
                                   rescan_seconds=options.rescan_seconds)  # fmt: skip

    def run(self, stop: threading.Event, *, on_ready: Callable[[], None] | None = None) -> None:
        """Watch until `stop` is set. Raises AlreadyRunning if another service holds the root."""
        master = self.master
        master()  # a broken master stops the start with its problems listed
        with ServiceLock(self.tree.lock_path) as lock:
            lost = check_at_start(self.tree)  # before Store, which would create a missing log
            copy_into_tree(self.tree, self.sop)
            with Store(self.tree.store_path, now=self.now) as store, \
                    RecordGuard(self.tree, store=store, lock=lock) as guard:  # fmt: skip
                if check_recorded(self.tree, store).digest != self.sop.digest:
                    raise UsageError(f"Folder kerja ini memakai SOP lain ({self.tree.sop_path}). "
                                     f"Untuk mengganti SOP jalankan: {INSTALL_HINT}")  # fmt: skip
                self._watch(stop, on_ready, store, guard, lost)

    def _watch(self, stop: threading.Event, on_ready: Callable[[], None] | None, store: Store,
               guard: RecordGuard, lost: list[str]) -> None:  # fmt: skip
        actor = self.actor = share_actors(self.options.audit_log, owner=owner_of)
        codes = [division.code for division in self.master().divisions]
        present = lying_in_delivery_folders(self.tree, self.sop, codes) if lost else frozenset()
        pipeline = self.pipeline = Pipeline(self.tree, store, self.master, self.now, actor=actor,
                                            guard=guard, present_at_loss=present,
                                            sop=self.sop, prefetch=self.prefetch,
                                            folder_syncs=FolderSyncs())  # fmt: skip
        store.append(Event(outcome=Outcome.STARTED, message=self._started_message()))
        settings, year = self.master().settings, self.now().year
        notice = cuti_bersama_notice((year, year + 1), settings.day_overrides)
        if notice:  # deadlines of a year without cuti bersama run through those days
            log.warning("%s", notice)
        for description in lost:  # history lost while the service was down: said once, loudly
            log.error("%s", description)
            store.append(lost_event(description))
        self.heartbeat.fields["riwayat_hilang"] = lost
        self._follow_audit_log()
        self.heartbeat.beat(scans=self.scans, last_event_id=self.last_event_id)  # alive now
        scheduler = self._scheduler(
            OfficeJobs(self.tree, store, self.master, self.sop, self.now, self.mail), store
        )
        observer = self._observer()
        observer.start()
        try:
            self._loop(pipeline, stop, scheduler, on_ready, guard)
        finally:
            observer.stop()
            observer.join(timeout=10)
            self.prefetch.close()
            pipeline.archive_ahead.close()
            if not guard.problems():  # a lost record gets no STOPPED row and no ghost health file
                store.append(Event(outcome=Outcome.STOPPED, message="Layanan berhenti."))
                self.heartbeat.stopped()

    def _started_message(self) -> str:
        if self.options.polling:
            mode = f"polling tiap {self.options.polling:g} detik"
        elif self.options.close_events:
            mode = "native"
        else:  # Windows, macOS: no close-after-write events
            mode = f"native, berkas diproses setelah tenang {self.options.quiet_seconds:g} detik"
        return f"Layanan mulai mengawasi {self.tree.inbox} ({mode})."

    def _observer(self):  # type: ignore[no-untyped-def]
        use_close = self.options.close_events and not self.options.polling
        handler = EventQueue(self.items, use_close=use_close)
        if self.options.polling:  # watchdog's PollingObserver cost 4 % of a core on 10,000 files
            observer = Poller(self.options.polling, skip=self._never_handled)
            observer.schedule(handler, str(self.tree.inbox), recursive=True)
        else:
            observer = Observer()
            observer.schedule(handler, str(self.tree.inbox), recursive=True,
                              event_filter=HANDLED_EVENTS)  # fmt: skip
        return observer

    def _scheduler(self, jobs: OfficeJobs, store: Store) -> schedule.Scheduler:
        """Timed jobs; each also refreshes the listeners, as time alone changes the status."""
        scheduler = schedule.Scheduler()
        if not self.options.office_jobs:
            return scheduler

        def periodic() -> None:
            _guarded(jobs.periodic)
            self._notify(store, force=True)

        periodic()  # at start: the catch-up of a missed 10th, and a fresh status page
        scheduler.every(self.options.sweep_minutes).minutes.do(periodic)
        opening = self._opening_time(jobs.master().settings)
        scheduler.every().day.at(opening).do(lambda: _guarded(jobs.daily))
        return scheduler

    def _opening_time(self, settings: Settings) -> str:
        """Monday's opening in the office's zone, as this machine's local "HH:MM"."""
        opening = opening_time(settings.week)
        office = datetime.combine(self.now().date(), opening, tzinfo=ZoneInfo(settings.timezone))
        return office.astimezone().strftime("%H:%M")

    def _loop(
        self,
        pipeline: Pipeline,
        stop: threading.Event,
        scheduler: schedule.Scheduler,
        on_ready: Callable[[], None] | None,
        guard: RecordGuard,
    ) -> None:
        self.scan(self.tree.inbox)
        self.ready.set()
        if on_ready is not None:
            on_ready()
        next_rescan = time.monotonic() + self.options.rescan_seconds
        syncs = pipeline.folder_syncs or FolderSyncs()
        done = threading.Event()
        threading.Thread(target=self._wake_on, args=(stop, done), name="kinerja-bangun",
                         daemon=True).start()  # fmt: skip
        try:
            self._rounds(pipeline, stop, scheduler, guard, syncs, next_rescan)
        finally:
            done.set()
            syncs.flush()

    def _rounds(self, pipeline: Pipeline, stop: threading.Event, scheduler: schedule.Scheduler,
                guard: RecordGuard, syncs: FolderSyncs, next_rescan: float) -> None:  # fmt: skip
        while not stop.is_set():
            guard.check()  # the archive or log deleted or replaced: stop before writing more
            self.heartbeat.fields["menunggu"] = self.backoff.waiting()
            self.heartbeat.beat(scans=self.scans, last_event_id=self.last_event_id)
            scheduler.run_pending()
            syncs.flush()  # the last round's moves (recorded already) made durable together
            changed = self._drain(self._wait_time(next_rescan, scheduler))
            ready = []
            for path in self.tracker.ready():
                if self._still_open(path):
                    self.tracker.touch(path)
                else:
                    ready.append(path)
            self._prefetch(pipeline, ready)
            for path in ready:
                self._handle(pipeline, path)
            syncs.flush()
            if ready:
                self.handled_at = time.monotonic()
            self.unheard = self.unheard or bool(ready) or changed
            if self.unheard and time.monotonic() >= self._listeners_due():
                self._notify(pipeline.store)
            for path in self.tracker.vanished():
                self.backoff.forget(path)
            self._retry_due()
            self._release_closed()
            now = time.monotonic()
            if now >= next_rescan:
                self._follow_audit_log()
                self.scan(self.tree.inbox)
                self._forget_unclosed(now)
                next_rescan = now + self.options.rescan_seconds
                self.unheard = True  # the scan may have left notices beside odd entries
        self._notify(pipeline.store)  # the last events' listeners, whenever they were due

    def _prefetch(self, pipeline: Pipeline, ready: list[Path]) -> None:
        """A burst's files start validating on every core and their originals are archived by a
        few threads; each is still handled in order."""
        if len(ready) < MIN_BURST:
            return
        try:
            master = self.master()
        except KinerjaError:
            return  # each file is told why, in order
        jobs = []
        for path in ready:
            with contextlib.suppress(OSError, KinerjaError):  # handled (and told) in order
                jobs.append((pipeline.validation_job(path, master), original_suffix(path)))
        self.prefetch.submit(master, [job for job, _ in jobs])
        pipeline.archive_ahead.submit([(job[0], suffix) for job, suffix in jobs])

    def _follow_audit_log(self) -> None:
        """Read the audit log now; health and status warn while it cannot be read."""
        if self.actor is not None:
            self.actor.follow()
            self.heartbeat.fields["log_audit_tidak_terbaca"] = self.actor.problem

    def _listeners_due(self) -> float:
        bursting = time.monotonic() - self.handled_at < LISTENER_SECONDS
        return self.listened_at + (self.listen_gap if bursting else LISTENER_SECONDS)

    def _notify(self, store: Store, *, force: bool = False) -> None:
        self.unheard = False
        events = store.events(since_id=self.last_event_id)
        if not events and not force:
            return
        if events:
            self.last_event_id = events[-1].id or self.last_event_id
        started = time.monotonic()
        for listener in self.listeners:
            try:
                listener(store, events)
            except RecordLostError:
                raise
            except Exception:  # a report that fails must not stop the routing of files
                log.exception("Pendengar kejadian %r gagal", listener)
        self.listened_at = time.monotonic()
        self.listen_gap = max(LISTENER_SECONDS, (self.listened_at - started) / LISTENER_SHARE)

    def _wait_time(self, next_rescan: float, scheduler: schedule.Scheduler) -> float:
        """How long the loop may sleep: until the first thing due (see `LONGEST_WAIT`)."""
        now = time.monotonic()
        waits = [next_rescan - now, LONGEST_WAIT, self.heartbeat.due_in()]
        if self.held or self.backoff.waits_for("master"):
            waits.append(HELD_WAIT)  # a lock file's removal, the master's repair: no event
        if self.unheard:
            waits.append(self._listeners_due() - now)
        for due in (self.tracker.next_check_in(), self.backoff.next_due_in(),
                    scheduler.idle_seconds):  # fmt: skip
            if due is not None:
                waits.append(due)
        return max(0.0, min(waits))

    def _wake_on(self, stop: threading.Event, done: threading.Event) -> None:
        """Wake the loop as soon as `stop` is set (its sleep ends at the queue)."""
        while not stop.wait(LONGEST_WAIT):
            if done.is_set():
                return
        self.items.put(Change("wake", self.tree.inbox))

    def _drain(self, timeout: float) -> bool:
        """Apply every queued change, waiting up to `timeout` for the first one; True if any
        came."""
        try:
            change = self.items.get(timeout=timeout)
        except queue.Empty:
            return False
        while True:
            self._apply(change)
            try:
                change = self.items.get_nowait()
            except queue.Empty:
                return True

    def _apply(self, change: Change) -> None:
        path = change.path
        if change.kind == "scan":
            self.scan(path)
            return
        if change.kind == "gone":
            self._gone(path)
            return
        if change.kind == "wake":
            return
        if change.kind == "moved" and change.source is not None:
            last_write = self.writing.get(change.source)
            self._gone(change.source)
            if last_write is not None:  # renamed while its writer still has it open
                self.writing[path] = last_write
        elif change.kind == "written":
            self.writing[path] = time.monotonic()
        elif change.kind == "closed":
            self.writing.pop(path, None)
        if not self.wanted(path):
            return
        if change.kind in ("moved", "closed"):  # complete: no quiet period (`_still_open` holds
            self.tracker.mark_complete(path)  # a renamed file whose writer is still at it)
        else:
            self.tracker.touch(path)

    def _gone(self, path: Path) -> None:
        self.tracker.forget(path)
        self.seen.pop(path, None)
        self.writing.pop(path, None)
        self.backoff.forget(path)

    def wanted(self, path: Path) -> bool:
        """Any name under the inbox but temp/lock/system files, our notices and our output.

        Not only the step folders: a file anywhere else in the inbox gets a notice (stray).
        """
        try:
            parts = path.relative_to(self.tree.inbox).parts
        except ValueError:
            return False
        if not parts or is_output(self.sop, parts):
            return False
        return not is_ignored(path, self.tree.inbox) and not is_service_notice(path.name)

    def scan(self, folder: Path) -> None:
        """Queue every wanted name under `folder` that changed since it was last handled.

        Folders are looked at too: a folder link is never followed (os.walk does not), and it
        or a folder where a workbook belongs gets a notice (`_odd_folder`).
        """
        self._odd_folder(folder)
        for directory, folders, names in os.walk(folder):
            # Not walked: folders where nothing is ever handled (old versions pile up there by
            # the thousand, and statting them made every rescan cost a share of a core).
            here = Path(directory)
            folders[:] = [name for name in folders if not self._never_handled(here / name)]
            for name in folders:
                self._odd_folder(Path(directory) / name)
            for name in names:
                path = Path(directory) / name
                if self.wanted(path) and path not in self.tracker and not self._unchanged(path):
                    self.tracker.touch(path)
        self.scans += 1

    def _never_handled(self, folder: Path) -> bool:
        """Nothing below `folder` is ours: a temp, lock or system folder, or a `versi_lama`."""
        parts = folder.relative_to(self.tree.inbox).parts
        return is_ignored(folder, self.tree.inbox) or parts[1:2] == (SUPERSEDED_FOLDER,)

    def _odd_folder(self, path: Path) -> None:
        """Note a folder link, or a folder made where a workbook belongs (once, in place)."""
        if not self.wanted(path) or self.pipeline is None:
            return
        try:
            if path.is_symlink():
                message = MESSAGES["intake.folder_link"].format(name=printable(path.name))
            elif (
                path.is_dir()
                and not is_tree_folder(self.sop, path.relative_to(self.tree.inbox).parts)
                and self._place(path) is Where.WATCHED
            ):
                message = MESSAGES["intake.directory"]
            else:
                return
            division = path.relative_to(self.tree.inbox).parts[0]
            self.pipeline.note(path, InPlace.FOLDER, message,
                               division=division if self._known(division) else None)  # fmt: skip
        except RecordLostError:
            raise
        except (OSError, KinerjaError) as exc:
            log.warning("Folder %s tidak dapat diperiksa: %s", path, exc)

    def _place(self, path: Path) -> Where | None:
        try:
            codes = {division.code for division in self.master().divisions}
        except (OSError, KinerjaError):
            return None
        return place_of(self.sop, path.relative_to(self.tree.inbox).parts, codes).where

    def _known(self, code: str) -> bool:
        try:
            return any(division.code == code for division in self.master().divisions)
        except (OSError, KinerjaError):
            return False

    def _still_open(self, path: Path) -> bool:
        """True while a writer that wrote to `path` has not closed it (native mode only).

        The quiet period alone let a copy that paused longer than it while still open be taken
        half-written (refused, moved away, and the writer's remaining bytes followed it). A close
        event that never comes (inotify overflow) stops counting after `unclosed_seconds`.
        """
        last_write = self.writing.get(path)
        if last_write is None:
            return False
        if time.monotonic() - last_write < self.options.unclosed_seconds:
            return True
        del self.writing[path]
        return False

    def _forget_unclosed(self, now: float) -> None:
        """Drop writes whose close never came (lost events) once they no longer count."""
        limit = self.options.unclosed_seconds
        self.writing = {path: at for path, at in self.writing.items() if now - at < limit}

    def _unchanged(self, path: Path) -> bool:
        """Handled already and not changed since, or waiting for its next try."""
        try:
            info = os.lstat(path)
        except OSError:
            return False
        if self.backoff.holding(path, signature(info)):
            return True
        return self.seen.get(path) == (info.st_size, info.st_mtime_ns, info.st_ino)

    def _retry_due(self) -> None:
        if self.backoff.waits_for("master"):
            try:
                self.master()
            except (OSError, KinerjaError):
                pass
            else:
                self.backoff.release("master")
        for path in self.backoff.due():
            self.tracker.touch(path)

    def _release_closed(self) -> None:
        """Look again at a held file once its lock is gone (the lock's own events are ignored)."""
        for path in [p for p in self.held if open_lock(p) is None]:
            self.held.discard(path)
            self.tracker.touch(path)

    def _handle(self, pipeline: Pipeline, path: Path) -> None:
        """Handle one file, isolated (`watcher.service.isolation`): the worker goes on whatever
        happens."""
        head = pipeline.store.head()
        outcome = self.isolation.handle(pipeline, path)
        if outcome is None:
            return
        handled, info = outcome
        if handled is Handled.REPLACED:
            self.tracker.touch(path)  # another file took its name: a new arrival
            return
        if handled is Handled.OPEN:
            self.held.add(path)
        if handled in (Handled.PARKED, Handled.NOT_WATCHED, Handled.NOTED) or os.path.lexists(path):
            self.seen[path] = (info.st_size, info.st_mtime_ns, info.st_ino)
        recorded = pipeline.store.events(since_id=head[0] if head else 0)
        log.info("%s", outcome_line(pipeline.relative(path), handled, recorded, self.sop))


def _guarded(job: Callable[[], object]) -> None:
    """A timed job whose failure is logged; it runs again at its next time."""
    try:
        job()
    except RecordLostError:
        raise
    except Exception:
        log.exception("Tugas terjadwal %r gagal; dicoba lagi pada jadwal berikutnya", job)
