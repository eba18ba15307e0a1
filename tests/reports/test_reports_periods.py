"""Reports for every SOP period: a monthly office's year, and a half-yearly SOP's first half.

The shipped monthly sample (a Sekretaris verifies, a Kepala Dinas approves, step 5 compiles in
"2 Hari" a month and "10 Hari" a year) lives through 2026: CAPIL's February, PDIP's March and
DAFDUK's December are never approved; the realisations run from 80 % to 105 % of each month's
target. March's and December's reports and the LKjIP are built, and every printed row is
recomputed from its own cells and from the LKjIP's month columns, never from the figures the
code kept. No text of these reports may name the Kabid: this office's approver is its Kepala
Dinas.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.report_rows import check, pdf_text, table
from support.reports_office import WITA, approve, office

from watcher.cli import main
from watcher.errors import UsageError
from watcher.masterdata.capaian import predikat
from watcher.masterdata.load import load_master
from watcher.masterdata.model import Aggregation, Indicator, MasterData, period_target
from watcher.record.store import Outcome, Store
from watcher.reports.auto import ReportListener
from watcher.reports.commands import run_annual, run_export, run_period
from watcher.service.tree import Tree
from watcher.sop.load import load_sop, sample_sop_path
from watcher.sop.model import Sop
from watcher.sop.period import Period

NEVER = {("CAPIL", 2), ("PDIP", 3), ("DAFDUK", 12)}  # (division, month) never approved
BUILT = {3: datetime(2026, 4, 20, 10, tzinfo=WITA), 12: datetime(2027, 1, 20, 10, tzinfo=WITA)}
YEAR_BUILT = datetime(2027, 1, 25, 10, tzinfo=WITA)
NOTE = "Realisasi IKD sudah dicocokkan dengan rekap SIAK."
TEXTS = {"kendala": "Jaringan SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}


def monthly_sop() -> Sop:
    return load_sop(sample_sop_path("sop_contoh_bulanan.toml"))


def typed(indicators: tuple[Indicator, ...], period: Period, index: int) -> list[float]:
    """What a division types for a period: 80 % to 105 % of each target, never past what the
    indicator's unit allows (a percentage stops at 100)."""
    values = []
    for position, indicator in enumerate(indicators):
        share = 0.8 + 0.05 * ((index + position) % 6)
        value = round(period_target(indicator, period, index) * share, 2)
        high = indicator.plausible[1]
        values.append(value if high is None else min(value, high))
    return values


def approve_periods(
    tree: Tree, sop: Sop, indices: Iterable[int], skip: Collection[tuple[str, int]] = ()
) -> None:
    """Every division's period approved (but those in `skip`), with kendala, tindak lanjut and
    the approver's note."""
    master = load_master(tree.master_path)
    for index in indices:
        for division in master.divisions:
            if (division.code, index) in skip:
                continue
            values = typed(master.indicators_of(division.code), sop.period, index)
            approve(tree, division.code, 2026, index, values, note=NOTE, sop=sop, **TEXTS)


@dataclass(frozen=True)
class Office:
    tree: Tree
    master: MasterData
    sop: Sop
    files: dict[object, list[Path]]  # 3, 12 (months) and "LKjIP" -> the files written

    def book(self, key: object) -> Path:
        return next(path for path in self.files[key] if path.suffix == ".xlsx")

    def indicator(self, code: object) -> Indicator:
        return next(i for i in self.master.indicators if i.code == code)


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory) -> Office:
    sop = monthly_sop()
    tree = office(tmp_path_factory.mktemp("bulanan") / "kantor", sop)
    approve_periods(tree, sop, sop.period.indices, NEVER)
    files: dict[object, list[Path]] = {}
    for index, moment in BUILT.items():
        files[index] = run_period(tree, 2026, index, now=lambda m=moment: m, pdf=index == 3)
    files["LKjIP"] = run_annual(tree, 2026, now=lambda: YEAR_BUILT)
    return Office(tree, load_master(tree.master_path), sop, files)


