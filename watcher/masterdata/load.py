"""Load the master workbook (data induk) and report every problem at once, by sheet and cell."""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from watcher.errors import MasterDataError, MissingFileError, Problem, RefusedFileError
from watcher.masterdata import sheets
from watcher.masterdata.model import (
    DEFAULT_BANDS,
    Aggregation,
    BudgetLine,
    CapaianRules,
    Division,
    Indicator,
    MasterData,
    MinimalFormula,
    Polarity,
    PredikatBand,
    Settings,
    ZeroTarget,
    parse_clock,
)
from watcher.masterdata.numbers import AmbiguousNumber, NotANumber, format_number, parse_number
from watcher.service.intake import open_regular, oversize_refusal
from watcher.sop.calendar import DayOverride, OfficeDay
from watcher.validation.safety import DEFAULT_LIMITS, check_bytes
from watcher.workbook.read import check_extents

DIVISION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
IKU_CODE = re.compile(sheets.IKU_CODE)
TARGET_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Row:
    """One data row of a sheet: its number and each column's (value, A1 cell)."""

    number: int
    cells: dict[str, tuple[Any, str]]

    def value(self, key: str) -> Any:
        return self.cells.get(key, (None, ""))[0]

    def text(self, key: str) -> str:
        value = self.value(key)
        return "" if value is None else str(value).strip()

    def cell(self, key: str) -> str:
        return self.cells.get(key, (None, ""))[1]


class _Collector:
    """Collects problems for one sheet so every check can report and go on."""

    def __init__(self, problems: list[Problem], sheet: str) -> None:
        self.problems, self.sheet = problems, sheet

    def add(self, cell: str, message: str) -> None:
        self.problems.append(Problem(message, sheet=self.sheet, cell=cell))


def _checked_bytes(path: Path) -> bytes:
    """The master workbook's bytes, read as a submitted workbook is: a regular file only (a
    FIFO or a link on the share must not hang or mislead the service), bounded, past the safety
    layer, every sheet within the reader's bounds (openpyxl walks each sheet to its end)."""
    with open_regular(path) as opened:
        if opened.size > DEFAULT_LIMITS.max_file_bytes:
            raise oversize_refusal(opened.size, path)
        data = opened.read(DEFAULT_LIMITS.max_file_bytes)
    return _checked_data(data, path.name)


def _checked_data(data: bytes, name: str) -> bytes:
    check_bytes(data, name=name)
    check_extents(data, name=name)
    return data


def load_master(path: Path) -> MasterData:
    """Read the master workbook; raise MasterDataError listing every problem found."""
    if not os.path.lexists(path):  # a FIFO or a link is there: refused below, by name
        raise MissingFileError(
            f"Data induk tidak ditemukan: {path}. Jalankan 'kinerja init' untuk membuat contohnya."
        )
    return _load(lambda: _checked_bytes(path), str(path))


def master_from_bytes(data: bytes, source: str) -> MasterData:
    """The master workbook held as bytes (the centre keeps each office's as it was sent),
    through the same safety checks and loader as `load_master`; `source` names it in errors."""
    return _load(lambda: _checked_data(data, source), source)


def _load(read: Callable[[], bytes], source: str) -> MasterData:
    try:
        workbook = load_workbook(io.BytesIO(read()), read_only=True, data_only=True)
    except RefusedFileError as refusal:
        raise MasterDataError(source, [Problem(refusal.message)]) from refusal
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise MasterDataError(
            source, [Problem(f"berkas bukan buku kerja .xlsx yang dapat dibaca ({exc})")]
        ) from exc
    try:
        problems: list[Problem] = []
        settings = _settings(workbook, problems)
        divisions, written = _divisions(workbook, problems)
        indicators, named = _indicators(workbook, set(written), problems)
        bands = _bands(workbook, problems)
        budget = _budget(workbook, set(written), problems)
    finally:
        workbook.close()
    # Only when the Indikator sheet was readable: a missing sheet or column is reported once,
    # not once more for every division.
    for division in divisions if named is not None else ():
        if division.code not in named:
            problems.append(
                Problem(
                    f"bidang {division.code} belum punya indikator di lembar Indikator",
                    sheet=sheets.DIVISIONS_SHEET,
                    cell=written[division.code],
                )
            )
    if problems or settings is None:
        raise MasterDataError(source, problems)
    return MasterData(settings, tuple(divisions), tuple(indicators), bands, budget)


