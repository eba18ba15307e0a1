"""A clerk fills the issued workbook; a real spreadsheet program shows the capaian SOP rules give.

LibreOffice stands in for the clerk's Excel: it opens the openpyxl-written workbook,
recalculates the live capaian formulas and saves it; the values must equal `capaian()`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.office import issued_office
from support.sop010 import Folder

from watcher.masterdata.capaian import capaian
from watcher.masterdata.sample import sample_master
from watcher.workbook.layout import rencana_aksi_layout

LAYOUT = rencana_aksi_layout()
REALISATIONS = {  # division -> realisation per indicator row (None = left empty)
    "DAFDUK": [99.1, 98.0, 1100, 1.2],  # DAF-04 is lower-is-better (days)
    "PIAK": [26.5, 47.0, 99.5, 3],  # PIAK-04 lower-is-better, worse than target
    "PDIP": [22, 1, 80, 0],  # PDIP-04 has a zero target in TW III: cannot be assessed
    "SEKRETARIAT": [68.5, None, 72.0, 100],
}


def test_live_capaian_matches_the_sop_rules(tmp_path: Path, lo_engine) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    realisation, capaian_col = LAYOUT.column("realisation").letter, LAYOUT.column("capaian").letter
    first = LAYOUT.rows["first_data"]
    filled = []
    for code, values in REALISATIONS.items():
        path = tree.folder(code, Folder.DISPOSITION) / f"Rencana_Aksi_{code}_2026_TW3.xlsx"
        workbook = load_workbook(path)
        for position, value in enumerate(values):
            workbook[LAYOUT.main_sheet][f"{realisation}{first + position}"] = value
        target = tmp_path / "diisi" / path.name
        target.parent.mkdir(exist_ok=True)
        workbook.save(target)
        filled.append(target)

    outputs = lo_engine.recalculate(filled, tmp_path / "dihitung")

    master = sample_master()
    checked = 0
    for output in outputs:
        code = output.stem.split("_")[2]
        sheet = load_workbook(output, data_only=True)[LAYOUT.main_sheet]
        for position, indicator in enumerate(master.indicators_of(code)):
            value = REALISATIONS[code][position]
            shown = sheet[f"{capaian_col}{first + position}"].value
            expected = capaian(indicator.target(3), value, indicator.polarity)
            if value is None:
                assert shown in (None, ""), indicator.code
            elif expected is None:
                assert shown == "Tidak dapat dinilai", indicator.code
            else:
                assert shown == pytest.approx(expected, rel=1e-9), indicator.code
            checked += 1
    assert checked == 16
    # the lower-is-better rule, spelled out: DAF-04 target 1.5 days, realised 1.2 -> 120 %
    dafduk = load_workbook(outputs[0], data_only=True)[LAYOUT.main_sheet]
    assert dafduk[f"{capaian_col}{first + 3}"].value == pytest.approx(120.0)
