"""Measure LibreOffice conversions: one soffice process per file (naive) versus one per batch.

Run from the repository root:

    python -m bench.engine_batch [--files 20] [--job recalculate|pdf]

Prints milliseconds per file for: the very first call of a new engine (fresh profile), one
process per file with a warm profile, and the whole batch in one process; then the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.support.engine import LibreOfficeEngine

ROWS = 40  # indicators per workbook, each with a division and an IF formula


def make_workbooks(folder: Path, count: int) -> list[Path]:
    """Write `count` openpyxl workbooks with formulas and no cached values."""
    paths = []
    for number in range(1, count + 1):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(("Indikator", "Target", "Realisasi", "Capaian", "Status"))
        for row in range(2, ROWS + 2):
            sheet.append((f"Indikator {row - 1}", 100, row * number % 130))
            sheet[f"D{row}"] = f"=IF(B{row}=0,0,C{row}/B{row}*100)"
            sheet[f"E{row}"] = f'=IF(D{row}>=100,"Tercapai","Belum")'
        path = folder / f"RA_{number:02d}.xlsx"
        workbook.save(path)
        paths.append(path)
    return paths


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description="LibreOffice: batch versus one process per file")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--job", choices=("recalculate", "pdf"), default="recalculate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LibreOfficeEngine() as engine:
        root = Path(tmp)
        (root / "in").mkdir()
        sources = make_workbooks(root / "in", args.files)
        convert = engine.recalculate if args.job == "recalculate" else engine.to_pdf

        cold = timed_ms(lambda: convert(sources[:1], root / "cold"))
        naive = sum(timed_ms(lambda s=s: convert([s], root / "naive")) for s in sources)
        batch = timed_ms(lambda: convert(sources, root / "batch"))

    per_naive, per_batch = naive / args.files, batch / args.files
    print(f"job: {args.job}, {args.files} files, {ROWS} formula rows each")
    print(f"cold first call (new profile), 1 file : {cold:8.0f} ms")
    print(f"one process per file (warm profile)   : {per_naive:8.0f} ms/file")
    print(f"one process for the batch             : {per_batch:8.0f} ms/file ({batch:.0f} ms)")
    print(f"ratio naive / batch                    : {per_naive / per_batch:8.1f}x")


if __name__ == "__main__":
    main()
