"""The quarterly report (Laporan Kinerja Triwulan): outbox/triwulan/<YYYY>_TW<Q>/, .xlsx and .pdf.

Built from the latest approved version of each division's workbook for the quarter (and the
earlier quarters of the year, for the figures to date), as the event log and the archive hold
them. Divisions not approved yet are listed as such; the report can be built at any time and is
rebuilt when an approval changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from watcher.masterdata.capaian import formula_text
from watcher.masterdata.model import MasterData, quarter_name
from watcher.record.store import Store
from watcher.reports.context import Provenance, QuarterReport
from watcher.reports.figures import quarter_figures
from watcher.reports.gather import (
    Approval,
    Progress,
    ReportError,
    approvals_for,
    read_submissions,
)
from watcher.reports.pdf import band_classes, bar_chart_svg, render_html
from watcher.reports.publish import Output, publish_report
from watcher.reports.quarterly_book import quarterly_workbook
from watcher.reports.status import snapshot
from watcher.service.tree import Tree
from watcher.sop.model import Sop


def quarterly_folder(tree: Tree, year: int, quarter: int) -> Path:
    return tree.quarterly_reports / f"{year}_TW{quarter}"


def quarterly_name(year: int, quarter: int) -> str:
    """File name without suffix: Laporan_Kinerja_TW3_2026."""
    return f"Laporan_Kinerja_TW{quarter}_{year}"


def fingerprint(approvals: Iterable[Approval], master: MasterData) -> str:
    """12 hex digits that change when the approved versions used or the master data change."""
    used = sorted((a.division, a.year, a.quarter, a.file_hash) for a in approvals)
    return hashlib.sha256(repr((used, master)).encode("utf-8")).hexdigest()[:12]


def quarter_approvals(store: Store, year: int, quarter: int) -> list[Approval]:
    """The approvals in force for quarters 1..`quarter` of `year`."""
    found = approvals_for(store, year)
    return [a for (_, q), a in sorted(found.items()) if q <= quarter]


def build_quarterly(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    *,
    year: int,
    quarter: int,
    now: Callable[[], datetime],
    pdf: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build, write and log the quarterly report; return the files written.

    Raises ReportError when no division has an approved workbook for the quarter, and after
    writing the workbook when the PDF cannot be made.
    """
    approvals = quarter_approvals(store, year, quarter)
    if not any(a.quarter == quarter for a in approvals):
        raise ReportError(
            f"Belum ada laporan bidang yang disetujui Kabid untuk Triwulan "
            f"{quarter_name(quarter)} {year}; laporan triwulan belum dapat disusun."
        )
    report = quarter_report(tree, store, master, sop, year, quarter, approvals, now, progress)
    name = quarterly_name(year, quarter)
    figures = report.figures
    message = (
        f"{report.title} disusun: {len(figures.approved)} dari {len(figures.blocks)} bidang "
        f"disetujui; sidik sumber {report.provenance.fingerprint}."
    )
    return publish_report(
        tree,
        store,
        quarterly_folder(tree, year, quarter),
        [Output(f"{name}.xlsx", quarterly_workbook(report))],
        pdf=(f"{name}.pdf", lambda: quarterly_html(report)) if pdf else None,
        year=year,
        quarter=quarter,
        message=message,
        step=sop.compile_number,
    )


def quarter_report(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    year: int,
    quarter: int,
    approvals: list[Approval],
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> QuarterReport:
    """Read the approved versions and compute everything the quarterly report shows."""
    submissions = read_submissions(tree, master, approvals, progress=progress)
    figures = quarter_figures(master, year, quarter, submissions)
    moment = now()
    view = snapshot(store, master, sop, moment, (year, quarter))
    timings = {division.code: division.progress for division in view.divisions}
    provenance = Provenance(view.generated_at, store.head(), fingerprint(approvals, master))
    return QuarterReport(master, sop, figures, timings, view.report, provenance)


def quarterly_html(report: QuarterReport) -> str:
    blocks = report.figures.blocks
    chart = bar_chart_svg([b.division.name for b in blocks], [b.average for b in blocks], width=760)
    return render_html(
        "quarterly.html.j2",
        report=report,
        legend=formula_text(report.master.settings.capaian_rules),
        chart=chart,
        quarter_name=quarter_name,
        band_class=band_classes(report.figures.bands),
    )