def test_each_month_has_its_own_folder_and_names(monthly: Office) -> None:
    outbox = monthly.tree.outbox
    assert [p.relative_to(outbox).as_posix() for p in monthly.files[3]] == [
        "bulanan/2026_B03/Laporan_Kinerja_B03_2026.xlsx",
        "bulanan/2026_B03/Laporan_Kinerja_B03_2026.pdf",
    ]
    assert monthly.book(12).relative_to(outbox).as_posix() == (
        "bulanan/2026_B12/Laporan_Kinerja_B12_2026.xlsx"
    )
    assert {p.name for p in monthly.files["LKjIP"]} == {
        "LKjIP_2026.xlsx", "LKjIP_2026.html", "LKjIP_2026.pdf"
    }  # fmt: skip
    assert not (outbox / "triwulan").exists()  # a monthly tree has no quarterly folder
    summary = load_workbook(monthly.book(3))["Ringkasan"]
    heading = [row[0] for row in summary.iter_rows(max_row=4, values_only=True)]
    assert heading[1] == "LAPORAN KINERJA BULAN MARET TAHUN 2026"
    assert str(heading[2]).startswith("Periode Maret 2026; disusun Senin, 20 April 2026")
    assert str(heading[2]).endswith("4 dari 5 bidang disetujui Kepala Dinas")


@pytest.mark.parametrize("index", [3, 12], ids=["maret", "desember"])
def test_every_monthly_row_adds_up(monthly: Office, index: int) -> None:
    """Each row's capaian from its own cells; its target is the month's (`period_target`);
    its "s.d." cells add up the months 1..index as the LKjIP prints them."""
    period, book = monthly.sop.period, monthly.book(index)
    month = period.short_label(index)
    lkjip = {str(r["Kode"]): r for r in table(monthly.book("LKjIP"), "Capaian Tahunan", 6)}
    sheets = [("Ringkasan", 6)] + [(n, 8) for n in load_workbook(book).sheetnames[1:-2]]
    checked = 0
    for sheet, header_row in sheets:
        for row in table(book, sheet, header_row):
            indicator = monthly.indicator(row["Kode"])
            assert row[f"Target {month}"] == pytest.approx(period_target(indicator, period, index))
            value = check(row, monthly.master, f"Target {month}", f"Realisasi {month}",
                          f"Capaian {month} (%)")  # fmt: skip
            if isinstance(value, float):
                assert row["Predikat"] == predikat(value, monthly.master.bands), row["Kode"]
            check(row, monthly.master, f"Target s.d. {month}", f"Realisasi s.d. {month}",
                  f"Capaian s.d. {month} (%)")  # fmt: skip
            grid = lkjip[str(row["Kode"])]
            labels = [period.short_label(i) for i in range(1, index + 1)]
            months = [(grid[f"Target {m}"], grid[f"Realisasi {m}"]) for m in labels]
            present = [(t, r) for t, r in months if r is not None]
            if indicator.aggregation is Aggregation.CUMULATIVE:
                expected = (sum(t for t, _ in present), sum(r for _, r in present))
            else:
                expected = present[-1]
            assert (row[f"Target s.d. {month}"], row[f"Realisasi s.d. {month}"]) == (
                pytest.approx(expected[0]), pytest.approx(expected[1])
            ), row["Kode"]  # fmt: skip
            checked += 1
    assert checked == 2 * len(monthly.master.indicators)  # the summary and the division sheets


