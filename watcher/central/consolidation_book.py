"""The consolidation as a workbook: Ringkasan (one row per office), Capaian (every office's
indicators), Ketepatan Waktu (every expected report) and, when offices link indicators to the
kabupaten's IKU, Kaskade IKU. Written with the office reports' writer and cell helpers, so a
figure looks the same in both."""

from __future__ import annotations

from watcher.central.cascade import CascadeRow
from watcher.central.consolidate import APPROVED, Consolidation, OfficeResult, Timeliness
from watcher.masterdata.capaian import predikat
from watcher.reports.pdf import percent_text
from watcher.reports.sheets import (
    band_style,
    capaian_cell,
    height,
    merged_note,
    number_cell,
    predikat_cell,
    title_rows,
)
from watcher.reports.xlsx import Sheet, Style, XlsxBook
from watcher.sop.indonesian import long_datetime

SUMMARY = (
    ("No", 5),
    ("Kode Kantor", 16),
    ("Nama Kantor", 34),
    ("Kabupaten", 11),
    ("Kiriman", 22),
    ("Bidang", 8),
    ("Disetujui", 10),
    ("Tepat Waktu", 10),
    ("Terlambat", 10),
    ("Angka Belum Diterima", 12),
    ("Belum Disetujui", 10),
    ("Capaian Rata-rata (%)", 11),
    ("Predikat", 13),
    ("Rantai di Pusat", 10),
    ("Kejadian Terakhir", 24),
)
TIMELINESS = (
    ("No", 5),
    ("Kode Kantor", 16),
    ("Nama Kantor", 30),
    ("Kode Bidang", 14),
    ("Bidang", 30),
    ("Keadaan", 22),
    ("Keterangan", 50),
)
STATE_STYLES = {
    Timeliness.ON_TIME: Style.CELL,
    Timeliness.LATE: Style.LATE,
    Timeliness.PENDING: Style.MISSING,
    Timeliness.NOT_APPROVED: Style.LATE,
    Timeliness.MISSING: Style.LATE,
}


def _indicator_columns(tw: str) -> tuple[tuple[str, float], ...]:
    """An office indicator's columns and its figures of the period, shared by both sheets."""
    return (
        ("Nama Kantor", 24),
        ("Bidang", 18),
        ("Kode", 9),
        ("Indikator Kinerja", 34),
        ("Satuan", 9),
        (f"Target {tw}", 10),
        (f"Realisasi {tw}", 10),
        (f"Capaian {tw} (%)", 10),
        ("Predikat", 12),
    )


def _figure_columns(tw: str) -> tuple[tuple[str, float], ...]:
    return (
        ("No", 5),
        ("Kode Kantor", 14),
        *_indicator_columns(tw),
        (f"Target s.d. {tw}", 10),
        (f"Realisasi s.d. {tw}", 10),
        (f"Capaian s.d. {tw} (%)", 11),
        ("IKU Kabupaten", 12),
        ("Keterangan", 24),
    )


def _cascade_columns(tw: str) -> tuple[tuple[str, float], ...]:
    return (
        ("No", 5),
        ("Kode IKU", 12),
        ("IKU Kabupaten", 30),
        ("Target Kabupaten", 11),
        *_indicator_columns(tw),
    )


def consolidation_workbook(result: Consolidation) -> bytes:
    book = XlsxBook(title=result.title, created=result.built_at, keywords=result.summary())
    footer = f"{result.title} - {result.region.name}"
    tw = result.period.short_label(result.index)
    parts = [
        ("Ringkasan", SUMMARY, _summary),
        ("Capaian", _figure_columns(tw), _figures),
        ("Ketepatan Waktu", TIMELINESS, _timeliness),
    ]
    if result.cascade:
        parts.append(("Kaskade IKU", _cascade_columns(tw), _cascade))
    for name, columns, write in parts:
        widths = [w for _, w in columns]
        with book.sheet(name, widths, freeze_rows=6, title_rows=(6, 6), footer=footer) as sheet:
            title_rows(sheet, _heading(result, name), len(columns))
            sheet.skip()
            header = sheet.row([n for n, _ in columns], style=Style.HEADER, height=40)
            write(sheet, result)
            sheet.autofilter(header, sheet.next_row - 1)
            if name == "Ringkasan":
                _footnotes(sheet, widths)
    return book.finish()


def _heading(result: Consolidation, sheet: str) -> list[str]:
    region = result.region
    return [
        f"{region.name} ({region.region_id})",
        f"{result.title.upper()} - {sheet.upper()}",
        f"Disusun {long_datetime(result.built_at)}: {result.summary()}",
        f"Capaian rata-rata seluruh indikator kantor yang dinilai: {percent_text(result.average)}%",
    ]


