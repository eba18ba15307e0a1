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
from watcher.masterdata.capaian import predikat
from watcher.record.durable import atomic_writer
from watcher.reports.gather import ReportError
from watcher.reports.pdf import band_classes, bar_chart_svg, environment, html_to_pdf

CHART_LIMIT = 100  # offices; more bars than this make an unreadable chart, the tables stay


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
        result=result, states=Timeliness, chart=chart, band_class=classes, predikat_of=predikat
    )


def write_consolidation(result: Consolidation, folder: Path, *, pdf: bool = True) -> list[Path]:
    """Write the workbook, then the PDF, into `folder` (created if needed); the paths written.

    A PDF that cannot be made does not hold back the workbook: it is written, then the PDF's
    ReportError is raised saying so."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [_write(folder / f"{result.file_stem}.xlsx", consolidation_workbook(result))]
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
