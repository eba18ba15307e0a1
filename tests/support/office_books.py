"""An office's own period report, built by its own code, and its tables read back cell by cell:
what the consolidation tests compare the centre's figures with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from watcher.masterdata.load import load_master
from watcher.record.store import Store
from watcher.reports.period import build_period
from watcher.service.tree import Tree
from watcher.sop.tree_sop import resolve_sop

FIGURE_COLUMNS = (
    "Kode",
    "Target TW III",
    "Realisasi TW III",
    "Capaian TW III (%)",
    "Predikat",
    "Target s.d. TW III",
    "Realisasi s.d. TW III",
    "Capaian s.d. TW III (%)",
)


def office_book(tree: Tree, year: int, index: int, now: Callable[[], datetime]) -> Path:
    """The office's own period report workbook (what `kinerja report` writes)."""
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    with Store(tree.store_path) as store:
        written = build_period(tree, store, master, sop, year=year, index=index, now=now,
                               pdf=False)  # fmt: skip
    return next(p for p in written if p.suffix == ".xlsx")


def report_table(path: Path, sheet: str, header_row: int) -> list[dict[str, object]]:
    """The numbered data rows of `sheet` under its header row, as {header: value}."""
    book = load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(min_row=header_row, values_only=True))
    book.close()
    header = [str(v) if v is not None else "" for v in rows[0]]
    table = []
    for values in rows[1:]:
        if values and isinstance(values[0], int):  # numbered data rows; notes follow
            table.append(dict(zip(header, values, strict=False)))
    return table
