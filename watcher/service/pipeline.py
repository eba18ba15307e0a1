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

When the history is missing or inconsistent, no file is moved past a person. Which folders the
service itself delivers into (`workflow.delivered_into`; SOP 010's names in brackets) decides:

- the first submission folder and the approval and return folders (3_bahan, .../disetujui,
  .../dikembalikan): only people put files here, so a file here is always a person's act:
  handled normally, whatever the log says.
- the folders a valid file or a return is delivered into (4_laporan: step-3 material for the
  Kasubag, who also saves the compiled report here; 5_pemeriksaan: reports for the Kabid):
  only the log tells a delivered file from a person's new one (`_parked`). If the log has no
  event at all for the file's bytes while the archive holds them (`archive.verify`), the bytes
  were handled before and the log lost that. If the file's status-change time (ctime) is not
  older than the archive copy, the file was renamed into this folder after its bytes were
  archived, i.e. delivered: it is recorded as RECEIVED ("riwayat tidak lengkap") with this place
  as its `to_path`, so it is parked, waiting for this folder's person, and never routed on. A
  file untouched since its archive copy was written (ctime older) was never moved: the service
  stopped between archiving and recording, and it is handled normally. On Windows, where ctime
  is the creation time, such a file is always taken as delivered (the safe side).
  When the service finds at its start that the log lost history (`record_guard.check_at_start`:
  a rolled-back WAL, a deleted arsip/ whose head the status page or a report still shows), the
  archive may be gone too; then every file lying in these folders at that moment
  (`lying_in_delivery_folders`, by file identity) whose bytes the log does not know is taken as
  delivered, whatever the archive holds. Files saved later are judged by the rule above.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.errors import RefusedFileError
from watcher.masterdata.model import MasterData
from watcher.record.archive import archive_bytes, archived_path, verify
from watcher.record.durable import move_no_overwrite
from watcher.record.guard import RecordGuard
from watcher.record.store import Event, Outcome, Store
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
    DUPLICATE_SUFFIX,
    Planned,
    notice_beside,
    plan_notices,
    write_plain_notice,
    write_planned,
)
from watcher.service.open_files import open_lock
from watcher.service.placement import Place, Where, place_of, stray_message
from watcher.service.routing import Decision, Notice, decide
from watcher.service.tree import Tree
from watcher.service.versions import Versions, stale_against
from watcher.share.acl import adopt_folder_permissions
from watcher.sop.indonesian import long_datetime
from watcher.sop.load import load_sop
from watcher.sop.model import Sop, Step
from watcher.sop.workflow import Place as StepPlace
from watcher.sop.workflow import Role, delivered_into, handovers, intake_place, noun
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

    @property
    def versions(self) -> Versions:
        return Versions(self.tree, self.store, self.sop)

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
        if self._parked(digest, relative):
            return Handled.PARKED
        if self._history_lost(folder, digest, path, info):
            self._record_delivered(division, folder, digest, relative)
            return Handled.PARKED
        handover = self._uncompiled(folder, digest)
        if handover is not None and intake_place(self.sop, handover[1]) == folder:
            self._record_still_waiting(division, folder, handover, digest, relative)
            return Handled.PARKED
        archive_bytes(data, self.tree.archive_files, suffix=path.suffix.lower() or ".bin",
                      guard=self.guard)  # fmt: skip
        name = printable(path.name)
        if handover is not None:
            refusal = RefusedFileError(not_compiled(self.sop, *handover), rule="route.not_compiled",
                                       path=name)  # fmt: skip
            result = refused(name, folder.step.number, refusal)
        else:
            result = validate_bytes(data, master, self._expectation(division, folder), name=name)
        document = self.versions.document(division, result.year, result.quarter)
        decision = decide(self.sop, folder, result, stale=stale_against(document, digest, folder))
        moment = self.local_now(master)
        destination, handled = self._destination(path, folder, division, decision, digest,
                                                 relative, moment)  # fmt: skip
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
            # Older copies leave first, so the current version takes the plain name.
            if self.versions.supersede(document, event, moment) and destination != path:
                destination = unique_destination(destination.parent, path.name)
                event = replace(event, to_path=self.relative(destination))
            self.store.append(event)
        resumed = handled is Handled.RESUMED
        if destination != path:
            self.versions.clear_feedback_beside(path)  # e.g. written while it was still open
        planned = plan_notices(decision, destination, data, result, moment, source=path,
                               free=not resumed)  # fmt: skip
        self._notices([n for n in planned if not (resumed and os.path.lexists(n.path))],
                      division, result)  # fmt: skip
        return self._move(path, destination, division, digest, Identity.of(info), handled)

    def local_now(self, master: MasterData) -> datetime:
        """Now in the office's zone (WITA by default): every time a person reads is in it."""
        return self.now().astimezone(ZoneInfo(master.settings.timezone))

    def _notices(self, planned: list[Planned], division: str, result: Result) -> None:
        """Write the notices; a feedback workbook's bytes are archived and logged first, so the
        service knows its own copy from a clerk's corrected one saved in its place."""
        for notice in planned:
            if notice.is_workbook:
                archive_bytes(notice.content, self.tree.archive_files, suffix=".xlsx",
                              guard=self.guard)  # fmt: skip
                self.store.append(Event(
                    outcome=Outcome.NOTICE, division=division, year=result.year,
                    quarter=result.quarter, step=result.step,
                    file_hash=hashlib.sha256(notice.content).hexdigest(),
                    to_path=self.relative(notice.path), message="Hasil validasi ditulis.",
                ))  # fmt: skip
        write_planned(planned)

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

    def _parked(self, digest: str, relative: str) -> bool:
        return any(event.to_path == relative for event in self.store.events(file_hash=digest))

    def _history_lost(self, folder: StepPlace, digest: str, path: Path,
                      info: os.stat_result) -> bool:  # fmt: skip
        """The rule for item "history missing" in the module docstring."""
        if folder not in delivered_into(self.sop) or self.store.events(file_hash=digest):
            return False
        if (info.st_dev, info.st_ino) in self.present_at_loss:
            return True
        if not verify(self.tree.archive_files, digest):
            return False
        if os.name == "nt":
            return True
        copy = archived_path(self.tree.archive_files, digest, path.suffix.lower() or ".bin")
        try:
            archived_at = copy.stat().st_mtime_ns
        except OSError:
            return True  # archived under another suffix: the safe side
        return info.st_ctime_ns >= archived_at

    def _uncompiled(self, folder: StepPlace, digest: str) -> tuple[Step, Step] | None:
        """The handover these bytes passed at, when `folder` is at or after the person they were
        handed to: material is never that person's own work (SOP 010: the Kasubag's report)."""
        if folder.role is Role.RETURN:
            return None  # a return sends it back to be worked on, whatever it holds
        passed = {event.step for event in self.store.events(file_hash=digest)
                  if event.outcome is Outcome.VALID}  # fmt: skip
        return next((pair for pair in handovers(self.sop)
                     if pair[0].number in passed and folder.step.number >= pair[1].number),
                    None)  # fmt: skip

    def _record_still_waiting(self, division: str, folder: StepPlace, handover: tuple[Step, Step],
                              digest: str, relative: str) -> None:  # fmt: skip
        """Material passed on, found under another name in the next person's folder (a rename
        or a copy): still waiting for that person, recorded once at its new place."""
        giver, taker = handover
        self.store.append(Event(
            outcome=Outcome.RECEIVED, division=division, step=folder.step.number,
            file_hash=digest, to_path=relative,
            message=f"{noun(self.sop, giver)} yang sama dengan yang diteruskan ke {taker.actor}, "
            f"dengan nama lain; tetap menunggu {taker.actor} mengolah dan menyimpan "
            f"{taker.output.lower()}.",
        ))  # fmt: skip

    def _record_delivered(self, division: str, folder: StepPlace, digest: str,
                          relative: str) -> None:  # fmt: skip
        who = folder.step.actor
        self.store.append(Event(
            outcome=Outcome.RECEIVED, division=division, step=folder.step.number,
            file_hash=digest, to_path=relative,
            message=f"Riwayat berkas tidak lengkap: isinya sudah ada di arsip, tetapi log tidak "
            f"mencatatnya. Berkas dianggap sudah diantar ke {folder.folder} dan menunggu {who}; "
            "tidak diteruskan otomatis.",
        ))  # fmt: skip
        log.warning("Riwayat tidak lengkap: %s dianggap sudah diantar, menunggu %s", relative, who)

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
                     digest: str, relative: str,
                     moment: datetime) -> tuple[Path, Handled]:  # fmt: skip
        handled_here = [event for event in self.store.events(file_hash=digest, from_path=relative)
                        if event.outcome not in (Outcome.DUPLICATE, Outcome.OPEN)]  # fmt: skip
        prior = handled_here[-1] if handled_here else None
        if prior is not None and prior.to_path and decision.destination != folder.folder:
            recorded = self.tree.root / prior.to_path
            if not os.path.lexists(recorded):
                return recorded, Handled.RESUMED
        twin = prior if prior is not None else self._twin(folder, digest, relative)
        if twin is not None and twin.to_path and twin.to_path != relative:
            recorded = self.tree.root / twin.to_path
            if _same_bytes(recorded, digest):
                self._duplicate(path, division, digest, relative, twin, moment)
                return recorded, Handled.DUPLICATE
        if decision.destination == folder.folder:
            return path, Handled.ROUTED  # stays where the person put it
        target = self.tree.folder(division, decision.destination)
        return unique_destination(target, path.name), Handled.ROUTED

    def _twin(self, folder: StepPlace, digest: str, relative: str) -> Event | None:
        """The last place the same bytes were put, for a person's save into a submission, fix or
        check folder (a checker's move into an approval or return folder is an act, not a copy)."""
        if folder.role in (Role.APPROVE, Role.RETURN):
            return None
        placed = [event for event in self.store.events(file_hash=digest)
                  if event.to_path and event.to_path != relative
                  and event.outcome in PLACING]  # fmt: skip
        return placed[-1] if placed else None

    def _duplicate(self, path: Path, division: str, digest: str, relative: str,
                   prior: Event, moment: datetime) -> None:  # fmt: skip
        """Identical bytes saved again: archived, logged, the extra copy removed (its twin is at
        the recorded place) and a notice left where it was saved."""
        where = (prior.to_path or "").replace("/", "\\")
        when = long_datetime(prior.at_utc.astimezone(moment.tzinfo)) if prior.at_utc else ""
        message = (
            f"Isinya sama persis dengan versi yang sudah diterima ({when}); versi itu ada "
            f"di {where}. Salinan ini dihapus; tidak ada yang perlu dilakukan."
        )
        self.store.append(Event(
            outcome=Outcome.DUPLICATE, division=division, year=prior.year, quarter=prior.quarter,
            step=prior.step, file_hash=digest, from_path=relative, to_path=prior.to_path,
            message=message,
        ))  # fmt: skip
        with contextlib.suppress(OSError):
            write_plain_notice(
                notice_beside(path, DUPLICATE_SUFFIX),
                "SUDAH DITERIMA",
                [f"Berkas   : {printable(path.name)}", "", message],
                moment,
            )
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

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
            move_no_overwrite(path, destination)
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


