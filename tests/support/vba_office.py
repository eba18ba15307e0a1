"""Run the add-in's VBA in LibreOffice's VBA compatibility mode (`Option VBASupport 1`), headless.

How: a private LibreOffice profile gets an application Basic library with `vba/Harness.bas`;
`soffice --headless macro:///KinerjaUji.Harness.RunJob` then opens the clerk's workbook, adds the
add-in's modules to it as a document library in VBA mode (where `ActiveWorkbook`, `Application`
and VBA file statements work), and runs one entry point. `KinerjaExcel.bas`, the add-in's touches
of Excel and of the xlwings add-in, is replaced by `vba/KinerjaExcelLibreOffice.bas`, which runs
the real Python code with the xlwings stand-in on its path and records messages to a log.

What LibreOffice could not do as Excel does, and why the stand-in module exists: its
`Workbook.SaveCopyAs` writes the binary .xls format with a VBA project whatever the name says
(Excel keeps the workbook's .xlsx format); `MsgBox` and the folder dialog would wait for a
person; and there is no xlwings add-in to `Application.Run`.
"""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.xlwings_stub import FAKE_DIR

HERE = Path(__file__).parent
REPO = HERE.parents[1]
MACROS = REPO / "macros"
HARNESS = HERE / "vba" / "Harness.bas"
EXCEL_STAND_IN = HERE / "vba" / "KinerjaExcelLibreOffice.bas"
RUN_IN_OFFICE = ("KinerjaSettings", "KinerjaCommands")  # KinerjaRibbon needs Office's IRibbonUI
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_DTD = '<!DOCTYPE {kind} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{dtd}">\n'
_LIBRARY_NS = 'xmlns:library="http://openoffice.org/2000/library"'


@dataclass(frozen=True)
class Run:
    vba_log: list[str]  # what the stand-in recorded: ASK, COPY, PYTHON, MESSAGE, PICK lines
    harness_log: list[str]
    python_output: str


def install_profile(soffice: str, profile: Path) -> None:
    """A LibreOffice profile whose application Basic has the harness library `KinerjaUji`."""
    # The first start writes the profile's Basic library list; ours must come after it.
    _soffice(soffice, profile, ["--terminate_after_init"], {}, timeout=120)
    basic = profile / "user" / "basic"
    library = basic / "KinerjaUji"
    library.mkdir(parents=True, exist_ok=True)
    for index, kind in (("script.xlc", "script.xlb"), ("dialog.xlc", "dialog.xlb")):
        (basic / index).write_text(_index_xml(kind), encoding="utf-8")
    (library / "script.xlb").write_text(_library_xml(["Harness"]), encoding="utf-8")
    (library / "dialog.xlb").write_text(_library_xml([]), encoding="utf-8")
    write_module(library, HARNESS)


def write_module(library: Path, source: Path) -> None:
    """Put the Basic module `source` (named by its stem) into the application `library`."""
    code = html.escape(source.read_text(encoding="ascii"), quote=False)
    (library / f"{source.stem}.xba").write_text(
        _HEAD
        + _DTD.format(kind="script:module", dtd="module.dtd")
        + '<script:module xmlns:script="http://openoffice.org/2000/script" '
        f'script:name="{source.stem}" script:language="StarBasic">{code}</script:module>\n',
        encoding="utf-8",
    )


def _index_xml(kind: str) -> str:
    entries = "".join(
        f' <library:library library:name="{name}" '
        f'xlink:href="$(USER)/basic/{name}/{kind}/" xlink:type="simple" library:link="false"/>\n'
        for name in ("Standard", "KinerjaUji")
    )
    return (
        _HEAD
        + _DTD.format(kind="library:libraries", dtd="libraries.dtd")
        + f'<library:libraries {_LIBRARY_NS} xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        + entries
        + "</library:libraries>\n"
    )


def _library_xml(modules: list[str]) -> str:
    elements = "".join(f' <library:element library:name="{name}"/>\n' for name in modules)
    return (
        _HEAD
        + _DTD.format(kind="library:library", dtd="library.dtd")
        + f'<library:library {_LIBRARY_NS} library:name="KinerjaUji" '
        'library:readonly="false" library:passwordprotected="false">\n'
        + elements
        + "</library:library>\n"
    )


def run_entry(
    soffice: str, profile: Path, work: Path, workbook: Path, entry: str, env: dict[str, str]
) -> Run:
    """Run `entry` (Module.Procedure) of the add-in against `workbook`, in LibreOffice."""
    work.mkdir(parents=True, exist_ok=True)
    modules = [_office_module(MACROS / f"{name}.bas", work) for name in RUN_IN_OFFICE]
    stand_in = work / "KinerjaExcel.bas"
    stand_in.write_text(EXCEL_STAND_IN.read_text(encoding="ascii"), encoding="ascii")
    job = work / "job.txt"
    lines = [f"WORKBOOK={workbook}", f"ENTRY={entry}", f"LOG={work / 'harness.log'}"]
    lines += [f"MODULE={module}" for module in [*modules, stand_in]]
    job.write_text("\n".join(lines) + "\n", encoding="ascii")
    runner = work / "run-python.sh"
    runner.write_text(
        "#!/bin/sh\n"
        f'cd "{REPO}"\n'
        f'export PYTHONPATH="{FAKE_DIR}:{REPO}"\n'
        f'exec "{sys.executable}" -c "$(cat "{work}/python-code.txt")" \\\n'
        f'  >> "{work}/python.out" 2>&1\n',
        encoding="utf-8",
    )
    runner.chmod(0o755)
    variables = env | {
        "KINERJA_UJI_JOB": str(job),
        "KINERJA_UJI_DIR": str(work),
        "FAKE_XLWINGS_BOOK": str(workbook),
        "FAKE_XLWINGS_LOG": str(work / "xlwings.jsonl"),
    }
    _soffice(soffice, profile, ["macro:///KinerjaUji.Harness.RunJob"], variables, timeout=180)
    return Run(_lines(work / "vba.log"), _lines(work / "harness.log"), _text(work / "python.out"))


def _office_module(source: Path, work: Path) -> Path:
    """The module as LibreOffice takes it: no Attribute lines (the VBA editor hides them too)
    and VBA compatibility switched on."""
    lines = source.read_bytes().decode("ascii").splitlines()
    code = [line for line in lines if not line.startswith("Attribute ")]
    target = work / source.name
    target.write_text("\n".join(["Option VBASupport 1", *code]) + "\n", encoding="ascii")
    return target


def _soffice(soffice: str, profile: Path, arguments: list[str], env: dict[str, str],
             *, timeout: float) -> None:  # fmt: skip
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", *arguments]  # fmt: skip
    process = subprocess.Popen(
        command,
        env=os.environ | env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a hung dialog is killed with its whole group
    )
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"LibreOffice did not finish {arguments} in {timeout} s") from None


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
