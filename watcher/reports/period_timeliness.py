"""The period report's Ketepatan Waktu sheet: every division's steps in working time against
the SOP's time standards, and the compile step's own standard for this period's report."""

from __future__ import annotations

from collections.abc import Callable

from watcher.reports.context import LATE_STATES, PeriodReport
from watcher.reports.figures import DivisionBlock
from watcher.reports.sheets import height, title_rows
from watcher.reports.status import STATE_LABELS, duration_text
from watcher.reports.xlsx import Sheet, Style
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import StepKind
from watcher.sop.sla import StepState, StepTiming

TIMELINESS_WIDTHS = [5, 14, 30, 9, 18, 22, 22, 13, 12, 22, 22, 12]


def timeliness_sheet(sheet: Sheet, report: PeriodReport) -> None:
    """Each division's steps against the SOP's standards, missing and late ones first, and
    the compile step of this period with its own standard (SOP 010: "1 Hari" for a quarter)."""
    columns = len(TIMELINESS_WIDTHS)
    title_rows(
        sheet,
        [
            "Ketepatan Waktu Pengumpulan Data Kinerja",
            f"{report.title}: bidang yang belum disetujui atau terlambat, dan waktu tiap langkah",
            "Waktu dihitung dalam jam kerja kantor (hari libur nasional, cuti bersama dan hari "
            "libur kantor tidak dihitung) dan dibandingkan dengan mutu baku SOP.",
        ],
        columns,
    )
    header = sheet.row(
        [
            "No",
            "Kode",
            "Bidang",
            "Langkah",
            "Pelaksana",
            "Mulai",
            "Selesai",
            "Waktu Kerja",
            "Mutu Baku",
            "Batas Waktu",
            "Keadaan",
            "Dikembalikan",
        ],
        style=Style.HEADER,
        height=30,
    )
    for number, block in enumerate(_problems_first(report), start=1):
        _timeliness_rows(sheet, report, block, number)
    sheet.autofilter(header, sheet.next_row - 1)
    step, compiler = report.report_step, report.sop.compile_step
    sheet.skip()
    what = report.words.reports
    who = f"Langkah {compiler.number} ({what}, {compiler.actor})" if compiler else ""
    row = sheet.row(
        [
            f"{who}: mutu baku {step.standard}; "
            f"{STATE_LABELS[step.state]}"
            + (f"; batas {long_datetime(step.deadline)}" if step.deadline else "")
        ],
        style=Style.NOTE,
    )
    sheet.merge(row, 1, row, columns)


def _problems_first(report: PeriodReport) -> list[DivisionBlock]:
    """Missing and late divisions first, so they are what a reader sees at once."""

    def late(block: DivisionBlock) -> bool:
        progress = report.progress.get(block.division.code)
        return bool(progress and any(s.state in LATE_STATES for s in progress.steps))

    return sorted(report.figures.blocks, key=lambda b: (b.submission is not None, not late(b)))


def _timeliness_rows(sheet: Sheet, report: PeriodReport, block: DivisionBlock, number: int) -> None:
    progress = report.progress.get(block.division.code)
    when: Callable[[object], str] = lambda m: long_datetime(m) if m else "-"  # noqa: E731
    status = "Disetujui" if block.submission else report.not_approved(block.division.code)
    issued = {s.number for s in report.sop.of_kind(StepKind.ISSUE)}  # the service's own steps
    rerun = min(s.return_to for s in report.sop.of_kind(StepKind.CHECK))  # a return redoes these
    for step in [s for s in progress.steps if s.step not in issued] if progress else ():
        late = step.state in LATE_STATES or (
            block.submission is None and step.state not in (StepState.DONE, StepState.NOT_STARTED)
        )
        style = Style.LATE if late else Style.CELL
        sop_step = report.sop.step(step.step)
        sheet.row(
            [
                number,
                block.division.code,
                f"{block.division.name} ({status})",
                step.step,
                sop_step.actor,
                when(step.start),
                when(step.end),
                duration_text(step.worked),
                str(step.standard),
                when(step.deadline),
                _state(step),
                progress.returns if progress and step.step >= rerun else "",
            ],
            style=style,
            height=height([(block.division.name, 30), (when(step.start), 22)]),
        )


def _state(step: StepTiming) -> str:
    label = STATE_LABELS[step.state]
    if step.state in LATE_STATES and step.worked and step.allowed:
        return f"{label} ({duration_text(step.worked - step.allowed)} lewat)"
    return label
