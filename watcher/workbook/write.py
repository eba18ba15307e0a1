"""Write a division's rencana aksi workbook for a quarter, following `workbook_templates/`.

The workbook is plain .xlsx (no macros): header block, one row per indicator with locked
targets and unlocked input cells, live capaian formulas, the checker's note cell (labelled after
the SOP's final checker), a signature block, a filling guide naming the SOP's people, A4 landscape
print setup, and a hidden, protected metadata sheet the validator reads.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from watcher.masterdata.capaian import excel_formula
from watcher.masterdata.model import CapaianRules, Division, Indicator, MasterData, period_target
from watcher.masterdata.numbers import format_number
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop, Step, StepKind
from watcher.sop.period import Period, PeriodKind
from watcher.workbook.layout import METADATA_KIND, TEXT_MAX_LENGTH, Layout, rencana_aksi_layout
from watcher.workbook.styles import (
    BOLD,
    BORDER,
    CENTER,
    INPUT_FILL,
    NUMBER_FILL,
    TITLE_FONT,
    WRAP,
    a4_print,
    wrapped_height,
    write_header_row,
)

UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Issue:
    """What one issued workbook is about: a division's period under an SOP, and its deadlines."""

    master: MasterData
    division: str
    year: int
    quarter: int  # the period's number within the year
    document_id: str
    issued_at: datetime  # aware
    dues: tuple[Due, ...]  # each submission's deadline, in the SOP's order
    sop: Sop

    @property
    def period(self) -> Period:
        return self.sop.period


@dataclass(frozen=True)
class Due:
    step: Step
    at: datetime


def metadata(issue: Issue, layout: Layout) -> dict[str, str | int]:
    """The values of the hidden metadata sheet, in order."""
    count = len(issue.master.indicators_of(issue.division))
    return {
        "jenis": METADATA_KIND,
        "versi_templat": layout.version,
        "kode_bidang": issue.division,
        "tahun": issue.year,
        issue.period.kind.value
        if issue.period.kind is PeriodKind.QUARTER
        else "periode": issue.quarter,
        "id_dokumen": issue.document_id,
        "diterbitkan_utc": issue.issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        "jumlah_indikator": count,
        "baris_data_pertama": layout.rows["first_data"],
        "sel_catatan": f"{layout.note_column}{layout.note_row(count)}",
    }


def build_workbook(issue: Issue, layout: Layout | None = None) -> Workbook:
    layout = layout or rencana_aksi_layout()
    division = issue.master.division(issue.division)
    indicators = issue.master.indicators_of(issue.division)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.main_sheet
    _header(sheet, issue, division, layout)
    _table(sheet, indicators, issue, layout, issue.master.settings.capaian_rules)
    _note_and_signatures(sheet, issue, len(indicators), layout)
    _print_setup(sheet, len(indicators), layout, issue.sop)
    sheet.protection.password = layout.password
    sheet.protection.formatColumns = False  # clerks may widen columns and rows
    sheet.protection.formatRows = False
    sheet.protection.enable()
    _metadata_sheet(workbook, metadata(issue, layout), layout)
    workbook.security = WorkbookProtection(workbookPassword=layout.password, lockStructure=True)
    return workbook


def workbook_bytes(issue: Issue) -> bytes:
    buffer = io.BytesIO()
    build_workbook(issue).save(buffer)
    return buffer.getvalue()


def _header(sheet: Worksheet, issue: Issue, division: Division, layout: Layout) -> None:
    rows, last = layout.rows, layout.last_letter
    settings = issue.master.settings
    lines = {
        "office": settings.office_name.upper(),
        "title": "RENCANA AKSI DAN REALISASI KINERJA",
        "period": f"{issue.period.label(issue.quarter).upper()} TAHUN {issue.year} "
        f"({issue.period.months_text(issue.quarter)})",
        "division": f"Bidang: {division.name} ({division.code})",
        "officials": f"Kepala Bidang: {division.head_name}    |    "
        f"Kasubag/Kasubid: {division.subhead_name}",
        "deadline": "Batas waktu "
        + "    |    ".join(
            f"langkah {due.step.number} ({due.step.actor}): {long_datetime(due.at)}"
            for due in issue.dues
        ),
    }
    for key, text in lines.items():
        row = rows[key]
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet[f"A{row}"]
        cell.value = text
        centred = key in ("office", "title", "period")
        cell.font = TITLE_FONT if centred else BOLD
        cell.alignment = Alignment(horizontal="center" if centred else "left")


