"""Property: whatever part names, quoting, prefixes, character references, encodings and
extents a workbook is written with, the reader either answers within its bounds or refuses it
with RefusedFileError, and what it answers is what was written. Workbooks are written from
scratch here (no openpyxl), so every spelling the format allows can be drawn."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from dataclasses import dataclass

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from watcher.errors import RefusedFileError
from watcher.validation.package import MAX_SHEET_CELLS
from watcher.validation.safety import check_bytes
from watcher.validation.sheet_scan import column_letters
from watcher.validation.zip_members import Members
from watcher.workbook.layout import rencana_aksi_layout
from watcher.workbook.read import Workbook, read_workbook

LAYOUT = rencana_aksi_layout()
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Spelling:
    """How one workbook writes its XML."""

    quote: str
    space: str  # around "="
    prefix: str  # "" or "x:" for SpreadsheetML elements
    references: bool  # write some characters as character references
    upper_address: bool


def attribute(spelling: Spelling, name: str, value: str) -> str:
    if spelling.references and value:
        value = f"&#{ord(value[0])};{value[1:]}"
    return f" {name}{spelling.space}={spelling.space}{spelling.quote}{value}{spelling.quote}"


def element(spelling: Spelling, local: str) -> str:
    return f"{spelling.prefix}{local}"


def namespaces(spelling: Spelling) -> str:
    main = f' xmlns:x="{MAIN}"' if spelling.prefix else f' xmlns="{MAIN}"'
    return f'{main} xmlns:r="{REL}"'


spellings = st.builds(
    Spelling,
    quote=st.sampled_from(['"', "'"]),
    space=st.sampled_from(["", " ", "\t"]),
    prefix=st.sampled_from(["", "x:"]),
    references=st.booleans(),
    upper_address=st.booleans(),
)
rows = st.one_of(st.integers(1, 60), st.integers(1, 1_048_576))
columns = st.one_of(st.integers(1, 20), st.integers(1, 16_384))
cells = st.dictionaries(st.tuples(rows, columns), st.integers(0, 10**6), min_size=1, max_size=12)
# (relationship target, zip member name) pairs that OPC resolves to the same part; those
# calamine would resolve elsewhere ("../", "./", "%20") are refused, the others read
placements = st.sampled_from(
    [
        ("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("../xl/worksheets/a.xml", "xl/worksheets/a.xml"),
        ("./worksheets/a.xml", "xl/worksheets/a.xml"),
        ("worksheets/a%20b.xml", "xl/worksheets/a b.xml"),
        ("worksheets/A.XML", "xl/worksheets/a.xml"),
        ("/data/s.xml", "data/s.xml"),
        ("worksheets/s.xml", "xl\\worksheets\\s.xml"),
    ]
)


def sheet_xml(spelling: Spelling, values: dict[tuple[int, int], int], dimension: bool) -> str:
    c, v, row_tag = element(spelling, "c"), element(spelling, "v"), element(spelling, "row")
    by_row: dict[int, list[tuple[int, int]]] = {}
    for (row, column), value in sorted(values.items()):
        by_row.setdefault(row, []).append((column, value))
    body = []
    for row, items in by_row.items():
        written = []
        for column, value in items:
            address = f"{column_letters(column)}{row}"
            address = address if spelling.upper_address else address.lower()
            written.append(f"<{c}{attribute(spelling, 'r', address)}><{v}>{value}</{v}></{c}>")
        body.append(
            f"<{row_tag}{attribute(spelling, 'r', str(row))}>{''.join(written)}</{row_tag}>"
        )
    last = max(values)
    ref = f'<{element(spelling, "dimension")} ref="A1:{column_letters(last[1])}{last[0]}"/>'
    root = element(spelling, "worksheet")
    data = element(spelling, "sheetData")
    return (
        f"<{root}{namespaces(spelling)}>{ref if dimension else ''}"
        f"<{data}>{''.join(body)}</{data}></{root}>"
    )


def package(spelling: Spelling, values: dict[tuple[int, int], int], placement: tuple[str, str],
            dimension: bool, utf16: bool) -> bytes:  # fmt: skip
    target, member = placement
    sheets, book = element(spelling, "sheets"), element(spelling, "workbook")
    sheet = element(spelling, "sheet")
    workbook = (
        f"<{book}{namespaces(spelling)}><{sheets}><{sheet}"
        f"{attribute(spelling, 'name', LAYOUT.main_sheet)}{attribute(spelling, 'sheetId', '1')}"
        f"{attribute(spelling, 'r:id', 'rId1')}/></{sheets}></{book}>"
    )
    plain = dataclasses.replace(spelling, references=False)  # refused in relationships
    rels = (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{REL}/worksheet"{attribute(plain, "Target", target)}/></Relationships>'
    )
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    xml = sheet_xml(spelling, values, dimension)
    parts = {
        "[Content_Types].xml": types.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": rels.encode(),
        member: xml.encode("utf-16") if utf16 else xml.encode(),
    }
    if not member.startswith("xl/worksheets/"):  # safety wants one sheet where Excel puts it
        parts["xl/worksheets/other.xml"] = f'<worksheet xmlns="{MAIN}"/>'.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def reading(data: bytes, checked: Members | None) -> Workbook | str:
    """The workbook read, or the rule of its refusal."""
    try:
        return read_workbook(data, LAYOUT, checked=checked)
    except RefusedFileError as refusal:
        assert refusal.message
        return refusal.rule


@SETTINGS
@given(spellings, cells, placements, st.booleans(), st.booleans())
def test_reader_answers_within_its_bound_or_refuses(
    spelling: Spelling,
    values: dict[tuple[int, int], int],
    placement: tuple[str, str],
    dimension: bool,
    utf16: bool,
) -> None:
    data = package(spelling, values, placement, dimension, utf16)
    try:
        checked = check_bytes(data)
    except RefusedFileError as refusal:
        assert refusal.rule.startswith("safety.") and refusal.message
        event(refusal.rule)
        return
    # the parts the safety layer inflated on its way are read as the zip's own would be
    handed = reading(data, checked)
    assert handed == reading(data, None)
    if isinstance(handed, str):
        assert handed.startswith("read.")
        event(handed)
        return
    book = handed
    event("read")
    extent = len(book.grid) * max((len(row) for row in book.grid), default=0)
    assert extent <= MAX_SHEET_CELLS
    assert not utf16  # a UTF-16 sheet is refused, never read as empty
    for (row, column), value in values.items():  # what was written is what is read
        assert book.value(row, column) == value
