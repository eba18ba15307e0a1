"""A burst's originals archived ahead by threads: each copy is whole and durable when the worker
asks for it, bytes nobody submitted are archived at their turn, and a failure in a thread is
raised to the worker for the file it concerns, never swallowed."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.errors import RecordLostError
from watcher.record.archive import ArchiveCorruptError, archived_path
from watcher.record.guard import RecordGuard
from watcher.record.store import Store
from watcher.service.archive_ahead import ArchiveAhead
from watcher.service.tree import Tree


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    tree = Tree(tmp_path / "kantor")
    tree.archive_files.mkdir(parents=True)
    return tree


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    originals=st.lists(st.tuples(st.binary(max_size=3000), st.sampled_from([".xlsx", ".bin"]))),
    asked=st.data(),
)
def test_every_original_asked_for_is_archived_whole(
    tree: Tree, originals: list[tuple[bytes, str]], asked: st.DataObject
) -> None:
    ahead = ArchiveAhead(tree.archive_files, guard=None, threads=3)
    try:
        ahead.submit(originals)
        # the worker asks for some in its own order, and for bytes that were never submitted
        extra = asked.draw(st.lists(st.binary(max_size=500), max_size=3))
        for data, suffix in [*reversed(originals), *((data, ".xlsx") for data in extra)]:
            copy = ahead.archive(data, digest(data), suffix)
            assert copy.path == archived_path(tree.archive_files, digest(data), suffix)
            assert copy.path.read_bytes() == data
            assert copy.size == len(data)
    finally:
        ahead.close()
    assert not [p for p in tree.archive_files.rglob("*") if p.name.startswith(".kinerja-")]


def test_an_archive_deleted_under_the_service_stops_the_worker_at_that_file(tree: Tree) -> None:
    with Store(tree.store_path) as store, RecordGuard(tree, store=store) as guard:
        ahead = ArchiveAhead(tree.archive_files, guard)
        try:
            shutil.rmtree(tree.archive_files)
            tree.archive_files.mkdir()  # a new, empty folder in its place
            ahead.submit([(b"buku kerja", ".xlsx")])
            with pytest.raises(RecordLostError):
                ahead.archive(b"buku kerja", digest(b"buku kerja"), ".xlsx")
        finally:
            ahead.close()
    assert list(tree.archive_files.iterdir()) == []  # nothing written into the new folder


def test_a_corrupt_copy_is_reported_for_the_file_and_never_replaced(tree: Tree) -> None:
    data = b"buku kerja"
    target = archived_path(tree.archive_files, digest(data), ".xlsx")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"rusak")
    ahead = ArchiveAhead(tree.archive_files, guard=None)
    try:
        ahead.submit([(data, ".xlsx")])
        with pytest.raises(ArchiveCorruptError):
            ahead.archive(data, digest(data), ".xlsx")
    finally:
        ahead.close()
    assert target.read_bytes() == b"rusak"
    assert os.listdir(target.parent) == [target.name]
