"""What a clerk gets back for a bad file: a commented copy with a "Hasil Validasi" sheet, or a
note when the file could not be opened at all. Real issued workbooks, filled as a clerk would."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from support.engine import LibreOfficeEngine
from support.office import issued_office
from support.sop010 import Folder

from watcher.masterdata.load import load_master
from watcher.sop.model import RuleSet
from watcher.validation import safety
from watcher.validation.feedback import (
    COMMENT_AUTHOR,
    HEADER_ROW,
    RESULT_SHEET,
    feedback_name,
    feedback_workbook,
    refusal_names,
    refusal_note,
)
from watcher.validation.findings import Finding, Result, Severity
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes

NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
MAIN = "Rencana Aksi"
FORMULA_TEXT = '=HYPERLINK("http://x","klik")'
EXPECT = Expectation(
    step=3, rules=RuleSet.MATERIAL, division="DAFDUK", open_periods=frozenset({(2026, 3)})
)
RED, AMBER = "00FF9999", "00FFC000"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclasses.dataclass(frozen=True)
class Submission:
    path: Path  # where the clerk saved it
    data: bytes
    result: Result
    feedback: bytes


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    return tree, load_master(tree.master_path)


def fill(tree, values: dict[str, object]) -> bytes:
    """The issued DAFDUK workbook with `values` typed in, saved the way openpyxl saves it."""
    workbook = load_workbook(tree.folder("DAFDUK", Folder.DISPOSITION) / NAME)
    sheet = workbook[MAIN]
    for address, value in values.items():
        sheet[address] = value
        if isinstance(value, str):
            sheet[address].data_type = "s"  # typed as text ('=...), as Excel keeps it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def submission(office) -> Submission:
    tree, master = office
    # DAF-01 good with a kendala that looks like a formula, DAF-02 typed as text with a decimal
    # comma, DAF-03 good but its target edited, DAF-04 left empty.
    data = fill(tree, {"I10": 98, "L10": FORMULA_TEXT, "I11": "95,5", "I12": 1250, "H12": 99})
    path = tree.folder("DAFDUK", Folder.MATERIAL) / NAME
    path.write_bytes(data)
    saved = path.read_bytes()
    result = validate_bytes(saved, master, EXPECT, name=path.name)
    return Submission(path, saved, result, feedback_workbook(saved, result))


@pytest.fixture(scope="module")
def copy(submission: Submission) -> Workbook:
    return load_workbook(io.BytesIO(submission.feedback))


def table(sheet: Worksheet) -> list[tuple]:
    return [
        row
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=7, values_only=True)
        if row[0] is not None
    ]


def sheet_xml(data: bytes, name: str) -> ElementTree.Element:
    """The worksheet XML of sheet `name` inside xlsx `data`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rel_id = next(
            s.get(REL_ID) for s in book.iterfind("m:sheets/m:sheet", NS) if s.get("name") == name
        )
        target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
        return ElementTree.fromstring(archive.read("xl/" + target.removeprefix("/xl/")))


def formula_cells(data: bytes, name: str) -> set[str]:
    root = sheet_xml(data, name)
    return {c.get("r") for c in root.iter(f"{{{NS['m']}}}c") if c.find("m:f", NS) is not None}


def test_the_clerks_mistakes_are_found(submission: Submission) -> None:
    found = {(f.rule, f.cell) for f in submission.result.findings}
    assert {
        ("table.target_edited", "H12"),
        ("table.number_as_text", "I11"),
        ("table.realisation_missing", "I13"),
        ("table.formula_like_text", "L10"),
    } <= found
    assert not submission.result.valid


def test_the_copy_opens_on_the_result_sheet(copy: Workbook) -> None:
    assert copy.sheetnames[0] == RESULT_SHEET
    assert copy.active.title == RESULT_SHEET
    assert [s.title for s in copy.worksheets if s.sheet_view.tabSelected] == [RESULT_SHEET]
    summary = " ".join(str(c.value) for c in copy[RESULT_SHEET]["D"][:8] if c.value)
    assert NAME in summary and "BERMASALAH" in summary and "DAFDUK, Triwulan III 2026" in summary
    assert "kesalahan" in summary and "langkah 3" in summary
    assert copy[RESULT_SHEET].freeze_panes == f"A{HEADER_ROW + 1}"
    assert copy[RESULT_SHEET].page_setup.orientation == "landscape"


