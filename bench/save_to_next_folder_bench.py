"""Measure how long a complete save takes to reach the next person: 3_bahan -> 4_laporan.

Run from the repository root:

    python bench/save_to_next_folder_bench.py [--saves 30] [--quiet 0.5]

A freshly issued office; the real service (`watcher.service.watch.Service`, in this process, as
`tests.support.service_run.running_service` starts it). `--saves` valid material workbooks are
saved one at a time into one division's 3_bahan, each once the one before has arrived in
4_laporan (looked for every millisecond, then a short random pause), in two ways: a temp file
renamed into place (Excel, Explorer) and a write under the final name then a close (a copy
tool; Linux inotify reports the close). They are versions of the same document, so every
arrival also moves the version before it into versi_lama (issue 13), as in the office. The
first save of each run warms the service up and is not counted.

Printed: p50 and p95 from the save's last step (rename or close) to the arrival, for the service
as it is and, in the same run, two baselines: the same service made to wait the quiet period for
every file (`settle_seconds = quiet_seconds`: the behaviour before complete files settled at
once), and a plain `openpyxl.load_workbook` and `shutil.move` of the same file (no archive,
fsync, log, validation or versions). Ratios, not absolute times, compare between machines.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.office import issued_office
from tests.support.service_run import fill, running_service
from tests.support.sop010 import Folder
from watcher.service.tree import Tree
from watcher.service.watch import ServiceOptions

CODE = "DAFDUK"
TIMEOUT = 20.0  # s for one save to arrive
POLL = 0.001  # s between looks for the arrival: the latency's resolution
GAP = (0.2, 0.4)  # s after an arrival before the next save (random: no phase lock with the loop)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def with_comment(data: bytes, tag: str) -> bytes:
    """The workbook with a zip comment of its own: each save is a new version (its own hash)."""
    assert data[-22:-18] == b"PK\x05\x06", "a zip without a comment ends with its end record"
    return data[:-2] + len(tag).to_bytes(2, "little") + tag.encode()


def rename_in(path: Path, data: bytes) -> float:
    """A temp file the service ignores, renamed into place; the monotonic time of the rename."""
    temp = path.with_name(f"~tmp{path.name}.partial")
    temp.write_bytes(data)
    temp.replace(path)
    return time.monotonic()


def write_then_close(path: Path, data: bytes) -> float:
    """Written under its own name in two chunks, then closed; the monotonic time of the close."""
    with path.open("wb") as stream:
        stream.write(data[: len(data) // 2])
        stream.flush()
        stream.write(data[len(data) // 2 :])
    return time.monotonic()


Save = Callable[[Path, bytes], float]
SAVES: dict[str, Save] = {"rename-in": rename_in, "write+close": write_then_close}


def through_service(tree: Tree, book: bytes, count: int, options: ServiceOptions, save: Save,
                    tag: str) -> list[float]:  # fmt: skip
    latencies = []
    with running_service(tree, options):
        for number in range(count + 1):
            name = f"Bahan_{CODE}_{tag}_{number:03d}.xlsx"
            arrival = tree.folder(CODE, Folder.REPORT) / name
            saved = save(tree.folder(CODE, Folder.MATERIAL) / name,
                         with_comment(book, f"{tag}-{number}"))  # fmt: skip
            latencies.append(arrived(arrival, name) - saved)
            time.sleep(random.uniform(*GAP))
    return latencies[1:]


def arrived(arrival: Path, name: str) -> float:
    """The monotonic time `arrival` was first seen, looked for every `POLL` s."""
    deadline = time.monotonic() + TIMEOUT
    while not arrival.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {TIMEOUT} s waiting for {name} in 4_laporan")
        time.sleep(POLL)
    return time.monotonic()


def naive(folder: Path, book: bytes, count: int, save: Save) -> list[float]:
    """A plain load + move of each save, measured from its last step."""
    source, target = folder / "bahan", folder / "laporan"
    source.mkdir(parents=True)
    target.mkdir()
    plain = []
    for number in range(count):
        path = source / f"Bahan_{number:03d}.xlsx"
        saved = save(path, with_comment(book, f"naive-{number}"))
        openpyxl.load_workbook(path)
        shutil.move(path, target / path.name)
        plain.append(time.monotonic() - saved)
    return plain


def row(label: str, values: list[float], base: float) -> str:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    return f"  {label:<36} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  ({p50 / base:.2f}x)"


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
        now = ServiceOptions(quiet_seconds=args.quiet, office_jobs=False)
        before = replace(now, settle_seconds=args.quiet)  # every file waits the quiet period
        print(f"save -> 4_laporan, {args.saves} saves of one document per line, quiet period "
              f"{args.quiet:g} s (ratios to the plain load + move):")  # fmt: skip
        for label, save in SAVES.items():
            plain = naive(work / "naive" / label, book, args.saves, save)
            old = through_service(tree, book, args.saves, before, save, f"{label}-old")
            new = through_service(tree, book, args.saves, now, save, label)
            base = statistics.median(plain)
            print(f" {label}:")
            print(row("openpyxl load + move (baseline)", plain, base))
            print(row("service, quiet period for all", old, base))
            print(row("kinerja service", new, base))
            print(f"  {statistics.median(old) / statistics.median(new):.1f}x faster than with "
                  "the quiet period for all, at p50")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
