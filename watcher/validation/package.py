"""The workbook package as Excel resolves it, rebuilt so that calamine reads only what we measured.

calamine does not resolve part names the way OPC (ECMA-376 part 2) does. Tried against
python-calamine 0.9.1: it strips a leading "/" from a relationship target and otherwise prefixes
"xl/", never resolves "../" or "./", never decodes "%20" or character references, matches member
names case-insensitively and takes a backslash in a member name for a slash; it also reserves
memory for the shared strings' declared `uniqueCount` before reading one (4e9 aborts the
process, 1e18 raises a Rust panic that no `except Exception` catches). Mimicking all that is a
race we would lose. So this module resolves the package once, as OPC and Excel do (workbook.xml
-> its sheets by r:id -> workbook.xml.rels -> part names), measures every part calamine will
parse, and hands calamine a new package holding those parts only, under plain names, with a
workbook.xml and relationships written here. What calamine reads is then exactly what was
measured, and sheets we do not read are not in it at all.

Other code reads approved workbooks with calamine directly (the reports), so a package where
calamine's resolution and Excel's would part ways is refused too: every sheet read, the shared
strings and the styles must be the same part both ways, and the workbook relationships may hold
no character reference (calamine would not decode it).
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar
from urllib.parse import unquote
from xml.sax.saxutils import escape, quoteattr

from watcher.validation.number_formats import percent_styles
from watcher.validation.refusal import Refusal
from watcher.validation.sheet_scan import SheetScan, scan_sheet
from watcher.validation.xml_stream import feed_xml, local_name, namespace_of
from watcher.validation.zip_members import Members

# A rencana aksi sheet has a few hundred cells; a million (rows x columns from A1) is ~50 MB
# for calamine and Python together.
MAX_SHEET_CELLS = 1_000_000
MAX_SHARED_STRINGS = 1_000_000  # calamine reserves ~24 bytes for each declared one
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict OOXML: calamine reads it too
)
_RELATIONSHIP_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_STATES = ("visible", "hidden", "veryHidden")
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
# Parts calamine opens by a fixed name, not through the relationships.
_CALAMINE_FIXED = {"sharedStrings": "xl/sharedstrings.xml", "styles": "xl/styles.xml"}
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_MARK = b"\xef\xbb\xbf"
_T = TypeVar("_T")


@dataclass(frozen=True)
class SheetEntry:
    """One `<sheet>` of workbook.xml with the part its relationship leads to."""

    name: str
    state: str
    kind: str  # the relationship type's last word: "worksheet", "chartsheet", ...
    member: zipfile.ZipInfo | None  # None when the target is not in the package
    calamine_member: zipfile.ZipInfo | None  # the part calamine itself would open


@dataclass(frozen=True)
class Package:
    """The resolved package: its sheets, and what calamine is given to read."""

    sheets: tuple[SheetEntry, ...]
    scans: dict[str, SheetScan]  # by sheet name, for the sheets asked for
    calamine_bytes: bytes  # the rebuilt package
    percent_styles: frozenset[int] = frozenset()  # style indexes with a percent number format


def open_package(data: bytes, read: list[str], checked: Members | None = None) -> Package:
    """Resolve `data` (which passed the safety layer) and measure the sheets named in `read`;
    `checked`: what the safety layer gave for these bytes (the parts it inflated).

    Raise Refusal ("read.sheet_too_large", "read.unsupported_structure",
    "read.unsupported_encoding", "read.shared_strings_too_large", "read.unreadable").
    """
    if checked is None or checked.data is not data:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            checked = Members(data, tuple(archive.infolist()))
    source = checked
    members = source.by_name()
    _check_main_part(source, members)
    workbook = _parse(source, _find(members, _WORKBOOK), _WorkbookTarget)
    rels_part = _find(members, _WORKBOOK_RELS)
    if b"&" in source.content(rels_part):
        raise Refusal("read.unsupported_structure")  # calamine reads "&#47;" as it stands
    relationships = _parse(source, rels_part, _RelationshipTarget)
    sheets = tuple(_entry(sheet, relationships.by_id, members) for sheet in workbook.sheets)
    if len({sheet.name.lower() for sheet in sheets}) != len(sheets):
        raise Refusal("read.unsupported_structure")  # Excel forbids it; readers pick either
    parts: dict[str, bytes] = {}
    scans: dict[str, SheetScan] = {}
    for sheet in sheets:
        if sheet.name in read:
            parts[sheet.name] = _measured_sheet(source, sheet)
            try:
                scans[sheet.name] = scan_sheet(parts[sheet.name], limit=MAX_SHEET_CELLS)
            except Refusal as refusal:
                refusal.details["sheet"] = sheet.name
                raise
    extra = {
        kind: _text_part(source, _same_part(members, relationships.by_kind.get(kind), fixed))
        for kind, fixed in _CALAMINE_FIXED.items()
    }
    if extra.get("sharedStrings"):
        _check_shared_strings(extra["sharedStrings"])
    rebuilt = _rebuild(sheets, parts, workbook.date1904, extra)
    return Package(sheets, scans, rebuilt, percent_styles(extra.get("styles") or b""))


def _check_main_part(source: Members, members: dict[str, zipfile.ZipInfo]) -> None:
    """Excel opens the workbook the package root names; calamine always opens xl/workbook.xml."""
    if "_rels/.rels" not in members:
        return
    root = _parse(source, members["_rels/.rels"], _RelationshipTarget, "/")
    if root.by_kind.get("officeDocument", _WORKBOOK).lower() != _WORKBOOK:
        raise Refusal("read.unsupported_structure")


def _same_part(
    members: dict[str, zipfile.ZipInfo], target: str | None, fixed: str
) -> zipfile.ZipInfo | None:
    """The part a relationship leads to, which must be the one calamine opens by its fixed name."""
    part = members.get(target.lower()) if target else None
    if part is not members.get(fixed):
        raise Refusal("read.unsupported_structure")
    return part


def calamine_part(target: str) -> str:
    """The member name calamine 0.9.1 opens for a workbook relationship target (found by
    experiment): a leading "/" stripped, else "xl/" put before it unless already there;
    nothing decoded or resolved. Member names are then matched ignoring case and with a
    backslash taken for a slash, as `members` keys are."""
    if target.startswith("/"):
        return target[1:].lower()
    return (target if target.startswith("xl/") else f"xl/{target}").lower()


def _find(members: dict[str, zipfile.ZipInfo], name: str) -> zipfile.ZipInfo:
    if name not in members:
        raise Refusal("read.unsupported_structure")
    return members[name]


def _entry(
    sheet: tuple[str, str, str],
    by_id: dict[str, tuple[str, str]],
    members: dict[str, zipfile.ZipInfo],
) -> SheetEntry:
    name, state, rid = sheet
    if rid not in by_id or state not in _STATES:
        raise Refusal("read.unreadable")
    kind, target, raw = by_id[rid]
    return SheetEntry(
        name, state, kind, members.get(target.lower()), members.get(calamine_part(raw))
    )


def _measured_sheet(source: Members, sheet: SheetEntry) -> bytes:
    """The sheet's XML, ready for calamine; refuse a sheet calamine would misread."""
    if sheet.kind != "worksheet" or sheet.member is None:
        raise Refusal("read.unsupported_sheet", sheet=sheet.name)
    if sheet.calamine_member is not sheet.member:
        raise Refusal("read.unsupported_structure")  # calamine alone would read another part
    return _text_part(source, sheet.member)


