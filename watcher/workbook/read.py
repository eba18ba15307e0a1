"""Read a submitted rencana aksi workbook into plain values, fast (python-calamine).

The bytes given here must have passed `validation.safety` first (no DOCTYPE, bounded sizes, no
active content). `validation.package` then resolves the package as Excel does, measures the
sheets read here, and rebuilds a package holding only them: calamine never parses a part that
was not measured, so a crafted extent cannot make it allocate past `MAX_SHEET_CELLS` (it aborts
the whole process on a failed allocation). The same measurement gives the main sheet's formula
cells and its cached error values, which calamine turns into empty strings.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from watcher.errors import RefusedFileError
from watcher.validation.package import MAX_SHARED_STRINGS, open_package
from watcher.validation.refusal import Refusal
from watcher.validation.zip_members import Members
from watcher.workbook.layout import Layout


def _dotted(number: int) -> str:
    """1000000 -> "1.000.000", as Indonesian writes thousands."""
    return f"{number:,}".replace(",", ".")


_RESAVE = "Buka di Excel, simpan ulang sebagai .xlsx, lalu kirim lagi."
_MESSAGES = {
    "read.unreadable": "Berkas {name} tidak dapat dibaca sebagai buku kerja Excel. " + _RESAVE,
    "read.sheet_too_large": "Lembar '{sheet}' berisi isian jauh di luar tabel, sampai sel "
    "{last}. Tekan Ctrl+End di Excel untuk menemukannya, hapus baris dan kolom yang tidak "
    "perlu, simpan, lalu kirim lagi.",
    "read.unsupported_structure": "Susunan bagian di dalam berkas {name} tidak dikenal (bukan "
    "seperti yang disimpan Excel), sehingga isinya tidak dapat dibaca dengan pasti. " + _RESAVE,
    "read.unsupported_sheet": "Lembar '{sheet}' bukan lembar kerja biasa (misalnya lembar "
    "grafik), sehingga isinya tidak dapat dibaca. Pakai buku kerja yang diterbitkan di folder "
    "disposisi bidang Anda.",
    "read.unsupported_encoding": "Berkas {name} disimpan dengan pengodean teks yang tidak "
    "didukung (misalnya UTF-16); isinya bisa terbaca salah. " + _RESAVE,
    "read.shared_strings_too_large": "Berkas {name} menyatakan {count} teks, jauh melebihi "
    "batas " + _dotted(MAX_SHARED_STRINGS) + " untuk sebuah buku kerja. " + _RESAVE,
}


@dataclass(frozen=True)
class Workbook:
    """What validation needs from a workbook: its sheets, the main grid, metadata, errors."""

    sheet_names: tuple[str, ...]
    hidden_sheets: frozenset[str]
    grid: list[list[Any]]  # the main sheet from A1; "" for empty cells
    metadata: dict[str, Any] = field(default_factory=dict)
    error_cells: dict[str, str] = field(default_factory=dict)  # "J12" -> "#DIV/0!"
    formula_cells: frozenset[str] = frozenset()  # cells holding a formula, e.g. {"J12"}
    percent_cells: frozenset[str] = frozenset()  # cells with a percent format: 0.34 shows 34%

    def value(self, row: int, column: int) -> Any:
        """Cell value by 1-based row and column; "" outside the used area."""
        if 0 < row <= len(self.grid) and 0 < column <= len(self.grid[row - 1]):
            return self.grid[row - 1][column - 1]
        return ""


def read_workbook(
    data: bytes, layout: Layout, *, name: str = "", checked: Members | None = None
) -> Workbook:
    """Parse the bytes; raise RefusedFileError (Indonesian) when they are not a readable xlsx.
    `checked`: what `safety.check_bytes` returned for these very bytes."""
    read = [layout.main_sheet, layout.metadata_sheet]
    try:
        package = open_package(data, read, checked)
        book = CalamineWorkbook.from_filelike(io.BytesIO(package.calamine_bytes))
        names = tuple(book.sheet_names)
        grid = _rows(book, layout.main_sheet) if layout.main_sheet in names else []
        metadata = (
            _metadata(_rows(book, layout.metadata_sheet)) if layout.metadata_sheet in names else {}
        )
    except Refusal as refusal:
        raise _error(refusal, name) from None
    except (CalamineError, ValueError, OSError) as exc:
        raise _error(Refusal("read.unreadable"), name) from exc
    hidden = frozenset(sheet.name for sheet in package.sheets if sheet.state != "visible")
    main = package.scans.get(layout.main_sheet)
    errors = dict(main.error_cells) if main else {}
    formulas = frozenset(main.formula_cells) if main else frozenset()
    percent = frozenset(
        cell
        for cell, style in (main.styles if main else {}).items()
        if style in package.percent_styles
    )
    return Workbook(names, hidden, grid, metadata, errors, formulas, percent)


def check_extents(data: bytes, *, name: str = "") -> None:
    """Refuse (RefusedFileError) bytes that passed the safety layer when any sheet of theirs is
    past the reader's bounds: for workbooks read whole by another reader (the master data)."""
    try:
        every = [sheet.name for sheet in open_package(data, []).sheets]
        open_package(data, every)
    except Refusal as refusal:
        raise _error(refusal, name) from None


def _rows(book: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _metadata(rows: list[list[Any]]) -> dict[str, Any]:
    return {
        str(row[0]).strip(): row[1] for row in rows[1:] if len(row) >= 2 and str(row[0]).strip()
    }


def _error(refusal: Refusal, name: str) -> RefusedFileError:
    details = {"name": name or "", "sheet": "", **refusal.details}
    message = " ".join(_MESSAGES[refusal.rule].format(**details).split())
    return RefusedFileError(message, rule=refusal.rule, path=name)