def _table(
    sheet: Worksheet,
    indicators: tuple[Indicator, ...],
    issue: Issue,
    layout: Layout,
    rules: CapaianRules,
) -> None:
    header, numbers = layout.rows["table_header"], layout.rows["column_numbers"]
    titles = [c.title(issue.period, issue.quarter) for c in layout.columns]
    write_header_row(sheet, header, titles, [c.width for c in layout.columns])
    sheet.row_dimensions[header].height = 32
    for column in layout.columns:
        cell = sheet.cell(row=numbers, column=column.index, value=f"({column.index})")
        cell.fill, cell.alignment, cell.border = NUMBER_FILL, CENTER, BORDER
    for position, indicator in enumerate(indicators):
        target = period_target(indicator, issue.period, issue.quarter)
        _indicator_row(
            sheet, layout.data_row(position), position + 1, indicator, target, layout, rules
        )
    _validations(sheet, indicators, layout)


def _indicator_row(
    sheet: Worksheet,
    row: int,
    number: int,
    indicator: Indicator,
    target: float,
    layout: Layout,
    rules: CapaianRules,
) -> None:
    col = {column.key: column.letter for column in layout.columns}
    values = {
        "no": number,
        "code": indicator.code,
        "goal": indicator.goal,
        "indicator": indicator.name,
        "unit": indicator.unit,
        "polarity": indicator.polarity.value,
        "annual_target": indicator.annual_target,
        "target": target,
        "capaian": excel_formula(
            indicator.polarity,
            f"{col['target']}{row}",
            f"{col['realisation']}{row}",
            formula=indicator.minimal_formula,
            cap=indicator.cap,
            rules=rules,
        ),
    }
    number_format = (
        "0.00" if indicator.is_percentage else "#,##0" if indicator.counts else "#,##0.00"
    )
    for column in layout.columns:
        cell = sheet[f"{column.letter}{row}"]
        cell.value = values.get(column.key)
        cell.border, cell.alignment = BORDER, WRAP
        if column.key in ("annual_target", "target", "capaian"):
            cell.number_format = "0.00" if column.key == "capaian" else number_format
        # The realisation keeps the General format: a spreadsheet then marks a typed "34%" with
        # a percent format (LibreOffice keeps "0.00" and shows 0,34), which validation reads.
        if column.is_input:
            cell.protection, cell.fill = UNLOCKED, INPUT_FILL
    sheet.row_dimensions[row].height = wrapped_height(
        [(str(values[c.key]), c.width) for c in layout.columns if c.kind == "fixed"]
    )
    if indicator.definition:
        sheet[f"{col['indicator']}{row}"].comment = Comment(indicator.definition, "Data induk")


def _range_validation(low: float, high: float | None) -> DataValidation:
    """Excel's own check of a realisation cell: the indicator's plausible range."""
    if high is None:
        validation = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1=f"{low:g}"
        )
        validation.error = f"Isi angka {format_number(low)} atau lebih."
    else:
        validation = DataValidation(
            type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}"
        )
        validation.error = f"Isi angka antara {format_number(low)} dan {format_number(high)}."
    validation.errorTitle, validation.showErrorMessage = "Realisasi tidak valid", True
    validation.prompt, validation.showInputMessage = "Isi realisasi triwulan ini.", True
    return validation


def _validations(sheet: Worksheet, indicators: tuple[Indicator, ...], layout: Layout) -> None:
    first = layout.rows["first_data"]
    realisation = layout.column("realisation").letter
    by_range: dict[tuple[float, float | None], DataValidation] = {}
    for position, indicator in enumerate(indicators):
        if indicator.plausible not in by_range:
            by_range[indicator.plausible] = _range_validation(*indicator.plausible)
        by_range[indicator.plausible].add(f"{realisation}{first + position}")
    last = first + len(indicators) - 1
    validations = list(by_range.values())
    for column in layout.columns:
        if column.kind == "choice":
            choice = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"')
            choice.error = "Pilih salah satu: " + ", ".join(column.choices)
            choice.add(f"{column.letter}{first}:{column.letter}{last}")
            validations.append(choice)
        elif column.kind == "text":
            text = DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX_LENGTH)
            )
            text.error = f"Teks paling panjang {TEXT_MAX_LENGTH} karakter."
            text.add(f"{column.letter}{first}:{column.letter}{last}")
            validations.append(text)
    for validation in validations:
        validation.showErrorMessage = True
        validation.errorTitle = validation.errorTitle or "Isian tidak valid"
        sheet.add_data_validation(validation)