def _folder_of_refusal(path: Path, root: Path) -> Path:
    """The first folder between `root` and `path` that is a link or not a folder."""
    folder = root
    for name in path.relative_to(root).parts[:-1]:
        folder = folder / name
        if folder.is_symlink() or not folder.is_dir():
            return folder
    return path


def not_compiled(sop: Sop, giver: Step, taker: Step) -> str:
    """Why material that skipped the person it was handed to is refused."""
    folder = intake_place(sop, taker).folder
    following = sop.after(taker)
    then = f"; baru sesudah itu {following.actor} memeriksanya" if following else ""
    return (
        f"Berkas ini adalah {giver.output.lower()} dari {giver.actor} yang belum diolah "
        f"{taker.actor} (isinya sama persis dengan yang diteruskan ke {folder}). {taker.actor} "
        f"perlu mengolahnya dan menyimpan {taker.output.lower()} di {folder}{then}."
    )


def _same_bytes(path: Path, digest: str) -> bool:
    try:
        data = read_checked(path)
    except (OSError, RefusedFileError):
        return False
    return hashlib.sha256(data).hexdigest() == digest


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


def lying_in_delivery_folders(tree: Tree, sop: Sop,
                              divisions: list[str]) -> frozenset[tuple[int, int]]:  # fmt: skip
    """(st_dev, st_ino) of every regular file now directly in a folder the service delivers
    into, for `Pipeline.present_at_loss` (links are not followed)."""
    found: set[tuple[int, int]] = set()
    for code in divisions:
        for place in delivered_into(sop):
            try:
                entries = list(os.scandir(tree.folder(code, place.folder)))
            except OSError:
                continue
            for entry in entries:
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        found.add((info.st_dev, info.st_ino))
    return frozenset(found)
