"""Content-level cases: a real issued workbook, filled as a clerk would, then changed one way.

Each function takes the tree of an issued office (`office.issued_office`, 2026 Q3) and returns a
`Case`: the bytes to save, the rule id, Indonesian phrase and cell the validator must report
(all "" for a clean workbook), the verdict, and the folder the clerk saves it in. The byte-level
cases (empty, zip bomb, XXE, ...) live in `hostile_files.py`; these go past the safety layer
and reach the content rules. To add a case, write a function and register it in
`CONTENT_CASES`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from support.hostile_files import MAIN_NS, REL_NS, rezip, xlsx_parts
from support.sop010 import Folder
from watcher.service.tree import Tree, workbook_file_name
from watcher.workbook.layout import rencana_aksi_layout

YEAR, QUARTER = 2026, 3  # the quarter `office.issued_office` issues
LAYOUT = rencana_aksi_layout()
FIRST = LAYOUT.rows["first_data"]  # row 10: DAF-01, 11: DAF-02, 12: DAF-03, 13: DAF-04
COL = {column.key: column.letter for column in LAYOUT.columns}
MAIN_SHEET_PART = "xl/worksheets/sheet1.xml"  # openpyxl and LibreOffice both write it first
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
MAIN_TARGET = b'Target="/xl/worksheets/sheet1.xml"'  # as openpyxl writes the main sheet's
FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
TOO_LARGE = ("read.sheet_too_large", "jauh di luar tabel")
AMBIGUOUS = ("read.unsupported_structure", "tidak dikenal")
# (realisation, kendala, tindak lanjut) per DAFDUK row; targets TW III: 99.2, 98.8, 1200, 1.5.
# Capaian: 100.1 %, 99.7 %, 91.7 %, 120 % (DAF-04 is lower-is-better).
DAFDUK_FILLED = (
    (99.3, "", ""),
    (98.5, "Blangko KK terlambat datang dari pusat", "Ajukan tambahan blangko ke Dirjen"),
    (1100, "Server SIAK gangguan dua minggu", "Layanan jemput bola di kecamatan"),
    (1.2, "", ""),
)
CAPIL_FILLED = (97.6, 33.5, 160, 96)  # all at or above the TW III targets


@dataclass(frozen=True)
class Case:
    """A workbook as saved by a clerk and what validation must say about it."""

    data: bytes
    rule: str  # rule id that must be among the findings; "" = no finding at all
    phrase: str  # Indonesian words the finding's message contains
    cell: str  # A1 address of the finding, "" for the whole file
    valid: bool = False
    division: str = "DAFDUK"  # the division folder it is saved in
    folder: Folder = Folder.MATERIAL
    file_name: str = ""  # "" = the issued name

    @property
    def refused(self) -> bool:
        return self.rule.startswith("safety.") or self.rule.startswith("read.")

    @property
    def exit_code(self) -> int:
        """What `kinerja validate` exits with for this file alone."""
        return 2 if self.refused else 0 if self.valid else 1

    def save(self, tree: Tree, *, file_name: str = "") -> Path:
        """Write the bytes where the clerk saves them, as `file_name` if given (else replacing
        the file of an earlier case saved under the same name)."""
        name = file_name or self.file_name or workbook_file_name("DAFDUK", YEAR, QUARTER)
        path = tree.folder(self.division, self.folder) / name
        path.write_bytes(self.data)
        return path


# --- building workbooks ---------------------------------------------------------------------


def issued(tree: Tree, division: str = "DAFDUK") -> Workbook:
    """The workbook `kinerja issue` wrote for the division, opened with openpyxl."""
    path = tree.folder(division, Folder.DISPOSITION) / workbook_file_name(division, YEAR, QUARTER)
    return openpyxl.load_workbook(path)


def filled(tree: Tree) -> Workbook:
    """The DAFDUK workbook filled completely: realisations, status, kendala where below 100 %."""
    workbook = issued(tree)
    sheet = workbook[LAYOUT.main_sheet]
    for row, (value, kendala, follow_up) in enumerate(DAFDUK_FILLED, start=FIRST):
        sheet[f"{COL['realisation']}{row}"] = value
        sheet[f"{COL['status']}{row}"] = "Final"
        sheet[f"{COL['kendala']}{row}"] = kendala or None
        sheet[f"{COL['follow_up']}{row}"] = follow_up or None
    return workbook


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main_sheet(workbook: Workbook) -> Worksheet:
    return workbook[LAYOUT.main_sheet]


def set_metadata(workbook: Workbook, key: str, value: object) -> None:
    for row in workbook[LAYOUT.metadata_sheet].iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = value
            return
    raise KeyError(key)


def filled_with(tree: Tree, **cells: object) -> bytes:
    """The filled DAFDUK workbook with main-sheet cells (keyword = address) set."""
    workbook = filled(tree)
    for address, value in cells.items():
        main_sheet(workbook)[address] = value
    return to_bytes(workbook)


def text_cell(tree: Tree, address: str, text: str) -> bytes:
    """A cell holding `text` as text even when it starts with "=" (Excel's leading apostrophe)."""
    workbook = filled(tree)
    cell = main_sheet(workbook)[address]
    cell.value = text
    cell.data_type, cell.quotePrefix = "s", True
    return to_bytes(workbook)


def replace_member(data: bytes, name: str, chunks: Callable[[bytes], Iterator[bytes]]) -> bytes:
    """The zip with member `name` rewritten from the chunks `chunks(old_content)` yields."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        assert name in source.namelist(), name
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
                continue
            rewritten = zipfile.ZipInfo(name, info.date_time)
            rewritten.compress_type = zipfile.ZIP_DEFLATED
            with target.open(rewritten, "w", force_zip64=True) as stream:
                for chunk in chunks(source.read(info)):
                    stream.write(chunk)
    return out.getvalue()


def rows_appended(tree: Tree, rows: Iterable[bytes]) -> bytes:
    """The filled workbook with raw `<row>` XML streamed onto the end of its main sheet."""

    def rewrite(xml: bytes) -> Iterator[bytes]:
        head, tail = xml.split(b"</sheetData>")
        yield head
        yield from rows
        yield b"</sheetData>" + tail

    return replace_member(to_bytes(filled(tree)), MAIN_SHEET_PART, rewrite)


def patch_cell(data: bytes, address: str, inner: str, *, kind: str) -> bytes:
    """The workbook with the main sheet's cell `address` written as raw XML (style kept)."""
    cell = re.compile(rf'<c r="{address}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)'.encode(), re.S)

    def rewrite(xml: bytes) -> Iterator[bytes]:
        new, count = cell.subn(
            lambda m: f'<c r="{address}"{(m.group(1) or b"").decode()} t="{kind}">{inner}</c>'
            .encode(),
            xml,
        )  # fmt: skip
        assert count == 1, address
        yield new

    return replace_member(data, MAIN_SHEET_PART, rewrite)


# --- the cases ------------------------------------------------------------------------------


def typed(
    key: str, position: int, value: object, rule: str, phrase: str, *, valid: bool = False
) -> Callable[[Tree], Case]:
    """A case: the filled workbook with `value` typed into column `key` of indicator row
    `position` (0 = DAF-01), the finding expected at that cell."""
    address = f"{COL[key]}{FIRST + position}"

    def build(tree: Tree) -> Case:
        return Case(filled_with(tree, **{address: value}), rule, phrase, address, valid=valid)

    return build


def refused_when_typed(key: str, position: int, value: object, rule: str) -> Callable[[Tree], Case]:
    """A case: `value` typed into column `key` of indicator row `position` refuses the file."""
    address = f"{COL[key]}{FIRST + position}"
    return lambda tree: Case(filled_with(tree, **{address: value}), rule, "", "")


def valid_filled(tree: Tree) -> Case:
    return Case(to_bytes(filled(tree)), "", "", "", valid=True)


def wrong_division(tree: Tree) -> Case:
    return Case(
        to_bytes(filled(tree)), "place.wrong_division", "disimpan di folder bidang CAPIL", "",
        division="CAPIL",
    )  # fmt: skip


def wrong_quarter(tree: Tree) -> Case:
    workbook = filled(tree)
    set_metadata(workbook, "triwulan", 2)
    return Case(to_bytes(workbook), "place.wrong_quarter", "Triwulan II 2026", "")


def wrong_year(tree: Tree) -> Case:
    workbook = filled(tree)
    set_metadata(workbook, "tahun", 2025)
    return Case(to_bytes(workbook), "place.wrong_quarter", "Triwulan III 2025", "")


def wrong_template_version(tree: Tree) -> Case:
    workbook = filled(tree)
    set_metadata(workbook, "versi_templat", "RA-2025.3")
    return Case(to_bytes(workbook), "template.version", "Versi templat", "")


def not_rencana_aksi(tree: Tree) -> Case:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Laporan"
    sheet.append(["Indikator", "Target", "Realisasi"])
    sheet.append(["Persentase kepemilikan KTP-el", 99.2, 99.3])
    return Case(
        to_bytes(workbook), "template.not_rencana_aksi", "bukan buku kerja rencana aksi", ""
    )


def metadata_deleted(tree: Tree) -> Case:
    workbook = filled(tree)
    del workbook[LAYOUT.metadata_sheet]
    return Case(to_bytes(workbook), "template.not_rencana_aksi", "lembar metadata tidak ada", "")


def main_sheet_renamed(tree: Tree) -> Case:
    workbook = filled(tree)
    main_sheet(workbook).title = "Sheet1"
    return Case(to_bytes(workbook), "template.missing_sheet", "mungkin namanya diubah", "")


def deleted_row(tree: Tree) -> Case:
    workbook = filled(tree)
    main_sheet(workbook).delete_rows(FIRST + 1)  # DAF-02; the rows below move up
    return Case(to_bytes(workbook), "table.row_missing", "DAF-02", f"{COL['code']}{FIRST + 1}")


def added_row(tree: Tree) -> Case:
    workbook = filled(tree)
    sheet = main_sheet(workbook)
    sheet.insert_rows(FIRST + 2)
    sheet[f"{COL['code']}{FIRST + 2}"] = "DAF-05"
    sheet[f"{COL['indicator']}{FIRST + 2}"] = "Jumlah KIA yang diterbitkan"
    sheet[f"{COL['realisation']}{FIRST + 2}"] = 40
    return Case(to_bytes(workbook), "table.row_added", "'DAF-05'", f"{COL['code']}{FIRST + 2}")


def reordered_rows(tree: Tree) -> Case:
    workbook = filled(tree)
    sheet = main_sheet(workbook)
    first, second = sheet[FIRST], sheet[FIRST + 1]
    for a, b in zip(first, second, strict=True):
        a.value, b.value = b.value, a.value
    return Case(to_bytes(workbook), "table.row_order", "Urutan baris", f"{COL['code']}{FIRST}")


def div0_realisation(tree: Tree) -> Case:
    """`=1/0` with the error value Excel caches for it (t="e"), as Excel would save it."""
    address = f"{COL['realisation']}{FIRST + 1}"
    data = patch_cell(to_bytes(filled(tree)), address, "<f>1/0</f><v>#DIV/0!</v>", kind="e")
    return Case(data, "table.formula_error", "#DIV/0!", address)


def ref_error_in_capaian(tree: Tree) -> Case:
    """A broken capaian formula: reported, but only as a warning (capaian is recomputed)."""
    address = f"{COL['capaian']}{FIRST}"
    data = patch_cell(to_bytes(filled(tree)), address, "<f>#REF!/H10*100</f><v>#REF!</v>", kind="e")
    return Case(data, "table.formula_error", "#REF!", address, valid=True)


def kendala_hyperlink_text(tree: Tree) -> Case:
    address = f"{COL['kendala']}{FIRST + 1}"
    data = text_cell(tree, address, '=HYPERLINK("http://contoh.invalid/x","lihat bukti")')
    return Case(data, "table.formula_like_text", "diawali '='", address, valid=True)


def kendala_40000_characters(tree: Tree) -> Case:
    """Past Excel's own 32,767 limit (openpyxl would cut it there), so written as raw XML."""
    address = f"{COL['kendala']}{FIRST + 2}"
    text = ("Server SIAK gangguan. " * 2000)[:40_000]
    data = patch_cell(to_bytes(filled(tree)), address, f"<is><t>{text}</t></is>", kind="inlineStr")
    return Case(data, "table.text_too_long", "terlalu panjang (40000 karakter)", address)


def unicode_file_name(tree: Tree) -> Case:
    workbook = issued(tree, "CAPIL")
    for row, value in enumerate(CAPIL_FILLED, start=FIRST):
        main_sheet(workbook)[f"{COL['realisation']}{row}"] = value
    return Case(
        to_bytes(workbook), "", "", "", valid=True, division="CAPIL",
        file_name="Laporan_Bidang_Pencatatan_Sipil_TW3_ñ_ü_中文.xlsx",
    )  # fmt: skip


def step4_complete(tree: Tree) -> Case:
    return Case(to_bytes(filled(tree)), "", "", "", valid=True, folder=Folder.REPORT)


def step4_missing_kendala(tree: Tree) -> Case:
    """DAF-03 is at 91.7 %: in the report (step 4) it needs kendala and tindak lanjut."""
    row = FIRST + 2
    data = filled_with(tree, **{f"{COL['kendala']}{row}": None, f"{COL['follow_up']}{row}": None})
    return Case(
        data, "step4.kendala_missing", "Capaian DAF-03 91,67% di bawah 100%: kendala wajib diisi",
        f"{COL['kendala']}{row}", folder=Folder.REPORT,
    )  # fmt: skip


def rows_xml(numbers: range, cells: Callable[[int], str]) -> bytes:
    return "".join(f'<row r="{r}">{cells(r)}</row>' for r in numbers).encode()


def million_rows(tree: Tree) -> Case:
    """A million rows appended to the main sheet: ~40 MB of XML, a few MB on disk."""
    chunks = (
        rows_xml(range(start, start + 50_000), lambda r: f'<c r="A{r}"><v>{r}</v></c>')
        for start in range(100, 100 + 1_000_000, 50_000)
    )
    return Case(rows_appended(tree, chunks), "safety.content_too_large", "terlalu besar", "")


def many_rows_within_size_limits(tree: Tree) -> Case:
    """Rows up to what the safety layer lets a part hold (15 of 16 MiB): refused by the reader."""

    def cells(r: int) -> str:
        return f'<c r="A{r}"><v>{r}</v></c><c r="M{r}" t="inlineStr"><is><t>x</t></is></c>'

    def chunks() -> Iterator[bytes]:
        start, budget = 100, 15 * 1024 * 1024
        while budget > 0:
            chunk = rows_xml(range(start, start + 10_000), cells)
            start, budget = start + 10_000, budget - len(chunk)
            yield chunk

    return Case(rows_appended(tree, chunks()), "read.sheet_too_large", "jauh di luar tabel", "")


def value_in_last_cell(tree: Tree) -> Case:
    """One value typed in XFD1048576: a 9 KB file whose sheet spans 17 billion cells."""
    data = filled_with(tree, XFD1048576="x")
    return Case(data, "read.sheet_too_large", "sampai sel XFD1048576", "")


def value_in_last_row_without_address(tree: Tree) -> Case:
    """A cell without an address (the format allows it) is placed by its row: 1048576."""
    data = rows_appended(tree, [b'<row r="1048576"><c><v>1</v></c></row>'])
    return Case(data, "read.sheet_too_large", "jauh di luar tabel", "")


def value_in_last_cell_lowercase(tree: Tree) -> Case:
    """The same far cell written "xfd1048576": calamine reads lower-case addresses too."""
    data = rows_appended(tree, [b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'])
    return Case(data, "read.sheet_too_large", "sampai sel XFD1048576", "")


# --- what calamine was found to do, by experiment (see watcher/validation/package.py) --------


def far_cell(row_xml: str) -> Callable[[Tree], Case]:
    """A case: one far cell, written a way a regex over attribute spelling would miss."""
    return lambda tree: Case(rows_appended(tree, [row_xml.encode()]), *TOO_LARGE, "")


def with_far_cell(xml: bytes) -> bytes:
    head, tail = xml.split(b"</sheetData>")
    return head + FAR_CELL + b"</sheetData>" + tail


def sheet_moved(
    target: str, member: str, *, decoy: str = "", refused: tuple[str, str] = TOO_LARGE
) -> Callable[[Tree], Case]:
    """A case: the main sheet moved to `member`, its relationship's Target written `target`,
    holding a far cell, or with a decoy: the clerk's sheet where Excel resolves `target` and a
    far cell at `decoy`, where calamine (which resolves no "../", "%20" or "&#..;") would look.

    Both are refused: the far cell wherever Excel finds it, and any target Excel and calamine
    resolve to different parts (the reports read approved files with calamine directly).
    """

    def build(tree: Tree) -> Case:
        parts = xlsx_parts(to_bytes(filled(tree)))
        main = parts.pop(MAIN_SHEET_PART)
        parts[member] = main if decoy else with_far_cell(main)
        if decoy:
            parts[decoy] = with_far_cell(main)
        attribute = f'Target="{target}"'.encode()
        parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(MAIN_TARGET, attribute)
        return Case(rezip(parts), *refused, "")

    return build


def parts_changed(change: Callable[[dict[str, bytes]], None], rule: str) -> Callable[[Tree], Case]:
    """A case: the filled workbook's parts changed by `change`, refused under `rule`."""

    def build(tree: Tree) -> Case:
        parts = xlsx_parts(to_bytes(filled(tree)))
        change(parts)
        return Case(rezip(parts), rule, "", "")

    return build


HUGE_TABLE = f'<sst xmlns="{MAIN_NS}" count="4000000000" uniqueCount="4000000000">'
NESTED_TABLE = f'<sst xmlns="{MAIN_NS}"><si><t>a</t></si><sst uniqueCount="4000000000"/></sst>'
TABLE_BELOW = f'<strings xmlns="{MAIN_NS}"><sst count="4000000000"/></strings>'


def huge_shared_strings_count(
    parts: dict[str, bytes], *, table: str = HUGE_TABLE + "<si><t>a</t></si></sst>"
) -> None:
    """calamine reserves memory for the declared uniqueCount first: 4e9 aborts the process."""
    parts["xl/sharedStrings.xml"] = table.encode()
    relationship = (
        f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    ).encode()
    parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(
        b"</Relationships>", relationship + b"</Relationships>"
    )


def shared_strings_decoy(parts: dict[str, bytes]) -> None:
    """The relationships lead to a sound table; calamine, which opens xl/sharedStrings.xml by
    name, would find one declaring 4e9 strings there."""
    huge_shared_strings_count(parts)
    parts["xl/strings.xml"] = f'<sst xmlns="{MAIN_NS}"><si><t>a</t></si></sst>'.encode()
    parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(
        b'Target="sharedStrings.xml"', b'Target="strings.xml"'
    )


def main_sheet_in_utf16(parts: dict[str, bytes]) -> None:
    """calamine reads a UTF-16 sheet as empty: every indicator row would be "missing"."""
    parts[MAIN_SHEET_PART] = parts[MAIN_SHEET_PART].decode().encode("utf-16")


def main_sheet_as_chartsheet(parts: dict[str, bytes]) -> None:
    parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(
        f'Type="{REL_NS}/worksheet" {MAIN_TARGET.decode()}'.encode(),
        f'Type="{REL_NS}/chartsheet" {MAIN_TARGET.decode()}'.encode(),
    )


def nan_realisation(tree: Tree) -> Case:
    address = f"{COL['realisation']}{FIRST}"
    data = patch_cell(to_bytes(filled(tree)), address, "<v>NaN</v>", kind="n")
    return Case(data, "table.number_out_of_range", "bukan angka yang wajar", address)


CONTENT_CASES: dict[str, Callable[[Tree], Case]] = {
    "valid_filled": valid_filled,
    "unicode_file_name": unicode_file_name,
    "step4_complete": step4_complete,
    # the place it was saved in
    "wrong_division": wrong_division,
    "wrong_quarter": wrong_quarter,
    "wrong_year": wrong_year,
    # the template
    "wrong_template_version": wrong_template_version,
    "not_rencana_aksi": not_rencana_aksi,
    "metadata_deleted": metadata_deleted,
    "main_sheet_renamed": main_sheet_renamed,
    # the table's rows, codes, names and targets
    "deleted_row": deleted_row,
    "added_row": added_row,
    "reordered_rows": reordered_rows,
    "edited_name": typed("indicator", 1, "KK dicetak", "table.name_edited", "menjadi 'KK dicetak'"),
    "edited_target": typed("target", 0, 95, "table.target_edited", "diubah dari 99,2 menjadi 95"),
    "edited_annual_target": typed(
        "annual_target", 2, 4000, "table.target_edited", "diubah dari 4.800 menjadi 4.000"
    ),
    # realisations
    "realisation_missing": typed(
        "realisation", 3, None, "table.realisation_missing", "Realisasi DAF-04 belum diisi"
    ),
    "text_in_number": typed(
        "realisation", 0, "sembilan puluh", "table.not_a_number", "bukan angka: 'sembilan puluh'"
    ),
    "decimal_comma": typed(
        "realisation", 0, "99,5", "table.number_as_text", "dibaca sebagai 99,5", valid=True
    ),
    "negative_realisation": typed(
        "realisation", 2, -5, "table.implausible", "-5 dokumen di luar rentang wajar (0 atau lebih)"
    ),
    "percent_over_100": typed(
        "realisation", 0, 120, "table.implausible", "120 % di luar rentang wajar (0 sampai 100)"
    ),
    "div0_realisation": div0_realisation,
    "ref_error_in_capaian": ref_error_in_capaian,
    # text cells
    "kendala_hyperlink_text": kendala_hyperlink_text,
    # a real formula, not text: in an input cell it is reported at its cell ...
    "kendala_formula": typed("kendala", 1, "=1+1", "table.formula_in_input", "berisi rumus"),
    # ... and a DDE call, which Excel would offer to run on opening, refuses the whole file
    "kendala_dde_formula": refused_when_typed("kendala", 1, "=cmd|' /C calc'!A0", "safety.dde"),
    "kendala_40000_characters": kendala_40000_characters,
    "unknown_status": typed(
        "status", 0, "Belum pasti", "table.status_choice", "'Belum pasti'", valid=True
    ),
    # step rules
    "step4_missing_kendala": step4_missing_kendala,
    # size
    "million_rows": million_rows,
    "many_rows_within_size_limits": many_rows_within_size_limits,
    "value_in_last_cell": value_in_last_cell,
    "value_in_last_cell_lowercase": value_in_last_cell_lowercase,
    "value_in_last_row_without_address": value_in_last_row_without_address,
    # the far cell written as a regex over attribute spelling would not see it
    "far_cell_single_quoted": far_cell("<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
    "far_cell_spaces_around_equals": far_cell('<row r = "1048576"><c r = "XFD1048576"/></row>'),
    "far_cell_foreign_namespace": far_cell(
        '<x:c xmlns:x="urn:x" r="XFD1048576"><x:v>1</x:v></x:c>'
    ),
    "far_cell_character_reference": far_cell('<row><c r="&#88;FD1048576"><v>1</v></c></row>'),
    "far_cell_prefixed_row": far_cell(
        f'<x:row xmlns:x="{MAIN_NS}" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    ),
    "far_dimension": far_cell('<dimension ref="A1:XFD1048576"/>'),
    # the main sheet where a regex over the relationships would not find it
    "sheet_outside_xl": sheet_moved("/other/big.xml", "other/big.xml"),
    "sheet_target_other_case": sheet_moved("worksheets/SHEET1.xml", MAIN_SHEET_PART),
    "sheet_member_backslashes": sheet_moved("worksheets/sheet1.xml", "xl\\worksheets\\sheet1.xml"),
    "sheet_target_parent_folder": sheet_moved(
        "../xl/worksheets/big.xml", "xl/worksheets/big.xml", refused=AMBIGUOUS
    ),
    "sheet_target_percent_encoded": sheet_moved(
        "worksheets/big%20s.xml", "xl/worksheets/big s.xml", refused=AMBIGUOUS
    ),
    "sheet_target_character_reference": sheet_moved(
        "worksheets/bi&#103;.xml", "xl/worksheets/big.xml", refused=AMBIGUOUS
    ),
    # ... and a decoy where calamine would have looked
    "decoy_at_percent_encoded_name": sheet_moved(
        "worksheets/big%20s.xml",
        "xl/worksheets/big s.xml",
        decoy="xl/worksheets/big%20s.xml",
        refused=AMBIGUOUS,
    ),
    "decoy_at_unresolved_parent": sheet_moved(
        "../xl/worksheets/big.xml",
        "xl/worksheets/big.xml",
        decoy="xl/../xl/worksheets/big.xml",
        refused=AMBIGUOUS,
    ),
    # what calamine allocates for, or misreads, outside the sheet's cells
    "huge_shared_strings_count": parts_changed(
        huge_shared_strings_count, "read.shared_strings_too_large"
    ),
    # calamine reserves for an <sst> at any depth: under a sound one, or under another root
    "huge_shared_strings_count_nested": parts_changed(
        partial(huge_shared_strings_count, table=NESTED_TABLE), "read.shared_strings_too_large"
    ),
    "huge_shared_strings_count_below_another_root": parts_changed(
        partial(huge_shared_strings_count, table=TABLE_BELOW), "read.shared_strings_too_large"
    ),
    "shared_strings_decoy_at_fixed_name": parts_changed(
        shared_strings_decoy, "read.unsupported_structure"
    ),
    "main_sheet_in_utf16": parts_changed(main_sheet_in_utf16, "read.unsupported_encoding"),
    "main_sheet_as_chartsheet": parts_changed(main_sheet_as_chartsheet, "read.unsupported_sheet"),
    # numbers that are not plausible, formulas outside the template's own
    "realisation_1_79e308": typed(
        "realisation", 0, 1.79e308, "table.number_out_of_range", "bukan angka yang wajar"
    ),
    "realisation_nan": nan_realisation,
    "formula_in_realisation": typed(
        "realisation", 0, "=99+0.3", "table.formula_in_input", "berisi rumus"
    ),
    "formula_outside_the_table": lambda tree: Case(
        filled_with(tree, P3="=1+1"), "table.formula_outside_template", "di luar rumus", "P3"
    ),
}
