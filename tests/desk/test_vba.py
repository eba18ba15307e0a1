"""The add-in's VBA: static checks of every module, then Kirim run for real in LibreOffice.

Excel cannot run here. The modules are checked by `vba_lint` (what Option Explicit and the
compiler would refuse, balanced blocks, no hard-coded paths), against the ribbon XML and the
Python side they call. Then the Kirim and Atur Folder logic runs in LibreOffice's VBA
compatibility mode on a real office tree (see `vba_office` for how, and for what stands in for
Excel there); the Python that Kirim starts is the real one.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import fill
from support.sop010 import Folder
from support.vba_lint import lint_module, lint_modules, procedure_names
from support.vba_office import MACROS, Run, install_profile, run_entry

from watcher.desk import excel_bridge, excel_config
from watcher.desk.excel_config import ROOT_KEY, STEP_KEY, read_config, write_config
from watcher.masterdata.load import load_master
from watcher.service.tree import Tree, workbook_file_name

MODULES = sorted(MACROS.glob("*.bas"))
CUSTOM_UI = MACROS / "customUI14.xml"
DIVISION = "DAFDUK"


def test_every_module_passes_the_checker() -> None:
    assert [path.name for path in MODULES] == [
        "KinerjaCommands.bas",
        "KinerjaExcel.bas",
        "KinerjaRibbon.bas",
        "KinerjaSettings.bas",
    ]
    assert [str(problem) for problem in lint_modules(MODULES)] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_import_cleanly_into_the_vba_editor(path: Path) -> None:
    data = path.read_bytes()
    assert data.isascii()  # the VBA editor reads .bas files in the ANSI code page
    assert data.count(b"\n") == data.count(b"\r\n")  # it misreads bare LF line ends
    assert len(path.stem) <= 31  # VBA's limit on module names


HEAD = 'Attribute VB_Name = "M"\r\nOption Explicit\r\n'


def _sub(*lines: str) -> str:
    """A module with one Sub A holding `lines`."""
    return HEAD + "\r\n".join(["Sub A()", *(f"    {line}" for line in lines), "End Sub", ""])


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        pytest.param(_sub("total = 1"), "'total' is not declared", id="undeclared"),
        pytest.param(_sub("ReadSeting root"), "'ReadSeting' is not declared", id="typo"),
        pytest.param(_sub("If 1 Then"), "if from line 4 is open", id="if-open"),
        pytest.param(_sub("Dim i As Long", "For i = 1 To 2"), "for is never", id="for-open"),
        pytest.param(_sub("With Application"), "with from line 4", id="with-open"),
        pytest.param(HEAD + "Sub A()\r\n", "proc is never closed", id="no-end-sub"),
        pytest.param(_sub("Else"), "outside an If", id="stray-else"),
        pytest.param(
            _sub().replace("Option Explicit\r\n", ""), "Option Explicit", id="no-explicit"
        ),
        pytest.param(_sub('Kill "C:\\data\\x.xlsx"'), "hard-coded path", id="drive-path"),
        pytest.param(_sub('Kill "\\\\server\\kinerja"'), "hard-coded path", id="unc-path"),
    ],
)
def test_the_checker_catches(source: str, problem: str) -> None:
    found = [str(p) for p in lint_module("M", source, {"root"})]
    assert any(problem in message for message in found), found


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(_sub("Dim x As Long", "If x = 1 Then x = 2 Else x = 3"), id="one-line-if"),
        pytest.param(
            _sub("On Error GoTo Failed", "Exit Sub").replace(
                "End Sub", "Failed:\r\n    MsgBox Err.Description\r\nEnd Sub"
            ),
            id="error-label",
        ),
        pytest.param(
            HEAD + "Sub A(first As String, _\r\n      second As String)\r\n"
            "    MsgBox first & _\r\n        second\r\nEnd Sub\r\n",
            id="continuations",
        ),
        pytest.param(_sub('Err.Raise 1, Description:="x"'), id="named-argument"),
        pytest.param(_sub("With Application", ".StatusBar = False", "End With"), id="with-member"),
    ],
)
def test_the_checker_accepts_plain_vba(source: str) -> None:
    assert [str(p) for p in lint_module("M", source, set())] == []


def test_ribbon_callbacks_exist_with_their_signatures() -> None:
    tree = ET.parse(CUSTOM_UI)
    callbacks = {
        value
        for element in tree.iter()
        for attribute, value in element.attrib.items()
        if attribute in {"onAction", "getPressed", "onLoad"}
    }
    ribbon = (MACROS / "KinerjaRibbon.bas").read_text(encoding="ascii")
    assert callbacks == {"OnRibbonButton"}
    assert {c.lower() for c in callbacks} <= procedure_names(ribbon)
    assert "Sub OnRibbonButton(control As IRibbonControl)" in ribbon
    ids = {e.get("id") for e in tree.iter() if e.get("onAction") == "OnRibbonButton"}
    assert ids == set(re.findall(r'Case "(\w+)"', ribbon))  # every button has its case
    assert "kinerjaPilihLangkah" in ids


def test_the_add_in_names_no_step_role_or_folder_of_any_sop() -> None:
    """The SOP is the tree's (Python reads it); the add-in only shows what Python named."""
    text = "".join(path.read_text(encoding="ascii") for path in [*MODULES, CUSTOM_UI])
    for word in ("Kasubag", "Kabid", "Analis", "langkah 3", "langkah 4", "SOP 010", "3_bahan",
                 "4_laporan", "5_pemeriksaan"):  # fmt: skip
        assert word not in text, word


