"""A zip's members as every reader finds them, and proof that there is only one way to find them.

A zip can be read two ways: from its central directory (Python's zipfile, calamine's zip crate)
or by walking the local headers from the start (streaming readers, some antivirus scanners).
A crafted file can show each way different members: two zips concatenated, a second end record,
bytes before the first member, a member hidden in a gap, two entries sharing their bytes, or a
local header that declares other sizes than the directory. `check_layout` demands that both
ways agree, byte for byte, so what is checked here is what any reader parses.
`member_chunks` inflates one member in bounded steps, never past its declared size.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from watcher.validation.refusal import Refusal

CHUNK = 64 * 1024
LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_DESCRIPTOR = struct.Struct("<3L")  # crc, compressed size, size (after an optional signature)
_DESCRIPTOR64 = struct.Struct("<L2Q")
_ZIP64_EXTRA = 0x0001
_UNKNOWN_SIZE = 0xFFFFFFFF
_HAS_DESCRIPTOR = 0x08
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


@dataclass(frozen=True)
class Directory:
    """The central directory as the end record declares it."""

    start: int
    size: int
    count: int
    end: int  # where the directory must end: the zip64 record, or else the end record


def directory(data: bytes) -> Directory:
    """Find the end record where zipfile finds it (the last one, near the end) and read it."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - _EOCD.size - 0xFFFF))
    if at < 0 or at + _EOCD.size > len(data):
        raise Refusal("safety.truncated_zip")
    count, size, start = _EOCD.unpack_from(data, at)[4:7]
    end, locator = at, at - _EOCD64_LOCATOR.size
    record = locator - _EOCD64.size  # zipfile looks for the zip64 record just before its locator
    if record >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        if data[record : record + 4] != b"PK\x06\x06":
            raise Refusal("safety.truncated_zip")
        count, size, start, end = *_EOCD64.unpack_from(data, record)[7:10], record
    return Directory(start, size, count, end)


def check_layout(data: bytes, infos: list[zipfile.ZipInfo], found: Directory) -> None:
    """Refuse a zip whose local headers and central directory do not describe the same bytes.

    The members must tile the file: the first at offset 0, each next one where the previous
    ends (its data descriptor included), the last ending where the directory starts, which
    ends where the end record begins. After the directory there is one end record only.
    Every local header must declare what the directory declares.
    """
    if found.start + found.size != found.end or data.count(b"PK\x05\x06", found.start) != 1:
        raise Refusal("safety.ambiguous_zip")  # a second zip, or a second directory
    position = 0
    for info in sorted(infos, key=lambda item: item.header_offset):
        if info.header_offset != position:
            raise Refusal("safety.ambiguous_zip")  # a gap, a prefix or two entries overlapping
        position = _member_end(memoryview(data), info)
    if position != found.start:
        raise Refusal("safety.ambiguous_zip")


def _member_end(view: memoryview, info: zipfile.ZipInfo) -> int:
    """Where the member's bytes end, after its local header agrees with the directory."""
    start = info.header_offset
    if start + LOCAL_HEADER.size > len(view):
        raise Refusal("safety.truncated_zip")
    fields = LOCAL_HEADER.unpack_from(view, start)
    flags, method, crc, compressed, size, name_size, extra_size = (
        fields[2], fields[3], fields[6], fields[7], fields[8], fields[9], fields[10]
    )  # fmt: skip
    extra_at = start + LOCAL_HEADER.size + name_size
    if (compressed, size) == (_UNKNOWN_SIZE, _UNKNOWN_SIZE):
        compressed, size = _zip64_sizes(bytes(view[extra_at : extra_at + extra_size]))
    end = extra_at + extra_size + info.compress_size
    if flags != info.flag_bits or method != info.compress_type:
        raise Refusal("safety.corrupt_zip")
    if flags & _HAS_DESCRIPTOR:
        declared = (info.CRC, info.compress_size, info.file_size)
        if (crc, compressed, size) not in ((0, 0, 0), declared):
            raise Refusal("safety.corrupt_zip")
        return _descriptor_end(view, end, info)
    if (crc, compressed, size) != (info.CRC, info.compress_size, info.file_size):
        raise Refusal("safety.corrupt_zip")  # a streaming reader would read other bytes
    return end


