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

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from watcher.validation.refusal import Refusal
from watcher.validation.xml_stream import XmlFeed, feed_xml

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


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
        self._error = attrib.get("t", "").strip() == "e"
        style = attrib.get("s", "").strip()
        if style.isdigit() and style != "0":
            scan.styles[self._cell] = int(style)
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


def scan_sheet(chunks: Iterable[bytes], *, limit: int) -> SheetScan:
    """Measure a worksheet fed in chunks.

    Raise Refusal("read.sheet_too_large") once its extent (rows x columns from A1) or its cell
    count passes `limit`, Refusal("read.unreadable") if it is not well formed.
    """
    return feed_xml(_Measure(limit), chunks).scan
