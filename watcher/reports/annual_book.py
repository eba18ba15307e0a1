"""The year's figures as a workbook: Capaian Tahunan, Per Sasaran, Anggaran, Kendala, Sumber."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from operator import attrgetter

from watcher.masterdata.capaian import NOT_ASSESSABLE, formula_text
from watcher.reports.context import YearReport
from watcher.reports.figures import Figure
from watcher.reports.figures_year import YearLine, grid
from watcher.reports.identity_memo import IdentityMemo
from watcher.reports.pdf import percent_text
from watcher.reports.sheets import (
    aggregate_note,
    bands_text,
    capaian_cell,
    height,
    merged_note,
    number_cell,
    predikat_cell,
    report_book,
    title_rows,
)
from watcher.reports.xlsx import BarChart, Sheet, Style, cells_xml
from watcher.sop.indonesian import long_datetime
from watcher.sop.period import Period

SOURCE_LABELS = {"log": "laporan disetujui tahun lalu", "data induk": "data induk"}


def _columns(period: Period) -> tuple[tuple[str, float], ...]:
    periods = [(f"Target {period.short_label(i)}", 9.0) for i in grid(period)]
    periods += [(f"Realisasi {period.short_label(i)}", 9.0) for i in grid(period)]
    return (
        ("No", 5),
        ("Bidang", 16),
        ("Sasaran Strategis", 26),
        ("Kode", 9),
        ("Indikator Kinerja", 34),
        ("Satuan", 9),
        ("Agregasi", 11),
        *periods,
        ("Target Tahunan", 10),
        ("Target Pembanding", 11),
        ("Realisasi Tahunan", 10),
        ("Capaian (%)", 10),
        ("Predikat", 12),
        ("Target Tahun Lalu", 10),
        ("Realisasi Tahun Lalu", 10),
        ("Capaian Tahun Lalu (%)", 10),
        ("Dibanding Tahun Lalu", 11),
        ("Target Akhir Renstra", 10),
        ("Capaian thd Renstra (%)", 10),
        ("Keterangan", 26),
    )


def annual_workbook(report: YearReport) -> bytes:
    book = report_book(report)
    footer = f"{report.title} - {report.master.settings.office_name}"
    columns = _columns(report.period)
    with book.sheet(
        "Capaian Tahunan", [w for _, w in columns], freeze_rows=6, title_rows=(6, 6), footer=footer
    ) as sheet:
        _lines(sheet, report, columns)
    with book.sheet("Per Sasaran", [5, 60, 12, 14, 14], footer=footer) as sheet:
        _goals(sheet, report)
    if report.figures.budget:
        with book.sheet("Anggaran", [5, 30, 50, 18, 18, 12, 14], footer=footer) as sheet:
            _budget(sheet, report)
    with book.sheet(
        "Kendala dan Tindak Lanjut", [10, 40, 10, 50, 50], freeze_rows=3, footer=footer
    ) as sheet:
        _texts(sheet, report)
    with book.sheet("Sumber Data", [30, 10, 26, 60, 20], footer=footer) as sheet:
        _sources(sheet, report)
    return book.finish()


def _lines(sheet: Sheet, report: YearReport, columns: tuple[tuple[str, float], ...]) -> None:
    figures, reports = report.figures, report.words.reports
    missing = len(figures.missing)
    title_rows(
        sheet,
        [
            report.master.settings.office_name,
            report.title.upper(),
            f"Disusun {long_datetime(report.provenance.built_at)}; capaian rata-rata "
            f"{percent_text(figures.average)}% ({figures.predikat or '-'}); "
            + (
                f"{missing} {reports} bidang belum disetujui"
                if missing
                else f"semua {reports} bidang disetujui"
            ),
            bands_text(figures.bands),
        ],
        len(columns),
    )
    sheet.skip()
    header = sheet.row([name for name, _ in columns], style=Style.HEADER, height=40)
    for number, (cells, row_height) in enumerate(_by_division(report, _ENCODED, _line), 1):
        sheet.row_xml(cells_xml([number]) + cells, height=row_height)
    sheet.autofilter(header, sheet.next_row - 1)
    sheet.skip()
    legend = formula_text(report.master.settings.capaian_rules, report.period.noun)
    merged_note(sheet, legend, [w for _, w in columns])


Row = tuple[str, float | None]  # cells encoded by `cells_xml`, the row's height


def _by_division(report: YearReport, memo: IdentityMemo[list[Row]],
                 encode: Callable[[YearReport, YearLine], list[Row]]) -> Iterator[Row]:  # fmt: skip
    """The rows `encode` makes of each line, division by division; a division's are encoded
    once for the same lines (`figures_year` hands an unchanged division's back) under the same
    master data, for the LKjIP and its rebuilds."""
    for _, group in groupby(report.figures.lines, key=attrgetter("division")):
        lines = tuple(group)
        yield from memo.get((report.master, report.period, *lines), (),
                            lambda lines=lines: [row for line in lines
                                                 for row in encode(report, line)])  # fmt: skip


# A division's rows of the Capaian Tahunan sheet (all but "No"), and of the Kendala sheet.
_ENCODED: IdentityMemo[list[Row]] = IdentityMemo(2048)
_TEXTS: IdentityMemo[list[Row]] = IdentityMemo(2048)


def _line(report: YearReport, line: YearLine) -> list[Row]:
    indicator, whole, period = line.indicator, line.year.figure, report.period
    previous = line.previous.figure if line.previous else None
    notes = [aggregate_note(line.year, period.count, period)]
    if whole.target is not None and whole.target != line.annual_target:
        notes.append(f"capaian terhadap Target Pembanding: target {period.noun} yang ada datanya")
    if line.previous and line.previous.source == "data induk":
        notes.append("realisasi tahun lalu dari data induk")
    if whole.realisation is not None and whole.capaian is None:
        notes.append(NOT_ASSESSABLE.lower())
    note = "; ".join(n for n in notes if n)
    cells: list[object] = [
        line.division.name,
        indicator.goal,
        indicator.code,
        indicator.name,
        indicator.unit,
        indicator.aggregation.value,
        *(number_cell(line.periods[i - 1].target) for i in grid(period)),
        *(number_cell(line.periods[i - 1].realisation) for i in grid(period)),
        number_cell(line.annual_target),
        number_cell(whole.target),
        number_cell(whole.realisation),
        capaian_cell(whole),
        predikat_cell(whole, report.figures.bands),
        number_cell(previous.target if previous else None),
        number_cell(previous.realisation if previous else None),
        (previous.capaian if previous else None, Style.PERCENT),
        line.trend or "-",
        number_cell(indicator.renstra_target),
        (line.renstra.capaian if line.renstra else None, Style.PERCENT),
        note,
    ]
    texts = [(line.division.name, 16), (indicator.goal, 26), (indicator.name, 34), (note, 26)]
    return [(cells_xml(cells), height(texts))]


def _goals(sheet: Sheet, report: YearReport) -> None:
    title_rows(sheet, [f"Capaian per Sasaran Strategis - {report.title}"], 5)
    sheet.skip()
    sheet.row(
        ["No", "Sasaran Strategis", "Jumlah Indikator", "Rata-rata Capaian (%)", "Predikat"],
        style=Style.HEADER,
        height=30,
    )
    first = sheet.next_row
    for number, goal in enumerate(report.figures.goals, start=1):
        sheet.row(
            [
                number,
                goal.goal,
                len(goal.lines),
                (goal.average, Style.PERCENT),
                predikat_cell(_figure(goal.average, goal.predikat), report.figures.bands),
            ],
            height=height([(goal.goal, 60)]),
        )
    last = sheet.next_row - 1
    goals = report.figures.goals
    if goals:
        sheet.chart(
            BarChart(
                "Rata-rata capaian per sasaran strategis",
                "Capaian (%)",
                (first, 2, last),
                (first, 4, last),
                tuple(g.goal for g in goals),
                tuple(g.average for g in goals),
                (1, last + 1, 5, last + 3 + max(14, 2 * len(goals))),
                reference_line=100.0,
            )
        )


def _figure(value: float | None, label: str | None) -> Figure:
    return Figure(None, value, value, label)


def _budget(sheet: Sheet, report: YearReport) -> None:
    figures = report.figures
    title_rows(
        sheet,
        [
            f"Realisasi Anggaran Tahun {report.year}",
            "Pagu dan realisasi per bidang dan program (data induk, lembar "
            "Anggaran); efisiensi = capaian kinerja rata-rata - serapan anggaran.",
        ],
        7,
    )
    sheet.skip()
    sheet.row(
        ["No", "Bidang", "Program/Kegiatan", "Pagu (Rp)", "Realisasi (Rp)", "Serapan (%)"],
        style=Style.HEADER,
        height=30,
    )
    number = 0
    for row in figures.budget:
        for program, ceiling, spent in row.programs:
            number += 1
            share = spent / ceiling * 100 if ceiling else None
            sheet.row(
                [
                    number,
                    row.division.name,
                    program,
                    (ceiling, Style.MONEY),
                    (spent, Style.MONEY),
                    (share, Style.PERCENT),
                ],
                height=height([(program, 50)]),
            )
    total = figures.budget_ceiling
    spent = figures.budget_spent
    sheet.row(
        [
            "",
            "Jumlah",
            "",
            (total, Style.BOLD_MONEY),
            (spent, Style.BOLD_MONEY),
            (spent / total * 100 if total else None, Style.BOLD_PERCENT),
        ],
        style=Style.BOLD_CELL,
    )
    sheet.skip()
    sheet.row(
        [
            "No",
            "Bidang",
            "Capaian Kinerja Rata-rata (%)",
            "Serapan Anggaran (%)",
            "Efisiensi (poin)",
            "Keterangan",
        ],
        style=Style.HEADER,
        height=30,
    )
    for number, row in enumerate(figures.budget, start=1):
        efficiency = row.efficiency
        verdict = "-" if efficiency is None else "Efisien" if efficiency >= 0 else "Kurang efisien"
        sheet.row(
            [
                number,
                row.division.name,
                (row.performance, Style.PERCENT),
                (row.absorption, Style.PERCENT),
                (efficiency, Style.PERCENT),
                verdict,
            ]
        )


def _texts(sheet: Sheet, report: YearReport) -> None:
    period = report.period
    noun = period.noun.capitalize()
    title_rows(sheet, [f"Kendala dan Tindak Lanjut per {noun} - {report.title}"], 5)
    sheet.row(["Kode", "Indikator Kinerja", noun, "Kendala", "Tindak Lanjut"], style=Style.HEADER)
    for cells, row_height in _by_division(report, _TEXTS, _line_texts):
        sheet.row_xml(cells, height=row_height)


def _line_texts(report: YearReport, line: YearLine) -> list[Row]:
    """A line's kendala and tindak lanjut, a row per period that reported any."""
    rows = []
    for index, reading in zip(report.period.indices, line.readings, strict=True):
        if reading is None or not (reading.kendala or reading.follow_up):
            continue
        cells = [line.indicator.code, line.indicator.name, report.period.short_label(index),
                 reading.kendala, reading.follow_up]  # fmt: skip
        texts = [(line.indicator.name, 40), (reading.kendala, 50), (reading.follow_up, 50)]
        rows.append((cells_xml(cells), height(texts)))
    return rows


def _sources(sheet: Sheet, report: YearReport) -> None:
    period = report.period
    title_rows(
        sheet,
        [
            f"Sumber Data: versi terakhir yang disetujui {report.words.approver} (salinan arsip)",
            f"{report.provenance.chain_line}; sidik sumber {report.provenance.fingerprint}",
        ],
        5,
    )
    header = ["Bidang", period.noun.capitalize(), "Disetujui", "Berkas", "SHA-256 (awal)"]
    sheet.row(header, style=Style.HEADER)
    zone = report.provenance.built_at.tzinfo
    for division, index, path, at, digest in report.approvals:
        sheet.row(
            [
                division,
                period.short_label(index),
                long_datetime(at.astimezone(zone)),
                path,
                digest[:16],
            ]
        )
    for division, index in report.figures.missing:
        sheet.row(
            [
                (division, Style.MISSING),
                (period.short_label(index), Style.MISSING),
                (report.not_approved(division, index), Style.MISSING),
                (None, Style.MISSING),
                (None, Style.MISSING),
            ]
        )