def _rows(
    workbook: Workbook, sheet: str, columns: Iterable[sheets.Column], problems: list[Problem]
) -> list[Row] | None:
    """The data rows of a sheet whose first row holds the headers; None when unusable."""
    if sheet not in workbook.sheetnames:
        problems.append(Problem(f"lembar '{sheet}' tidak ada", sheet=sheet))
        return None
    raw = list(workbook[sheet].iter_rows(values_only=True))
    header = (
        [str(value).strip().lower() if value is not None else "" for value in raw[0]] if raw else []
    )
    positions: dict[str, int] = {}
    for column in columns:
        if column.header.lower() in header:
            positions[column.key] = header.index(column.header.lower())
        elif column.required:
            problems.append(
                Problem(f"kolom '{column.header}' tidak ada di baris 1", sheet=sheet, cell="1")
            )
    if any(column.required and column.key not in positions for column in columns):
        return None
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {
            key: (
                values[index] if index < len(values) else None,
                f"{get_column_letter(index + 1)}{number}",
            )
            for key, index in positions.items()
        }
        if any(value not in (None, "") for value, _ in cells.values()):
            rows.append(Row(number, cells))
    return rows


def _settings(workbook: Workbook, problems: list[Problem]) -> Settings | None:
    sheet = sheets.SETTINGS_SHEET
    if sheet not in workbook.sheetnames:
        problems.append(Problem(f"lembar '{sheet}' tidak ada", sheet=sheet))
        _week(workbook, problems)  # still report the problems of the other sheets
        _overrides(workbook, problems)
        return None
    found: dict[str, tuple[Any, str]] = {}
    labels = {row.label.lower(): row for row in sheets.SETTINGS}
    for number, values in enumerate(
        workbook[sheet].iter_rows(min_row=2, max_col=2, values_only=True), 2
    ):
        label = str(values[0] or "").strip().lower()
        if label in labels:
            found[labels[label].key] = (values[1] if len(values) > 1 else None, f"B{number}")
    report = _Collector(problems, sheet)
    for row in sheets.SETTINGS:
        if row.required and str(found.get(row.key, (None,))[0] or "").strip() == "":
            if row.key in found:
                report.add(found[row.key][1], f"'{row.label}' wajib diisi")
            else:  # the label row itself is gone: there is no cell to point at
                report.add("", f"baris '{row.label}' tidak ada di kolom A; tambahkan lalu isi")
    values = {key: value for key, (value, _) in found.items() if value not in (None, "")}
    year = _integer(values.get("year"), found.get("year", (None, ""))[1], report, "Tahun")
    timezone = str(values.get("timezone") or "").strip() or "Asia/Makassar"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        report.add(
            found["timezone"][1], f"zona waktu '{timezone}' tidak dikenal (contoh: Asia/Makassar)"
        )
    numbers = {
        key: _number(values[key], found[key][1], report, label)
        for key, label in (
            ("follow_up_threshold", "Ambang capaian"),
            ("warning_share", "Ambang peringatan"),
        )
        if key in values
    }
    rules = _capaian_rules(values, found, report)
    week = _week(workbook, problems)
    overrides = _overrides(workbook, problems)
    if (
        year is None
        or week is None
        or rules is None
        or any(value is None for value in numbers.values())
    ):
        return None
    text = {row.key: str(values.get(row.key, "")).strip() for row in sheets.SETTINGS}
    return Settings(
        office_name=text["office_name"],
        office_address=text["office_address"],
        head_name=text["head_name"],
        head_nip=text["head_nip"],
        planning_head_name=text["planning_head_name"],
        planning_head_nip=text["planning_head_nip"],
        signing_place=text["signing_place"],
        year=year,
        timezone=timezone,
        week=week,
        day_overrides=tuple(overrides),
        capaian_rules=rules,
        **{key: value for key, value in numbers.items() if value is not None},
    )


