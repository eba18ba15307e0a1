"""Write master data as the workbook the planning section edits in Excel."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from watcher.masterdata import sheets
from watcher.masterdata.model import MasterData, MinimalFormula, Settings
from watcher.record.durable import save_workbook_atomic
from watcher.workbook.styles import BOLD, TITLE_FONT, WRAP, write_header_row

GUIDE = (
    "Data induk kinerja: disunting oleh Subbagian Perencanaan.",
    "Lembar Pengaturan: identitas kantor, pejabat penanda tangan, tahun dan ambang batas.",
    "Lembar Jam Kerja: jam kantor per hari; hari yang tidak tercantum dianggap libur.",
    "Lembar Hari Libur Kantor: tambahan hari libur daerah (Libur) atau cuti bersama yang "
    "dibatalkan (Masuk); libur nasional dan cuti bersama sudah dihitung otomatis.",
    "Lembar Bidang: kode bidang dipakai juga sebagai nama folder bidang di inbox.",
    "Lembar Indikator: satu baris per indikator kinerja. Polaritas Maksimal = makin tinggi "
    "makin baik; Minimal = makin rendah makin baik. Agregasi Kumulatif: jumlah target TW I-IV "
    "sama dengan target tahunan; Posisi Akhir: target TW IV sama dengan target tahunan.",
    "Kolom opsional lembar Indikator: Rumus Capaian Minimal ((2T-R)/T atau T/R, hanya untuk "
    "polaritas Minimal), Batas Capaian (%) (misalnya 120), Target Akhir Renstra dan Realisasi "
    "Tahun Lalu (untuk LKjIP), IKU Kabupaten (kode IKU kabupaten yang didukung indikator, "
    "untuk kaskade di laporan konsolidasi). Kosong = bawaan.",
    "Lembar Predikat (opsional): batas capaian tiap predikat; capaian di atas batas mendapat "
    "predikat itu, baris tanpa batas untuk selebihnya. Hapus lembar ini untuk memakai "
    "predikat bawaan (>90 Sangat Baik, 76-90 Baik, 66-75 Cukup, 51-65 Kurang, <=50 Sangat Kurang).",
    "Lembar Anggaran (opsional): pagu dan realisasi anggaran per bidang dan program untuk tahun "
    "di lembar Pengaturan; dipakai di Bab III LKjIP.",
    "Jangan mengubah judul kolom di baris 1. Setelah menyunting, periksa dengan: kinerja master",
)


def write_master(master: MasterData, path: Path) -> None:
    """Write `master` to `path` (atomically; the caller decides whether overwriting is wanted)."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Petunjuk"
    _guide(guide)
    _settings(workbook.create_sheet(sheets.SETTINGS_SHEET), master)
    _hours(workbook.create_sheet(sheets.HOURS_SHEET), master)
    _overrides(workbook.create_sheet(sheets.OVERRIDES_SHEET), master)
    _divisions(workbook.create_sheet(sheets.DIVISIONS_SHEET), master)
    _indicators(workbook.create_sheet(sheets.INDICATORS_SHEET), master)
    _bands(workbook.create_sheet(sheets.BANDS_SHEET), master)
    _budget(workbook.create_sheet(sheets.BUDGET_SHEET), master)
    save_workbook_atomic(workbook, path)


def _guide(sheet: Worksheet) -> None:
    sheet["A1"] = "PETUNJUK PENGISIAN DATA INDUK KINERJA"
    sheet["A1"].font = TITLE_FONT
    for row, line in enumerate(GUIDE, start=3):
        sheet.cell(row=row, column=1, value=line).alignment = WRAP
    sheet.column_dimensions["A"].width = 110


def _table(sheet: Worksheet, columns: tuple[sheets.Column, ...], rows: list[list[object]]) -> None:
    write_header_row(sheet, 1, [c.header for c in columns], [c.width for c in columns])
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        if column.note:
            sheet.cell(row=1, column=index).comment = Comment(column.note, "kinerja")


