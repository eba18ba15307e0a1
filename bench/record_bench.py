"""What the record's self-defence costs: the guard's per-tick check, and the anchor per append.

Run from the repository root:

    python -m bench.record_bench [--checks 20000] [--appends 300] [--rounds 3] [--dir DIR]

- check: `RecordGuard.check()` (stat of `arsip/`, `arsip/berkas/`, the log, its `-wal` and the
  lock file) against a naive baseline that makes sure the log is still there by opening it
  again with SQLite and reading its head, as a loop tick might; microseconds per call, ratio.
- append: events appended per second by `Store.append` (one transaction, `synchronous=FULL`)
  without the anchor file, with it (the slot written in place and fdatasynced, as the store
  does), and with the first design: the whole file rewritten as a temp file, fsynced and
  renamed (`watcher.record.durable.write_text_atomic`) after each append; ratios to "without". All
run
  on a real disk under `--dir` (default: the current folder), since fsync is free on tmpfs.

Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from watcher.record.durable import write_text_atomic
from watcher.record.guard import RecordGuard
from watcher.record.store import Event, Outcome, Store
from watcher.service.lock import ServiceLock
from watcher.service.tree import Tree


def per_call(action: Callable[[], object], count: int) -> float:
    """Seconds per call of `action`, best of three runs of `count` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            action()
        best = min(best, (time.perf_counter() - start) / count)
    return best


def naive_check(path: Path) -> Callable[[], object]:
    def check() -> object:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT id, row_hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()

    return check


def bench_check(root: Path, checks: int) -> None:
    tree = Tree(root / "kantor_cek")
    with ServiceLock(tree.lock_path) as lock, Store(tree.store_path) as store:
        store.append(Event(outcome=Outcome.STARTED, message="bench"))
        with RecordGuard(tree, store=store, lock=lock) as guard:
            guarded = per_call(guard.check, checks)
        naive = per_call(naive_check(tree.store_path), max(1, checks // 10))
    print(f"check   RecordGuard.check(): {guarded * 1e6:8.2f} us/call")
    print(f"        naive (sqlite open + head): {naive * 1e6:8.2f} us/call")
    print(f"        ratio naive / guard: {naive / guarded:6.1f}x")


def appends_per_second(path: Path, appends: int, *, keep_anchor: bool, rename: bool) -> float:
    with Store(path, keep_anchor=keep_anchor) as store:
        store.append(Event(outcome=Outcome.STARTED, message="warm-up"))
        start = time.perf_counter()
        for number in range(appends):
            event = store.append(Event(outcome=Outcome.ERROR, message=f"bench {number}"))
            if rename:  # the rejected design: a new file per head, renamed over the old one
                head = {"id": event.id, "hash": event.row_hash, "at": str(event.at_utc)}
                write_text_atomic(path.with_name("kepala_log_rename.json"), json.dumps(head))
        return appends / (time.perf_counter() - start)


def bench_append(root: Path, appends: int, rounds: int) -> None:
    runs = {
        "without anchor": {"keep_anchor": False, "rename": False},
        "anchor slot (store)": {"keep_anchor": True, "rename": False},
        "temp+fsync+rename": {"keep_anchor": False, "rename": True},
    }
    rates = dict.fromkeys(runs, 0.0)
    for round_number in range(rounds):  # interleaved, best of each: the disk is shared
        for number, (name, options) in enumerate(runs.items()):
            path = root / f"{round_number}-{number}" / "log.sqlite3"
            rates[name] = max(rates[name], appends_per_second(path, appends, **options))
    base = rates["without anchor"]
    for name, rate in rates.items():
        print(f"append  {name:20}: {rate:8.1f} appends/s  ratio {rate / base:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="record-bench-", dir=args.dir) as folder:
        bench_check(Path(folder), args.checks)
        bench_append(Path(folder), args.appends, args.rounds)


if __name__ == "__main__":
    main()
