"""Handle one settled file: archive -> validate -> decide -> record -> notices -> move.

The order makes every crash harmless. The original bytes are archived (copied and synced)
before anything else; the event is recorded before the file moves. On a rerun, a file whose
event is recorded but which has not moved yet is moved to the recorded place without a second
event; a file the service itself put where it is ("parked": waiting for the next person) is left
alone. So each file is handled exactly once and is never missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from watcher.acl import adopt_folder_permissions
from watcher.archive import archive_bytes
from watcher.master import MasterData
from watcher.moving import move_no_overwrite, unique_destination
from watcher.notices import write_notices
from watcher.routing import STEP_RULES, WATCHED_FOLDERS, Decision, decide
from watcher.store import Event, Outcome, Store
from watcher.tree import Folder, Tree
from watcher.validation.rules import Expectation
from watcher.validation.validate import locate, open_periods, validate_bytes

log = logging.getLogger(__name__)


class Handled(StrEnum):
    ROUTED = "routed"  # decided, recorded and moved (or kept in place, e.g. approved)
    RESUMED = "resumed"  # a recorded move that a crash interrupted was completed
    DUPLICATE = "duplicate"  # identical bytes already delivered to the recorded place
    PARKED = "parked"  # the service put these bytes here; waiting for a person
    NOT_WATCHED = "not_watched"  # not in a folder people save into
    VANISHED = "vanished"  # gone before or while being handled (logged when recorded)


@dataclass(frozen=True)
class Pipeline:
    """Everything one file's handling needs; the edges (clock, master) are parameters."""

    tree: Tree
    store: Store
    master: Callable[[], MasterData]
    now: Callable[[], datetime]
    # Who put a file where it is (recorded as the event's actor); None = the file's owner.
    # On a Samba share, `watcher.audit.ShareActors` also knows who renamed a file into place.
    actor: Callable[[Path], str | None] | None = None

    def handle(self, path: Path) -> Handled:
        master = self.master()
        division, folder = locate(path, self.tree, master)
        if division is None or folder not in WATCHED_FOLDERS:
            return Handled.NOT_WATCHED
        try:
            data = path.read_bytes()
            actor = (self.actor or owner_of)(path)
        except FileNotFoundError:
            return Handled.VANISHED
        digest = hashlib.sha256(data).hexdigest()
        relative = self.relative(path)
        if self._parked(digest, relative):
            return Handled.PARKED
        archive_bytes(data, self.tree.archive_files, suffix=path.suffix.lower() or ".bin")
        expect = self._expectation(division, folder)
        result = validate_bytes(data, master, expect, name=path.name)
        decision = decide(folder, result)
        destination, handled = self._destination(path, folder, division, decision, digest, relative)
        if handled is Handled.DUPLICATE:
            return handled
        if handled is Handled.ROUTED:
            self.store.append(Event(
                outcome=decision.outcome, division=division, year=result.year,
                quarter=result.quarter, step=decision.step, file_hash=digest, from_path=relative,
                to_path=self.relative(destination), actor=actor, message=decision.message,
            ))  # fmt: skip
        write_notices(decision, destination, data, result, self.now())
        return self._move(path, destination, division, digest, relative, handled)

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.tree.root.resolve()).as_posix()

    def _parked(self, digest: str, relative: str) -> bool:
        return any(event.to_path == relative for event in self.store.events(file_hash=digest))

    def _expectation(self, division: str, folder: Folder) -> Expectation:
        today: date = self.now().date()
        periods = open_periods(self.tree, division, today)
        return Expectation(step=STEP_RULES[folder], division=division, open_periods=periods)

    def _destination(self, path: Path, folder: Folder, division: str, decision: Decision,
                     digest: str, relative: str) -> tuple[Path, Handled]:  # fmt: skip
        if decision.destination is folder:
            return path, Handled.ROUTED  # stays where the person put it
        prior = self.store.last_event(digest, from_path=relative)
        if prior is not None and prior.to_path and prior.outcome is not Outcome.DUPLICATE:
            recorded = self.tree.root / prior.to_path
            if not recorded.exists():
                return recorded, Handled.RESUMED
            if _same_bytes(recorded, digest):
                self._duplicate(path, division, digest, relative, prior)
                return recorded, Handled.DUPLICATE
        target = self.tree.folder(division, decision.destination)
        return unique_destination(target, path.name), Handled.ROUTED

    def _duplicate(self, path: Path, division: str, digest: str, relative: str,
                   prior: Event) -> None:  # fmt: skip
        """Identical bytes saved again where they were already taken from: archived, logged,
        and the extra copy removed (its twin is at the recorded place)."""
        self.store.append(Event(
            outcome=Outcome.DUPLICATE, division=division, year=prior.year, quarter=prior.quarter,
            step=prior.step, file_hash=digest, from_path=relative, to_path=prior.to_path,
            message="Salinan identik sudah diproses sebelumnya; salinan ini dihapus.",
        ))  # fmt: skip
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def _move(self, path: Path, destination: Path, division: str, digest: str, relative: str,
              handled: Handled) -> Handled:  # fmt: skip
        if destination == path:
            adopt_folder_permissions(path)  # e.g. approved: only the Kabid may still write it
            return handled
        # The new folder's rules, as for a new file there, before the file shows up in it.
        adopt_folder_permissions(path, folder=destination.parent)
        try:
            move_no_overwrite(path, destination)
        except FileNotFoundError:
            self.store.append(Event(
                outcome=Outcome.MISSING, division=division, file_hash=digest, from_path=relative,
                message="Berkas dipindahkan atau dihapus orang saat sedang diproses.",
            ))  # fmt: skip
            return Handled.VANISHED
        return handled


def _same_bytes(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def owner_of(path: Path) -> str | None:
    """The file's owner as the OS reports it (a Samba share writes the user's account)."""
    if os.name != "posix":
        return None
    import pwd

    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
