"""Read a submitted rencana aksi workbook into plain values, fast (python-calamine).

python-calamine reads a 40-row workbook in well under a millisecond, but it turns formula error
values (#DIV/0!, #REF!, ...) into empty strings. So the main sheet's XML is also scanned for
cells of type "e", whose cached error text is kept by cell address. The bytes given here must
have passed `validation.safety` first (no DOCTYPE, bounded sizes).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from watcher.errors import RefusedFileError
from watcher.layout import Layout
from watcher.validation.safety import DEFAULT_LIMITS

_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"')
_SHEET_RID_FIRST = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]+)"[^>]*?name="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL_TARGET_FIRST = re.compile(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')
# A cell whose first child is a formula, and a cell of error type with its cached value.
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*(?<!/)>\s*<(?:\w+:)?f\b')
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\b(?=[^>]*?\bt="e")[^>]*?\br="([A-Z]+[0-9]+)"[^>]*(?<!/)>(.*?)</(?:\w+:)?c>', re.S
)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_MAX_XML = DEFAULT_LIMITS.max_part_uncompressed  # what the safety layer allows one part


@dataclass(frozen=True)
class Workbook:
    """What validation needs from a workbook: its sheets, the main grid, metadata, errors."""

    sheet_names: tuple[str, ...]
    hidden_sheets: frozenset[str]
    grid: list[list[Any]]  # the main sheet from A1; "" for empty cells
    metadata: dict[str, Any] = field(default_factory=dict)
    error_cells: dict[str, str] = field(default_factory=dict)  # "J12" -> "#DIV/0!"
    formula_cells: frozenset[str] = frozenset()  # cells holding a formula, e.g. {"J12"}

    def value(self, row: int, column: int) -> Any:
        """Cell value by 1-based row and column; "" outside the used area."""
        if 0 < row <= len(self.grid) and 0 < column <= len(self.grid[row - 1]):
            return self.grid[row - 1][column - 1]
        return ""


def read_workbook(data: bytes, layout: Layout, *, name: str = "") -> Workbook:
    """Parse the bytes; raise RefusedFileError (Indonesian) when they are not a readable xlsx."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = tuple(book.sheet_names)
        hidden = frozenset(
            s.name for s in book.sheets_metadata if s.visible != SheetVisibleEnum.Visible
        )
        grid = (
            book.get_sheet_by_name(layout.main_sheet).to_python(skip_empty_area=False)
            if layout.main_sheet in names
            else []
        )
        metadata = _metadata(book, layout) if layout.metadata_sheet in names else {}
    except (CalamineError, ValueError, OSError) as exc:
        raise RefusedFileError(
            f"Berkas {name or ''} tidak dapat dibaca sebagai buku kerja Excel ({exc}). "
            "Buka di Excel, simpan ulang sebagai .xlsx, lalu kirim lagi.",
            rule="read.unreadable",
            path=name,
        ) from exc
    errors, formulas = (
        scan_cells(data, layout.main_sheet) if layout.main_sheet in names else ({}, set())
    )
    return Workbook(names, hidden, grid, metadata, errors, frozenset(formulas))


def _metadata(book: CalamineWorkbook, layout: Layout) -> dict[str, Any]:
    rows = book.get_sheet_by_name(layout.metadata_sheet).to_python(skip_empty_area=False)
    return {
        str(row[0]).strip(): row[1] for row in rows[1:] if len(row) >= 2 and str(row[0]).strip()
    }


def scan_cells(data: bytes, sheet_name: str) -> tuple[dict[str, str], set[str]]:
    """Cells of `sheet_name` holding an error value (address -> "#DIV/0!"), and formula cells."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = _sheet_member(archive, sheet_name)
        if member is None:
            return {}, set()
        with archive.open(member) as handle:
            xml = handle.read(_MAX_XML)
    formulas = {address.decode() for address in _FORMULA_CELL.findall(xml)}
    errors: dict[str, str] = {}
    if b't="e"' in xml:  # rare: skip the second pass for the usual, error-free sheet
        for address, body in _ERROR_CELL.findall(xml):
            value = _VALUE.search(body)
            errors[address.decode()] = value.group(1).decode() if value else "#ERROR"
    return errors, formulas


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    wanted = _xml_escape(sheet_name).encode()
    rid = next((r for n, r in _SHEET.findall(workbook) if n == wanted), None)
    rid = rid or next((r for r, n in _SHEET_RID_FIRST.findall(workbook) if n == wanted), None)
    if rid is None:
        return None
    targets = dict(_REL.findall(rels)) | {i: t for t, i in _REL_TARGET_FIRST.findall(rels)}
    target = targets.get(rid)
    if target is None:
        return None
    path = target.decode().lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
