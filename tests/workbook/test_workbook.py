"""The issued rencana aksi workbook, read back the way a clerk's Excel would see it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from support.office import issued_office

from watcher.masterdata.load import load_master
from watcher.masterdata.model import Polarity
from watcher.masterdata.sample import sample_master
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.load import load_sop, sample_sop_path
from watcher.validation.validate import expectation_for, validate_file
from watcher.workbook.layout import rencana_aksi_layout

LAYOUT = rencana_aksi_layout()


@pytest.fixture(scope="module")
def dafduk(tmp_path_factory: pytest.TempPathFactory):
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    path = tree.division_dir("DAFDUK") / "1_disposisi" / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    return load_workbook(path)


@pytest.fixture(scope="module")
def sheet(dafduk) -> Worksheet:
    return dafduk[LAYOUT.main_sheet]


def col(key: str) -> str:
    return LAYOUT.column(key).letter


def test_only_the_form_and_a_very_hidden_metadata_sheet(dafduk) -> None:
    assert dafduk.sheetnames == [LAYOUT.main_sheet, LAYOUT.metadata_sheet]
    assert dafduk[LAYOUT.metadata_sheet].sheet_state == "veryHidden"
    assert dafduk[LAYOUT.main_sheet].sheet_state == "visible"
    assert dafduk.security.lockStructure


def test_header_names_office_division_year_and_quarter(sheet) -> None:
    header = " ".join(str(sheet[f"A{row}"].value) for row in range(1, 7))
    assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN JENEPONTO" in header
    assert "TRIWULAN III TAHUN 2026" in header
    assert "Pelayanan Pendaftaran Penduduk (DAFDUK)" in header
    assert "Selasa, 13 Oktober 2026 pukul 07.30 WITA" in header  # step-3 deadline, working time


def test_one_row_per_indicator_with_targets_from_the_master(sheet) -> None:
    indicators = sample_master().indicators_of("DAFDUK")
    first = LAYOUT.rows["first_data"]
    for position, indicator in enumerate(indicators):
        row = first + position
        assert sheet[f"{col('code')}{row}"].value == indicator.code
        assert sheet[f"{col('indicator')}{row}"].value == indicator.name
        assert sheet[f"{col('target')}{row}"].value == indicator.target(3)
        assert sheet[f"{col('annual_target')}{row}"].value == indicator.annual_target
    assert sheet[f"{col('code')}{first + len(indicators)}"].value is None
    assert sheet[f"{col('target')}{LAYOUT.rows['table_header']}"].value == "Target TW III"


def test_structure_is_locked_and_only_inputs_are_open(sheet) -> None:
    assert sheet.protection.sheet and sheet.protection.password
    row = LAYOUT.rows["first_data"]
    for column in LAYOUT.columns:
        assert sheet[f"{column.letter}{row}"].protection.locked is not column.is_input, column.key
    assert sheet["A1"].protection.locked
    note = sheet[f"{LAYOUT.note_column}{LAYOUT.note_row(4)}"]
    assert not note.protection.locked
    label = sheet[f"{LAYOUT.note_label_column}{LAYOUT.note_row(4)}"].value
    assert label == "Catatan Kabid"  # SOP 010's final checker


def test_inputs_are_validated(sheet) -> None:
    validations = {(v.type, v.operator, v.formula1, v.formula2): str(v.sqref) for v in
                   sheet.data_validations.dataValidation}  # fmt: skip
    first = LAYOUT.rows["first_data"]
    realisation = col("realisation")
    # DAF-01 and DAF-02 are percentages (0..100); DAF-03 and DAF-04 are counts/days (>= 0)
    percent = validations[("decimal", "between", "0", "100")]
    assert f"{realisation}{first}" in percent and f"{realisation}{first + 1}" in percent
    counts = validations[("decimal", "greaterThanOrEqual", "0", None)]
    assert f"{realisation}{first + 2}" in counts and f"{realisation}{first + 3}" in counts
    assert validations[("list", None, '"Final,Sementara"', None)] == (
        f"{col('status')}{first}:{col('status')}{first + 3}"
    )
    assert ("textLength", "lessThanOrEqual", "2000", None) in validations
    for validation in sheet.data_validations.dataValidation:
        assert validation.showErrorMessage and validation.error  # Indonesian message shown


@pytest.mark.parametrize(
    ("position", "polarity"),
    [(0, Polarity.HIGHER_IS_BETTER), (3, Polarity.LOWER_IS_BETTER)],
    ids=["maksimal", "minimal"],
)
def test_capaian_formula_follows_polarity(sheet, position: int, polarity: Polarity) -> None:
    row = LAYOUT.rows["first_data"] + position
    formula = sheet[f"{col('capaian')}{row}"].value
    target, real = f"{col('target')}{row}", f"{col('realisation')}{row}"
    expected = (
        f"{real}/{target}*100"
        if polarity is Polarity.HIGHER_IS_BETTER
        else (f"(2*{target}-{real})/{target}*100")
    )
    assert formula.startswith("=IF(") and expected in formula
    assert f"IF({target}=0,ROUND(" in formula  # a zero target scored as the office's rule says


def test_print_setup_is_a4_landscape_with_repeated_titles(sheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    rows = LAYOUT.rows
    assert sheet.print_title_rows == f"${rows['table_header']}:${rows['column_numbers']}"
    assert sheet.freeze_panes == f"{col('unit')}{LAYOUT.rows['first_data']}"
    assert all(sheet.column_dimensions[c.letter].width == c.width for c in LAYOUT.columns)


def test_metadata_identifies_the_document(dafduk) -> None:
    rows = dict(dafduk[LAYOUT.metadata_sheet].iter_rows(min_row=2, values_only=True))
    assert rows["jenis"] == "rencana_aksi"
    assert rows["versi_templat"] == LAYOUT.version
    assert (rows["kode_bidang"], rows["tahun"], rows["triwulan"]) == ("DAFDUK", 2026, 3)
    assert rows["id_dokumen"] == "010-DAFDUK-2026-TW3-test"
    assert rows["diterbitkan_utc"] == "2026-10-09T23:30:00+00:00"
    assert rows["jumlah_indikator"] == 4
    assert rows["sel_catatan"] == f"{LAYOUT.note_column}{LAYOUT.note_row(4)}"
    assert dafduk[LAYOUT.metadata_sheet].protection.sheet


def test_plain_xlsx_without_macros(dafduk, tmp_path) -> None:
    import zipfile

    path = tmp_path / "copy.xlsx"
    dafduk.save(path)
    names = zipfile.ZipFile(path).namelist()
    assert not any("vba" in name.lower() or "activeX" in name for name in names)


def _guide_lines(sheet: Worksheet) -> list[str]:
    return [str(cell.value) for (cell,) in sheet.iter_rows(min_col=1, max_col=1) if cell.value]


def test_the_guide_names_who_fills_the_yellow_cells_in_sop_010s_words(sheet) -> None:
    assert any(
        "Tindak Lanjut (Analis Data dan Kasubag) serta Catatan Kabid (Kabid)." in line
        for line in _guide_lines(sheet)
    )


# --- issued under another SOP: the monthly sample with two checks ---------------------------

MONTHLY = load_sop(sample_sop_path("sop_contoh_bulanan.toml"))
SEPTEMBER = 9
NOTE_CELL = f"{LAYOUT.note_column}{LAYOUT.note_row(4)}"


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, Path]:
    tree, issued = issued_office(tmp_path_factory.mktemp("bulanan"), quarter=SEPTEMBER,
                                 sop=MONTHLY)  # fmt: skip
    name = workbook_file_name("DAFDUK", 2026, SEPTEMBER, MONTHLY.period)
    return tree, next(i.path for i in issued if i.path.name == name)


def test_the_note_is_labelled_after_the_sops_final_checker(monthly) -> None:
    _, path = monthly
    sheet = load_workbook(path)[LAYOUT.main_sheet]
    assert sheet[f"{LAYOUT.note_label_column}{LAYOUT.note_row(4)}"].value == "Catatan Kepala Dinas"
    assert not sheet[NOTE_CELL].protection.locked
    assert any(
        "Tindak Lanjut (Pengelola Data) serta Catatan Kepala Dinas (Sekretaris dan Kepala "
        "Dinas)." in line
        for line in _guide_lines(sheet)
    )


def test_a_note_written_under_another_sop_is_read_back(monthly) -> None:
    tree, issued = monthly
    master = load_master(tree.master_path)
    note = "Mohon lengkapi bukti dukung DAF-03."
    final = MONTHLY.final_check
    saved = tree.folder("DAFDUK", f"{final.folder}/{final.returned_folder}") / issued.name
    workbook = load_workbook(issued)
    sheet = workbook[LAYOUT.main_sheet]
    for row in range(LAYOUT.rows["first_data"], LAYOUT.rows["first_data"] + 4):
        sheet[f"{col('realisation')}{row}"] = 50
        sheet[f"{col('kendala')}{row}"] = "Data belum lengkap"
        sheet[f"{col('follow_up')}{row}"] = "Dilengkapi bulan depan"
    sheet[NOTE_CELL] = note
    # Below the note, outside the table: the reader must have ended the table at the note.
    sheet[f"{col('code')}{LAYOUT.note_row(4) + 1}"] = "Lampiran"
    workbook.save(saved)

    expect = expectation_for(saved, tree, master, step=None, today=date(2026, 10, 6), sop=MONTHLY)
    result = validate_file(saved, master, expect)

    assert result.valid, [f.message for f in result.findings]
    assert result.kabid_note == note


@pytest.mark.parametrize(
    ("text", "is_note"),
    [
        pytest.param("Catatan Kabid", True, id="sop-010"),
        pytest.param("Catatan Kepala Dinas", True, id="monthly-sample"),
        pytest.param("  Catatan Kabid ", True, id="spaces"),
        pytest.param("Catatan", False, id="no-checker"),
        pytest.param("Catatan ", False, id="blank-checker"),
        pytest.param("Kabid", False, id="no-word"),
        pytest.param("DAF-05", False, id="indicator-code"),
        pytest.param(None, False, id="empty"),
    ],
)
def test_the_reader_knows_the_note_label_of_any_sop(text: object, is_note: bool) -> None:
    assert LAYOUT.is_note_title(text) is is_note
