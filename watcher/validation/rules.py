"""Content rules: a submitted rencana aksi workbook against its template and the master data.

Pure functions over the plain values of `reader.Workbook`. Capaian is recomputed from target and
realisation; values cached in the file are never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watcher.masterdata.model import Indicator, MasterData
from watcher.masterdata.numbers import NotANumber, parse_number
from watcher.sop.model import RuleSet
from watcher.sop.period import QUARTERLY, Period
from watcher.validation.cell_rules import check_row, stray_errors, stray_formulas, targets_of
from watcher.validation.findings import Finding, Result, Severity
from watcher.workbook.layout import METADATA_KIND, Layout
from watcher.workbook.read import Workbook

ERROR, WARNING = Severity.ERROR, Severity.WARNING
NEW_WORKBOOK = (
    "Minta buku kerja baru dari folder disposisi bidang Anda dan salin isian Anda ke sana."
)


@dataclass(frozen=True)
class Expectation:
    """What the place a file was saved in says about it."""

    step: int  # the SOP step whose rules apply (a check applies its producer's)
    rules: RuleSet = RuleSet.REPORT
    division: str | None = None  # the division folder it was saved in
    open_periods: frozenset[tuple[int, int]] | None = None  # (year, period) being collected
    period: Period = QUARTERLY


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
    identity = _identity(book, master, layout, findings, expect.period)
    if identity is None:
        return Result(name, expect.step, tuple(findings))
    _placement(identity, expect, findings, layout)
    values = _table(book, master, layout, identity, expect, findings)
    return Result(
        name,
        expect.step,
        tuple(findings),
        division=identity.division,
        year=identity.year,
        quarter=identity.quarter,
        values=values,
        kabid_note=_note(book, master, layout, identity),
        period_label=expect.period.label(identity.quarter),
    )


def _meta_finding(message: str, rule: str, layout: Layout) -> Finding:
    return Finding(ERROR, rule, message, NEW_WORKBOOK, sheet=layout.metadata_sheet)


def _identity(
    book: Workbook, master: MasterData, layout: Layout, findings: list[Finding], period: Period
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
    year = _whole(meta.get("tahun"))
    quarter = _whole(meta.get("periode", meta.get("triwulan")))
    if not any(d.code == code for d in master.divisions):
        findings.append(
            _meta_finding(
                f"Kode bidang {code!r} di buku kerja tidak ada di data induk.",
                "template.unknown_division",
                layout,
            )
        )
        return None
    if year is None or quarter not in range(1, period.count + 1):
        findings.append(
            _meta_finding(
                "Tahun atau periode di metadata buku kerja rusak.", "template.bad_period", layout
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
        label = expect.period.label
        open_names = ", ".join(f"{label(q)} {y}" for y, q in sorted(expect.open_periods))
        findings.append(
            Finding(
                ERROR,
                "place.wrong_quarter",
                f"Buku kerja ini untuk {label(identity.quarter)} {identity.year}, "
                f"sedangkan yang sedang dikumpulkan: {open_names or 'tidak ada'}.",
                "Pakai buku kerja periode yang sedang dikumpulkan dari folder disposisi bidang.",
                sheet=layout.metadata_sheet,
            )
        )


def _table(
    book: Workbook,
    master: MasterData,
    layout: Layout,
    identity: Identity,
    expect: Expectation,
    findings: list[Finding],
) -> dict[str, dict[str, Any]]:
    expected = master.indicators_of(identity.division)
    found = _rows_by_code(book, layout, len(expected))
    _row_structure(expected, found, layout, findings)
    settings = master.settings
    values: dict[str, dict[str, Any]] = {}
    targets = targets_of(expected, expect.period, identity.quarter)
    for indicator in expected:
        if indicator.code in found:
            row = found[indicator.code]
            values[indicator.code] = check_row(
                book, layout, indicator, row, targets[indicator.code], expect.rules, settings,
                findings,
            )  # fmt: skip
    stray_errors(book, layout, found, findings)
    stray_formulas(book, layout, found, findings)
    return values


def _rows_by_code(book: Workbook, layout: Layout, count: int) -> dict[str, int]:
    """Indicator code -> sheet row, for the table rows (up to the checker's note)."""
    code_col = layout.column("code").index
    label_col = ord(layout.note_label_column) - ord("A") + 1
    found: dict[str, int] = {}
    row = layout.rows["first_data"]
    limit = row + max(count, 1) + 200  # a table never legitimately grows past this
    while row < min(limit, len(book.grid) + 1):
        if layout.is_note_title(book.value(row, label_col)):
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


def _note(book: Workbook, master: MasterData, layout: Layout, identity: Identity) -> str:
    row = layout.note_row(len(master.indicators_of(identity.division)))
    column = ord(layout.note_column) - ord("A") + 1
    return str(book.value(row, column) or "").strip()
