"""Content rules: a submitted rencana aksi workbook against its template and the master data.

Pure functions over the plain values of `reader.Workbook`. Capaian is recomputed from target and
realisation; values cached in the file are never trusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from watcher.capaian import capaian
from watcher.layout import METADATA_KIND, TEXT_MAX_LENGTH, Layout
from watcher.master import Indicator, MasterData, quarter_name
from watcher.numbers import NotANumber, format_number, parse_number
from watcher.reader import Workbook
from watcher.validation.findings import Finding, Result, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING
FORMULA_PREFIXES = ("=", "+", "-", "@")  # text a spreadsheet could take for a formula
NEW_WORKBOOK = "Minta buku kerja baru dari folder 1_disposisi dan salin isian Anda ke sana."


@dataclass(frozen=True)
class Expectation:
    """What the place a file was saved in says about it."""

    step: int  # 3 (material) or 4 (report)
    division: str | None = None  # the division folder it was saved in
    open_periods: frozenset[tuple[int, int]] | None = None  # (year, quarter) being collected


@dataclass(frozen=True)
class Identity:
    division: str
    year: int
    quarter: int


def check(
    book: Workbook, master: MasterData, layout: Layout, expect: Expectation, *, name: str = ""
) -> Result:
    """Every finding about the workbook's content, with its identity and recomputed values."""
    findings: list[Finding] = []
    identity = _identity(book, master, layout, findings)
    if identity is None:
        return Result(name, expect.step, tuple(findings))
    _placement(identity, expect, findings, layout)
    values = _table(book, master, layout, identity, expect.step, findings)
    return Result(
        name,
        expect.step,
        tuple(findings),
        division=identity.division,
        year=identity.year,
        quarter=identity.quarter,
        values=values,
        kabid_note=_note(book, master, layout, identity),
    )


def _meta_finding(message: str, rule: str, layout: Layout) -> Finding:
    return Finding(ERROR, rule, message, NEW_WORKBOOK, sheet=layout.metadata_sheet)


def _identity(
    book: Workbook, master: MasterData, layout: Layout, findings: list[Finding]
) -> Identity | None:
    meta = book.metadata
    if meta.get("jenis") != METADATA_KIND:
        findings.append(
            _meta_finding(
                "Ini bukan buku kerja rencana aksi kinerja (lembar metadata tidak ada atau rusak).",
                "template.not_rencana_aksi",
                layout,
            )
        )
        return None
    if meta.get("versi_templat") != layout.version:
        findings.append(
            _meta_finding(
                f"Versi templat buku kerja ini {meta.get('versi_templat')!r}, "
                f"sedangkan yang berlaku "
                f"{layout.version!r}.",
                "template.version",
                layout,
            )
        )
        return None
    code = str(meta.get("kode_bidang", "")).strip()
    year, quarter = _whole(meta.get("tahun")), _whole(meta.get("triwulan"))
    if not any(d.code == code for d in master.divisions):
        findings.append(
            _meta_finding(
                f"Kode bidang {code!r} di buku kerja tidak ada di data induk.",
                "template.unknown_division",
                layout,
            )
        )
        return None
    if year is None or quarter not in (1, 2, 3, 4):
        findings.append(
            _meta_finding(
                "Tahun atau triwulan di metadata buku kerja rusak.", "template.bad_period", layout
            )
        )
        return None
    if layout.main_sheet not in book.sheet_names:
        findings.append(
            Finding(
                ERROR,
                "template.missing_sheet",
                f"Lembar '{layout.main_sheet}' tidak ada; mungkin namanya diubah.",
                f"Kembalikan nama lembar menjadi '{layout.main_sheet}'.",
                sheet=layout.main_sheet,
            )
        )
        return None
    return Identity(code, year, quarter)


def _whole(value: Any) -> int | None:
    try:
        number, _ = parse_number(value)
    except NotANumber:
        return None
    return int(number) if number.is_integer() else None


def _placement(
    identity: Identity, expect: Expectation, findings: list[Finding], layout: Layout
) -> None:
    if expect.division is not None and identity.division != expect.division:
        findings.append(
            Finding(
                ERROR,
                "place.wrong_division",
                f"Buku kerja bidang {identity.division} disimpan di folder bidang "
                f"{expect.division}.",
                f"Simpan buku kerja ini di folder bidang {identity.division}.",
                sheet=layout.metadata_sheet,
            )
        )
    period = (identity.year, identity.quarter)
    if expect.open_periods is not None and period not in expect.open_periods:
        open_names = ", ".join(
            f"Triwulan {quarter_name(q)} {y}" for y, q in sorted(expect.open_periods)
        )
        findings.append(
            Finding(
                ERROR,
                "place.wrong_quarter",
                f"Buku kerja ini untuk Triwulan {quarter_name(identity.quarter)} {identity.year}, "
                f"sedangkan yang sedang dikumpulkan: {open_names or 'tidak ada'}.",
                "Pakai buku kerja triwulan yang sedang dikumpulkan dari folder 1_disposisi.",
                sheet=layout.metadata_sheet,
            )
        )


def _table(
    book: Workbook,
    master: MasterData,
    layout: Layout,
    identity: Identity,
    step: int,
    findings: list[Finding],
) -> dict[str, dict[str, Any]]:
    expected = master.indicators_of(identity.division)
    found = _rows_by_code(book, layout, len(expected))
    _row_structure(expected, found, layout, findings)
    threshold = master.settings.follow_up_threshold
    values: dict[str, dict[str, Any]] = {}
    for indicator in expected:
        if indicator.code in found:
            row = found[indicator.code]
            values[indicator.code] = _row(
                book, layout, indicator, row, identity.quarter, step, threshold, findings
            )
    _stray_errors(book, layout, found, findings)
    return values


