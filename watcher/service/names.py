"""File names that fit: shortening a name (UTF-8 and UTF-16 aware) so that a suffix always fits,
and the next free version of a name (`name (2).xlsx`) in a folder.

A clerk's file may already use the whole file-name limit (255 bytes on Linux, 255 UTF-16 units
on Windows). The service's versions (`name (2).xlsx`) and notices (`name - DITOLAK.txt`) add to
a name, so the stem is shortened by whole characters, never the suffix or the extension, and an
undecodable name (surrogate escapes) is measured by the bytes it stands for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_NAME_MAX = 255
FALLBACK_STEM = "berkas"
MAX_VERSIONS = 10_000
_VERSION = re.compile(r"^(?P<stem>.*?)(?: \((?P<n>\d+)\))?\Z", re.DOTALL)


def name_max(folder: Path) -> int:
    """The longest file name `folder`'s file system allows (255 when it cannot say)."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_NAME_MAX
    return limit if isinstance(limit, int) and limit > 0 else DEFAULT_NAME_MAX


def fits(name: str, limit: int = DEFAULT_NAME_MAX) -> bool:
    """True if `name` is within `limit` both as bytes on disk and as UTF-16 units."""
    encoded = name.encode("utf-8", "surrogateescape")
    units = len(name.encode("utf-16-le", "surrogatepass")) // 2
    return len(encoded) <= limit and units <= limit


def fit(stem: str, suffix: str, limit: int = DEFAULT_NAME_MAX) -> str:
    """`stem + suffix`, the stem cut (whole characters, trailing spaces and dots dropped) to fit.

    The suffix is kept whole; an empty stem, or one cut to nothing, becomes "berkas" (a name
    that is only ".xlsx" would be hidden).
    """
    if stem and fits(stem + suffix, limit):
        return stem + suffix
    while stem and not fits(stem + suffix, limit):
        stem = stem[:-1]
        if stem and 0xDC80 <= ord(stem[-1]) <= 0xDCFF:
            continue  # an undecodable byte: never stop between it and its neighbours
        stem = stem.rstrip(" .")
    return (stem or FALLBACK_STEM) + suffix


def split_extension(name: str) -> tuple[str, str]:
    """("Laporan", ".xlsx") for "Laporan.xlsx"; the extension is empty for "README"."""
    path = Path(name)
    return (path.stem, path.suffix) if path.suffix and path.stem else (name, "")


def printable(text: str) -> str:
    """`text` safe to store and show: undecodable bytes (surrogate escapes) become `\\xNN`."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def unique_destination(folder: Path, name: str, *, leaving: frozenset[Path] = frozenset(),
                       taken: frozenset[Path] = frozenset()) -> Path:  # fmt: skip
    """`folder/name`, or `folder/name (2).xlsx`, `(3)`, ... the first that is free.

    A version's name is shortened (never its number or extension) to fit the folder's limit;
    a link (even a dangling one) counts as existing: a rename would replace it. A path in
    `leaving` is free (what is there moves away first), one in `taken` is not (promised to
    another move).
    """
    limit = name_max(folder if folder.is_dir() else folder.parent)
    stem, extension = split_extension(name)

    def free(candidate: Path) -> bool:
        if candidate in taken:
            return False
        return candidate in leaving or not os.path.lexists(candidate)

    candidate = folder / fit(stem, extension, limit)
    if free(candidate):
        return candidate
    stem = _VERSION.match(stem).group("stem")  # type: ignore[union-attr]
    for number in range(2, MAX_VERSIONS):
        candidate = folder / fit(stem, f" ({number}){extension}", limit)
        if free(candidate):
            return candidate
    raise FileExistsError(f"terlalu banyak versi {name} di {folder}")
