"""Whether a workbook's main sheet takes the plain readings (`validation.plain_xml`)."""

from __future__ import annotations

import io
import zipfile

from watcher.validation import active_content, sheet_scan
from watcher.validation.xml_stream import feed_xml


def parser_scan(xml: bytes, limit: int) -> sheet_scan.SheetScan:
    """The reference measure: the XML parser's."""
    return feed_xml(sheet_scan._Measure(limit), [xml]).scan


def read_plainly(workbook: bytes) -> sheet_scan.SheetScan | None:
    """The main sheet's plain measure (asserted equal to the parser's) if both plain readings
    take it, else None."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    plain = sheet_scan._plain_scan(xml, 10**6)
    assert plain is None or plain == parser_scan(xml, 10**6)
    return plain if active_content._checked_plain(xml) else None
