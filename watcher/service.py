"""The watcher service: observer -> settle -> worker -> pipeline, until stopped.

The observer's handler only queues paths; all work happens in the worker (the thread that
calls `run`). Three nets lie under the native events:
- a startup scan, for files saved while the service was down;
- a periodic rescan, for events that never came (inotify overflow, a network share that sends
  none, a watcher thread that died);
- the content hash in the event log, so a duplicate event or a rescan never handles a file twice.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import schedule
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from watcher.audit import share_actors
from watcher.errors import KinerjaError
from watcher.health import Heartbeat, health_path
from watcher.lock import ServiceLock
from watcher.master import MasterData, Settings
from watcher.master_loader import load_master
from watcher.notices import is_service_notice
from watcher.pipeline import Handled, Pipeline, owner_of
from watcher.routing import WATCHED_FOLDERS
from watcher.schedule_jobs import OfficeJobs
from watcher.sop import Sop, load_sop
from watcher.stability import FileStabilityTracker, is_ignored
from watcher.store import Event, Outcome, Store, utc_now
from watcher.tree import Tree

log = logging.getLogger(__name__)
WATCHED_NAMES = frozenset(folder.value for folder in WATCHED_FOLDERS)
# Called in the worker with the store and the events recorded since the last call (reports,
# the status page). A listener's failure is logged and never stops the service.
Listener = Callable[[Store, list[Event]], None]


@dataclass(frozen=True, kw_only=True)
class ServiceOptions:
    polling: float | None = None  # seconds between polls; None = native events
    quiet_seconds: float = 0.5  # a file must stay unchanged this long (no close event)
    rescan_seconds: float = 30.0  # periodic full scan, the net under lost events
    retry_seconds: float = 10.0  # after a permission error or a full disk
    unclosed_seconds: float = 60.0  # native: a written file waits this long for its close event
    sweep_minutes: float = 5.0  # warnings, lateness and the dispositions' catch-up
    office_jobs: bool = True  # issue dispositions and sweep deadlines (off in routing tests)
    audit_log: Path | None = None  # Samba full_audit log: who renamed a file (watcher/audit.py)


class _Queue(FileSystemEventHandler):
    """Runs on the observer thread: turns events into queued (kind, path) pairs, nothing more."""

    def __init__(self, items: queue.Queue[tuple[str, Path]], *, use_close: bool) -> None:
        self.items, self.use_close = items, use_close

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        source = Path(os.fsdecode(event.src_path))
        if event.is_directory:
            if kind in ("created", "moved"):
                self.items.put(
                    ("scan", Path(os.fsdecode(event.dest_path)) if kind == "moved" else source)
                )
            return
        if kind == "moved":
            self.items.put(("gone", source))
            self.items.put(("touch", Path(os.fsdecode(event.dest_path))))
        elif kind == "deleted":
            self.items.put(("gone", source))
        elif kind == "closed" and self.use_close:
            self.items.put(("closed", source))
        elif kind == "modified" and self.use_close:
            self.items.put(("written", source))  # bytes written (attributes come as "attrib")
        elif kind in ("created", "modified", "closed"):
            self.items.put(("touch", source))


class MasterSource:
    """The master data, reloaded when the planning section saves a new version.

    A broken new version is reported in the log and the last good one stays in use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._master: MasterData | None = None

    def __call__(self) -> MasterData:
        info = self.path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            try:
                self._master = load_master(self.path)
            except KinerjaError as exc:
                if self._master is None:
                    raise
                log.warning("Data induk baru bermasalah; data lama tetap dipakai.\n%s", exc.message)
            self._stamp = stamp
        assert self._master is not None
        return self._master


