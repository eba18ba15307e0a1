"""`kinerja excel-setup` and the config file the add-in, xlwings and the bridge share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from watcher.desk.excel_config import (
    CONF_ENV,
    ExcelConfigError,
    addin_settings,
    format_config,
    parse_config,
    read_config,
    user_config_path,
    write_config,
)
from watcher.desk.excel_setup import (
    describe_setup,
    excel_setup,
    excel_setup_arguments,
    source_path,
)
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.sop.load import load_sop, sample_sop_path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    init_tree(Tree(tmp_path / "kinerja"))
    return tmp_path / "kinerja"


def test_setup_writes_what_xlwings_and_the_add_in_read(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "profil" / ".xlwings" / "xlwings.conf"

    written = excel_setup(root, out=out, platform="win32")

    assert written == out
    raw = out.read_bytes()
    assert raw.endswith(b"\r\n") and b'"ADD_WORKBOOK_TO_PYTHONPATH","false"\r\n' in raw
    assert all(line.startswith(b'"') for line in raw.splitlines())  # what VBA's Write # writes
    pairs = read_config(out)
    assert pairs["INTERPRETER_WIN"] == sys.executable
    assert pairs["PYTHONPATH"] == source_path()
    assert pairs["UDF MODULES"] == ""
    settings = addin_settings(pairs, source=out)
    assert (settings.root, settings.step) == (root, 3)


def test_setup_keeps_other_keys_and_replaces_its_own(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "xlwings.conf"
    out.write_bytes(
        b'"LICENSE_KEY","abc"\r\n"KINERJA_FOLDER","Z:\\lama"\r\n"SHOW CONSOLE","True"\r\n'
    )

    excel_setup(root, out=out, step=4, platform="darwin", python=sys.executable)

    pairs = read_config(out)
    assert pairs["LICENSE_KEY"] == "abc" and pairs["SHOW CONSOLE"] == "True"
    assert pairs["KINERJA_FOLDER"] == str(root)
    assert pairs["KINERJA_LANGKAH"] == "4"
    assert pairs["KINERJA_LANGKAH_NAMA"] == "laporan data kinerja (langkah 4, Kasubag)"
    assert pairs["INTERPRETER_MAC"] == sys.executable
    assert "INTERPRETER_WIN" not in pairs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"root": "bukan-kinerja"}, "bukan folder kerja kinerja", id="no-inbox"),
        pytest.param({"python": "/tidak/ada/python"}, "tidak ditemukan", id="no-python"),
        pytest.param({"step": 5}, "Langkah 5 tidak dikenal", id="bad-step"),
    ],
)
def test_setup_refuses_what_would_not_work(
    root: Path, tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    if "root" in kwargs:
        (tmp_path / "bukan-kinerja").mkdir()
        kwargs = {**kwargs, "root": tmp_path / "bukan-kinerja"}
    arguments = {"root": root, "out": tmp_path / "x.conf"} | kwargs
    with pytest.raises(ExcelConfigError, match=message):
        excel_setup(**arguments)  # type: ignore[arg-type]
    assert not (tmp_path / "x.conf").exists()


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        pytest.param("win32", ".xlwings/xlwings.conf", id="windows"),
        pytest.param(
            "darwin", "Library/Containers/com.microsoft.Excel/Data/xlwings.conf", id="macos"
        ),
    ],
)
def test_user_config_is_where_xlwings_keeps_it(platform: str, expected: str) -> None:
    home = Path("/rumah/analis")
    assert user_config_path(platform=platform, home=home, environ={}) == home / expected


def test_the_environment_can_name_the_config(tmp_path: Path) -> None:
    named = tmp_path / "lain.conf"
    assert user_config_path(environ={CONF_ENV: str(named)}) == named


def test_config_text_round_trips_and_later_lines_win() -> None:
    text = format_config({"A": "1", "KINERJA_FOLDER": "\\\\server\\kinerja", "B": ""})
    assert text == '"A","1"\r\n"KINERJA_FOLDER","\\\\server\\kinerja"\r\n"B",""\r\n'
    assert parse_config(text + '"A","2"\r\n') == {
        "A": "2",
        "KINERJA_FOLDER": "\\\\server\\kinerja",
        "B": "",
    }
    assert parse_config('"SHOW CONSOLE",#TRUE#\n\njunk\n') == {"SHOW CONSOLE": "#TRUE#"}


def test_values_vba_cannot_write_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExcelConfigError, match="tanda kutip"):
        write_config(tmp_path / "x.conf", {"KINERJA_FOLDER": 'Z:\\"kinerja"'})
    assert not (tmp_path / "x.conf").exists()


def test_a_missing_file_reads_as_no_settings(tmp_path: Path) -> None:
    assert read_config(tmp_path / "belum-ada.conf") == {}
    with pytest.raises(ExcelConfigError, match="belum diatur"):
        addin_settings({}, source=tmp_path / "belum-ada.conf")


def test_the_command_options_and_summary(root: Path, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    excel_setup_arguments(parser)
    args = parser.parse_args(["--langkah", "4", "--out", str(tmp_path / "x.conf")])
    path = excel_setup(root, python=args.python, out=args.out, step=args.langkah)
    summary = describe_setup(path).splitlines()
    assert f"  Folder       : {root}" in summary
    assert "  Langkah      : laporan data kinerja (langkah 4, Kasubag)" in summary
    choices = summary.index("Langkah kirim SOP 010 (ganti dengan --langkah NOMOR, atau dengan "
                            "tombol Pilih Langkah di Excel):")  # fmt: skip
    assert summary[choices + 1 : choices + 3] == [
        "   3  Analis Data: bahan laporan data kinerja",
        "   4  Kasubag: laporan data kinerja",
    ]
    with pytest.raises(SystemExit):
        parser.parse_args(["--langkah", "lima"])


def test_setup_offers_the_trees_own_sop_submissions(tmp_path: Path) -> None:
    monthly = load_sop(sample_sop_path("sop_contoh_bulanan.toml"))
    init_tree(Tree(tmp_path / "kinerja"), monthly)

    with pytest.raises(ExcelConfigError, match=r"pilih 2 \(Pengelola Data\)"):
        excel_setup(tmp_path / "kinerja", out=tmp_path / "x.conf", step=4)
    path = excel_setup(tmp_path / "kinerja", out=tmp_path / "x.conf")

    assert read_config(path)["KINERJA_LANGKAH"] == "2"
    summary = describe_setup(path)
    assert "  Langkah      : data kinerja bidang (langkah 2, Pengelola Data)" in summary
    assert "Langkah kirim SOP 003/SEKR" in summary
    assert "   2  Pengelola Data: data kinerja bidang" in summary
    assert "Analis Data" not in summary and "Kasubag" not in summary