def test_a_month_never_approved_is_named_not_counted(monthly: Office) -> None:
    march = {str(r["Kode"]): r for r in table(monthly.book(3), "Ringkasan", 6)}
    assert march["PDIP-01"]["Realisasi Maret"] == "Belum disetujui Kepala Dinas"
    assert march["PDIP-01"]["Capaian Maret (%)"] is None
    assert "s.d. Maret tanpa Februari" in str(march["CAP-03"]["Keterangan"])
    assert march["CAP-03"]["Target s.d. Maret"] == pytest.approx(100.0)  # 50 + 50, not 150
    pdip = load_workbook(monthly.book(3))["PDIP"]
    lines = [row[0] for row in pdip.iter_rows(max_row=6, values_only=True)]
    assert "Status: belum disetujui Kepala Dinas untuk bulan ini." in lines


def test_the_lkjip_has_a_column_pair_per_month_and_adds_up(monthly: Office) -> None:
    period = monthly.sop.period
    sheet = load_workbook(monthly.book("LKjIP"))["Capaian Tahunan"]
    header = next(sheet.iter_rows(min_row=6, max_row=6, values_only=True))
    names = [f"Target {period.short_label(i)}" for i in period.indices]
    names += [f"Realisasi {period.short_label(i)}" for i in period.indices]
    assert list(header[7 : 7 + 24]) == names and header[31] == "Target Tahunan"
    rows = table(monthly.book("LKjIP"), "Capaian Tahunan", 6)
    assert len(rows) == len(monthly.master.indicators)
    for row in rows:
        indicator = monthly.indicator(row["Kode"])
        assert row["Target Tahunan"] == indicator.annual_target
        labels = [period.short_label(i) for i in period.indices]
        months = [(row[f"Target {m}"], row[f"Realisasi {m}"]) for m in labels]
        for index, (target, _) in enumerate(months, start=1):
            assert target == pytest.approx(period_target(indicator, period, index)), row["Kode"]
        present = [(t, r) for t, r in months if r is not None]
        if indicator.aggregation is Aggregation.CUMULATIVE:
            assert row["Target Pembanding"] == pytest.approx(sum(t for t, _ in present))
            assert row["Realisasi Tahunan"] == pytest.approx(sum(r for _, r in present))
        else:
            assert (row["Target Pembanding"], row["Realisasi Tahunan"]) == present[-1]
        check(row, monthly.master, "Target Pembanding", "Realisasi Tahunan", "Capaian (%)")
    by_code = {str(r["Kode"]): r for r in rows}
    assert "s.d. Desember tanpa Februari" in str(by_code["CAP-01"]["Keterangan"])
    assert "s.d. Desember tanpa Desember" in str(by_code["DAF-01"]["Keterangan"])
    assert "target bulan yang ada datanya" in str(by_code["DAF-03"]["Keterangan"])


def _workbook_text(path: Path) -> str:
    cells = [
        c for sheet in load_workbook(path) for r in sheet.iter_rows(values_only=True) for c in r
    ]
    return "\n".join(str(cell) for cell in cells if cell is not None)


