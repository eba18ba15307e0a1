"""Is the file or folder at a path still the one a running service opened?

A process that holds a file open keeps writing into it after the path was deleted or another
file was moved over it: SQLite goes on appending events to an unlinked log, the archive writes
into a folder nobody can see. `Watched` remembers a path's identity, (st_dev, st_ino), when the
service opened it and tells, with one `os.stat`, whether the path now names nothing or another
file. The identity is only trustworthy while something keeps the original inode allocated
(SQLite's own descriptor, the lock's handle, or the directory descriptor `Watched` holds);
otherwise a new file could be given the freed inode number.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import RecordLostError


@dataclass(frozen=True)
class Identity:
    device: int
    inode: int

    @classmethod
    def of(cls, info: os.stat_result) -> Identity:
        return cls(info.st_dev, info.st_ino)


def identity(path: Path) -> Identity | None:
    """The identity of what `path` names now, or None when it names nothing."""
    try:
        return Identity.of(os.stat(path))
    except FileNotFoundError:
        return None


class Watched:
    """A path and the identity it had when opened; `problem()` says if that changed.

    `label` names the thing for a clerk ("log kejadian", "folder arsip"). With `hold=True` a
    directory is kept open (POSIX only) so its inode cannot be reused while it is watched.
    Never hold a SQLite database this way: closing a second descriptor of a file drops the
    POSIX locks SQLite holds on it.
    """

    def __init__(self, path: Path, label: str, expected: Identity, *, fd: int | None = None):
        self.path, self.label, self.expected = path, label, expected
        self._fd = fd

    @classmethod
    def now(cls, path: Path, label: str, *, hold: bool = False) -> Watched:
        """Watch what `path` names now (FileNotFoundError if it names nothing)."""
        fd = None
        if hold and os.name != "nt":
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            found = Identity.of(os.fstat(fd))
        else:
            found = Identity.of(os.stat(path))
        return cls(path, label, found, fd=fd)

    def problem(self) -> str | None:
        """None while the path still names the same file; else an Indonesian sentence."""
        try:
            found = identity(self.path)
        except OSError as exc:  # permission taken away, disk gone: it cannot be trusted
            return f"{self.label} {self.path} tidak dapat diperiksa lagi ({exc.strerror or exc})"
        if found is None:
            return f"{self.label} {self.path} telah DIHAPUS"
        if found != self.expected:
            return f"{self.label} {self.path} telah DIGANTI dengan berkas lain"
        return None

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def record_lost(problems: list[str]) -> RecordLostError:
    """The error a running service stops on, naming everything that vanished."""
    listed = "; ".join(problems)
    return RecordLostError(
        f"Catatan kinerja hilang saat layanan berjalan: {listed}. Layanan dihentikan agar tidak "
        "menulis ke catatan yang sudah tidak ada. Pulihkan folder arsip dari cadangan, jalankan "
        "'kinerja verify', lalu mulai layanan lagi."
    )


def raise_if_lost(problems: Iterable[str | None]) -> None:
    """Raise `record_lost` naming every problem given, if there is any."""
    found = [problem for problem in problems if problem]
    if found:
        raise record_lost(found)
