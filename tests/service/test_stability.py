"""Settling: which files are finished, and which files are never ours (temp, lock, system)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from watcher.service.stability import FileStabilityTracker, is_ignored


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        pytest.param("~$PIAK_2026_TW3.xlsx", True, id="excel-owner-file"),
        pytest.param(".~lock.PIAK_2026_TW3.xlsx#", True, id="libreoffice-lock"),
        pytest.param(".hidden.xlsx", True, id="hidden-file"),
        pytest.param("Thumbs.db", True, id="thumbs-db"),
        pytest.param("thumbs.DB", True, id="thumbs-db-any-case"),
        pytest.param("desktop.ini", True, id="desktop-ini"),
        pytest.param("Desktop.ini", True, id="desktop-ini-capitalised"),
        pytest.param(".DS_Store", True, id="ds-store"),
        pytest.param("A1B2C3D4", True, id="excel-temp-hex-name"),
        pytest.param("0f9e8d7c", True, id="excel-temp-hex-lowercase"),
        pytest.param("~WRL0001.tmp", True, id="office-wrl-temp"),
        pytest.param("lu1234abcd.tmp", True, id="libreoffice-temp"),
        pytest.param("laporan.xlsx.crdownload", True, id="chrome-partial-download"),
        pytest.param("laporan.xlsx.part", True, id="firefox-partial-download"),
        pytest.param("laporan.xlsx.partial", True, id="edge-partial-download"),
        pytest.param("PIAK_2026_TW3.xlsx", False, id="workbook"),
        pytest.param("PIAK_2026_TW3.XLSX", False, id="workbook-uppercase"),
        pytest.param("laporan lama.xls", False, id="old-xls-is-refused-not-ignored"),
        pytest.param("laporan.xlsm", False, id="macro-workbook-is-refused-not-ignored"),
        pytest.param("catatan.pdf", False, id="other-kind-is-refused-not-ignored"),
        pytest.param("README", False, id="no-extension"),
        pytest.param("A1B2C3D", False, id="seven-hex-chars"),
        pytest.param("A1B2C3D4E", False, id="nine-hex-chars"),
        pytest.param("A1B2C3DG", False, id="not-hex"),
        pytest.param("A1B2C3D4.xlsx", False, id="hex-name-with-extension"),
        pytest.param("laporan~$.xlsx", False, id="tilde-dollar-not-at-start"),
        pytest.param("laporan.tmp.xlsx", False, id="tmp-not-at-end"),
    ],
)
def test_is_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(Path("inbox/PIAK/3_bahan") / name) is ignored


@pytest.mark.parametrize(
    ("relative", "ignored"),
    [
        pytest.param("PIAK/3_bahan/laporan.xlsx", False, id="normal-file"),
        pytest.param("PIAK/$RECYCLE.BIN/laporan.xlsx", True, id="windows-recycle-bin"),
        pytest.param("PIAK/#recycle/laporan.xlsx", True, id="synology-recycle-bin"),
        pytest.param("PIAK/@eaDir/laporan.xlsx", True, id="synology-thumbnails"),
        pytest.param(".stversions/PIAK/laporan.xlsx", True, id="hidden-folder"),
    ],
)
def test_is_ignored_checks_folders_below_the_root(relative: str, ignored: bool) -> None:
    root = Path("/srv/.kinerja/inbox")  # a hidden folder above the root does not count

    assert is_ignored(root / relative, root) is ignored
    assert is_ignored(root / relative) is False


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tracker(clock: FakeClock) -> FileStabilityTracker:
    return FileStabilityTracker(quiet_seconds=0.5, monotonic=clock)


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as stream:
        stream.write(data)


def test_a_file_is_ready_after_the_quiet_period(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    tracker.touch(book)

    clock.advance(0.4)
    assert tracker.ready() == []
    assert tracker.next_check_in() == pytest.approx(0.1)
    clock.advance(0.1)
    assert tracker.ready() == [book]
    assert tracker.ready() == []  # handed over once
    assert book not in tracker
    assert tracker.next_check_in() is None


def test_a_chunked_copy_settles_only_after_the_last_chunk(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    for _ in range(5):
        append(book, b"x" * 4096)
        tracker.touch(book)
        clock.advance(0.4)
        assert tracker.ready() == []

    clock.advance(0.1)
    assert tracker.ready() == [book]


def test_a_change_without_an_event_restarts_the_window(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    # Events get lost (overflow, polling between writes); the stat comparison still sees it.
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"awal")
    tracker.touch(book)
    clock.advance(0.3)
    append(book, b" lanjutan")
    clock.advance(0.3)

    assert tracker.ready() == []  # the size changed: window restarts now
    clock.advance(0.4)
    assert tracker.ready() == []
    clock.advance(0.1)
    assert tracker.ready() == [book]


def test_a_file_touched_repeatedly_is_handed_over_once_after_the_last_touch(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    for _ in range(10):
        tracker.touch(book)
        clock.advance(0.3)
        assert tracker.ready() == []

    clock.advance(0.2)
    assert tracker.ready() == [book]
    assert len(tracker) == 0


def test_a_closed_file_is_ready_at_the_next_unchanged_stat(
    tmp_path: Path, tracker: FileStabilityTracker
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    tracker.touch(book)
    tracker.mark_complete(book)

    assert tracker.next_check_in() == 0.0
    assert tracker.ready() == [book]  # no quiet period


def test_a_write_after_close_needs_the_quiet_period_again(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    tracker.mark_complete(book)
    append(book, b" ditulis lagi tanpa event close")

    assert tracker.ready() == []
    clock.advance(0.5)
    assert tracker.ready() == [book]


def test_excel_save_through_a_temp_file_and_rename(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"versi 1")
    tracker.touch(book)
    clock.advance(0.2)

    # Excel: write the temp file, delete the original, rename the temp into its place.
    temp = tmp_path / "A1B2C3D4"
    temp.write_bytes(b"versi 2")
    assert is_ignored(temp)  # the service never tracks the temp file
    book.unlink()
    tracker.touch(book)
    assert tracker.ready() == []  # gone for a moment
    temp.rename(book)
    tracker.touch(book)

    assert tracker.vanished() == []  # pending again under the same name: not reported
    clock.advance(0.4)
    assert tracker.ready() == []
    clock.advance(0.1)
    assert tracker.ready() == [book]
    assert book.read_bytes() == b"versi 2"


def test_a_replacement_with_preserved_size_and_mtime_restarts_the_window(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"versi 1")
    tracker.touch(book)
    clock.advance(0.4)
    replacement = tmp_path / "salinan.tmp"
    replacement.write_bytes(b"versi 2")  # same size
    before = book.stat()
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, book)  # a copy tool that keeps the mtime, no event seen

    clock.advance(0.1)
    assert tracker.ready() == []  # new inode
    clock.advance(0.5)
    assert tracker.ready() == [book]


def test_a_file_deleted_while_pending_is_reported_once(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    tracker.touch(book)
    book.unlink()
    clock.advance(1.0)

    assert tracker.ready() == []
    assert tracker.vanished() == [book]
    assert tracker.vanished() == []
    assert book not in tracker


def test_forget_stops_tracking(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    tracker.touch(book)
    tracker.forget(book)
    tracker.forget(book)  # harmless twice
    clock.advance(1.0)

    assert tracker.ready() == []
    assert tracker.vanished() == []


def test_files_are_handed_over_in_the_order_first_seen(
    tmp_path: Path, tracker: FileStabilityTracker, clock: FakeClock
) -> None:
    books = [tmp_path / f"{name}.xlsx" for name in ("c", "a", "b")]
    for book in books:
        book.write_bytes(b"isi")
        tracker.touch(book)
    tracker.touch(books[0])  # a new event keeps the place in line

    clock.advance(0.5)
    assert tracker.ready() == books


def test_a_failing_stat_keeps_the_file_pending(tmp_path: Path, clock: FakeClock) -> None:
    book = tmp_path / "laporan.xlsx"
    book.write_bytes(b"isi")
    share_down = False

    def stat(path: Path) -> os.stat_result:
        if share_down:
            raise OSError(errno.EIO, "Input/output error", str(path))
        return os.stat(path)

    tracker = FileStabilityTracker(quiet_seconds=0.5, stat=stat, monotonic=clock)
    tracker.touch(book)
    share_down = True
    clock.advance(1.0)

    assert tracker.ready() == []
    assert tracker.vanished() == []
    assert book in tracker
    share_down = False
    clock.advance(0.5)
    assert tracker.ready() == [book]