def _capaian_rules(
    values: dict[str, Any], found: dict[str, tuple[Any, str]], report: _Collector
) -> CapaianRules | None:
    """Capaian Bila Target 0 and Capaian Terendah (blank = the defaults); None after a problem."""
    default = CapaianRules()
    zero_target, floor = default.zero_target, default.floor
    ok = True
    text = str(values.get("zero_target") or "").strip()
    if text:
        known = {member.value.lower(): member for member in ZeroTarget}
        if text.lower() in known:
            zero_target = known[text.lower()]
        else:
            choices = " atau ".join(f"'{member.value}'" for member in ZeroTarget)
            report.add(found["zero_target"][1], f"'{text}' tidak dikenal; pilih {choices}")
            ok = False
    if "capaian_floor" in values:
        value = values["capaian_floor"]
        if str(value).strip().lower() == sheets.NO_FLOOR:
            floor = None
        else:
            floor = _signed_number(value, found["capaian_floor"][1], report, "Capaian Terendah")
            ok = ok and floor is not None
    return CapaianRules(zero_target, floor) if ok else None


def _week(workbook: Workbook, problems: list[Problem]) -> dict[int, OfficeDay] | None:
    rows = _rows(workbook, sheets.HOURS_SHEET, sheets.HOURS_COLUMNS, problems)
    if rows is None:
        return None
    report = _Collector(problems, sheets.HOURS_SHEET)
    days = {name.lower(): index for index, name in enumerate(sheets.WEEKDAYS)}
    week: dict[int, OfficeDay] = {}
    for row in rows:
        weekday = days.get(row.text("day").lower())
        if weekday is None:
            report.add(row.cell("day"), f"hari '{row.text('day')}' tidak dikenal (Senin..Minggu)")
            continue
        clocks = {}
        for key in ("start", "break_start", "break_end", "end"):
            if row.value(key) in (None, ""):
                clocks[key] = None
                continue
            try:
                clocks[key] = parse_clock(row.value(key))
            except ValueError as exc:
                report.add(row.cell(key), str(exc))
        if len(clocks) < 4:
            continue
        if clocks["start"] is None or clocks["end"] is None:
            report.add(row.cell("end"), "jam masuk dan jam pulang wajib diisi")
            continue
        try:
            week[weekday] = OfficeDay(
                clocks["start"], clocks["end"], clocks["break_start"], clocks["break_end"]
            )
        except ValueError as exc:
            report.add(row.cell(_faulty_clock(clocks)), str(exc))
    if not week and not any(p.sheet == sheets.HOURS_SHEET for p in problems):
        report.add("A2", "belum ada hari kerja")
    return week


def _faulty_clock(clocks: dict[str, Any]) -> str:
    """The column of the office-hours cell that `OfficeDay` rejected, to point the clerk at it."""
    start, end = clocks["start"], clocks["end"]
    if not start < end:
        return "start"
    if clocks["break_start"] is None:
        return "break_start"
    if clocks["break_end"] is None or start < clocks["break_start"] < end:
        return "break_end"
    return "break_start"


def _overrides(workbook: Workbook, problems: list[Problem]) -> list[DayOverride]:
    if sheets.OVERRIDES_SHEET not in workbook.sheetnames:
        return []  # optional sheet: an office without its own corrections
    rows = _rows(workbook, sheets.OVERRIDES_SHEET, sheets.OVERRIDE_COLUMNS, problems) or []
    report = _Collector(problems, sheets.OVERRIDES_SHEET)
    overrides = []
    for row in rows:
        day = _date(row.value("day"))
        kind = row.text("kind").capitalize()
        if day is None:
            report.add(
                row.cell("day"), f"tanggal '{row.text('day')}' tidak dikenali (contoh: 2026-08-20)"
            )
        if kind not in sheets.OVERRIDE_KINDS:
            report.add(row.cell("kind"), f"jenis '{row.text('kind')}' harus Libur atau Masuk")
        if day is not None and kind in sheets.OVERRIDE_KINDS:
            overrides.append(DayOverride(day, kind == "Masuk", row.text("note")))
    return overrides


