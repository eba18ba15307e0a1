"""Pieces shared by the report workbooks: titles, styles by predikat, notes, row heights."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from watcher.masterdata.capaian import NOT_ASSESSABLE
from watcher.masterdata.model import PredikatBand
from watcher.masterdata.numbers import format_number
from watcher.reports.context import PeriodReport, YearReport
from watcher.reports.figures import Aggregate, Figure
from watcher.reports.xlsx import BAND_STYLES, Sheet, Style, XlsxBook
from watcher.sop.period import Period
from watcher.workbook.styles import wrapped_height

SHEET_NAME_MAX = 31
LINE_HEIGHT = 12.75  # points, one line of 10 pt Arial
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def report_book(report: PeriodReport | YearReport) -> XlsxBook:
    """An empty workbook carrying the report's title, build time and chain head."""
    provenance = report.provenance
    return XlsxBook(title=report.title, created=provenance.built_at,
                    keywords=provenance.chain_line)  # fmt: skip


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid sheet name close to `wanted`, not yet in `taken` (case-insensitively); adds it."""
    base = wanted.translate(_FORBIDDEN_IN_SHEET_NAMES).strip("'")[:SHEET_NAME_MAX] or "Lembar"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def title_rows(sheet: Sheet, lines: Sequence[str], columns: int) -> None:
    """The title block: the first line large, the others bold, each merged across the table."""
    for index, line in enumerate(lines):
        style = Style.TITLE if index == 0 else Style.SUBTITLE if index == 1 else Style.TEXT
        number = sheet.row([line], style=style, height=22 if index == 0 else None)
        sheet.merge(number, 1, number, columns)


def merged_note(sheet: Sheet, text: str, widths: Sequence[float]) -> None:
    """A note across the table, tall enough for its wrapped text (at least two lines)."""
    row = sheet.row([text], style=Style.NOTE, height=max(height([(text, sum(widths))]) or 0, 26))
    sheet.merge(row, 1, row, len(widths))


def band_style(label: str | None, bands: Sequence[PredikatBand]) -> Style:
    """The fill of a predikat: the bands' order maps onto green ... red."""
    labels = [band.label for band in bands]
    if label is None or label not in labels:
        return Style.CENTER
    position = labels.index(label)
    scaled = round(position * (len(BAND_STYLES) - 1) / max(len(labels) - 1, 1))
    return BAND_STYLES[scaled]


def capaian_cell(figure: Figure) -> tuple[object, Style]:
    """Capaian as a number cell, or the words "Tidak dapat dinilai" when it cannot be."""
    if figure.capaian is None:
        return (NOT_ASSESSABLE if figure.realisation is not None else None, Style.CENTER)
    return (figure.capaian, Style.PERCENT)


def predikat_cell(figure: Figure, bands: Sequence[PredikatBand]) -> tuple[object, Style]:
    return (figure.predikat or "-", band_style(figure.predikat, bands))


def number_cell(value: float | None) -> tuple[object, Style]:
    return (value, Style.NUMBER)


def aggregate_note(aggregate: Aggregate, through: int, period: Period) -> str:
    """Which periods a to-date figure lacks: "s.d. TW III tanpa TW II", "s.d. Maret tanpa
    Februari"."""
    if not aggregate.missing or not aggregate.counted:
        return ""
    return _gap_text(period, through, aggregate.missing)


@lru_cache(maxsize=256)  # every indicator of a division lacks the same periods
def _gap_text(period: Period, through: int, missing: tuple[int, ...]) -> str:
    return f"s.d. {period.short_label(through)} tanpa {period.short_labels(missing)}"


def bands_text(bands: Sequence[PredikatBand]) -> str:
    """ "Sangat Baik > 90; Baik > 75; ...; Sangat Kurang selebihnya"."""
    parts = [
        f"{b.label} > {format_number(b.above)}" if b.above is not None else f"{b.label} selebihnya"
        for b in bands
    ]
    return "Predikat (capaian %): " + "; ".join(parts)


def height(texts_and_widths: list[tuple[str, float]]) -> float | None:
    """Row height for wrapped text, None for a single line (the default height)."""
    lines = max((_lines(text, width) for text, width in texts_and_widths), default=1)
    return lines * LINE_HEIGHT if lines > 1 else None


@lru_cache(maxsize=8192)
def _lines(text: str, width: float) -> int:
    """Lines `text` wraps to in a column `width` wide (names and goals repeat: cached)."""
    if len(text) < width * 0.95 - 1 and "\n" not in text:
        return 1
    return round(wrapped_height([(text, width)], line_height=1.0))
