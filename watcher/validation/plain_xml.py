"""Plain XML: a part in which regular expressions find exactly what an XML parser would.

Excel, LibreOffice and openpyxl write sheets without comments, CDATA sections or processing
instructions. In such a part every '<' opens a start or an end tag, so a tag and its attributes
can be found by a regular expression, which runs in C, where a Python callback per element
(expat's way) costs ~3 us each on these machines and a 600-cell sheet has ~1,600 elements. The
gate (`is_plain`) and the strict attribute reading are conservative: whatever they cannot vouch
for goes to the XML parser, which stays the reference (`tests/validation/test_plain_xml.py`
checks that both agree on any well-formed part). Only parts the safety layer has found well
formed are read this way.
"""

from __future__ import annotations

import re
from functools import lru_cache

_UTF8_MARK = b"\xef\xbb\xbf"
_DECLARATION_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)")
_ATTRIBUTES = re.compile(rb"""(?:\s+([^\s=/<>"']+)\s*=\s*(?:"([^"<&]*)"|'([^'<&]*)'))*\s*""")
_ATTRIBUTE = re.compile(rb"""([^\s=/<>"']+)\s*=\s*(?:"([^"<&]*)"|'([^'<&]*)')""")
_REFERENCE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def is_plain(xml: bytes) -> bool:
    """True when `xml` opens with a tag (so the safety layer parsed it: `looks_like_xml`), is
    UTF-8 and holds no comment, CDATA section, DTD nor processing instruction past its
    declaration: every '<' in it opens a start or an end tag."""
    body = xml.removeprefix(_UTF8_MARK)
    if body.startswith(b"<?xml"):
        end = body.find(b"?>")
        if end < 0:
            return False
        encoding = _DECLARATION_ENCODING.search(body, 0, end)
        if encoding and encoding.group(1).strip().lower() not in (b"utf-8", b"utf8"):
            return False
        body = body[end + 2 :]
    # a NUL: UTF-16, every other byte; "<!" and "<?": markup that is not a tag
    return body.lstrip().startswith(b"<") and not any(
        marked(body, needle) for needle in (b"\x00", b"<!", b"<?")
    )


def marked(data: bytes, needle: bytes) -> bool:
    """`needle in data`, looked for only when the needle's last byte is in `data`: a one-byte
    search runs at memory speed, while a needle opening with "<" stops at every tag (~40 us in
    a 40 KB sheet, which rarely holds a "!" or a "?" at all)."""
    return needle[-1:] in data and needle in data


@lru_cache(maxsize=65_536)  # a template's cells and rows recur, attributes and all, in every file
def attributes(raw: bytes) -> dict[str, str] | None:
    """A start tag's attributes (the bytes between its name and its '>' or '/>') as expat
    reports them for unprefixed names: values with whitespace normalised. None when they hold
    anything but plain name="value" pairs (a reference, a stray character): ask the parser.
    The dict is shared between calls: read it, never change it."""
    if not _ATTRIBUTES.fullmatch(raw):
        return None
    found: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(raw):
        value = (double or single).replace(b"\r\n", b" ")
        found[name.decode()] = value.translate(_WHITESPACE_TO_SPACE).decode()
    return found


_WHITESPACE_TO_SPACE = bytes.maketrans(b"\t\n\r", b"   ")


def text(raw: bytes) -> str:
    """Character data as expat delivers it: line ends normalised, references decoded."""
    decoded = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode()
    return _REFERENCE.sub(_decode_reference, decoded) if "&" in decoded else decoded


def _decode_reference(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _ENTITIES[name]