def _note_and_signatures(sheet: Worksheet, issue: Issue, count: int, layout: Layout) -> None:
    division = issue.master.division(issue.division)
    row, last = layout.note_row(count), layout.last_letter
    label_end = chr(ord(layout.note_column) - 1)
    sheet.merge_cells(f"{layout.note_label_column}{row}:{label_end}{row}")
    label = sheet[f"{layout.note_label_column}{row}"]
    label.value, label.font, label.alignment = layout.note_title(issue.sop), BOLD, WRAP
    sheet.merge_cells(f"{layout.note_column}{row}:{last}{row}")
    note = sheet[f"{layout.note_column}{row}"]
    note.protection, note.fill, note.alignment, note.border = UNLOCKED, INPUT_FILL, WRAP, BORDER
    sheet.row_dimensions[row].height = 60
    signatures = (
        (layout.column("indicator").letter, "Disusun oleh,", "Kasubag/Kasubid",
         division.subhead_name, division.subhead_nip),
        (layout.column("kendala").letter, "Mengetahui,", "Kepala Bidang",
         division.head_name, division.head_nip),
    )  # fmt: skip
    for letter, opening, role, name, nip in signatures:
        sheet[f"{letter}{row + 2}"] = opening
        sheet[f"{letter}{row + 3}"] = role
        sheet[f"{letter}{row + 7}"] = name
        sheet[f"{letter}{row + 7}"].font = BOLD
        sheet[f"{letter}{row + 8}"] = f"NIP. {nip}" if nip else "NIP."
    _guide(sheet, row + GUIDE_OFFSET, layout, issue.sop)


GUIDE_OFFSET = 10  # rows from the checker's note to the filling guide, below the signatures


def guide(sop: Sop, layout: Layout) -> tuple[str, ...]:
    """The filling guide printed below the form: who fills which yellow cells, in the SOP's
    words ("... Tindak Lanjut (Analis Data dan Kasubag) serta Catatan Kabid (Kabid)")."""
    submitters = _and(step.actor for step in sop.of_kind(StepKind.SUBMIT))
    checkers = _and(step.actor for step in sop.of_kind(StepKind.CHECK))
    return (
        "Petunjuk pengisian:",
        "- Sel berwarna kuning diisi bidang: Realisasi, Status Data, Kendala dan Tindak Lanjut "
        f"({submitters}) serta {layout.note_title(sop)} ({checkers}). Sel lain terkunci; Capaian "
        "terisi sendiri dan selalu dihitung ulang oleh sistem.",
        "- Realisasi diketik sebagai angka dalam satuan indikator: untuk satuan % ketik 99,3 "
        "(atau 99,3%); untuk jumlah ketik 1180, tanpa titik ribuan.",
        "- Status Data: Final = angka sudah pasti; Sementara = angka masih dapat berubah "
        "(misalnya menunggu data dari pusat) dan diperbarui pada laporan berikutnya.",
    )


def _and(names: Iterable[str]) -> str:
    """ "A", "A dan B", "A, B dan C" (each role once, in the SOP's order)."""
    unique = list(dict.fromkeys(names))
    return " dan ".join(filter(None, [", ".join(unique[:-1]), unique[-1]]))


def _guide(sheet: Worksheet, row: int, layout: Layout, sop: Sop) -> None:
    """What the yellow cells and Status Data mean, printed with the form."""
    width = sum(column.width for column in layout.columns)
    for offset, text in enumerate(guide(sop, layout)):
        sheet.merge_cells(f"A{row + offset}:{layout.last_letter}{row + offset}")
        cell = sheet[f"A{row + offset}"]
        cell.value, cell.alignment = text, WRAP
        if offset == 0:
            cell.font = BOLD
        sheet.row_dimensions[row + offset].height = wrapped_height([(text, width)])


def _print_setup(sheet: Worksheet, count: int, layout: Layout, sop: Sop) -> None:
    rows = layout.rows
    sheet.freeze_panes = f"{layout.column('unit').letter}{rows['first_data']}"
    last_row = layout.note_row(count) + GUIDE_OFFSET + len(guide(sop, layout))
    sheet.print_area = f"A1:{layout.last_letter}{last_row}"
    a4_print(sheet, title_rows=f"{rows['table_header']}:{rows['column_numbers']}")
    sheet.print_options.horizontalCentered = True


def _metadata_sheet(workbook: Workbook, values: dict[str, str | int], layout: Layout) -> None:
    sheet = workbook.create_sheet(layout.metadata_sheet)
    sheet.append(["kunci", "nilai"])
    for key, value in values.items():
        sheet.append([key, value])
    sheet.sheet_state = "veryHidden"
    sheet.protection.password = layout.password
    sheet.protection.enable()
