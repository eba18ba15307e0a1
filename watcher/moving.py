"""Moving files between step folders without ever overwriting, under names clerks recognise."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from watcher.names import fit, name_max, split_extension

_VERSION = re.compile(r"^(?P<stem>.*?)(?: \((?P<n>\d+)\))?\Z", re.DOTALL)
MAX_VERSIONS = 10_000


def unique_destination(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/name (2).xlsx`, `(3)`, ... the first that does not exist.

    A version's name is shortened (never its number or extension) to fit the folder's limit;
    a link (even a dangling one) counts as existing: a rename would replace it.
    """
    limit = name_max(folder if folder.is_dir() else folder.parent)
    stem, extension = split_extension(name)
    candidate = folder / fit(stem, extension, limit)
    if not os.path.lexists(candidate):
        return candidate
    stem = _VERSION.match(stem).group("stem")  # type: ignore[union-attr]
    for number in range(2, MAX_VERSIONS):
        candidate = folder / fit(stem, f" ({number}){extension}", limit)
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"terlalu banyak versi {name} di {folder}")


def move_no_overwrite(source: Path, destination: Path) -> None:
    """Rename `source` to `destination`; FileExistsError if something is there already.

    A rename within one file system is atomic: after a crash the file is in exactly one of the
    two places. The existence check closes the door on overwriting (POSIX rename would replace).
    """
    if os.path.lexists(destination):
        raise FileExistsError(str(destination))
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.rename(source, destination)
    _fsync_dir(destination.parent)
    if source.parent != destination.parent:
        _fsync_dir(source.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot fsync a directory; NTFS journals the rename itself
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
