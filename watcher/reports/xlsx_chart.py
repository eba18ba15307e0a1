"""Bar charts in the report workbooks: the chart and drawing parts (DrawingML)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.reports.xlsx_text import REL_NS, XML_HEAD, attr, column_letter, text_xml


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart of `values` by `categories`, both ranges on the same sheet.

    The ranges are (first_row, column, last_row); the values are cached in the chart too, so
    programs that do not recalculate charts still show them.
    """

    title: str
    series_name: str
    categories: tuple[int, int, int]
    values: tuple[int, int, int]
    cached_categories: tuple[str, ...]
    cached_values: tuple[float | None, ...]
    anchor: tuple[int, int, int, int]  # from column, from row, to column, to row (0-based)
    reference_line: float | None = None  # e.g. 100 (%), drawn as the axis maximum hint


def drawing_xml(anchors: Sequence[str]) -> str:
    return (
        f'{XML_HEAD}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        + "".join(anchors)
        + "</xdr:wsDr>"
    )


def anchor_xml(chart: BarChart, index: int) -> str:
    c1, r1, c2, r2 = chart.anchor
    return (
        f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}"
        f"</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>0</xdr:rowOff>"
        f'</xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{index + 1}" '
        f'name="Grafik {index}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm>'
        '<a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://'
        f'schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="{REL_NS}" r:id="rId{index}"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
    )


def _range(sheet: str, ref: tuple[int, int, int]) -> str:
    first, column, last = ref
    letter = column_letter(column)
    quoted = "'" + attr(sheet).replace("'", "''") + "'"
    return f"{quoted}!${letter}${first}:${letter}${last}"


def chart_xml(chart: BarChart, sheet: str) -> str:
    count = len(chart.cached_categories)
    categories = "".join(
        f'<c:pt idx="{i}"><c:v>{text_xml(name)}</c:v></c:pt>'
        for i, name in enumerate(chart.cached_categories)
    )
    values = "".join(
        f'<c:pt idx="{i}"><c:v>{value!r}</c:v></c:pt>'
        for i, value in enumerate(chart.cached_values)
        if value is not None
    )
    title = (
        '<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="1200" b="1"/></a:pPr>'
        f'<a:r><a:rPr lang="id-ID" sz="1200" b="1"/><a:t>{text_xml(chart.title)}</a:t>'
        '</a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )
    maximum = ""
    if chart.reference_line is not None:
        top = max([chart.reference_line, *(v for v in chart.cached_values if v is not None)])
        maximum = f'<c:max val="{math.ceil(top / 10) * 10}"/>'
    return (
        f'{XML_HEAD}<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/'
        'chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{REL_NS}"><c:roundedCorners val="0"/><c:chart>{title}'
        '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/><c:barChart><c:barDir val="bar"/>'
        '<c:grouping val="clustered"/><c:varyColors val="0"/><c:ser><c:idx val="0"/>'
        f'<c:order val="0"/><c:tx><c:v>{text_xml(chart.series_name)}</c:v></c:tx>'
        '<c:spPr><a:solidFill><a:srgbClr val="2E75B6"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/><c:dLbls><c:numFmt formatCode="0.00" sourceLinked="0"/>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:txPr><a:bodyPr/><a:p><a:pPr>"
        '<a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="id-ID"/></a:p></c:txPr>'
        '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f"<c:cat><c:strRef><c:f>{_range(sheet, chart.categories)}</c:f><c:strCache>"
        f'<c:ptCount val="{count}"/>{categories}</c:strCache></c:strRef></c:cat>'
        f"<c:val><c:numRef><c:f>{_range(sheet, chart.values)}</c:f><c:numCache>"
        f'<c:formatCode>0.00</c:formatCode><c:ptCount val="{count}"/>{values}</c:numCache>'
        '</c:numRef></c:val></c:ser><c:gapWidth val="60"/><c:axId val="50010"/>'
        '<c:axId val="50020"/></c:barChart><c:catAx><c:axId val="50010"/><c:scaling>'
        '<c:orientation val="maxMin"/></c:scaling><c:delete val="0"/><c:axPos val="l"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:txPr><a:bodyPr/><a:p>'
        '<a:pPr><a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="id-ID"/></a:p></c:txPr>'
        '<c:crossAx val="50020"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:tickLblSkip val="1"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="50020"/><c:scaling><c:orientation val="minMax"/>{maximum}'
        '<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:majorGridlines/>'
        "<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>Capaian (%)</a:t></a:r></a:p>"
        '</c:rich></c:tx><c:overlay val="0"/></c:title>'
        '<c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="50010"/>'
        '<c:crosses val="max"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