def test_the_role_words_are_the_sop_s(monthly: Office) -> None:
    """Who approves, whose note, who heads a division, what a period is: the SOP's words, never
    "Kabid" or "triwulan"."""
    march_pdf = next(p for p in monthly.files[3] if p.suffix == ".pdf")
    lkjip_pdf = next(p for p in monthly.files["LKjIP"] if p.suffix == ".pdf")
    html = next(p for p in monthly.files["LKjIP"] if p.suffix == ".html").read_text("utf-8")
    texts = {
        "xlsx Maret": _workbook_text(monthly.book(3)),
        "xlsx Desember": _workbook_text(monthly.book(12)),
        "xlsx LKjIP": _workbook_text(monthly.book("LKjIP")),
        "pdf Maret": pdf_text(march_pdf),
        "pdf LKjIP": pdf_text(lkjip_pdf),
        "html LKjIP": html,
    }
    assert [name for name, text in texts.items() if "Kabid" in text] == []
    assert [name for name, text in texts.items() if "triwulan" in text.lower()] == []
    march = texts["xlsx Maret"]
    head = monthly.master.divisions[0].head_name
    assert f"Catatan Kepala Dinas: {NOTE}" in march
    assert f"Kepala Bidang: {head};" in march
    # issued on the SOP's 5th of April, approved at step 4 after steps 2 and 3
    assert "Disetujui Kepala Dinas Minggu, 5 April 2026 pukul 09.10 WITA oleh kepala dinas" in march
    assert "Sumber: versi terakhir yang disetujui Kepala Dinas tiap bidang" in march
    pdf = " ".join(texts["pdf Maret"].split())
    assert "LAPORAN KINERJA BULAN MARET TAHUN 2026" in pdf
    assert "A. Capaian Indikator Kinerja Bulan Maret" in pdf
    assert "Bidang disetujui Kepala Dinas : 4 dari 5 bidang" in pdf
    assert "belum disetujui Kepala Dinas" in pdf
    source = "Target dan realisasi diambil dari laporan bulanan bidang yang disetujui Kepala Dinas"
    assert source in " ".join(texts["pdf LKjIP"].split())
    assert "1. Target dan Realisasi per Bulan" in html and "<th>R Desember</th>" in html
    lkjip = texts["xlsx LKjIP"]
    assert "Kendala dan Tindak Lanjut per Bulan" in lkjip
    assert "Sumber Data: versi terakhir yang disetujui Kepala Dinas (salinan arsip)" in lkjip
    assert "3 laporan bulanan bidang belum disetujui" in lkjip


def test_timeliness_uses_the_month_s_standard(monthly: Office) -> None:
    sheet = load_workbook(monthly.book(3))["Ketepatan Waktu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[-1][0]).startswith(
        "Langkah 5 (laporan bulanan, Subbagian Program): mutu baku 2 Hari"
    )
    steps = {(row[1], row[3]): row for row in rows[4:-2] if row[0]}
    assert set(steps) >= {("SEKRETARIAT", 2), ("SEKRETARIAT", 3), ("SEKRETARIAT", 4)}
    assert steps[("SEKRETARIAT", 3)][4] == "Sekretaris"
    assert steps[("SEKRETARIAT", 4)][4] == "Kepala Dinas"
    assert steps[("SEKRETARIAT", 2)][8] == "2 Hari" and steps[("SEKRETARIAT", 4)][8] == "1 Hari"


def test_the_export_has_a_row_per_month(monthly: Office) -> None:
    csv_path, _ = run_export(monthly.tree, [2026])
    frame = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig")
    assert "bulan" in frame.columns and "triwulan" not in frame.columns
    assert len(frame) == len(monthly.master.indicators) * 13  # twelve months and the year
    february = frame[(frame["kode_bidang"] == "CAPIL") & (frame["periode"] == "Februari")]
    assert set(february["status"]) == {"Belum disetujui"} and set(february["bulan"]) == {2}
    year = frame[(frame["periode"] == "Tahunan")].set_index("kode_indikator")
    assert year.loc["CAP-01", "status"] == "Tanpa Februari"
    lkjip = {str(r["Kode"]): r for r in table(monthly.book("LKjIP"), "Capaian Tahunan", 6)}
    for code, row in lkjip.items():
        assert year.loc[code, "capaian"] == pytest.approx(row["Capaian (%)"]), code


# --- the service and the command -----------------------------------------------------------------


def test_the_service_builds_a_month_and_the_year_by_itself(tmp_path: Path) -> None:
    sop = monthly_sop()
    tree = office(tmp_path / "kantor", sop)
    approve_periods(tree, sop, [11], {("PDIP", 11)})  # November: PDIP not yet
    approve_periods(tree, sop, [12])
    listener = ReportListener(tree, lambda: load_master(tree.master_path), sop,
                              now=lambda: YEAR_BUILT, pdf=False)  # fmt: skip

    with Store(tree.store_path) as store:
        listener(store, store.events())
        first = store.events(outcome=Outcome.REPORT_BUILT)
        listener(store, store.events())  # nothing changed: nothing built again
        again = store.events(outcome=Outcome.REPORT_BUILT)

    assert {(e.step, e.quarter) for e in first} == {(5, 12), (5, None)}
    assert len(again) == len(first)
    assert (tree.outbox / "bulanan" / "2026_B12" / "Laporan_Kinerja_B12_2026.xlsx").exists()
    assert not (tree.outbox / "bulanan" / "2026_B11").exists()
    assert (tree.annual_reports / "2026" / "LKjIP_2026.xlsx").exists()