def test_the_vba_and_python_agree_on_commands_and_settings() -> None:
    code = "".join(path.read_text(encoding="ascii") for path in MODULES)
    constants = dict(re.findall(r'Public Const (\w+) As String = "([^"]*)"', code))
    for command in ("CHECK_COMMAND", "SEND_COMMAND", "STEP_COMMAND"):
        pattern = r"import watcher\.desk\.excel_bridge as k; k\.(\w+)\(\)"
        function = re.fullmatch(pattern, constants[command])
        assert function and callable(getattr(excel_bridge, function.group(1)))
    assert constants["ROOT_KEY"] == excel_config.ROOT_KEY
    assert constants["STEP_KEY"] == excel_config.STEP_KEY
    assert constants["STEP_NAME_KEY"] == excel_config.STEP_NAME_KEY
    assert constants["CONF_ENV"] == excel_config.CONF_ENV
    assert constants["EXCHANGE_NAME"] == excel_config.EXCHANGE_FOLDER
    assert constants["SEND_COPY_NAME"] == excel_config.SEND_COPY


# --- Kirim and Atur Folder, run in LibreOffice --------------------------------------------------


@pytest.fixture(scope="module")
def profile(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lo-vba-profile")
    install_profile(soffice, path)
    return path


@dataclass
class Desk:
    soffice: str
    profile: Path
    tree: Tree
    conf: Path
    work: Path
    env: dict[str, str]
    source: Path  # the issued workbook of the division

    def run(self, workbook: Path, entry: str, **env: str) -> Run:
        self.work = self.work.with_name(f"run{int(self.work.name[3:]) + 1}")
        return run_entry(self.soffice, self.profile, self.work, workbook, entry, self.env | env)

    def alerts(self) -> list[list[str]]:
        log = self.work / "xlwings.jsonl"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        actions = [json.loads(line) for line in lines]
        return [action[1:] for action in actions if action[0] == "alert"]

    def sent(self, step_folder: Folder = Folder.MATERIAL) -> list[str]:
        return sorted(p.name for p in self.tree.folder(DIVISION, step_folder).glob("*.xlsx"))


@pytest.fixture
def desk(soffice: str, profile: Path, tmp_path: Path) -> Desk:
    tree, issued = issued_office(tmp_path / "bersama")
    conf = tmp_path / "pc-analis" / ".xlwings" / "xlwings.conf"
    write_config(conf, {"INTERPRETER_WIN": "C:\\Python311\\pythonw.exe", ROOT_KEY: str(tree.root)})
    source = next(i.path for i in issued if i.division == DIVISION)
    env = {excel_config.CONF_ENV: str(conf)}
    return Desk(soffice, profile, tree, conf, tmp_path / "run0", env, source)


def _filled(desk: Desk, name: str, *first: object, **texts: str) -> Path:
    """The clerk's workbook: realisations `first`, then 50s; kendala/follow_up from `texts`."""
    count = len(load_master(desk.tree.master_path).indicators_of(DIVISION))
    values = [*first, *[50] * (count - len(first))]
    return fill(desk.source, desk.work.parent / "meja" / name, realisations=values, **texts)


def test_kirim_in_libreoffice_sends_a_clean_copy_under_the_standard_name(desk: Desk) -> None:
    clerk = _filled(desk, "rencana aksi - revisi terakhir.xlsx")

    first = desk.run(clerk, "KinerjaCommands.SendActiveWorkbook")

    assert "HARNESS done" in first.harness_log, first
    ask, copy, python = first.vba_log
    assert ask.startswith("ASK Kirim: Kirim buku kerja 'rencana aksi - revisi terakhir.xlsx' "
                          "sebagai langkah kirim pertama SOP")  # fmt: skip
    assert copy.endswith(str(desk.conf.parent / "kinerja" / "kirim.xlsx"))
    assert python == "PYTHON import watcher.desk.excel_bridge as k; k.kirim()"
    standard = workbook_file_name(DIVISION, 2026, 3)
    assert desk.sent() == [standard]
    [(title, mode, text)] = desk.alerts()
    assert (title, mode) == ("Kirim: TERKIRIM", "info")
    assert str(desk.tree.folder(DIVISION, Folder.MATERIAL) / standard) in text
    assert not (desk.conf.parent / "kinerja" / "kirim.xlsx").exists()

    desk.run(clerk, "KinerjaCommands.SendActiveWorkbook")  # sent twice: a version, no overwrite

    assert set(desk.sent()) == {standard, standard.replace(".xlsx", " (2).xlsx")}


def test_kirim_in_libreoffice_of_a_faulty_workbook_sends_nothing(desk: Desk) -> None:
    faulty = _filled(desk, "ra.xlsx", None, "lima puluh")
    run = desk.run(faulty, "KinerjaCommands.SendActiveWorkbook")

    assert "HARNESS done" in run.harness_log, run
    assert desk.sent() == []
    [(title, mode, text)] = desk.alerts()
    assert (title, mode) == ("Kirim: BELUM DIKIRIM", "critical")
    assert "Ditemukan 2 kesalahan" in text


def test_pilih_langkah_in_libreoffice_then_kirim_sends_at_the_chosen_step(desk: Desk) -> None:
    report = _filled(desk, "laporan.xlsx", kendala="Jaringan SIAK terputus", follow_up="Lapor")

    chose = desk.run(report, "KinerjaCommands.ChooseStep", FAKE_XLWINGS_ANSWERS="no,yes")

    assert "HARNESS done" in chose.harness_log, chose
    assert chose.vba_log == ["PYTHON import watcher.desk.excel_bridge as k; k.pilih_langkah()"]
    asked, asked_too, (title, _, told) = desk.alerts()
    assert asked == ["Pilih Langkah", "info",
                     "Apakah komputer ini mengirim bahan laporan data kinerja (langkah 3, Analis "
                     "Data)?"]  # fmt: skip
    assert asked_too[2] == "Apakah komputer ini mengirim laporan data kinerja (langkah 4, Kasubag)?"
    assert title == "Pilih Langkah" and "folder 4_laporan" in told
    assert read_config(desk.conf)[STEP_KEY] == "4"

    sent = desk.run(report, "KinerjaCommands.SendActiveWorkbook")

    assert "sebagai laporan data kinerja (langkah 4, Kasubag) ke folder bersama" in sent.vba_log[0]
    assert desk.sent(Folder.REPORT) == [workbook_file_name(DIVISION, 2026, 3)]


def test_kirim_in_libreoffice_answered_no_does_nothing(desk: Desk) -> None:
    run = desk.run(_filled(desk, "ra.xlsx"), "KinerjaCommands.SendActiveWorkbook",
                   KINERJA_UJI_ANSWER="tidak")  # fmt: skip
    assert [line.split()[0] for line in run.vba_log] == ["ASK"]
    assert desk.sent() == []


def test_kirim_in_libreoffice_without_a_shared_folder_says_what_to_do(desk: Desk) -> None:
    write_config(desk.conf, {"INTERPRETER_WIN": "python"})
    run = desk.run(_filled(desk, "ra.xlsx"), "KinerjaCommands.SendActiveWorkbook")
    [message] = run.vba_log
    assert message.startswith("MESSAGE critical Folder bersama belum diatur")


def test_atur_folder_in_libreoffice_writes_what_xlwings_and_python_read(desk: Desk) -> None:
    kept = [
        b'"INTERPRETER_WIN","C:\\Python311\\pythonw.exe"',
        b'"KINERJA_LANGKAH","4"',
        b'"SHOW CONSOLE",#TRUE#',
    ]  # a number before other lines; xlwings' unquoted boolean
    desk.conf.write_bytes(b"\r\n".join([*kept, b""]))

    run = desk.run(desk.source, "KinerjaCommands.ChooseSharedFolder",
                   KINERJA_UJI_FOLDER=str(desk.tree.root))  # fmt: skip

    assert run.vba_log[-1].startswith("MESSAGE info Folder bersama disimpan:")
    assert read_config(desk.conf) == {
        "INTERPRETER_WIN": "C:\\Python311\\pythonw.exe",
        STEP_KEY: "4",
        "SHOW CONSOLE": "#TRUE#",
        ROOT_KEY: str(desk.tree.root),
    }
    # The other lines stay as they were written; VBA's Write # writes the new one as Python does
    # (line ends are the platform's: LF here).
    lines = desk.conf.read_bytes().splitlines()
    assert lines == [*kept, f'"{ROOT_KEY}","{desk.tree.root}"'.encode()]


def test_atur_folder_in_libreoffice_refuses_a_folder_without_inbox(desk: Desk) -> None:
    before = desk.conf.read_bytes()
    run = desk.run(desk.source, "KinerjaCommands.ChooseSharedFolder",
                   KINERJA_UJI_FOLDER=str(desk.tree.root / "outbox"))  # fmt: skip
    assert "bukan folder kerja kinerja" in run.vba_log[-1]
    assert desk.conf.read_bytes() == before
