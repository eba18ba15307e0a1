"""The add-in's settings: xlwings' own user config file, shared by xlwings, the add-in and Python.

xlwings reads its settings (interpreter, PYTHONPATH, ...) from a user config file that its VBA
writes with the `Write #` statement: one `"KEY","value"` pair a line, in the PC's ANSI code page.
The kinerja add-in keeps its own two settings in the same file: xlwings ignores keys it does not
know and keeps them when its ribbon saves a setting. So one file, written by `kinerja excel-setup`
or by the add-in's "Atur Folder" and "Pilih Langkah" buttons, configures a PC, and the add-in
(VBA) and the bridge (Python) read the same values.

Beside the file, a folder `kinerja/` holds what the add-in hands to Python (the copy Kirim saves)
and the bridge's log. Both sides find it from the config file's place, which they compute alike
(`%USERPROFILE%\\.xlwings\\` on Windows; Excel's sandbox container on macOS, where VBA's HOME
points). `KINERJA_XLWINGS_CONF`, when set, names the file instead, for both sides.
"""

from __future__ import annotations

import csv
import io
import locale
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import KinerjaError
from watcher.record.durable import atomic_writer

CONF_ENV = "KINERJA_XLWINGS_CONF"
ROOT_KEY = "KINERJA_FOLDER"  # the shared folder's root, as this PC reaches it
# The submission step this PC sends at (a `kirim` step of the tree's SOP); empty or 0 is the
# SOP's first submission. Checked against the tree's SOP when sent.
STEP_KEY = "KINERJA_LANGKAH"
# How the add-in names that step before Kirim ("laporan data kinerja (langkah 4, Kasubag)"):
# written with it by Python, which reads the SOP (`locator.step_settings`); VBA reads no SOP.
STEP_NAME_KEY = "KINERJA_LANGKAH_NAMA"
EXCHANGE_FOLDER = "kinerja"
SEND_COPY = "kirim.xlsx"  # the copy Kirim saves for Python (VBA: SaveCopyAs)
LOG_FILE = "kinerja-excel.log"
_MAC_CONTAINER = ("Library", "Containers", "com.microsoft.Excel", "Data")


class ExcelConfigError(KinerjaError):
    """The add-in's settings are missing, unreadable or cannot be written."""


def user_config_path(
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Path:
    """Where xlwings keeps its user config on this kind of PC (or `$KINERJA_XLWINGS_CONF`)."""
    override = environ.get(CONF_ENV)
    if override:
        return Path(override)
    home = home or Path.home()
    if platform == "darwin":  # Excel is sandboxed; VBA's HOME is this container folder
        return home.joinpath(*_MAC_CONTAINER, "xlwings.conf")
    return home / ".xlwings" / "xlwings.conf"


def exchange_dir(conf: Path) -> Path:
    """The folder beside the config file where the add-in and Python hand files over."""
    return conf.parent / EXCHANGE_FOLDER


def file_encoding(platform: str = sys.platform) -> str:
    """The encoding VBA's Open/Input #/Write # use: the ANSI code page on Windows."""
    return locale.getencoding() if platform == "win32" else "utf-8"


def parse_config(text: str) -> dict[str, str]:
    """Pairs of a config file; later lines win, like the add-in's reader. Keys as written."""
    pairs: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[0].strip():
            pairs[row[0].strip()] = row[1].strip()
    return pairs


def format_config(pairs: Mapping[str, str]) -> str:
    """The text VBA's `Write #key, value` produces: quoted, no escaping, CRLF line ends."""
    lines = []
    for key, value in pairs.items():
        if '"' in key or '"' in value or "\n" in value or "\r" in value:
            raise ExcelConfigError(
                f"Nilai pengaturan {key} tidak boleh memuat tanda kutip atau baris baru: {value!r}"
            )
        lines.append(f'"{key}","{value}"\r\n')
    return "".join(lines)


def read_config(path: Path, *, platform: str = sys.platform) -> dict[str, str]:
    """The pairs of the config file at `path`; {} when it does not exist yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ExcelConfigError(f"Berkas pengaturan {path} tidak dapat dibaca: {exc}") from exc
    return parse_config(data.decode(file_encoding(platform), errors="replace"))


def write_config(path: Path, pairs: Mapping[str, str], *, platform: str = sys.platform) -> None:
    """Write the pairs (crash-safe: temp file, then rename)."""
    text = format_config(pairs)
    encoding = file_encoding(platform)
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise ExcelConfigError(
            f"Pengaturan memuat huruf yang tidak dapat disimpan dalam kode halaman {encoding} "
            f"Windows ({exc.object[exc.start : exc.end]!r}); gunakan jalur tanpa huruf itu."
        ) from exc
    try:
        with atomic_writer(path) as handle:
            handle.write(text.encode(encoding))
    except OSError as exc:
        raise ExcelConfigError(f"Berkas pengaturan {path} tidak dapat ditulis: {exc}") from exc


@dataclass(frozen=True)
class AddinSettings:
    """What the add-in's settings say: the shared folder's root and the step this PC sends at
    (0: the SOP's first submission)."""

    root: Path
    step: int


def addin_settings(pairs: Mapping[str, str], *, source: Path) -> AddinSettings:
    """The add-in's settings from config pairs, or ExcelConfigError saying how to set them."""
    root = addin_root(pairs, source=source)
    step_text = pairs.get(STEP_KEY, "").strip() or "0"
    if not step_text.isdigit() or len(step_text) > 2:
        raise ExcelConfigError(
            f"Pengaturan {STEP_KEY}={step_text!r} di {source} tidak dikenal. Klik tombol 'Pilih "
            "Langkah' pada tab Kinerja, atau minta petugas TI menjalankan 'kinerja excel-setup' "
            "dengan --langkah nomor langkah kirim SOP."
        )
    return AddinSettings(root, int(step_text))


def addin_root(pairs: Mapping[str, str], *, source: Path) -> Path:
    """The shared folder's root from config pairs, or ExcelConfigError saying how to set it."""
    root = pairs.get(ROOT_KEY, "").strip()
    if not root:
        raise ExcelConfigError(
            "Folder bersama belum diatur di komputer ini. Klik tombol 'Atur Folder' pada tab "
            f"Kinerja, atau minta petugas TI menjalankan 'kinerja excel-setup' ({source})."
        )
    return Path(root)