def _zip64_sizes(extra: bytes) -> tuple[int, int]:
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == _ZIP64_EXTRA and length >= 16:
            size, compressed = struct.unpack_from("<2Q", extra, at + 4)
            return compressed, size
        at += 4 + length
    raise Refusal("safety.corrupt_zip")


def _descriptor_end(view: memoryview, at: int, info: zipfile.ZipInfo) -> int:
    """The end of the data descriptor after a member's data; it must repeat the directory."""
    if bytes(view[at : at + 4]) == b"PK\x07\x08":
        at += 4
    expected = (info.CRC, info.compress_size, info.file_size)
    for layout in (_DESCRIPTOR, _DESCRIPTOR64):
        if at + layout.size <= len(view) and layout.unpack_from(view, at) == expected:
            return at + layout.size
    raise Refusal("safety.corrupt_zip")


def member_payload(view: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """The member's stored bytes, found through its local header as every reader finds them."""
    start = info.header_offset
    if start < 0 or start + LOCAL_HEADER.size > len(view):
        raise Refusal("safety.corrupt_zip")
    header = LOCAL_HEADER.unpack_from(view, start)
    signature, flags, name_size, extra_size = header[0], header[2], header[9], header[10]
    name_start = start + LOCAL_HEADER.size
    raw_name = bytes(view[name_start : name_start + name_size])
    name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
    begin = name_start + name_size + extra_size
    if signature != b"PK\x03\x04" or name != info.orig_filename:
        raise Refusal("safety.corrupt_zip")
    if begin + info.compress_size > len(view):
        raise Refusal("safety.truncated_zip")
    return view[begin : begin + info.compress_size]


def member_chunks(view: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield a member's uncompressed bytes in chunks, never more than its declared size.

    Raise a refusal when the stored data does not inflate to exactly the declared size and CRC.
    """
    payload = member_payload(view, info)
    if info.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = (
            bytes(payload[start : start + CHUNK]) for start in range(0, len(payload), CHUNK)
        )
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _inflate(payload)
    else:  # Excel and LibreOffice write only these two; other readers may lack the rest
        raise Refusal("safety.corrupt_zip")
    size = crc = 0
    for piece in pieces:
        size += len(piece)
        if size > info.file_size:  # a forged size: stop before it can cost anything
            raise Refusal("safety.corrupt_zip")
        crc = zlib.crc32(piece, crc)
        yield piece
    if size != info.file_size or crc != info.CRC:
        raise Refusal("safety.corrupt_zip")


def _inflate(payload: memoryview) -> Iterator[bytes]:
    """Inflate a raw deflate stream in bounded steps: memory stays ~CHUNK whatever the ratio."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for start in range(0, len(payload), CHUNK):
            pending: bytes | memoryview = payload[start : start + CHUNK]
            while pending and not inflater.eof:
                yield inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error:
        raise Refusal("safety.corrupt_zip") from None
    if not inflater.eof:
        raise Refusal("safety.corrupt_zip")  # the stream stops before its end


def looks_like_xml(head: bytes) -> bool:
    """True when a member's first bytes open an XML document (UTF-8, or UTF-16 by its mark)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def part_name(info: zipfile.ZipInfo) -> str:
    """The name as readers match it: OPC names are case-insensitive, and calamine's zip reader
    takes a backslash for a slash (tried: "xl\\worksheets\\sheet1.xml" is read as a sheet)."""
    return info.filename.replace("\\", "/").lower()


@dataclass(frozen=True)
class Members:
    """A checked zip's members (as zipfile lists them) and those already inflated whole, by
    `part_name`: the safety layer hands on what it inflated, so the reader does not again."""

    data: bytes
    infos: tuple[zipfile.ZipInfo, ...]
    inflated: Mapping[str, bytes] = field(default_factory=dict)

    def by_name(self) -> dict[str, zipfile.ZipInfo]:
        return {part_name(info): info for info in self.infos}

    def content(self, info: zipfile.ZipInfo) -> bytes:
        """The member's inflated bytes (safety bounded its size)."""
        kept = self.inflated.get(part_name(info))
        return kept if kept is not None else b"".join(member_chunks(memoryview(self.data), info))