def test_kinerja_report_takes_the_sop_s_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sop = monthly_sop()
    tree = office(tmp_path / "kantor", sop)
    approve_periods(tree, sop, [12])
    root = ("--year", "2026", "--root", str(tree.root))

    assert main(["report", "periode", "--quarter", "13", *root]) == 2
    error = capsys.readouterr().err
    assert "Bulan 13 tidak valid; pilih 1-12 untuk periode bulanan SOP ini." in error
    assert main(["report", "triwulan", *root]) == 2
    error = capsys.readouterr().err
    assert "Laporan bulanan perlu --quarter 1-12 (nomor bulan dalam tahun)." in error
    assert main(["report", "triwulan", "--quarter", "12", "--json", *root]) == 0
    assert "2026_B12" in capsys.readouterr().out


# --- a half-yearly SOP, written by an office -----------------------------------------------------


def semester_sop(folder: Path) -> Sop:
    """The monthly sample made half-yearly, with its own standard for a semester's report."""
    text = sample_sop_path("sop_contoh_bulanan.toml").read_text(encoding="utf-8")
    text = text.replace('jenis = "bulanan"', 'jenis = "semester"')
    text = text.replace('{ bulanan = "2 Hari", tahunan = "10 Hari" }',
                        '{ semester = "3 Hari", tahunan = "10 Hari" }')  # fmt: skip
    path = folder / "sop_semester.toml"
    path.write_text(text, encoding="utf-8")
    return load_sop(path)


def test_a_semester_report_follows_its_sop(tmp_path: Path) -> None:
    sop = semester_sop(tmp_path)
    tree = office(tmp_path / "kantor", sop)
    approve_periods(tree, sop, [1])
    master = load_master(tree.master_path)

    with pytest.raises(UsageError, match="Semester 3 tidak valid; pilih 1-2 untuk periode"):
        run_period(tree, 2026, 3, pdf=False)
    written = run_period(tree, 2026, 1, now=lambda: datetime(2026, 7, 20, 10, tzinfo=WITA))

    assert [p.relative_to(tree.outbox).as_posix() for p in written] == [
        "semester/2026_S1/Laporan_Kinerja_S1_2026.xlsx",
        "semester/2026_S1/Laporan_Kinerja_S1_2026.pdf",
    ]
    book = written[0]
    text = _workbook_text(book) + pdf_text(written[1])
    assert "Kabid" not in text
    assert "LAPORAN KINERJA SEMESTER I TAHUN 2026" in text and "Periode Januari - Juni 2026" in text
    assert "Langkah 5 (laporan semester, Subbagian Program): mutu baku 3 Hari" in text
    label = "Semester I"
    rows = table(book, "Ringkasan", 6)
    assert len(rows) == len(master.indicators)
    for row in rows:
        indicator = next(i for i in master.indicators if i.code == row["Kode"])
        quarters = indicator.quarter_targets[:2]
        expected = sum(quarters) if indicator.aggregation is Aggregation.CUMULATIVE else quarters[1]
        assert row[f"Target {label}"] == pytest.approx(expected), row["Kode"]
        check(row, master, f"Target {label}", f"Realisasi {label}", f"Capaian {label} (%)")
        check(row, master, f"Target s.d. {label}", f"Realisasi s.d. {label}",
              f"Capaian s.d. {label} (%)")  # fmt: skip
        assert row[f"Target s.d. {label}"] == row[f"Target {label}"]
