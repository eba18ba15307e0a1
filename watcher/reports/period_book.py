"""The period report as a workbook: Ringkasan, a sheet per division, Ketepatan Waktu, Grafik."""

from __future__ import annotations

from functools import partial

from watcher.masterdata.capaian import formula_text, predikat, zero_target_text
from watcher.reports.context import PeriodReport, RowWording
from watcher.reports.figures import DivisionBlock, Line
from watcher.reports.identity_memo import IdentityMemo
from watcher.reports.pdf import percent_text
from watcher.reports.period_timeliness import TIMELINESS_WIDTHS, timeliness_sheet
from watcher.reports.sheets import (
    aggregate_note,
    bands_text,
    capaian_cell,
    height,
    merged_note,
    number_cell,
    predikat_cell,
    report_book,
    sheet_name,
    title_rows,
)
from watcher.reports.xlsx import BarChart, Sheet, Style, cells_xml
from watcher.sop.indonesian import long_datetime

CHART_LIMIT = 100  # more bars than this make an unreadable chart; the table stays


def _columns(tw: str) -> tuple[tuple[str, float], ...]:
    """(header, width) of each column; `tw` names the period ("TW III", "Maret")."""
    return (
        ("No", 5),
        ("Bidang", 18),
        ("Sasaran Strategis", 26),
        ("Kode", 9),
        ("Indikator Kinerja", 34),
        ("Satuan", 9),
        (f"Target {tw}", 10),
        (f"Realisasi {tw}", 10),
        (f"Capaian {tw} (%)", 10),
        ("Predikat", 12),
        (f"Target s.d. {tw}", 10),
        (f"Realisasi s.d. {tw}", 10),
        (f"Capaian s.d. {tw} (%)", 11),
        ("Kendala", 32),
        ("Tindak Lanjut", 32),
        ("Keterangan", 20),
    )


_WIDTHS = tuple(width for _, width in _columns(""))


def division_rows(wording: RowWording, block: DivisionBlock) -> list[EncodedRow]:
    """A division's rows, remembered for the same block in the same wording: encoded once for
    the build (as soon as the division is read) and for the service's rebuilds."""
    return _ENCODED.get(
        (block, wording.master, wording.period),
        (_WIDTHS, wording.not_approved, wording.index),
        partial(_encode_block, wording, block),
    )


def period_workbook(report: PeriodReport) -> bytes:
    book = report_book(report)
    columns = _columns(report.short_label)
    taken = {"ringkasan", "ketepatan waktu", "grafik"}
    encoded = {
        index: division_rows(report.row_wording(block.division.code), block)
        for index, block in enumerate(report.figures.blocks)
    }
    footer = f"{report.title} - {report.master.settings.office_name}"
    with book.sheet(
        "Ringkasan", [w for _, w in columns], freeze_rows=6, title_rows=(6, 6), footer=footer
    ) as sheet:
        _summary(sheet, report, columns, encoded)
    for index, block in enumerate(report.figures.blocks):
        name = sheet_name(block.division.code, taken)
        with book.sheet(
            name, [w for _, w in columns], freeze_rows=8, title_rows=(8, 8), footer=footer
        ) as sheet:
            _division(sheet, report, block, columns, encoded[index])
    with book.sheet(
        "Ketepatan Waktu",
        TIMELINESS_WIDTHS,
        freeze_rows=4,
        footer=footer,
    ) as sheet:
        timeliness_sheet(sheet, report)
    # Both charts on one page while they stay readable; past that, as many pages as it takes.
    pages_high = 1 if len(report.figures.lines) <= ONE_PAGE_CHARTS else 0
    with book.sheet("Grafik", CHART_WIDTHS, footer=footer, pages_high=pages_high) as sheet:
        _charts(sheet, report)
    return book.finish()


def _heading(report: PeriodReport) -> list[str]:
    figures = report.figures
    average = figures.average
    return [
        report.master.settings.office_name,
        report.title.upper(),
        f"Periode {report.span}; disusun {long_datetime(report.provenance.built_at)}; "
        f"{len(figures.approved)} dari {len(figures.blocks)} bidang disetujui "
        f"{report.words.approver}",
        f"Capaian rata-rata {percent_text(average)}%"
        + (f" ({_predikat(report, average)})" if average is not None else ""),
    ]


