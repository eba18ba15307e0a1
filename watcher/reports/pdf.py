"""HTML for the printable reports (jinja2, autoescaped) and its PDF (WeasyPrint).

WeasyPrint lays out paged HTML/CSS with Pango: A4 pages, running headers and page numbers
("Halaman 2 dari 7"), a table of contents with page numbers, table headers repeated on every
page, inline SVG charts. The documents carry their CSS and charts inline and WeasyPrint is
given a fetcher that allows only `data:` URLs, so rendering never reaches the network or the
file system whatever a clerk typed into a kendala cell (which is escaped anyway).
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from watcher.masterdata.capaian import NOT_ASSESSABLE
from watcher.masterdata.model import PredikatBand
from watcher.masterdata.numbers import format_number
from watcher.reports.gather import ReportError
from watcher.sop.indonesian import MONTHS, long_datetime

log = logging.getLogger(__name__)
INSTALL_HINT = (
    "pasang WeasyPrint (pip install weasyprint) dan pustaka Pango "
    "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2)"
)


def number_text(value: float | None, decimals: int | None = None) -> str:
    """Indonesian number: 1234.5 -> "1.234,5"; `decimals` fixes the decimals; None -> "-"."""
    if value is None:
        return "-"
    if decimals is not None:
        value = round(value, decimals)
        text = f"{value:,.{decimals}f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return format_number(round(value, 2))


def percent_text(value: float | None) -> str:
    """Capaian as shown in reports: "95,12", or "Tidak dapat dinilai"."""
    return NOT_ASSESSABLE if value is None else number_text(value, 2)


def date_text(moment: datetime) -> str:
    """12 Oktober 2026."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("watcher.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["angka"] = number_text
    env.filters["persen"] = percent_text
    env.filters["tanggal"] = date_text
    env.filters["waktu"] = lambda m: long_datetime(m) if m else "-"
    return env


def band_classes(bands: Sequence[PredikatBand]) -> Callable[[str | None], str]:
    """predikat -> CSS class band-0 (best, green) .. band-4 (worst, red)."""
    last = max(len(bands) - 1, 1)
    classes = {b.label: f"band-{round(i * 4 / last)}" for i, b in enumerate(bands)}
    return lambda label: classes.get(label or "", "")


def render_html(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


CHART_LABEL_CHARACTERS = 44  # per line of a bar's label; longer labels wrap, never cut


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    reference: float = 100.0,
    width: int = 900,
) -> Markup:
    """A horizontal bar chart as inline SVG (escaped labels), with a line at `reference`.

    Labels wrap onto as many lines as they need; values stand in their own column right of the
    bars, so neither the reference line nor a long bar runs through them.
    """
    line, top, left, right = 11, 8, 250, 52
    wrapped = [textwrap.wrap(label, CHART_LABEL_CHARACTERS) or [""] for label in labels]
    rows = [max(18, len(lines) * line + 7) for lines in wrapped]
    bottom = top + sum(rows)
    height = bottom + 28
    top_value = max([reference, *(v for v in values if v is not None)])
    scale = (width - left - right - 8) / (top_value * 1.05 or 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Sans, Arial, sans-serif" '
        'font-size="10">'
    ]
    y = top
    for lines, row, value in zip(wrapped, rows, values, strict=True):
        middle = y + row / 2
        first = middle - (len(lines) - 1) * line / 2 + 3.5
        spans = "".join(
            f'<tspan x="{left - 6}" y="{first + i * line:.1f}">{escape(text)}</tspan>'
            for i, text in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end">{spans}</text>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{middle + 3.5:.1f}" fill="#7f7f7f">'
                         "tidak dinilai</text>")  # fmt: skip
        else:
            length = max(value, 0) * scale
            parts.append(
                f'<rect x="{left}" y="{middle - 6:.1f}" width="{length:.1f}" height="12" '
                'fill="#2e75b6"/>'
                f'<text x="{width - 4}" y="{middle + 3.5:.1f}" text-anchor="end">'
                f"{escape(percent_text(value))}</text>"
            )
        y += row
    x = left + reference * scale
    parts.append(
        f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#c00000" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#c00000">'
        f"{escape(number_text(reference))}%</text>"
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#404040"/></svg>'
    )
    return Markup("".join(parts))


def html_to_pdf(html: str) -> bytes:
    """Render the HTML to PDF bytes; ReportError (Indonesian) when WeasyPrint is unusable."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango's shared libraries are missing
        raise ReportError(f"PDF tidak dapat dibuat: {exc}. {INSTALL_HINT}.") from exc
    fetcher = _offline_fetcher(weasyprint)
    try:
        return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except Exception as exc:  # WeasyPrint raises many kinds; a report needs one message
        raise ReportError(f"PDF gagal dibuat oleh WeasyPrint: {exc}") from exc


def _offline_fetcher(weasyprint: Any) -> Any:
    """Allow only data: URLs (the documents embed everything they show)."""
    factory = getattr(weasyprint, "URLFetcher", None)
    if factory is not None:
        return factory(allowed_protocols=("data",), timeout=1)

    def refuse(url: str, *_: Any, **__: Any) -> dict[str, Any]:  # older WeasyPrint
        raise ValueError(f"sumber luar tidak diizinkan: {url}")

    return refuse
