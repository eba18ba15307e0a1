"""File safety: refuse hostile, broken or wrong-kind files from their raw bytes, before parsing.

No spreadsheet parser sees the file until it passes here. A zip is judged first from its central
directory (member count, declared sizes, ratios, part names), so a zip bomb is refused without
inflating it, and its local headers must describe the same members (`zip_members`: one
directory, no hidden or overlapping bytes). Only then is each member inflated once, as a stream
and never past its declared size, to prove its size and CRC true (a forged size is how a bomb
hides from that first look, and not every reader stops at the declared size), to scan it for a
DTD, and, if it is XML, to parse it for active content (`active_content`: macros, ActiveX, OLE
objects, links to other files, DDE, pivot caches, formulas that call out).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import RefusedFileError
from watcher.validation.active_content import check_part, content_scan
from watcher.validation.part_memo import Memo, member_key
from watcher.validation.refusal import Refusal
from watcher.validation.xml_stream import XmlFeed
from watcher.validation.zip_members import (
    Members,
    check_layout,
    directory,
    looks_like_xml,
    member_chunks,
    member_payload,
    part_name,
)

MIB = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class SafetyLimits:
    """Limits on a submitted file; the office may tune them. A kinerja workbook is ~50 KB."""

    max_file_bytes: int = 20 * MIB
    max_total_uncompressed: int = 200 * MIB  # sum of the declared sizes of all members
    max_part_uncompressed: int = 16 * MIB  # any one member; a 16 MiB sheet is ~400,000 cells
    max_member_ratio: float = 200.0  # uncompressed / compressed, for members over 1 MiB
    max_members: int = 2000


DEFAULT_LIMITS = SafetyLimits()

_RATIO_FLOOR = MIB  # small parts may compress very well; only big ones can hurt
_MAX_ENTRY_BYTES = 1024  # generous size of one central-directory entry (name, extra, comment)
_SNIFF_BYTES = 8192

_RESAVE = "Buka di Excel, simpan sebagai 'Buku Kerja Excel (*.xlsx)', lalu kirim lagi."
_REBUILD = "Salin datanya ke templat resmi, simpan, lalu kirim lagi."
_SHRINK = "Hapus baris, lembar atau gambar yang tidak perlu, simpan, lalu kirim lagi."
_HOSTILE = "Berkas ditolak karena {}; kemungkinan berkas berbahaya. " + _REBUILD
_FORBIDDEN = "Berkas berisi {}, yang tidak diizinkan. {}, simpan sebagai .xlsx, lalu kirim lagi."
_RESAVE_KINDS = {  # files Excel can open and save again as .xlsx
    "safety.not_zip": "bukan buku kerja Excel (.xlsx) atau sudah rusak",
    "safety.legacy_xls": "berformat lama (.xls)",
    "safety.xlsb": "berformat Buku Kerja Biner Excel (.xlsb)",
    "safety.ods": "berformat OpenDocument (.ods)",
    "safety.csv": "teks biasa/CSV yang diberi nama buku kerja",
    "safety.html": "halaman web (HTML) yang diberi nama buku kerja",
    "safety.xml_spreadsheet": "berformat XML Spreadsheet 2003",
}
_WRONG_KINDS = {  # documents that are not a workbook at all
    "safety.legacy_office": "dokumen Office format lama (misalnya .doc atau .ppt) atau rusak",
    "safety.odf": "dokumen OpenDocument teks atau presentasi",
    "safety.docx": "dokumen Word (.docx)",
    "safety.pptx": "presentasi PowerPoint (.pptx)",
    "safety.pdf": "PDF (hasil cetak atau pindaian)",
    "safety.image": "gambar (foto atau tangkapan layar)",
}
_MESSAGES: dict[str, str] = {
    **{rule: f"Berkas ini {kind}. {_RESAVE}" for rule, kind in _RESAVE_KINDS.items()},
    **{
        rule: f"Berkas ini {kind}, bukan buku kerja Excel. Kirim buku kerja Excel (.xlsx) aslinya."
        for rule, kind in _WRONG_KINDS.items()
    },
    "safety.empty": "Berkas kosong (0 bita). Simpan ulang buku kerja di Excel lalu kirim lagi.",
    "safety.too_large": "Berkas terlalu besar ({size} MB; batas {limit} MB). " + _SHRINK,
    "safety.content_too_large": "Isi buku kerja terlalu besar setelah dibuka ({size} MB; "
    "batas {limit} MB). " + _SHRINK,
    "safety.zip_bomb": _HOSTILE.format("isinya mengembang tidak wajar saat dibuka"),
    "safety.too_many_members": "Berkas berisi terlalu banyak bagian untuk sebuah buku kerja "
    "(batas {limit}). " + _REBUILD,
    "safety.truncated_zip": "Berkas rusak atau tidak lengkap (mungkin terpotong saat disalin). "
    + _RESAVE,
    "safety.corrupt_zip": "Berkas rusak atau tidak lengkap: isi bagiannya tidak cocok dengan "
    "daftar isinya. " + _RESAVE,
    "safety.missing_parts": "Berkas tidak lengkap: bagian buku kerja tidak ditemukan "
    "({missing}). " + _RESAVE,
    "safety.encrypted": "Berkas dilindungi kata sandi. Buka di Excel, hapus kata sandinya "
    "(File > Info > Lindungi Buku Kerja), simpan sebagai .xlsx lalu kirim lagi.",
    "safety.archive": "Berkas ini arsip terkompresi (ZIP, RAR, 7z atau gz), bukan buku kerja. "
    "Ekstrak dulu, lalu kirim berkas .xlsx di dalamnya.",
    "safety.macro": _FORBIDDEN.format("makro (VBA atau Excel 4.0)", "Hapus makronya"),
    "safety.activex": _FORBIDDEN.format("kontrol ActiveX", "Hapus tombol atau kontrol itu"),
    "safety.embedded_object": _FORBIDDEN.format(
        "objek sisipan (OLE, misalnya dokumen lain yang ditempel)", "Hapus objek itu"
    ),
    "safety.external_link": _FORBIDDEN.format(
        "tautan ke berkas atau sumber data lain",
        "Putuskan tautannya (Data > Edit Tautan > Putuskan Tautan), hapus gambar tertaut",
    ),
    "safety.xml_doctype": _HOSTILE.format("berisi struktur XML yang tidak wajar (DTD)"),
    "safety.xml_encoding": _HOSTILE.format("berisi XML dengan pengodean yang tidak wajar"),
    "safety.ambiguous_zip": _HOSTILE.format(
        "susunan arsipnya bermakna ganda (misalnya dua daftar isi, atau data tersembunyi di "
        "antara bagiannya), sehingga program lain dapat membaca isi yang berbeda"
    ),
    "safety.dde": _FORBIDDEN.format(
        "rumus atau tautan DDE yang dapat menjalankan program lain", "Hapus rumus itu"
    ),
    "safety.active_formula": _FORBIDDEN.format(
        "rumus yang mengambil data dari internet atau menjalankan kode (misalnya WEBSERVICE, "
        "FILTERXML, CALL, REGISTER, EXEC atau RTD)",
        "Ganti rumus itu dengan nilainya (Salin > Tempel Nilai)",
    ),
    "safety.file_link": _FORBIDDEN.format(
        "tautan ke berkas di komputer atau folder jaringan (file:// atau \\\\server)",
        "Hapus tautan itu (tautan ke situs web http/https boleh)",
    ),
    "safety.pivot_cache": _FORBIDDEN.format(
        "tabel pivot (PivotTable) yang menyimpan dan memuat ulang data sumbernya",
        "Hapus tabel pivot itu",
    ),
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "safety.pdf"),
    (b"\x89PNG\r\n\x1a\n", "safety.image"),
    (b"\xff\xd8\xff", "safety.image"),  # JPEG
    (b"GIF8", "safety.image"),
    (b"Rar!\x1a\x07", "safety.archive"),
    (b"7z\xbc\xaf\x27\x1c", "safety.archive"),
    (b"\x1f\x8b", "safety.archive"),  # gzip
)
# (needle in a lower-cased part name, rule); OPC part names are case-insensitive.
_DANGEROUS_PARTS: tuple[tuple[str, str], ...] = (
    ("vbaproject", "safety.macro"),  # VBA project, normally xl/vbaProject.bin
    ("xl/macrosheets/", "safety.macro"),  # Excel 4.0 (XLM) macro sheets
    ("xl/activex/", "safety.activex"),
    ("xl/embeddings/", "safety.embedded_object"),
    ("oleobject", "safety.embedded_object"),
    ("xl/externallinks/", "safety.external_link"),
    ("xl/connections.xml", "safety.external_link"),  # data connections refresh from outside
    ("xl/querytables/", "safety.external_link"),
    ("xl/pivotcache/", "safety.pivot_cache"),  # refreshes from a source named inside it
    ("xl/pivottables/", "safety.pivot_cache"),
)
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_SHEET_RE = re.compile(r"xl/worksheets/[^/]+\.xml")
# Searched in lower-cased XML, in UTF-16 too (OOXML allows it: ECMA-376 part 2, 8.1.4).
_XML_NEEDLES = tuple(
    word.encode(codec)
    for word in ("<!doctype", "<!entity")
    for codec in ("ascii", "utf-16-le", "utf-16-be")
)
_XML_DECL_RE = re.compile(rb"<\?xml(.*?)\?>", re.DOTALL)
_XML_ENCODING_RE = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)")
_XML_ENCODINGS = {b"utf-8", b"utf8", b"utf-16", b"utf16", b"utf-16le", b"utf-16be"}
# Members that passed `_verify_member`: a template's theme, styles and drawings recur in every
# file. Only passes are kept (a refusal is cheap, and its rule must be found again anyway).
_PASSED: Memo[bool] = Memo(4096)
# Members up to this size are inflated whole (a rencana aksi sheet is ~50 KB); larger ones are
# scanned as they inflate, so that memory stays bounded whatever the part.
_WHOLE_PART_BYTES = 4 * MIB
# Inflated parts handed on to the reader (`Members`), up to this much in all.
_KEPT_BYTES = 8 * MIB


def check_bytes(data: bytes, *, name: str = "", limits: SafetyLimits = DEFAULT_LIMITS) -> Members:
    """Return the package's members if `data` may be handed to a spreadsheet parser (with the
    parts inflated on the way, for the reader); raise RefusedFileError if not.

    `name` is only reported (as the error's `path`); the verdict depends on the bytes alone.
    """
    try:
        return _check(data, limits)
    except Refusal as refusal:
        raise _error(refusal, name) from None


def check_file(path: Path, *, limits: SafetyLimits = DEFAULT_LIMITS) -> bytes:
    """Read `path`, check it and return exactly the bytes checked, for the caller to parse.

    A file over the size limit is refused unread, and no more than `max_file_bytes + 1` bytes
    are ever read. OSError (the file vanished, no permission) propagates: not the file's fault.
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limits.max_file_bytes:
            raise _error(_too_large(size, limits), str(path))
        data = handle.read(limits.max_file_bytes + 1)  # bounded: it may have grown since fstat
    check_bytes(data, name=str(path), limits=limits)
    return data


def _error(refusal: Refusal, name: str) -> RefusedFileError:
    message = _MESSAGES[refusal.rule].format(**refusal.details)
    return RefusedFileError(message, rule=refusal.rule, path=name)


def _too_large(size: int, limits: SafetyLimits) -> Refusal:
    return Refusal("safety.too_large", size=_mb(size), limit=_mb(limits.max_file_bytes))


def _mb(size: int) -> str:
    return f"{size / MIB:.1f}".replace(".", ",")


def _check(data: bytes, limits: SafetyLimits) -> Members:
    if not data:
        raise Refusal("safety.empty")
    if len(data) > limits.max_file_bytes:
        raise _too_large(len(data), limits)
    if data.startswith(_OLE_MAGIC):
        raise Refusal(_ole_rule(data))
    if data.startswith(_ZIP_MAGICS):
        return _check_zip(data, limits)
    for magic, rule in _MAGICS:
        if data.startswith(magic):
            raise Refusal(rule)
    raise Refusal(_text_rule(data[:_SNIFF_BYTES]) or "safety.not_zip")


def _ole_rule(data: bytes) -> str:
    """Tell an encrypted OOXML workbook (wrapped in OLE2) from legacy Office files."""
    import msoffcrypto  # imported here: it pulls in `cryptography`, needed only for OLE2 files
    from msoffcrypto.format.ooxml import OOXMLFile
    from msoffcrypto.format.xls97 import Xls97File

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
    except Exception:  # olefile/msoffcrypto raise many types on damaged or unknown OLE2 files
        return "safety.legacy_office"
    if isinstance(office, OOXMLFile):  # only encryption wraps an OOXML package in OLE2
        return "safety.encrypted"
    return "safety.legacy_xls" if isinstance(office, Xls97File) else "safety.legacy_office"


def _text_rule(sample: bytes) -> str | None:
    """The rule for text disguised as a workbook (CSV, HTML, XML 2003), or None if not text."""
    text = _decode_text(sample)
    if text is None:
        return None
    lowered = text.lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "safety.xml_spreadsheet"
    if lowered.lstrip().startswith(("<!doctype html", "<html")) or "<table" in lowered:
        return "safety.html"
    has_separator = any(separator in text for separator in ",;\t|")
    return "safety.csv" if has_separator and "\n" in text else None


def _decode_text(sample: bytes) -> str | None:
    """The sample as text if it reads as text (no control characters), else None."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample[: len(sample) // 2 * 2].decode("utf-16", errors="replace")
    elif b"\x00" in sample:
        return None
    else:
        try:  # the sample may end inside a multi-byte character: decode it as unfinished
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        except UnicodeDecodeError:
            text = sample.decode("cp1252", errors="replace")
    return None if any(ord(char) < 32 and char not in "\t\r\n\f" for char in text) else text


_ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error, NotImplementedError)


def _check_zip(data: bytes, limits: SafetyLimits) -> Members:
    found = directory(data)
    if found.count > limits.max_members or found.size > limits.max_members * _MAX_ENTRY_BYTES:
        # zipfile builds an object per entry (it ignores the declared count) before we can
        # count them, so the directory's declared size is bounded first
        raise Refusal("safety.too_many_members", limit=limits.max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS:
        raise Refusal("safety.truncated_zip") from None
    _check_listing(infos, limits)
    view = memoryview(data)
    names = {part_name(info): info for info in infos}
    kind = _zip_kind(view, names)
    if kind:
        raise Refusal(kind)
    check_layout(data, infos, found)
    _check_declared_sizes(infos, limits)
    _check_part_names(names)
    inflated: dict[str, bytes] = {}
    kept = 0
    for info in infos:
        content = _verify_member(view, info)
        if content is not None and kept + len(content) <= _KEPT_BYTES:
            inflated[part_name(info)] = content
            kept += len(content)
    return Members(data, tuple(infos), inflated)


def _check_listing(infos: list[zipfile.ZipInfo], limits: SafetyLimits) -> None:
    if len(infos) > limits.max_members:
        raise Refusal("safety.too_many_members", limit=limits.max_members)
    if len({part_name(info) for info in infos}) != len(infos):
        raise Refusal("safety.corrupt_zip")  # twins: two readers could each pick another one
    if any(info.flag_bits & 0x1 for info in infos):
        raise Refusal("safety.encrypted")  # a password on the zip itself


def _zip_kind(view: memoryview, names: dict[str, zipfile.ZipInfo]) -> str | None:
    """The rule for a zip that is another kind of document or a plain archive, else None."""
    if "mimetype" in names:  # OpenDocument, which stores this member first and uncompressed
        head = bytes(member_payload(view, names["mimetype"])[:100])
        spreadsheet = head.startswith(b"application/vnd.oasis.opendocument.spreadsheet")
        return "safety.ods" if spreadsheet else "safety.odf"
    folders = {name.split("/", 1)[0] for name in names}
    if "word" in folders:
        return "safety.docx"
    if "ppt" in folders:
        return "safety.pptx"
    if "xl/workbook.bin" in names:
        return "safety.xlsb"
    documents = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
    if "[content_types].xml" not in names and any(name.endswith(documents) for name in names):
        return "safety.archive"
    return None


def _check_declared_sizes(infos: list[zipfile.ZipInfo], limits: SafetyLimits) -> None:
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_member_ratio:
            raise Refusal("safety.zip_bomb")
    part_limit = limits.max_part_uncompressed
    for info in infos:  # any member: a parser follows relationships, not name extensions
        if info.file_size > part_limit:
            raise Refusal(
                "safety.content_too_large", size=_mb(info.file_size), limit=_mb(part_limit)
            )
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_uncompressed:
        limit = _mb(limits.max_total_uncompressed)
        raise Refusal("safety.content_too_large", size=_mb(total), limit=limit)


def _check_part_names(names: dict[str, zipfile.ZipInfo]) -> None:
    for name in names:
        for needle, rule in _DANGEROUS_PARTS:
            if needle in name:
                raise Refusal(rule)
    missing = [part for part in _REQUIRED_PARTS if part.lower() not in names]
    if not any(_SHEET_RE.fullmatch(name) for name in names):
        missing.append("xl/worksheets/*.xml")
    if missing:
        raise Refusal("safety.missing_parts", missing=", ".join(missing))


def _verify_member(view: memoryview, info: zipfile.ZipInfo) -> bytes | None:
    """Inflate one member as a stream: its size and CRC must be true, it holds no DTD, and if
    it is XML it holds no active content (see `active_content`).

    Every member is scanned, not only *.xml ones: a parser finds parts through relationships
    and content types, so any name can hold XML. A binary part (an image) will not contain
    "<!DOCTYPE" by chance; an SVG image that declares one is refused, which is rare and safe.
    The verdict depends on the stored bytes, method, size and CRC alone (`part_memo`).
    Return the member's bytes when it was inflated whole here, None when not.
    """
    key = member_key(info, member_payload(view, info))
    if _PASSED.get(key):
        return None
    data = None
    if info.file_size <= _WHOLE_PART_BYTES:  # inflated at once, then judged whole
        data = b"".join(member_chunks(view, info))
        _XmlScan().feed(data)
        if looks_like_xml(data):
            check_part(data)
    else:
        _scan_in_chunks(view, info)
    _PASSED.put(key, True)
    return data


def _scan_in_chunks(view: memoryview, info: zipfile.ZipInfo) -> None:
    scan = _XmlScan()
    content: XmlFeed | None = None
    for position, chunk in enumerate(member_chunks(view, info)):
        scan.feed(chunk)  # the DTD scan sees every chunk before the XML parser does
        if position == 0 and looks_like_xml(chunk):
            content = content_scan()
        if content is not None:
            content.feed(chunk)
    if content is not None:
        content.close()


class _XmlScan:
    """Refuses an XML part fed in chunks that declares a DTD or a non-Unicode encoding.

    A DTD is where entity attacks (billion laughs, XXE) live; OOXML never needs one. OOXML
    parts must be UTF-8 or UTF-16, and any other encoding could hide a DTD from this scan.
    The declaration is judged on the first chunk (64 KiB, or the whole part), before any XML
    parser is fed.
    """

    def __init__(self) -> None:
        self._tail: bytes | None = None  # the end of the previous chunk, None before the first

    def feed(self, chunk: bytes) -> None:
        if self._tail is None:
            _check_declaration(chunk[:1024])
            self._tail = b""
        window = self._tail + chunk  # a needle may straddle two chunks
        if b"!" in window:  # in every needle, in either encoding: lowered only when there
            lowered = window.lower()
            if any(needle in lowered for needle in _XML_NEEDLES):
                raise Refusal("safety.xml_doctype")
        self._tail = window[-32:]


def _check_declaration(head: bytes) -> None:
    head = head.removeprefix(b"\xef\xbb\xbf")
    if not head.startswith(b"<?xml"):
        return  # no declaration: UTF-8, or UTF-16 by its byte-order mark
    declaration = _XML_DECL_RE.match(head)
    encoding = _XML_ENCODING_RE.search(declaration.group(1)) if declaration else None
    if declaration is None or (encoding and encoding.group(1).lower() not in _XML_ENCODINGS):
        raise Refusal("safety.xml_encoding")
