"""The disposition sheet (lembar disposisi) that goes with each issued workbook (SOP steps 1-2)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from watcher.service.tree import workbook_file_name
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop
from watcher.workbook.styles import (
    BOLD,
    BORDER,
    TITLE_FONT,
    WRAP,
    a4_print,
    wrapped_height,
    write_header_row,
)
from watcher.workbook.write import Issue

WIDTHS = (6, 22, 40, 18, 22)


def disposition_bytes(issue: Issue) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Lembar Disposisi"
    _write(sheet, issue)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def instruction(issue: Issue) -> str:
    """The instruction, naming each submission's person, folder and deadline."""
    sop = issue.sop
    parts = [
        f"Mohon disusun laporan data kinerja bidang {issue.period.label(issue.quarter)} "
        f"Tahun {issue.year} sesuai indikator kinerja masing-masing (SOP {sop.number})."
    ]
    for number, due in enumerate(issue.dues, start=1):
        step = due.step
        work = ("mengisi realisasi, status data, kendala dan tindak lanjut pada buku kerja "
                "terlampir, lalu menyimpannya") if number == 1 else (
                f"memeriksa dan menyimpan {step.output.lower()}")  # fmt: skip
        parts.append(f"{number}) {step.actor} {work} di folder {step.folder} paling lambat "
                     f"{long_datetime(due.at)}.")  # fmt: skip
    return " ".join(parts)


def _write(sheet: Worksheet, issue: Issue) -> None:
    sop = issue.sop
    settings = issue.master.settings
    division = issue.master.division(issue.division)
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions["ABCDE"[index]].width = width
    _line(sheet, 1, settings.office_name.upper(), TITLE_FONT, center=True)
    _line(sheet, 2, settings.office_address, None, center=True)
    _line(sheet, 4, "LEMBAR DISPOSISI", TITLE_FONT, center=True)
    fields = (
        ("Nomor", issue.document_id),
        ("Tanggal", long_datetime(issue.issued_at)),
        ("Dari", f"Kepala Bidang {division.name}: {division.head_name}"),
        ("Kepada", f"Kasubag/Kasubid: {division.subhead_name}"),
        ("Perihal", f"Penyusunan Laporan Data Kinerja {issue.period.label(issue.quarter)} "
                    f"Tahun {issue.year}"),
        ("Isi Disposisi", instruction(issue)),
        ("Batas Waktu", long_datetime(issue.dues[-1].at)),
        ("Lampiran", workbook_file_name(issue.division, issue.year, issue.quarter, issue.period)),
        ("Peringatan", sop.warning),
    )  # fmt: skip
    row = 6
    for label, value in fields:
        label_cell = sheet.cell(row=row, column=1, value=label)
        label_cell.font, label_cell.alignment = BOLD, WRAP  # beside its text, not below it
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)
        sheet.cell(row=row, column=3, value=value).alignment = WRAP
        sheet.row_dimensions[row].height = wrapped_height([(value, sum(WIDTHS[2:]))])
        row += 1
    row = _steps_table(sheet, row + 1, sop)
    _signature(sheet, row + 1, division.name, division.head_name, division.head_nip)
    a4_print(sheet, landscape=False)


def _line(sheet: Worksheet, row: int, text: str, font: object, *, center: bool) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    cell = sheet.cell(row=row, column=1, value=text)
    if font is not None:
        cell.font = font
    cell.alignment = Alignment(horizontal="center" if center else "left")


def _steps_table(sheet: Worksheet, row: int, sop: Sop) -> int:
    """The SOP's steps with actors and time standards, as a reminder on paper."""
    _line(sheet, row, f"Mutu baku SOP {sop.number} {sop.name}", BOLD, center=False)
    headers = ["No", "Pelaksana", "Kegiatan", "Waktu", "Output"]
    write_header_row(sheet, row + 1, headers, list(WIDTHS))
    row += 2
    for step in sop.steps:
        standards = ", ".join(
            str(s) if name == "umum" else f"{s} ({name})" for name, s in step.standards.items()
        )
        values = [step.number, step.actor, step.activity, standards, step.output]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment, cell.border = WRAP, BORDER
        sheet.row_dimensions[row].height = wrapped_height(
            [(str(v), w) for v, w in zip(values, WIDTHS, strict=True)]
        )
        row += 1
    return row


def _signature(sheet: Worksheet, row: int, division: str, name: str, nip: str) -> None:
    lines = [f"Kepala Bidang {division},", "", "", "", name, f"NIP. {nip}" if nip else "NIP."]
    for offset, text in enumerate(lines):
        cell = sheet.cell(row=row + offset, column=4, value=text or None)
        if text == name:
            cell.font = BOLD
