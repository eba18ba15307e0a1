"""The poller (polling mode, network shares): what changed in a real tree between two looks."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.service_run import wait_for
from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from watcher.service.events import Change, EventQueue
from watcher.service.poller import Look, Poller, changes, look

INTERVAL = 0.05  # s between looks


class Collecting(FileSystemEventHandler):
    """Keeps every event the poller dispatched."""

    def __init__(self) -> None:
        self.events: list[FileSystemEvent] = []
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        with self.lock:
            self.events.append(event)

    def seen(self, event: FileSystemEvent) -> bool:
        with self.lock:
            return event in self.events


@pytest.fixture
def root(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    (inbox / "DAFDUK").mkdir(parents=True)
    (inbox / "DAFDUK" / "Laporan.xlsx").write_bytes(b"versi 1")
    return inbox


@contextmanager
def polling(
    root: Path, handler: FileSystemEventHandler, skip: Callable[[Path], bool] = lambda path: False
) -> Iterator[Poller]:
    """A poller on `root`, running while the block runs; its thread is gone afterwards."""
    poller = Poller(INTERVAL, skip=skip)
    poller.schedule(handler, str(root), recursive=True)
    poller.start()
    try:
        yield poller
    finally:
        poller.stop()
        poller.join(timeout=10)
    assert not poller.thread.is_alive()


@pytest.fixture
def handler(root: Path) -> Iterator[Collecting]:
    collecting = Collecting()
    with polling(root, collecting):
        yield collecting


def later_save(path: Path, data: bytes) -> None:
    """Write `data` over `path` in place and date it a second later, as a save by a person.

    The kernel's clock for mtimes ticks every few ms: two writes in a test can share one.
    """
    before = path.stat().st_mtime_ns
    with path.open("r+b") as file:
        file.write(data)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_new_file_is_reported_created(root: Path, handler: Collecting) -> None:
    path = root / "DAFDUK" / "Baru.xlsx"
    path.write_bytes(b"baru")
    wait_for(lambda: handler.seen(FileCreatedEvent(str(path))), what="created")


def test_a_file_saved_over_in_place_with_the_same_size_is_reported_modified(
    root: Path, handler: Collecting
) -> None:
    path = root / "DAFDUK" / "Laporan.xlsx"
    later_save(path, b"versi 2")  # same size, same inode, the folder's mtime unchanged
    wait_for(lambda: handler.seen(FileModifiedEvent(str(path))), what="modified")


def test_a_deleted_file_is_reported_deleted(root: Path, handler: Collecting) -> None:
    path = root / "DAFDUK" / "Laporan.xlsx"
    path.unlink()
    wait_for(lambda: handler.seen(FileDeletedEvent(str(path))), what="deleted")


def test_a_renamed_file_is_reported_moved_only(root: Path, handler: Collecting) -> None:
    source = root / "DAFDUK" / "Laporan.xlsx"
    target = root / "DAFDUK" / "Laporan_TW3.xlsx"
    source.rename(target)
    wait_for(lambda: handler.seen(FileMovedEvent(str(source), str(target))), what="moved")
    assert handler.events == [FileMovedEvent(str(source), str(target))]


def test_a_renamed_folder_is_reported_moved_with_its_files(root: Path, handler: Collecting) -> None:
    source, target = root / "DAFDUK", root / "PIAK"
    source.rename(target)
    expected = [FileMovedEvent(str(source / "Laporan.xlsx"), str(target / "Laporan.xlsx")),
                DirMovedEvent(str(source), str(target))]  # fmt: skip
    wait_for(lambda: all(map(handler.seen, expected)), what="moved folder")
    assert handler.events == expected


def test_a_new_folder_and_everything_in_it_is_reported(root: Path, handler: Collecting) -> None:
    folder = root / "PIAK" / "Bahan"
    folder.mkdir(parents=True)
    for name in ("a.xlsx", "b.xlsx"):
        (folder / name).write_bytes(name.encode())
    expected = [DirCreatedEvent(str(root / "PIAK")), DirCreatedEvent(str(folder)),
                FileCreatedEvent(str(folder / "a.xlsx")),
                FileCreatedEvent(str(folder / "b.xlsx"))]  # fmt: skip
    wait_for(lambda: all(map(handler.seen, expected)), what="folder and files")


def test_links_are_reported_as_themselves_and_never_followed(
    root: Path, handler: Collecting, tmp_path: Path
) -> None:
    outside = tmp_path / "luar"
    outside.mkdir()
    (outside / "Rahasia.xlsx").write_bytes(b"x")
    folder_link = root / "DAFDUK" / "pintasan"
    folder_link.symlink_to(outside, target_is_directory=True)
    dangling = root / "DAFDUK" / "Hilang.xlsx"
    dangling.symlink_to(tmp_path / "tidak_ada.xlsx")
    expected = [FileCreatedEvent(str(folder_link)), FileCreatedEvent(str(dangling))]
    wait_for(lambda: all(map(handler.seen, expected)), what="links")
    (outside / "Rahasia.xlsx").write_bytes(b"lebih panjang")  # behind the link: not ours
    marker = root / "DAFDUK" / "Penanda.xlsx"
    marker.write_bytes(b"m")
    wait_for(lambda: handler.seen(FileCreatedEvent(str(marker))), what="marker")
    assert sorted(event.src_path for event in handler.events) == sorted(
        map(str, [folder_link, dangling, marker])
    )


def test_skipped_folders_are_never_walked(root: Path) -> None:
    collecting = Collecting()
    old = root / "DAFDUK" / "versi_lama"
    old.mkdir()
    with polling(root, collecting, skip=lambda path: path.name == "versi_lama"):
        (old / "Lama.xlsx").write_bytes(b"lama")
        marker = root / "DAFDUK" / "Penanda.xlsx"
        marker.write_bytes(b"m")
        wait_for(lambda: collecting.seen(FileCreatedEvent(str(marker))), what="marker")
    assert collecting.events == [FileCreatedEvent(str(marker))]


def test_a_folder_that_vanishes_while_walked_is_gone_and_the_walk_goes_on(root: Path) -> None:
    doomed = root / "DAFDUK" / "Bahan"
    doomed.mkdir()
    (doomed / "x.xlsx").write_bytes(b"x")
    last = look(str(root), lambda path: False, Look())

    def vanish(folder: Path) -> bool:  # asked when the folder is listed, before it is walked
        if folder == doomed:
            shutil.rmtree(doomed)
        return False

    new = look(str(root), vanish, last)
    assert sorted(new.files) == [str(root / "DAFDUK" / "Laporan.xlsx")]
    assert FileDeletedEvent(str(doomed / "x.xlsx")) in changes(last, new)


def test_the_events_reach_the_service_as_changes(root: Path) -> None:
    items: queue.Queue[Change] = queue.Queue()
    source, target = root / "DAFDUK" / "Laporan.xlsx", root / "PIAK" / "Laporan.xlsx"
    with polling(root, EventQueue(items, use_close=False)):
        (root / "PIAK").mkdir()
        source.rename(target)
        got = {items.get(timeout=10), items.get(timeout=10)}  # one look or two
    assert got == {Change("moved", target, source), Change("scan", root / "PIAK")}


def test_stop_ends_the_thread_without_waiting_for_the_interval(root: Path) -> None:
    poller = Poller(3600, skip=lambda path: False)
    poller.schedule(Collecting(), str(root), recursive=True)
    poller.start()
    poller.stop()
    poller.join(timeout=10)
    assert not poller.thread.is_alive()


def _reads_any_folder() -> bool:
    """True for root with its usual capabilities: a folder's mode does not stop it."""
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"kinerja-probe-{os.getpid()}"
    probe.mkdir(mode=0)
    try:
        os.listdir(probe)
    except PermissionError:
        return False
    else:
        return True
    finally:
        probe.rmdir()


