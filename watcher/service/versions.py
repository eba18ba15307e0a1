"""One version of a document waits at a step: older copies leave, stale moves change nothing.

The pipeline asks two questions of the log's projection (`watcher.record.documents`):
- `stale_against`: a checker moved a copy into an approval or return folder; is it the version
  that reached this check last? If it is an older version of the same document, the move is
  answered with a notice and changes nothing (the copy goes to `versi_lama/`).
- `superseded_by`: a newer version has just been recorded somewhere; which older copies of the
  same document does it replace? Those lying in the folders of its step and the steps before it
  (and, once it is approved, the older approved copy). An invalid version only replaces older
  copies in its own fix folder: the checker keeps the last valid one meanwhile.
`Versions.superseded` then names each replaced copy (checked by its bytes) and the event that
sends it into `versi_lama/`; once the pipeline has recorded those with the newer version's own
(one transaction), `carry_out` moves each with the service's notices beside it, and leaves a
notice naming the newer version.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from watcher.errors import RefusedFileError
from watcher.record.documents import Document, Projection, Version
from watcher.record.durable import FolderSyncs, move_no_overwrite
from watcher.record.store import Event, Outcome, Store
from watcher.service.intake import read_checked
from watcher.service.names import printable, split_extension, unique_destination
from watcher.service.notices import (
    DUPLICATE_SUFFIX,
    SUPERSEDED_SUFFIX,
    is_service_notice,
    notice_beside,
    write_plain_notice,
)
from watcher.service.placement import place_of_path
from watcher.service.tree import Tree
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop
from watcher.sop.workflow import SUPERSEDED_FOLDER, Place, Role
from watcher.validation.feedback import FEEDBACK_SUFFIX

log = logging.getLogger(__name__)
FEEDBACK_MARK = FEEDBACK_SUFFIX.removesuffix(".xlsx")  # also in "X - HASIL VALIDASI (2).xlsx"
# A version recorded with one of these has moved the document on: it replaces the older copies
# at its step and before it.
PROGRESS = frozenset({Outcome.VALID, Outcome.FORWARDED, Outcome.APPROVED, Outcome.RETURNED})


def stale_against(document: Document | None, digest: str, place: Place) -> Version | None:
    """The version that reached `place`'s check last, when the copy (`digest`) a checker moved
    into its approval or return folder is an older version of the document (pure). New contents
    (the checker edited the workbook) are never stale."""
    if document is None or place.role not in (Role.APPROVE, Role.RETURN):
        return None
    if document.version(digest) is None:
        return None
    latest = document.at_step.get(place.step.number)
    if latest is None or latest == digest:
        return None
    return document.version(latest)


def superseded_by(sop: Sop, document: Document | None, newcomer: Event) -> list[Version]:
    """The older copies of `document` that `newcomer` (an event just recorded) replaces (pure)."""
    arrival = place_of_path(sop, newcomer.to_path or newcomer.from_path or "")
    if document is None or arrival is None or not newcomer.file_hash:
        return []
    found = []
    aside = f"/{SUPERSEDED_FOLDER}/"  # most versions of a long-lived document: skipped at once
    for version in document.versions:
        if version.file_hash == newcomer.file_hash or aside in (version.path or aside):
            continue
        where = place_of_path(sop, version.path or "")
        if where is None:
            continue
        if newcomer.outcome not in PROGRESS:
            replaced = where == arrival
        elif where.role is Role.APPROVE and sop.after(where.step) is None:
            replaced = newcomer.outcome is Outcome.APPROVED  # the approval in force stays
        else:
            replaced = where.step.number <= arrival.step.number
        if replaced:
            found.append(version)
    return found


@dataclass(frozen=True)
class Leaving:
    """An older copy on its way to `versi_lama/`: its SUPERSEDED event and version number."""

    event: Event
    number: int


@dataclass(frozen=True)
class Versions:
    tree: Tree
    store: Store
    sop: Sop
    projection: Projection  # the pipeline's, kept across files
    folder_syncs: FolderSyncs | None = None  # the pipeline's (`durable.FolderSyncs`)

    def document(self, division: str, year: int | None, period: int | None) -> Document | None:
        """The document's state now, from the log (None when the workbook names no period)."""
        if not (division and year and period):
            return None
        return self.projection.document(self.store, (division, year, period))

    def superseded(self, document: Document | None, newcomer: Event,
                   moment: datetime) -> list[Leaving]:  # fmt: skip
        """The copies `newcomer` replaces that still hold their bytes, each with the SUPERSEDED
        event that sends it into `versi_lama/` (to be recorded with the newcomer's, then
        `carry_out`)."""
        leaving: list[Leaving] = []
        promised: set[Path] = set()  # names given to the copies before this one
        for old in superseded_by(self.sop, document, newcomer):
            assert document is not None and old.path
            source = self.tree.root / old.path
            if not holds(source, old.file_hash):
                continue  # moved, edited or deleted by a person since: nothing to tidy
            folder = self.tree.folder(document.division, SUPERSEDED_FOLDER)
            target = unique_destination(folder, source.name, taken=frozenset(promised))
            promised.add(target)
            event = Event(
                outcome=Outcome.SUPERSEDED, division=document.division, year=document.year,
                quarter=document.period, step=old.step, file_hash=old.file_hash,
                from_path=old.path, to_path=self._relative(target),
                message=self._superseded_message(document, old, newcomer, moment),
            )  # fmt: skip
            leaving.append(Leaving(event, old.number))
        return leaving

    def carry_out(self, leaving: list[Leaving], moment: datetime) -> None:
        """Move the recorded `leaving` copies into `versi_lama/`, each with its notice."""
        for item in leaving:
            self._carry_out(item.event, item.number, moment)

    def _superseded_message(self, document: Document, old: Version, newcomer: Event,
                            moment: datetime) -> str:  # fmt: skip
        new_name = (newcomer.from_path or "").rsplit("/", 1)[-1]
        new_folder = (newcomer.to_path or "").rsplit("/", 1)[0].replace("/", "\\")
        newer = document.version(newcomer.file_hash or "")
        number = newer.number if newer else len(document.versions) + 1
        return (
            f"Versi {old.number} diganti versi {number} ({new_name}, disimpan "
            f"{long_datetime(moment)}, sekarang di {new_folder}); salinan lama dipindahkan "
            f"ke {SUPERSEDED_FOLDER}."
        )

    def finish_occupant(self, path: Path, moment: datetime) -> bool:
        """The copy at `path` is one the log sent to `versi_lama/` (the service stopped after
        recording it and a newer version together, before moving either): move it now, so the
        newer one can take its place. True if moved."""
        try:
            digest = hashlib.sha256(read_checked(path)).hexdigest()
        except (OSError, RefusedFileError):
            return False
        known = self.store.events(file_hash=digest)
        return self.finish_interrupted(known, digest, self._relative(path), moment)

    def finish_interrupted(self, known: list[Event], digest: str, relative: str,
                           moment: datetime) -> bool:  # fmt: skip
        """The log says the copy at `relative` left for `versi_lama/`, but it is still here (the
        service stopped between logging the move and making it): make it now. True if moved.
        `known`: every event of the copy's bytes (`digest`)."""
        placing = [event for event in known if relative in (event.from_path, event.to_path)]
        last = placing[-1] if placing else None
        if last is None or last.outcome is not Outcome.SUPERSEDED or last.from_path != relative:
            return False
        if os.path.lexists(self.tree.root / (last.to_path or "")):  # a person's file took it
            taken = self.tree.root / (last.to_path or "")
            last = replace(
                last,
                id=None,
                at_utc=None,
                to_path=self._relative(unique_destination(taken.parent, taken.name)),
            )
            self.store.append(last)
        document = self.document(last.division or "", last.year, last.quarter)
        known = document.version(digest) if document else None
        return self._carry_out(last, known.number if known else 0, moment, resumed=True)

    def _carry_out(self, event: Event, number: int, moment: datetime, *,
                   resumed: bool = False) -> bool:  # fmt: skip
        """Move a logged superseded copy into versi_lama/: first the notice about it, then the
        service's notices that were beside it, then the copy itself. A stop anywhere leaves the
        copy at its old place, which `finish_interrupted` finds and finishes (`resumed`: the
        notice may be there already)."""
        source = self.tree.root / (event.from_path or "")
        destination = self.tree.root / (event.to_path or "")
        destination.parent.mkdir(parents=True, exist_ok=True)
        notice = notice_beside(destination, SUPERSEDED_SUFFIX, free=not resumed)
        lines = [
            f"Berkas   : {printable(destination.name)} (versi {number})",
            f"Semula   : {(event.from_path or '').replace('/', chr(92))}",
            "",
            event.message,
        ]
        if not (resumed and os.path.lexists(notice)):
            with contextlib.suppress(OSError):
                write_plain_notice(notice, "VERSI INI SUDAH DIGANTI", lines, moment,
                                   later=self.folder_syncs)  # fmt: skip
        for companion in self._companions(source):
            with contextlib.suppress(OSError):
                move_no_overwrite(companion, unique_destination(destination.parent,
                                  companion.name), later=self.folder_syncs)  # fmt: skip
        try:
            move_no_overwrite(source, destination, later=self.folder_syncs)
        except FileNotFoundError:
            return False
        return True

    def answer_duplicate(self, path: Path, division: str, digest: str, relative: str,
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
                later=self.folder_syncs,
            )
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def clear_feedback_beside(self, source: Path) -> None:
        """Remove the service's own unchanged feedback workbooks about `source` beside it (the
        file is leaving; its feedback is written again where it goes)."""
        for companion in self._companions(source):
            if self.is_own_feedback(companion):
                with contextlib.suppress(OSError):
                    companion.unlink()

    def _companions(self, source: Path) -> list[Path]:
        """The service's notices about `source` beside it: its text notices, and the feedback
        workbooks the service wrote that nobody has changed since."""
        stem, _ = split_extension(source.name)
        prefix, found = f"{stem} - ", []
        try:  # names only (a burst's folder holds thousands): a path and a stat for the few
            names = [name for name in os.listdir(source.parent) if name.startswith(prefix)]
        except OSError:
            return []
        for name in names:
            entry = source.parent / name
            if entry.is_file() and (is_service_notice(name) or self.is_own_feedback(entry)):
                found.append(entry)
        return found

    def is_own_feedback(self, path: Path) -> bool:
        """A feedback workbook the service wrote at `path`, unchanged since (its hash logged)."""
        if FEEDBACK_MARK not in path.name:
            return False
        try:
            digest = hashlib.sha256(read_checked(path)).hexdigest()
        except (OSError, RefusedFileError):
            return False
        relative = self._relative(path)
        return any(e.outcome is Outcome.NOTICE and e.to_path == relative
                   for e in self.store.events(file_hash=digest))  # fmt: skip

    def _relative(self, path: Path) -> str:
        return printable(path.relative_to(self.tree.root).as_posix())


def holds(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(read_checked(path)).hexdigest() == digest
    except (OSError, RefusedFileError):
        return False
