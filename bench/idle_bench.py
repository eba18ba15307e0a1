"""Measure what the service costs while nothing happens: CPU time of the real service, idle.

Run from the repository root:

    python -m bench.idle_bench [--files 10000] [--seconds 40] [--warmup 10]

A freshly issued office whose division folders hold `--files` old versions (`versi_lama`, which
the service watches but never handles: the tree an office has after some years). Two modes, each
run as `python -m watcher watch --root ...` in a subprocess: (a) polling every 5 s (a network
share), (b) native events. Beside each, in the same run and at the same time, a naive baseline
in its own subprocess: watchdog's observer alone (PollingObserver every 5 s, or the native
Observer) on the same inbox with a handler that does nothing. With polling also kinerja's own
poller alone (`watcher.service.poller`), skipping nothing, so it stats all `--files` every 5 s
(the service's poller skips `versi_lama`): PASS or MISS against 1 % of a core, the aim for
polling 10,000 files. After `--warmup` seconds (the startup scan), the CPU time (utime + stime
from /proc/<pid>/stat) each process uses over `--seconds` is printed as a percentage of one core,
and the ratios to the baseline. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.office import issued_office
from watcher.service.tree import Tree
from watcher.sop.workflow import SUPERSEDED_FOLDER

POLLING = 5.0  # s, as an office on a network share is set up
REPO = Path(__file__).resolve().parents[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def old_versions(tree: Tree, count: int) -> None:
    """`count` small files spread over the divisions' versi_lama, 100 to a folder."""
    divisions = sorted(path for path in tree.inbox.iterdir() if path.is_dir())
    for number in range(count):
        folder = divisions[number % len(divisions)] / SUPERSEDED_FOLDER / f"{number // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Bahan_lama_{number:05d}.xlsx").write_bytes(b"versi lama")


def observer_alone(inbox: Path, polling: float | None) -> None:
    """The baseline: watchdog's observer on `inbox`, handler doing nothing, until killed."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    observer = PollingObserver(timeout=polling) if polling else Observer()
    observer.schedule(FileSystemEventHandler(), str(inbox), recursive=True)
    observer.start()
    observer.join()


def poller_alone(inbox: Path, polling: float) -> None:
    """kinerja's poller on `inbox`, skipping nothing, handler doing nothing, until killed."""
    from watchdog.events import FileSystemEventHandler

    from watcher.service.poller import Poller

    poller = Poller(polling, skip=lambda folder: False)
    poller.schedule(FileSystemEventHandler(), str(inbox), recursive=True)
    poller.start()
    poller.join()


def measure(tree: Tree, polling: float | None, seconds: float, warmup: float) -> tuple[float, ...]:
    """(service %, baseline %[, poller alone %]) of one core, all running over the same
    `seconds`."""
    mode = ["--polling", f"{polling:g}"] if polling else []
    alone = [sys.executable, "-m", "bench.idle_bench", *mode]
    commands = [[sys.executable, "-m", "watcher", "watch", "--root", str(tree.root), *mode],
                [*alone, "--observer-alone", str(tree.inbox)]]  # fmt: skip
    if polling:
        commands.append([*alone, "--poller-alone", str(tree.inbox)])
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen(command, cwd=REPO, **quiet) for command in commands]
    try:
        time.sleep(warmup)
        start = [cpu_seconds(process.pid) for process in processes]
        began = time.monotonic()
        time.sleep(seconds)
        pairs = zip(processes, start, strict=True)
        used = [cpu_seconds(process.pid) - before for process, before in pairs]
        wall = time.monotonic() - began
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    return tuple(100 * value / wall for value in used)


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "baseline 0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--observer-alone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--poller-alone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--polling", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.observer_alone:
        observer_alone(args.observer_alone, args.polling)
        return 0
    if args.poller_alone:
        poller_alone(args.poller_alone, args.polling)
        return 0
    with tempfile.TemporaryDirectory(prefix="kinerja-idle-") as temp:
        tree, _ = issued_office(Path(temp) / "kantor")
        old_versions(tree, args.files)
        print(f"idle service, {args.files} files in the inbox, {args.seconds:g} s measured "
              f"after {args.warmup:g} s (CPU % of one core):")  # fmt: skip
        for label, polling, aim in (("polling 5 s", POLLING, 1.0), ("native", None, 0.2)):
            service, baseline, *poller = measure(tree, polling, args.seconds, args.warmup)
            print(f"  {label:<12} service {service:5.2f} %  observer alone {baseline:5.2f} %  "
                  f"({ratio(service, baseline)}; aim <= {aim:g} %)")  # fmt: skip
            for alone in poller:
                verdict = "PASS" if alone <= aim else "MISS"
                print(f"  {'':<12} poller alone (all {args.files} files) {alone:5.2f} %  "
                      f"({ratio(alone, baseline)} of PollingObserver alone; {verdict}: "
                      f"aim <= {aim:g} %)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
