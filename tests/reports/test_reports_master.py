"""The master workbook's optional report data: capaian options, predikat bands, budget.

Optional means an older master workbook without them still loads with the defaults; when
present, every problem is reported by sheet and cell like the rest of the master.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook

from watcher.errors import MasterDataError
from watcher.masterdata.load import load_master
from watcher.masterdata.model import DEFAULT_BANDS, BudgetLine, MinimalFormula, PredikatBand
from watcher.masterdata.sample import sample_master
from watcher.masterdata.write import write_master

# Sample rows: Indikator row 9 = DAF-04 (Minimal), row 21 = PDIP-04; columns N Rumus Capaian
# Minimal, O Batas Capaian (%), P Target Akhir Renstra, Q Realisasi Tahun Lalu.
# Predikat rows 2-6 = Sangat Baik .. Sangat Kurang; Anggaran rows 2-6 = the five divisions.


def written(folder: Path, *edits: tuple[str, str, object]) -> Path:
    path = folder / "data_induk_kinerja.xlsx"
    write_master(sample_master(), path)
    workbook = load_workbook(path)
    for sheet, cell, value in edits:
        workbook[sheet][cell] = value
    workbook.save(path)
    return path


def problems(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(MasterDataError) as caught:
        load_master(path)
    return [(p.sheet, p.cell, p.message) for p in caught.value.problems]


def test_options_survive_a_round_trip(tmp_path: Path) -> None:
    sample = sample_master()
    indicators = tuple(
        dataclasses.replace(i, minimal_formula=MinimalFormula.INVERSE, cap=120.0)
        if i.code == "DAF-04"
        else i
        for i in sample.indicators
    )
    bands = (PredikatBand("Memuaskan", 85.0), PredikatBand("Belum Memuaskan", None))
    master = dataclasses.replace(sample, indicators=indicators, bands=bands)
    path = tmp_path / "data_induk_kinerja.xlsx"
    write_master(master, path)

    assert load_master(path) == master


def test_sample_carries_budget_renstra_and_last_year() -> None:
    sample = sample_master()
    daf01 = next(i for i in sample.indicators if i.code == "DAF-01")

    assert sample.bands == DEFAULT_BANDS
    assert (
        BudgetLine("DAFDUK", "Program Pendaftaran Penduduk", 685_000_000.0, 641_250_000.0)
        in sample.budget
    )
    assert (daf01.renstra_target, daf01.previous_realisation) == (99.5, 98.6)


def test_an_older_master_without_the_optional_data_still_loads(tmp_path: Path) -> None:
    path = written(tmp_path)
    workbook = load_workbook(path)
    del workbook["Predikat"]
    del workbook["Anggaran"]
    workbook["Indikator"].delete_cols(14, 4)
    workbook.save(path)

    master = load_master(path)

    assert master.bands == DEFAULT_BANDS and master.budget == ()
    assert all(
        i.minimal_formula is MinimalFormula.SPECIAL and i.cap is None for i in master.indicators
    )


def test_formula_text_is_read_loosely(tmp_path: Path) -> None:
    path = written(tmp_path, ("Indikator", "N9", " t / r "))

    daf04 = next(i for i in load_master(path).indicators if i.code == "DAF-04")

    assert daf04.minimal_formula is MinimalFormula.INVERSE


BROKEN = [
    pytest.param(
        [("Indikator", "N9", "R/T")],
        [("Indikator", "N9", "rumus 'R/T' tidak dikenal; pilih (2T-R)/T atau T/R")],
        id="unknown_formula",
    ),
    pytest.param(
        [("Indikator", "O21", "seratus")],
        [("Indikator", "O21", "'Batas Capaian (%)' harus angka, tertulis 'seratus'")],
        id="cap_not_a_number",
    ),
    pytest.param(
        [("Indikator", "O21", 0)],
        [("Indikator", "O21", "'Batas Capaian (%)' harus lebih dari 0 (misalnya 120)")],
        id="cap_zero",
    ),
    pytest.param(
        [("Predikat", "B3", 90)],
        [("Predikat", "B3", "batas 90 sudah dipakai 'Sangat Baik'")],
        id="band_bound_twice",
    ),
    pytest.param(
        [("Predikat", "B6", 40)],
        [
            (
                "Predikat",
                "B2",
                "tepat satu predikat (yang terendah) harus dikosongkan batasnya, tertulis 0",
            )
        ],
        id="no_lowest_band",
    ),
    pytest.param(
        [("Predikat", "A4", None)],
        [("Predikat", "A4", "'Predikat' wajib diisi")],
        id="band_without_name",
    ),
    pytest.param(
        [("Anggaran", "A3", "HUMAS")],
        [("Anggaran", "A3", "bidang 'HUMAS' tidak ada di lembar Bidang")],
        id="budget_unknown_division",
    ),
    pytest.param(
        [("Anggaran", "D4", 600_000_000)],
        [("Anggaran", "D4", "realisasi (600.000.000) melebihi pagu (540.000.000)")],
        id="budget_spent_over_ceiling",
    ),
    pytest.param(
        [("Anggaran", "C5", "-")],
        [("Anggaran", "C5", "'Pagu' harus angka, tertulis '-'")],
        id="budget_ceiling_not_a_number",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), BROKEN)
def test_each_problem_is_reported_at_its_cell(
    tmp_path: Path, edits: list[tuple[str, str, object]], expected: list[tuple[str, str, str]]
) -> None:
    assert problems(written(tmp_path, *edits)) == expected
