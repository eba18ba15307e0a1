"""The consolidation's files: the workbook and its PDF, written atomically into a folder as
Konsolidasi_<wilayah>_<periode>_<tahun>.xlsx and .pdf (temp file, fsync, rename: a reader never
sees half a report). The PDF is the office reports' kind: a jinja2 template printed by
WeasyPrint, with the office templates' filters and print styles."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, PackageLoader

from watcher.central.consolidate import Consolidation, Timeliness
from watcher.central.consolidation_book import consolidation_workbook
from watcher.central.consolidation_data import consolidation_frame
from watcher.masterdata.capaian import predikat
from watcher.record.durable import atomic_writer
from watcher.reports.dataset import csv_bytes, xlsx_bytes
from watcher.reports.gather import ReportError
from watcher.reports.pdf import band_classes, bar_chart_svg, environment, html_to_pdf

CHART_LIMIT = 100  # offices; more bars than this make an unreadable chart, the tables stay
# Offices whose every indicator the PDF lists; past it the PDF keeps the per-office summary,
# the problems and the cascade, and points to the workbook and dataset for the detail (a PDF of
# 1,000 offices' 20,000 indicator lines is hundreds of pages no one prints, and WeasyPrint
# takes minutes over it).
DETAIL_LIMIT = 60


@cache
def _environment() -> Environment:
    """The office reports' environment (filters, autoescape, strict), also finding the
    centre's templates; office templates such as _base.css.j2 stay reachable."""
    office = environment()
    assert office.loader is not None
    loader = ChoiceLoader([PackageLoader("watcher.central", "templates"), office.loader])
    return office.overlay(loader=loader)


def consolidation_html(result: Consolidation) -> str:
    reports = [(o.name, o.report) for o in result.offices if o.report is not None]
    chart = (
        bar_chart_svg(
            [name for name, _ in reports], [r.figures.average for _, r in reports], width=760
        )
        if 0 < len(reports) <= CHART_LIMIT
        else ""
    )
    classes = {
        o.office_id: band_classes(o.report.figures.bands)
        for o in result.offices
        if o.report is not None
    }
    for linked in (line for row in result.cascade for line in row.lines):
        classes.setdefault(linked.office_id, band_classes(linked.bands))
    template = _environment().get_template("consolidation.html.j2")
    return template.render(
        result=result,
        states=Timeliness,
        chart=chart,
        band_class=classes,
        predikat_of=predikat,
        detail=len(result.offices) <= DETAIL_LIMIT,
        detail_limit=DETAIL_LIMIT,
    )


CHIPS = {
    Timeliness.ON_TIME: "ontime",
    Timeliness.LATE: "late",
    Timeliness.PENDING: "pending",
    Timeliness.NOT_APPROVED: "notapproved",
    Timeliness.MISSING: "absent",
}


def status_html(result: Consolidation) -> str:
    """The status page across offices: each office's chain at the centre and where each of
    its expected reports stands (a standalone page, no request leaves it)."""
    template = _environment().get_template("consolidation_status.html.j2")
    return template.render(result=result, chip=CHIPS)


def write_consolidation(result: Consolidation, folder: Path, *, pdf: bool = True) -> list[Path]:
    """Write the workbook, the status page, the tidy dataset (CSV and xlsx), then the PDF, into
    `folder` (created if needed); the paths written.

    A PDF that cannot be made does not hold back the rest: it is written, then the PDF's
    ReportError is raised saying so."""
    folder.mkdir(parents=True, exist_ok=True)
    data = consolidation_frame(result)
    stem = result.file_stem
    written = [
        _write(folder / f"{stem}.xlsx", consolidation_workbook(result)),
        _write(folder / f"Status_{stem}.html", status_html(result).encode("utf-8")),
        _write(folder / f"Data_{stem}.csv", csv_bytes(data)),
        _write(folder / f"Data_{stem}.xlsx", xlsx_bytes(data)),
    ]
    if pdf:
        try:
            data = html_to_pdf(consolidation_html(result))
        except ReportError as exc:
            raise ReportError(f"{exc.message} Buku kerja tetap ditulis: {written[0]}.") from exc
        written.append(_write(folder / f"{result.file_stem}.pdf", data))
    return written


def _write(path: Path, data: bytes) -> Path:
    with atomic_writer(path) as handle:
        handle.write(data)
    return path
