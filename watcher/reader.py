"""Read a submitted rencana aksi workbook into plain values, fast (python-calamine).

python-calamine reads a 40-row workbook in well under a millisecond, but it turns formula error
values (#DIV/0!, #REF!, ...) into empty strings. So the main sheet's XML is also scanned for
cells of type "e", whose cached error text is kept by cell address. The bytes given here must
have passed `validation.safety` first (no DOCTYPE, bounded sizes).

calamine holds a sheet as a dense rectangle up to its last filled cell, so one value typed in
A1048576 of a 9 KB file costs it 400 MB, and one in XFD1048576 asks for 512 GiB and aborts the
process (Rust aborts on a failed allocation; no exception to catch). So the extent of each
sheet read is measured from its XML first, and a sheet past `MAX_SHEET_CELLS` is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
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
# Every attribute r holding a cell address (a few more than the cells' own is merely cautious),
# a cell tag without an r attribute (calamine places it by its row and position), a row number.
_ADDRESS = re.compile(rb'r\s*=\s*["\']([A-Za-z]+)([0-9]+)["\']')  # calamine reads "xfd1" too
_NOT_R_ATTRIBUTES = rb'(?:\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*/?>'
_UNADDRESSED_CELL = re.compile(rb"<c" + _NOT_R_ATTRIBUTES)
_UNADDRESSED_PREFIXED_CELL = re.compile(rb"<(?:\w+:)?c" + _NOT_R_ATTRIBUTES)  # 3x slower
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br\s*=\s*["\']([0-9]+)')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
_MAX_XML = DEFAULT_LIMITS.max_part_uncompressed  # what the safety layer allows one part
# A rencana aksi sheet has a few hundred cells; a million (rows x columns up to the last filled
# cell) is ~50 MB for calamine and Python together.
MAX_SHEET_CELLS = 1_000_000


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
        read = [sheet for sheet in (layout.main_sheet, layout.metadata_sheet) if sheet in names]
        xml = _sheet_xml(data, read, name)  # before calamine builds its dense rectangle
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
    errors, formulas = _scan(xml.get(layout.main_sheet, b""))
    return Workbook(names, hidden, grid, metadata, errors, frozenset(formulas))


def _metadata(book: CalamineWorkbook, layout: Layout) -> dict[str, Any]:
    rows = book.get_sheet_by_name(layout.metadata_sheet).to_python(skip_empty_area=False)
    return {
        str(row[0]).strip(): row[1] for row in rows[1:] if len(row) >= 2 and str(row[0]).strip()
    }


def scan_cells(data: bytes, sheet_name: str) -> tuple[dict[str, str], set[str]]:
    """Cells of `sheet_name` holding an error value (address -> "#DIV/0!"), and formula cells."""
    return _scan(_sheet_xml(data, [sheet_name])[sheet_name])


def _sheet_xml(data: bytes, sheets: list[str], name: str = "") -> dict[str, bytes]:
    """Each sheet's XML by name ("" if not found), after refusing any sheet too big to read.

    A sheet the workbook's relationships do not lead us to (calamine may resolve them another
    way) is bounded by every XML part of the package instead.
    """
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = set(archive.namelist())
        for sheet in sheets:
            member = _sheet_member(archive, sheet)
            if member in members:
                found[sheet] = _read_member(archive, member)
                _check_extent(found[sheet], sheet, name)
                continue
            found[sheet] = b""
            for other in sorted(members):
                if other.lower().endswith(".xml"):
                    _check_extent(_read_member(archive, other), sheet, name)
    return found


def _read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as handle:
        return handle.read(_MAX_XML)


def _check_extent(xml: bytes, sheet: str, name: str) -> None:
    """Refuse a sheet whose cells span more than `MAX_SHEET_CELLS` (see the module docstring).

    Style-only cells count too (calamine skips them): refusing a far formatted cell is rare and
    the message says what to clear, while guessing wrong would cost the whole process.
    """
    addresses = _ADDRESS.findall(xml)
    rows = max((int(row) for _, row in addresses), default=0)
    columns = max(map(_column_number, {letters.upper() for letters, _ in addresses}), default=0)
    unaddressed = _UNADDRESSED_PREFIXED_CELL if b":c" in xml else _UNADDRESSED_CELL
    if unaddressed.search(xml):  # rare: bound the places calamine may give them
        rows = max([rows, *map(int, _ROW_NUMBER.findall(xml))]) + len(_ROW_TAG.findall(xml))
        columns += len(unaddressed.findall(xml))
    if rows * columns > MAX_SHEET_CELLS:
        last = f"{get_column_letter(min(columns, 16384))}{rows}"
        raise RefusedFileError(
            f"Lembar '{sheet}' berisi isian jauh di luar tabel, sampai sel {last}. Tekan "
            "Ctrl+End di Excel untuk menemukannya, hapus baris dan kolom yang tidak perlu, "
            "simpan, lalu kirim lagi.",
            rule="read.sheet_too_large",
            path=name,
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _scan(xml: bytes) -> tuple[dict[str, str], set[str]]:
    formulas = {address.decode() for address in _FORMULA_CELL.findall(xml)}
    errors: dict[str, str] = {}
    if b't="e"' in xml:  # rare: skip the second pass for the usual, error-free sheet
        for address, body in _ERROR_CELL.findall(xml):
            value = _VALUE.search(body)
            errors[address.decode()] = value.group(1).decode() if value else "#ERROR"
    return errors, formulas


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
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
