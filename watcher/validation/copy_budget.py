"""Whether a feedback copy of a workbook can be built with openpyxl in bounded memory and time.

openpyxl keeps ~1 KB per cell, and on loading it makes a cell object for every cell of a merged
range and of a hyperlink's range, so `<mergeCell ref="A1:XFD1048576"/>` in a 10 KB file asks it
for 17 billion cells. The copy is built only when the package is small once inflated and the
cells it would make (written cells, merged and hyperlinked areas, in any XML part) are few.
"""

from __future__ import annotations

import io
import itertools
import zipfile

from watcher.validation.refusal import Refusal
from watcher.validation.sheet_scan import parse_address
from watcher.validation.xml_stream import feed_xml, local_name
from watcher.validation.zip_members import looks_like_xml, member_chunks

MAX_COPY_BYTES = 8 * 1024 * 1024  # inflated size of all parts; a rencana aksi is ~100 KB
MAX_COPY_CELLS = 50_000  # ~50 MB for openpyxl; a rencana aksi has a few hundred


class _CellCount:
    """Parser target: the cells openpyxl would create; raises once past the bound."""

    def __init__(self, limit: int) -> None:
        self.cells = 0
        self._limit = limit

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = local_name(tag)
        if local == "c":
            self._add(1)
        elif local in ("mergeCell", "hyperlink") and "ref" in attrib:
            self._add(_area(attrib["ref"]))

    def _add(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self._limit:
            raise Refusal("copy.too_large")


def _area(ref: str) -> int:
    corners = [parse_address(corner) for corner in ref.split(":")]
    rows = max(row for row, _ in corners) - min(row for row, _ in corners) + 1
    columns = max(column for _, column in corners) - min(column for _, column in corners) + 1
    return rows * columns


def copy_fits(data: bytes) -> bool:
    """True when openpyxl may load `data` (bytes that passed the safety layer) for a copy."""
    view = memoryview(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_COPY_BYTES:
            return False
        count = _CellCount(MAX_COPY_CELLS)
        for info in infos:
            chunks = member_chunks(view, info)
            first = next(chunks, b"")
            if looks_like_xml(first):  # not an image
                feed_xml(count, itertools.chain([first], chunks))
    except (Refusal, zipfile.BadZipFile):
        return False  # too many cells, or a part openpyxl could not read either
    return True
