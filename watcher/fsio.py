"""Crash-safe file writing: write a temp file beside the target, fsync, then rename."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from openpyxl.workbook.workbook import Workbook

_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)


def _new_temp(folder: Path) -> tuple[int, str]:
    """A new, empty temp file in `folder`, created with mode 0o666 like any saved file.

    The umask, or on a shared folder the folder's default ACL, then decides who may read it.
    `tempfile.mkstemp` creates 0600 files, which made every workbook, notice and page the
    service writes unreadable to the clerks on the Samba share.
    """
    while True:
        temp = folder / f".kinerja-{secrets.token_hex(8)}.tmp"
        try:
            return os.open(temp, _TEMP_FLAGS, 0o666), str(temp)
        except FileExistsError:  # 64 random bits: practically never
            continue


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """Yield a binary file that replaces `path` only once fully written and synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = _new_temp(path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def save_workbook_atomic(workbook: Workbook, path: Path) -> None:
    with atomic_writer(path) as handle:
        workbook.save(handle)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text.encode("utf-8"))


def create_new(path: Path, data: bytes) -> bool:
    """Write `data` to `path` only if nothing is there yet; True if written.

    The final link is made with os.link, which fails instead of replacing, so a file a user
    created in the meantime is never overwritten.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = _new_temp(path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError:
            # Some shares (FAT, certain SMB mounts) have no hard links: fall back to a
            # check-then-rename, whose window is a few microseconds.
            if path.exists():
                return False
            os.replace(temp, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