def _text_part(source: Members, info: zipfile.ZipInfo | None) -> bytes:
    """A part's bytes as UTF-8 XML (safety bounded its size). calamine reads a UTF-16 part as
    empty (tried: a sheet saved as UTF-16 reads as no rows at all), so it is refused."""
    if info is None:
        return b""
    data = source.content(info)
    if data.startswith(_UTF16_MARKS) or b"\x00" in data[:200]:
        raise Refusal("read.unsupported_encoding")
    data = data.removeprefix(_UTF8_MARK)
    head = data[:200].lower()
    if head.startswith(b"<?xml") and b"utf-16" in head.split(b"?>", 1)[0]:
        raise Refusal("read.unsupported_encoding")
    return data


class _SharedStringsTarget:
    """Declared counts of the shared strings table. calamine reserves for every `<sst>` it
    meets, at any depth; when `root_only` (the part spells "sst" no more than a root's start
    and end tags do), an `<sst>` root is the only one and the parse stops after it."""

    def __init__(self, *, root_only: bool) -> None:
        self.declared = 0
        self._root_only = root_only

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local_name(tag) == "sst":
            for key, value in attrib.items():
                if local_name(key) in ("count", "uniqueCount"):
                    digits = value.strip()
                    count = int(digits) if digits.isascii() and digits.isdigit() else 0
                    self.declared = max(self.declared, count)
            if self._root_only:
                raise _RootRead
        self._root_only = False  # another root: an <sst> may lie anywhere below it


class _RootRead(Exception):
    """The `<sst>` root was read, and no other can follow (`_SharedStringsTarget`)."""


def _check_shared_strings(xml: bytes) -> None:
    """Refuse a table declaring more strings than calamine may reserve for. The whole part was
    parsed by the safety layer; a table of a few hundred strings costs ~200 us to parse with a
    callback per element, which the root alone spares."""
    target = _SharedStringsTarget(root_only=xml.count(b"sst") <= 2)
    with contextlib.suppress(_RootRead):
        feed_xml(target, [xml])
    if target.declared > MAX_SHARED_STRINGS:
        raise Refusal(
            "read.shared_strings_too_large", count=f"{target.declared:,}".replace(",", ".")
        )