def test_one_row_per_finding_errors_first_each_linked_to_its_cell(
    submission: Submission, copy: Workbook
) -> None:
    sheet = copy[RESULT_SHEET]
    rows = table(sheet)
    findings = submission.result.findings
    assert len(rows) == len(findings)
    kinds = [row[1] for row in rows]
    assert kinds == sorted(kinds)  # KESALAHAN before PERINGATAN
    assert {(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows} == {
        (f.severity.label, f.sheet, f.cell, f.message, f.action, f.rule) for f in findings
    }
    for index, row in enumerate(rows, start=HEADER_ROW + 1):
        link = sheet.cell(row=index, column=4).hyperlink
        assert link is not None and link.target is None  # internal, no relationship
        assert link.location == f"'{MAIN}'!{row[3]}"


def test_offending_cells_are_coloured_and_commented(submission: Submission, copy: Workbook) -> None:
    main = copy[MAIN]
    for finding in submission.result.findings:
        cell = main[finding.cell]
        colour = RED if finding.severity is Severity.ERROR else AMBER
        assert cell.fill.fgColor.rgb == colour, finding.cell
        assert finding.message in cell.comment.text and finding.action in cell.comment.text
        assert cell.comment.author == COMMENT_AUTHOR
    assert main["I10"].comment is None and main["I10"].fill.fgColor.rgb != RED


def test_the_copy_keeps_the_forms_protection(copy: Workbook) -> None:
    assert copy[MAIN].protection.sheet and copy[MAIN].protection.password
    assert copy.security.lockStructure
    assert copy["Metadata"].sheet_state == "veryHidden"
    assert copy[MAIN].print_title_rows == "$8:$9"


def test_the_original_file_is_never_touched(submission: Submission, office) -> None:
    before = hashlib.sha256(submission.path.read_bytes()).hexdigest()
    again = feedback_workbook(submission.data, submission.result)
    assert hashlib.sha256(submission.path.read_bytes()).hexdigest() == before
    assert hashlib.sha256(submission.data).hexdigest() == before
    assert again != submission.data
    assert [p.name for p in submission.path.parent.iterdir() if p.is_file()] == [NAME]


def test_the_copy_is_itself_a_safe_workbook_with_the_same_findings(
    submission: Submission, office
) -> None:
    """A clerk who fixes nothing and sends the copy back gets the same answer, not a refusal."""
    _, master = office
    safety.check_bytes(submission.feedback, name=feedback_name(NAME))
    again = validate_bytes(submission.feedback, master, EXPECT, name=NAME)
    assert again.findings == submission.result.findings


def test_text_starting_with_equals_never_becomes_a_formula(submission: Submission) -> None:
    planted = Finding(Severity.WARNING, "test.formula_text", FORMULA_TEXT,
                      "=cmd|' /C calc'!A0", sheet=MAIN, cell="L10")  # fmt: skip
    result = dataclasses.replace(
        submission.result, name="=1+2.xlsx", findings=(*submission.result.findings, planted)
    )
    data = feedback_workbook(submission.data, result)
    assert formula_cells(data, RESULT_SHEET) == set()
    assert "L10" not in formula_cells(data, MAIN)
    assert {"J10", "J11"} <= formula_cells(data, MAIN)  # the form's own capaian formulas stay
    copy = load_workbook(io.BytesIO(data))
    assert copy[MAIN]["L10"].value == FORMULA_TEXT
    texts = {c.value for row in copy[RESULT_SHEET].iter_rows() for c in row}
    assert {FORMULA_TEXT, "=cmd|' /C calc'!A0", "=1+2.xlsx"} <= texts
    # both findings on L10 share one comment
    comment = copy[MAIN]["L10"].comment.text
    assert FORMULA_TEXT in comment and "diawali '='" in comment


def test_two_findings_on_one_cell_share_a_comment_and_the_error_colour(office) -> None:
    tree, master = office
    data = fill(tree, {"I10": "101,5", "I11": 98, "I12": 1250, "I13": 1.5})  # 101.5 %
    result = validate_bytes(data, master, EXPECT, name=NAME)
    on_i10 = [f for f in result.findings if f.cell == "I10"]
    assert {f.severity for f in on_i10} == {Severity.ERROR, Severity.WARNING}
    cell = load_workbook(io.BytesIO(feedback_workbook(data, result)))[MAIN]["I10"]
    assert cell.fill.fgColor.rgb == RED
    assert all(f.message in cell.comment.text for f in on_i10)


def test_a_wrong_template_gets_only_the_findings(office) -> None:
    _, master = office
    plain = Workbook()
    plain.active["A1"] = "Laporan kinerja"
    buffer = io.BytesIO()
    plain.save(buffer)
    result = validate_bytes(buffer.getvalue(), master, EXPECT, name="laporan.xlsx")
    assert not result.refused and result.findings
    copy = load_workbook(io.BytesIO(feedback_workbook(buffer.getvalue(), result)))
    assert copy.sheetnames == [RESULT_SHEET, "Sheet"]
    rows = table(copy[RESULT_SHEET])
    assert [r[6] for r in rows] == [f.rule for f in result.findings]
    assert all(
        copy[RESULT_SHEET].cell(row=r, column=4).hyperlink is None
        for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows))
    )
    assert copy["Sheet"]["A1"].value == "Laporan kinerja" and copy["Sheet"]["A1"].comment is None


def test_a_workbook_openpyxl_cannot_load_still_gets_its_findings() -> None:
    finding = Finding(Severity.ERROR, "table.not_a_number", "Realisasi DAF-01 bukan angka.",
                      "Isi dengan angka saja.", sheet=MAIN, cell="I10")  # fmt: skip
    data = feedback_workbook(b"PK\x03\x04 rusak", Result(NAME, 3, (finding,)))
    copy = load_workbook(io.BytesIO(data))
    assert copy.sheetnames == [RESULT_SHEET]
    assert [r[4] for r in table(copy[RESULT_SHEET])] == [finding.message]
    assert copy[RESULT_SHEET]["D10"].hyperlink is None


