"""`kinerja issue`: SOP steps 1-2, a pre-filled workbook and a disposition per division."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from watcher.calendar import build_calendar, deadline
from watcher.disposition import disposition_bytes
from watcher.errors import MasterDataError, Problem
from watcher.fsio import create_new
from watcher.master import MasterData
from watcher.master_sheets import SETTINGS_SHEET
from watcher.sop import Sop
from watcher.templates import Issue, workbook_bytes
from watcher.tree import Folder, Tree, disposition_file_name, workbook_file_name


class IssueStatus(StrEnum):
    CREATED = "dibuat"
    EXISTS = "sudah ada, tidak ditimpa"


@dataclass(frozen=True)
class IssuedFile:
    division: str
    path: Path
    status: IssueStatus


def reporting_period(today: date) -> tuple[int, int]:
    """The quarter whose data is collected now: the one that ended last (10 Jan asks for Q4)."""
    current = (today.month - 1) // 3 + 1
    return (today.year, current - 1) if current > 1 else (today.year - 1, 4)


def new_document_id(sop: Sop, code: str, year: int, quarter: int) -> str:
    return f"{sop.number}-{code}-{year}-TW{quarter}-{uuid.uuid4().hex[:8]}"


def issue_quarter(
    tree: Tree,
    master: MasterData,
    sop: Sop,
    *,
    year: int,
    quarter: int,
    now: Callable[[], datetime],
    document_id: Callable[[str], str] | None = None,
) -> list[IssuedFile]:
    """Write each division's workbook and disposition into its disposition folder.

    A workbook that already exists anywhere in the division's folders (a clerk may have started
    it) is never written again.
    """
    if master.settings.year != year:
        raise MasterDataError(
            "data induk",
            [Problem(f"target di data induk untuk tahun {master.settings.year}, bukan {year}; "
                     "perbarui Tahun dan target indikator", sheet=SETTINGS_SHEET)],
        )  # fmt: skip
    settings = master.settings
    calendar = build_calendar(
        tz_name=settings.timezone, week=settings.week, years=range(year, year + 2),
        overrides=settings.day_overrides,
    )  # fmt: skip
    issued_at = now().astimezone(calendar.tz)
    material_due = deadline(calendar, deadline(calendar, issued_at, sop.step(2).standard),
                            sop.step(3).standard)  # fmt: skip
    report_due = deadline(calendar, material_due, sop.step(4).standard)
    results: list[IssuedFile] = []
    for division in master.divisions:
        code = division.code
        ident = (document_id or (lambda c: new_document_id(sop, c, year, quarter)))(code)
        issue = Issue(master, code, year, quarter, ident, issued_at, material_due, report_due)
        target = tree.folder(code, Folder.DISPOSITION)
        workbook = target / workbook_file_name(code, year, quarter)
        results.append(_write_once(tree, code, workbook, lambda i=issue: workbook_bytes(i)))
        sheet = target / disposition_file_name(code, year, quarter)
        results.append(_write_once(tree, code, sheet, lambda i=issue: disposition_bytes(i, sop)))
    return results


def _write_once(tree: Tree, code: str, path: Path, content: Callable[[], bytes]) -> IssuedFile:
    existing = next(tree.division_dir(code).rglob(path.name), None)
    if existing is None and create_new(path, content()):
        return IssuedFile(code, path, IssueStatus.CREATED)
    return IssuedFile(code, existing or path, IssueStatus.EXISTS)
