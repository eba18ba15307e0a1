"""Measure how long a closed save takes to reach the next person: 3_bahan -> 4_laporan.

Run from the repository root:

    python bench/save_to_next_folder_bench.py [--saves 30] [--quiet 0.5]

A freshly issued office; the real service (`watcher.service.watch.Service`, in this process, as
`tests.support.service_run.running_service` starts it, with the office's default quiet period
unless `--quiet` is given). `--saves` valid material workbooks are saved one at a time into one
division's 3_bahan (a temp file renamed into place, as Excel does: the close), each once the one
before has arrived in 4_laporan. They are versions of the same document, so every arrival also
moves the version before it into versi_lama (issue 13), as in the office. The first save warms
the service up and is not counted.

Printed: p50 and p95 from the close to the arrival, against two naive baselines measured in the
same run on the same files: the quiet period alone (the least a settling watcher can take), and
the quiet period plus a plain `openpyxl.load_workbook` and `shutil.move` (no archive, fsync, log,
validation or versions). Ratios, not absolute times, are what to compare between machines.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.office import issued_office
from tests.support.service_run import fill, running_service, wait_for
from tests.support.sop010 import Folder
from watcher.service.tree import Tree
from watcher.service.watch import ServiceOptions

CODE = "DAFDUK"
TIMEOUT = 20.0  # s for one save to arrive


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def with_comment(data: bytes, tag: str) -> bytes:
    """The workbook with a zip comment of its own: each save is a new version (its own hash)."""
    assert data[-22:-18] == b"PK\x05\x06", "a zip without a comment ends with its end record"
    return data[:-2] + len(tag).to_bytes(2, "little") + tag.encode()


def save_like_a_clerk(path: Path, data: bytes) -> float:
    """A temp file the service ignores, renamed into place; the monotonic time of the close."""
    temp = path.with_name(f"~tmp{path.name}.partial")
    temp.write_bytes(data)
    temp.replace(path)
    return time.monotonic()


def through_service(tree: Tree, book: bytes, count: int, quiet: float) -> list[float]:
    options = ServiceOptions(quiet_seconds=quiet, office_jobs=False)
    latencies = []
    with running_service(tree, options):
        for number in range(count + 1):
            name = f"Bahan_{CODE}_{number:03d}.xlsx"
            arrival = tree.folder(CODE, Folder.REPORT) / name
            closed = save_like_a_clerk(tree.folder(CODE, Folder.MATERIAL) / name,
                                       with_comment(book, f"bench-{number}"))  # fmt: skip
            wait_for(arrival.exists, timeout=TIMEOUT, what=f"{name} in 4_laporan")
            latencies.append(time.monotonic() - closed)
    return latencies[1:]


def naive(folder: Path, book: bytes, count: int, quiet: float) -> tuple[list[float], list[float]]:
    """(quiet period alone, quiet period + load + move) for each save, measured end to end."""
    source, target = folder / "bahan", folder / "laporan"
    source.mkdir()
    target.mkdir()
    alone, plain = [], []
    for number in range(count):
        path = source / f"Bahan_{number:03d}.xlsx"
        closed = save_like_a_clerk(path, with_comment(book, f"naive-{number}"))
        time.sleep(quiet)  # part of the baseline: the settling watcher's wait
        alone.append(time.monotonic() - closed)
        openpyxl.load_workbook(path)
        shutil.move(path, target / path.name)
        plain.append(time.monotonic() - closed)
    return alone, plain


def row(label: str, values: list[float], base: float) -> str:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    return f"  {label:<34} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  ({p50 / base:.2f}x)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--quiet", type=float, default=ServiceOptions().quiet_seconds)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as temp:
        work = Path(temp)
        root = work / "kantor"
        issued_office(root)
        tree = Tree(root)
        issued = tree.folder(CODE, Folder.DISPOSITION) / f"Rencana_Aksi_{CODE}_2026_TW3.xlsx"
        book = fill(issued, work / "isian.xlsx").read_bytes()
        service = through_service(tree, book, args.saves, args.quiet)
        (work / "naive").mkdir()
        alone, plain = naive(work / "naive", book, args.saves, args.quiet)
    base = statistics.median(alone)
    print(f"save -> 4_laporan, {args.saves} saves of one document, quiet period {args.quiet:g} s"
          " (ratios to the quiet period alone):")  # fmt: skip
    print(row("quiet period alone (baseline)", alone, base))
    print(row("quiet + openpyxl load + move", plain, base))
    print(row("kinerja service", service, base))
    extra = statistics.median(service) - statistics.median(plain)
    print(f"  the service's own work beyond the naive loop: {extra * 1000:.1f} ms at p50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
