"""Measure one worksheet's XML as calamine will lay it out, before calamine sees it.

calamine holds a sheet as a dense rectangle from A1 to its last cell, so one value typed in
A1048576 of a 9 KB file costs it 400 MB, and one in XFD1048576 asks for 512 GiB and aborts the
process (Rust aborts on a failed allocation; no exception to catch). Tried against calamine in a
memory-limited child, its sheet reader:
  - finds cells and rows by local name in any namespace (`<x:c xmlns:x="urn:other">` is a cell),
  - reads `r` from the raw attribute bytes: single quotes or spaces around "=" change nothing,
    lower case "xfd1" is column XFD, and a character reference makes it stop with an error,
  - places a cell without `r` after the previous cell of its row, a row without `r` after the
    previous row.
So the extent is measured from every cell's and row's position as the XML parser decodes it,
with unaddressed cells and rows placed as calamine places them, and the `<dimension ref>` too.
Formula cells, cached error values (calamine turns #DIV/0! into "") and the cells' style
indexes (which say what a percent format means) are collected on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from watcher.validation import plain_xml
from watcher.validation.refusal import Refusal
from watcher.validation.xml_stream import XmlFeed, feed_xml

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
# Parts up to this size may be measured without the parser (`_plain_scan`); a rencana aksi
# sheet is ~50 KB.
PLAIN_SCAN_BYTES = 4 * 1024 * 1024
# The elements the plain scan reads, written with a prefix ("<x:c"): left to the parser.
_PREFIXED = re.compile(rb":(?:c|row|dimension|f)[\s/>]")
_FORMULA_START = re.compile(rb"<f[\s/>]")
_CELL_EDGE = re.compile(rb"</?c[\s/>]")  # a cell's start or end tag


def _start_tag(name: bytes) -> re.Pattern[bytes]:
    """Matches `name`'s start tags, capturing what lies between the name and the ">"."""
    return re.compile(b"<" + name + rb"(?=[\s/>])([^>]*)>")


_CELL_TAG, _ROW_TAG, _DIMENSION_TAG = map(_start_tag, (b"c", b"row", b"dimension"))


@dataclass
class SheetScan:
    """What one sheet holds: its extent (rows x columns from A1), cells, formulas, errors."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    formula_cells: set[str] = field(default_factory=set)
    error_cells: dict[str, str] = field(default_factory=dict)  # "J12" -> "#DIV/0!"
    styles: dict[str, int] = field(default_factory=dict)  # "J12" -> its `s` (style) index

    @property
    def extent(self) -> int:
        return self.rows * self.columns


def column_letters(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=8192)  # a template's cells recur in every file; a failure is not cached
def parse_address(text: str) -> tuple[int, int]:
    """(row, column) of "B12" (any case, surrounding space ignored); Refusal if not one."""
    text = text.strip().upper()
    letters = text.rstrip("0123456789")
    digits = text[len(letters) :]
    if not (letters.isascii() and letters.isalpha() and digits.isdigit()) or len(letters) > 3:
        raise Refusal("read.unreadable")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    row = int(digits)
    if not (0 < row <= MAX_ROWS and 0 < column <= MAX_COLUMNS):
        raise Refusal("read.unreadable")
    return row, column


class _Measure:
    """Parser target: positions as calamine gives them, formulas and error values by address.

    It stops the parse as soon as the extent or the cell count passes `limit`, so measuring
    costs no more than the bound allows. End tags are listened to only inside a cell, text only
    inside an error cell's value.
    """

    def __init__(self, limit: int) -> None:
        self.scan = SheetScan()
        self._limit = limit
        self._row = 0  # the current row (1-based)
        self._column = 0  # the last cell's column in the current row
        self._cell = ""  # the current cell's address
        self._error = False  # the current cell is of type "e"
        self._in_value = False
        self._value: list[str] = []
        self._feed: XmlFeed | None = None

    def attach(self, feed: XmlFeed) -> None:
        self._feed = feed
        self._listen()

    def _listen(self) -> None:
        """Ends inside a cell (its own closes it), text inside an error cell's value."""
        if self._feed is not None:
            self._feed.listen(
                end=self.end if self._cell else None, data=self.data if self._in_value else None
            )

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]  # local_name, inlined: called for every element
        if local == "c":
            self._start_cell(attrib)
        elif local == "row":
            self._row = _number(attrib["r"]) if "r" in attrib else self._row + 1
            self._column = 0  # a row alone is no cell: calamine's range spans cells only
        elif local == "f" and self._cell:
            self.scan.formula_cells.add(self._cell)
        elif local == "v" and self._error:
            self._in_value, self._value = True, []
            self._listen()
        elif local == "dimension" and "ref" in attrib:
            for corner in attrib["ref"].split(":"):
                self._grow(*parse_address(corner))

    def _start_cell(self, attrib: dict[str, str]) -> None:
        scan = self.scan
        row, column = (self._row, self._column + 1)
        if "r" in attrib:
            row, column = parse_address(attrib["r"])
        self._column = column
        self._cell = _address(row, column)
        self._error = _is_error(attrib)
        style = _style(attrib)
        if style:
            scan.styles[self._cell] = style
        scan.cells += 1
        if row > scan.rows or column > scan.columns:
            self._grow(max(row, 1), column)
        if scan.cells > self._limit:
            raise _too_large(scan)
        self._listen()

    def data(self, text: str) -> None:
        if self._in_value:
            self._value.append(text)

    def end(self, tag: str) -> None:
        local = tag.rpartition("}")[2]
        if local == "c":
            if self._error:
                self.scan.error_cells[self._cell] = "".join(self._value) or "#ERROR"
            self._cell, self._error, self._in_value = "", False, False
            self._listen()
        elif local == "v" and self._in_value:
            self._in_value = False
            self._listen()

    def _grow(self, row: int, column: int) -> None:
        self.scan.rows = max(self.scan.rows, row)
        self.scan.columns = max(self.scan.columns, column)
        if self.scan.extent > self._limit:
            raise _too_large(self.scan)