def _divisions(
    workbook: Workbook, problems: list[Problem]
) -> tuple[list[Division], dict[str, str]]:
    """The valid divisions, and the code cell of every code written (valid or not)."""
    rows = _rows(workbook, sheets.DIVISIONS_SHEET, sheets.DIVISION_COLUMNS, problems) or []
    report = _Collector(problems, sheets.DIVISIONS_SHEET)
    divisions: list[Division] = []
    written: dict[str, str] = {}
    for row in rows:
        code = row.text("code")
        if code:
            written.setdefault(code, row.cell("code"))
        ok = _required(
            row, ("code", "name", "head_name", "subhead_name"), sheets.DIVISION_COLUMNS, report
        )
        if code and not DIVISION_CODE.match(code):
            report.add(
                row.cell("code"), f"kode '{code}' hanya boleh huruf, angka, - dan _ (maks. 20)"
            )
            ok = False
        if any(d.code.lower() == code.lower() for d in divisions):
            report.add(row.cell("code"), f"kode bidang '{code}' ganda")
            ok = False
        if ok:
            divisions.append(Division(*(row.text(c.key) for c in sheets.DIVISION_COLUMNS)))
    if not rows and not any(p.sheet == sheets.DIVISIONS_SHEET for p in problems):
        report.add("A2", "belum ada bidang")
    return divisions, written


def _indicators(
    workbook: Workbook, codes: set[str], problems: list[Problem]
) -> tuple[list[Indicator], set[str] | None]:
    """The valid indicators, and the division codes the rows name (None: sheet unreadable)."""
    rows = _rows(workbook, sheets.INDICATORS_SHEET, sheets.INDICATOR_COLUMNS, problems)
    if rows is None:
        return [], None
    report = _Collector(problems, sheets.INDICATORS_SHEET)
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for row in rows:
        indicator = _indicator(row, codes, report)
        if row.text("code") and row.text("code").lower() in seen:
            report.add(row.cell("code"), f"kode indikator '{row.text('code')}' ganda")
        elif indicator is not None:
            indicators.append(indicator)
        seen.add(row.text("code").lower())
    if not rows and not any(p.sheet == sheets.INDICATORS_SHEET for p in problems):
        report.add("A2", "belum ada indikator")
    return indicators, {row.text("division") for row in rows}


def _indicator(row: Row, codes: set[str], report: _Collector) -> Indicator | None:
    required = ("code", "division", "goal", "name", "unit", "polarity", "aggregation")
    ok = _required(row, required, sheets.INDICATOR_COLUMNS, report)
    division = row.text("division")
    if division and division not in codes:
        report.add(row.cell("division"), f"bidang '{division}' tidak ada di lembar Bidang")
        ok = False
    polarity = _choice(row, "polarity", Polarity, report)
    aggregation = _choice(row, "aggregation", Aggregation, report)
    targets = [
        _number(row.value(key), row.cell(key), report, header, required=True)
        for key, header in (
            ("annual_target", "Target Tahunan"),
            ("q1", "Target TW I"),
            ("q2", "Target TW II"),
            ("q3", "Target TW III"),
            ("q4", "Target TW IV"),
        )
    ]
    optional = _optional_indicator_fields(row, report)
    if (
        not ok
        or polarity is None
        or aggregation is None
        or optional is None
        or any(t is None for t in targets)
    ):
        return None
    annual, *quarters = targets
    if not _consistent(annual, quarters, aggregation, row, report):
        return None
    return Indicator(
        code=row.text("code"),
        division=division,
        goal=row.text("goal"),
        name=row.text("name"),
        definition=row.text("definition"),
        unit=row.text("unit"),
        polarity=polarity,
        aggregation=aggregation,
        annual_target=annual,
        quarter_targets=tuple(quarters),  # type: ignore[arg-type]
        **optional,
    )


