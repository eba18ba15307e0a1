"""Whatever happens to a tree between looks, the poller's events rebuild it, step by step."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
)

from watcher.service.poller import Look, changes, look

# A few names so that operations collide: overwrite, replace, swap, reuse a deleted name.
NAMES = ("a", "b", "d", "d/a", "d/e", "d/e/b")
PATHS = st.sampled_from(NAMES)
OPERATIONS = st.one_of(
    st.tuples(st.just("write"), PATHS, st.integers(1, 3)),  # create, or save over in place
    st.tuples(st.just("delete"), PATHS),
    st.tuples(st.just("rename"), PATHS, PATHS),  # a file or a folder, replacing what is there
    st.tuples(st.just("swap"), PATHS, PATHS),  # two names swapped through a third
    st.tuples(st.just("mkdir"), PATHS),
    st.tuples(st.just("link"), PATHS, PATHS),  # maybe dangling, maybe to a folder
    st.tuples(
        st.just("look"),
    ),
)


@dataclass
class Tree:
    """A real folder, and what the test did to it since the last look."""

    root: Path
    clock: int = 1_700_000_000 * 10**9  # ns: each save a second later (the kernel's mtime
    # clock ticks every few ms, too coarse for saves made microseconds apart)
    written: set[str] = field(default_factory=set)  # files saved since the last look

    def apply(self, operation: tuple) -> None:
        kind, *names = operation
        paths = [self.root / name for name in names if isinstance(name, str)]
        try:
            if kind == "write":
                self.write(paths[0], b"x" * operation[2])
            elif kind == "delete":
                shutil.rmtree(paths[0]) if is_folder(paths[0]) else paths[0].unlink()
            elif kind == "rename":
                self.rename(*names)
            elif kind == "swap":
                for source, target in ((names[0], "c"), (names[1], names[0]), ("c", names[1])):
                    self.rename(source, target)
            elif kind == "mkdir":
                paths[0].mkdir()
            elif kind == "link":
                paths[0].symlink_to(paths[1])
        except OSError:
            pass  # not possible in this state (no parent, a folder in the way ...): nothing done

    def write(self, path: Path, data: bytes) -> None:
        with path.open("r+b" if path.is_file() and not path.is_symlink() else "xb") as file:
            file.write(data)
            file.truncate()
        self.clock += 10**9
        os.utime(path, ns=(self.clock, self.clock))
        self.written.add(str(path))

    def rename(self, source: str, target: str) -> None:
        os.rename(self.root / source, self.root / target)
        prefix, old = str(self.root / source), set(self.written)
        self.written = {moved(path, prefix, str(self.root / target)) for path in old}

    def state(self) -> tuple[set[str], set[str]]:
        """(files, folders) under the root, links counted as files and never followed."""
        files, folders = set(), set()
        for directory, subfolders, names in os.walk(self.root):
            for name in subfolders + names:
                path = os.path.join(directory, name)
                (folders if is_folder(Path(path)) else files).add(path)
        return files, folders


def is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def moved(path: str, source: str, target: str) -> str:
    if path == source or path.startswith(source + os.sep):
        return target + path[len(source) :]
    return path


def rebuild(files: set[str], folders: set[str], events: list[FileSystemEvent]) -> set[str]:
    """Apply `events` in turn to (files, folders); the names they say were saved."""
    saved = set()
    for event in events:
        kind, source = type(event), event.src_path
        if kind in (FileDeletedEvent, FileMovedEvent):
            files.remove(source)
        if kind in (FileCreatedEvent, FileModifiedEvent):
            assert (source in files) == (kind is FileModifiedEvent), event
            files.add(source)
            saved.add(source)
        if kind is FileMovedEvent:
            assert event.dest_path not in files, event
            files.add(event.dest_path)
            saved.add(event.dest_path)
        if kind in (DirDeletedEvent, DirMovedEvent):
            folders.remove(source)
        if kind is DirCreatedEvent:
            folders.add(source)
        if kind is DirMovedEvent:
            folders.add(event.dest_path)
    return saved


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, max_size=40))
@example([("write", "a", 1), ("look",), ("rename", "a", "b"), ("write", "a", 1)])  # name reused
@example([("write", "a", 1), ("write", "b", 2), ("look",), ("swap", "a", "b")])  # a cycle
@example([("mkdir", "d"), ("write", "d/a", 1), ("look",), ("rename", "d", "b")])  # a folder
def test_the_events_of_every_look_rebuild_the_tree(operations: list[tuple]) -> None:
    with tempfile.TemporaryDirectory(prefix="kinerja-poller-") as temp:
        tree = Tree(Path(temp))
        last = look(temp, lambda path: False, Look())
        files, folders = set(), set()
        for operation in [*operations, ("look",)]:
            if operation[0] != "look":
                tree.apply(operation)
                continue
            new = look(temp, lambda path: False, last)
            saved = rebuild(files, folders, changes(last, new))
            last = new
            assert (files, folders) == tree.state()
            assert tree.written & files <= saved  # every save is told (created, moved or saved)
            tree.written.clear()