def _is_error(attrib: dict[str, str]) -> bool:
    return attrib.get("t", "").strip() == "e"


def _style(attrib: dict[str, str]) -> int:
    """The cell's style index, 0 (the default style) when it has none."""
    style = attrib.get("s", "").strip()
    return int(style) if style.isdigit() and style != "0" else 0


@lru_cache(maxsize=8192)
def _address(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


def _too_large(scan: SheetScan) -> Refusal:
    last = f"{column_letters(max(scan.columns, 1))}{max(scan.rows, 1)}"
    return Refusal("read.sheet_too_large", last=last, cells=scan.cells)


def _number(text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ROWS:
        raise Refusal("read.unreadable")
    return int(text)


def scan_sheet(xml: bytes, *, limit: int) -> SheetScan:
    """Measure a worksheet's XML.

    Raise Refusal("read.sheet_too_large") once its extent (rows x columns from A1) or its cell
    count passes `limit`, Refusal("read.unreadable") if it is not well formed.
    """
    if len(xml) <= PLAIN_SCAN_BYTES and plain_xml.is_plain(xml):
        scan = _plain_scan(xml, limit)
        if scan is not None:
            return scan
    return feed_xml(_Measure(limit), [xml]).scan


_Cell = tuple[int, int, str, int]  # (row, column, address, style)


def _plain_scan(xml: bytes, limit: int) -> SheetScan | None:
    """The scan `_Measure` gives, found with regular expressions in a plain part
    (`plain_xml.is_plain`) that the safety layer parsed: exact for the sheets spreadsheet
    programs write, where every cell states its address, so that a cell's place and style are
    in its start tag alone. None for anything else (a cell without an address, an error
    value, a prefixed name, a bound passed, an odd attribute): the parser, the reference,
    measures those and words their refusals."""
    if _PREFIXED.search(xml):
        return None
    try:
        cells = list(map(_plain_cell, _CELL_TAG.findall(xml)))
        formulas = _formula_cells(xml)
        for attributes in _ROW_TAG.findall(xml):  # checked only: cells state their place
            _plain_row(attributes)
        corners = list(map(_plain_corners, _DIMENSION_TAG.findall(xml)))
    except (Refusal, _NotPlain):
        return None
    scan = SheetScan(cells=len(cells))
    if scan.cells > limit:
        return None
    scan.rows = max(map(itemgetter(0), cells + corners), default=0)
    scan.columns = max(map(itemgetter(1), cells + corners), default=0)
    if scan.extent > limit:
        return None
    scan.styles = dict(map(itemgetter(2, 3), filter(itemgetter(3), cells)))
    scan.formula_cells = formulas
    return scan


def _formula_cells(xml: bytes) -> set[str]:
    """The cells holding an `<f>`: for each, the nearest cell tag before it must be the start
    of a cell that is not empty ("<c .../>" or a cell's end tag: the "<f>" is in no cell)."""
    found = set()
    for match in _FORMULA_START.finditer(xml):
        edge = max(xml.rfind(b"<c", 0, match.start()), xml.rfind(b"</c", 0, match.start()))
        if edge < 0:
            continue  # before any cell
        if not _CELL_EDGE.match(xml, edge):
            raise _NotPlain  # an "<f>" after <col>, <color>...: left to the parser
        end = xml.find(b">", edge)
        if xml[edge + 1] != 47 and xml[end - 1] != 47:  # neither "</c>" nor "<c/>"
            found.add(_plain_cell(xml[edge + 2 : end])[2])
    return found


class _NotPlain(Exception):
    """A cell, row or dimension the plain scan leaves to the parser."""


@lru_cache(maxsize=65_536)  # a template's cells recur, address and style, in every file
def _plain_cell(raw: bytes) -> _Cell:
    attrib = plain_xml.attributes(raw.removesuffix(b"/"))
    if attrib is None or "r" not in attrib or _is_error(attrib):
        raise _NotPlain
    row, column = parse_address(attrib["r"])
    return row, column, _address(row, column), _style(attrib)


@lru_cache(maxsize=8192)
def _plain_row(raw: bytes) -> None:
    attrib = plain_xml.attributes(raw.removesuffix(b"/"))
    if attrib is None:
        raise _NotPlain
    if "r" in attrib:
        _number(attrib["r"])


@lru_cache(maxsize=256)
def _plain_corners(raw: bytes) -> tuple[int, int]:
    """The farthest corner of a `<dimension ref>`, (0, 0) without one."""
    attrib = plain_xml.attributes(raw.removesuffix(b"/"))
    if attrib is None:
        raise _NotPlain
    if "ref" not in attrib:
        return 0, 0
    corners = [parse_address(corner) for corner in attrib["ref"].split(":")]
    return max(row for row, _ in corners), max(column for _, column in corners)
