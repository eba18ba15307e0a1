"""Is a workbook still open in a spreadsheet program? Its owner lock file beside it says so.

Excel writes `~$<name>` beside a workbook it has open (for a long name Word-style programs drop
the name's first two characters: `~$poran.xlsx` for `Laporan.xlsx`); LibreOffice writes
`.~lock.<name>#`. While one is there the person may save again, so the service checks the file
and writes its feedback at once, but moves it only when the lock is gone: moving it away would
make the next save create a second copy.
"""

from __future__ import annotations

import os
from pathlib import Path


def lock_names(name: str) -> tuple[str, ...]:
    """The owner-lock file names a program that has `name` open writes beside it."""
    names = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        names.append(f"~${name[2:]}")
    return tuple(names)


def open_lock(path: Path) -> Path | None:
    """The lock file beside `path`, if one is there (a link counts: someone made it)."""
    for name in lock_names(path.name):
        candidate = path.with_name(name)
        if os.path.lexists(candidate):
            return candidate
    return None
