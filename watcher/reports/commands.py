"""Entry points for `kinerja report periode|annual` and `kinerja ekspor`: load what a build
needs (the master data, the tree's SOP, the log), run it.

The CLI wires these to its arguments and turns `KinerjaError` into a message and exit code
(1 when, for instance, no workbook is approved for the period).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from watcher.errors import MissingFileError, UsageError
from watcher.masterdata.load import load_master
from watcher.record.durable import atomic_writer
from watcher.record.store import Store, utc_now
from watcher.reports.annual import build_annual
from watcher.reports.dataset import (
    csv_bytes,
    dataset_folder,
    dataset_frame,
    dataset_name,
    xlsx_bytes,
)
from watcher.reports.gather import (
    Progress,
    ReportError,
    approvals_for,
    approved_years,
    read_submissions,
)
from watcher.reports.period import build_period
from watcher.reports.words import Words
from watcher.service.tree import Tree
from watcher.sop.period import Period
from watcher.sop.tree_sop import resolve_sop

PROGRESS_FROM = 50  # workbooks; smaller builds finish before a progress line would help


def run_period(
    tree: Tree,
    year: int,
    index: int,
    *,
    sop_path: Path | None = None,
    now: Callable[[], datetime] = utc_now,
    pdf: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the report of period `index` (1..the SOP's periods a year: a quarter for SOP 010,
    a month for a monthly SOP) of `year` under `tree`; return the files written."""
    sop = resolve_sop(tree, sop_path)
    _check_year(year)
    check_index(sop.period, index)
    master = load_master(tree.master_path)
    with _store(tree) as store:
        return build_period(
            tree,
            store,
            master,
            sop,
            year=year,
            index=index,
            now=now,
            pdf=pdf,
            progress=progress or terminal_progress(),
        )


def run_annual(
    tree: Tree,
    year: int,
    *,
    sop_path: Path | None = None,
    now: Callable[[], datetime] = utc_now,
    pdf: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the LKjIP of `year` under `tree`; return the files written."""
    _check_year(year)
    master, sop = load_master(tree.master_path), resolve_sop(tree, sop_path)
    with _store(tree) as store:
        return build_annual(
            tree,
            store,
            master,
            sop,
            year=year,
            now=now,
            pdf=pdf,
            progress=progress or terminal_progress(),
        )


def run_export(
    tree: Tree,
    years: Sequence[int] | None = None,
    *,
    sop_path: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the tidy table of `years` (default: every year with an approval) as CSV and xlsx
    into outbox/data; return the files written."""
    for year in years or ():
        _check_year(year)
    master, sop = load_master(tree.master_path), resolve_sop(tree, sop_path)
    with _store(tree) as store:
        wanted = sorted(set(years)) if years else approved_years(store)
        found = {year: approvals_for(store, year) for year in wanted}
        if not any(found.values()):
            shown = ", ".join(map(str, wanted)) or "mana pun"
            raise ReportError(
                f"Belum ada laporan bidang yang disetujui {Words.of(sop).approver} untuk tahun "
                f"{shown}; tidak ada data untuk diekspor."
            )
        show = progress or terminal_progress()
        submissions = {
            year: read_submissions(tree, master, approvals.values(), sop=sop, progress=show)
            for year, approvals in found.items()
        }
    frame = dataset_frame(master, submissions, sop.period)
    folder = dataset_folder(tree.outbox)
    folder.mkdir(parents=True, exist_ok=True)
    name = dataset_name(wanted)
    written = []
    for suffix, data in ((".csv", csv_bytes(frame)), (".xlsx", xlsx_bytes(frame))):
        path = folder / f"{name}{suffix}"
        with atomic_writer(path) as handle:
            handle.write(data)
        written.append(path)
    return written


def terminal_progress(stream: TextIO | None = None) -> Progress:
    """Progress on the terminal for long builds: "Membaca buku kerja 120/1000" on one line."""
    out = stream or sys.stderr

    def show(done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if done == total or done % max(total // 50, 1) == 0:
            end = "\n" if done == total else ""
            out.write(f"\rMembaca buku kerja yang disetujui: {done}/{total}{end}")
            out.flush()

    return show


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise UsageError(f"Tahun {year} tidak valid; tulis tahun empat angka, misalnya 2026.")


def check_index(period: Period, index: int) -> None:
    """A period number the SOP has: 1-4 for quarters, 1-12 for months (UsageError if not)."""
    if index not in period.indices:
        choices = "1" if period.count == 1 else f"1-{period.count}"
        raise UsageError(
            f"{period.noun.capitalize()} {index} tidak valid; pilih {choices} untuk periode "
            f"{period.kind.value} SOP ini."
        )


def _store(tree: Tree) -> Store:
    if not tree.store_path.exists():
        raise MissingFileError(
            f"Log kejadian tidak ditemukan di {tree.store_path}: belum ada laporan bidang yang "
            "diproses di folder ini. Periksa --root, atau jalankan 'kinerja watch' lebih dulu."
        )
    return Store(tree.store_path)
