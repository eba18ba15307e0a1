"""The file-safety layer: a hostile, broken or wrong-kind file is refused from its raw bytes,
before any spreadsheet parser sees it, with a stable rule id and a message a clerk can act on;
real workbooks (openpyxl's, LibreOffice's, the ones kinerja issues) pass. Every check stays
within 300 MB of address space and a few seconds, whatever the file holds."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import threading
import tracemalloc
import zipfile
from pathlib import Path

import defusedxml
import openpyxl
import openpyxl.xml
import pytest
from defusedxml import EntitiesForbidden
from support.hostile_files import (
    ACTIVE_FORMULAS,
    CASES,
    EXTERNAL_NAMES,
    HYPERLINKS,
    valid_xlsx_bytes,
    xlsx_parts,
)
from support.office import issued_office

from watcher.errors import EXIT_UNUSABLE, RefusedFileError
from watcher.validation.part_memo import forget_all
from watcher.validation.safety import SafetyLimits, check_bytes, check_file
from watcher.workbook.layout import rencana_aksi_layout
from watcher.workbook.read import read_workbook

MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]

# case -> (rule, a phrase the clerk reads in the message)
REFUSED: dict[str, tuple[str, str]] = {
    "empty": ("safety.empty", "kosong"),
    "random_bytes": ("safety.not_zip", "bukan buku kerja Excel"),
    "csv_renamed": ("safety.csv", "CSV"),
    "html_renamed": ("safety.html", "halaman web"),
    "spreadsheetml_2003": ("safety.xml_spreadsheet", "XML Spreadsheet 2003"),
    "pdf": ("safety.pdf", "PDF"),
    "png": ("safety.image", "gambar"),
    "jpeg": ("safety.image", "gambar"),
    "gzip": ("safety.archive", "arsip"),
    "zip_of_xlsx": ("safety.archive", "Ekstrak dulu"),
    "docx": ("safety.docx", "dokumen Word"),
    "pptx": ("safety.pptx", "PowerPoint"),
    "ods": ("safety.ods", "simpan sebagai 'Buku Kerja Excel (*.xlsx)'"),
    "odt": ("safety.odf", "OpenDocument"),
    "xlsb": ("safety.xlsb", ".xlsb"),
    "legacy_xls": ("safety.legacy_xls", "format lama (.xls)"),
    "legacy_doc": ("safety.legacy_office", "format lama"),
    "damaged_ole2": ("safety.legacy_office", "rusak"),
    "encrypted_xlsx": ("safety.encrypted", "dilindungi kata sandi"),
    "truncated_xlsx": ("safety.truncated_zip", "rusak atau tidak lengkap"),
    "corrupted_member": ("safety.corrupt_zip", "rusak atau tidak lengkap"),
    "oversized_file": ("safety.too_large", "terlalu besar (21,0 MB; batas 20,0 MB)"),
    "missing_worksheet": ("safety.missing_parts", "xl/worksheets/*.xml"),
    "missing_content_types": ("safety.missing_parts", "[Content_Types].xml"),
    "duplicate_member": ("safety.corrupt_zip", "rusak"),
    "zip_password": ("safety.encrypted", "kata sandi"),
    "zip_bomb": ("safety.zip_bomb", "mengembang tidak wajar"),
    "forged_size": ("safety.corrupt_zip", "rusak"),
    "forged_size_and_crc": ("safety.corrupt_zip", "rusak"),
    "million_rows": ("safety.content_too_large", "terlalu besar"),
    "many_members": ("safety.too_many_members", "terlalu banyak bagian"),
    "lying_member_count": ("safety.too_many_members", "terlalu banyak bagian"),
    "vba_macro": ("safety.macro", "makro"),
    "macro_content_type": ("safety.macro", "makro"),
    "xlm_macrosheet": ("safety.macro", "makro"),
    "activex": ("safety.activex", "ActiveX"),
    "ole_embedding": ("safety.embedded_object", "objek sisipan"),
    "linked_ole_object": ("safety.embedded_object", "objek sisipan"),
    "external_link": ("safety.external_link", "Putuskan Tautan"),
    "linked_remote_image": ("safety.external_link", "tautan"),
    "data_connection": ("safety.external_link", "sumber data lain"),
    "billion_laughs": ("safety.xml_doctype", "XML yang tidak wajar"),
    "xxe_workbook": ("safety.xml_doctype", "XML yang tidak wajar"),
    "xxe_utf16": ("safety.xml_doctype", "XML yang tidak wajar"),
    "xxe_ebcdic": ("safety.xml_encoding", "pengodean"),
    "doctype_after_padding": ("safety.xml_doctype", "XML yang tidak wajar"),
    "doctype_across_chunks": ("safety.xml_doctype", "XML yang tidak wajar"),
    "doctype_in_odd_part": ("safety.xml_doctype", "XML yang tidak wajar"),
    "two_zips_concatenated": ("safety.ambiguous_zip", "bermakna ganda"),
    "bytes_before_first_member": ("safety.ambiguous_zip", "bermakna ganda"),
    "second_end_record": ("safety.truncated_zip", "rusak"),  # zipfile cannot read it either
    "member_hidden_before_directory": ("safety.ambiguous_zip", "bermakna ganda"),
    "data_descriptor_lies": ("safety.corrupt_zip", "rusak"),
    "overlapping_entries": ("safety.ambiguous_zip", "bermakna ganda"),
    "local_header_other_method": ("safety.corrupt_zip", "rusak"),
    "local_header_other_size": ("safety.corrupt_zip", "rusak"),
    "local_header_other_crc": ("safety.corrupt_zip", "rusak"),
    "pivot_cache": ("safety.pivot_cache", "tabel pivot"),
    "pivot_cache_renamed": ("safety.pivot_cache", "tabel pivot"),
    "chart_external_data": ("safety.external_link", "tautan"),
    "dde_link_part": ("safety.dde", "DDE"),
    **{f"formula_{k}": (rule, "") for k, (_, rule) in ACTIVE_FORMULAS.items()},
    **{f"defined_name_{k}": (rule, "") for k, (_, rule) in EXTERNAL_NAMES.items()},
    **{
        f"hyperlink_{i}": ("safety.file_link", "file://")
        for i, t in enumerate(HYPERLINKS)
        if HYPERLINKS[t]
    },
}
PASSING = [case for case in CASES if case not in REFUSED]


@pytest.mark.parametrize("case", REFUSED)
def test_hostile_file_is_refused_with_its_rule_and_an_indonesian_message(case: str) -> None:
    rule, phrase = REFUSED[case]
    with pytest.raises(RefusedFileError) as caught:
        check_bytes(CASES[case](), name=f"kiriman/{case}.xlsx")
    refusal = caught.value
    assert (refusal.rule, refusal.path) == (rule, f"kiriman/{case}.xlsx")
    assert phrase in refusal.message
    assert "kirim" in refusal.message.lower()  # every message says what to do next
    assert refusal.exit_code == EXIT_UNUSABLE


@pytest.mark.parametrize("case", PASSING)
def test_sound_workbook_passes(case: str) -> None:
    check_bytes(CASES[case]())


def test_the_parts_inflated_on_the_way_are_handed_on_for_these_bytes_only() -> None:
    """What the safety layer inflated is handed to the reader as the zip holds it; handed
    with other bytes, it is not used: the reader reads the bytes it is given."""
    first, second = (_with_realisation(value) for value in (95.5, 12.25))
    forget_all()  # a part passed before is not inflated again, so not handed on
    checked = check_bytes(first)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert checked.inflated["xl/worksheets/sheet1.xml"] == archive.read(
            "xl/worksheets/sheet1.xml"
        )
    layout = rencana_aksi_layout()
    assert read_workbook(first, layout, checked=checked).value(3, 5) == 95.5
    assert read_workbook(second, layout, checked=checked).value(3, 5) == 12.25


def _with_realisation(value: float) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(valid_xlsx_bytes()))
    workbook["Rencana Aksi"]["E3"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_workbooks_kinerja_issues_pass(tmp_path: Path) -> None:
    _, issued = issued_office(tmp_path / "kantor")
    assert issued
    for item in issued:
        assert check_file(item.path) == item.path.read_bytes()


def test_workbook_saved_by_libreoffice_passes(tmp_path: Path, lo_engine) -> None:
    source = tmp_path / "Rencana_Aksi.xlsx"
    source.write_bytes(valid_xlsx_bytes())
    [saved] = lo_engine.recalculate([source], tmp_path / "libreoffice")
    assert b"LibreOffice" in xlsx_parts(saved.read_bytes())["docProps/app.xml"]
    check_file(saved)


def test_check_file_returns_exactly_the_bytes_it_checked(tmp_path: Path) -> None:
    path = tmp_path / "Rencana_Aksi.xlsx"
    path.write_bytes(valid_xlsx_bytes())
    assert check_file(path) == valid_xlsx_bytes()


def test_check_file_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "besar.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * MIB)  # sparse: 50 MB long, nothing written
    tracemalloc.start()
    try:
        with pytest.raises(RefusedFileError) as caught:
            check_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.rule == "safety.too_large"
    assert "50,0 MB" in caught.value.message
    assert caught.value.path == str(path)
    assert peak < MIB


def test_check_file_stops_reading_a_file_that_grows_past_the_limit(tmp_path: Path) -> None:
    """A file may grow after its size is looked at (a copy still running): the read is bounded."""
    pipe = tmp_path / "tumbuh.xlsx"
    os.mkfifo(pipe)  # reports size 0, then delivers whatever the writer sends
    written: list[int] = []

    def write_50_mib() -> None:
        with open(pipe, "wb", buffering=0) as out:
            try:
                for _ in range(50):
                    written.append(out.write(b"PK\x03\x04" + bytes(MIB - 4)))
            except BrokenPipeError:
                pass  # the reader closed: it had read enough

    writer = threading.Thread(target=write_50_mib, daemon=True)
    writer.start()
    with pytest.raises(RefusedFileError) as caught:
        check_file(pipe, limits=SafetyLimits(max_file_bytes=MIB))
    writer.join(timeout=10)
    assert caught.value.rule == "safety.too_large"
    assert sum(written) <= 2 * MIB


def test_limits_can_be_tuned() -> None:
    data = CASES["valid"]()
    with pytest.raises(RefusedFileError) as caught:
        check_bytes(data, limits=SafetyLimits(max_file_bytes=len(data) - 1))
    assert caught.value.rule == "safety.too_large"
    with pytest.raises(RefusedFileError) as caught:
        check_bytes(data, limits=SafetyLimits(max_members=3))
    assert caught.value.rule == "safety.too_many_members"


def test_legacy_xls_case_is_an_unencrypted_excel_97_file() -> None:
    """The hand-made OLE2 file is what msoffcrypto-tool calls a plain Excel 97-2003 workbook."""
    import msoffcrypto
    from msoffcrypto.format.xls97 import Xls97File

    office = msoffcrypto.OfficeFile(io.BytesIO(CASES["legacy_xls"]()))
    assert isinstance(office, Xls97File)
    assert not office.is_encrypted()
    assert msoffcrypto.OfficeFile(io.BytesIO(CASES["encrypted_xlsx"]())).is_encrypted()


# --- defusedxml: the second lock, should the safety layer ever be skipped ---------------------


def test_openpyxl_parses_xml_through_defusedxml() -> None:
    assert defusedxml.__version__
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize(
    "case", ["billion_laughs", "xxe_workbook", "xxe_utf16", "doctype_after_padding"]
)
def test_openpyxl_refuses_entity_attacks_without_the_safety_layer(case: str) -> None:
    with pytest.raises(ValueError) as caught:  # openpyxl wraps the parser's error
        openpyxl.load_workbook(io.BytesIO(CASES[case]()))
    assert isinstance(caught.value.__cause__, EntitiesForbidden)


# --- resource bounds: every case in a child process limited to 300 MB and 20 s ----------------

_CHILD = """
import sys
from pathlib import Path
from watcher.errors import RefusedFileError
from watcher.validation.safety import check_file
try:
    check_file(Path(sys.argv[1]))
except RefusedFileError as refusal:
    print(refusal.rule)
else:
    print("passed")
"""
_MEMORY_LIMIT = 300 * MIB


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))


def _run_limited(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
        preexec_fn=_limit_memory,
        check=False,
    )


def test_the_memory_limit_of_the_child_process_bites() -> None:
    completed = _run_limited("bytearray(400 * 1024 * 1024)")
    assert completed.returncode != 0
    assert "MemoryError" in completed.stderr


@pytest.mark.parametrize("case", CASES)
def test_check_stays_within_300_mb_and_20_seconds(case: str, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(CASES[case]())
    completed = _run_limited(_CHILD, str(path))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == REFUSED.get(case, ("passed",))[0]
