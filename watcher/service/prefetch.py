"""A burst's workbooks validated on every core while the worker routes them one by one.

Validation (`validate_bytes`) is pure and most of a file's handling; the rest (archive, log,
move) stays in order in the worker. When several files are ready at once, the service hands
each one's bytes to a pool of processes first; the pipeline then asks for the answer by the
bytes' SHA-256, the expectation and the name, and validates itself whenever there is none: an
answer for other bytes, another expectation or another master is never used, and a worker that
failed only costs the time the worker thread then spends validating.

A small office never starts the pool: one file at a time is validated in the worker as before.
The processes start on the first burst (forkserver on Linux, spawn elsewhere: never a fork of a
process whose threads may hold a lock); until they answer, the worker thread does not wait for
them but validates itself. Then they wait, without using the processor, for the next burst.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Final

from watcher.masterdata.model import MasterData
from watcher.validation.findings import Result
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes

log = logging.getLogger(__name__)

MIN_BURST: Final = 4  # fewer files ready at once are validated in the worker thread
Key = tuple[str, Expectation, str]  # (SHA-256 of the bytes, expectation, printable name)

_master: MasterData | None = None  # in a pool process: the master it was started with


def _start(master: MasterData) -> None:
    global _master
    _master = master


def _validate(data: bytes, expect: Expectation, name: str) -> Result:
    assert _master is not None
    return validate_bytes(data, _master, expect, name=name)


class Prefetch:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._master: MasterData | None = None
        self._pending: dict[Key, Future[Result]] = {}
        self._started = False  # the pool has answered once: its processes are up

    def submit(self, master: MasterData, jobs: list[tuple[bytes, Expectation, str]]) -> None:
        """Start validating `jobs` (bytes, expectation, name); answers not asked for by the
        next burst are dropped then."""
        self._pending.clear()
        if len(jobs) < MIN_BURST or self.workers < 2:
            return
        pool = self._pool_for(master)
        try:
            for data, expect, name in jobs:
                key = (hashlib.sha256(data).hexdigest(), expect, name)
                self._pending[key] = pool.submit(_validate, data, expect, name)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            log.warning("Validasi paralel tidak tersedia (%s); diperiksa satu per satu.", exc)
            self.close()
            self.workers = 1  # not tried again while this service runs

    def result(self, master: MasterData, digest: str, expect: Expectation,
               name: str) -> Result | None:  # fmt: skip
        """The pool's answer for exactly these bytes, expectation, name and master, if any."""
        future = self._pending.pop((digest, expect, name), None)
        if future is None or master is not self._master:
            return None
        if not (self._started or future.done()):
            future.cancel()  # the processes are still starting: quicker to validate here
            return None
        self._started = True
        try:
            return future.result()
        except Exception as exc:  # the worker thread validates again and says what is wrong
            log.debug("validation in the pool failed for %s: %r", name, exc)
            return None

    def close(self) -> None:
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _pool_for(self, master: MasterData) -> ProcessPoolExecutor:
        if self._pool is not None and master is self._master:
            return self._pool
        self.close()  # the master changed: the processes hold the old one
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method or "spawn")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start,
                                         initargs=(master,))  # fmt: skip
        self._master, self._started = master, False
        return self._pool