def test_an_unreadable_folder_is_skipped_and_keeps_its_files(root: Path) -> None:
    """As root the test runs again in a child without the right to read any folder."""
    if _reads_any_folder():
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root reads every folder and setpriv (util-linux) is not installed")
        name = test_an_unreadable_folder_is_skipped_and_keeps_its_files.__name__
        test = f"{Path(__file__).resolve()}::{name}"
        child = subprocess.run(
            [setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable,
             "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", test],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert child.returncode == 0, child.stdout + child.stderr
        return
    collecting = Collecting()
    folder = root / "DAFDUK"
    with polling(root, collecting):
        folder.chmod(0)
        try:
            marker = root / "Penanda.xlsx"
            marker.write_bytes(b"m")
            wait_for(lambda: collecting.seen(FileCreatedEvent(str(marker))), what="marker")
        finally:
            folder.chmod(0o755)
        later_save(folder / "Laporan.xlsx", b"versi 2")
        modified = FileModifiedEvent(str(folder / "Laporan.xlsx"))
        wait_for(lambda: collecting.seen(modified), what="modified once readable")
    assert collecting.events == [FileCreatedEvent(str(marker)), modified]


def test_a_root_that_is_a_link_to_the_share_is_walked(root: Path, tmp_path: Path) -> None:
    """An inbox set up as a link to the mounted share (as an IT person may do) is followed at
    the root, like the native observer follows it; links below it still are not."""
    linked = tmp_path / "inbox_tautan"
    linked.symlink_to(root, target_is_directory=True)
    assert look(str(linked), lambda path: False, Look()).files.keys() == {
        str(linked / "DAFDUK" / "Laporan.xlsx")
    }
    handler = Collecting()
    with polling(linked, handler):
        (root / "DAFDUK" / "Baru.xlsx").write_bytes(b"baru")
        wait_for(lambda: handler.seen(FileCreatedEvent(str(linked / "DAFDUK" / "Baru.xlsx"))),
                 what="a file saved behind the root link")  # fmt: skip
