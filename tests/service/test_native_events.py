"""The native observer, filtered as the service schedules it: every change a file or folder goes
through reaches the worker, and reading a file or listing a folder sends nothing (in a burst the
service's own reads came by the thousand through watchdog's thread)."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

from watcher.service.events import HANDLED_EVENTS, NATIVE_CLOSE_EVENTS, Change, EventQueue

pytestmark = pytest.mark.skipif(not NATIVE_CLOSE_EVENTS, reason="inotify only (Linux)")


class Recording(EventQueue):
    """The service's handler, also keeping the kind of every event the observer hands it."""

    def __init__(self, items: queue.Queue[Change]) -> None:
        super().__init__(items, use_close=True)
        self.kinds: list[str] = []

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.kinds.append(event.event_type)
        super().on_any_event(event)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Path, queue.Queue[Change], Recording]]:
    items: queue.Queue[Change] = queue.Queue()
    handler = Recording(items)
    observer = Observer()
    observer.schedule(handler, str(tmp_path), recursive=True, event_filter=HANDLED_EVENTS)
    observer.start()
    try:
        yield tmp_path, items, handler
    finally:
        observer.stop()
        observer.join(timeout=10)


def changes_until(items: queue.Queue[Change], marker: Path) -> list[tuple[str, str]]:
    """(kind, name) of every change up to the one about `marker` (a file written last)."""
    seen: list[tuple[str, str]] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            change = items.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append((change.kind, change.path.name))
        if change.path == marker and change.kind == "closed":
            return seen
    raise AssertionError(f"no close of {marker.name} within 10 s: {seen}")


def test_reads_and_listings_send_nothing(watched: tuple[Path, queue.Queue[Change], Recording],
                                         ) -> None:  # fmt: skip
    root, items, handler = watched
    book = root / "Bahan.xlsx"
    book.write_bytes(b"isi")
    changes_until(items, book)
    before = len(handler.kinds)
    for _ in range(50):
        book.read_bytes()
        os.listdir(root)
        with os.scandir(root) as entries:
            list(entries)
    marker = root / "penanda.txt"
    marker.write_bytes(b"x")
    assert [c for c in changes_until(items, marker) if c[1] != marker.name] == []
    # not even handed to the handler: the observer's mask leaves them out
    assert set(handler.kinds[before:]) <= {"created", "modified", "closed"}, handler.kinds[before:]


def test_every_change_a_clerk_makes_arrives(
    watched: tuple[Path, queue.Queue[Change], Recording],
) -> None:
    root, items, _ = watched
    temp, book = root / "~tmp.partial", root / "Bahan.xlsx"
    temp.write_bytes(b"versi 1")
    temp.replace(book)  # saved as Excel does
    with book.open("r+b") as handle:  # saved over in place
        handle.write(b"versi 2")
    (root / "3_bahan").mkdir()  # a new folder: the worker is told to look inside it
    first = root / "penanda-1.txt"
    first.write_bytes(b"x")
    seen = changes_until(items, first)
    assert ("moved", "Bahan.xlsx") in seen
    assert seen.index(("written", "Bahan.xlsx")) < seen.index(("closed", "Bahan.xlsx"))
    assert ("scan", "3_bahan") in seen
    # once the new folder is watched (a file moved in within microseconds of its creation is
    # found by that look instead), a move into it and a deletion there
    book.rename(root / "3_bahan" / book.name)
    (root / "3_bahan" / book.name).unlink()
    second = root / "penanda-2.txt"
    second.write_bytes(b"x")
    seen = changes_until(items, second)
    assert ("moved", "Bahan.xlsx") in seen
    assert ("gone", "Bahan.xlsx") in seen
