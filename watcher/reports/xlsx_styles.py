"""The fixed cell styles of the report workbooks and their styles.xml part."""

from __future__ import annotations

from enum import IntEnum

from watcher.reports.xlsx_text import MAIN_NS, XML_HEAD


class Style(IntEnum):
    """Cell styles, the index of each in styles.xml's cellXfs (order must match `_XFS`)."""

    DEFAULT = 0
    TITLE = 1  # bold 14
    SUBTITLE = 2  # bold 11
    TEXT = 3  # plain, wrapped
    HEADER = 4  # white bold on dark blue, bordered, centred
    CELL = 5  # bordered text, wrapped, top
    CENTER = 6  # bordered, centred
    NUMBER = 7  # bordered number, General
    PERCENT = 8  # bordered number, 0.00
    MONEY = 9  # bordered number, #,##0
    MISSING = 10  # bordered, grey, italic: data not (yet) there
    BAND_1 = 11  # predikat fills, best to worst
    BAND_2 = 12
    BAND_3 = 13
    BAND_4 = 14
    BAND_5 = 15
    LATE = 16  # bordered, orange: late or missing division
    BOLD_CELL = 17  # bordered bold (totals)
    NOTE = 18  # italic grey, wrapped
    BOLD_PERCENT = 19  # bordered bold, 0.00
    BOLD_MONEY = 20  # bordered bold, #,##0


BAND_STYLES = (Style.BAND_1, Style.BAND_2, Style.BAND_3, Style.BAND_4, Style.BAND_5)

# (numFmtId, fontId, fillId, borderId, alignment) per Style, in order.
_XFS: tuple[tuple[int, int, int, int, str], ...] = (
    (0, 0, 0, 0, ""),
    (0, 1, 0, 0, ""),
    (0, 2, 0, 0, ""),
    (0, 0, 0, 0, '<alignment vertical="top" wrapText="1"/>'),
    (0, 3, 2, 1, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
    (0, 0, 0, 1, '<alignment vertical="top" wrapText="1"/>'),
    (0, 0, 0, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 0, 1, '<alignment horizontal="right" vertical="top"/>'),
    (164, 0, 0, 1, '<alignment horizontal="right" vertical="top"/>'),
    (165, 0, 0, 1, '<alignment horizontal="right" vertical="top"/>'),
    (0, 4, 3, 1, '<alignment vertical="top" wrapText="1"/>'),
    (0, 0, 4, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 5, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 6, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 7, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 8, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    (0, 0, 9, 1, '<alignment vertical="top" wrapText="1"/>'),
    (0, 5, 0, 1, '<alignment vertical="top" wrapText="1"/>'),
    (0, 4, 0, 0, '<alignment vertical="top" wrapText="1"/>'),
    (164, 5, 0, 1, '<alignment horizontal="right" vertical="top"/>'),
    (165, 5, 0, 1, '<alignment horizontal="right" vertical="top"/>'),
)
_FILLS = ("1F4E78", "F2F2F2", "C6EFCE", "DDEBF7", "FFF2CC", "FCE4D6", "FFC7CE", "F8CBAD")


def styles_xml() -> str:
    fonts = (
        '<font><sz val="10"/><name val="Arial"/><family val="2"/></font>'
        '<font><b/><sz val="14"/><name val="Arial"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Arial"/><family val="2"/></font>'
        '<font><b/><sz val="10"/><color rgb="FFFFFFFF"/><name val="Arial"/><family val="2"/></font>'
        '<font><i/><sz val="10"/><color rgb="FF595959"/><name val="Arial"/><family val="2"/></font>'
        '<font><b/><sz val="10"/><name val="Arial"/><family val="2"/></font>'
    )
    fills = (
        '<fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
    )
    fills += "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/>'
        "</patternFill></fill>"
        for c in _FILLS
    )
    thin = '<{0} style="thin"><color rgb="FF808080"/></{0}>'
    borders = (
        "<border><left/><right/><top/><bottom/><diagonal/></border>"
        f"<border>{''.join(thin.format(s) for s in ('left', 'right', 'top', 'bottom'))}"
        "<diagonal/></border>"
    )
    xfs = "".join(
        f'<xf numFmtId="{n}" fontId="{f}" fillId="{fi}" borderId="{b}" xfId="0"'
        + (' applyNumberFormat="1"' if n else "")
        + (' applyFont="1"' if f else "")
        + (' applyFill="1"' if fi else "")
        + (' applyBorder="1"' if b else "")
        + (f' applyAlignment="1">{a}</xf>' if a else "/>")
        for n, f, fi, b, a in _XFS
    )
    return (
        f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.00"/>'
        '<numFmt numFmtId="165" formatCode="#,##0"/></numFmts>'
        f'<fonts count="6">{fonts}</fonts><fills count="{2 + len(_FILLS)}">{fills}</fills>'
        f'<borders count="2">{borders}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{len(_XFS)}">{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
