"""A burst's original bytes archived by a few threads while the worker goes through the files.

Archiving is most of a file's waiting on the disk (a temp file, its fsync, a rename, the folder's
fsync), and a copy is named by its bytes alone: writing it early, or twice, changes nothing
(`watcher.record.archive`). So when several files are ready at once, the service hands their
bytes to `threads` threads first; the disk then serves their syncs together, instead of one
after another in the worker. The worker still archives each file at its turn, before anything
is recorded about it: it waits for that file's copy to be done and durable, and writes it itself
when no thread did (a failure, bytes that changed since, a file that was not in the burst), so
an archive error is raised in order, for the file it concerns, as before.

A file handled without archiving (parked, delivered after a lost history) may have its bytes in
the archive all the same: an original kept once more is never harmful.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Final

from watcher.record.archive import ArchivedFile, Guard, archive_bytes

log = logging.getLogger(__name__)

THREADS: Final = 4  # writers at once: the disk merges their syncs; more only queue behind them
Key = tuple[str, str]  # (SHA-256 of the bytes, archive suffix)


class ArchiveAhead:
    def __init__(self, archive_dir: Path, guard: Guard | None, threads: int = THREADS) -> None:
        self.archive_dir, self.guard = archive_dir, guard
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="kinerja-arsip")
        self._pending: dict[Key, Future[ArchivedFile]] = {}

    def submit(self, originals: list[tuple[bytes, str]]) -> None:
        """Start archiving `originals` (bytes, suffix); copies not asked for by the next burst
        are forgotten then (they are in the archive all the same)."""
        self._pending.clear()
        for data, suffix in originals:
            key = (hashlib.sha256(data).hexdigest(), suffix)
            if key not in self._pending:
                self._pending[key] = self._threads.submit(self._archive, data, suffix)

    def archive(self, data: bytes, digest: str, suffix: str) -> ArchivedFile:
        """`data` durably in the archive (`digest`: its SHA-256): the copy a thread wrote, or
        written now; `ArchiveError` or `RecordLostError` as `archive_bytes` raises them."""
        future = self._pending.pop((digest, suffix), None)
        if future is not None:
            with contextlib.suppress(Exception):  # written again below, and its error raised
                return future.result()
        return self._archive(data, suffix)

    def close(self) -> None:
        """Wait for the copies being written; nothing more is started."""
        self._pending.clear()
        self._threads.shutdown(wait=True, cancel_futures=True)

    def _archive(self, data: bytes, suffix: str) -> ArchivedFile:
        return archive_bytes(data, self.archive_dir, suffix=suffix, guard=self.guard)
