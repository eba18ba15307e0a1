"""The cost per file of a burst, from 10 to 10,000 files, quiet and while rescans and sweeps run.

Run from the repository root:

    python -m bench.burst_curve_bench [--sizes 10,100,1000,10000] [--naive-up-to 1000]

For each size, a fresh office is issued and the real service (`python -m watcher watch`) is
started; the burst's distinct valid workbooks are saved into 3_bahan as clerks' programs save
(a temp file renamed into place) as fast as possible, and the time from the first close to the
last arrival in 4_laporan is taken (`bench.watch_bench.burst`). The bench's office has five
divisions with one open quarter, so every file after the fifth is a newer version of its
division's document and moves the older one to versi_lama (the heavier case: two events and two
moves per file). Each size runs twice: quiet, and busy, with `[layanan] pindai_ulang = 1` and
`sapu_peringatan = 0.02` in kinerja.toml (a full rescan every second and a sweep every 1.2 s
during the burst). The CPU the service's process tree used (the service and its validation
processes, from /proc) over the burst's wall time says how many cores it kept busy.

Last, the disk's own sync latency, measured alone in the same run (a new 4 KiB file fsynced, as
a notice is; 4 KiB rewritten in place and fdatasynced, as a log commit into its reused -wal):
what the worker waits for per file, before the queueing behind the other writes of a burst.

The naive baseline, in the same run for sizes up to `--naive-up-to`: one loop that
`openpyxl.load_workbook`s and `shutil.move`s each file (no settle, archive, fsync or log). The
aims of issue 16 (1,000 files <= 3 s; the cost per file flat from 10 to 10,000) are printed with
PASS/MISS, never asserted.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.watch_bench import (
    CLK_TCK,
    ServiceProcess,
    burst,
    load,
    material,
    naive_baseline,
    percentile,
    saves,
    verdict,
)
from tests.support.office import issued_office

AIM_1000_S = 3.0
FLAT = 1.5  # "flat": the largest burst's cost per file within 1.5x of the cheapest size's
BUSY_CONFIG = "[layanan]\npindai_ulang = 1\nsapu_peringatan = 0.02\n"


def tree_cpu_seconds(root_pid: int) -> float:
    """utime + stime of `root_pid` and every live descendant (the validation processes)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    family, total = {root_pid}, 0.0
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    for pid in family:
        total += times.get(pid, 0.0)
    return total


def sync_latency(folder: Path, count: int = 200) -> tuple[list[float], list[float]]:
    """Seconds per durable write on this disk, as the worker waits for them: (a new 4 KiB file
    written and fsynced, as a notice; 4 KiB overwritten in place and fdatasynced, as a log
    commit into its reused -wal)."""
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(4096)
    created, rewritten = [], []
    overwrite = os.open(folder / "ditimpa", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.pwrite(overwrite, block, 0)
        os.fsync(overwrite)
        for number in range(count):
            started = time.perf_counter()
            fd = os.open(folder / f"baru-{number}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, block)
            os.fsync(fd)
            os.close(fd)
            created.append(time.perf_counter() - started)
            started = time.perf_counter()
            os.pwrite(overwrite, block, 0)
            os.fdatasync(overwrite)
            rewritten.append(time.perf_counter() - started)
    finally:
        os.close(overwrite)
    return created, rewritten


def one_burst(work: Path, size: int, busy: bool) -> tuple[float, float, float]:
    """(total s, p95 latency s, cores busy) for one burst of `size` in a fresh office."""
    tree, _ = issued_office(work / f"{'sibuk' if busy else 'tenang'}-{size}")
    if busy:
        (tree.root / "kinerja.toml").write_text(BUSY_CONFIG, encoding="utf-8")
    planned = saves(tree, material(tree), size, "kurva")
    service = ServiceProcess(tree, None)
    try:
        time.sleep(1.0)  # started: the first scan done
        cpu, start = tree_cpu_seconds(service.pid), time.monotonic()
        total, latencies = burst(planned)
        used, wall = tree_cpu_seconds(service.pid) - cpu, time.monotonic() - start
    finally:
        service.stop()
    return total, percentile(latencies, 0.95), used / wall


def main() -> None:
    parser = argparse.ArgumentParser(description="kinerja: cost per file of a burst")
    parser.add_argument("--sizes", default="10,100,1000,10000", help="burst sizes, comma-separated")
    parser.add_argument("--naive-up-to", type=int, default=1000, help="largest naive baseline")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"burst curve: {os.cpu_count()} CPUs; load average at start: {load()}")
    print(f"{'files':>6} {'mode':>6} {'total s':>8} {'ms/file':>8} {'p95 s':>6} {'cores':>5} "
          f"{'naive ms/file':>13} {'naive/kinerja':>13}")  # fmt: skip
    per_file: dict[tuple[int, bool], float] = {}
    with tempfile.TemporaryDirectory(prefix="kinerja-curve-") as temp:
        work = Path(temp)
        for size in sizes:
            naive = None
            if size <= args.naive_up_to:
                tree, _ = issued_office(work / f"naif-{size}")
                naive = naive_baseline(saves(tree, material(tree), size, "naif"), work / f"n{size}")
            for busy in (False, True):
                total, p95, cores = one_burst(work, size, busy)
                per_file[size, busy] = total / size * 1000
                naive_text = (f"{naive / size * 1000:13.1f} {naive / total:12.2f}x"
                              if naive is not None else f"{'-':>13} {'-':>13}")  # fmt: skip
                print(f"{size:>6} {'busy' if busy else 'quiet':>6} {total:8.2f} "
                      f"{per_file[size, busy]:8.2f} {p95:6.2f} {cores:5.2f} {naive_text}",
                      flush=True)  # fmt: skip
        created, rewritten = sync_latency(work / "sinkron")
    if 1000 in sizes:
        quiet = per_file[1000, False]  # ms per file x 1,000 files = that many seconds
        print(f"1,000 files: {quiet:.2f} s quiet  [aim <= {AIM_1000_S:g} s: "
              f"{verdict(quiet <= AIM_1000_S)}]")  # fmt: skip
    for busy in (False, True):
        costs = [per_file[size, busy] for size in sizes]
        ratio = costs[-1] / min(costs)
        print(f"cost per file {'busy' if busy else 'quiet'}: {sizes[-1]} files / cheapest size "
              f"= {ratio:.2f}x  [flat (<= {FLAT:g}x): {verdict(ratio <= FLAT)}]")  # fmt: skip
    new_file, in_place = (
        f"p50 {percentile(times, 0.5) * 1000:.2f} ms p95 {percentile(times, 0.95) * 1000:.2f} ms"
        for times in (created, rewritten)
    )
    print(f"this disk, {len(created)} syncs each: a new 4 KiB file fsynced {new_file}; 4 KiB "
          f"rewritten in place and fdatasynced {in_place} (the worker waits, per superseding "
          "file, for the log's commit and the older copy's notice; the rest syncs in threads "
          "or once per round)")  # fmt: skip
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
