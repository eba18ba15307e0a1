"""The `kinerja` command as a user meets it: Indonesian help, clear messages, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli_run import run_kinerja
from support.office import issued_office
from support.reports_office import approved_office

from watcher.cli import main
from watcher.commands import COMMANDS

kinerja = run_kinerja


def test_top_level_help_lists_every_command_in_indonesian() -> None:
    result = kinerja("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Penggunaan: kinerja")
    for name, command in COMMANDS.items():
        assert name in result.stdout and command.help in result.stdout
    assert "show this help" not in result.stdout and "usage:" not in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_indonesian_help(name: str) -> None:
    result = kinerja(name, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"Penggunaan: kinerja {name}")
    assert "--root" in result.stdout and "opsi:" in result.stdout
    assert "options:" not in result.stdout


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("issue", "--quarter", "5"), "--quarter harus 1-4 untuk periode triwulan"),
        (("issue", "--year", "duaribu"), "nilai 'duaribu' tidak valid"),
        (("laporan",), "pilihan 'laporan' tidak ada"),
        (("init", "--bogus"), "argumen tidak dikenal: --bogus"),
        (("sop", "--sop", "tidak-ada.toml"), "Berkas SOP tidak ditemukan"),
    ],
    ids=["quarter-out-of-range", "year-not-a-number", "unknown-command", "unknown-option",
         "missing-sop-file"],
)  # fmt: skip
def test_wrong_arguments_exit_2_with_an_indonesian_message(
    args: tuple[str, ...], phrase: str
) -> None:
    result = kinerja(*args)
    assert result.returncode == 2
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr


def test_main_job_until_the_watcher_exists(tmp_path: Path) -> None:
    """The README's first command: init then issue in the current folder."""
    assert kinerja("init", cwd=tmp_path).returncode == 0
    result = kinerja("issue", "--year", "2026", "--quarter", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "inbox" / "DAFDUK" / "1_disposisi" / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    assert expected.is_file() and str(expected) in result.stdout
    assert "[dibuat]" in result.stdout


def test_root_from_environment(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "KINERJA_ROOT": str(tmp_path / "kantor")}
    result = subprocess.run([sys.executable, "-m", "watcher", "init"], capture_output=True,
                            text=True, env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0
    assert (tmp_path / "kantor" / "data_induk" / "data_induk_kinerja.xlsx").is_file()


def test_a_file_where_the_master_should_be_is_a_clear_error(tmp_path: Path) -> None:
    master = tmp_path / "data_induk" / "data_induk_kinerja.xlsx"
    master.parent.mkdir()
    master.write_text("Kode;Nama\nA;B\n", encoding="utf-8")
    result = kinerja("issue", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "Data induk bermasalah" in result.stderr and "Traceback" not in result.stderr


def _json_of(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_verify_master_and_report_speak_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    root = ("--root", str(tree.root))
    code, master = _json_of(capsys, "master", "--json", *root)
    assert code == 0 and master["baik"] is True and master["tahun"] == 2026  # type: ignore[index]
    assert [d["kode"] for d in master["bidang"]][:2] == ["SEKRETARIAT", "DAFDUK"]  # type: ignore[index]

    approved_office(tree.root)
    code, report = _json_of(capsys, "report", "quarterly", "--year", "2026", "--quarter", "3",
                            "--json", *root)  # fmt: skip
    written = [Path(name) for name in report["berkas"]]  # type: ignore[index]
    assert code == 0 and {p.suffix for p in written} == {".xlsx", ".pdf"}
    assert all(p.is_file() for p in written)

    code, verified = _json_of(capsys, "verify", "--json", *root)
    assert code == 0 and verified["utuh"] is True and verified["masalah"] == []  # type: ignore[index]
    assert verified["jumlah_kejadian"] > 0 and verified["kepala_rantai"]["hash"]  # type: ignore[index]


def test_a_broken_master_is_listed_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    workbook = load_workbook(tree.master_path)
    del workbook["Bidang"]
    workbook.save(tree.master_path)
    code, master = _json_of(capsys, "master", "--json", "--root", str(tree.root))
    assert code == 1 and master["baik"] is False  # type: ignore[index]
    assert master["masalah"] and all(p["pesan"] for p in master["masalah"])  # type: ignore[index]


def test_kinerja_master_warns_of_a_year_without_cuti_bersama(tmp_path: Path) -> None:
    import dataclasses

    from watcher.masterdata.load import load_master
    from watcher.masterdata.write import write_master
    from watcher.service.tree import Tree

    assert kinerja("init", cwd=tmp_path).returncode == 0
    path = Tree(tmp_path).master_path
    master = load_master(path)
    settings = dataclasses.replace(master.settings, year=2040)
    write_master(dataclasses.replace(master, settings=settings), path)

    result = kinerja("master", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Peringatan: Cuti bersama tahun 2040, 2041 belum diketahui" in result.stdout
    assert "'Hari Libur Kantor' data induk" in result.stdout
