"""`kinerja excel-setup`: write the xlwings user config a clerk's PC needs, so no one hand-edits it.

Run once per PC, by the office's IT person, with the Python that has `kinerja[excel]` installed:

    kinerja excel-setup --root Z:\\kinerja [--python C:\\...\\pythonw.exe] [--langkah 4]

The file is xlwings' own user config (see `excel_config`): the interpreter RunPython starts, the
PYTHONPATH that makes `watcher` importable, and the add-in's settings (the shared folder's root,
the step this PC sends). Keys already in the file (a licence key, the xlwings ribbon's own
choices) are kept; ours are replaced. Written crash-safe, in the encoding VBA reads.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from pathlib import Path

import watcher
from watcher.desk.excel_config import (
    ROOT_KEY,
    STEP_KEY,
    STEP_NAME_KEY,
    ExcelConfigError,
    read_config,
    user_config_path,
    write_config,
)
from watcher.desk.locator import sending_step, step_settings
from watcher.errors import UsageError
from watcher.service.tree import Tree
from watcher.sop.model import StepKind
from watcher.sop.tree_sop import resolve_sop

# xlwings adds the active workbook's folder to sys.path unless told not to; a clerk's folder
# holding a file named like one of our modules would then shadow it.
_FIXED = {"ADD_WORKBOOK_TO_PYTHONPATH": "false"}
_KEPT_IF_SET = {"UDF MODULES": ""}  # the add-in defines no worksheet functions (UDFs)


def excel_setup(
    root: Path,
    *,
    python: str | None = None,
    out: Path | None = None,
    step: int = 0,
    platform: str = sys.platform,
) -> Path:
    """Write (or update) the xlwings config at `out` (default: the user's); return its path."""
    tree = Tree(root)
    if not tree.inbox.is_dir():
        raise ExcelConfigError(
            f"{root} bukan folder kerja kinerja (tidak ada folder inbox di dalamnya). Berikan "
            "folder bersama seperti terlihat dari komputer ini, misalnya Z:\\kinerja, setelah "
            "'kinerja init' dijalankan di server."
        )
    sop = resolve_sop(tree)
    try:
        sending = sending_step(sop, step)
    except UsageError as exc:
        raise ExcelConfigError(exc.message) from exc
    interpreter = python or sys.executable
    if not Path(interpreter).is_file():
        raise ExcelConfigError(f"Interpreter Python tidak ditemukan: {interpreter}")
    path = out or user_config_path(platform=platform)
    pairs = read_config(path, platform=platform)
    for key, value in _KEPT_IF_SET.items():
        pairs.setdefault(key, value)
    pairs |= _FIXED | {
        _interpreter_key(platform): str(interpreter),
        "PYTHONPATH": source_path(),
        ROOT_KEY: str(root),
        **step_settings(sop, sending),
    }
    write_config(path, pairs, platform=platform)
    return path


def _interpreter_key(platform: str) -> str:
    return "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"


def source_path() -> str:
    """The folder to put on PYTHONPATH so `import watcher` works: a source checkout's root, or
    "" when kinerja is installed into the interpreter (pip puts it on the path already)."""
    package_parent = Path(watcher.__file__).resolve().parent.parent
    installed = {
        Path(p).resolve() for p in (sysconfig.get_path("purelib"), sysconfig.get_path("platlib"))
    }
    return "" if package_parent in installed else str(package_parent)


def excel_setup_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `kinerja excel-setup` (the shared folder comes from the common --root)."""
    parser.add_argument(
        "--python",
        metavar="BERKAS",
        help="interpreter Python yang dipakai xlwings (bawaan: Python yang menjalankan perintah "
        "ini); di Windows sebaiknya pythonw.exe",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="BERKAS",
        help="tulis ke berkas ini, bukan ke pengaturan xlwings pengguna "
        "(%%USERPROFILE%%\\.xlwings\\xlwings.conf)",
    )
    parser.add_argument(
        "--langkah",
        type=int,
        default=0,
        metavar="LANGKAH",
        help="nomor langkah kirim SOP folder kerja yang dikirim komputer ini (bawaan: langkah "
        "kirim pertama); ringkasan sesudahnya menyebut setiap langkah kirim SOP dan pelaksananya",
    )


def describe_setup(path: Path) -> str:
    """What `kinerja excel-setup` tells the IT person afterwards (Indonesian), with every
    submission of the tree's SOP to choose from."""
    pairs = read_config(path)
    interpreter = pairs.get("INTERPRETER_WIN") or pairs.get("INTERPRETER_MAC") or "-"
    sop = resolve_sop(Tree(Path(pairs[ROOT_KEY])))
    choices = [
        f"  {step.number:>2}  {step.actor}: {step.output.lower()}"
        for step in sop.of_kind(StepKind.SUBMIT)
    ]
    return "\n".join(
        [
            f"Pengaturan add-in kinerja ditulis ke {path}",
            f"  Python       : {interpreter}",
            f"  PYTHONPATH   : {pairs.get('PYTHONPATH') or '(paket kinerja terpasang)'}",
            f"  Folder       : {pairs.get(ROOT_KEY, '-')}",
            f"  Langkah      : {pairs.get(STEP_NAME_KEY) or pairs.get(STEP_KEY, '-')}",
            f"Langkah kirim SOP {sop.number} (ganti dengan --langkah NOMOR, atau dengan tombol "
            "Pilih Langkah di Excel):",
            *choices,
            "Pasang add-in kinerja.xlam di Excel (lihat macros/README.md), lalu coba Periksa.",
        ]
    )