def test_the_copy_opens_in_libreoffice_and_prints(
    submission: Submission, lo_engine: LibreOfficeEngine, tmp_path: Path
) -> None:
    source = tmp_path / feedback_name(NAME)
    source.write_bytes(submission.feedback)
    [converted] = lo_engine.recalculate([source], tmp_path / "lo")
    opened = load_workbook(converted)
    assert opened.sheetnames[0] == RESULT_SHEET and MAIN in opened.sheetnames
    assert len(table(opened[RESULT_SHEET])) == len(submission.result.findings)
    assert opened[MAIN]["L10"].value == FORMULA_TEXT
    assert opened[MAIN]["I13"].comment is not None
    [pdf] = lo_engine.to_pdf([source], tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_a_refused_file_gets_a_note_naming_it_and_the_reason(office) -> None:
    _, master = office
    name = "<script>alert(1)</script> & co.xlsx"
    result = validate_bytes(b"not a zip", master, EXPECT, name=name)
    assert result.refused
    text, page = refusal_note(result)
    reason = result.findings[0].message
    assert name in text and reason in text and "DITOLAK" in text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co.xlsx" in page
    assert html.escape(reason) in page
    assert "Yang harus dilakukan" in text and "Yang harus dilakukan" in page
    with pytest.raises(ValueError):
        feedback_workbook(b"not a zip", result)


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (NAME, "Rencana_Aksi_DAFDUK_2026_TW3 - HASIL VALIDASI.xlsx"),
        ("laporan Kabid.XLSX", "laporan Kabid - HASIL VALIDASI.xlsx"),
        ("Capaian – Dafduk ✓ ñ.xlsx", "Capaian – Dafduk ✓ ñ - HASIL VALIDASI.xlsx"),
        (r"C:\Users\Staf\Rencana v2.1.xlsx", "Rencana v2.1 - HASIL VALIDASI.xlsx"),
        ("../../etc/x.xlsx", "x - HASIL VALIDASI.xlsx"),
        ('a<b>:"c".xlsx', "a_b___c_ - HASIL VALIDASI.xlsx"),
        (".xlsx", "berkas - HASIL VALIDASI.xlsx"),
    ],
    ids=["issued", "upper-ext", "unicode", "windows-path", "traversal", "illegal-chars", "empty"],
)
def test_feedback_names_a_clerk_recognises(original: str, expected: str) -> None:
    assert feedback_name(original) == expected


def test_long_unicode_names_stay_within_file_name_limits() -> None:
    name = feedback_name("Capaian kinerja ✓ " * 20 + ".xlsx")
    assert len(name.encode("utf-8")) <= 255 and name.endswith(" - HASIL VALIDASI.xlsx")
    assert refusal_names("berkas.pdf") == ("berkas - DITOLAK.txt", "berkas - DITOLAK.html")


# --- the copy is bounded in memory: a workbook openpyxl would choke on gets the findings only --

MARGINS, SHEET_DATA_END = b"<pageMargins", b"</sheetData>"
FAR_RANGE = b"A100:XFD1048576"


def _with_sheet_xml(data: bytes, extra: bytes, *, before: bytes) -> bytes:
    """`data` with `extra` XML put before `before` (a tag) in the main sheet part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert before in content
                content = content.replace(before, extra + before, 1)
            target.writestr(info, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize(
    ("extra", "before"),
    [
        # openpyxl makes a cell object for every cell of a merged range: 17 billion here
        (b'<mergeCells count="1"><mergeCell ref="%s"/></mergeCells>' % FAR_RANGE, MARGINS),
        # ... and for every cell of a hyperlink's range
        (b'<hyperlinks><hyperlink ref="%s" location="A1"/></hyperlinks>' % FAR_RANGE, MARGINS),
        # 60,000 small cells, more than the copy may hold (~1 KB each in openpyxl)
        (b"".join(b'<row r="%d"><c r="Z%d"><v>1</v></c></row>' % (r, r)
                  for r in range(100, 60_100)), SHEET_DATA_END),
    ],
    ids=["merged-range", "hyperlink-range", "many-cells"],
)  # fmt: skip
def test_feedback_too_large_to_copy_holds_the_findings_and_says_why(
    office, extra: bytes, before: bytes
) -> None:
    tree, _ = office
    data = _with_sheet_xml(fill(tree, {"I10": 98}), extra, before=before)
    finding = Finding(Severity.ERROR, "table.x", "Contoh temuan.", "", MAIN, "I10")

    copy = load_workbook(io.BytesIO(feedback_workbook(data, Result(NAME, 3, (finding,)))))

    assert copy.sheetnames == [RESULT_SHEET]
    texts = [str(cell) for row in copy[RESULT_SHEET].iter_rows(values_only=True) for cell in row]
    assert any("terlalu besar untuk disalin" in text for text in texts)
    assert any("Contoh temuan." in text for text in texts)
