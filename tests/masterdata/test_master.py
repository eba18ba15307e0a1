"""The master workbook (data induk): the shipped sample, and every mistake a clerk can make in it.

Each broken workbook is made the way a clerk would: the sample is written, opened, one thing is
changed in Excel (here openpyxl) and saved. The loader must name each problem once, with the
sheet and the cell that was changed, in Indonesian.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from support.cli_run import run_kinerja

from watcher.errors import KinerjaError, MasterDataError, MissingFileError
from watcher.masterdata.load import load_master, master_from_bytes
from watcher.masterdata.model import Aggregation, CapaianRules, ZeroTarget
from watcher.masterdata.sample import sample_master
from watcher.masterdata.write import write_master

# Rows of the sample as the writer lays it out (row 1 holds the headers):
#   Pengaturan  B8 Tahun, B9 Zona Waktu
#   Jam Kerja   rows 2-6 Senin..Jumat: B Jam Masuk, C/D Istirahat, E Jam Pulang (07:30-16:00)
#   Bidang      rows 2-6 SEKRETARIAT, DAFDUK, CAPIL, PIAK, PDIP; row 7 is free
#   Indikator   row 3 SEK-02, row 4 SEK-03, row 5 SEK-04, row 6 DAF-01 (Posisi Akhir, 99,4),
#               row 8 DAF-03 (Kumulatif, 4800 = 4 x 1200); I Target Tahunan, J-M TW I-IV

Edit = Callable[[Workbook], None]


def sample_workbook(folder: Path) -> Path:
    path = folder / "data_induk_kinerja.xlsx"
    write_master(sample_master(), path)
    return path


def edited(path: Path, *edits: Edit) -> Path:
    """Open the workbook, make the clerk's edits, save it again."""
    workbook = load_workbook(path)
    for change in edits:
        change(workbook)
    workbook.save(path)
    workbook.close()
    return path


def put(sheet: str, cell: str, value: object) -> Edit:
    def change(workbook: Workbook) -> None:
        workbook[sheet][cell] = value

    return change


def delete_sheet(sheet: str) -> Edit:
    def change(workbook: Workbook) -> None:
        del workbook[sheet]

    return change


def add_division(code: str) -> Edit:
    def change(workbook: Workbook) -> None:
        workbook["Bidang"].append([code, "Hubungan Masyarakat", "Andi Tenri", "", "Basri", ""])

    return change


