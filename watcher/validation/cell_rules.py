"""Cell rules for one indicator row of a submitted workbook: targets unchanged, realisation
present, numeric and plausible, texts safe and bounded, the report's kendala and tindak
lanjut, error values, and formulas only where the template has its own.

Pure functions over `reader.Workbook`; findings are appended to the list they are given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from watcher.masterdata.capaian import indicator_capaian
from watcher.masterdata.model import Indicator, Settings, period_target
from watcher.masterdata.numbers import (
    AmbiguousNumber,
    NotANumber,
    UnitMismatch,
    format_number,
    parse_number,
    read_quantity,
)
from watcher.sop.model import RuleSet
from watcher.sop.period import Period
from watcher.validation.findings import Finding, Severity
from watcher.workbook.layout import TEXT_MAX_LENGTH, Layout
from watcher.workbook.read import Workbook

ERROR, WARNING = Severity.ERROR, Severity.WARNING
FORMULA_PREFIXES = ("=", "+", "-", "@")  # text a spreadsheet could take for a formula
# No realisation a Disdukcapil reports comes near ten trillion: counts of people or documents
# stay under a million, and a whole kabupaten's yearly budget in rupiah is ~1.5e12. Past it a
# number is a slip or an attack (1.79e308 overflows the capaian to inf: a report showed
# "-inf%"); below it a float still holds every rupiah and two decimals exactly.
MAX_MAGNITUDE = 1e13


@dataclass(frozen=True)
class Target:
    """The period's target of one indicator, and how messages name it ("Target TW III")."""

    value: float
    label: str


def targets_of(indicators: tuple[Indicator, ...], period: Period, index: int) -> dict[str, Target]:
    """Each indicator's target for period `index`, by code (one label for them all)."""
    label = f"Target {period.short_label(index)}"
    return {i.code: Target(period_target(i, period, index), label) for i in indicators}


def check_row(
    book: Workbook,
    layout: Layout,
    indicator: Indicator,
    row: int,
    target: Target,
    rules: RuleSet,
    settings: Settings,
    findings: list[Finding],
) -> dict[str, Any]:
    def cell(key: str) -> tuple[Any, str]:
        column = layout.column(key)
        return book.value(row, column.index), f"{column.letter}{row}"

    def add(severity: Severity, rule: str, message: str, action: str, address: str) -> None:
        findings.append(Finding(severity, rule, message, action, layout.main_sheet, address))

    name, address = cell("indicator")
    if str(name).strip() != indicator.name:
        add(
            ERROR,
            "table.name_edited",
            f"Nama indikator {indicator.code} diubah menjadi {name!r}.",
            f"Kembalikan menjadi {indicator.name!r}.",
            address,
        )
    for key, expected, label in (
        ("target", target.value, target.label),
        ("annual_target", indicator.annual_target, "Target tahunan"),
    ):
        _target(cell(key), expected, label, indicator, add)
    realisation = _realisation(book, cell("realisation"), indicator, add)
    result = indicator_capaian(indicator, target.value, realisation, settings.capaian_rules)
    threshold = settings.follow_up_threshold
    texts = {
        key: _text(book, cell(key), layout.column(key).header, indicator, add)
        for key in ("kendala", "follow_up")
    }
    status = _text(book, cell("status"), layout.column("status").header, indicator, add)
    choices = layout.column("status").choices
    if status and status not in choices:
        add(
            WARNING,
            "table.status_choice",
            f"Status data {status!r} untuk {indicator.code} tidak dikenal.",
            f"Pilih salah satu: {', '.join(choices)}.",
            cell("status")[1],
        )
    if rules is RuleSet.REPORT and result is not None and result < threshold:
        for key, label in (("kendala", "Kendala"), ("follow_up", "Tindak lanjut")):
            if not texts[key]:
                add(
                    ERROR,
                    f"step4.{key}_missing",
                    f"Capaian {indicator.code} {format_number(result)}% di bawah "
                    f"{format_number(threshold)}%: {label.lower()} wajib diisi.",
                    f"Isi kolom {label} untuk indikator ini.",
                    cell(key)[1],
                )
    return {"realisation": realisation, "capaian": result, "status": status, **texts}