def _optional_indicator_fields(row: Row, report: _Collector) -> dict[str, Any] | None:
    """The optional columns' values (absent or blank = default); None after a problem."""
    fields: dict[str, Any] = {}
    ok = True
    formula = "".join(row.text("minimal_formula").split()).upper()
    if formula:
        known = {member.value.upper(): member for member in MinimalFormula}
        if formula in known:
            fields["minimal_formula"] = known[formula]
        else:
            choices = " atau ".join(member.value for member in MinimalFormula)
            report.add(
                row.cell("minimal_formula"),
                f"rumus '{row.text('minimal_formula')}' tidak dikenal; pilih {choices}",
            )
            ok = False
    labels = {c.key: c.header for c in sheets.INDICATOR_COLUMNS}
    iku = row.text("iku")
    if iku and not IKU_CODE.fullmatch(iku):
        report.add(
            row.cell("iku"),
            f"kode IKU '{iku}' tidak valid: pakai huruf, angka, titik, - atau _ (maks. 30), "
            "misalnya IKU-03",
        )
        ok = False
    elif iku:
        fields["iku"] = iku
    for key in ("cap", "renstra_target", "previous_realisation"):
        if row.value(key) in (None, ""):
            continue
        number = _number(row.value(key), row.cell(key), report, labels[key])
        if number is None:
            ok = False
        elif key == "cap" and number <= 0:
            report.add(row.cell(key), f"'{labels[key]}' harus lebih dari 0 (misalnya 120)")
            ok = False
        else:
            fields[key] = number
    for key in ("lowest", "highest"):
        if row.value(key) not in (None, ""):
            fields[key] = _signed_number(row.value(key), row.cell(key), report, labels[key])
            ok = ok and fields[key] is not None
    low, high = fields.get("lowest"), fields.get("highest")
    if ok and low is not None and high is not None and low >= high:
        report.add(
            row.cell("highest"),
            f"'{labels['highest']}' ({_show(high)}) harus lebih dari "
            f"'{labels['lowest']}' ({_show(low)})",
        )
        ok = False
    return fields if ok else None


def _bands(workbook: Workbook, problems: list[Problem]) -> tuple[PredikatBand, ...]:
    """The Predikat sheet; absent = the default bands. Exactly one row has no bound."""
    if sheets.BANDS_SHEET not in workbook.sheetnames:
        return DEFAULT_BANDS
    rows = _rows(workbook, sheets.BANDS_SHEET, sheets.BAND_COLUMNS, problems)
    if rows is None:
        return DEFAULT_BANDS
    report = _Collector(problems, sheets.BANDS_SHEET)
    bands: list[PredikatBand] = []
    bounds: dict[float, str] = {}
    open_rows: list[Row] = []
    for row in rows:
        if not row.text("label"):
            report.add(row.cell("label"), "'Predikat' wajib diisi")
            continue
        if row.value("above") in (None, ""):
            open_rows.append(row)
            bands.append(PredikatBand(row.text("label"), None))
            continue
        above = _signed_number(row.value("above"), row.cell("above"), report)
        if above is None:
            continue
        if above in bounds:
            report.add(row.cell("above"), f"batas {_show(above)} sudah dipakai '{bounds[above]}'")
            continue
        bounds[above] = row.text("label")
        bands.append(PredikatBand(row.text("label"), above))
    if len(open_rows) != 1 and rows:
        cell = open_rows[1].cell("above") if open_rows else "B2"
        report.add(
            cell,
            "tepat satu predikat (yang terendah) harus dikosongkan batasnya, "
            f"tertulis {len(open_rows)}",
        )
    if not rows:
        report.add("A2", "belum ada predikat; hapus lembar ini untuk memakai predikat bawaan")
    return tuple(sorted(bands, key=lambda b: -b.above if b.above is not None else math.inf))


def _signed_number(
    value: Any, cell: str, report: _Collector, label: str = "batas capaian"
) -> float | None:
    try:
        number, _ = parse_number(value)
    except NotANumber:
        report.add(cell, f"{label} harus angka, tertulis {value!r}")
        return None
    return number


