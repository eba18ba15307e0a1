"""Measure building the quarterly report or the LKjIP from many approved workbooks, against a
naive pipeline.

Run from the repository root:

    python -m bench.report_bench [--files 1000] [--rows 40] [--annual] [--repeats 3] [--memory]

Sets up an office of `--files` divisions with `--rows` indicators each, one approved, archived
and logged workbook per division for the third quarter (with `--annual`: for each of the four
quarters), made from a few distinct filled workbooks (`watcher.workbook.write` and openpyxl as a
clerk's Excel would, then given each division's code), and times in the same run:

- kinerja: `build_period` of the quarter without the PDF (log query, archived bytes checked
  against their SHA-256, calamine read, content rules, figures, the workbook with its summary,
  per-division, timeliness and chart sheets, written and logged); with `--annual`,
  `build_annual` of the year without the PDF (the same reading of all four quarters, the year's
  figures, the LKjIP workbook and its HTML, written and logged);
- kinerja rebuild: the same build again in the same process, as the service rebuilds after an
  approval: the workbooks read before are remembered (`reports.read_memo`; their archived bytes
  are still checked against their SHA-256), so only the rest of the build is timed;
- naive: `pandas.read_excel(engine="openpyxl")` of every approved file, capaian computed with
  pandas, and `to_excel` of a summary sheet and one sheet per division.

Each is measured `--repeats` times, interleaved; the median is reported. With `--memory` the
peak traced memory of kinerja's build is measured at a quarter and at all of the files
(tracemalloc slows the build, so this is separate from the timing): it should grow with the
rows, not with anything else. The aims of issue 16 (1,000 divisions: the quarter <= 2 s, the
LKjIP of four quarters <= 8 s; each >= 3x faster than naive) are printed, never asserted:
timings depend on the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd

from bench.validate_bench import bench_master
from tests.support.sop010 import Folder
from watcher.masterdata.capaian import capaian
from watcher.masterdata.model import Division, MasterData, Polarity
from watcher.record.archive import archive_bytes
from watcher.record.store import Event, Outcome, Store
from watcher.reports.annual import build_annual
from watcher.reports.commands import terminal_progress
from watcher.reports.period import build_period
from watcher.service.issuing import submission_dues
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.sla import office_calendar
from watcher.validation.part_memo import forget_all
from watcher.workbook.layout import rencana_aksi_layout
from watcher.workbook.write import Issue, workbook_bytes

YEAR, QUARTER = 2026, 3
REPEATS = 3
DISTINCT = 16  # distinct filled workbooks; the others are copies given another division code
PLACEHOLDER = "B00000"  # division code written in the distinct workbooks, patched per division
AIM_RATIO = 3.0
AIM_SECONDS = {False: 2.0, True: 8.0}  # the quarter, the LKjIP (annual)


def office_master(files: int, rows: int) -> MasterData:
    """`files` divisions B00001.., each with the same `rows` benchmark indicators."""
    base = bench_master(rows)
    divisions = tuple(
        Division(f"B{n:05d}", f"Bidang Uji {n}", "Kabid Uji", "", "Kasubag Uji", "")
        for n in range(1, files + 1)
    )
    indicators = tuple(
        dataclasses.replace(indicator, division=division.code)
        for division in divisions
        for indicator in base.indicators
    )
    settings = dataclasses.replace(base.settings, year=YEAR)
    return dataclasses.replace(base, settings=settings, divisions=divisions, indicators=indicators)


def distinct_workbooks(master: MasterData, rows: int, quarter: int) -> list[bytes]:
    """DISTINCT filled workbooks of the placeholder division for `quarter` (realisations vary)."""
    layout = rencana_aksi_layout()
    one = dataclasses.replace(
        master,
        divisions=(dataclasses.replace(master.divisions[0], code=PLACEHOLDER),),
        indicators=tuple(
            dataclasses.replace(i, division=PLACEHOLDER) for i in master.indicators[:rows]
        ),
    )
    sop = load_sop()
    issued_at = issue_moment(sop.period.issue_date(YEAR, quarter))
    dues = submission_dues(office_calendar(one.settings, (YEAR, YEAR + 1)), sop, issued_at)
    result = []
    for number in range(DISTINCT):
        issue = Issue(
            one,
            PLACEHOLDER,
            YEAR,
            quarter,
            f"010-{PLACEHOLDER}-bench-{quarter}-{number:03d}",
            issued_at,
            dues,
            sop,
        )
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(issue)))
        sheet = workbook[layout.main_sheet]
        for position, indicator in enumerate(one.indicators):
            row = layout.data_row(position)
            factor = 0.8 + ((number * 7 + position * 13) % 41) / 100
            value = round(indicator.target(quarter) * factor, 2)
            sheet[f"{layout.column('realisation').letter}{row}"] = (
                min(value, 100.0) if indicator.is_percentage else value
            )
            sheet[f"{layout.column('kendala').letter}{row}"] = f"Kendala uji {number}-{position}"
            sheet[f"{layout.column('follow_up').letter}{row}"] = "Tindak lanjut uji"
        buffer = io.BytesIO()
        workbook.save(buffer)
        result.append(buffer.getvalue())
    return result


def with_code(data: bytes, code: str) -> bytes:
    """The same workbook for another division: its code replaced in every XML part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(PLACEHOLDER.encode(), code.encode()))
    return out.getvalue()