def problems_of(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(MasterDataError) as caught:
        load_master(path)
    return [(p.sheet, p.cell, p.message) for p in caught.value.problems]


# --- the shipped sample ------------------------------------------------------------------------


def test_sample_survives_a_round_trip_through_excel(tmp_path: Path) -> None:
    assert load_master(sample_workbook(tmp_path)) == sample_master()


def test_capaian_rules_and_plausible_ranges_survive_a_round_trip(tmp_path: Path) -> None:
    master = sample_master()
    rules = CapaianRules(zero_target=ZeroTarget.NOT_ASSESSABLE, floor=None)
    settings = dataclasses.replace(master.settings, capaian_rules=rules)
    indicators = tuple(
        dataclasses.replace(i, lowest=-50.0, highest=300.0) if i.code == "DAF-02" else i
        for i in master.indicators
    )
    changed = dataclasses.replace(master, settings=settings, indicators=indicators)
    path = tmp_path / "data_induk.xlsx"
    write_master(changed, path)

    loaded = load_master(path)

    assert loaded == changed
    assert loaded.indicators[5].plausible == (-50.0, 300.0)
    assert loaded.indicators[4].plausible == (0.0, 100.0)  # "%" by default
    assert loaded.indicators[6].plausible == (0.0, None)  # dokumen


def test_iku_links_survive_a_round_trip_and_load_from_bytes(tmp_path: Path) -> None:
    master = sample_master()
    indicators = tuple(
        dataclasses.replace(i, iku="IKU-03") if i.division == "DAFDUK" else i
        for i in master.indicators
    )
    linked = dataclasses.replace(master, indicators=indicators)
    path = tmp_path / "data_induk.xlsx"
    write_master(linked, path)

    assert load_master(path) == linked
    assert master_from_bytes(path.read_bytes(), "pusat: kantor A") == linked


def test_a_master_without_the_iku_column_loads_unlinked(tmp_path: Path) -> None:
    def drop_iku_column(workbook: Workbook) -> None:
        sheet = workbook["Indikator"]
        assert sheet["T1"].value == "IKU Kabupaten"
        sheet.delete_cols(20)

    path = edited(sample_workbook(tmp_path), put("Indikator", "T5", "IKU-01"), drop_iku_column)

    assert all(indicator.iku == "" for indicator in load_master(path).indicators)


def test_master_bytes_that_are_no_workbook_are_refused_naming_the_source() -> None:
    with pytest.raises(MasterDataError) as caught:
        master_from_bytes(b"bukan xlsx", "pusat: kantor A")

    assert "pusat: kantor A" in str(caught.value)


def test_sample_has_five_divisions_each_with_indicators() -> None:
    master = sample_master()

    assert [d.code for d in master.divisions] == ["SEKRETARIAT", "DAFDUK", "CAPIL", "PIAK", "PDIP"]
    assert len(master.indicators) == 20
    for division in master.divisions:
        assert master.indicators_of(division.code), division.code
    assert master.settings.year == 2026
    assert master.settings.timezone == "Asia/Makassar"


def test_sample_targets_add_up_to_the_annual_target() -> None:
    indicators = sample_master().indicators

    cumulative = [i for i in indicators if i.aggregation is Aggregation.CUMULATIVE]
    last_position = [i for i in indicators if i.aggregation is Aggregation.LAST_POSITION]
    assert cumulative and last_position
    for indicator in cumulative:
        assert math.isclose(sum(indicator.quarter_targets), indicator.annual_target), indicator
    for indicator in last_position:
        assert indicator.target(4) == indicator.annual_target, indicator


# --- one mistake at a time ---------------------------------------------------------------------

BROKEN_WORKBOOKS = [
    pytest.param(
        [delete_sheet("Indikator")],
        [("Indikator", "", "lembar 'Indikator' tidak ada")],
        id="missing_sheet_indikator",
    ),
    pytest.param(
        [put("Indikator", "K1", "Target TW 2")],
        [("Indikator", "1", "kolom 'Target TW II' tidak ada di baris 1")],
        id="missing_column_target_tw_ii",
    ),
    pytest.param(
        [put("Indikator", "A3", "SEK-01")],
        [("Indikator", "A3", "kode indikator 'SEK-01' ganda")],
        id="duplicate_indicator_code",
    ),
    pytest.param(
        [add_division("CAPIL")],
        [("Bidang", "A7", "kode bidang 'CAPIL' ganda")],
        id="duplicate_division_code",
    ),
    pytest.param(
        [put("Indikator", "B5", "HUMAS")],
        [("Indikator", "B5", "bidang 'HUMAS' tidak ada di lembar Bidang")],
        id="unknown_division_in_indicator",
    ),
    pytest.param(
        [put("Indikator", "J5", "sembilan puluh")],
        [("Indikator", "J5", "'Target TW I' harus angka, tertulis 'sembilan puluh'")],
        id="target_in_words",
    ),
    pytest.param(
        [put("Indikator", "L8", "1.200")],
        [("Indikator", "L8", "'Target TW III' tertulis '1.200': bisa 1200 atau 1,2")],
        id="target_text_with_one_thousands_group",
    ),
    pytest.param(
        [put("Indikator", "R5", 50), put("Indikator", "S5", 10)],
        [("Indikator", "S5", "'Realisasi Tertinggi' (10) harus lebih dari 'Realisasi Terendah'")],
        id="plausible_range_upside_down",
    ),
    pytest.param(
        [put("Indikator", "T5", "IKU 03!")],
        [("Indikator", "T5", "kode IKU 'IKU 03!' tidak valid: pakai huruf, angka, titik")],
        id="iku_code_with_space_and_mark",
    ),
    pytest.param(
        [put("Pengaturan", "B12", "Nol saja")],
        [("Pengaturan", "B12", "'Nol saja' tidak dikenal; pilih 'Tercapai 100, tidak 0'")],
        id="unknown_zero_target_rule",
    ),
    pytest.param(
        [put("Pengaturan", "B13", "rendah")],
        [("Pengaturan", "B13", "Capaian Terendah harus angka, tertulis 'rendah'")],
        id="floor_in_words",
    ),
    pytest.param(
        [put("Indikator", "L8", -1200)],
        [("Indikator", "L8", "'Target TW III' tidak boleh negatif (-1200)")],
        id="negative_target",
    ),
    pytest.param(
        [put("Indikator", "I8", 5000)],
        [
            (
                "Indikator",
                "I8",
                "agregasi Kumulatif: jumlah target TW I-IV (4800) "
                "harus sama dengan target tahunan (5000)",
            )
        ],
        id="cumulative_quarters_not_summing_to_annual",
    ),
    pytest.param(
        [put("Indikator", "M6", 99.5)],
        [
            (
                "Indikator",
                "M6",
                "agregasi Posisi Akhir: target TW IV (99,5) "
                "harus sama dengan target tahunan (99,4)",
            )
        ],
        id="last_position_tw_iv_differs_from_annual",
    ),
    pytest.param(
        [put("Indikator", "G4", "Naik")],
        [("Indikator", "G4", "'Naik' tidak dikenal; pilih Maksimal atau Minimal")],
        id="unknown_polarity",
    ),
    pytest.param(
        [put("Indikator", "H4", "Rata-rata")],
        [("Indikator", "H4", "'Rata-rata' tidak dikenal; pilih Kumulatif atau Posisi Akhir")],
        id="unknown_aggregation",
    ),
    pytest.param(
        [put("Indikator", "D4", None)],
        [("Indikator", "D4", "'Indikator Kinerja' wajib diisi")],
        id="empty_indicator_name",
    ),
    pytest.param(
        [put("Pengaturan", "B8", "dua ribu")],
        [("Pengaturan", "B8", "'Tahun' harus angka, tertulis 'dua ribu'")],
        id="year_in_words",
    ),
    pytest.param(
        [put("Pengaturan", "B9", "Asia/Makasar")],
        [("Pengaturan", "B9", "zona waktu 'Asia/Makasar' tidak dikenal (contoh: Asia/Makassar)")],
        id="unknown_time_zone",
    ),
    pytest.param(
        [put("Jam Kerja", "B2", "25:99")],
        [("Jam Kerja", "B2", "jam '25:99' tidak dikenali; tulis seperti 07:30")],
        id="bad_office_hours",
    ),
    pytest.param(
        [put("Jam Kerja", "C3", time(6, 0))],
        [("Jam Kerja", "C3", "jam istirahat 06:00–13:00 harus berada di dalam jam kerja")],
        id="break_starts_before_office",
    ),
    pytest.param(
        [put("Jam Kerja", "D4", time(17, 0))],
        [("Jam Kerja", "D4", "jam istirahat 12:00–17:00 harus berada di dalam jam kerja")],
        id="break_ends_after_closing",
    ),
    pytest.param(
        [put("Hari Libur Kantor", "A2", "31-02-2026"), put("Hari Libur Kantor", "B2", "Cuti")],
        [
            ("Hari Libur Kantor", "A2", "tanggal '31-02-2026' tidak dikenali"),
            ("Hari Libur Kantor", "B2", "jenis 'Cuti' harus Libur atau Masuk"),
        ],
        id="bad_override_date_and_kind",
    ),
    pytest.param(
        [add_division("HUMAS")],
        [("Bidang", "A7", "bidang HUMAS belum punya indikator")],
        id="division_without_indicators",
    ),
    pytest.param(
        [add_division("HUMAS/PROTOKOL")],
        [("Bidang", "A7", "kode 'HUMAS/PROTOKOL' hanya boleh huruf, angka, - dan _")],
        id="division_code_with_slash",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), BROKEN_WORKBOOKS)
def test_broken_master_names_the_sheet_and_cell_of_the_mistake(
    tmp_path: Path, edits: list[Edit], expected: list[tuple[str, str, str]]
) -> None:
    path = edited(sample_workbook(tmp_path), *edits)

    problems = problems_of(path)

    # Exactly these problems: one mistake is reported once, not echoed by its consequences.
    assert [(sheet, cell) for sheet, cell, _ in problems] == [(s, c) for s, c, _ in expected]
    for (_, _, message), (_, _, phrase) in zip(problems, expected, strict=True):
        assert phrase in message


# --- several mistakes, and consequences that are not mistakes ----------------------------------


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = edited(
        sample_workbook(tmp_path),
        put("Pengaturan", "B8", "dua ribu"),
        put("Jam Kerja", "B2", "25:99"),
        put("Indikator", "J5", "sembilan puluh"),
    )

    with pytest.raises(MasterDataError) as caught:
        load_master(path)

    assert [(p.sheet, p.cell) for p in caught.value.problems] == [
        ("Pengaturan", "B8"),
        ("Jam Kerja", "B2"),
        ("Indikator", "J5"),
    ]
    message = caught.value.message
    assert message.startswith(f"Data induk bermasalah: {path} (3 masalah)")
    for where in ("[Pengaturan!B8]", "[Jam Kerja!B2]", "[Indikator!J5]"):
        assert where in message


def test_missing_settings_sheet_does_not_hide_the_office_hours_problems(tmp_path: Path) -> None:
    path = edited(
        sample_workbook(tmp_path), delete_sheet("Pengaturan"), put("Jam Kerja", "B2", "25:99")
    )

    assert [(sheet, cell) for sheet, cell, _ in problems_of(path)] == [
        ("Pengaturan", ""),
        ("Jam Kerja", "B2"),
    ]


def test_a_division_row_with_a_problem_is_not_called_missing_by_its_indicators(
    tmp_path: Path,
) -> None:
    path = edited(sample_workbook(tmp_path), put("Bidang", "C2", None))

    assert problems_of(path) == [("Bidang", "C2", "'Nama Kabid' wajib diisi")]


def test_empty_indicator_codes_are_missing_not_duplicates(tmp_path: Path) -> None:
    path = edited(
        sample_workbook(tmp_path), put("Indikator", "A2", None), put("Indikator", "A3", "")
    )

    assert problems_of(path) == [
        ("Indikator", "A2", "'Kode' wajib diisi"),
        ("Indikator", "A3", "'Kode' wajib diisi"),
    ]


def test_a_deleted_settings_row_is_named_without_a_made_up_cell(tmp_path: Path) -> None:
    path = edited(sample_workbook(tmp_path), lambda workbook: workbook["Pengaturan"].delete_rows(8))

    [(sheet, cell, message)] = problems_of(path)
    assert (sheet, cell) == ("Pengaturan", "")
    assert "'Tahun' tidak ada di kolom A" in message


def test_blank_optional_time_zone_means_wita(tmp_path: Path) -> None:
    path = edited(sample_workbook(tmp_path), put("Pengaturan", "B9", "  "))

    assert load_master(path).settings.timezone == "Asia/Makassar"


def test_target_typed_as_text_with_decimal_comma_is_read(tmp_path: Path) -> None:
    path = edited(
        sample_workbook(tmp_path), put("Indikator", "I6", "99,4"), put("Indikator", "J6", "98,8")
    )

    master = load_master(path)

    indicator = next(i for i in master.indicators if i.code == "DAF-01")
    assert indicator.annual_target == pytest.approx(99.4)
    assert indicator.target(1) == pytest.approx(98.8)
    assert master == sample_master()


# --- not a workbook at all ---------------------------------------------------------------------


def test_a_text_file_named_xlsx_is_refused_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "data_induk_kinerja.xlsx"
    path.write_text("Kode;Bidang\nSEK-01;SEKRETARIAT\n", encoding="utf-8")

    with pytest.raises(KinerjaError) as caught:
        load_master(path)

    assert isinstance(caught.value, MasterDataError)
    assert "teks biasa/CSV yang diberi nama buku kerja" in caught.value.message


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _link(path: Path) -> None:
    real = path.with_name("asli.xlsx")
    path.rename(real)
    path.symlink_to(real)


def _far_cell(path: Path) -> None:
    workbook = load_workbook(path)
    workbook.worksheets[0]["XFD1048576"] = "x"  # typed far outside the table, or planted
    workbook.save(path)


@pytest.mark.parametrize(
    ("damage", "words"),
    [(_fifo, "FIFO"), (_link, "pintasan"), (_far_cell, "XFD1048576")],
    ids=["fifo", "symlink", "far-cell"],
)
def test_a_master_the_share_could_make_hang_or_blow_up_is_refused_at_once(
    tmp_path: Path, damage: Callable[[Path], None], words: str
) -> None:
    """The master workbook lies on the share too: read like a submitted workbook, bounded."""
    folder = tmp_path / "data_induk"
    folder.mkdir()
    path = sample_workbook(folder)
    damage(path)
    with pytest.raises(MasterDataError) as caught:
        load_master(path)
    assert words in caught.value.message, caught.value.message
    result = run_kinerja("master", "--root", str(tmp_path))  # a FIFO would hang it for good
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr


def test_a_missing_master_points_to_kinerja_init(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="Jalankan 'kinerja init'") as caught:
        load_master(tmp_path / "data_induk" / "data_induk_kinerja.xlsx")

    assert "Data induk tidak ditemukan" in caught.value.message


# --- the `kinerja master` command --------------------------------------------------------------


@pytest.fixture
def office_root(tmp_path: Path) -> Path:
    """A working folder made by `kinerja init`, holding the sample master."""
    root = tmp_path / "kinerja"
    result = run_kinerja("init", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert (root / "data_induk" / "data_induk_kinerja.xlsx").is_file()
    return root


def test_master_command_accepts_the_sample(office_root: Path) -> None:
    result = run_kinerja("master", "--root", str(office_root))

    assert result.returncode == 0, result.stderr
    assert "Data induk baik" in result.stdout
    assert "PDIP: Pemanfaatan Data dan Inovasi Pelayanan (4 indikator)" in result.stdout


def test_master_command_lists_every_problem_and_exits_1(office_root: Path) -> None:
    edited(
        office_root / "data_induk" / "data_induk_kinerja.xlsx",
        put("Pengaturan", "B9", "Asia/Makasar"),
        put("Indikator", "G4", "Naik"),
        add_division("HUMAS"),
    )

    result = run_kinerja("master", "--root", str(office_root))

    assert result.returncode == 1
    assert "Data induk bermasalah" in result.stderr
    assert "(3 masalah)" in result.stderr
    assert "[Pengaturan!B9] zona waktu 'Asia/Makasar' tidak dikenal" in result.stderr
    assert "[Indikator!G4] 'Naik' tidak dikenal" in result.stderr
    assert "[Bidang!A7] bidang HUMAS belum punya indikator" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
