"""Every printed row adds up: a reviewer recomputing a row from its own cells gets its capaian.

One office lives through 2026 with the awkward cases in it: CAPIL's second quarter and
DAFDUK's fourth are never approved, DAF-04 (lower is better) is assessed as T/R, PIAK-04 (lower
is better, cumulative) has a zero target in the third quarter and a realisation above twice its
target in the first, PDIP-04 has zero targets and a cap of 120. Each quarter's report and the
LKjIP are built, and every row of every table is recomputed from the cells printed on it,
under the indicator's rule and the legend's, never from the figures the code kept.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.report_rows import check, table
from support.reports_office import WITA, approve, office

from watcher.masterdata.capaian import predikat
from watcher.masterdata.load import load_master
from watcher.masterdata.model import Aggregation, MasterData, MinimalFormula, quarter_name
from watcher.masterdata.write import write_master
from watcher.reports.commands import run_annual, run_export, run_period
from watcher.service.tree import Tree

TYPED = {
    "SEKRETARIAT": {1: [70, 82, 20, 100], 2: [70, 83, 45, 100], 3: [70, 84, 35, 100],
                    4: [72, 83.9, 95, 100]},
    "DAFDUK": {1: [98.9, 98.5, 1100, 1.8], 2: [99.1, 98.7, 1250, 1.5], 3: [99.3, 98.8, 1180, 1.8]},
    "CAPIL": {1: [96.6, 29.5, 140, 95], 3: [97.6, 33, 160, 85.5], 4: [98.1, 35.2, 150, 96]},
    "PIAK": {1: [16, 41, 99.2, 5], 2: [21, 46, 99.1, 1], 3: [26, 50.5, 99.5, 0],
             4: [31, 55.5, 99.6, 5]},
    "PDIP": {1: [18, 1, 25, 0], 2: [20, 1, 50, 1], 3: [22, 1, 75, 1], 4: [25, 1, 100, 1]},
}  # fmt: skip
KENDALA = {"kendala": "Jaringan SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}


def awkward_master(tree: Tree) -> MasterData:
    master = load_master(tree.master_path)
    changed = {
        "DAF-04": {"minimal_formula": MinimalFormula.INVERSE},
        "PIAK-04": {"quarter_targets": (2.0, 2.0, 0.0, 4.0)},
        "PDIP-04": {"cap": 120.0},
    }
    indicators = tuple(dataclasses.replace(i, **changed.get(i.code, {})) for i in master.indicators)
    master = dataclasses.replace(master, indicators=indicators)
    write_master(master, tree.master_path)
    return load_master(tree.master_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, MasterData, dict[str, Path]]:
    tree = office(tmp_path_factory.mktemp("awkward") / "kantor")
    master = awkward_master(tree)
    for code, by_quarter in TYPED.items():
        for quarter, values in sorted(by_quarter.items()):
            approve(tree, code, 2026, quarter, values, **KENDALA)
    books: dict[str, Path] = {}
    for quarter in (1, 2, 3, 4):
        moment = datetime(2026 + (quarter == 4), quarter * 3 % 12 + 1, 20, 10, tzinfo=WITA)
        written = run_period(tree, 2026, quarter, now=lambda m=moment: m, pdf=False)
        books[f"TW{quarter}"] = next(p for p in written if p.suffix == ".xlsx")
    annual = run_annual(tree, 2026, now=lambda: datetime(2027, 1, 25, 10, tzinfo=WITA), pdf=False)
    books["LKjIP"] = next(p for p in annual if p.suffix == ".xlsx")
    return tree, master, books


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_every_quarterly_row_adds_up(built: tuple, quarter: int) -> None:
    _, master, books = built
    tw = f"TW {quarter_name(quarter)}"
    workbook = load_workbook(books[f"TW{quarter}"])
    sheets = [("Ringkasan", 6)] + [(n, 8) for n in workbook.sheetnames[1:-2]]
    checked = 0
    for sheet, header_row in sheets:
        for row in table(books[f"TW{quarter}"], sheet, header_row):
            value = check(row, master, f"Target {tw}", f"Realisasi {tw}", f"Capaian {tw} (%)")
            if isinstance(value, float):
                assert row["Predikat"] == predikat(value, master.bands), row["Kode"]
            check(
                row, master, f"Target s.d. {tw}", f"Realisasi s.d. {tw}", f"Capaian s.d. {tw} (%)"
            )
            checked += 1
    assert checked == 2 * len(master.indicators)  # the summary and the division sheets


def test_every_lkjip_row_adds_up_from_its_own_quarters(built: tuple) -> None:
    _, master, books = built
    rows = table(books["LKjIP"], "Capaian Tahunan", 6)
    assert len(rows) == len(master.indicators)
    for row in rows:
        value = check(row, master, "Target Pembanding", "Realisasi Tahunan", "Capaian (%)")
        assert row["Predikat"] == (
            predikat(value, master.bands) if isinstance(value, float) else "-"
        )
        indicator = next(i for i in master.indicators if i.code == row["Kode"])
        present = [q for q in (1, 2, 3, 4) if row[f"Realisasi TW {quarter_name(q)}"] is not None]
        targets = [row[f"Target TW {quarter_name(q)}"] for q in present]
        reals = [row[f"Realisasi TW {quarter_name(q)}"] for q in present]
        if indicator.aggregation is Aggregation.CUMULATIVE:
            assert row["Target Pembanding"] == pytest.approx(sum(targets)), row["Kode"]
            assert row["Realisasi Tahunan"] == pytest.approx(sum(reals)), row["Kode"]
        else:
            assert (row["Target Pembanding"], row["Realisasi Tahunan"]) == (targets[-1], reals[-1])
        if len(present) < 4:
            missing = [f"TW {quarter_name(q)}" for q in (1, 2, 3, 4) if q not in present]
            assert ", ".join(missing) in str(row["Keterangan"]), row["Kode"]
        if row["Target Akhir Renstra"] is not None:
            check(
                row, master, "Target Akhir Renstra", "Realisasi Tahunan", "Capaian thd Renstra (%)"
            )


AWKWARD = [
    # the issue's own row: Q4 missing, last position, so the compared target is Q3's 84
    pytest.param("SEK-02", 4, 85.0, 85.0, 83.9, 98.71, id="sek02_all_quarters_83.9_of_85"),
    pytest.param("DAF-01", 4, 99.4, 99.2, 99.3, 100.1, id="daf01_q4_missing_q3_target"),
    pytest.param("DAF-03", 4, 4800.0, 3600.0, 3530.0, 98.06, id="daf03_cumulative_without_q4"),
    pytest.param("CAP-03", 4, 600.0, 450.0, 450.0, 100.0, id="cap03_cumulative_without_q2"),
    pytest.param("PIAK-04", 4, 8.0, 8.0, 11.0, 62.5, id="piak04_minimal_cumulative"),
    pytest.param("PDIP-04", 4, 2.0, 2.0, 3.0, 120.0, id="pdip04_capped_120"),
]


@pytest.mark.parametrize(("code", "_", "annual", "compared", "real", "expected"), AWKWARD)
def test_the_awkward_rows_by_hand(
    built: tuple, code: str, _: int, annual: float, compared: float, real: float, expected: float
) -> None:
    rows = {row["Kode"]: row for row in table(built[2]["LKjIP"], "Capaian Tahunan", 6)}
    row = rows[code]
    assert (row["Target Tahunan"], row["Target Pembanding"]) == (annual, compared)
    assert (row["Realisasi Tahunan"], row["Capaian (%)"]) == (pytest.approx(real), expected)


QUARTER_CASES = [
    pytest.param(1, "PIAK-04", 2, 5, 0.0, id="minimal_beyond_twice_target_floored_at_0"),
    pytest.param(3, "PIAK-04", 0, 0, 100.0, id="minimal_zero_target_met"),
    pytest.param(1, "PDIP-04", 0, 0, 100.0, id="maximal_zero_target_met"),
    pytest.param(2, "DAF-04", 1.5, 1.5, 100.0, id="inverse_on_target"),
]


@pytest.mark.parametrize(("quarter", "code", "target", "real", "expected"), QUARTER_CASES)
def test_the_awkward_quarters_by_hand(
    built: tuple, quarter: int, code: str, target: float, real: float, expected: float
) -> None:
    tw = f"TW {quarter_name(quarter)}"
    rows = {row["Kode"]: row for row in table(built[2][f"TW{quarter}"], "Ringkasan", 6)}
    row = rows[code]
    assert (row[f"Target {tw}"], row[f"Realisasi {tw}"]) == (target, real)
    assert row[f"Capaian {tw} (%)"] == expected


def test_the_dataset_is_one_tidy_table_with_the_reports_figures(built: tuple) -> None:
    tree, master, books = built

    csv_path, xlsx_path = run_export(tree, [2026])

    assert (csv_path.name, xlsx_path.name) == ("Data_Kinerja_2026.csv", "Data_Kinerja_2026.xlsx")
    frame = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig")
    assert len(frame) == len(master.indicators) * 5  # four quarters and the year
    assert not frame.duplicated(["tahun", "kode_bidang", "kode_indikator", "periode"]).any()
    year = frame[frame["periode"] == "Tahunan"].set_index("kode_indikator")
    for row in table(books["LKjIP"], "Capaian Tahunan", 6):
        code = row["Kode"]
        assert year.loc[code, "target"] == pytest.approx(row["Target Pembanding"]), code
        assert year.loc[code, "realisasi"] == pytest.approx(row["Realisasi Tahunan"]), code
        assert year.loc[code, "capaian"] == pytest.approx(row["Capaian (%)"]), code
    gap = frame[(frame["kode_bidang"] == "CAPIL") & (frame["periode"] == "TW II")]
    assert set(gap["status"]) == {"Belum disetujui"} and gap["realisasi"].isna().all()
    approved = frame[(frame["kode_bidang"] == "DAFDUK") & (frame["periode"] == "TW I")]
    assert set(approved["status"]) == {"Disetujui"}
    assert approved["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert year.loc["CAP-03", "status"] == "Tanpa TW II"
    sheet = load_workbook(xlsx_path)["Data"]
    assert load_workbook(xlsx_path).sheetnames == ["Data"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert sheet.max_row == len(frame) + 1
    from_xlsx = pd.read_excel(xlsx_path, sheet_name="Data", engine="calamine")
    assert list(from_xlsx.columns) == list(frame.columns)
    assert from_xlsx["disetujui_wita"].dropna().map(type).eq(pd.Timestamp).all()
