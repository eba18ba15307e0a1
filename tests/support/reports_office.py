"""Approved workbooks for the report tests, recorded the way the watcher records them.

A clerk fills the issued workbook (text cells stay text, even when they start with "="); the
bytes are archived and the log gets what the service writes for a division's period, step by
step of the SOP's flow. Under SOP 010 (the default): the issue (ISSUED, step 2), the valid
material (VALID, step 3), the valid report (VALID, step 4) and the Kabid's approval (APPROVED,
step 5, with the file hash and its path in `disetujui/`); under another SOP its own steps (a
check before the last one is FORWARDED).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from watcher.masterdata.load import load_master
from watcher.record.archive import archive_bytes
from watcher.record.store import Event, Outcome, Store
from watcher.service.issuing import issue_quarter
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.load import load_sop
from watcher.sop.model import Sop, Step, StepKind
from watcher.sop.workflow import Role, issue_place, place_of
from watcher.workbook.layout import rencana_aksi_layout

WITA = ZoneInfo("Asia/Makassar")


def office(root: Path, sop: Sop | None = None) -> Tree:
    """`kinerja init` with the Jeneponto sample master (and `sop`, else the tree's or SOP 010)."""
    tree = Tree(root)
    init_tree(tree, sop)
    return tree


def issue_time(year: int, quarter: int, sop: Sop | None = None) -> datetime:
    """Opening time on the SOP's disposition day (SOP 010: the 10th after the quarter)."""
    day = (sop or load_sop()).period.issue_date(year, quarter)
    return datetime(day.year, day.month, day.day, 7, 30, tzinfo=WITA)


def issue(tree: Tree, year: int, quarter: int, sop: Sop | None = None) -> None:
    """`kinerja issue` for one period on its day, recorded in the log."""
    sop = sop or load_sop()
    moment = issue_time(year, quarter, sop)
    with Store(tree.store_path, now=lambda: moment) as store:
        issue_quarter(
            tree,
            load_master(tree.master_path),
            sop,
            year=year,
            quarter=quarter,
            now=lambda: moment,
            store=store,
            document_id=lambda code: f"{sop.number}-{code}-{year}-{sop.period.code(quarter)}-test",
        )


def filled(
    source: Path,
    realisations: Sequence[object],
    kendala: Sequence[str] | str = "",
    follow_up: Sequence[str] | str = "",
    note: str = "",
) -> bytes:
    """The issued workbook filled in; kendala/tindak lanjut as typed text, one per row or one
    for all rows."""
    layout = rencana_aksi_layout()
    workbook = load_workbook(source)
    sheet = workbook[layout.main_sheet]
    letters = {k: layout.column(k).letter for k in ("realisation", "kendala", "follow_up")}
    for position, value in enumerate(realisations):
        row = layout.data_row(position)
        sheet[f"{letters['realisation']}{row}"] = value
        for key, texts in (("kendala", kendala), ("follow_up", follow_up)):
            text = texts if isinstance(texts, str) else texts[position]
            if text:
                cell = sheet[f"{letters[key]}{row}"]
                cell.value = text
                cell.data_type = "s"  # what Excel stores for typed text, even "=..."
    if note:
        sheet[f"{layout.note_column}{layout.note_row(len(realisations))}"] = note
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def approve(
    tree: Tree,
    code: str,
    year: int,
    quarter: int,
    realisations: Sequence[object],
    *,
    kendala: Sequence[str] | str = "",
    follow_up: Sequence[str] | str = "",
    note: str = "",
    version: int = 1,
    delay: timedelta = timedelta(0),
    sop: Sop | None = None,
) -> Event:
    """Fill, archive and record `code`'s period up to its approval; return the APPROVED event.

    Version 1 goes through the SOP's flow from the disposition within the hour (SOP 010: steps
    3-5); a later version is a corrected report approved again, from the step a return goes
    back to (steps 4-5). `delay` shifts the division's steps later.
    """
    sop = sop or load_sop()
    name = workbook_file_name(code, year, quarter, sop.period)
    source = tree.folder(code, issue_place(sop).folder) / name
    if not source.exists():
        issue(tree, year, quarter, sop)
    data = filled(source, realisations, kendala, follow_up, note)
    approved = tree.folder(code, place_of(sop, sop.final_check, Role.APPROVE).folder) / (
        name if version == 1 else name.replace(".xlsx", f" ({version}).xlsx")
    )
    approved.parent.mkdir(parents=True, exist_ok=True)
    approved.write_bytes(data)
    digest = archive_bytes(data, tree.archive_files).sha256
    relative = approved.relative_to(tree.root).as_posix()
    start = issue_time(year, quarter, sop) + delay + timedelta(hours=3 * (version - 1))
    with Store(tree.store_path) as store:
        for step, moment in _flow_times(sop, start, first=version == 1):
            outcome = _outcome(sop, step)
            event = store.append(
                Event(
                    outcome=outcome,
                    division=code,
                    year=year,
                    quarter=quarter,
                    step=step.number,
                    file_hash=digest,
                    to_path=relative,
                    actor=step.actor.lower() if step.kind is StepKind.CHECK else None,
                    message=f"uji: {outcome.value} langkah {step.number}",
                    at_utc=moment,
                )
            )
    return event


def _flow_times(sop: Sop, start: datetime, *, first: bool) -> list[tuple[Step, datetime]]:
    """When each step of the flow ends: a submission an hour after the one before, a check
    twenty minutes after; a corrected version starts again where a return goes back to."""
    times, moment = [], start
    for step in sop.flow:
        moment += timedelta(hours=1) if step.kind is StepKind.SUBMIT else timedelta(minutes=20)
        times.append((step, moment))
    if first:
        return times
    again = sop.flow.index(sop.step(sop.final_check.return_to))
    return times[again:]


def _outcome(sop: Sop, step: Step) -> Outcome:
    if step.kind is StepKind.SUBMIT:
        return Outcome.VALID
    return Outcome.APPROVED if step == sop.final_check else Outcome.FORWARDED


def approved_office(root: Path, year: int = 2026, quarter: int = 3) -> Tree:
    """A working tree where every division's report of the quarter is approved (half its
    targets met, with kendala and tindak lanjut): what a quarterly report is built from."""
    tree = office(root)
    master = load_master(tree.master_path)
    for division in master.divisions:
        realisations = [50] * len(master.indicators_of(division.code))
        approve(tree, division.code, year, quarter, realisations, kendala="Kendala",
                follow_up="Tindak lanjut")  # fmt: skip
    return tree