class _WorkbookTarget:
    """Collects (name, state, relationship id) for each sheet, and the 1904 date system."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, str]] = []
        self.date1904 = False
        self._root: str | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        namespace, local = namespace_of(tag), local_name(tag)
        if self._root is None:
            self._root = namespace
            if local != "workbook" or namespace not in _MAIN_NAMESPACES:
                raise Refusal("read.unsupported_structure")
        if local == "sheet":
            # one id only: calamine takes "r:id" by its spelling, whatever "r" is bound to
            ids = [key for key in attrib if local_name(key) == "id"]
            namespace = namespace_of(ids[0]) if len(ids) == 1 else ""
            if namespace not in _RELATIONSHIP_NAMESPACES or "name" not in attrib:
                raise Refusal("read.unreadable")
            self.sheets.append((attrib["name"], attrib.get("state", "visible"), attrib[ids[0]]))
        elif local == "workbookPr":
            self.date1904 = attrib.get("date1904", "").strip().lower() in ("1", "true")


class _RelationshipTarget:
    """A part's relationships: id -> (kind, part name, target as written), kind -> part name."""

    def __init__(self, source: str = "/" + _WORKBOOK) -> None:
        self.by_id: dict[str, tuple[str, str, str]] = {}
        self.by_kind: dict[str, str] = {}
        self._source = source

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local_name(tag) != "Relationship" or "Id" not in attrib:
            return
        if attrib.get("TargetMode", "").strip().lower() == "external":
            return  # not a part of the package (safety refused the dangerous ones)
        kind = attrib.get("Type", "").rstrip("/").rpartition("/")[2]
        written = attrib.get("Target", "")
        target = resolve_target(self._source, written)
        if attrib["Id"] in self.by_id:
            raise Refusal("read.unsupported_structure")  # two parts under one id
        self.by_id[attrib["Id"]] = (kind, target, written)
        self.by_kind.setdefault(kind, target)


def resolve_target(source: str, target: str) -> str:
    """The part name (without the leading "/") a relationship target of `source` leads to.

    OPC: percent-encoding decoded, an absolute target from the package root, a relative one
    from the source part's folder, "." and ".." resolved. A backslash is no part of a name.
    """
    target = unquote(target.strip())
    if "\\" in target or not target:
        raise Refusal("read.unsupported_structure")
    base = posixpath.dirname(source)
    joined = target if target.startswith("/") else posixpath.join(base, target)
    resolved = posixpath.normpath(joined)
    if resolved.startswith("//"):  # normpath keeps a leading "//"
        resolved = resolved[1:]
    return resolved.lstrip("/")


def _parse(source: Members, info: zipfile.ZipInfo, target: Callable[..., _T], *args: str) -> _T:
    """`target(*args)` fed the part. What it collects depends on the bytes alone, so a small
    part's is remembered (a template's workbook.xml and relationships recur in every file);
    it is read, never changed."""
    data = source.content(info)
    if len(data) <= _REMEMBERED_PART:
        return _remembered_parse(target, args, data)
    return _fed(target, args, data)


def _fed(target: Callable[..., _T], args: tuple[str, ...], data: bytes) -> _T:
    return feed_xml(target(*args), [data])


_REMEMBERED_PART = 64 * 1024
_remembered_parse = lru_cache(maxsize=256)(_fed)


# -- the package calamine reads ----------------------------------------------------------------

_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EMPTY_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
_EXTRA_NAMES = {"sharedStrings": "sharedStrings.xml", "styles": "styles.xml"}


def _rebuild(
    sheets: tuple[SheetEntry, ...], parts: dict[str, bytes], date1904: bool, extra: dict[str, bytes]
) -> bytes:
    """A package holding the measured parts only. A sheet not read points at an empty sheet, so
    calamine still lists every sheet with its name and visibility."""
    files: dict[str, bytes] = {}
    sheet_xml, rels, overrides = [], [], []
    for number, sheet in enumerate(sheets, start=1):
        target = f"worksheets/sheet{number}.xml" if sheet.name in parts else "worksheets/empty.xml"
        files[f"xl/{target}"] = parts.get(sheet.name, _EMPTY_SHEET)
        sheet_xml.append(
            f"<sheet name={quoteattr(sheet.name)} sheetId={quoteattr(str(number))} "
            f'state="{sheet.state}" r:id="rId{number}"/>'
        )
        rels.append((f"rId{number}", "worksheet", target))
    for kind, content in extra.items():
        if content:
            files[f"xl/{_EXTRA_NAMES[kind]}"] = content
            rels.append((f"rId{kind}", kind, _EXTRA_NAMES[kind]))
    for name in files:
        kind = (
            "worksheet" if "/worksheets/" in name else name.rpartition("/")[2].removesuffix(".xml")
        )
        overrides.append(f'<Override PartName="/{escape(name)}" ContentType="{_CT}.{kind}+xml"/>')
    workbook = (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><workbookPr date1904="{int(date1904)}"/>'
        f"<sheets>{''.join(sheet_xml)}</sheets></workbook>"
    )
    relationships = "".join(
        f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'
        for rid, kind, target in rels
    )
    files |= {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f"{''.join(overrides)}</Types>"
        ).encode(),
        "_rels/.rels": _rels_part(
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        ),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": _rels_part(relationships),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _rels_part(relationships: str) -> bytes:
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{relationships}</Relationships>"
    ).encode()
