"""A burst's workbooks validated on every core while the worker routes them one by one.

Validation (`validate_bytes`) is pure and most of a file's handling; the rest (archive, log,
move) stays in order in the worker. When several files are ready at once, the service hands
each one's bytes to a pool of processes first; the pipeline then asks for the answer by the
bytes' SHA-256, the expectation and the name, and validates itself whenever there is none: an
answer for other bytes, another expectation or another master is never used, and a worker that
failed only costs the time the worker thread then spends validating.

A small office never starts the pool: one file at a time is validated in the worker as before.
The processes start in the background on the first burst (forkserver on Linux, spawn elsewhere:
never a fork of a process whose threads may hold a lock); until they are up, the worker thread
validates every file itself and never waits for them. Then they wait, without using the
processor, for the next burst.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
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
        self._up = threading.Event()  # the pool's processes have answered once
        self._pending: dict[Key, Future[Result]] = {}

    def submit(self, master: MasterData, jobs: list[tuple[bytes, Expectation, str]]) -> None:
        """Start validating `jobs` (bytes, expectation, name); answers not asked for by the
        next burst are dropped then. While the pool starts, nothing is submitted."""
        self._pending.clear()
        if len(jobs) < MIN_BURST or self.workers < 2:
            return
        pool = self._pool_for(master)
        if pool is None or not self._up.is_set():
            return
        try:
            for data, expect, name in jobs:
                key = (hashlib.sha256(data).hexdigest(), expect, name)
                self._pending[key] = pool.submit(_validate, data, expect, name)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self._give_up(exc)

    def result(self, master: MasterData, digest: str, expect: Expectation,
               name: str) -> Result | None:  # fmt: skip
        """The pool's answer for exactly these bytes, expectation, name and master, if any."""
        future = self._pending.pop((digest, expect, name), None)
        if future is None or master is not self._master:
            return None
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
        self._up.clear()

    def _pool_for(self, master: MasterData) -> ProcessPoolExecutor | None:
        if self._pool is not None and master is self._master:
            return self._pool
        self.close()  # the master changed: the processes hold the old one
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method or "spawn")
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start,
                                   initargs=(master,))  # fmt: skip
        self._pool, self._master = pool, master
        threading.Thread(target=self._start_processes, args=(pool,), name="kinerja-validasi",
                         daemon=True).start()  # fmt: skip
        return pool

    def _start_processes(self, pool: ProcessPoolExecutor) -> None:
        """Start every process and wait until each has answered (in this thread: starting
        them takes a second the worker thread must not wait)."""
        try:
            for started in [pool.submit(os.getpid) for _ in range(self.workers)]:
                started.result()
        except CancelledError:
            return  # closed while starting
        except Exception as exc:
            self._give_up(exc)
            return
        if pool is self._pool:
            self._up.set()

    def _give_up(self, exc: BaseException) -> None:
        log.warning("Validasi paralel tidak tersedia (%s); diperiksa satu per satu.", exc)
        self.workers = 1  # not tried again while this service runs
        self._pending.clear()
        self._up.clear()
