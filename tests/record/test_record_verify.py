"""`kinerja verify` finds a log rolled back, truncated, deleted or replaced, and changes nothing.

Each case is run as a clerk's administrator would run it, `python -m watcher verify --root`, in
a subprocess: exit code 1, an Indonesian sentence naming what happened, never a traceback. The
log is damaged as it happens in life: a `-wal` file lost after a crash, an older copy restored
while the service was down, `truncate`, `rm -r arsip`, another SQLite file moved over the log.
A property test cuts random logs at random and checks that verify speaks exactly when the
anchor is ahead of what remains.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.record.anchor import head_line
from watcher.record.store import Event, Outcome, Store
from watcher.record.verify import Tampering, verify_tree
from watcher.reports.xlsx import XlsxBook
from watcher.service.tree import Tree

STARTED = Event(outcome=Outcome.STARTED, message="Layanan mulai.")


def append(tree: Tree, count: int) -> None:
    with Store(tree.store_path) as store:
        for number in range(count):
            store.append(Event(outcome=Outcome.ERROR, message=f"kejadian {number}"))


def verify(tree: Tree) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watcher", "verify", "--root", str(tree.root)],
        capture_output=True, text=True, env=os.environ, check=False,
    )  # fmt: skip


def assert_found(tree: Tree, *phrases: str) -> str:
    """Verify exits 1 with every phrase in its report, and no traceback."""
    result = verify(tree)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CATATAN TIDAK UTUH" in result.stdout
    for phrase in phrases:
        assert phrase in result.stdout
    return result.stdout


def crash_image(tree: Tree, into: Path) -> Tree:
    """The files of `arsip/` as a power cut would leave them, while the store is open."""
    shutil.copytree(tree.archive, into / "arsip")
    return Tree(into)


def rows_and_counter_deleted(tree: Tree, keep: int) -> None:
    db = sqlite3.connect(tree.store_path)
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("DELETE FROM events WHERE id > ?", (keep,))
    db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'", (keep,))
    db.commit()
    db.close()


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    tree = Tree(tmp_path / "kantor")
    tree.outbox.mkdir(parents=True)
    append(tree, 5)
    return tree


# --- each way of losing history ----------------------------------------------------------------


def test_a_lost_wal_is_found(tree: Tree, tmp_path: Path) -> None:
    with Store(tree.store_path) as store:  # the service runs: three events only in the -wal
        for _ in range(3):
            store.append(STARTED)
        image = crash_image(tree, tmp_path / "sesudah_mati_listrik")
    Path(f"{image.store_path}-wal").unlink()  # lost (or deleted) while the service was down
    Path(f"{image.store_path}-shm").unlink()
    assert_found(image, "Riwayat log hilang: kejadian #6–#8 tidak ada lagi", "berkas -wal hilang")


def test_an_older_copy_restored_is_found(tree: Tree, tmp_path: Path) -> None:
    shutil.copy2(tree.store_path, tmp_path / "lama.sqlite3")
    append(tree, 2)
    shutil.copy2(tmp_path / "lama.sqlite3", tree.store_path)
    assert_found(tree, "kejadian #6–#7 tidak ada lagi", "log kini berakhir di #5")


def test_newest_rows_deleted_with_their_counter_are_found(tree: Tree) -> None:
    rows_and_counter_deleted(tree, 3)
    assert_found(tree, "kejadian #4–#5 tidak ada lagi")


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda path: os.truncate(path, path.stat().st_size // 2), "rusak atau terpotong"),
        (lambda path: path.unlink(), "tidak ada"),
        (lambda path: path.write_bytes(b""), "kosong"),
        (lambda path: path.write_bytes(b"PK\x03\x04 bukan log" * 64), "bukan basis data SQLite"),
    ],
    ids=["truncated", "deleted", "emptied", "overwritten"],
)
def test_a_log_truncated_deleted_or_overwritten_is_found(
    tree: Tree, damage: Callable[[Path], object], says: str
) -> None:
    damage(tree.store_path)
    assert_found(tree, f"Riwayat log hilang: log kejadian {tree.store_path} {says}", "5 kejadian")


def test_another_log_moved_over_the_path_is_found(tree: Tree) -> None:
    other = tree.root / "lain.sqlite3"
    with Store(other, keep_anchor=False) as stranger:
        for _ in range(7):
            stranger.append(STARTED)
    os.replace(other, tree.store_path)
    assert_found(tree, "Log kejadian DIGANTI atau ditulis ulang: baris #5 memiliki hash lain")


def test_a_deleted_archive_is_found_through_a_report(tree: Tree) -> None:
    with Store(tree.store_path) as store:
        head = store.head()
    book = XlsxBook(title="Laporan Kinerja Triwulan III 2026", keywords=head_line(head))
    with book.sheet("Ringkasan", [20]) as sheet:
        sheet.row(["isi"])
    (tree.quarterly_reports / "2026_TW3").mkdir(parents=True)
    (tree.quarterly_reports / "2026_TW3" / "laporan.xlsx").write_bytes(book.finish())
    shutil.rmtree(tree.archive)
    assert_found(tree, "log kejadian", "tidak ada", "laporan outbox/triwulan/2026_TW3/laporan.xlsx")


def test_a_tree_without_any_record_is_a_clear_error(tmp_path: Path) -> None:
    result = verify(Tree(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Log kejadian tidak ditemukan" in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


# --- verifying changes nothing ---------------------------------------------------------------


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_verify_leaves_a_live_wal_database_untouched(tree: Tree) -> None:
    with Store(tree.store_path) as store:  # the service is running: -wal and -shm exist
        store.append(STARTED)
        before = _state(tree.archive)
        assert {f"{tree.store_path.name}-wal", f"{tree.store_path.name}-shm"} <= set(before)
        result = verify(tree)
        assert result.returncode == 0, result.stdout + result.stderr
        assert _state(tree.archive) == before


def test_verify_creates_no_shm_beside_a_crashed_log(tree: Tree, tmp_path: Path) -> None:
    with Store(tree.store_path) as store:
        store.append(STARTED)
        image = crash_image(tree, tmp_path / "salinan")
    Path(f"{image.store_path}-shm").unlink()  # SQLite in mode=ro would create it again
    before = _state(image.archive)
    image.archive.chmod(0o555)  # read-only (root ignores that; the check does not rely on it)
    try:
        result = verify(image)
    finally:
        image.archive.chmod(0o755)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 kejadian" in result.stdout
    assert _state(image.archive) == before


# --- property: verify speaks exactly when the anchor is ahead of what remains ---------------

CUTS = ("none", "rows_and_counter", "wal_dropped", "truncated")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.integers(min_value=1, max_value=12),
    later=st.integers(min_value=0, max_value=8),
    cut=st.sampled_from(CUTS),
    keep=st.integers(min_value=0, max_value=20),
)
def test_verify_finds_every_cut_and_nothing_in_an_intact_log(
    first: int, later: int, cut: str, keep: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tree = Tree(Path(folder) / "kantor")
        append(tree, first)  # checkpointed: in the database file itself
        total = first + later
        with Store(tree.store_path) as store:  # `later` events only in the -wal
            for _ in range(later):
                store.append(STARTED)
            image = crash_image(tree, Path(folder) / "gambar")
        lost = _cut(image, cut, first=first, total=total, keep=keep)

        findings = verify_tree(image).findings
        if lost:
            assert findings, f"{cut}: {lost} events lost, nothing found"
            assert {f.kind for f in findings} & {Tampering.ROWS_LOST, Tampering.LOG_LOST}
        else:
            assert findings == (), [f.message for f in findings]


def _cut(image: Tree, cut: str, *, first: int, total: int, keep: int) -> int:
    """Apply `cut` to the crash image; how many events are lost."""
    if cut == "wal_dropped":
        Path(f"{image.store_path}-wal").unlink()
        Path(f"{image.store_path}-shm").unlink()
        return total - first
    if cut == "rows_and_counter":
        keep = min(keep, total)
        rows_and_counter_deleted(image, keep)
        return total - keep
    if cut == "truncated":
        with sqlite3.connect(image.store_path) as db:  # fold the -wal in first, then cut
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        os.truncate(image.store_path, image.store_path.stat().st_size // 2)
        return total
    return 0


def test_verify_while_the_service_appends_finds_nothing(tree: Tree) -> None:
    stop = threading.Event()

    def service() -> None:
        with Store(tree.store_path) as store:
            while not stop.is_set():
                store.append(STARTED)

    writer = threading.Thread(target=service)
    writer.start()
    try:
        results = [verify_tree(tree) for _ in range(15)]
    finally:
        stop.set()
        writer.join()
    assert [finding.message for result in results for finding in result.findings] == []
    assert results[-1].events > 5
