"""`kinerja validate` as a clerk or an administrator runs it on files saved in the office tree.

Exit 0 when valid (warnings allowed), 1 when the data has problems, 2 when a file is refused;
with several files, the worst. Messages are Indonesian and name their cell; never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.hostile_content import COL, CONTENT_CASES, FIRST, filled_with
from support.office import issued_office
from support.sop010 import Folder

from watcher.service.tree import Tree

CSV = b"kode;indikator;realisasi\nDAF-01;Persentase kepemilikan KTP-el;99,3\n"
FINDING_KEYS = {"severity", "rule", "sheet", "cell", "message", "action"}
CASES_USED = ("valid_filled", "decimal_comma", "value_in_last_cell", "step4_missing_kendala")


@dataclass(frozen=True)
class Saved:
    """The office tree and the files its clerks saved, by what they are."""

    tree: Tree
    files: dict[str, Path]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Saved:
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    material = tree.folder("DAFDUK", Folder.MATERIAL)
    case = {name: CONTENT_CASES[name](tree) for name in CASES_USED}
    typed = {f"{COL['target']}{FIRST}": 95, f"{COL['realisation']}{FIRST + 1}": "sembilan puluh"}
    problems = filled_with(tree, **typed)  # DAF-01's target edited, DAF-02's realisation in words
    contents = {  # file name in 3_bahan -> bytes
        "Rencana_Aksi_DAFDUK_2026_TW3.xlsx": case["valid_filled"].data,
        "koma.xlsx": case["decimal_comma"].data,
        "salah.xlsx": problems,
        "data.xlsx": CSV,
        "jauh.xlsx": case["value_in_last_cell"].data,
        "tanpa_kendala.xlsx": case["step4_missing_kendala"].data,
    }
    for name, data in contents.items():
        (material / name).write_bytes(data)
    files = {
        "valid": material / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx",
        "warning": material / "koma.xlsx",
        "problems": material / "salah.xlsx",
        "csv": material / "data.xlsx",
        "last_cell": material / "jauh.xlsx",
        "no_kendala_material": material / "tanpa_kendala.xlsx",
        "no_kendala_report": case["step4_missing_kendala"].save(tree),  # in 4_laporan
        "missing": material / "sudah_dihapus.xlsx",
        "folder": material / "perlu_perbaikan",
    }
    return Saved(tree, files)


def kinerja_validate(saved: Saved, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "validate", "--root", str(saved.tree.root), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def paths(saved: Saved, *names: str) -> list[str]:
    return [str(saved.files[name]) for name in names]


def test_a_valid_workbook_exits_0(saved: Saved) -> None:
    result = kinerja_validate(saved, *paths(saved, "valid"))

    assert result.returncode == 0, result.stdout
    assert "VALID - bidang DAFDUK, Triwulan III 2026, aturan langkah 3" in result.stdout
    assert "KESALAHAN" not in result.stdout


def test_data_problems_exit_1_with_each_message_at_its_cell(saved: Saved) -> None:
    result = kinerja_validate(saved, *paths(saved, "problems"))

    assert result.returncode == 1, result.stdout
    assert "BERMASALAH (2 kesalahan, 0 peringatan)" in result.stdout
    assert (
        "KESALAHAN [Rencana Aksi!H10] Target TW III indikator DAF-01 diubah dari 99,2 menjadi 95."
        in result.stdout
    )
    assert "KESALAHAN [Rencana Aksi!I11] Realisasi DAF-02 bukan angka: 'sembilan puluh'." in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("csv", "teks biasa/CSV yang diberi nama buku kerja"),
        ("last_cell", "isian jauh di luar tabel, sampai sel XFD1048576"),
        ("missing", "berkas tidak ditemukan"),
        ("folder", "ini sebuah folder, bukan berkas"),
    ],
    ids=["csv-renamed-xlsx", "value-in-the-last-cell", "file-gone", "a-folder"],
)
def test_a_refused_file_exits_2_with_its_reason(saved: Saved, name: str, phrase: str) -> None:
    result = kinerja_validate(saved, *paths(saved, name))

    assert result.returncode == 2, result.stdout
    assert f"{saved.files[name]}: DITOLAK" in result.stdout
    assert phrase in result.stdout


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (("valid", "warning"), 0),
        (("valid", "problems", "warning"), 1),
        (("problems", "csv", "valid"), 2),
    ],
    ids=["valid-and-warning", "one-with-problems", "one-refused"],
)
def test_several_files_exit_with_the_worst(saved: Saved, names: tuple[str, ...], code: int) -> None:
    result = kinerja_validate(saved, *paths(saved, *names))

    assert result.returncode == code, result.stdout
    verdicts = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert [line.split(":")[0] for line in verdicts] == paths(saved, *names)


def test_json_output_carries_every_finding_for_programs(saved: Saved) -> None:
    result = kinerja_validate(saved, "--json", *paths(saved, "problems", "warning", "csv"))

    assert result.returncode == 2
    reports = json.loads(result.stdout)
    assert [report["file"] for report in reports] == paths(saved, "problems", "warning", "csv")
    for report in reports:
        for finding in report["findings"]:
            assert finding.keys() == FINDING_KEYS
            assert finding["severity"] in ("error", "warning") and finding["message"]
    problems, warning, csv = reports
    assert (problems["valid"], problems["refused"], problems["step"]) == (False, False, 3)
    assert (problems["division"], problems["year"], problems["quarter"]) == ("DAFDUK", 2026, 3)
    assert {(f["rule"], f["sheet"], f["cell"]) for f in problems["findings"]} == {
        ("table.target_edited", "Rencana Aksi", "H10"),
        ("table.not_a_number", "Rencana Aksi", "I11"),
    }
    assert all(f["action"] for f in problems["findings"])
    assert warning["valid"] and [f["severity"] for f in warning["findings"]] == ["warning"]
    assert csv["refused"] and not csv["valid"] and csv["findings"][0]["rule"] == "safety.csv"


@pytest.mark.parametrize(
    ("name", "args", "code", "step"),
    [
        ("no_kendala_material", (), 0, 3),
        ("no_kendala_material", ("--step", "4"), 1, 4),
        ("no_kendala_report", (), 1, 4),
        ("no_kendala_report", ("--step", "3"), 0, 3),
    ],
    ids=["material-folder", "material-folder-step-4", "report-folder", "report-folder-step-3"],
)
def test_step_option_overrides_the_folder(
    saved: Saved, name: str, args: tuple[str, ...], code: int, step: int
) -> None:
    """DAF-03 reaches 91,67 % with no kendala: fine for the material, not for the report."""
    result = kinerja_validate(saved, *args, *paths(saved, name))

    assert result.returncode == code, result.stdout
    assert f"aturan langkah {step}" in result.stdout
    missing = "[Rencana Aksi!L12] Capaian DAF-03 91,67% di bawah 100%: kendala wajib diisi."
    assert (missing in result.stdout) is (step == 4)


def test_every_content_case_gets_its_own_verdict_and_message(saved: Saved) -> None:
    """All of `hostile_content` in one run: each file its verdict, rule, cell and message."""
    cases = {name: build(saved.tree) for name, build in CONTENT_CASES.items()}
    files = {
        name: str(case.save(saved.tree, file_name=case.file_name or f"kasus_{name}.xlsx"))
        for name, case in cases.items()
    }

    result = kinerja_validate(saved, "--json", *files.values())

    assert result.returncode == max(case.exit_code for case in cases.values())
    reports = {report["file"]: report for report in json.loads(result.stdout)}
    for name, case in cases.items():
        report = reports[files[name]]
        assert (report["valid"], report["refused"]) == (case.valid, case.refused), name
        found = [(f["rule"], f["cell"], f["message"]) for f in report["findings"]]
        if not case.rule:
            assert found == [], name
        else:
            assert any(
                (rule, cell) == (case.rule, case.cell) and case.phrase in message
                for rule, cell, message in found
            ), (name, found)
