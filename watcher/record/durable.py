"""Durable file operations: every file the service writes or moves goes through this module.

A write goes to a temp file beside the target, is flushed and fsynced, then renamed into place
(or hard-linked, when nothing may be replaced) and the folder is fsynced, so after a crash the
target holds the old bytes or the new ones, never part of them: at worst a stray
`.kinerja-*.tmp` is left. New folders on the way are fsynced into their parents. A move is a
rename that never replaces what is already there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from openpyxl.workbook.workbook import Workbook

_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in `folder` durable; OSError when it cannot be synced.

    Does nothing on Windows, which cannot fsync a directory (NTFS journals the rename itself).
    """
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents, each new entry fsynced into its parent."""
    created = list(itertools.takewhile(lambda d: not d.exists(), (folder, *folder.parents)))
    if not created:
        return  # the usual case: one stat, no mkdir
    folder.mkdir(parents=True, exist_ok=True)
    for directory in reversed(created):
        fsync_dir(directory.parent)


@dataclass
class _Stage:
    """A temp file beside the target: written through `handle`, then `sync`ed and renamed."""

    handle: IO[bytes]
    temp: str

    def sync(self, mode: int | None = None) -> None:
        """Flush, fsync and close the bytes; set `mode` if given."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if mode is not None:
            os.chmod(self.temp, mode)


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
def _staged(folder: Path) -> Iterator[_Stage]:
    """A temp file in `folder` (created with its parents), removed unless renamed away."""
    make_dirs(folder)
    fd, temp = _new_temp(folder)
    stage = _Stage(os.fdopen(fd, "wb"), temp)
    try:
        yield stage
    finally:
        stage.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


@contextlib.contextmanager
def atomic_writer(
    path: Path, *, mode: int | None = None, later: FolderSyncs | None = None
) -> Iterator[IO[bytes]]:
    """Yield a binary file that replaces `path` only once fully written and synced.

    `mode`, if given, is set before the file takes its name (the archive's read-only copies).
    With `later`, the folder is synced when that is flushed (a notice the service writes beside
    a file it moves: its bytes are synced at once, its name with the round's moves).
    """
    with _staged(path.parent) as stage:
        yield stage.handle
        stage.sync(mode)
        os.replace(stage.temp, path)
    if later is None:
        fsync_dir(path.parent)
    else:
        later.add(path.parent)


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
    with _staged(path.parent) as stage:
        stage.handle.write(data)
        stage.sync()
        try:
            os.link(stage.temp, path)
        except FileExistsError:
            return False
        except OSError:
            # Some shares (FAT, certain SMB mounts) have no hard links: fall back to a
            # check-then-rename, whose window is a few microseconds.
            if path.exists():
                return False
            os.replace(stage.temp, path)
    fsync_dir(path.parent)
    return True


def move_no_overwrite(source: Path, destination: Path, *, later: FolderSyncs | None = None) -> None:
    """Rename `source` to `destination`; FileExistsError if something is there already.

    A rename within one file system is atomic: after a crash the file is in exactly one of the
    two places. The existence check closes the door on overwriting (POSIX rename would replace).
    The folders are then synced as well as they can be: the move itself has happened. With
    `later`, they are synced when it is flushed, once for all the moves made meanwhile.
    """
    if os.path.lexists(destination):
        raise FileExistsError(str(destination))
    make_dirs(destination.parent)
    os.rename(source, destination)
    folders = FolderSyncs() if later is None else later
    folders.add(destination.parent, source.parent)
    if later is None:
        folders.flush()


class FolderSyncs:
    """Folders with moves in them not yet synced: each is synced once when flushed.

    Only for moves the event log already holds (the service records before it moves): a move
    a power cut undoes is then made again at the next start (`watcher.service.pipeline`,
    `versions.finish_interrupted`), so a burst of files through the same two folders costs two
    directory syncs per batch instead of two per file. Also for the notices written beside
    such moves (`atomic_writer`): their bytes are synced at once, their names with the moves.
    """

    def __init__(self) -> None:
        self._folders: set[Path] = set()

    def add(self, *folders: Path) -> None:
        self._folders.update(folders)

    def flush(self) -> None:
        folders, self._folders = self._folders, set()
        for folder in sorted(folders):
            with contextlib.suppress(OSError):
                fsync_dir(folder)
