"""A small, fast writer for the report workbooks: rows streamed as SpreadsheetML into the zip.

Why not openpyxl or xlsxwriter: a quarterly report of 1,000 divisions is a million cells, and
both spend about 10 microseconds a cell; this writer spends well under one (see
`bench/report_bench.py`). It writes only what reports need: fixed cell styles, column widths,
row heights, merged cells, a frozen header, an autofilter, A4 print setup with repeated title
rows and a page-number footer, and bar charts.

Safety: every string is written as an inline string (`t="inlineStr"`), never as a formula, so
user text starting with = + - @ stays text in every spreadsheet program; XML-illegal control
characters are dropped, Excel's `_xHHHH_` escapes are neutralised, and a cell holds at most
32,767 characters (Excel's limit).
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from watcher.reports.xlsx_chart import BarChart, anchor_xml, chart_xml, drawing_xml
from watcher.reports.xlsx_styles import BAND_STYLES, Style, styles_xml
from watcher.reports.xlsx_text import (
    MAIN_NS,
    PKG_REL,
    REL_NS,
    XML_HEAD,
    attr,
    column_letter,
    text_xml,
)

__all__ = ["BAND_STYLES", "BarChart", "Sheet", "Style", "XlsxBook", "cells_xml", "text_xml"]

_FLUSH_ROWS = 512


Cell = object  # a value (str, int, float, None) or a (value, Style) pair


def cells_xml(cells: Sequence[Cell], style: Style = Style.CELL) -> str:
    """Encode consecutive cells from column A on; each a value (in `style`) or (value, style).

    Cells carry no address (the r attribute is optional in SpreadsheetML: they follow one
    another), so one encoding can serve in several rows and sheets. An empty value still
    writes its styled cell, which keeps the following cells in their columns.
    """
    parts = []
    append = parts.append
    for cell in cells:
        if type(cell) is tuple:
            value, cell_style = cell
        else:
            value, cell_style = cell, style
        kind = type(value)
        if kind is str and value:
            append(
                f'<c s="{cell_style:d}" t="inlineStr"><is><t xml:space="preserve">'
                f"{text_xml(value)}</t></is></c>"
            )
        elif (kind is float or kind is int) and math.isfinite(value):  # type: ignore[arg-type]
            append(f'<c s="{cell_style:d}"><v>{value!r}</v></c>')
        elif value is None or value == "":
            append(f'<c s="{cell_style:d}"/>')
        else:
            shown = text_xml(str(value))
            append(f'<c s="{cell_style:d}" t="inlineStr"><is><t>{shown}</t></is></c>')
    return "".join(parts)


@dataclass
class _SheetInfo:
    name: str
    title_rows: tuple[int, int] | None = None
    filter_ref: str | None = None
    charts: list[BarChart] = field(default_factory=list)


class Sheet:
    """One worksheet being streamed; rows must be added in order."""

    def __init__(self, handle: IO[bytes], info: _SheetInfo, columns: int) -> None:
        self._handle, self.info, self.columns = handle, info, columns
        self.next_row = 1
        self._buffer: list[str] = []
        self._merges: list[str] = []

    def row(
        self, cells: Sequence[Cell], *, style: Style = Style.CELL, height: float | None = None
    ) -> int:
        """Write the next row; each cell is a value (in `style`) or a (value, style) pair."""
        return self.row_xml(cells_xml(cells, style), height=height)

    def row_xml(self, cells: str, *, height: float | None = None) -> int:
        """Write the next row from cells encoded by `cells_xml` (reusable: no addresses)."""
        number = self.next_row
        self.next_row += 1
        if height:
            self._buffer.append(f'<row r="{number}" ht="{height:.1f}" customHeight="1">')
        else:
            self._buffer.append(f'<row r="{number}">')
        self._buffer.append(cells)
        self._buffer.append("</row>")
        if len(self._buffer) >= 3 * _FLUSH_ROWS:
            self._flush()
        return number

    def skip(self, count: int = 1) -> None:
        """Leave `count` empty rows."""
        self.next_row += count

    def merge(self, row: int, first_column: int, last_row: int, last_column: int) -> None:
        self._merges.append(
            f"{column_letter(first_column)}{row}:{column_letter(last_column)}{last_row}"
        )

    def autofilter(self, header_row: int, last_row: int) -> None:
        if last_row > header_row:
            self.info.filter_ref = f"A{header_row}:{column_letter(self.columns)}{last_row}"

    def chart(self, chart: BarChart) -> None:
        self.info.charts.append(chart)

    def _flush(self) -> None:
        if self._buffer:
            self._handle.write("".join(self._buffer).encode("utf-8"))
            self._buffer.clear()

    def _close(self, tail: str) -> None:
        self._flush()
        merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in self._merges)
        filter_xml = f'<autoFilter ref="{self.info.filter_ref}"/>' if self.info.filter_ref else ""
        merge_xml = (
            f'<mergeCells count="{len(self._merges)}">{merges}</mergeCells>' if merges else ""
        )
        self._handle.write(f"</sheetData>{filter_xml}{merge_xml}{tail}".encode())


class XlsxBook:
    """Build a workbook in memory, sheet by sheet; `finish()` returns the .xlsx bytes."""

    def __init__(
        self,
        *,
        title: str = "",
        author: str = "kinerja",
        compresslevel: int = 1,
        created: datetime | None = None,
        keywords: str = "",
    ) -> None:
        """`keywords` go into the document's properties (the chain head of a report)."""
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(
            self._buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._sheets: list[_SheetInfo] = []
        self.title, self.author, self.created = title, author, created
        self.keywords = keywords

    @contextmanager
    def sheet(
        self,
        name: str,
        widths: Sequence[float],
        *,
        freeze_rows: int = 0,
        landscape: bool = True,
        title_rows: tuple[int, int] | None = None,
        footer: str = "",
        pages_high: int = 0,
    ) -> Iterator[Sheet]:
        """Stream one worksheet; `name` must be unique, at most 31 characters, no []:*?/\\.

        It prints one page wide; `pages_high` (0 = as many as it takes) also fits its height, so
        a chart is never cut by a page break."""
        info = _SheetInfo(name, title_rows)
        self._sheets.append(info)
        number = len(self._sheets)
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as handle:
            handle.write(_sheet_head(widths, freeze_rows, number == 1).encode("utf-8"))
            sheet = Sheet(handle, info, len(widths))
            yield sheet
            sheet._close(_sheet_tail(landscape, footer, bool(info.charts), pages_high))

    def finish(self) -> bytes:
        """Write the workbook parts and return the file's bytes."""
        chart_number = 0
        overrides = []
        for number, info in enumerate(self._sheets, start=1):
            overrides.append(
                f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            )
            if not info.charts:
                continue
            self._zip.writestr(
                f"xl/worksheets/_rels/sheet{number}.xml.rels",
                _rels([("rId1", "drawing", f"../drawings/drawing{number}.xml")]),
            )
            anchors, drawing_rels = [], []
            for index, chart in enumerate(info.charts, start=1):
                chart_number += 1
                self._zip.writestr(
                    f"xl/charts/chart{chart_number}.xml", chart_xml(chart, info.name)
                )
                drawing_rels.append((f"rId{index}", "chart", f"../charts/chart{chart_number}.xml"))
                anchors.append(anchor_xml(chart, index))
                overrides.append(
                    f'<Override PartName="/xl/charts/chart{chart_number}.xml" ContentType="'
                    'application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
                )
            self._zip.writestr(f"xl/drawings/drawing{number}.xml", drawing_xml(anchors))
            self._zip.writestr(f"xl/drawings/_rels/drawing{number}.xml.rels", _rels(drawing_rels))
            overrides.append(
                f'<Override PartName="/xl/drawings/drawing{number}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.drawing+xml"/>'
            )
        self._zip.writestr("[Content_Types].xml", _content_types(overrides))
        self._zip.writestr(
            "_rels/.rels",
            _rels(
                [
                    ("rId1", "officeDocument", "xl/workbook.xml"),
                    ("rId2", "core", "docProps/core.xml"),
                ]
            ),
        )
        self._zip.writestr("docProps/core.xml", self._core_xml())
        self._zip.writestr("xl/workbook.xml", self._workbook_xml())
        sheet_rels = [
            (f"rId{n}", "worksheet", f"worksheets/sheet{n}.xml")
            for n in range(1, len(self._sheets) + 1)
        ]
        sheet_rels.append((f"rId{len(self._sheets) + 1}", "styles", "styles.xml"))
        self._zip.writestr("xl/_rels/workbook.xml.rels", _rels(sheet_rels))
        self._zip.writestr("xl/styles.xml", styles_xml())
        self._zip.close()
        return self._buffer.getvalue()

    def _workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name="{attr(info.name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, info in enumerate(self._sheets, start=1)
        )
        names = []
        for index, info in enumerate(self._sheets):
            quoted = "'" + attr(info.name).replace("'", "''") + "'"
            if info.title_rows:
                first, last = info.title_rows
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                    f"{quoted}!${first}:${last}</definedName>"
                )
            if info.filter_ref:
                start, end = info.filter_ref.split(":")
                absolute = _absolute(start) + ":" + _absolute(end)
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
                    f'hidden="1">{quoted}!{absolute}</definedName>'
                )
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets>{sheets}</sheets>{defined}<calcPr calcId="191029"/></workbook>'
        )

    def _core_xml(self) -> str:
        stamp = (self.created or datetime(2000, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        keywords = ""
        if self.keywords:
            keywords = f"<cp:keywords>{text_xml(self.keywords)}</cp:keywords>"
            keywords += f"<dc:description>{text_xml(self.keywords)}</dc:description>"
        return (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{text_xml(self.title)}</dc:title><dc:creator>{text_xml(self.author)}"
            f'</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f"{keywords}</cp:coreProperties>"
        )


def _absolute(ref: str) -> str:
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters) :]}"