def _rows_by_code(book: Workbook, layout: Layout, count: int) -> dict[str, int]:
    """Indicator code -> sheet row, for the table rows (up to the Kabid note or a gap)."""
    code_col = layout.column("code").index
    label_col = ord(layout.note_label_column) - ord("A") + 1
    found: dict[str, int] = {}
    row = layout.rows["first_data"]
    limit = row + max(count, 1) + 200  # a table never legitimately grows past this
    while row < min(limit, len(book.grid) + 1):
        if str(book.value(row, label_col)).strip() == layout.note_label:
            break
        code = str(book.value(row, code_col)).strip()
        if code and code not in found:
            found[code] = row
        row += 1
    return found


def _row_structure(
    expected: tuple[Indicator, ...], found: dict[str, int], layout: Layout, findings: list[Finding]
) -> None:
    code_col, first = layout.column("code").letter, layout.rows["first_data"]
    known = {indicator.code for indicator in expected}
    for position, indicator in enumerate(expected):
        if indicator.code not in found:
            findings.append(
                Finding(
                    ERROR,
                    "table.row_missing",
                    f"Baris indikator {indicator.code} ({indicator.name}) hilang dari tabel.",
                    NEW_WORKBOOK,
                    sheet=layout.main_sheet,
                    cell=f"{code_col}{first + position}",
                )
            )
    for code, row in found.items():
        if code not in known:
            findings.append(
                Finding(
                    ERROR,
                    "table.row_added",
                    f"Baris {row} berisi indikator {code!r} yang tidak ada di data induk "
                    "bidang ini.",
                    "Hapus baris tambahan itu; indikator hanya ditambah lewat data induk.",
                    sheet=layout.main_sheet,
                    cell=f"{code_col}{row}",
                )
            )
    order = [code for code in found if code in known]
    if order != [i.code for i in expected if i.code in found]:
        findings.append(
            Finding(
                ERROR,
                "table.row_order",
                "Urutan baris indikator berubah dari templat.",
                "Kembalikan urutan baris seperti semula.",
                sheet=layout.main_sheet,
                cell=f"{code_col}{first}",
            )
        )
    else:
        for position, code in enumerate(order):
            if found[code] != first + position:
                findings.append(
                    Finding(
                        ERROR,
                        "table.row_moved",
                        f"Baris indikator {code} bergeser (ada baris disisipkan atau dihapus).",
                        NEW_WORKBOOK,
                        sheet=layout.main_sheet,
                        cell=f"{code_col}{found[code]}",
                    )
                )
                break


def _row(
    book: Workbook,
    layout: Layout,
    indicator: Indicator,
    row: int,
    quarter: int,
    step: int,
    threshold: float,
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
        ("target", indicator.target(quarter), f"Target TW {quarter_name(quarter)}"),
        ("annual_target", indicator.annual_target, "Target tahunan"),
    ):
        _target(cell(key), expected, label, indicator, add)
    realisation = _realisation(book, cell("realisation"), indicator, add)
    result = capaian(indicator.target(quarter), realisation, indicator.polarity)
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
    if step >= 4 and result is not None and result < threshold:
        for key, label in (("kendala", "Kendala"), ("follow_up", "Tindak lanjut")):
            if not texts[key]:
                add(
                    ERROR,
                    f"step4.{key}_missing",
                    f"Capaian {indicator.code} {format_number(round(result, 2))}% di bawah "
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
    if value in ("", None):
        add(
            ERROR,
            "table.realisation_missing",
            f"Realisasi {indicator.code} belum diisi.",
            "Isi angka realisasi triwulan ini.",
            address,
        )
        return None
    try:
        number, from_text = parse_number(value)
    except NotANumber:
        add(
            ERROR,
            "table.not_a_number",
            f"Realisasi {indicator.code} bukan angka: {value!r}.",
            "Isi dengan angka saja, tanpa huruf atau satuan.",
            address,
        )
        return None
    if from_text:
        add(
            WARNING,
            "table.number_as_text",
            f"Realisasi {indicator.code} tertulis sebagai teks {value!r}; dibaca sebagai "
            f"{format_number(number)}.",
            "Ketik ulang sebagai angka agar Excel menghitung capaiannya.",
            address,
        )
    if number < 0:
        add(
            ERROR,
            "table.negative",
            f"Realisasi {indicator.code} negatif ({format_number(number)}).",
            "Realisasi tidak boleh kurang dari 0.",
            address,
        )
        return None
    if indicator.is_percentage and number > 100:
        add(
            ERROR,
            "table.percent_bounds",
            f"Realisasi {indicator.code} {format_number(number)}% melebihi 100%.",
            "Periksa kembali pembilang dan penyebutnya.",
            address,
        )
        return None
    return number


def _text(
    book: Workbook, found: tuple[Any, str], label: str, indicator: Indicator, add: Any
) -> str:
    value, address = found
    if address in book.formula_cells:
        add(
            ERROR,
            "table.formula_in_input",
            f"Sel {label} indikator {indicator.code} berisi rumus.",
            "Isi dengan teks biasa, bukan rumus.",
            address,
        )
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


def _stray_errors(
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


def _note(book: Workbook, master: MasterData, layout: Layout, identity: Identity) -> str:
    row = layout.note_row(len(master.indicators_of(identity.division)))
    column = ord(layout.note_column) - ord("A") + 1
    return str(book.value(row, column) or "").strip()