def _predikat(report: PeriodReport, value: float | None) -> str:
    return predikat(value, report.figures.bands) or "-"


EncodedRow = tuple[str, float | None]  # the cells after "No", encoded once, and the height


def _summary(
    sheet: Sheet,
    report: PeriodReport,
    columns: tuple[tuple[str, float], ...],
    encoded: dict[int, list[EncodedRow]],
) -> None:
    title_rows(sheet, _heading(report), len(columns))
    sheet.skip()
    header = sheet.row([name for name, _ in columns], style=Style.HEADER, height=40)
    number = 0
    for index in range(len(report.figures.blocks)):
        for cells, row_height in encoded[index]:
            number += 1
            sheet.row_xml(cells_xml([number], Style.CENTER) + cells, height=row_height)
    sheet.autofilter(header, sheet.next_row - 1)
    _footnotes(sheet, report, [w for _, w in columns])


# A division's rows, for the same block (`figures.period_figures` hands an unchanged division's
# back) in the same report wording.
_ENCODED: IdentityMemo[list[EncodedRow]] = IdentityMemo(2048)


def _encode_block(wording: RowWording, block: DivisionBlock) -> list[EncodedRow]:
    return [_encode(wording, block, line) for line in block.lines]


def _encode(wording: RowWording, block: DivisionBlock, line: Line) -> EncodedRow:
    """One indicator's cells (all but "No"), encoded once for the summary and its sheet."""
    indicator, reading = line.indicator, line.reading
    kendala = reading.kendala if reading else ""
    follow_up = reading.follow_up if reading else ""
    notes = _line_notes(wording, block, line)
    missing = block.submission is None
    cells: list[object] = [
        block.division.name,
        indicator.goal,
        indicator.code,
        indicator.name,
        indicator.unit,
        number_cell(line.current.target),
        (wording.not_approved, Style.MISSING) if missing else number_cell(line.current.realisation),
        capaian_cell(line.current),
        predikat_cell(line.current, wording.master.bands),
        number_cell(line.to_date.figure.target),
        number_cell(line.to_date.figure.realisation),
        capaian_cell(line.to_date.figure),
        kendala,
        follow_up,
        (notes, Style.MISSING if missing else Style.CELL),
    ]
    texts = [
        (block.division.name, _WIDTHS[1]),
        (indicator.goal, _WIDTHS[2]),
        (indicator.name, _WIDTHS[4]),
        (kendala, _WIDTHS[13]),
        (follow_up, _WIDTHS[14]),
        (notes, _WIDTHS[15]),
    ]
    return cells_xml(cells), height(texts)


def _line_notes(wording: RowWording, block: DivisionBlock, line: Line) -> str:
    notes = []
    if block.submission is None:
        notes.append(wording.not_approved)
    elif line.reading and line.reading.status and line.reading.status != "Final":
        notes.append(f"Data {line.reading.status.lower()}")
    if line.current.target == 0:
        rules = wording.master.settings.capaian_rules
        notes.append(f"Target {wording.period.noun} 0: {zero_target_text(rules)}")
    gap = aggregate_note(line.to_date, wording.index, wording.period)
    if gap:
        notes.append(gap)
    return "; ".join(notes)


def _footnotes(sheet: Sheet, report: PeriodReport, widths: list[float]) -> None:
    sheet.skip()
    notes = [
        formula_text(report.master.settings.capaian_rules, report.period.noun),
        bands_text(report.figures.bands),
        f"Sumber: versi terakhir yang disetujui {report.words.approver} tiap bidang (salinan "
        f"arsip); sidik sumber {report.provenance.fingerprint}.",
        f"{report.provenance.chain_line}.",
    ]
    for note in notes:
        merged_note(sheet, note, widths)


