"""The anchor file `arsip/kepala_log.json`: two checksummed slots, the newest valid one counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.record.anchor import AnchorUnreadable, anchor_path, read_anchor
from watcher.record.store import Event, Outcome, Store

STARTED = Event(outcome=Outcome.STARTED, message="Layanan mulai.")


def appended(path: Path, count: int) -> list[Event]:
    with Store(path) as store:
        return [store.append(STARTED) for _ in range(count)]


def test_the_anchor_follows_every_append(tmp_path: Path) -> None:
    events = appended(tmp_path / "log.sqlite3", 4)
    head = read_anchor(anchor_path(tmp_path))
    assert (head.id, head.row_hash, head.events) == (4, events[-1].row_hash, 4)
    assert head.at_utc == events[-1].at_utc.isoformat()


def test_a_torn_newest_slot_leaves_the_head_before_it(tmp_path: Path) -> None:
    events = appended(tmp_path / "log.sqlite3", 5)
    path = anchor_path(tmp_path)
    lines = path.read_bytes().split(b"\n")
    newest = next(i for i, line in enumerate(lines) if b'"kejadian_terakhir":5' in line)
    lines[newest] = lines[newest][:40] + b"\0" * (len(lines[newest]) - 40)  # cut by a power cut
    path.write_bytes(b"\n".join(lines))
    head = read_anchor(path)
    assert (head.id, head.row_hash) == (4, events[3].row_hash)


@pytest.mark.parametrize(
    "content", [b"", b"{}", b"# hanya komentar\n"], ids=["empty", "json", "comment"]
)
def test_an_anchor_without_a_valid_head_is_unreadable(tmp_path: Path, content: bytes) -> None:
    anchor_path(tmp_path).write_bytes(content)
    with pytest.raises(AnchorUnreadable):
        read_anchor(anchor_path(tmp_path))
    assert read_anchor(tmp_path / "tidak_ada.json") is None


def test_an_anchor_deleted_under_a_running_store_is_laid_out_again(tmp_path: Path) -> None:
    with Store(tmp_path / "log.sqlite3") as store:
        store.append(STARTED)
        anchor_path(tmp_path).unlink()
        last = store.append(STARTED)
    head = read_anchor(anchor_path(tmp_path))
    assert (head.id, head.row_hash) == (2, last.row_hash)


def test_a_new_store_does_not_let_an_older_higher_head_linger(tmp_path: Path) -> None:
    """After a rollback the first append overwrites both slots, so #10 is gone at once."""
    path = tmp_path / "log.sqlite3"
    appended(path, 3)
    old = path.read_bytes()
    appended(path, 7)  # the anchor holds #9 and #10
    path.write_bytes(old)  # the log rolled back to #3
    [event] = appended(path, 1)
    assert read_anchor(anchor_path(tmp_path)).id == event.id == 4


def test_the_count_stays_right_when_two_stores_append(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    appended(path, 2)
    with Store(path) as one, Store(path) as two:  # the service and a command, say
        for store in (one, two, two, one, one, two):
            store.append(STARTED)
            head = read_anchor(anchor_path(tmp_path))
            assert head.events == head.id
    assert head.events == 8