def _target(
    found: tuple[Any, str], expected: float, label: str, indicator: Indicator, add: Any
) -> None:
    value, address = found
    try:
        number, _ = parse_number(value)
    except NotANumber:
        number = math.nan
    if not math.isclose(number, expected, rel_tol=1e-9, abs_tol=1e-9):
        shown = format_number(number) if math.isfinite(number) else repr(value)
        add(
            ERROR,
            "table.target_edited",
            f"{label} indikator {indicator.code} diubah dari {format_number(expected)} "
            f"menjadi {shown}.",
            f"Kembalikan menjadi {format_number(expected)}; target hanya diubah lewat data induk.",
            address,
        )


def _realisation(
    book: Workbook, found: tuple[Any, str], indicator: Indicator, add: Any
) -> float | None:
    value, address = found
    if address in book.error_cells:
        add(
            ERROR,
            "table.formula_error",
            f"Realisasi {indicator.code} berisi nilai galat {book.error_cells[address]}.",
            "Ganti rumusnya dengan angka realisasi.",
            address,
        )
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return _out_of_range(indicator, value, address, add)
    if value in ("", None):
        add(
            ERROR,
            "table.realisation_missing",
            f"Realisasi {indicator.code} belum diisi.",
            "Isi angka realisasi triwulan ini.",
            address,
        )
        return None
    percent_format = address in book.percent_cells
    try:
        number, from_text = read_quantity(
            value, percent_unit=indicator.is_percentage, percent_format=percent_format
        )
    except NotANumber as exc:
        _unreadable(exc, indicator, value, address, add)
        return None
    if not abs(number) <= MAX_MAGNITUDE:  # also catches NaN and inf read from text
        return _out_of_range(indicator, value, address, add)
    if from_text:
        add(
            WARNING,
            "table.number_as_text",
            f"Realisasi {indicator.code} tertulis sebagai teks {value!r}; dibaca sebagai "
            f"{format_number(number)}.",
            "Ketik ulang sebagai angka agar Excel menghitung capaiannya.",
            address,
        )
    elif percent_format:
        add(
            WARNING,
            "table.percent_format",
            f"Realisasi {indicator.code} diketik sebagai persen ({format_number(number)}%); "
            f"dibaca sebagai {format_number(number)}.",
            "Capaian di buku kerja ini bisa tampil keliru; ketik angkanya saja tanpa tanda %.",
            address,
        )
    low, high = indicator.plausible
    if number < low or (high is not None and number > high):
        allowed = (
            f"{format_number(low)} sampai {format_number(high)}"
            if high is not None
            else f"{format_number(low)} atau lebih"
        )
        add(
            ERROR,
            "table.implausible",
            f"Realisasi {indicator.code} {format_number(number)} {indicator.unit} di luar "
            f"rentang wajar ({allowed}).",
            "Periksa kembali pembilang dan penyebutnya; bila angka ini memang benar, minta "
            "Subbagian Perencanaan mengisi Realisasi Terendah/Tertinggi di data induk.",
            address,
        )
        return None
    return number


def _unreadable(exc: NotANumber, indicator: Indicator, value: Any, address: str, add: Any) -> None:
    """The finding for a realisation that is not one number in the indicator's unit."""
    if isinstance(exc, AmbiguousNumber):
        first, second = (format_number(n) for n in exc.readings)
        add(
            ERROR,
            "table.ambiguous_number",
            f"Realisasi {indicator.code} di sel {address} tertulis {exc.text!r}: bisa berarti "
            f"{first} atau {second}.",
            "Ketik angkanya tanpa pemisah ribuan (misalnya 1200 atau 1,2).",
            address,
        )
    elif isinstance(exc, UnitMismatch):
        add(
            ERROR,
            "table.unit_mismatch",
            f"Realisasi {indicator.code} di sel {address} tertulis sebagai persen ({exc}), "
            f"padahal satuannya {indicator.unit}.",
            f"Ketik jumlahnya dalam {indicator.unit}, tanpa tanda %.",
            address,
        )
    else:
        add(
            ERROR,
            "table.not_a_number",
            f"Realisasi {indicator.code} bukan angka: {value!r}.",
            "Isi dengan angka saja, tanpa huruf atau satuan.",
            address,
        )


