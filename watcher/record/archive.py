"""Content-addressed archive of every submitted file's original bytes.

Each version is stored once under `archive_dir/<sha[:2]>/<sha256><suffix>`. Writes are
crash-safe (`fsio.atomic_writer`: temp file, fsync, rename, fsync the directory), so after a
crash the archive holds either the complete copy or nothing (at worst a stray `.tmp` file, never
a partial copy under the final name). Archiving the same bytes again does nothing. An existing
copy is never overwritten: if it no longer matches its name, that is reported as
`ArchiveCorruptError`.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from watcher.errors import KinerjaError
from watcher.record.durable import atomic_writer, make_dirs

log = logging.getLogger(__name__)

DEFAULT_SUFFIX = ".xlsx"
_CHUNK = 1024 * 1024
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_SUFFIX_RE = re.compile(r"\.[^./\\]+")
# Archived originals are read-only so that nobody edits one by accident in Explorer.
_ARCHIVED_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}


class ArchiveError(KinerjaError):
    """The archive cannot store or read a copy (full disk, no permission, broken copy).

    `path` is the archive file or directory concerned; `os_errno` the OS error number, if any.
    A full disk or a permission problem is worth retrying later; the source file is untouched.
    """

    def __init__(self, message: str, *, path: Path, os_errno: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.os_errno = os_errno


class ArchiveCorruptError(ArchiveError):
    """An archived copy no longer hashes to its name; it is kept as evidence, never replaced."""

    def __init__(self, path: Path, *, expected: str, actual: str) -> None:
        super().__init__(
            f"Salinan arsip rusak: {path} (isi tidak sesuai dengan kode SHA-256 pada namanya). "
            "Salinan tidak ditimpa; periksa media penyimpanan arsip.",
            path=path,
        )
        self.expected = expected
        self.actual = actual


class Guard(Protocol):
    """What `archive_bytes` asks before writing (`watcher.record.guard.RecordGuard`)."""

    def check(self) -> None:
        """Raise `RecordLostError` if the archive was deleted or replaced since it was opened."""


@dataclass(frozen=True)
class ArchivedFile:
    """One archived version: its SHA-256 (hex), where the copy lives and its size in bytes."""

    sha256: str
    path: Path
    size: int


def sha256_bytes(data: bytes) -> str:
    """The lowercase hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def archived_path(archive_dir: Path, sha256: str, suffix: str = DEFAULT_SUFFIX) -> Path:
    """Where the copy with this hash and suffix lives (whether or not it exists)."""
    if not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    if suffix and not _SUFFIX_RE.fullmatch(suffix):
        raise ValueError(f"not a file suffix: {suffix!r}")
    return archive_dir / sha256[:2] / f"{sha256}{suffix}"


def archive_bytes(
    data: bytes, archive_dir: Path, *, suffix: str = DEFAULT_SUFFIX, guard: Guard | None = None
) -> ArchivedFile:
    """Store `data` in the archive and return where it is; idempotent for the same bytes.

    Raises `ArchiveCorruptError` if a copy with the same name exists but its bytes differ, and
    `ArchiveError` if the copy cannot be written (no partial file is left under the final name).
    A running service passes its `guard`: if the archive folder was deleted or replaced under
    it, `RecordLostError` is raised before anything is written, instead of silently creating
    a new, empty archive folder for this one copy.
    """
    if guard is not None:
        guard.check()
    sha = sha256_bytes(data)
    target = archived_path(archive_dir, sha, suffix)
    archived = ArchivedFile(sha256=sha, path=target, size=len(data))
    if _existing_copy_matches(target, sha):
        log.debug("already archived: %s", target)
        return archived
    _write_atomically(data, target)
    log.debug("archived %d bytes as %s", len(data), target)
    return archived


def archive_file(path: Path, archive_dir: Path) -> ArchivedFile:
    """Archive the bytes of `path`, read once, under their hash and the file's own suffix.

    The suffix is lowercased (".XLSX" -> ".xlsx") so every version of a kind sorts together;
    a name without a usable suffix is archived without one. Errors reading `path` itself (for
    example `FileNotFoundError` when a person moved the file away) propagate unchanged, so the
    caller can tell a vanished source from a failing archive.
    """
    data = path.read_bytes()
    suffix = path.suffix.lower()
    return archive_bytes(data, archive_dir, suffix=suffix if _SUFFIX_RE.fullmatch(suffix) else "")


def verify(archive_dir: Path, sha256: str) -> bool:
    """True if a copy named after `sha256` exists (any suffix) and every such copy matches it."""
    copies = _copies_named(archive_dir, sha256)
    if not copies:
        return False
    try:
        return all(_hash_file(copy) == sha256 for copy in copies)
    except OSError as exc:
        log.warning("salinan arsip %s tidak dapat dibaca: %s", sha256, exc)
        return False


def _copies_named(archive_dir: Path, sha256: str) -> list[Path]:
    shard = archived_path(archive_dir, sha256, "").parent
    return sorted(p for p in shard.glob(f"{sha256}*") if p.is_file())


def _existing_copy_matches(target: Path, sha: str) -> bool:
    """False if there is no copy yet; True if there is a good one; raise if it is corrupt."""
    try:
        actual = _hash_file(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _error("membaca salinan arsip", target, exc) from exc
    if actual != sha:
        raise ArchiveCorruptError(target, expected=sha, actual=actual)
    return True


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(data: bytes, target: Path) -> None:
    """Write the copy durably (`fsio`): temp file, fsync, rename, fsync the folders."""
    try:
        make_dirs(target.parent)
    except OSError as exc:
        raise _error("menyiapkan folder arsip", target.parent, exc) from exc
    try:
        # Same bytes under the same name: replacing a copy a concurrent writer just made is
        # harmless; a different copy was ruled out by _existing_copy_matches.
        with atomic_writer(target, mode=_ARCHIVED_MODE) as stream:
            stream.write(data)
    except OSError as exc:
        # At worst the copy is complete but its folder entry unsynced: archiving again is a
        # harmless retry.
        raise _error("menulis salinan arsip", target, exc) from exc


def _error(action: str, path: Path, exc: OSError) -> ArchiveError:
    if exc.errno in _DISK_FULL:
        reason = "disk penuh"
    elif exc.errno in _NO_PERMISSION:
        reason = "tidak ada izin"
    else:
        reason = exc.strerror or str(exc)
    return ArchiveError(
        f"Gagal {action} ({reason}): {path}. Berkas asli tidak diubah.",
        path=path,
        os_errno=exc.errno,
    )
