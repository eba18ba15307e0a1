"""One service per root: an exclusive lock on a file in the archive folder.

The OS releases the lock when the process dies (even by kill -9), so a crash never leaves a
stale lock behind. The lock holds only while its file stays: if a person deletes `arsip/` (or
the lock file) under a running service, a second service would take a new lock on a new file.
`problem()` tells that the path no longer names the file this lock holds, so the running
service can stop loudly (`watcher.record.guard`).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from watcher.errors import KinerjaError
from watcher.record.identity import Identity, Watched, raise_if_lost


class AlreadyRunning(KinerjaError):
    """Another kinerja service holds the lock of this root."""


class ServiceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None
        self._watched: Watched | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while running
        try:
            _lock(handle)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(
                f"Layanan kinerja sudah berjalan untuk folder ini (PID {holder}). "
                "Hentikan layanan itu dulu, atau pakai --root lain."
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        found = Identity.of(os.fstat(handle.fileno()))  # the file we locked, not the path
        self._watched = Watched(self.path, "kunci layanan", found)

    def problem(self) -> str | None:
        """None while the path names the locked file; else an Indonesian sentence.

        A deleted or replaced lock file means a second service could start beside this one.
        """
        if self._watched is None:
            return None
        found = self._watched.problem()
        if found:
            return f"{found} (layanan kedua dapat berjalan bersamaan)"
        return None

    def check(self) -> None:
        """Raise `RecordLostError` if the lock file was deleted or replaced while held."""
        raise_if_lost([self.problem()])

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock
            self._handle = None
            self._watched = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self.release()


def _lock(handle: IO[str]) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
