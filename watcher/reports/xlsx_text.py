"""XML text for the report workbooks: safe cell text, names, addresses (see `xlsx`)."""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter

MAX_CELL_TEXT = 32_767
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def text_xml(value: str) -> str:
    """`value` as safe XML element text for an inline string (see the module docstring)."""
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    if NEEDS_WORK.search(value) is None:
        return value
    value = ILLEGAL_XML.sub("", value)
    value = EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    return text_xml(value).replace('"', "&quot;")


LETTERS = tuple(get_column_letter(i) for i in range(1, 200))


def column_letter(index: int) -> str:
    """1 -> "A"."""
    return LETTERS[index - 1] if index < len(LETTERS) else get_column_letter(index)
