"""Reading report files back as a reviewer does: a sheet's table by its header, a row's capaian
recomputed from its own cells, a PDF's text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook

from watcher.masterdata.capaian import NOT_ASSESSABLE, capaian
from watcher.masterdata.model import Indicator, MasterData


def table(path: Path, sheet: str, header_row: int) -> list[dict[str, object]]:
    """The rows under `header_row` that have a number and a code, by header."""
    rows = list(load_workbook(path)[sheet].iter_rows(min_row=header_row, values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if r and r[0] and r[3]]


def recomputed(indicator: Indicator, master: MasterData, target: object, real: object) -> object:
    """What a reviewer writes in the capaian cell from the row's target and realisation."""
    if real is None or (isinstance(real, str) and real.startswith("Belum disetujui ")):
        return None
    assert isinstance(target, int | float) and isinstance(real, int | float)
    value = capaian(
        target,
        real,
        indicator.polarity,
        formula=indicator.minimal_formula,
        cap=indicator.cap,
        rules=master.settings.capaian_rules,
    )
    return NOT_ASSESSABLE if value is None else value


def check(
    row: dict[str, object], master: MasterData, target: str, real: str, result: str
) -> object:
    """Assert the row's `result` cell is the capaian of its `target` and `real` cells."""
    indicator = next(i for i in master.indicators if i.code == row["Kode"])
    expected = recomputed(indicator, master, row[target], row[real])
    assert row[result] == expected, (row["Kode"], target, row[target], row[real], row[result])
    return expected


def pdf_text(path: Path, *pages: int) -> str:
    """The PDF's text laid out as printed (pdftotext), of `pages` (first, last) or all."""
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    result = subprocess.run(
        ["pdftotext", "-layout", *span, str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout
