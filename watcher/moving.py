"""Moving files between step folders without ever overwriting, under names clerks recognise."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

_VERSION = re.compile(r"^(?P<stem>.*?)(?: \((?P<n>\d+)\))?$")
MAX_VERSIONS = 10_000


def unique_destination(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/name (2).xlsx`, `(3)`, ... the first that does not exist."""
    candidate = folder / name
    if not candidate.exists():
        return candidate
    path = Path(name)
    stem = _VERSION.match(path.stem).group("stem")  # type: ignore[union-attr]
    for number in range(2, MAX_VERSIONS):
        candidate = folder / f"{stem} ({number}){path.suffix}"
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"terlalu banyak versi {name} di {folder}")


def move_no_overwrite(source: Path, destination: Path) -> None:
    """Rename `source` to `destination`; FileExistsError if something is there already.

    A rename within one file system is atomic: after a crash the file is in exactly one of the
    two places. The existence check closes the door on overwriting (POSIX rename would replace).
    """
    if destination.exists():
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
