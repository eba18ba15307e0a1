"""Quarantine: where a file goes when handling it failed in a way nobody foresaw.

`<root>/karantina/<KODE>/` (or `karantina/_/` when the file lay in no division's folder), beside
`inbox/`, `outbox/` and `arsip/`, so a clerk or the administrator finds it in Explorer. Each file
gets a notice `<name> - KARANTINA.txt` beside it that says what went wrong and what to do. The
service does not look into `karantina/`: a quarantined file is handled again only when someone
saves it into a step folder again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from watcher.record.durable import move_no_overwrite
from watcher.service.names import unique_destination
from watcher.service.notices import QUARANTINE_SUFFIX, notice_beside, write_plain_notice
from watcher.service.tree import Tree

QUARANTINE_NAME = "karantina"
NO_DIVISION = "_"


def quarantine_dir(tree: Tree, division: str | None) -> Path:
    """`karantina/<division>`; a name that could be hidden or odd becomes `_`."""
    safe = division if division and not division.startswith(".") else NO_DIVISION
    return tree.root / QUARANTINE_NAME / safe


def quarantine(tree: Tree, path: Path, *, division: str | None, shown_from: str, reason: str,
               moment: datetime) -> Path:  # fmt: skip
    """Move `path` into quarantine with its notice (written first); return where it went."""
    folder = quarantine_dir(tree, division)
    folder.mkdir(parents=True, exist_ok=True)
    destination = unique_destination(folder, path.name)
    lines = [
        f"Berkas   : {destination.name}",
        f"Asal     : {shown_from}",
        f"Masalah  : {reason}",
        "",
        "Sistem tidak dapat memproses berkas ini karena kesalahan yang tidak terduga, jadi",
        "berkas dipindahkan ke sini agar tidak menghambat berkas lain. Isinya tidak diubah.",
        "Beri tahu pengelola data kinerja. Setelah masalahnya diperbaiki, simpan lagi",
        "berkas ini ke folder langkahnya.",
    ]
    write_plain_notice(notice_beside(destination, QUARANTINE_SUFFIX), "BERKAS DIKARANTINA",
                       lines, moment)  # fmt: skip
    move_no_overwrite(path, destination)
    return destination