def _summary(sheet: Sheet, result: Consolidation) -> None:
    for number, office in enumerate(result.offices, start=1):
        report = office.report
        divisions = [e for e in office.expected if e.code]
        average = report.figures.average if report else None
        label = predikat(average, report.figures.bands) if report else None
        chain = office.chain
        sheet.row(
            [
                (number, Style.CENTER),
                office.office_id,
                office.name,
                office.region_id,
                ("mengirim", Style.CELL) if office.sent else (office.reason, Style.LATE),
                (len(divisions) if report else None, Style.NUMBER),
                (sum(1 for e in divisions if e.state in APPROVED), Style.NUMBER),
                (office.count(Timeliness.ON_TIME), Style.NUMBER),
                (office.count(Timeliness.LATE), Style.NUMBER),
                (office.count(Timeliness.PENDING), Style.NUMBER),
                (office.count(Timeliness.NOT_APPROVED), Style.NUMBER),
                (average, Style.PERCENT),
                (label or "-", band_style(label, report.figures.bands) if report else Style.CENTER),
                (f"#{chain.seq}" if chain.seq else "-", Style.CENTER),
                long_datetime(chain.last_at.astimezone(result.built_at.tzinfo))
                if chain.last_at
                else "-",
            ],
            height=height([(office.name, SUMMARY[2][1])]),
        )


def _figures(sheet: Sheet, result: Consolidation) -> None:
    number = 0
    for office in result.offices:
        report = office.report
        if report is None:
            number += 1
            sheet.row(
                [
                    (number, Style.CENTER),
                    office.office_id,
                    office.name,
                    *[("", Style.MISSING)] * 12,
                    (office.reason, Style.MISSING),
                ]
            )
            continue
        bands = report.figures.bands
        for block in report.figures.blocks:
            approved = block.submission is not None
            state = office.state_of(block.division.code)
            note = "" if approved else report.not_approved(block.division.code)
            note = Timeliness.PENDING.value if state is Timeliness.PENDING else note
            for line in block.lines:
                number += 1
                indicator = line.indicator
                sheet.row(
                    [
                        (number, Style.CENTER),
                        office.office_id,
                        office.name,
                        block.division.name,
                        indicator.code,
                        indicator.name,
                        indicator.unit,
                        number_cell(line.current.target),
                        (note, Style.MISSING) if note else number_cell(line.current.realisation),
                        capaian_cell(line.current),
                        predikat_cell(line.current, bands),
                        number_cell(line.to_date.figure.target),
                        number_cell(line.to_date.figure.realisation),
                        capaian_cell(line.to_date.figure),
                        indicator.iku,
                        (note, Style.MISSING if note else Style.CELL),
                    ],
                    height=height([(indicator.name, 34), (office.name, 24)]),
                )


def _timeliness(sheet: Sheet, result: Consolidation) -> None:
    number = 0
    for office in _problems_first(result):
        for expected in office.expected:
            number += 1
            sheet.row(
                [
                    (number, Style.CENTER),
                    office.office_id,
                    office.name,
                    expected.code,
                    expected.name,
                    (expected.state.value, STATE_STYLES[expected.state]),
                    expected.note,
                ],
                height=height([(office.name, 30), (expected.note, 50)]),
            )


def _problems_first(result: Consolidation) -> list[OfficeResult]:
    """Offices that sent nothing first, then those with reports missing or late."""
    return sorted(
        result.offices, key=lambda o: (o.sent, o.count(Timeliness.ON_TIME) == len(o.expected))
    )


def _cascade(sheet: Sheet, result: Consolidation) -> None:
    number = 0
    for row in result.cascade:
        _cascade_group(sheet, row, len(_cascade_columns("")))
        for linked in row.lines:
            number += 1
            line = linked.line
            sheet.row(
                [
                    (number, Style.CENTER),
                    row.iku.code,
                    row.iku.name,
                    number_cell(row.iku.target),
                    linked.office_name,
                    linked.division.name,
                    line.indicator.code,
                    line.indicator.name,
                    line.indicator.unit,
                    number_cell(line.current.target),
                    number_cell(line.current.realisation)
                    if linked.approved
                    else ("belum disetujui", Style.MISSING),
                    capaian_cell(line.current),
                    predikat_cell(line.current, linked.bands),
                ],
                height=height([(line.indicator.name, 34), (row.iku.name, 30)]),
            )


def _cascade_group(sheet: Sheet, row: CascadeRow, columns: int) -> None:
    unit = f" ({row.iku.unit})" if row.iku.unit else ""
    text = f"{row.iku.code} {row.iku.name}{unit}: {len(row.lines)} indikator kantor terkait" + (
        f", capaian rata-rata {percent_text(row.average)}%" if row.lines else ""
    )
    number = sheet.row([text], style=Style.BOLD_CELL)
    sheet.merge(number, 1, number, columns)


def _footnotes(sheet: Sheet, widths: list[float]) -> None:
    sheet.skip()
    for note in (
        "Laporan yang diharapkan: setiap kantor terdaftar dikali bidang di data induknya. Kantor "
        "yang tidak mengirim tidak pernah dihitung tepat waktu.",
        "Capaian, predikat dan ketepatan waktu dihitung dengan aturan tiap kantor (SOP, data "
        "induk, batas predikat) dari kiriman kantor itu, sama dengan laporan kantor sendiri.",
        "Rantai di pusat: nomor kejadian terakhir log kantor yang dipegang pusat.",
    ):
        merged_note(sheet, note, widths)
