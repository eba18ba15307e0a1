"""The annual report, the LKjIP (PermenPAN-RB 53/2014): outbox/tahunan/<YYYY>/.

Three files: `LKjIP_<YYYY>.xlsx` (every figure of the year), `LKjIP_<YYYY>.html` and
`LKjIP_<YYYY>.pdf` (the document, chapter by chapter: Ikhtisar Eksekutif, Bab I-IV, Lampiran).
Every number is computed; narrative only a person can write is a clearly marked box
("isian"). The HTML opens in a browser and in Word, where the planning section can write the
narrative; a rebuild never destroys such an edited file (see `publish`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from watcher.masterdata.capaian import formula_text
from watcher.masterdata.model import MasterData
from watcher.record.store import Store
from watcher.reports.annual_book import annual_workbook
from watcher.reports.context import Provenance, YearReport
from watcher.reports.figures_year import year_figures
from watcher.reports.gather import (
    Approval,
    Progress,
    ReportError,
    approvals_for,
    period_documents,
    read_submissions,
    reopened_texts,
)
from watcher.reports.lkjip_rows import LineRows
from watcher.reports.pdf import band_classes, bar_chart_svg, render_html
from watcher.reports.period import fingerprint
from watcher.reports.publish import Output, publish_report
from watcher.reports.words import Words
from watcher.service.tree import Tree
from watcher.sop.model import Sop
from watcher.sop.sla import office_calendar

log = logging.getLogger(__name__)


def annual_folder(tree: Tree, year: int) -> Path:
    return tree.annual_reports / str(year)


def annual_name(year: int) -> str:
    return f"LKjIP_{year}"


def build_annual(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    *,
    year: int,
    now: Callable[[], datetime],
    pdf: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build, write and log the LKjIP of `year`; return the files written."""
    approvals = sorted(approvals_for(store, year).values(), key=lambda a: (a.division, a.quarter))
    if not approvals:
        raise ReportError(
            f"Belum ada laporan bidang yang disetujui {Words.of(sop).approver} untuk tahun "
            f"{year}; LKjIP belum dapat disusun."
        )
    report = year_report(tree, store, master, sop, year, approvals, now, progress)
    name = annual_name(year)
    html = annual_html(report)
    missing = len(report.figures.missing)
    message = (
        f"{report.title} disusun"
        + (f"; {missing} {report.words.reports} bidang belum disetujui" if missing else "")
        + f"; sidik sumber {report.provenance.fingerprint}."
    )
    return publish_report(
        tree,
        store,
        annual_folder(tree, year),
        [
            Output(f"{name}.xlsx", annual_workbook(report)),
            Output(f"{name}.html", html.encode("utf-8")),
        ],
        pdf=(f"{name}.pdf", lambda: html) if pdf else None,
        year=year,
        quarter=None,
        message=message,
        step=sop.compile_number,
    )


def year_report(
    tree: Tree,
    store: Store,
    master: MasterData,
    sop: Sop,
    year: int,
    approvals: list[Approval],
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> YearReport:
    """Read the year's approved versions (and last year's, for comparison) into figures over
    the SOP's periods."""
    documents = period_documents(store, year)
    submissions = read_submissions(tree, master, approvals, sop=sop, progress=progress,
                                   documents=documents)  # fmt: skip
    previous = None
    earlier = list(approvals_for(store, year - 1).values())
    if earlier:
        try:
            previous = read_submissions(tree, master, earlier, sop=sop)
        except ReportError as exc:  # last year's workbooks may predate today's template
            log.warning("Data tahun %d tidak dipakai untuk perbandingan: %s", year - 1, exc)
    figures = year_figures(master, year, submissions, previous, sop.period)
    calendar = office_calendar(master.settings, [year])
    provenance = Provenance(
        now().astimezone(calendar.tz), store.head(), fingerprint(approvals, master)
    )
    sources = tuple((a.division, a.quarter, a.path, a.at_utc, a.file_hash) for a in approvals)
    reopened = reopened_texts(documents, provenance.built_at.tzinfo)
    return YearReport(master, sop, figures, provenance, sources, reopened)


def annual_html(report: YearReport) -> str:
    goals = report.figures.goals
    chart = bar_chart_svg([g.goal for g in goals], [g.average for g in goals], width=640)
    band_class = band_classes(report.figures.bands)
    return render_html(
        "lkjip.html.j2",
        report=report,
        legend=formula_text(report.master.settings.capaian_rules, report.period.noun),
        chart=chart,
        band_class=band_class,
        rows=LineRows(report.master, report.figures, band_class),
    )
