"""The period report (SOP 010: Laporan Kinerja Triwulan), .xlsx and .pdf, in
outbox/<jenis>/<YYYY>_<kode>/: outbox/triwulan/2026_TW3/Laporan_Kinerja_TW3_2026 for SOP 010,
outbox/bulanan/2026_B03/Laporan_Kinerja_B03_2026 for a monthly SOP.

Built from the latest approved version of each division's workbook for the period (and the
earlier periods of the year, for the figures to date), as the event log and the archive hold
them. Divisions not approved yet are listed as such; the report can be built at any time and is
rebuilt when an approval changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path

from watcher.masterdata.capaian import formula_text
from watcher.masterdata.model import MasterData
from watcher.record.store import Store
from watcher.reports.context import PeriodReport, Provenance, RowWording, not_approved_text
from watcher.reports.figures import division_block, period_figures
from watcher.reports.gather import (
    Approval,
    Progress,
    ReportError,
    Submission,
    approvals_for,
    period_documents,
    read_submissions,
    reopened_texts,
)
from watcher.reports.identity_memo import IdentityMemo
from watcher.reports.pdf import band_classes, bar_chart_svg, render_html
from watcher.reports.period_book import division_rows, period_workbook
from watcher.reports.publish import Output, publish_report
from watcher.reports.status import snapshot
from watcher.reports.words import Words
from watcher.service.tree import Tree, period_folder, period_name
from watcher.sop.model import Sop


def fingerprint(approvals: Iterable[Approval], master: MasterData) -> str:
    """12 hex digits that change when the approved versions used or the master data change:
    of `repr((used, master))`, with the master data's repr remembered per object (~2 MB for
    1,000 divisions, and the service asks at every rebuild)."""
    used = sorted((a.division, a.year, a.quarter, a.file_hash) for a in approvals)
    text = f"({used!r}, {_MASTER_REPRS.get((master,), (), partial(repr, master))})"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


_MASTER_REPRS: IdentityMemo[str] = IdentityMemo(8)


def approvals_through(found: dict[tuple[str, int], Approval], index: int) -> list[Approval]:
    """Of a year's approvals in force, those of periods 1..`index`."""
    return [a for (_, i), a in sorted(found.items()) if i <= index]


def build_period(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    *,
    year: int,
    index: int,
    now: Callable[[], datetime],
    pdf: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build, write and log the report of period `index` of `year`; return the files written.

    Raises ReportError when no division has an approved workbook for the period, and after
    writing the workbook when the PDF cannot be made.
    """
    approvals = approvals_through(approvals_for(store, year), index)
    if not any(a.quarter == index for a in approvals):
        words = Words.of(sop)
        raise ReportError(
            f"Belum ada laporan bidang yang disetujui {words.approver} untuk "
            f"{sop.period.label(index)} {year}; {words.reports} belum dapat disusun."
        )
    report = period_report(tree, store, master, sop, (year, index), approvals, now, progress)
    name = period_name(sop.period, year, index)
    figures = report.figures
    message = (
        f"{report.title} disusun: {len(figures.approved)} dari {len(figures.blocks)} bidang "
        f"disetujui; sidik sumber {report.provenance.fingerprint}."
    )
    return publish_report(
        tree,
        store,
        period_folder(tree, sop.period, year, index),
        [Output(f"{name}.xlsx", period_workbook(report))],
        pdf=(f"{name}.pdf", lambda: period_html(report)) if pdf else None,
        year=year,
        quarter=index,
        message=message,
        step=sop.compile_number,
    )


def period_report(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    when: tuple[int, int],
    approvals: list[Approval],
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> PeriodReport:
    """Read the approved versions and compute everything the report of period `when` =
    (year, index) shows."""
    year, index = when
    documents = period_documents(store, year)
    view = snapshot(store, master, sop, now(), when)
    reopened = {
        code: text
        for (code, i), text in reopened_texts(documents, view.generated_at.tzinfo).items()
        if i == index
    }
    divisions = {division.code: division for division in master.divisions}
    words = Words.of(sop)

    def ready(code: str, read: Mapping[tuple[str, int], Submission]) -> None:
        """A division's block and rows, made while the other divisions are being read."""
        block = division_block(master, sop.period, year, index, divisions[code], read)
        division_rows(RowWording(master, sop.period, index,
                                 not_approved_text(words, reopened, code)), block)  # fmt: skip

    submissions = read_submissions(tree, master, approvals, sop=sop, progress=progress,
                                   documents=documents, ready=ready)  # fmt: skip
    figures = period_figures(master, sop.period, year, index, submissions)
    timings = {division.code: division.progress for division in view.divisions}
    provenance = Provenance(view.generated_at, store.head(), fingerprint(approvals, master))
    return PeriodReport(master, sop, figures, timings, view.report, provenance, reopened)


def period_html(report: PeriodReport) -> str:
    blocks = report.figures.blocks
    chart = bar_chart_svg([b.division.name for b in blocks], [b.average for b in blocks], width=760)
    return render_html(
        "period.html.j2",
        report=report,
        legend=formula_text(report.master.settings.capaian_rules, report.period.noun),
        chart=chart,
        band_class=band_classes(report.figures.bands),
    )
