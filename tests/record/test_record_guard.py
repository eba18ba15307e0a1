"""The record defends itself while the service runs, and is checked before it starts.

A person deletes `arsip/` in Explorer, deletes the log's `-wal` file, or moves another SQLite
file over the log, while the store, the lock and the guard are open as in the running service:
the next write raises `RecordLostError` naming what vanished, and nothing is written into a
ghost. Before a start, `check_at_start` compares the anchor with the log: a fresh tree, a normal
restart, an old tree without an anchor and a whole restored `arsip/` are quiet; a log restored
alone, a lost `-wal` after a crash, and a deleted log are described.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from watcher.errors import RecordLostError
from watcher.record.anchor import anchor_path, read_anchor
from watcher.record.archive import archive_bytes
from watcher.record.guard import LOST_PREFIX, RecordGuard, check_at_start, lost_event
from watcher.record.store import Event, Outcome, Store
from watcher.service.lock import ServiceLock
from watcher.service.tree import Tree

STARTED = Event(outcome=Outcome.STARTED, message="Layanan mulai.")


def append(tree: Tree, count: int) -> None:
    with Store(tree.store_path) as store:
        for _ in range(count):
            store.append(STARTED)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    tree = Tree(tmp_path / "kantor")
    tree.outbox.mkdir(parents=True)
    return tree


@pytest.fixture
def running(tree: Tree) -> Iterator[tuple[ServiceLock, Store, RecordGuard]]:
    """The lock, the store and the guard, opened as the service opens them."""
    with (
        ServiceLock(tree.lock_path) as lock,
        Store(tree.store_path) as store,
        RecordGuard(tree, store=store, lock=lock) as guard,
    ):
        store.append(STARTED)
        archive_bytes(b"buku kerja", tree.archive_files, guard=guard)
        yield lock, store, guard


# --- while the service runs --------------------------------------------------------------------


def test_an_intact_record_passes_every_check(tree: Tree, running: tuple) -> None:
    lock, store, guard = running
    for number in range(50):
        store.append(Event(outcome=Outcome.ERROR, message=f"kejadian {number}"))
    archive_bytes(b"versi kedua", tree.archive_files, guard=guard)
    # Another process reads the log and goes away: SQLite keeps the -wal file as it was.
    subprocess.run([sys.executable, "-m", "watcher", "verify", "--root", str(tree.root)],
                   check=True, capture_output=True)  # fmt: skip
    with Store(tree.store_path) as reader:  # and a second store in this process
        assert len(reader.events()) == 51
    guard.check()
    lock.check()
    store.append(STARTED)
    assert guard.problems() == []


def test_deleting_the_archive_stops_every_write(tree: Tree, running: tuple) -> None:
    _, store, guard = running
    shutil.rmtree(tree.archive)

    with pytest.raises(RecordLostError) as raised:
        guard.check()
    message = raised.value.message
    for what in ("folder arsip", "folder salinan berkas asli", "log kejadian", "kunci layanan"):
        assert f"{what} " in message
    assert "DIHAPUS" in message and "layanan kedua" in message
    with pytest.raises(RecordLostError, match=r"log kejadian .* telah DIHAPUS"):
        store.append(STARTED)
    with pytest.raises(RecordLostError, match=r"folder arsip .* telah DIHAPUS"):
        archive_bytes(b"versi baru", tree.archive_files, guard=guard)
    assert not tree.archive.exists()  # no ghost archive, log or anchor was created


def test_a_second_service_could_start_so_the_first_one_knows(tree: Tree, running: tuple) -> None:
    lock, _, guard = running
    tree.lock_path.unlink()
    with ServiceLock(tree.lock_path):  # the lock of a new file is free
        with pytest.raises(RecordLostError, match=r"kunci layanan .* DIGANTI"):
            lock.check()
        assert any("layanan kedua" in problem for problem in guard.problems())


def test_deleting_the_wal_file_is_noticed(tree: Tree, running: tuple) -> None:
    _, store, guard = running
    wal = Path(f"{tree.store_path}-wal")
    wal.unlink()
    with pytest.raises(RecordLostError, match=r"berkas -wal log kejadian .* telah DIHAPUS"):
        store.append(STARTED)
    with pytest.raises(RecordLostError, match="-wal"):
        guard.check()


def test_another_log_moved_over_the_path_is_noticed(tree: Tree, running: tuple) -> None:
    _, store, _ = running
    other = tree.root / "lain.sqlite3"
    with Store(other, keep_anchor=False) as stranger:
        stranger.append(STARTED)
    os.replace(other, tree.store_path)
    with pytest.raises(RecordLostError, match=r"log kejadian .* DIGANTI dengan berkas lain"):
        store.append(STARTED)
    with Store(tree.store_path, keep_anchor=False) as replaced:
        assert len(replaced.events()) == 1  # nothing was appended to the stranger


# --- before the service starts -----------------------------------------------------------------


def test_a_fresh_tree_is_quiet_and_checking_creates_nothing(tree: Tree) -> None:
    assert check_at_start(tree) == []
    assert not tree.archive.exists()


def test_a_normal_restart_is_quiet(tree: Tree) -> None:
    append(tree, 3)
    append(tree, 2)
    assert check_at_start(tree) == []
    assert read_anchor(anchor_path(tree.archive)).id == 5


def test_an_old_tree_without_an_anchor_is_quiet_until_the_first_append(tree: Tree) -> None:
    with Store(tree.store_path, keep_anchor=False) as store:
        store.append(STARTED)
    assert check_at_start(tree) == []
    append(tree, 1)
    assert read_anchor(anchor_path(tree.archive)).events == 2


def test_a_whole_archive_restored_from_a_backup_is_quiet(tree: Tree, tmp_path: Path) -> None:
    append(tree, 3)
    shutil.copytree(tree.archive, tmp_path / "cadangan")
    append(tree, 2)
    shutil.rmtree(tree.archive)
    shutil.copytree(tmp_path / "cadangan", tree.archive)
    assert check_at_start(tree) == []  # the backup carries its own anchor


def test_the_log_alone_restored_from_a_backup_is_described(tree: Tree, tmp_path: Path) -> None:
    append(tree, 3)
    shutil.copy2(tree.store_path, tmp_path / "log_lama.sqlite3")
    append(tree, 2)
    shutil.copy2(tmp_path / "log_lama.sqlite3", tree.store_path)

    [description] = check_at_start(tree)
    assert description.startswith(f"{LOST_PREFIX}: kejadian #4–#5 tidak ada lagi")
    assert "log kini berakhir di #3" in description

    # The service records it once; the anchor follows the log from then on.
    with Store(tree.store_path) as store:
        recorded = store.append(lost_event(description))
    assert recorded.id == 4 and recorded.outcome is Outcome.ERROR
    assert check_at_start(tree) == []


def test_a_lost_wal_after_a_crash_is_described(tree: Tree) -> None:
    append(tree, 2)  # checkpointed into the database when the store closed
    crash = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from watcher.record.store import Event, Outcome, Store
        store = Store(Path({str(tree.store_path)!r}))
        for _ in range(3):
            store.append(Event(outcome=Outcome.STARTED))
        os._exit(0)  # killed: the three events live only in the -wal file
    """)
    subprocess.run([sys.executable, "-c", crash], check=True, env=os.environ)
    Path(f"{tree.store_path}-wal").unlink()
    Path(f"{tree.store_path}-shm").unlink()

    [description] = check_at_start(tree)
    assert f"{LOST_PREFIX}: kejadian #3–#5 tidak ada lagi" in description
    assert "-wal" in description


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda path: path.unlink(), "tidak ada"),
        (lambda path: path.write_bytes(b""), "kosong"),
        (lambda path: path.write_bytes(b"bukan basis data " * 100), "bukan basis data SQLite"),
        (lambda path: os.truncate(path, path.stat().st_size // 2), "rusak atau terpotong"),
    ],
    ids=["deleted", "emptied", "overwritten", "truncated"],
)
def test_a_log_gone_while_the_anchor_remembers_is_described(
    tree: Tree, damage: object, says: str
) -> None:
    append(tree, 30)
    damage(tree.store_path)  # type: ignore[operator]
    [description] = check_at_start(tree)
    assert description.startswith(f"{LOST_PREFIX}: log kejadian")
    assert says in description and "30 kejadian" in description
