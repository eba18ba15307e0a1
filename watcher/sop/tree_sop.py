"""The SOP a tree runs: recorded in the tree (a copy and its hash), so every command uses it.

`kinerja init` (and every command that sets the tree up) copies the SOP it was given, or SOP 010,
to `data_induk/sop_aktif.toml`. Later commands read that copy; an `--sop` that differs from it is
refused. Changing the SOP is an explicit act (`kinerja sop pasang BERKAS`), recorded in the log
with the file's hash like the first setup; a copy edited by hand is noticed at the service's
start because its hash is not the one the log recorded.
"""

from __future__ import annotations

import re
from pathlib import Path

from watcher.errors import KinerjaError, UsageError
from watcher.record.durable import atomic_writer
from watcher.record.store import Event, Outcome, Store
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.model import Sop

INSTALL_HINT = "kinerja sop --pasang BERKAS"
_DIGEST = re.compile(r"\(SHA-256 ([0-9a-f]{64})\)$")


class SopChangedError(KinerjaError):
    """The tree's SOP copy is not the one the log recorded (edited by hand, or replaced)."""


def resolve_sop(tree: Tree, given: Path | None = None) -> Sop:
    """The SOP of this tree: its recorded copy; `given` (or SOP 010) for a tree without one."""
    if given is not None and not given.is_file():
        raise UsageError(f"Berkas SOP tidak ditemukan: {given}")
    if not tree.sop_path.is_file():
        return load_sop(given)
    sop = load_sop(tree.sop_path)
    if given is not None and load_sop(given).digest != sop.digest:
        raise UsageError(
            f"Folder kerja ini memakai SOP {sop.number} {sop.name} ({tree.sop_path}), bukan "
            f"{given}. Untuk mengganti SOP jalankan: {INSTALL_HINT}"
        )
    return sop


def copy_into_tree(tree: Tree, sop: Sop) -> bool:
    """Write the tree's copy of `sop` if it has none yet; True when written."""
    if tree.sop_path.exists():
        return False
    _write(tree, sop)
    return True


def install_sop(tree: Tree, store: Store, path: Path) -> Sop:
    """Switch the tree to the SOP in `path` (checked first): the copy, then the log's record."""
    if not path.is_file():
        raise UsageError(f"Berkas SOP tidak ditemukan: {path}")
    sop = load_sop(path)
    _write(tree, sop)
    record(store, sop, f"SOP {sop.number} {sop.name} dipasang dari {path}.")
    return sop


def check_recorded(tree: Tree, store: Store) -> Sop:
    """The tree's SOP, matched against the log: the first start records it; a copy whose hash
    is not the last recorded one stops the command (`SopChangedError`)."""
    sop = load_sop(tree.sop_path) if tree.sop_path.is_file() else None
    if sop is None:
        raise SopChangedError(
            f"Salinan SOP folder kerja ({tree.sop_path}) tidak ada. Pasang SOP dengan: "
            f"{INSTALL_HINT}"
        )
    recorded = store.events(outcome=Outcome.SOP_SET)
    if not recorded:
        record(store, sop, f"SOP {sop.number} {sop.name} dipakai folder kerja ini.")
    elif recorded_digest(recorded[-1]) != sop.digest:
        raise SopChangedError(
            f"Salinan SOP {tree.sop_path} berubah sejak dicatat (SHA-256 tercatat "
            f"{recorded_digest(recorded[-1])}, sekarang {sop.digest}). Mengganti SOP harus "
            f"tercatat: kembalikan berkasnya, atau jalankan {INSTALL_HINT}"
        )
    return sop


def record(store: Store, sop: Sop, message: str) -> None:
    """The SOP's hash goes in the message: `file_hash` names archived workbooks only."""
    store.append(Event(outcome=Outcome.SOP_SET, message=f"{message} (SHA-256 {sop.digest})"))


def recorded_digest(event: Event) -> str:
    found = _DIGEST.search(event.message)
    return found.group(1) if found else ""


def _write(tree: Tree, sop: Sop) -> None:
    tree.sop_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(tree.sop_path) as out:
        out.write(sop.raw)
