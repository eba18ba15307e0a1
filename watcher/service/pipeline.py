"""Handle one settled file: open -> archive -> validate -> decide -> record -> notices -> move.

The order makes every crash harmless. The original bytes are archived (copied and synced)
before anything else; the event is recorded before the file moves. On a rerun, a file whose
event is recorded but which has not moved yet is moved to the recorded place without a second
event; a file the service itself put where it is ("parked": waiting for the next person) is left
alone. So each file is handled exactly once and is never missing.

Only a regular file inside the root is opened (`watcher.service.intake`); a link, FIFO, socket,
device, hard link or oversized file is refused unread (an oversized one is only hashed, as a stream)
and moved to the step's `perlu_perbaikan/` with its notice. The file that moves is the file that was
read: its identity is checked with `lstat` just before the rename, and a file swapped in
meanwhile is left for the service to handle as a new arrival (`Handled.REPLACED`). A name that
is not in a step folder (`watcher.service.placement`), a folder link and a folder where a file
belongs stay where they are, with a notice beside them and one event.

When the history is missing or inconsistent, no file is moved past a person
(`watcher.service.history`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.errors import RefusedFileError
from watcher.masterdata.model import MasterData
from watcher.record.documents import Projection
from watcher.record.durable import FolderSyncs, move_no_overwrite
from watcher.record.guard import RecordGuard
from watcher.record.store import Event, Outcome, Store
from watcher.service.archive_ahead import ArchiveAhead
from watcher.service.history import History, not_compiled
from watcher.service.in_place import InPlace, note_in_place
from watcher.service.intake import (
    Identity,
    NotRegularError,
    Opened,
    open_regular,
    oversize_refusal,
    read_checked,
    still_there,
)
from watcher.service.names import printable, unique_destination
from watcher.service.notices import (
    Planned,
    plan_notices,
    write_planned,
)
from watcher.service.open_files import open_lock
from watcher.service.placement import Place, Where, place_of, step_of_path, stray_message
from watcher.service.prefetch import Prefetch
from watcher.service.routing import Decision, Notice, decide
from watcher.service.tree import Tree
from watcher.service.versions import Versions, holds, stale_against
from watcher.share.acl import adopt_folder_permissions
from watcher.sop.load import load_sop
from watcher.sop.model import Sop
from watcher.sop.workflow import Place as StepPlace
from watcher.sop.workflow import Role, intake_place
from watcher.validation.findings import Result
from watcher.validation.rules import Expectation
from watcher.validation.safety import DEFAULT_LIMITS
from watcher.validation.validate import open_periods, refused, validate_bytes

log = logging.getLogger(__name__)
# Refusals of a folder on the way: the file itself is not touched (moving it would mean
# writing in a folder outside the root); the notice goes beside the folder.
FOLDER_RULES = frozenset({"intake.folder_link", "intake.not_a_folder", "intake.outside_root"})
# Events that put a file's bytes somewhere a person works (a twin of a later identical save).
PLACING = frozenset({Outcome.VALID, Outcome.INVALID, Outcome.APPROVED, Outcome.FORWARDED,
                     Outcome.RETURNED, Outcome.RECEIVED})  # fmt: skip


class Handled(StrEnum):
    ROUTED = "routed"  # decided, recorded and moved (or kept in place, e.g. approved)
    RESUMED = "resumed"  # a recorded move that a crash interrupted was completed
    DUPLICATE = "duplicate"  # identical bytes already delivered to the recorded place
    PARKED = "parked"  # the service put these bytes here; waiting for a person
    NOT_WATCHED = "not_watched"  # the service's own output folders
    NOTED = "noted"  # left where it is with a notice (stray, folder link, folder)
    VANISHED = "vanished"  # gone before or while being handled (logged when recorded)
    REPLACED = "replaced"  # another file took its name while it was handled: a new arrival
    OPEN = "open"  # checked, but still open in a spreadsheet program: moved once it is closed


@dataclass(frozen=True)
class Pipeline:
    """Everything one file's handling needs; the edges (clock, master) are parameters."""

    tree: Tree
    store: Store
    master: Callable[[], MasterData]
    now: Callable[[], datetime]
    # Who put a file where it is (recorded as the event's actor); None = the file's owner.
    # On a Samba share, `watcher.share.audit.ShareActors` also knows who renamed a file into place.
    actor: Callable[[Path], str | None] | None = None
    # Checked before each archive write: a deleted arsip/berkas is never silently recreated.
    guard: RecordGuard | None = None
    # (st_dev, st_ino) of the files in delivery folders when a lost history was found at start.
    present_at_loss: frozenset[tuple[int, int]] = frozenset()
    sop: Sop = field(default_factory=load_sop)  # the tree's workflow (`watcher.sop.tree_sop`)
    # A burst's validation on every core (`watcher.service.prefetch`); None: in this thread.
    prefetch: Prefetch | None = None
    # Where the folders of recorded moves wait to be synced (the service flushes them after
    # each batch of files); None: each move's folders are synced at once.
    folder_syncs: FolderSyncs | None = None
    # The documents' state, brought up to date from the log at each look (not re-read whole).
    projection: Projection = field(init=False)
    # Every original's archiving; a burst's started early by a few threads (the service's
    # `submit`, `watcher.service.archive_ahead`), threads that exist only once it is used.
    archive_ahead: ArchiveAhead = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "projection", Projection(partial(step_of_path, self.sop)))
        object.__setattr__(self, "archive_ahead", ArchiveAhead(self.tree.archive_files,
                                                               self.guard))  # fmt: skip

    @property
    def versions(self) -> Versions:
        return Versions(self.tree, self.store, self.sop, self.projection, self.folder_syncs)

    @property
    def history(self) -> History:
        return History(self.tree, self.store, self.sop, self.present_at_loss)

    def handle(self, path: Path) -> Handled:
        master = self.master()
        place = self.place(path, master)
        if place.where is Where.OUTPUT:
            return Handled.NOT_WATCHED
        if place.where is Where.STRAY:
            self.note(path, InPlace.STRAY, stray_message(self.sop, place.reason),
                      division=place.division)  # fmt: skip
            return Handled.NOTED
        try:
            opened = open_regular(path, root=self.tree.root)
        except FileNotFoundError:
            return Handled.VANISHED
        except NotRegularError as refusal:
            return self._not_regular(path, place, refusal)
        with opened:
            if opened.size > DEFAULT_LIMITS.max_file_bytes:
                if self._refused_here(path):
                    return Handled.PARKED
                return self._oversized(path, place, opened)
            data = opened.read(DEFAULT_LIMITS.max_file_bytes)
            info = opened.info
        return self._handle_bytes(path, place, data, info, master)

    def _handle_bytes(self, path: Path, place: Place, data: bytes, info: os.stat_result,
                      master: MasterData) -> Handled:  # fmt: skip
        division, folder = place.division or "", place.step_folder
        actor = self._actor(path)
        digest = hashlib.sha256(data).hexdigest()
        relative = self.relative(path)
        # What the log holds about these bytes, asked once: nothing below records an event
        # before the decision, except where it returns at once.
        logged = self.store.events(file_hash=digest)
        if self.versions.finish_interrupted(logged, digest, relative, self.local_now(master)):
            return Handled.RESUMED
        if self.history.parked(logged, relative):
            return Handled.PARKED
        if self.history.lost(folder, logged, digest, path, info):
            self.history.record_delivered(division, folder, digest, relative)
            return Handled.PARKED
        handover = self.history.uncompiled(folder, logged)
        if handover is not None and intake_place(self.sop, handover[1]) == folder:
            self.history.record_still_waiting(division, folder, handover, digest, relative)
            return Handled.PARKED
        self.archive_ahead.archive(data, digest, original_suffix(path))
        name = printable(path.name)
        if handover is not None:
            refusal = RefusedFileError(not_compiled(self.sop, *handover), rule="route.not_compiled",
                                       path=name)  # fmt: skip
            result = refused(name, folder.step.number, refusal)
        else:
            expect = self._expectation(division, folder)
            known = self.prefetch.result(master, digest, expect, name) if self.prefetch else None
            result = known or validate_bytes(data, master, expect, name=name)
        document = self.versions.document(division, result.year, result.quarter)
        decision = decide(self.sop, folder, result, stale=stale_against(document, digest, folder))
        moment = self.local_now(master)
        destination, handled = self._destination(path, folder, division, decision, digest,
                                                 relative, moment, logged)  # fmt: skip
        if handled is Handled.DUPLICATE:
            return handled
        if handled is Handled.ROUTED and destination != path and open_lock(path) is not None:
            return self._hold_open(path, division, decision, data, result, digest, moment)
        if handled is Handled.ROUTED:
            event = Event(
                outcome=decision.outcome, division=division, year=result.year,
                quarter=result.quarter, step=decision.step, file_hash=digest, from_path=relative,
                to_path=self.relative(destination), actor=actor, message=decision.message,
            )  # fmt: skip
            # Older copies leave first, so the current version takes the plain name; they and
            # it are recorded together, then moved (a stop between: `finish_occupant`).
            leaving = self.versions.superseded(document, event, moment)
            if leaving and destination != path:
                freed = frozenset(self.tree.root / (item.event.from_path or "")
                                  for item in leaving)  # fmt: skip
                destination = unique_destination(destination.parent, path.name, leaving=freed)
                event = replace(event, to_path=self.relative(destination))
            self.store.append_all([*(item.event for item in leaving), event])
            self.versions.carry_out(leaving, moment)
        resumed = handled is Handled.RESUMED
        if destination != path:
            self.versions.clear_feedback_beside(path)  # e.g. written while it was still open
        planned = plan_notices(decision, destination, data, result, moment, source=path,
                               free=not resumed)  # fmt: skip
        self._notices([n for n in planned if not (resumed and os.path.lexists(n.path))],
                      division, result)  # fmt: skip
        return self._move(path, destination, division, digest, Identity.of(info), handled)

    def validation_job(self, path: Path, master: MasterData) -> tuple[bytes, Expectation, str]:
        """What validating `path` takes, for `Prefetch`: its bytes, expectation and name.
        Raises OSError or RefusedFileError when it is not a file `handle` would validate."""
        place = self.place(path, master)
        if place.where is not Where.WATCHED or place.division is None:
            raise FileNotFoundError(path)
        data = read_checked(path, root=self.tree.root)
        return data, self._expectation(place.division, place.step_folder), printable(path.name)

    def local_now(self, master: MasterData) -> datetime:
        """Now in the office's zone (WITA by default): every time a person reads is in it."""
        return self.now().astimezone(ZoneInfo(master.settings.timezone))

    def _notices(self, planned: list[Planned], division: str, result: Result) -> None:
        """Write the notices; a feedback workbook's bytes are archived and logged first, so the
        service knows its own copy from a clerk's corrected one saved in its place."""
        for notice in planned:
            if notice.is_workbook:
                digest = hashlib.sha256(notice.content).hexdigest()
                self.archive_ahead.archive(notice.content, digest, ".xlsx")
                self.store.append(Event(
                    outcome=Outcome.NOTICE, division=division, year=result.year,
                    quarter=result.quarter, step=result.step, file_hash=digest,
                    to_path=self.relative(notice.path), message="Hasil validasi ditulis.",
                ))  # fmt: skip
        write_planned(planned, later=self.folder_syncs)

    def _hold_open(self, path: Path, division: str, decision: Decision, data: bytes,
                   result: Result, digest: str, moment: datetime) -> Handled:  # fmt: skip
        """Still open in a spreadsheet program: checked, feedback beside it now (once per
        content), moved when the lock is gone (the service looks again then)."""
        relative = self.relative(path)
        known = self.store.events(file_hash=digest, from_path=relative)
        if not any(event.outcome is Outcome.OPEN for event in known):
            self.store.append(Event(
                outcome=Outcome.OPEN, division=division, year=result.year,
                quarter=result.quarter, step=decision.step, file_hash=digest, from_path=relative,
                message=f"Masih dibuka; dipindahkan setelah ditutup. {decision.message}",
            ))  # fmt: skip
            if decision.notice is Notice.VALIDATION:
                self._notices(plan_notices(decision, path, data, result, moment), division,
                              result)  # fmt: skip
        return Handled.OPEN

    def place(self, path: Path, master: MasterData) -> Place:
        try:
            parts = path.relative_to(self.tree.inbox).parts
        except ValueError:
            return Place(Where.OUTPUT)  # not below the inbox: never ours to touch
        return place_of(self.sop, parts, {division.code for division in master.divisions})

    def relative(self, path: Path) -> str:
        """`path` below the root, as stored in the log (undecodable bytes escaped)."""
        try:
            relative = path.relative_to(self.tree.root)
        except ValueError:
            relative = path.resolve().relative_to(self.tree.root.resolve())
        return printable(relative.as_posix())

    def note(self, path: Path, kind: InPlace, reason: str, *, division: str | None) -> bool:
        """Leave `path` where it is with a notice beside it and one event (per path and cause)."""
        return note_in_place(self.store, path, kind, reason, relative=self.relative(path),
                             division=division, moment=self.now())  # fmt: skip

    def _actor(self, path: Path) -> str | None:
        try:
            return (self.actor or owner_of)(path)
        except OSError:
            return None

    def _not_regular(self, path: Path, place: Place, refusal: NotRegularError) -> Handled:
        if refusal.rule in FOLDER_RULES:
            self.note(_folder_of_refusal(path, self.tree.root), InPlace.FOLDER, refusal.message,
                      division=place.division)  # fmt: skip
            return Handled.NOTED
        if refusal.rule == "intake.directory":
            self.note(path, InPlace.FOLDER, refusal.message, division=place.division)
            return Handled.NOTED
        if self._refused_here(path):
            return Handled.PARKED
        try:
            identity = Identity.of(os.lstat(path))
        except FileNotFoundError:
            return Handled.VANISHED
        return self._refuse_unread(path, place, refusal, identity, "")

    def _refused_here(self, path: Path) -> bool:
        """The service itself moved this unread entry here (into a fix folder) when it refused
        it: it waits for the clerk, and is not refused again."""
        return any(event.file_hash is None
                   for event in self.store.events(to_path=self.relative(path),
                                                  outcome=Outcome.REFUSED))  # fmt: skip

    def _oversized(self, path: Path, place: Place, opened: Opened) -> Handled:
        """Refused unread; only hashed as a stream, so the event names the bytes refused."""
        digest, size = opened.hash_stream()
        refusal = oversize_refusal(size, path)
        details = f" (SHA-256 {digest}, {size} bita; tidak diarsipkan)"
        return self._refuse_unread(path, place, refusal, opened.identity, details)

    def _refuse_unread(self, path: Path, place: Place, refusal: RefusedFileError,
                       identity: Identity, details: str) -> Handled:  # fmt: skip
        """A refusal without the file's bytes: to the fix folder with the refusal notes."""
        division, folder = place.division or "", place.step_folder
        result = refused(printable(path.name), folder.step.number, refusal)
        decision = decide(self.sop, folder, result)
        target = self.tree.folder(division, decision.destination)
        destination = unique_destination(target, path.name)
        self.store.append(Event(
            outcome=decision.outcome, division=division, step=decision.step,
            from_path=self.relative(path), to_path=self.relative(destination),
            message=decision.message + details,
        ))  # fmt: skip
        write_planned(plan_notices(decision, destination, b"", result,
                                   self.local_now(self.master())))  # fmt: skip
        return self._move(path, destination, division, None, identity, Handled.ROUTED)

    def _expectation(self, division: str, folder: StepPlace) -> Expectation:
        today: date = self.now().date()
        periods = open_periods(self.tree, self.sop, division, today)
        return Expectation(step=folder.step.number, rules=self.sop.rules_at(folder.step),
                           division=division, open_periods=periods,
                           period=self.sop.period)  # fmt: skip

    def _destination(self, path: Path, folder: StepPlace, division: str, decision: Decision,
                     digest: str, relative: str, moment: datetime,
                     known: list[Event]) -> tuple[Path, Handled]:  # fmt: skip
        """Where the file goes; `known` is every event of its bytes (`digest`)."""
        handled_here = [event for event in known if event.from_path == relative
                        and event.outcome not in (Outcome.DUPLICATE, Outcome.OPEN)]  # fmt: skip
        prior = handled_here[-1] if handled_here else None
        if prior is not None and prior.to_path and decision.destination != folder.folder:
            recorded = self.tree.root / prior.to_path
            if not os.path.lexists(recorded) or self.versions.finish_occupant(recorded, moment):
                return recorded, Handled.RESUMED
        twin = prior if prior is not None else self._twin(folder, known, relative)
        if twin is not None and twin.to_path and twin.to_path != relative:
            recorded = self.tree.root / twin.to_path
            if holds(recorded, digest):
                self.versions.answer_duplicate(path, division, digest, relative, twin, moment)
                return recorded, Handled.DUPLICATE
        if decision.destination == folder.folder:
            return path, Handled.ROUTED  # stays where the person put it
        target = self.tree.folder(division, decision.destination)
        return unique_destination(target, path.name), Handled.ROUTED

    def _twin(self, folder: StepPlace, known: list[Event], relative: str) -> Event | None:
        """The last place the same bytes (`known`: their events) were put, for a person's save
        into a submission, fix or check folder (a checker's move into an approval or return
        folder is an act, not a copy)."""
        if folder.role in (Role.APPROVE, Role.RETURN):
            return None
        placed = [event for event in known
                  if event.to_path and event.to_path != relative
                  and event.outcome in PLACING]  # fmt: skip
        return placed[-1] if placed else None

    def _move(self, path: Path, destination: Path, division: str, digest: str | None,
              identity: Identity, handled: Handled) -> Handled:  # fmt: skip
        """Move the file that was read, and only that one (checked with lstat just before)."""
        if destination == path:  # it stays: a person who took it on meanwhile lost nothing
            if still_there(path, identity):
                adopt_folder_permissions(path)  # e.g. approved: only the Kabid may still write
            return handled
        if not still_there(path, identity):
            return self._gone(path, division, digest)
        # The new folder's rules, as for a new file there, before the file shows up in it.
        adopt_folder_permissions(path, folder=destination.parent)
        try:
            move_no_overwrite(path, destination, later=self.folder_syncs)
        except FileNotFoundError:
            return self._gone(path, division, digest)
        return handled

    def _gone(self, path: Path, division: str, digest: str | None) -> Handled:
        replaced = os.path.lexists(path)
        what = "diganti dengan berkas lain" if replaced else "dipindahkan atau dihapus orang"
        self.store.append(Event(
            outcome=Outcome.MISSING, division=division, file_hash=digest,
            from_path=self.relative(path), message=f"Berkas {what} saat sedang diproses.",
        ))  # fmt: skip
        return Handled.REPLACED if replaced else Handled.VANISHED


def original_suffix(path: Path) -> str:
    """The suffix an original's archived copy gets: the name's own, lowercased."""
    return path.suffix.lower() or ".bin"


def _folder_of_refusal(path: Path, root: Path) -> Path:
    """The first folder between `root` and `path` that is a link or not a folder."""
    folder = root
    for name in path.relative_to(root).parts[:-1]:
        folder = folder / name
        if folder.is_symlink() or not folder.is_dir():
            return folder
    return path


def owner_of(path: Path) -> str | None:
    """The file's owner as the OS reports it (a Samba share writes the user's account)."""
    if os.name != "posix":
        return None
    import pwd

    uid = path.lstat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