def _out_of_range(indicator: Indicator, value: Any, address: str, add: Any) -> None:
    add(
        ERROR,
        "table.number_out_of_range",
        f"Realisasi {indicator.code} di sel {address} bukan angka yang wajar ({value!r}); "
        f"batasnya {format_number(MAX_MAGNITUDE)}.",
        "Isi dengan angka realisasi yang sebenarnya.",
        address,
    )


def _text(
    book: Workbook, found: tuple[Any, str], label: str, indicator: Indicator, add: Any
) -> str:
    value, address = found
    text = "" if value is None else str(value).strip()
    if len(text) > TEXT_MAX_LENGTH:
        add(
            ERROR,
            "table.text_too_long",
            f"Isian {label} indikator {indicator.code} terlalu panjang ({len(text)} karakter).",
            f"Ringkas menjadi paling banyak {TEXT_MAX_LENGTH} karakter.",
            address,
        )
        return text[:TEXT_MAX_LENGTH]
    if text.startswith(FORMULA_PREFIXES):
        add(
            WARNING,
            "table.formula_like_text",
            f"Isian {label} indikator {indicator.code} diawali '{text[0]}'; di laporan ditampilkan "
            "sebagai teks biasa, bukan rumus.",
            "Hapus tanda di awal bila tidak disengaja.",
            address,
        )
    return text


def stray_errors(
    book: Workbook, layout: Layout, found: dict[str, int], findings: list[Finding]
) -> None:
    realisation = layout.column("realisation").letter
    capaian_col = layout.column("capaian").letter
    rows = set(found.values())
    for address, error in sorted(book.error_cells.items()):
        letters = address.rstrip("0123456789")
        row = int(address[len(letters) :])
        if letters == realisation and row in rows:
            continue  # reported with its indicator
        severity = WARNING if letters == capaian_col else ERROR
        findings.append(
            Finding(
                severity,
                "table.formula_error",
                f"Sel {address} berisi nilai galat {error}.",
                "Capaian dihitung ulang oleh sistem; nilai ini diabaikan."
                if severity is WARNING
                else "Perbaiki atau kosongkan sel ini.",
                layout.main_sheet,
                address,
            )
        )


def stray_formulas(
    book: Workbook, layout: Layout, found: dict[str, int], findings: list[Finding]
) -> None:
    """A formula is allowed only in the template's own formula columns of the indicator rows.

    In an input cell it is reported with its indicator; anywhere else as outside the template.
    A formula whose cached value is an error is reported once, by `stray_errors` or the row.
    """
    code_of = {row: code for code, row in found.items()}
    columns = {column.letter: column for column in layout.columns}
    for address in sorted(book.formula_cells - book.error_cells.keys()):
        letters = address.rstrip("0123456789")
        row = int(address[len(letters) :])
        column = columns.get(letters)
        if column is not None and row in code_of and column.kind == "formula":
            continue
        if column is not None and row in code_of and column.is_input:
            message = f"Sel {column.header} indikator {code_of[row]} berisi rumus."
            rule, action = (
                "table.formula_in_input",
                "Isi dengan angka atau teks biasa, bukan rumus.",
            )
        else:
            message = f"Sel {address} berisi rumus di luar rumus templat."
            rule, action = "table.formula_outside_template", "Hapus rumus itu dari sel ini."
        findings.append(Finding(ERROR, rule, message, action, layout.main_sheet, address))
