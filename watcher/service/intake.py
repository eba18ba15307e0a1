"""Opening a submitted file safely: only a regular file inside the root, read from one descriptor.

A step folder is written by people (and, on a share, by anyone with an account), so a name in
it may be a symbolic link to a file outside the tree, a FIFO that blocks every read, a socket,
a device such as /dev/zero, a hard link to a file elsewhere, or a folder named like a workbook.
`open_regular` walks from the root to the file one component at a time with `O_NOFOLLOW`
(`O_DIRECTORY` for the folders on the way), so a folder replaced by a link is refused too, and
opens the file itself with `O_NONBLOCK` (a FIFO never blocks the worker). The descriptor is then
`fstat`-ed: anything but a regular file with one link is refused with an Indonesian message
(`NotRegularError`, a `RefusedFileError` with rule `intake.*`). Size is judged on the descriptor
before any byte is read, and the bytes come from the same descriptor, bounded; an oversized file
is only hashed as a stream (`hash_stream`), never held in memory.

`Identity` (device, inode, size, mtime) is what the caller compares, with `lstat`, just before
moving the file: the file that moves is the one that was read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from watcher.errors import RefusedFileError
from watcher.validation.safety import DEFAULT_LIMITS, MIB

_CHUNK = 1024 * 1024
_FILE_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOCTTY", 0)
)
_DIR_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_DIRECTORY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_WALK_BY_DESCRIPTOR = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_SAVE_A_COPY = "Simpan salinan biasa buku kerja (.xlsx) di folder ini, lalu kirim lagi."
MESSAGES = {
    "intake.symlink": "Berkas ini sebuah pintasan (symbolic link), bukan berkas biasa; demi "
    "keamanan pintasan tidak dibuka. " + _SAVE_A_COPY,
    "intake.dangling_symlink": "Berkas ini sebuah pintasan (symbolic link) yang tujuannya tidak "
    "ada, bukan berkas biasa. " + _SAVE_A_COPY,
    "intake.folder_link": "Folder '{name}' di jalur berkas ini adalah pintasan (symbolic link) "
    "ke tempat lain; demi keamanan isinya tidak dibuka. Minta pengelola menghapus pintasan itu "
    "dan membuat folder biasa.",
    "intake.not_a_folder": "'{name}' di jalur berkas ini bukan folder.",
    "intake.directory": "Berkas tidak dapat dibuka: ini sebuah folder, bukan berkas. Simpan buku "
    "kerja (.xlsx) langsung di "
    "folder langkah, bukan di dalam folder lain.",
    "intake.fifo": "Ini bukan berkas biasa (pipa/FIFO) dan tidak dapat diproses. " + _SAVE_A_COPY,
    "intake.socket": "Ini bukan berkas biasa (soket) dan tidak dapat diproses. " + _SAVE_A_COPY,
    "intake.device": "Ini bukan berkas biasa (perangkat) dan tidak dapat diproses. " + _SAVE_A_COPY,
    "intake.hard_link": "Berkas ini memiliki lebih dari satu nama (hard link) dan bisa merujuk ke "
    "berkas di luar folder kinerja; demi keamanan tidak dibuka. " + _SAVE_A_COPY,
    "intake.outside_root": "Berkas ini berada di luar folder kinerja.",
}


def oversize_refusal(size: int, path: Path) -> RefusedFileError:
    """The refusal of a file over `DEFAULT_LIMITS.max_file_bytes`, judged on its descriptor."""
    limit = DEFAULT_LIMITS.max_file_bytes
    message = (f"Berkas terlalu besar ({_mb(size)} MB; batas {_mb(limit)} MB). Hapus baris, "
               "lembar atau gambar yang tidak perlu, simpan, lalu kirim lagi.")  # fmt: skip
    return RefusedFileError(message, rule="safety.too_large", path=str(path))


def _mb(size: int) -> str:
    return f"{size / MIB:.1f}".replace(".", ",")


def read_checked(path: Path, *, root: Path | None = None) -> bytes:
    """The bytes of a regular file within the size limit, read from one descriptor.

    RefusedFileError for anything else (a link, a FIFO, a device, too large); OSError when the
    file cannot be opened (gone, no permission).
    """
    with open_regular(path, root=root) as opened:
        if opened.size > DEFAULT_LIMITS.max_file_bytes:
            raise oversize_refusal(opened.size, path)
        return opened.read(DEFAULT_LIMITS.max_file_bytes)


class NotRegularError(RefusedFileError):
    """The name is not a regular file inside the root (link, FIFO, device, folder, ...)."""


def _refuse(rule: str, path: Path, **details: str) -> NotRegularError:
    return NotRegularError(MESSAGES[rule].format(**details), rule=rule, path=str(path))


@dataclass(frozen=True)
class Identity:
    """What makes "the same file": a replaced file differs in inode, size or mtime."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> Identity:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def still_there(path: Path, identity: Identity) -> bool:
    """True if `path` (not following a link) is still the file with `identity`."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return Identity.of(info) == identity


@dataclass
class Opened:
    """An open regular file: its descriptor and its `fstat`. Use as a context manager."""

    fd: int
    info: os.stat_result

    @property
    def size(self) -> int:
        return self.info.st_size

    @property
    def identity(self) -> Identity:
        return Identity.of(self.info)

    def read(self, limit: int) -> bytes:
        """At most `limit + 1` bytes from the start (one more tells a file that grew)."""
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(self.fd, min(_CHUNK, left))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def hash_stream(self) -> tuple[str, int]:
        """(SHA-256 hex, bytes read) of the whole file, in bounded memory."""
        os.lseek(self.fd, 0, os.SEEK_SET)
        digest, size = hashlib.sha256(), 0
        while chunk := os.read(self.fd, _CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_regular(path: Path, *, root: Path | None = None) -> Opened:
    """Open `path` for reading if it is a regular file with one link; else NotRegularError.

    With `root`, every folder between `root` and the file must be a real folder (not a link).
    FileNotFoundError and PermissionError propagate: the file vanished or cannot be read yet.
    """
    parts = _parts_below(path, root)
    if _WALK_BY_DESCRIPTOR and root is not None:
        fd = _open_below(root, parts, path)
    else:
        _check_folders_by_lstat(root, parts, path)
        fd = _open_file(path, None, path)
    try:
        info = os.fstat(fd)
        _check_kind(info, path)
    except BaseException:
        os.close(fd)
        raise
    return Opened(fd, info)


def _parts_below(path: Path, root: Path | None) -> tuple[str, ...]:
    if root is None:
        return ()
    try:
        return path.relative_to(root).parts
    except ValueError:
        raise _refuse("intake.outside_root", path) from None


def _open_below(root: Path, parts: tuple[str, ...], path: Path) -> int:
    """Descend from `root` through `parts[:-1]` by descriptor, then open the file itself."""
    folder = os.open(root, _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))  # the root is trusted
    try:
        for name in parts[:-1]:
            try:
                inner = os.open(name, _DIR_FLAGS, dir_fd=folder)
            except OSError as exc:
                raise _folder_error(exc, name, path) from exc
            os.close(folder)
            folder = inner
        return _open_file(Path(parts[-1]), folder, path)
    finally:
        os.close(folder)


def _folder_error(exc: OSError, name: str, path: Path) -> OSError:
    if exc.errno == errno.ELOOP:
        return _refuse("intake.folder_link", path, name=name)
    if exc.errno == errno.ENOTDIR:
        return _refuse("intake.not_a_folder", path, name=name)
    return exc


def _check_folders_by_lstat(root: Path | None, parts: tuple[str, ...], path: Path) -> None:
    """Where no `dir_fd` exists (Windows): every folder on the way, checked with lstat."""
    if root is None:
        return
    folder = root
    for name in parts[:-1]:
        folder = folder / name
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode) or getattr(info, "st_reparse_tag", 0):
            raise _refuse("intake.folder_link", path, name=name)
        if not stat.S_ISDIR(info.st_mode):
            raise _refuse("intake.not_a_folder", path, name=name)


def _open_file(name: Path, folder: int | None, path: Path) -> int:
    try:
        return os.open(name, _FILE_FLAGS, dir_fd=folder)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO, errno.EOPNOTSUPP):
            # A link (ELOOP; EMLINK on FreeBSD) or a socket (ENXIO): say which from lstat.
            info = os.lstat(name if folder is None else path)
            _check_kind(info, path)
        raise


def _check_kind(info: os.stat_result, path: Path) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_nlink > 1:
            raise _refuse("intake.hard_link", path)
        return
    if stat.S_ISLNK(mode):
        dangling = not os.path.exists(path)
        raise _refuse("intake.dangling_symlink" if dangling else "intake.symlink", path)
    if stat.S_ISDIR(mode):
        raise _refuse("intake.directory", path)
    if stat.S_ISFIFO(mode):
        raise _refuse("intake.fifo", path)
    if stat.S_ISSOCK(mode):
        raise _refuse("intake.socket", path)
    raise _refuse("intake.device", path)


def entry_kind_error(path: Path) -> NotRegularError | None:
    """Without opening: the refusal for a name that is not a regular file (lstat), else None."""
    try:
        info = os.lstat(path)
        _check_kind(info, path)
    except NotRegularError as refusal:
        return refusal
    except OSError:
        return None
    return None