class Service:
    def __init__(
        self,
        tree: Tree,
        options: ServiceOptions = ServiceOptions(),
        *,
        now: Callable[[], datetime] = utc_now,
        listeners: Sequence[Listener] = (),
        sop: Sop | None = None,
        mail: Callable[[str, str], object] | None = None,
    ) -> None:
        self.tree, self.options, self.now = tree, options, now
        self.listeners = tuple(listeners)
        self.sop, self.mail = sop or load_sop(), mail
        self.last_event_id = 0
        self.items: queue.Queue[tuple[str, Path]] = queue.Queue()
        self.tracker = FileStabilityTracker(quiet_seconds=options.quiet_seconds)
        self.retries: dict[Path, float] = {}
        self.seen: dict[Path, tuple[int, int, int]] = {}  # handled files by signature
        self.writing: dict[Path, float] = {}  # written, close event not yet seen: last write
        self.scans = 0  # folder scans done (startup, periodic, new folders); tests wait on it
        self.ready = threading.Event()  # set once the startup scan is queued
        self.heartbeat = Heartbeat(health_path(tree), polling=options.polling,
                                   rescan_seconds=options.rescan_seconds)  # fmt: skip

    def run(self, stop: threading.Event, *, on_ready: Callable[[], None] | None = None) -> None:
        """Watch until `stop` is set. Raises AlreadyRunning if another service holds the root."""
        master = MasterSource(self.tree.master_path)
        master()  # a broken master stops the start with its problems listed
        with ServiceLock(self.tree.lock_path), Store(self.tree.store_path, now=self.now) as store:
            actor = share_actors(self.options.audit_log, owner=owner_of)
            pipeline = Pipeline(self.tree, store, master, self.now, actor=actor)
            store.append(Event(outcome=Outcome.STARTED, message=self._started_message()))
            self.heartbeat.beat(scans=self.scans, last_event_id=self.last_event_id)  # alive now
            scheduler = self._scheduler(
                OfficeJobs(self.tree, store, master, self.sop, self.now, self.mail), store
            )
            observer = self._observer()
            observer.start()
            try:
                self._loop(pipeline, stop, scheduler, on_ready)
            finally:
                observer.stop()
                observer.join(timeout=10)
                store.append(Event(outcome=Outcome.STOPPED, message="Layanan berhenti."))
                self.heartbeat.stopped()

    def _started_message(self) -> str:
        mode = f"polling tiap {self.options.polling:g} detik" if self.options.polling else "native"
        return f"Layanan mulai mengawasi {self.tree.inbox} ({mode})."

    def _observer(self):  # type: ignore[no-untyped-def]
        if self.options.polling:
            observer = PollingObserver(timeout=self.options.polling)
        else:
            observer = Observer()
        use_close = not self.options.polling
        observer.schedule(
            _Queue(self.items, use_close=use_close), str(self.tree.inbox), recursive=True
        )
        return observer

    def _scheduler(self, jobs: OfficeJobs, store: Store) -> schedule.Scheduler:
        """Timed jobs; each also refreshes the listeners, as time alone changes the status."""
        scheduler = schedule.Scheduler()
        if not self.options.office_jobs:
            return scheduler

        def periodic() -> None:
            jobs.periodic()
            self._notify(store, force=True)

        periodic()  # at start: the catch-up of a missed 10th, and a fresh status page
        scheduler.every(self.options.sweep_minutes).minutes.do(periodic)
        scheduler.every().day.at(self._opening_time(jobs.master().settings)).do(jobs.daily)
        return scheduler

    def _opening_time(self, settings: Settings) -> str:
        """Monday's opening in the office's zone, as this machine's local "HH:MM"."""
        hours = settings.week.get(0)
        opening = hours.start if hours else dtime(7, 30)
        office = datetime.combine(self.now().date(), opening, tzinfo=ZoneInfo(settings.timezone))
        return office.astimezone().strftime("%H:%M")

    def _loop(
        self,
        pipeline: Pipeline,
        stop: threading.Event,
        scheduler: schedule.Scheduler,
        on_ready: Callable[[], None] | None,
    ) -> None:
        self.scan(self.tree.inbox)
        self.ready.set()
        if on_ready is not None:
            on_ready()
        next_rescan = time.monotonic() + self.options.rescan_seconds
        while not stop.is_set():
            self.heartbeat.beat(scans=self.scans, last_event_id=self.last_event_id)
            scheduler.run_pending()
            self._drain(self._wait_time(next_rescan))
            for path in self.tracker.ready():
                if self._still_open(path):
                    self.tracker.touch(path)
                else:
                    self._handle(pipeline, path)
            self._notify(pipeline.store)
            self.tracker.vanished()
            now = time.monotonic()
            for path, due in list(self.retries.items()):
                if due <= now:
                    del self.retries[path]
                    self.tracker.touch(path)
            if now >= next_rescan:
                self.scan(self.tree.inbox)
                next_rescan = now + self.options.rescan_seconds

    def _notify(self, store: Store, *, force: bool = False) -> None:
        events = store.events(since_id=self.last_event_id)
        if not events and not force:
            return
        if events:
            self.last_event_id = events[-1].id or self.last_event_id
        for listener in self.listeners:
            try:
                listener(store, events)
            except Exception:  # a report that fails must not stop the routing of files
                log.exception("Pendengar kejadian %r gagal", listener)

    def _wait_time(self, next_rescan: float) -> float:
        waits = [next_rescan - time.monotonic(), 0.5]
        pending = self.tracker.next_check_in()
        if pending is not None:
            waits.append(pending)
        waits += [due - time.monotonic() for due in self.retries.values()]
        return max(0.0, min(waits))

    def _drain(self, timeout: float) -> None:
        try:
            item = self.items.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            kind, path = item
            if kind == "scan":
                self.scan(path)
            elif kind == "gone":
                self.tracker.forget(path)
                self.seen.pop(path, None)
                self.writing.pop(path, None)
            elif self.wanted(path):
                if kind == "closed":
                    self.writing.pop(path, None)
                    self.tracker.mark_closed(path)
                else:
                    if kind == "written":
                        self.writing[path] = time.monotonic()
                    self.tracker.touch(path)
            try:
                item = self.items.get_nowait()
            except queue.Empty:
                return

    def wanted(self, path: Path) -> bool:
        """A file in a folder people save into, not a temp/lock/system file or our notice."""
        try:
            parts = path.relative_to(self.tree.inbox).parts
        except ValueError:
            return False
        if len(parts) < 3 or "/".join(parts[1:-1]) not in WATCHED_NAMES:
            return False
        return not is_ignored(path, self.tree.inbox) and not is_service_notice(path.name)

    def scan(self, folder: Path) -> None:
        """Queue every wanted file under `folder` that changed since it was last handled."""
        for directory, _, names in os.walk(folder):
            for name in names:
                path = Path(directory) / name
                if self.wanted(path) and path not in self.tracker and not self._unchanged(path):
                    self.tracker.touch(path)
        self.scans += 1

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

    def _unchanged(self, path: Path) -> bool:
        try:
            info = path.stat()
        except OSError:
            return False
        return self.seen.get(path) == (info.st_size, info.st_mtime_ns, info.st_ino)

    def _handle(self, pipeline: Pipeline, path: Path) -> None:
        try:
            signature = path.stat()
            handled = pipeline.handle(path)
        except FileNotFoundError:
            return
        except (OSError, KinerjaError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            log.warning("Gagal memproses %s, dicoba lagi nanti: %s", path, message)
            self.retries[path] = time.monotonic() + self.options.retry_seconds
            self._record_error(pipeline, path, message)
            return
        if handled in (Handled.PARKED, Handled.NOT_WATCHED) or path.exists():
            self.seen[path] = (signature.st_size, signature.st_mtime_ns, signature.st_ino)
        log.info("%s: %s", pipeline.relative(path) if path.exists() else path.name, handled.value)

    def _record_error(self, pipeline: Pipeline, path: Path, message: str) -> None:
        try:
            pipeline.store.append(Event(outcome=Outcome.ERROR, message=f"{path.name}: {message}"))
        except KinerjaError:
            log.warning("Log kejadian juga gagal ditulis.")
