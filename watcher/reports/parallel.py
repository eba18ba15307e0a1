"""Run one function over many items on every core, when there are enough items to pay for it.

A report of a large office reads a thousand archived workbooks, each on its own (checked against
its SHA-256, measured, read, validated); that work is CPU-bound Python, so threads would not
help. Below `POOL_FROM` items, or on a single core, the items run here in order: a small office
must not pay for starting processes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

POOL_FROM = 64  # items; fewer run in this process (a worker starts in ~0.1 s, one item ~10 ms)
CHUNK = 16  # items sent to a worker at a time: few messages, yet even shares at the end


class _Job(Generic[C, T, R]):
    """What each worker holds from its start: the function and the context shared by all items."""

    def __init__(self, work: Callable[[C, T], R], context: C) -> None:
        self.work, self.context = work, context


_job: _Job[Any, Any, Any] | None = None  # the job of this worker process


def _start(job: _Job[Any, Any, Any]) -> None:
    global _job
    _job = job


def _run(item: Any) -> Any:
    assert _job is not None, "worker started without its job"
    return _job.work(_job.context, item)


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def ordered_map(
    work: Callable[[C, T], R],
    context: C,
    items: Sequence[T],
) -> Iterator[R]:
    """`work(context, item)` for each item, yielded in the items' order.

    With at least `POOL_FROM` items and more than one core the items run in worker processes
    (`work` must be a module-level function; the context is handed to each worker once). An
    exception raised by `work` propagates from the item it was raised for, as in a serial loop.
    """
    workers = min(cores(), len(items) // CHUNK or 1)
    if len(items) < POOL_FROM or workers < 2:
        yield from (work(context, item) for item in items)
        return
    method = start_method(multiprocessing.get_all_start_methods(), threading.active_count())
    with ProcessPoolExecutor(workers, multiprocessing.get_context(method), initializer=_start,
                             initargs=(_Job(work, context),)) as pool:  # fmt: skip
        yield from pool.map(_run, items, chunksize=CHUNK)


def start_method(available: Sequence[str], threads: int) -> str:
    """fork where it is safe (POSIX, and no other thread whose held locks a child would inherit,
    such as the service's watch loop): the workers share the parent's memory and start at once.
    Else spawn, which starts a fresh interpreter and pickles the job."""
    return "fork" if "fork" in available and threads == 1 else "spawn"
