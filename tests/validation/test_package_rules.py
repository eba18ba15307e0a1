"""Pure pieces of the package checks, table-driven: how a relationship target resolves (OPC),
which formulas reach outside the workbook, which hyperlinks are web links, and how a sheet's
extent is measured however its XML is spelt."""

from __future__ import annotations

import pytest

from watcher.validation.active_content import formula_rule, is_web_link
from watcher.validation.package import resolve_target
from watcher.validation.refusal import Refusal
from watcher.validation.sheet_scan import scan_sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    ("target", "part"),
    [
        ("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("../xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("./worksheets/../worksheets/s.xml", "xl/worksheets/s.xml"),
        ("worksheets/a%20b.xml", "xl/worksheets/a b.xml"),
        ("/other/big.xml", "other/big.xml"),
        ("../../../../etc/passwd", "etc/passwd"),  # cannot climb above the package root
    ],
)
def test_relationship_target_resolves_as_opc_does(target: str, part: str) -> None:
    assert resolve_target("/xl/workbook.xml", target) == part


@pytest.mark.parametrize("target", ["", "worksheets\\sheet1.xml"])
def test_a_target_that_names_no_part_is_refused(target: str) -> None:
    with pytest.raises(Refusal):
        resolve_target("/xl/workbook.xml", target)


@pytest.mark.parametrize(
    ("formula", "rule"),
    [
        ("IFERROR(I10/H10*100,0)", None),  # the template's own capaian
        ("SUM(Tabel1[Realisasi])", None),  # a table's structured reference
        ("'Rencana Aksi'!A1&\"|\"", None),  # a bar inside a string is text
        ('HYPERLINK("https://disdukcapil.example.go.id","situs")', None),
        ("'It''s'!A1", None),
        ("cmd|' /C calc'!A0", "safety.dde"),
        ("=msexcel|'\\..\\..\\Windows\\System32\\cmd.exe'!''", "safety.dde"),
        ('ddeauto("cmd")', "safety.dde"),
        ('_xlfn.WEBSERVICE("http://x")', "safety.active_formula"),
        ('filterxml(A1, "//a")', "safety.active_formula"),
        ("_xll.Anything()", "safety.active_formula"),
        ('REGISTER.ID("kernel32","WinExec")', "safety.active_formula"),
        ('HYPERLINK("file:///C:/x.exe")', "safety.file_link"),
        ('HYPERLINK("\\\\srv\\share\\x.exe")', "safety.file_link"),
        ('HYPERLINK("C:/Windows/calc.exe","buka")', "safety.file_link"),
        ("[1]Sheet1!A1", "safety.external_link"),
        ("SUM([2]Data!A1:A9)", "safety.external_link"),
        ("'C:\\dir\\[x.xlsx]S'!A1", "safety.external_link"),
        ("'file:///C:/dir/[x.xlsx]S'!A1", "safety.external_link"),
        ("\\\\server\\share\\[x.xlsx]S!A1", "safety.external_link"),
    ],
)
def test_formula_rule(formula: str, rule: str | None) -> None:
    assert formula_rule(formula) == rule


@pytest.mark.parametrize(
    ("target", "web"),
    [
        ("https://example.go.id/a?b=1", True),
        (" HTTP://example.go.id", True),
        ("mailto:a@example.go.id", True),
        ("file:///C:/x", False),
        ("%66ile:///C:/x", False),
        ("\\\\server\\share", False),
        ("//server/share", False),
        ("laporan.xlsx", False),
    ],
)
def test_only_web_and_mail_links_are_web_links(target: str, web: bool) -> None:
    assert is_web_link(target) is web


def _sheet(body: str) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'.encode()


@pytest.mark.parametrize(
    ("body", "rows", "columns"),
    [
        ('<row r="3"><c r="B3"/></row>', 3, 2),
        ("<row r='7'><c r='xfd7'/></row>", 7, 16384),
        ('<row r="2"><c/><c/><c/></row>', 2, 3),  # placed after each other, as calamine does
        ("<row><c/></row><row><c/></row>", 2, 1),  # rows without r follow each other
        ('<row r="5"><c r="C5"/><c/></row>', 5, 4),
        ('<row r="9"/>', 0, 0),  # a row alone is no cell
        ('<row r="4"><c r="&#68;4"/></row>', 4, 4),  # the parser decodes references
        ('<x:c xmlns:x="urn:other" r="E2"/>', 2, 5),  # calamine matches local names only
    ],
)
def test_sheet_extent_is_measured_however_spelt(body: str, rows: int, columns: int) -> None:
    scan = scan_sheet(_sheet(body), limit=10**9)
    assert (scan.rows, scan.columns) == (rows, columns)


def test_measuring_stops_at_the_bound() -> None:
    with pytest.raises(Refusal) as caught:
        scan_sheet(_sheet('<row r="1048576"><c r="XFD1048576"/></row>'), limit=1_000_000)
    assert caught.value.rule == "read.sheet_too_large"
    assert caught.value.details["last"] == "XFD1048576"


def test_formula_and_error_cells_are_collected() -> None:
    body = '<row r="10"><c r="J10" t="e"><f>I10/H10</f><v>#DIV/0!</v></c><c r="K10"/></row>'
    scan = scan_sheet(_sheet(body), limit=1000)
    assert scan.formula_cells == {"J10"} and scan.error_cells == {"J10": "#DIV/0!"}
