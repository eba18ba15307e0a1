"""The figures as one tidy table for analysts (`kinerja ekspor`): CSV and xlsx, with pandas.

One row per division, indicator, period and year: the SOP's periods (SOP 010: the four
quarters "TW I".."TW IV", in a column "triwulan"; a monthly SOP: "Januari".."Desember", in a
column "bulan") and the year ("Tahunan", aggregated as in the LKjIP). Every value is the one the
reports print, from the same figures (`figures_year`), so a pivot table of the export matches
the reports. A period without an approved workbook keeps its row, with its target and status
"Belum disetujui", so gaps show in a pivot instead of silently vanishing. A yearly SOP's one
period is the year: it has the year's rows only.

The CSV is written for Excel in the Indonesian locale: ";" between fields, a decimal comma and
UTF-8 with a byte-order mark (Excel then shows "Pelayanan Pencatatan Sipil" and "99,5" as they
are); `pandas.read_csv(path, sep=";", decimal=",")` reads it back.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from watcher.masterdata.model import MasterData
from watcher.reports.figures import Figure
from watcher.reports.figures_year import YearLine, grid, year_figures
from watcher.reports.gather import Submission
from watcher.sop.period import QUARTERLY, Period

APPROVED, NOT_APPROVED = "Disetujui", "Belum disetujui"
YEAR_PERIOD = "Tahunan"
COLUMNS = (
    "tahun",
    "periode",
    "triwulan",  # the period's number: named by the SOP's period ("bulan", "semester")
    "kode_bidang",
    "bidang",
    "sasaran_strategis",
    "kode_indikator",
    "indikator",
    "satuan",
    "polaritas",
    "agregasi",
    "target_tahunan",
    "target",
    "realisasi",
    "capaian",
    "predikat",
    "status",
    "status_data",
    "disetujui_wita",
    "disetujui_oleh",
    "sha256",
)


def dataset_frame(
    master: MasterData,
    submissions_by_year: Mapping[int, Mapping[tuple[str, int], Submission]],
    period: Period = QUARTERLY,
) -> pd.DataFrame:
    """The tidy table of every year given: (year -> (division, period) -> Submission)."""
    zone = ZoneInfo(master.settings.timezone)
    rows: list[dict[str, object]] = []
    for year, submissions in sorted(submissions_by_year.items()):
        for line in year_figures(master, year, submissions, period=period).lines:
            rows.extend(_rows(year, line, submissions, zone, period))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["triwulan"] = frame["triwulan"].astype("Int64")  # the year row has none
    if period.count == 1:  # the year is the one period: no period number to give
        return frame.drop(columns="triwulan")
    return frame.rename(columns={"triwulan": period.noun})


def _rows(
    year: int,
    line: YearLine,
    submissions: Mapping[tuple[str, int], Submission],
    zone: ZoneInfo,
    period: Period,
) -> Iterable[dict[str, object]]:
    division = line.division.code
    for index in grid(period):
        figure, reading = line.periods[index - 1], line.readings[index - 1]
        submission = submissions.get((division, index))
        approval = submission.approval if submission else None
        yield {
            **_common(year, line),
            "periode": period.short_label(index),
            "triwulan": index,
            **_figure(figure),
            "status": APPROVED if approval else NOT_APPROVED,
            "status_data": reading.status if reading else "",
            "disetujui_wita": approval.at_utc.astimezone(zone).replace(tzinfo=None)
            if approval
            else None,
            "disetujui_oleh": (approval.actor or "") if approval else "",
            "sha256": approval.file_hash if approval else "",
        }
    missing = period.short_labels(line.year.missing)
    yield {
        **_common(year, line),
        "periode": YEAR_PERIOD,
        "triwulan": None,
        **_figure(line.year.figure),
        "status": f"Tanpa {missing}" if missing else APPROVED,
        "status_data": "",
        "disetujui_wita": None,
        "disetujui_oleh": "",
        "sha256": "",
    }


def _common(year: int, line: YearLine) -> dict[str, object]:
    indicator = line.indicator
    return {
        "tahun": year,
        "kode_bidang": line.division.code,
        "bidang": line.division.name,
        "sasaran_strategis": indicator.goal,
        "kode_indikator": indicator.code,
        "indikator": indicator.name,
        "satuan": indicator.unit,
        "polaritas": indicator.polarity.value,
        "agregasi": indicator.aggregation.value,
        "target_tahunan": line.annual_target,
    }


def _figure(figure: Figure) -> dict[str, object]:
    return {
        "target": figure.target,
        "realisasi": figure.realisation,
        "capaian": figure.capaian,
        "predikat": figure.predikat or "",
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV for Excel in the Indonesian locale (see the module doc)."""
    text = frame.to_csv(sep=";", decimal=",", index=False, date_format="%Y-%m-%d %H:%M:%S")
    return text.encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """The table as one sheet "Data": header frozen, filters on, readable column widths."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Data", index=False)
        sheet = writer.sheets["Data"]
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, name in enumerate(frame.columns, start=1):
            longest = max([len(name), *(len(str(v)) for v in frame[name].head(200))])
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = min(max(longest + 2, 8), 60)
        approved_at = list(frame.columns).index("disetujui_wita") + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=approved_at, max_col=approved_at):
            cell.number_format = "yyyy-mm-dd hh:mm"
    return buffer.getvalue()


def dataset_name(years: Iterable[int]) -> str:
    """ "Data_Kinerja_2026", or "Data_Kinerja_2025-2026" for several years."""
    ordered = sorted(set(years))
    span = str(ordered[0]) if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"
    return f"Data_Kinerja_{span}"


def dataset_folder(outbox: Path) -> Path:
    return outbox / "data"
