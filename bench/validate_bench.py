"""Measure kinerja's validation of submitted workbooks against a naive openpyxl read.

Run from the repository root:

    python -m bench.validate_bench [--files 500] [--rows 40] [--libreoffice 100]

Generates `--files` distinct, valid step-4 rencana aksi workbooks of one division with `--rows`
indicators (issued by `watcher.workbook.write`, then filled and saved with openpyxl as a clerk's
Excel would), checks that kinerja finds every one valid, then times in the same run:

- kinerja: `validate_file` (safety layer, calamine read, content rules) of every file;
- naive: `openpyxl.load_workbook` of every file, nothing else;
- calamine: python-calamine's bare read of the same file (both sheets to Python values), the
  floor any calamine-based reader stands on.

Each is warmed up once, then measured three times interleaved; the median is reported. kinerja
remembers verdicts on parts that recur byte for byte (`validation.part_memo`); each of its
rounds starts from a service just started, its memos emptied and one workbook that is not
measured validated, so a measured file's own sheets are never remembered from an earlier round.
A breakdown per stage and a cProfile of 100 validations show where kinerja's time goes. Then
`--libreoffice` of the workbooks are opened and saved again by LibreOffice, as a clerk's program
writes them (openpyxl writes inline strings; Excel and LibreOffice a shared-strings table), and
compared the same way (skipped without `soffice`). The aims
of issue 16 (>= 10x faster than the naive read, <= 2 ms per valid workbook) are printed, never
asserted: timings depend on the machine, so compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import hashlib
import io
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from watcher.masterdata.capaian import capaian
from watcher.masterdata.model import Aggregation, Division, Indicator, MasterData, Polarity
from watcher.masterdata.sample import sample_master
from watcher.service.issuing import submission_dues
from watcher.service.tree import workbook_file_name
from watcher.sop.load import load_sop
from watcher.sop.sla import office_calendar
from watcher.validation.package import open_package
from watcher.validation.part_memo import forget_all
from watcher.validation.rules import Expectation, check
from watcher.validation.safety import check_bytes
from watcher.validation.validate import validate_file
from watcher.workbook.layout import Layout, rencana_aksi_layout
from watcher.workbook.read import read_workbook
from watcher.workbook.write import Issue, workbook_bytes

DIVISION = "BENCH"
QUARTER = 2
REPEATS = 3
PROFILED_FILES = 100
AIM_RATIO = 10.0  # issue 16: at least 10x faster than a naive openpyxl read
AIM_MS = 2.0  # issue 16: at most 2 ms per valid workbook
COUNT_UNITS = ("dokumen", "orang", "kegiatan")


def bench_master(rows: int) -> MasterData:
    """The sample master with its divisions replaced by one division of `rows` indicators.

    Units alternate between "%" (last position: the year's target is Q4's) and counts
    (cumulative: the year's target is the sum of the quarters); every fifth is "Minimal".
    """
    sample = sample_master()
    division = Division(
        DIVISION,
        "Bidang Uji Kecepatan",
        "Kepala Uji",
        "19700101 199001 1 001",
        "Kasubag Uji",
        "19800101 200001 2 002",
    )
    indicators = tuple(_indicator(position) for position in range(rows))
    return dataclasses.replace(sample, divisions=(division,), indicators=indicators)


def _indicator(position: int) -> Indicator:
    lower_is_better = position % 5 == 4
    if position % 2 == 0:
        unit, aggregation = "%", Aggregation.LAST_POSITION
        step = position % 7
        quarters = (
            (20.0 - step, 15.0 - step, 10.0 - step, 8.0 - step)
            if lower_is_better
            else (60.0 + step, 70.0 + step, 80.0 + step, 90.0 + step)
        )
        annual = quarters[-1]
    else:
        unit, aggregation = COUNT_UNITS[position % 3], Aggregation.CUMULATIVE
        base = 25.0 * (position + 1)
        quarters = (
            (base, base * 1.5, base * 1.5, base) if not lower_is_better else (12.0, 10.0, 8.0, 6.0)
        )
        annual = sum(quarters)
    return Indicator(
        code=f"BN.{position + 1:03d}",
        division=DIVISION,
        goal="Meningkatnya kecepatan validasi rencana aksi",
        name=f"Indikator uji kecepatan nomor {position + 1} ({unit})",
        definition=f"Definisi operasional indikator uji {position + 1}.",
        unit=unit,
        polarity=Polarity.LOWER_IS_BETTER if lower_is_better else Polarity.HIGHER_IS_BETTER,
        aggregation=aggregation,
        annual_target=annual,
        quarter_targets=quarters,
    )


def make_workbooks(folder: Path, master: MasterData, count: int) -> list[Path]:
    """Issue and fill `count` distinct workbooks, each valid for step 4; return their paths."""
    layout = rencana_aksi_layout()
    year = master.settings.year
    issued_at = datetime(year, 7, 1, 0, 30, tzinfo=UTC)
    sop = load_sop()
    dues = submission_dues(office_calendar(master.settings, (year, year + 1)), sop, issued_at)
    paths = []
    for number in range(count):
        issue = Issue(
            master,
            DIVISION,
            year,
            QUARTER,
            f"010-{DIVISION}-{year}-TW{QUARTER}-{number:05d}",
            issued_at,
            dues,
            sop,
        )
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(issue)))
        _fill(workbook[layout.main_sheet], master, layout, number)
        issued = Path(workbook_file_name(DIVISION, year, QUARTER))
        path = folder / f"{issued.stem}_{number:05d}{issued.suffix}"
        workbook.save(path)
        paths.append(path)
    digests = {hashlib.sha256(path.read_bytes()).digest() for path in paths}
    if len(digests) != count:
        raise SystemExit(f"only {len(digests)} of {count} generated workbooks are distinct")
    return paths


def _fill(sheet: Worksheet, master: MasterData, layout: Layout, number: int) -> None:
    """Type realisations (varied per file), a status, and kendala/tindak lanjut where needed."""
    column = {
        key: layout.column(key).letter for key in ("realisation", "status", "kendala", "follow_up")
    }
    threshold = master.settings.follow_up_threshold
    indicators = master.indicators_of(DIVISION)
    for position, indicator in enumerate(indicators):
        row = layout.data_row(position)
        target = indicator.target(QUARTER)
        factor = 0.8 + ((number * 7 + position * 13) % 41) / 100  # 80 % .. 120 % of target
        value = round(target * factor, 2)
        value = min(value, 100.0) if indicator.is_percentage else value
        sheet[f"{column['realisation']}{row}"] = value
        sheet[f"{column['status']}{row}"] = "Final" if (number + position) % 4 else "Sementara"
        result = capaian(target, value, indicator.polarity)
        if result is not None and result < threshold:
            sheet[f"{column['kendala']}{row}"] = (
                f"Berkas pemohon belum lengkap pada bulan ke-{1 + (number + position) % 3}."
            )
            sheet[f"{column['follow_up']}{row}"] = (
                "Sosialisasi persyaratan dan jemput bola ke kecamatan."
            )
    note = f"{layout.note_column}{layout.note_row(len(indicators))}"
    sheet[note] = f"Diperiksa, berkas nomor {number}."


def require_valid(paths: Sequence[Path], master: MasterData, expect: Expectation) -> None:
    """Fail loudly unless every workbook is valid: a benchmark of refusals measures nothing."""
    for path in paths:
        result = validate_file(path, master, expect)
        if not result.valid:
            problems = "\n  ".join(str(finding) for finding in result.findings[:10])
            raise SystemExit(f"{path.name} is not valid, benchmark aborted:\n  {problems}")


def timed_ms(action: Callable[[], object]) -> float:
    gc.collect()  # start each measurement without garbage left by the previous one
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def median_ms_per_file(
    actions: dict[str, Callable[[], object]],
    count: int,
    *,
    before: dict[str, Callable[[], object]] | None = None,
) -> dict[str, float]:
    """Median over REPEATS interleaved rounds of each action, divided by the number of files;
    `before[name]`, if given, runs untimed before each round of that action."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(REPEATS):
        for name, action in actions.items():
            (before or {}).get(name, lambda: None)()
            samples[name].append(timed_ms(action))
    return {name: statistics.median(times) / count for name, times in samples.items()}


def main_comparison(
    paths: Sequence[Path], warm: Path, master: MasterData, expect: Expectation
) -> float:
    layout = rencana_aksi_layout()

    def kinerja() -> None:
        for path in paths:
            validate_file(path, master, expect)

    def naive() -> None:
        for path in paths:
            openpyxl.load_workbook(path)

    def calamine() -> None:
        for path in paths:
            book = CalamineWorkbook.from_path(str(path))
            for sheet in (layout.main_sheet, layout.metadata_sheet):
                book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    naive()  # warm-up; kinerja was warmed up by `require_valid`
    calamine()
    result = median_ms_per_file(
        {"kinerja": kinerja, "naive": naive, "calamine": calamine},
        len(paths),
        before={"kinerja": lambda: _fresh_service(warm, master, expect)},
    )
    ours, theirs, floor = result["kinerja"], result["naive"], result["calamine"]
    ratio = theirs / ours
    width = 45
    print(f"{'kinerja validate_file (safety + read + rules)':<{width}}: {ours:8.2f} ms/file")
    print(f"{'naive openpyxl.load_workbook':<{width}}: {theirs:8.2f} ms/file")
    print(f"{'calamine bare read (both sheets)':<{width}}: {floor:8.2f} ms/file")
    print(f"{'ratio naive / kinerja':<{width}}: {ratio:8.1f}x")
    print(f"{'ratio naive / calamine':<{width}}: {theirs / floor:8.1f}x")
    print(f"{'ratio kinerja / calamine':<{width}}: {ours / floor:8.1f}x")
    verdict = "PASS" if ratio >= AIM_RATIO else "MISS"
    print(f"{f'aim >= {AIM_RATIO:g}x faster than naive':<{width}}: {verdict} ({ratio:.1f}x)")
    verdict = "PASS" if ours <= AIM_MS else "MISS"
    print(f"{f'aim <= {AIM_MS:g} ms per valid workbook':<{width}}: {verdict} ({ours:.2f} ms)")
    return ours


def _fresh_service(warm: Path, master: MasterData, expect: Expectation) -> None:
    """Empty kinerja's memos, then validate one workbook that is not measured."""
    forget_all()
    validate_file(warm, master, expect)


def stage_breakdown(
    paths: Sequence[Path], warm: Path, master: MasterData, expect: Expectation, full_ms: float
) -> None:
    """Each stage of kinerja's path timed alone over all files, from bytes already in memory."""
    layout = rencana_aksi_layout()
    data = [path.read_bytes() for path in paths]
    books = [read_workbook(raw, layout) for raw in data]
    stages: dict[str, Callable[[], object]] = {
        "file read (Path.read_bytes)": lambda: [path.read_bytes() for path in paths],
        "safety  check_bytes": lambda: [check_bytes(raw) for raw in data],
        "read    read_workbook": lambda: [read_workbook(raw, layout) for raw in data],
        "  of which open_package (measure)": lambda: [
            open_package(raw, [layout.main_sheet]) for raw in data
        ],
        "rules   check": lambda: [check(book, master, layout, expect) for book in books],
    }
    for action in stages.values():
        action()  # warm-up
    fresh = dict.fromkeys(stages, lambda: _fresh_service(warm, master, expect))
    result = median_ms_per_file(stages, len(paths), before=fresh)
    print(f"\nstages, each alone ({len(paths)} files, median of {REPEATS}):")
    for name, ms in result.items():
        print(f"  {name:<36}: {ms:7.2f} ms/file ({ms / full_ms:6.1%} of full)")
    parts = sum(ms for name, ms in result.items() if not name.startswith("  "))
    print(f"  {'sum of the stages':<36}: {parts:7.2f} ms/file")
    print(f"  {'full validate_file minus the sum':<36}: {full_ms - parts:7.2f} ms/file")


def profile(paths: Sequence[Path], warm: Path, master: MasterData, expect: Expectation) -> None:
    _fresh_service(warm, master, expect)
    profiler = cProfile.Profile()
    profiler.enable()
    for path in paths:
        validate_file(path, master, expect)
    profiler.disable()
    print(f"\ncProfile of validate_file over {len(paths)} files, top 15 by cumulative time:")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(15)
    print(f"top 10 by own time (same {len(paths)} files):")
    stats.sort_stats("tottime").print_stats(10)


def libreoffice_copies(paths: Sequence[Path], folder: Path) -> list[Path]:
    """The workbooks opened and saved again by LibreOffice (`soffice --headless`), as a clerk's
    spreadsheet program writes them: strings in a shared-strings table, its own styles. Empty
    when LibreOffice is not installed."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return []
    folder.mkdir()
    profile = folder / "profil"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), *map(str, paths)],
        check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    return [folder / path.name for path in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description="kinerja validation versus naive openpyxl read")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument(
        "--libreoffice", type=int, default=100, help="of them saved again by LibreOffice (0: none)"
    )
    args = parser.parse_args()
    if args.files < 1 or args.rows < 1:
        parser.error("--files and --rows must be at least 1")
    master = bench_master(args.rows)
    expect = Expectation(
        step=4, division=DIVISION, open_periods=frozenset({(master.settings.year, QUARTER)})
    )
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as tmp:
        started = time.perf_counter()
        warm, *paths = make_workbooks(Path(tmp), master, args.files + 1)
        size = sum(path.stat().st_size for path in paths) / len(paths) / 1024
        print(
            f"{args.files} distinct valid workbooks, {args.rows} indicator rows each, "
            f"{size:.1f} KiB average, generated in {time.perf_counter() - started:.1f} s"
        )
        require_valid([warm, *paths], master, expect)
        print(f"all {args.files} valid for step 4; median of {REPEATS} interleaved runs:\n")
        full_ms = main_comparison(paths, warm, master, expect)
        stage_breakdown(paths, warm, master, expect, full_ms)
        profile(paths[:PROFILED_FILES], warm, master, expect)
        saved = libreoffice_copies([warm, *paths[: args.libreoffice]], Path(tmp) / "libreoffice")
        if len(saved) > 1:
            require_valid(saved, master, expect)
            print(f"\nthe same, {len(saved) - 1} of them saved again by LibreOffice "
                  "(a shared-strings table, as Excel and LibreOffice write):\n")  # fmt: skip
            main_comparison(saved[1:], saved[0], master, expect)


if __name__ == "__main__":
    main()
