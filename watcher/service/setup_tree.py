"""`kinerja init`: create the office's working tree, idempotently, never overwriting a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.masterdata.sample import sample_master
from watcher.masterdata.write import write_master
from watcher.record.durable import create_new
from watcher.service.tree import Tree
from watcher.sop.model import Sop
from watcher.sop.tree_sop import copy_into_tree, resolve_sop
from watcher.sop.workflow import SUPERSEDED_FOLDER, places, purpose

GUIDE_NAME = "PETUNJUK.txt"


@dataclass
class InitResult:
    master: MasterData
    created: list[Path] = field(default_factory=list)  # folders and files made by this run
    sample_master_written: bool = False


def init_tree(tree: Tree, sop: Sop | None = None) -> InitResult:
    """Create missing folders (the SOP's, `watcher.sop.workflow`), the tree's copy of the SOP and
    the sample master workbook if none, and a guide per division.

    Raises MasterDataError when an existing master workbook has problems (nothing else is
    touched then, apart from the base folders).
    """
    sop = sop or resolve_sop(tree)
    created: list[Path] = []
    _make_dirs(tree.all_dirs([], [], sop.period), created)
    if copy_into_tree(tree, sop):
        created.append(tree.sop_path)
    wrote_sample = False
    if not tree.master_path.exists():
        write_master(sample_master(), tree.master_path)
        created.append(tree.master_path)
        wrote_sample = True
    master = load_master(tree.master_path)
    codes = [division.code for division in master.divisions]
    folders = [place.folder for place in places(sop)] + [SUPERSEDED_FOLDER]
    _make_dirs(tree.all_dirs(codes, folders, sop.period), created)
    for division in master.divisions:
        guide = tree.division_dir(division.code) / GUIDE_NAME
        text = division_guide(sop, division.name, division.code)
        if create_new(guide, text.encode("utf-8")):
            created.append(guide)
    return InitResult(master, created, wrote_sample)


def _make_dirs(paths: list[Path], created: list[Path]) -> None:
    for path in paths:
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            created.append(path)


def division_guide(sop: Sop, name: str, code: str) -> str:
    """Plain-text guide written once into each division folder (Windows line endings)."""
    lines = [
        f"Folder kinerja bidang {name} ({code})",
        "",
        f"Alur SOP {sop.number} {sop.name} (periode {sop.period.kind.value}):",
    ]
    lines += [
        f"  {place.folder.replace('/', chr(92))}: {purpose(sop, place)}" for place in places(sop)
    ]
    lines.append(f"  {SUPERSEDED_FOLDER}: versi lama yang sudah diganti versi yang lebih baru "
                 "(isinya tetap tersimpan di arsip)")  # fmt: skip
    lines += [
        "",
        "Simpan buku kerja dalam format .xlsx (tanpa makro). Jangan mengganti nama lembar",
        "atau menyisipkan baris. Sistem memeriksa setiap berkas dan memindahkannya ke folder",
        "berikutnya.",
        "",
        "Berkas yang ditolak atau tidak diproses selalu diberi catatan di sampingnya:",
        "  ... - HASIL VALIDASI.xlsx   isian yang perlu diperbaiki, dengan sel yang salah",
        "  ... - DITOLAK.txt           berkas tidak dapat diterima (rusak, berbahaya, pintasan)",
        "  ... - TIDAK DIPROSES.txt    berkas disimpan di folder yang salah",
        "  ... - KARANTINA.txt         (di folder karantina) kesalahan sistem; hubungi pengelola",
        "  ... - SUDAH DITERIMA.txt    isi berkas sama persis dengan versi yang sudah diterima",
        "  ... - DIGANTI.txt           (di versi_lama) versi ini diganti versi yang lebih baru",
        "Perbaikan boleh disimpan langsung di folder perbaikan (misalnya salinan HASIL",
        "VALIDASI yang sudah diperbaiki): sistem memeriksanya lagi sebagai kiriman baru.",
        "Jangan menyimpan pintasan (shortcut/link) ke buku kerja; simpan salinan biasanya.",
    ]
    return "\r\n".join(lines) + "\r\n"