def _budget(workbook: Workbook, codes: set[str], problems: list[Problem]) -> tuple[BudgetLine, ...]:
    """The Anggaran sheet (pagu and realisasi per division and program); absent = none."""
    if sheets.BUDGET_SHEET not in workbook.sheetnames:
        return ()
    rows = _rows(workbook, sheets.BUDGET_SHEET, sheets.BUDGET_COLUMNS, problems) or []
    report = _Collector(problems, sheets.BUDGET_SHEET)
    lines: list[BudgetLine] = []
    for row in rows:
        ok = _required(row, ("division", "program"), sheets.BUDGET_COLUMNS, report)
        division = row.text("division")
        if division and division not in codes:
            report.add(row.cell("division"), f"bidang '{division}' tidak ada di lembar Bidang")
            ok = False
        ceiling = _number(row.value("ceiling"), row.cell("ceiling"), report, "Pagu", required=True)
        spent = _number(row.value("spent"), row.cell("spent"), report, "Realisasi", required=True)
        if ceiling is not None and spent is not None and spent > ceiling:
            report.add(
                row.cell("spent"),
                f"realisasi ({format_number(spent)}) melebihi pagu ({format_number(ceiling)})",
            )
            ok = False
        if ok and ceiling is not None and spent is not None:
            lines.append(BudgetLine(division, row.text("program"), ceiling, spent))
    return tuple(lines)


def _consistent(
    annual: float, quarters: list[float], aggregation: Aggregation, row: Row, report: _Collector
) -> bool:
    if aggregation is Aggregation.CUMULATIVE and not math.isclose(
        sum(quarters), annual, rel_tol=TARGET_TOLERANCE, abs_tol=TARGET_TOLERANCE
    ):
        report.add(
            row.cell("annual_target"),
            f"agregasi Kumulatif: jumlah target TW I-IV ({_show(sum(quarters))}) "
            f"harus sama dengan target tahunan ({_show(annual)})",
        )
        return False
    if aggregation is Aggregation.LAST_POSITION and not math.isclose(
        quarters[3], annual, rel_tol=TARGET_TOLERANCE, abs_tol=TARGET_TOLERANCE
    ):
        report.add(
            row.cell("q4"),
            f"agregasi Posisi Akhir: target TW IV ({_show(quarters[3])}) "
            f"harus sama dengan target tahunan ({_show(annual)})",
        )
        return False
    return True


def _show(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _required(
    row: Row, keys: Iterable[str], columns: Iterable[sheets.Column], report: _Collector
) -> bool:
    headers = {column.key: column.header for column in columns}
    missing = [key for key in keys if not row.text(key)]
    for key in missing:
        report.add(row.cell(key), f"'{headers[key]}' wajib diisi")
    return not missing


def _choice(row: Row, key: str, kind: Callable[[str], Any], report: _Collector) -> Any:
    text = row.text(key)
    if not text:
        return None  # already reported as missing
    for member in kind:  # type: ignore[attr-defined]
        if member.value.lower() == text.lower():
            return member
    allowed = " atau ".join(member.value for member in kind)  # type: ignore[attr-defined]
    report.add(row.cell(key), f"'{text}' tidak dikenal; pilih {allowed}")
    return None


def _number(
    value: Any, cell: str, report: _Collector, label: str, *, required: bool = False
) -> float | None:
    if value in (None, ""):
        if required:
            report.add(cell, f"'{label}' wajib diisi dengan angka")
        return None
    try:
        number, _ = parse_number(value)
    except AmbiguousNumber as unclear:
        first, second = (_show(n) for n in unclear.readings)
        report.add(cell, f"'{label}' tertulis {value!r}: bisa {first} atau {second}; ketik tanpa "
                   "pemisah ribuan")  # fmt: skip
        return None
    except NotANumber:
        report.add(cell, f"'{label}' harus angka, tertulis {value!r}")
        return None
    if number < 0:
        report.add(cell, f"'{label}' tidak boleh negatif ({_show(number)})")
        return None
    return number


def _integer(value: Any, cell: str, report: _Collector, label: str) -> int | None:
    number = _number(value, cell, report, label)
    if number is None:
        return None
    if not number.is_integer() or not 2000 <= number <= 2100:
        report.add(cell, f"'{label}' harus tahun empat angka, tertulis {value!r}")
        return None
    return int(number)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