def _sheet_head(widths: Sequence[float], freeze_rows: int, selected: bool) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:.2f}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    pane = (
        f'<pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/>'
        if freeze_rows
        else ""
    )
    tab = ' tabSelected="1"' if selected else ""
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<sheetViews><sheetView workbookViewId="0"{tab}>{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="13.8"/><cols>{cols}</cols><sheetData>'
    )


def _sheet_tail(landscape: bool, footer: str, drawing: bool, pages_high: int = 0) -> str:
    orientation = "landscape" if landscape else "portrait"
    left = f"&amp;L&amp;8{text_xml(footer).replace('&amp;', '&amp;&amp;')}" if footer else ""
    return (
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" '
        f'fitToHeight="{pages_high}"/>'
        f"<headerFooter><oddFooter>{left}&amp;R&amp;8Halaman &amp;P dari &amp;N</oddFooter>"
        "</headerFooter>" + ('<drawing r:id="rId1"/>' if drawing else "") + "</worksheet>"
    )


def _rels(items: Sequence[tuple[str, str, str]]) -> str:
    kinds = {
        "officeDocument": f"{REL_NS}/officeDocument",
        "core": "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
        "core-properties",
        "worksheet": f"{REL_NS}/worksheet",
        "styles": f"{REL_NS}/styles",
        "drawing": f"{REL_NS}/drawing",
        "chart": f"{REL_NS}/chart",
    }
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kinds[kind]}" Target="{target}"/>'
        for rid, kind, target in items
    )
    return f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{body}</Relationships>'


def _content_types(overrides: Sequence[str]) -> str:
    return (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>' + "".join(overrides) + "</Types>"
    )
