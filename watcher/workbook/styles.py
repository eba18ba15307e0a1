"""Shared look of the workbooks kinerja writes (header fills, borders, fonts)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: cells the clerk fills in
NUMBER_FILL = PatternFill("solid", fgColor="DDEBF7")  # pale blue: column numbers under headers
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_header_row(sheet: Worksheet, row: int, headers: list[str], widths: list[int]) -> None:
    """Write a styled table header at `row` and set the column widths."""
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.fill, cell.font, cell.alignment, cell.border = HEADER_FILL, HEADER_FONT, CENTER, BORDER
        sheet.column_dimensions[get_column_letter(index)].width = width


def wrapped_height(
    texts_and_widths: list[tuple[str, float]], *, line_height: float = 15.0
) -> float:
    """Row height that shows wrapped text fully (spreadsheets do not grow rows of files
    written by openpyxl by themselves). Width is in Excel character units."""
    lines = 1
    for text, width in texts_and_widths:
        per_line = max(int(width * 0.95) - 1, 1)
        lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in text.split("\n")))
    return lines * line_height


def a4_print(sheet: Worksheet, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """A4, fit to the page width, page numbers in the footer; optional repeated title rows."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "Halaman &P dari &N"
    if title_rows:
        sheet.print_title_rows = title_rows
