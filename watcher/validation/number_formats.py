"""Which cell styles of a workbook show numbers as percentages, from its styles.xml (pure).

A clerk who types "34%" gets 0.34 stored with a percent number format, in Excel and in
LibreOffice, in the Indonesian and the English locale alike; the format is the only sign that
the cell means 34. Built-in formats 9 ("0%") and 10 ("0.00%") are percentages, and so is any
custom format with a "%" outside quotes and escapes.
"""

from __future__ import annotations

from functools import lru_cache

from watcher.validation.xml_stream import feed_xml, local_name

_BUILTIN_PERCENT = frozenset({9, 10})
_REMEMBERED_BYTES = 256 * 1024  # a template's styles.xml (~6 KB) recurs in each of its files


def is_percent_format(code: str) -> bool:
    """True when the format code shows a "%" that is not quoted text or an escaped character."""
    quoted = escaped = False
    for char in code:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "%" and not quoted:
            return True
    return False


class _Styles:
    """Parser target: custom number formats, and each cell style's format id in order."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self._in_cell_xfs = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = local_name(tag)
        if local == "numFmt":
            self.custom[_id(attrib.get("numFmtId"))] = attrib.get("formatCode", "")
        elif local == "cellXfs":
            self._in_cell_xfs = True
        elif local == "xf" and self._in_cell_xfs:
            self.cell_formats.append(_id(attrib.get("numFmtId")))

    def end(self, tag: str) -> None:
        if local_name(tag) == "cellXfs":
            self._in_cell_xfs = False


def percent_styles(styles_xml: bytes) -> frozenset[int]:
    """The indexes (a cell's `s` attribute) of the cell styles with a percent number format."""
    if len(styles_xml) <= _REMEMBERED_BYTES:
        return _remembered_percent_styles(styles_xml)
    return _percent_styles(styles_xml)


def _percent_styles(styles_xml: bytes) -> frozenset[int]:
    if not styles_xml:
        return frozenset()
    styles = feed_xml(_Styles(), [styles_xml])
    return frozenset(
        index
        for index, format_id in enumerate(styles.cell_formats)
        if format_id in _BUILTIN_PERCENT or is_percent_format(styles.custom.get(format_id, ""))
    )


_remembered_percent_styles = lru_cache(maxsize=64)(_percent_styles)


def _id(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