def _settings(sheet: Worksheet, master: MasterData) -> None:
    settings = master.settings
    write_header_row(sheet, 1, ["Pengaturan", "Nilai", "Keterangan"], [38, 60, 70])
    for row in sheets.SETTINGS:
        sheet.append([row.label, _setting_value(settings, row.key), row.note])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD


def _setting_value(settings: Settings, key: str) -> object:
    rules = settings.capaian_rules
    if key == "zero_target":
        return rules.zero_target.value
    if key == "capaian_floor":
        return sheets.NO_FLOOR if rules.floor is None else rules.floor
    return getattr(settings, key)


def _hours(sheet: Worksheet, master: MasterData) -> None:
    rows = []
    for weekday, day in sorted(master.settings.week.items()):
        breaks = [day.break_start, day.break_end]
        rows.append([sheets.WEEKDAYS[weekday], day.start, *breaks, day.end])
    _table(sheet, sheets.HOURS_COLUMNS, rows)
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "hh:mm"


def _overrides(sheet: Worksheet, master: MasterData) -> None:
    rows = [
        [o.day, "Masuk" if o.working else "Libur", o.note] for o in master.settings.day_overrides
    ]
    _table(sheet, sheets.OVERRIDE_COLUMNS, rows)
    _list_validation(sheet, "B2:B500", sheets.OVERRIDE_KINDS)
    for row in range(2, 501):
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"


def _divisions(sheet: Worksheet, master: MasterData) -> None:
    rows = [[getattr(d, c.key) for c in sheets.DIVISION_COLUMNS] for d in master.divisions]
    _table(sheet, sheets.DIVISION_COLUMNS, rows)


def _indicators(sheet: Worksheet, master: MasterData) -> None:
    rows = [
        [
            i.code,
            i.division,
            i.goal,
            i.name,
            i.definition,
            i.unit,
            i.polarity.value,
            i.aggregation.value,
            i.annual_target,
            *i.quarter_targets,
            i.minimal_formula.value if i.minimal_formula is not MinimalFormula.SPECIAL else None,
            i.cap,
            i.renstra_target,
            i.previous_realisation,
            i.lowest,
            i.highest,
            i.iku or None,
        ]
        for i in master.indicators
    ]
    _table(sheet, sheets.INDICATOR_COLUMNS, rows)
    _list_validation(sheet, "G2:G1000", ("Maksimal", "Minimal"))
    _list_validation(sheet, "H2:H1000", ("Kumulatif", "Posisi Akhir"))
    division_list = DataValidation(
        type="list", formula1=f"='{sheets.DIVISIONS_SHEET}'!$A$2:$A$200", allow_blank=True
    )
    division_list.add("B2:B1000")
    sheet.add_data_validation(division_list)
    targets = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    targets.error, targets.errorTitle = "Target harus angka 0 atau lebih.", "Target tidak valid"
    targets.showErrorMessage = True
    targets.add("I2:M1000")
    targets.add("O2:Q1000")
    sheet.add_data_validation(targets)
    _list_validation(sheet, "N2:N1000", tuple(f.value for f in MinimalFormula))
    # Values like "(2T-R)/T" must stay text, never be taken for a formula.
    for row in range(2, 1001):
        sheet.cell(row=row, column=14).number_format = "@"


def _bands(sheet: Worksheet, master: MasterData) -> None:
    _table(sheet, sheets.BAND_COLUMNS, [[band.label, band.above] for band in master.bands])


def _budget(sheet: Worksheet, master: MasterData) -> None:
    rows = [[b.division, b.program, b.ceiling, b.spent] for b in master.budget]
    _table(sheet, sheets.BUDGET_COLUMNS, rows)
    for row in range(2, max(len(rows) + 2, 200)):
        for column in (3, 4):
            sheet.cell(row=row, column=column).number_format = "#,##0"


def _list_validation(sheet: Worksheet, cells: str, choices: tuple[str, ...]) -> None:
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"')
    validation.error = "Pilih salah satu: " + ", ".join(choices)
    validation.errorTitle, validation.showErrorMessage = "Pilihan tidak valid", True
    validation.add(cells)
    sheet.add_data_validation(validation)
