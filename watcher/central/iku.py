"""The kabupaten's IKU list (Indikator Kinerja Utama), a small TOML file Bappeda keeps:

    judul = "IKU Kabupaten Jeneponto 2026"   # optional
    [[iku]]
    kode = "IKU-03"                           # what an office's master data links to
    nama = "Indeks Kepuasan Masyarakat"
    satuan = "indeks"                         # optional
    target = 82.5                             # optional, the kabupaten's target

Read defensively: bounded, UTF-8 (with or without the BOM Notepad writes), unknown keys refused
(a misspelt key is an error, not a silent default), every problem reported at once in Indonesian
with its line.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watcher.errors import Problem, ProblemsError
from watcher.masterdata.sheets import IKU_CODE

MAX_IKU_BYTES = 1_000_000
MAX_IKU_ENTRIES = 2_000
TOP_KEYS = ("judul", "iku")
ENTRY_KEYS = ("kode", "nama", "satuan", "target")
_CODE = re.compile(IKU_CODE)
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*iku\s*\]\]")
_WHERE = re.compile(r"at line (\d+), column (\d+)")


class IkuError(ProblemsError):
    """The IKU list cannot be read or has mistakes (each located by its line)."""

    title = "Daftar IKU bermasalah"


@dataclass(frozen=True)
class Iku:
    code: str
    name: str
    unit: str = ""
    target: float | None = None


@dataclass(frozen=True)
class IkuList:
    title: str
    items: tuple[Iku, ...]


def read_iku(path: Path) -> IkuList:
    """Read the IKU list at `path`; IkuError for anything wrong."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IKU_BYTES + 1)
    except OSError as exc:
        raise IkuError(
            str(path), [Problem(f"berkas tidak dapat dibaca ({exc.strerror or exc})")]
        ) from exc
    return parse_iku(raw, str(path))


def parse_iku(raw: bytes, source: str) -> IkuList:
    """The IKU list from a file's bytes; `source` names it in the error."""
    if len(raw) > MAX_IKU_BYTES:
        raise IkuError(source, [Problem(f"berkas terlalu besar (lebih dari {MAX_IKU_BYTES} bita)")])
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise IkuError(
            source, [Problem("berkas bukan teks UTF-8; simpan ulang sebagai UTF-8")]
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        where = _WHERE.search(str(exc))
        cell = f"baris {where.group(1)} kolom {where.group(2)}" if where else ""
        raise IkuError(
            source,
            [Problem("penulisan TOML tidak benar (periksa tanda kutip, = dan kurung)", cell=cell)],
        ) from exc
    problems: list[Problem] = []
    lines = text.splitlines()
    for key in data:
        if key not in TOP_KEYS:
            problems.append(
                Problem(
                    f"kunci '{key}' tidak dikenal; yang dikenal: {', '.join(TOP_KEYS)}",
                    cell=_key_line(lines, key),
                )
            )
    title = data.get("judul", "")
    if not isinstance(title, str):
        problems.append(Problem("'judul' harus teks", cell=_key_line(lines, "judul")))
        title = ""
    entries = data.get("iku")
    if not isinstance(entries, list) or not entries:
        problems.append(
            Problem("belum ada IKU: tulis setiap IKU di bawah [[iku]] dengan kode dan nama")
        )
        entries = []
    if len(entries) > MAX_IKU_ENTRIES:
        problems.append(Problem(f"terlalu banyak IKU ({len(entries)}; batas {MAX_IKU_ENTRIES})"))
        entries = []
    headers = [number for number, line in enumerate(lines, 1) if _ENTRY_HEADER.match(line)]
    items: list[Iku] = []
    seen: dict[str, str] = {}
    for position, entry in enumerate(entries):
        where = (
            f"baris {headers[position]}" if position < len(headers) else f"IKU ke-{position + 1}"
        )
        item = _entry(entry, where, problems)
        if item is None:
            continue
        if item.code.upper() in seen:
            problems.append(
                Problem(
                    f"kode IKU '{item.code}' ganda (sudah di {seen[item.code.upper()]})", cell=where
                )
            )
            continue
        seen[item.code.upper()] = where
        items.append(item)
    if problems:
        raise IkuError(source, problems)
    return IkuList(title.strip(), tuple(items))


def _entry(entry: Any, where: str, problems: list[Problem]) -> Iku | None:
    if not isinstance(entry, dict):
        problems.append(Problem("setiap IKU harus tabel [[iku]] dengan kode dan nama", cell=where))
        return None
    found = len(problems)
    for key in entry:
        if key not in ENTRY_KEYS:
            problems.append(
                Problem(
                    f"kunci '{key}' tidak dikenal; yang dikenal: {', '.join(ENTRY_KEYS)}",
                    cell=where,
                )
            )
    code, name, unit = (entry.get(key, "") for key in ("kode", "nama", "satuan"))
    if not isinstance(code, str) or not _CODE.fullmatch(code.strip()):
        shown = code if isinstance(code, str) else repr(code)
        problems.append(
            Problem(
                f"'kode' {shown!r} tidak valid: wajib diisi dengan huruf, angka, "
                "titik, - atau _ (maks. 30), misalnya IKU-03",
                cell=where,
            )
        )
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("'nama' wajib diisi dengan teks", cell=where))
    if not isinstance(unit, str):
        problems.append(Problem("'satuan' harus teks", cell=where))
    target = entry.get("target")
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target)
    ):
        problems.append(Problem(f"'target' harus angka, tertulis {target!r}", cell=where))
    if len(problems) > found:
        return None
    return Iku(
        code.strip(), name.strip(), unit.strip(), float(target) if target is not None else None
    )


def _key_line(lines: list[str], key: str) -> str:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    number = next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)
    return f"baris {number}" if number else ""
