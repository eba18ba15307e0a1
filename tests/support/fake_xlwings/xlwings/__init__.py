"""A stand-in for xlwings, for the one boundary kinerja cannot cross on Linux: Excel itself.

Only the part of xlwings' API that `watcher.desk.excel_bridge` and `support.engine_excel` use, with
xlwings' conventions (numbers as floats, None for empty cells, errors as None unless
`err_to_str`, formulas as tuples of tuples, a scalar for one cell). A book is loaded from a real
xlsx with openpyxl: the cached values are what Excel would show, the formulas what it would
hold. Every visible action (alert, select, write, save ...) is recorded in `ACTIONS`, and also
appended as a JSON line to `$FAKE_XLWINGS_LOG` for a test that runs Python in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

ACTIONS: list[tuple[Any, ...]] = []
# What the person clicks in message boxes with buttons ("yes", "no", ...), in order: set by a
# test, or by $FAKE_XLWINGS_ANSWERS (comma-separated) for Python run in a subprocess.
ANSWERS: list[str] = [a for a in os.environ.get("FAKE_XLWINGS_ANSWERS", "").split(",") if a]
_CALLER: list[Book] = []
__version__ = "0.0-fake"


def _record(*action: Any) -> None:
    ACTIONS.append(action)
    log = os.environ.get("FAKE_XLWINGS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(action, default=str) + "\n")


def set_caller(book: Book | None) -> None:
    """What `Book.caller()` returns (tests); None to fall back to $FAKE_XLWINGS_BOOK."""
    _CALLER[:] = [book] if book is not None else []


class Range:
    def __init__(self, sheet: Sheet, first: tuple[int, int], last: tuple[int, int]) -> None:
        self.sheet, self.first, self.last = sheet, first, last
        self._options: dict[str, Any] = {}

    def options(self, **options: Any) -> Range:
        other = Range(self.sheet, self.first, self.last)
        other._options = options
        return other

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    @property
    def last_cell(self) -> Range:
        return Range(self.sheet, self.last, self.last)

    @property
    def address(self) -> str:
        return f"{get_column_letter(self.first[1])}{self.first[0]}"

    def _rows(self) -> list[list[tuple[int, int]]]:
        return [
            [(r, c) for c in range(self.first[1], self.last[1] + 1)]
            for r in range(self.first[0], self.last[0] + 1)
        ]

    @property
    def value(self) -> Any:
        errors = self._options.get("err_to_str", False)
        rows = [[self.sheet.shown(cell, errors) for cell in row] for row in self._rows()]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows[0] if len(rows) == 1 else rows

    @value.setter
    def value(self, data: Any) -> None:
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for r, row in enumerate(rows):
            for c, item in enumerate(row):
                self.sheet.values[(self.first[0] + r, self.first[1] + c)] = item
        _record("write", self.sheet.book.name, self.sheet.name, self.address, rows)

    @property
    def formula(self) -> Any:
        rows = tuple(tuple(self.sheet.formula_of(cell) for cell in row) for row in self._rows())
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @property
    def column_width(self) -> float:
        return 8.43

    @column_width.setter
    def column_width(self, width: float) -> None:
        _record("column_width", self.sheet.name, self.first[1], width)

    def select(self) -> None:
        _record("select", self.sheet.book.name, self.sheet.name, self.address)


class Sheet:
    def __init__(self, book: Book, name: str, visible: bool = True) -> None:
        self.book, self._name, self.visible = book, name, visible
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value
        _record("rename_sheet", self.book.name, value)

    def shown(self, cell: tuple[int, int], errors_as_text: bool) -> Any:
        value = self.values.get(cell)
        if isinstance(value, str) and value.startswith("#") and value.upper() == value:
            return value if errors_as_text else None  # openpyxl gives cached errors as text
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        return float(value) if isinstance(value, int | float) else value

    def formula_of(self, cell: tuple[int, int]) -> str:
        if cell in self.formulas:
            return self.formulas[cell]
        value = self.values.get(cell)
        return "" if value is None else str(value)

    @property
    def used_range(self) -> Range:
        cells = set(self.values) | set(self.formulas)
        last = (max((r for r, _ in cells), default=1), max((c for _, c in cells), default=1))
        return Range(self, (1, 1), last)

    def range(self, first: Any, last: Any = None) -> Range:
        start, end = _cells(first)
        if last is not None:
            end = _cells(last)[1]
        return Range(self, start, end)

    def activate(self) -> None:
        _record("activate_sheet", self.book.name, self.name)

    def clear(self) -> None:
        self.values.clear()
        self.formulas.clear()
        _record("clear", self.book.name, self.name)


def _cells(reference: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    if isinstance(reference, tuple):
        return reference, reference
    if ":" in reference:  # "E:E": a whole column is enough for column widths
        column = column_index_from_string(reference.split(":")[0])
        return (1, column), (1, column)
    letters, row = coordinate_from_string(reference)
    cell = (row, column_index_from_string(letters))
    return cell, cell


class Sheets(list):
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for sheet in self:
                if sheet.name == key:
                    return sheet
            raise KeyError(key)
        return list.__getitem__(self, key)


class Book:
    def __init__(self, app: App, name: str, fullname: str = "") -> None:
        self.app, self.name, self.fullname = app, name, fullname or name
        self.sheets = Sheets()
        self.source: Path | None = None

    @classmethod
    def caller(cls) -> Book:
        if _CALLER:
            return _CALLER[0]
        return load_book(Path(os.environ["FAKE_XLWINGS_BOOK"]), App(add_book=False))

    def activate(self) -> None:
        _record("activate_book", self.name)

    def save(self, path: str) -> None:
        if self.source is None:
            raise RuntimeError("nothing to save")
        _record("save", self.name, path)
        shutil.copyfile(self.source, path)

    def to_pdf(self, path: str) -> None:
        _record("to_pdf", self.name, path)
        Path(path).write_bytes(b"%PDF-1.4\n% fake xlwings\n%%EOF\n")

    def close(self) -> None:
        _record("close", self.name)
        if self in self.app.books:
            self.app.books.remove(self)


def load_book(path: Path, app: App) -> Book:
    """A book as Excel would hold the xlsx at `path`: cached values and formulas."""
    book = Book(app, path.name, str(path))
    book.source = path
    shown = openpyxl.load_workbook(path, data_only=True)
    held = openpyxl.load_workbook(path, data_only=False)
    for name in held.sheetnames:
        sheet = Sheet(book, name, visible=held[name].sheet_state == "visible")
        for row in held[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    sheet.formulas[(cell.row, cell.column)] = cell.value
                value = shown[name].cell(cell.row, cell.column).value
                if value is not None:
                    sheet.values[(cell.row, cell.column)] = value
        book.sheets.append(sheet)
    app.books.append(book)
    return book


class Books(list):
    def __init__(self, app: App) -> None:
        super().__init__()
        self.app = app

    def add(self) -> Book:
        book = Book(self.app, f"Book{len(self) + 1}")
        book.sheets.append(Sheet(book, "Sheet1"))
        self.append(book)
        _record("add_book", book.name)
        return book

    def open(self, fullname: str, update_links: Any = None, **_: Any) -> Book:
        _record("open", fullname, update_links)
        if "rusak" in Path(fullname).name:
            raise OSError(f"Excel cannot open the file '{Path(fullname).name}'")
        return load_book(Path(fullname), self.app)


class App:
    def __init__(self, visible: Any = None, add_book: bool = True) -> None:
        if os.environ.get("FAKE_XLWINGS_NO_EXCEL"):
            raise OSError("Microsoft Excel is not installed")
        self.visible, self.display_alerts, self.screen_updating = visible, True, True
        self.books = Books(self)
        _record("app", visible, add_book)

    def calculate(self) -> None:
        _record("calculate")

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        _record("alert", title, mode, prompt)
        if buttons == "ok":
            return "ok"
        if not ANSWERS:
            raise AssertionError(f"nobody answers the {buttons} question: {prompt}")
        return ANSWERS.pop(0)

    def quit(self) -> None:
        _record("quit")

    def kill(self) -> None:
        _record("kill")
