"""The Excel engine (xlwings), with xlwings replaced.

Excel cannot run here: `xlwings` is the stand-in of tests/support/fake_xlwings, which opens real
files and records what the engine asks Excel to do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from support.engine import EngineError
from support.engine_excel import ExcelEngine
from support.xlwings_stub import install_fake_xlwings


def _clerk_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Rencana Aksi"
    workbook.active.append(("Indikator", "Target", "Realisasi", "Capaian (%)"))
    workbook.active.append(("KTP-el", 90, 81, "=IF(B2=0,0,C2/B2*100)"))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


@pytest.fixture
def xw(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return install_fake_xlwings(monkeypatch)


def test_excel_engine_recalculates_before_saving_and_exports_pdf(
    xw: ModuleType, tmp_path: Path
) -> None:
    sources = [_clerk_workbook(tmp_path / "masuk" / f"{n}.xlsx") for n in ("a", "b")]
    with ExcelEngine() as engine:
        recalculated = engine.recalculate(sources, tmp_path / "hasil")
        pdfs = engine.to_pdf(sources, tmp_path / "pdf")

    assert recalculated == [tmp_path / "hasil" / "a.xlsx", tmp_path / "hasil" / "b.xlsx"]
    assert [p.read_bytes()[:5] for p in pdfs] == [b"%PDF-", b"%PDF-"]
    kinds = [action[0] for action in xw.ACTIONS]
    assert kinds.count("app") == 1  # one hidden Excel for the engine's life
    assert kinds[:5] == ["app", "open", "calculate", "save", "close"]
    assert kinds[-1] == "quit"
    assert xw.ACTIONS[0][1:] == (False, False)  # invisible, no empty book
    assert not [p for p in (tmp_path / "hasil").iterdir() if p.name.startswith(".")]


def test_excel_engine_names_the_file_excel_cannot_open(xw: ModuleType, tmp_path: Path) -> None:
    good = _clerk_workbook(tmp_path / "masuk" / "baik.xlsx")
    bad = _clerk_workbook(tmp_path / "masuk" / "rusak.xlsx")
    with ExcelEngine() as engine, pytest.raises(EngineError, match=r"rusak\.xlsx") as caught:
        engine.recalculate([good, bad], tmp_path / "hasil")
    assert caught.value.failed == (bad,)
    assert caught.value.outputs == (tmp_path / "hasil" / "baik.xlsx",)


def test_excel_engine_without_excel_says_so_in_indonesian(
    xw: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_XLWINGS_NO_EXCEL", "1")
    with ExcelEngine() as engine, pytest.raises(EngineError, match="tidak dapat dijalankan"):
        engine.to_pdf([_clerk_workbook(tmp_path / "masuk" / "a.xlsx")], tmp_path / "pdf")


def test_excel_engine_without_xlwings_points_to_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlwings", None)  # import xlwings -> ImportError
    with pytest.raises(EngineError, match=r"ekstra \[excel\], lihat macros/README.md"):
        ExcelEngine()