def _division(
    sheet: Sheet,
    report: PeriodReport,
    block: DivisionBlock,
    columns: tuple[tuple[str, float], ...],
    encoded: list[EncodedRow],
) -> None:
    division, submission, words = block.division, block.submission, report.words
    if submission is None:
        approval = f"Status: belum disetujui {words.approver} untuk {report.period.noun} ini."
    else:
        a = submission.approval
        at = a.at_utc.astimezone(report.provenance.built_at.tzinfo)
        approval = (
            f"Disetujui {words.approver} {long_datetime(at)}"
            f"{f' oleh {a.actor}' if a.actor else ''}; berkas {a.path}; SHA-256 {a.file_hash[:16]}"
        )
    average = block.average
    note = submission.kabid_note if submission and submission.kabid_note else "-"
    title_rows(
        sheet,
        [
            f"{division.name} ({division.code})",
            report.title,
            f"{words.head}: {division.head_name}; Kasubag/Kasubid: {division.subhead_name}",
            approval,
            f"{words.note}: {note}",
            f"Capaian rata-rata bidang: {percent_text(average)}%",
        ],
        len(columns),
    )
    sheet.skip()
    header = sheet.row([name for name, _ in columns], style=Style.HEADER, height=40)
    for number, (cells, row_height) in enumerate(encoded, start=1):
        sheet.row_xml(cells_xml([number], Style.CENTER) + cells, height=row_height)
    sheet.autofilter(header, sheet.next_row - 1)


CHART_WIDTHS = [34, 12, 16, 44]  # the tables; the charts stand right of them, from column E
ONE_PAGE_CHARTS = 40  # indicators; the chart sheet fits one page up to this many


def _charts(sheet: Sheet, report: PeriodReport) -> None:
    """Two tables with their charts. Categories are short (a division's name, an indicator's
    code) and every one is labelled; rows are as tall as their wrapped text."""
    blocks = report.figures.blocks
    title_rows(sheet, [f"Grafik Capaian - {report.title}"], 14)
    sheet.skip()
    sheet.row(["Bidang", "Rata-rata Capaian (%)", "Indikator Dinilai"], style=Style.HEADER,
              height=30)  # fmt: skip
    first = sheet.next_row
    for block in blocks:
        known = sum(1 for line in block.lines if line.current.capaian is not None)
        name = block.division.name
        sheet.row(
            [(name, Style.CELL), (block.average, Style.PERCENT), (known, Style.CENTER)],
            height=height([(name, CHART_WIDTHS[0])]),
        )
    last = sheet.next_row - 1
    if 0 < len(blocks) <= CHART_LIMIT:
        sheet.chart(
            BarChart(
                "Rata-rata capaian per bidang",
                "Capaian (%)",
                (first, 1, last),
                (first, 2, last),
                tuple(b.division.name for b in blocks),
                tuple(b.average for b in blocks),
                (4, 1, 14, 3 + max(12, 2 * len(blocks))),
                reference_line=100.0,
            )
        )
    lines = report.figures.lines
    if not 0 < len(lines) <= CHART_LIMIT:
        sheet.skip()
        sheet.row(
            [
                f"Grafik per indikator tidak dibuat untuk lebih dari {CHART_LIMIT} indikator; "
                "lihat lembar Ringkasan."
            ],
            style=Style.NOTE,
        )
        return
    sheet.skip()
    sheet.row(["Kode", "Capaian (%)", "Predikat", "Indikator Kinerja"], style=Style.HEADER)
    start = sheet.next_row
    for line in lines:
        name = line.indicator.name
        sheet.row(
            [
                (line.indicator.code, Style.CELL),
                (line.current.capaian, Style.PERCENT),
                (line.current.predikat or "-", Style.CENTER),
                (name, Style.CELL),
            ],
            height=height([(name, CHART_WIDTHS[3])]),
        )
    end = sheet.next_row - 1
    top = max(18, 5 + 2 * len(blocks))
    sheet.chart(
        BarChart(
            "Capaian per indikator",
            "Capaian (%)",
            (start, 1, end),
            (start, 2, end),
            tuple(line.indicator.code for line in lines),
            tuple(line.current.capaian for line in lines),
            (4, top, 14, top + max(16, len(lines) + 2)),
            reference_line=100.0,
        )
    )
