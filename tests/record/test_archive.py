"""The archive keeps every version's original bytes once, by hash, and never a partial copy."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from watcher.errors import KinerjaError
from watcher.record import durable as fsio
from watcher.record.archive import (
    ArchiveCorruptError,
    ArchivedFile,
    ArchiveError,
    archive_bytes,
    archive_file,
    archived_path,
    verify,
)

WORKBOOK = b"PK\x03\x04 pretend this is a workbook"
SHA = hashlib.sha256(WORKBOOK).hexdigest()


def all_files(directory: Path) -> list[str]:
    """Every file under `directory`, hidden temp files included, as relative POSIX paths."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def good_copy(arsip: Path) -> None:
    archive_bytes(WORKBOOK, arsip)


def copy_with_other_suffix(arsip: Path) -> None:
    archive_bytes(WORKBOOK, arsip, suffix=".xls")


def no_copy(arsip: Path) -> None:
    pass


def corrupt_copy(arsip: Path) -> None:
    stored = archive_bytes(WORKBOOK, arsip)
    stored.path.chmod(0o644)
    stored.path.write_bytes(b"bit rot")


def test_bytes_are_stored_under_their_hash(tmp_path: Path) -> None:
    arsip = tmp_path / "arsip"

    stored = archive_bytes(WORKBOOK, arsip)

    assert stored == ArchivedFile(
        sha256=SHA, path=arsip / SHA[:2] / f"{SHA}.xlsx", size=len(WORKBOOK)
    )
    assert stored.path.read_bytes() == WORKBOOK
    assert all_files(arsip) == [f"{SHA[:2]}/{SHA}.xlsx"]
    assert archived_path(arsip, SHA, ".xlsx") == stored.path


def test_archived_copies_are_read_only(tmp_path: Path) -> None:
    stored = archive_bytes(WORKBOOK, tmp_path)

    assert stored.path.stat().st_mode & 0o777 == 0o444


def test_archiving_the_same_bytes_again_changes_nothing(tmp_path: Path) -> None:
    first = archive_bytes(WORKBOOK, tmp_path)
    before = first.path.stat()

    second = archive_bytes(WORKBOOK, tmp_path)

    after = second.path.stat()
    assert second == first
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert all_files(tmp_path) == [f"{SHA[:2]}/{SHA}.xlsx"]


def test_every_version_is_kept(tmp_path: Path) -> None:
    v1 = archive_bytes(b"versi 1", tmp_path)
    v2 = archive_bytes(b"versi 2", tmp_path)

    assert v1.sha256 != v2.sha256
    assert v1.path.read_bytes() == b"versi 1"
    assert v2.path.read_bytes() == b"versi 2"


def test_archive_file_reads_the_file_and_keeps_its_suffix(tmp_path: Path) -> None:
    source = tmp_path / "inbox" / "PIAK_2026_TW3.XLSX"
    source.parent.mkdir()
    source.write_bytes(WORKBOOK)

    stored = archive_file(source, tmp_path / "arsip")

    assert stored.path.name == f"{SHA}.xlsx"
    assert stored.path.read_bytes() == WORKBOOK
    assert source.read_bytes() == WORKBOOK  # the source is never touched


def test_a_vanished_source_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        archive_file(tmp_path / "dipindahkan.xlsx", tmp_path / "arsip")


def test_a_corrupt_copy_is_reported_and_never_replaced(tmp_path: Path) -> None:
    corrupt_copy(tmp_path)
    stored_path = archived_path(tmp_path, SHA)

    with pytest.raises(ArchiveCorruptError) as raised:
        archive_bytes(WORKBOOK, tmp_path)

    assert raised.value.expected == SHA
    assert raised.value.actual == hashlib.sha256(b"bit rot").hexdigest()
    assert "rusak" in raised.value.message
    assert stored_path.read_bytes() == b"bit rot"  # kept as evidence


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(good_copy, True, id="good-copy"),
        pytest.param(copy_with_other_suffix, True, id="other-suffix"),
        pytest.param(no_copy, False, id="missing"),
        pytest.param(corrupt_copy, False, id="corrupt"),
    ],
)
def test_verify(tmp_path: Path, setup: Callable[[Path], None], expected: bool) -> None:
    setup(tmp_path)

    assert verify(tmp_path, SHA) is expected


def test_a_full_disk_is_a_typed_error_and_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsio.os, "fsync", disk_full)

    with pytest.raises(ArchiveError) as raised:
        archive_bytes(WORKBOOK, tmp_path)

    assert isinstance(raised.value, KinerjaError)
    assert "disk penuh" in raised.value.message
    assert raised.value.os_errno == errno.ENOSPC
    assert all_files(tmp_path) == []


def test_a_failing_rename_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fsio.os, "replace", refuse)

    with pytest.raises(ArchiveError, match="tidak ada izin"):
        archive_bytes(WORKBOOK, tmp_path)

    assert all_files(tmp_path) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_archive_folder_is_a_typed_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ArchiveError, match="tidak ada izin"):
            archive_bytes(WORKBOOK, tmp_path)
    finally:
        tmp_path.chmod(0o755)
    assert all_files(tmp_path) == []


@pytest.mark.parametrize(
    ("sha", "suffix"),
    [
        pytest.param("ABC", ".xlsx", id="short-hash"),
        pytest.param(SHA.upper(), ".xlsx", id="uppercase-hash"),
        pytest.param(SHA, "../x", id="suffix-with-separator"),
        pytest.param(SHA, "xlsx", id="suffix-without-dot"),
    ],
)
def test_archived_path_refuses_bad_names(sha: str, suffix: str) -> None:
    with pytest.raises(ValueError):
        archived_path(Path("arsip"), sha, suffix)