def issue_moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)


def approved_office(
    root: Path, master: MasterData, rows: int, quarters: tuple[int, ...]
) -> tuple[Tree, list[Path]]:
    """Archive and log one approved workbook per division and quarter, as the service would."""
    tree = Tree(root)
    paths = []
    period = load_sop().period
    with Store(tree.store_path) as store:
        for quarter in quarters:
            bases = distinct_workbooks(master, rows, quarter)
            moment = issue_moment(period.issue_date(YEAR, quarter)) + timedelta(days=1)
            for number, division in enumerate(master.divisions):
                data = with_code(bases[number % DISTINCT], division.code)
                digest = archive_bytes(data, tree.archive_files).sha256
                name = f"RA_{division.code}_TW{quarter}.xlsx"
                path = tree.folder(division.code, Folder.APPROVED) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                paths.append(path)
                store.append(
                    Event(
                        outcome=Outcome.APPROVED,
                        division=division.code,
                        year=YEAR,
                        quarter=quarter,
                        step=5,
                        file_hash=digest,
                        to_path=path.relative_to(root).as_posix(),
                        at_utc=moment,
                    )
                )
                if (number + 1) % 250 == 0:
                    print(f"TW{quarter} disiapkan {number + 1}/{len(master.divisions)}",
                          file=sys.stderr)  # fmt: skip
    return tree, paths


def kinerja(
    tree: Tree, master: MasterData, *, annual: bool = False, progress: bool = False
) -> Callable[[], object]:
    """`build_period` of the third quarter, or `build_annual` of the year, without the PDF."""
    sop = load_sop()
    shown = terminal_progress() if progress else None

    def run() -> object:
        with Store(tree.store_path) as store:
            if annual:
                return build_annual(tree, store, master, sop, year=YEAR, pdf=False,
                                    now=lambda: datetime(YEAR + 1, 1, 25, 2, 0, tzinfo=UTC),
                                    progress=shown)  # fmt: skip
            return build_period(tree, store, master, sop, year=YEAR, index=QUARTER, pdf=False,
                                now=lambda: datetime(YEAR, 10, 20, 2, 0, tzinfo=UTC),
                                progress=shown)  # fmt: skip

    return run


def naive(paths: list[Path], master: MasterData, out: Path) -> Callable[[], object]:
    """pandas.read_excel(engine="openpyxl") of every file, then to_excel of the report."""
    layout = rencana_aksi_layout()
    first = layout.rows["first_data"] - 1
    names = [c.key for c in layout.columns]
    polarity = {(i.division, i.code): i.polarity for i in master.indicators}

    def run() -> object:
        frames = []
        for path in paths:
            code = path.stem.split("_")[1]
            frame = pd.read_excel(
                path, sheet_name=layout.main_sheet, header=None, skiprows=first, engine="openpyxl"
            )
            frame = frame.iloc[:, : len(names)]
            frame.columns = names[: frame.shape[1]]
            frame = frame[frame["code"].notna() & ~frame["no"].map(layout.is_note_title)].copy()
            frame.insert(0, "division", code)
            frame.insert(1, "quarter", path.stem.rpartition("TW")[2])
            frame["capaian"] = [
                capaian(t, r, polarity.get((code, c), Polarity.HIGHER_IS_BETTER))
                for t, r, c in zip(
                    frame["target"], frame["realisation"], frame["code"], strict=True
                )
            ]
            frames.append(frame)
        summary = pd.concat(frames, ignore_index=True)
        with pd.ExcelWriter(out) as writer:
            summary.to_excel(writer, sheet_name="Ringkasan", index=False)
            for code, frame in summary.groupby("division", sort=False):
                frame.to_excel(writer, sheet_name=str(code), index=False)
        return out

    return run


def timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def peak_memory(action: Callable[[], object]) -> float:
    """Peak traced memory (MiB) while `action` runs, from a process just started."""
    forget_all()
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="report build versus naive pandas")
    parser.add_argument("--files", type=int, default=1000, help="divisions")
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--annual", action="store_true", help="the LKjIP of four quarters")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    args = parser.parse_args()
    if min(args.files, args.rows, args.repeats) < 1:
        parser.error("--files, --rows and --repeats must be at least 1")
    quarters = (1, 2, 3, 4) if args.annual else (QUARTER,)
    with tempfile.TemporaryDirectory(prefix="kinerja-report-bench-") as tmp:
        started = time.perf_counter()
        master = office_master(args.files, args.rows)
        tree, paths = approved_office(Path(tmp) / "kantor", master, args.rows, quarters)
        print(
            f"{len(paths)} approved workbooks of {args.rows} rows each, archived and logged "
            f"in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        ours = kinerja(tree, master, annual=args.annual)
        theirs = naive(paths, master, Path(tmp) / "naive.xlsx")
        written = kinerja(tree, master, annual=args.annual, progress=True)()  # warm-up
        size = Path(written[0]).stat().st_size / 2**20  # type: ignore[index]
        samples: dict[str, list[float]] = {"kinerja": [], "rebuild": [], "naive": []}
        for round_ in range(args.repeats):
            forget_all()  # as a process just started: every workbook is read
            samples["kinerja"].append(timed(ours))
            samples["rebuild"].append(timed(ours))  # the service's next build: nothing new read
            samples["naive"].append(timed(theirs))
            print(f"round {round_ + 1}/{args.repeats} done", file=sys.stderr)
        report(args.files, args.rows, len(quarters), size, samples)
        if args.memory:
            memory(tree, master, args.files, args.rows)


def report(
    files: int, rows: int, quarters: int, size: float, samples: dict[str, list[float]]
) -> None:
    ours, theirs = statistics.median(samples["kinerja"]), statistics.median(samples["naive"])
    ratio = theirs / ours
    annual = quarters > 1
    what = "LKjIP (annual report)" if annual else "quarterly report"
    build = "build_annual (xlsx, html, no PDF)" if annual else "build_period (xlsx, no PDF)"
    width = 52
    print(
        f"\n{what} of {files} divisions x {rows} rows x {quarters} quarter(s) "
        f"({files * rows * quarters} indicator rows), workbook {size:.1f} MiB; median of "
        f"{len(samples['kinerja'])} interleaved runs"
    )
    print(f"{f'kinerja {build}':<{width}}: {ours:7.2f} s")
    print(f"{'naive pandas read_excel(openpyxl) + to_excel':<{width}}: {theirs:7.2f} s")
    print(f"{'ratio naive / kinerja':<{width}}: {ratio:7.1f}x")
    rebuild = statistics.median(samples["rebuild"])
    print(f"{'kinerja rebuild in the same process (read memo)':<{width}}: {rebuild:7.2f} s")
    print(f"{'ratio naive / kinerja rebuild':<{width}}: {theirs / rebuild:7.1f}x")
    aim = AIM_SECONDS[annual]
    verdict = "PASS" if ours <= aim else "MISS"
    print(f"{f'aim <= {aim:g} s (first build)':<{width}}: {verdict} ({ours:.2f} s)")
    verdict = "PASS" if rebuild <= aim else "MISS"
    print(f"{f'aim <= {aim:g} s (rebuild)':<{width}}: {verdict} ({rebuild:.2f} s)")
    verdict = "PASS" if ratio >= AIM_RATIO else "MISS"
    print(f"{f'aim >= {AIM_RATIO:g}x faster than naive':<{width}}: {verdict} ({ratio:.1f}x)")


def memory(tree: Tree, master: MasterData, files: int, rows: int) -> None:
    quarter_master = dataclasses.replace(
        master,
        divisions=master.divisions[: max(files // 4, 1)],
        indicators=master.indicators[: max(files // 4, 1) * rows],
    )
    small = peak_memory(kinerja(tree, quarter_master))
    full = peak_memory(kinerja(tree, master))
    print(
        f"\npeak traced memory of the build: {small:.1f} MiB for {len(quarter_master.divisions)} "
        f"divisions, {full:.1f} MiB for {files}"
    )
    print(
        f"per indicator row: {small * 2**20 / (len(quarter_master.indicators)):.0f} B and "
        f"{full * 2**20 / (files * rows):.0f} B (flat = memory follows the rows only)"
    )


if __name__ == "__main__":
    main()
