"""The tidy dataset across offices: the office export's table (`reports.dataset`, the same rows
the office's own `kinerja ekspor` writes for the year through the period), each row led by the
region and the office, plus one row per registered office that sent nothing, so a pivot table
shows it missing instead of silently leaving it out."""

from __future__ import annotations

import pandas as pd

from watcher.central.consolidate import Consolidation, Timeliness
from watcher.reports.dataset import COLUMNS, dataset_frame

OFFICE_COLUMNS = ("kode_wilayah", "kode_kantor", "kantor")


def consolidation_frame(result: Consolidation) -> pd.DataFrame:
    frames = []
    for office in result.offices:
        lead = {"kode_wilayah": office.region_id, "kode_kantor": office.office_id,
                "kantor": office.name}  # fmt: skip
        if office.period is None:
            frame = pd.DataFrame(
                [{**lead, "tahun": result.year, "status": Timeliness.MISSING.value}]
            )
        else:
            report = office.period.report
            own = dataset_frame(report.master, {result.year: office.period.submissions},
                                report.sop.period)  # fmt: skip
            frame = own.assign(**lead)
        frames.append(frame)
    period_column = result.period.noun if result.period.count > 1 else None
    columns = [*OFFICE_COLUMNS, *(c if c != "triwulan" else period_column for c in COLUMNS)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return table.reindex(columns=[c for c in columns if c is not None])
