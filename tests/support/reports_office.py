"""Approved workbooks for the report tests, recorded the way the watcher records them.

A clerk fills the issued workbook (text cells stay text, even when they start with "="); the
bytes are archived and the log gets what the service writes for a division's quarter: the issue
(ISSUED, step 2), the valid material (VALID, step 3), the valid report (VALID, step 4) and the
Kabid's approval (APPROVED, step 5, with the file hash and its path in `disetujui/`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from support.sop010 import Folder
from watcher.masterdata.load import load_master
from watcher.record.archive import archive_bytes
from watcher.record.store import Event, Outcome, Store
from watcher.service.issuing import issue_quarter
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.load import load_sop
from watcher.sop.period import QUARTERLY
from watcher.workbook.layout import rencana_aksi_layout

WITA = ZoneInfo("Asia/Makassar")


def office(root: Path) -> Tree:
    """`kinerja init` with the Jeneponto sample master."""
    tree = Tree(root)
    init_tree(tree)
    return tree


def issue_time(year: int, quarter: int) -> datetime:
    """Opening time on the SOP's disposition day (the 10th after the quarter)."""
    day = QUARTERLY.issue_date(year, quarter)
    return datetime(day.year, day.month, day.day, 7, 30, tzinfo=WITA)


def issue(tree: Tree, year: int, quarter: int) -> None:
    """`kinerja issue` for one quarter on its day, recorded in the log."""
    moment = issue_time(year, quarter)
    with Store(tree.store_path, now=lambda: moment) as store:
        issue_quarter(
            tree,
            load_master(tree.master_path),
            load_sop(),
            year=year,
            quarter=quarter,
            now=lambda: moment,
            store=store,
            document_id=lambda code: f"010-{code}-{year}-TW{quarter}-test",
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
) -> Event:
    """Fill, archive and record `code`'s quarter up to its approval; return the APPROVED event.

    Version 1 goes through steps 3-5 from the disposition within the hour; a later version is
    a corrected report approved again (steps 4-5). `delay` shifts the division's steps later.
    """
    name = workbook_file_name(code, year, quarter)
    source = tree.folder(code, Folder.DISPOSITION) / name
    if not source.exists():
        issue(tree, year, quarter)
    data = filled(source, realisations, kendala, follow_up, note)
    approved = tree.folder(code, Folder.APPROVED) / (
        name if version == 1 else name.replace(".xlsx", f" ({version}).xlsx")
    )
    approved.parent.mkdir(parents=True, exist_ok=True)
    approved.write_bytes(data)
    digest = archive_bytes(data, tree.archive_files).sha256
    relative = approved.relative_to(tree.root).as_posix()
    start = issue_time(year, quarter) + delay + timedelta(hours=3 * (version - 1))
    steps = [(Outcome.VALID, 3, start + timedelta(hours=1))] if version == 1 else []
    steps += [
        (Outcome.VALID, 4, start + timedelta(hours=2)),
        (Outcome.APPROVED, 5, start + timedelta(hours=2, minutes=20)),
    ]
    with Store(tree.store_path) as store:
        for outcome, step, moment in steps:
            event = store.append(
                Event(
                    outcome=outcome,
                    division=code,
                    year=year,
                    quarter=quarter,
                    step=step,
                    file_hash=digest,
                    to_path=relative,
                    actor="kabid" if step == 5 else None,
                    message=f"uji: {outcome.value} langkah {step}",
                    at_utc=moment,
                )
            )
    return event


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
