"""`kinerja issue`: the SOP's issue steps, a pre-filled workbook and a disposition per division."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from watcher.errors import MasterDataError, Problem
from watcher.masterdata.model import MasterData
from watcher.masterdata.sheets import SETTINGS_SHEET
from watcher.record.durable import create_new
from watcher.record.store import Event, Outcome, Store
from watcher.service.tree import Tree, disposition_file_name, workbook_file_name
from watcher.sop.calendar import WorkCalendar, deadline
from watcher.sop.model import Sop, StepKind
from watcher.sop.sla import office_calendar
from watcher.sop.workflow import issue_place
from watcher.workbook.disposition import disposition_bytes
from watcher.workbook.write import Due, Issue, workbook_bytes


class IssueStatus(StrEnum):
    CREATED = "dibuat"
    EXISTS = "sudah ada, tidak ditimpa"


@dataclass(frozen=True)
class IssuedFile:
    division: str
    path: Path
    status: IssueStatus


def new_document_id(sop: Sop, code: str, year: int, quarter: int) -> str:
    return f"{sop.number}-{code}-{year}-{sop.period.code(quarter)}-{uuid.uuid4().hex[:8]}"


def submission_dues(calendar: WorkCalendar, sop: Sop, issued_at: datetime) -> tuple[Due, ...]:
    """Each submission's deadline, chained from the issue through the steps before it (as the
    status page measures them: each step from the end of the one before)."""
    dues, moment = [], issued_at
    for step in sop.flow:
        moment = deadline(calendar, moment, step.standard)
        if step.kind is StepKind.SUBMIT:
            dues.append(Due(step, moment))
    return tuple(dues)


def issue_quarter(
    tree: Tree,
    master: MasterData,
    sop: Sop,
    *,
    year: int,
    quarter: int,
    now: Callable[[], datetime],
    document_id: Callable[[str], str] | None = None,
    store: Store | None = None,
    note: str = "",
) -> list[IssuedFile]:
    """Write each division's workbook and disposition into its disposition folder.

    A workbook that already exists anywhere in the division's folders (a clerk may have started
    it) is never written again. With a `store`, each division's issue is recorded once as an
    ISSUED event (the start of the quarter's clocks), and a division already recorded is skipped.
    """
    if master.settings.year != year:
        raise MasterDataError(
            "data induk",
            [
                Problem(
                    f"target di data induk untuk tahun {master.settings.year}, bukan {year}; "
                    "perbarui Tahun dan target indikator",
                    sheet=SETTINGS_SHEET,
                )
            ],
        )
    calendar = office_calendar(master.settings, range(year, year + 2))
    issued_at = now().astimezone(calendar.tz)
    dues = submission_dues(calendar, sop, issued_at)
    results: list[IssuedFile] = []
    for division in master.divisions:
        code = division.code
        if store is not None and store.events(
            outcome=Outcome.ISSUED, division=code, year=year, quarter=quarter
        ):
            continue
        ident = (document_id or (lambda c: new_document_id(sop, c, year, quarter)))(code)
        issue = Issue(master, code, year, quarter, ident, issued_at, dues, sop)
        target = tree.folder(code, issue_place(sop).folder)
        workbook = target / workbook_file_name(code, year, quarter, sop.period)
        results.append(_write_once(tree, code, workbook, lambda i=issue: workbook_bytes(i)))
        sheet = target / disposition_file_name(code, year, quarter, sop.period)
        results.append(_write_once(tree, code, sheet, lambda i=issue: disposition_bytes(i)))
        if store is not None:
            _record(tree, store, results[-2], year, quarter, sop.of_kind(StepKind.ISSUE)[-1].number,
                    note)  # fmt: skip
    return results


def _record(
    tree: Tree, store: Store, issued: IssuedFile, year: int, quarter: int, step: int, note: str
) -> None:
    relative = issued.path.resolve().relative_to(tree.root.resolve()).as_posix()
    digest = hashlib.sha256(issued.path.read_bytes()).hexdigest()
    message = "Buku kerja rencana aksi dan disposisi diterbitkan." + (f" {note}" if note else "")
    store.append(
        Event(
            outcome=Outcome.ISSUED,
            division=issued.division,
            year=year,
            quarter=quarter,
            step=step,
            file_hash=digest,
            to_path=relative,
            message=message,
        )
    )


def _write_once(tree: Tree, code: str, path: Path, content: Callable[[], bytes]) -> IssuedFile:
    existing = next(tree.division_dir(code).rglob(path.name), None)
    if existing is None and create_new(path, content()):
        return IssuedFile(code, path, IssueStatus.CREATED)
    return IssuedFile(code, existing or path, IssueStatus.EXISTS)
