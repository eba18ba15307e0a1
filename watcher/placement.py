"""Where a name under `inbox/` lies: a watched step folder, the service's own output, or astray.

Pure: it takes the path's parts below `inbox/` and the division codes of the master data.
Nothing under `inbox/` is skipped silently: a file that is neither in a step folder people save
into nor in a folder the service writes (`1_disposisi`, `perlu_perbaikan`, the guide) is "stray"
and gets a notice beside it saying where workbooks belong.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from watcher.routing import WATCHED_FOLDERS
from watcher.setup_tree import GUIDE_NAME
from watcher.tree import Folder

WHERE_TO_SAVE = (
    "Simpan buku kerja di folder langkah bidang Anda: inbox\\<KODE BIDANG>\\3_bahan (bahan, "
    "Analis Data) atau inbox\\<KODE BIDANG>\\4_laporan (laporan, Kasubag)."
)


# The guide the repository keeps in its own default tree (`inbox/README.md`): not a submission.
INBOX_GUIDE = "README.md"


class Where(StrEnum):
    WATCHED = "watched"  # a step folder people save into: the file is handled
    OUTPUT = "output"  # a folder the service writes into (or its guide): left alone
    STRAY = "stray"  # anywhere else: a notice, an event, the file stays


@dataclass(frozen=True)
class Place:
    where: Where
    division: str | None = None
    folder: Folder | None = None
    reason: str = ""  # Indonesian, for a stray file

    @property
    def step_folder(self) -> Folder:
        assert self.folder is not None
        return self.folder


_FOLDERS = {folder.value: folder for folder in Folder}


def place_of(parts: tuple[str, ...], divisions: Collection[str]) -> Place:
    """The place of `inbox/<parts...>`; the last part is the file's own name."""
    if len(parts) < 2:
        if parts == (INBOX_GUIDE,):
            return Place(Where.OUTPUT)
        return Place(Where.STRAY, reason="disimpan langsung di folder inbox")
    division = parts[0]
    if division not in divisions:
        known = ", ".join(sorted(divisions))
        return Place(Where.STRAY, reason=f"folder bidang '{division}' tidak dikenal "
                                         f"(bidang yang ada: {known})")  # fmt: skip
    if len(parts) == 2:
        if parts[1] == GUIDE_NAME:
            return Place(Where.OUTPUT, division)
        return Place(Where.STRAY, division, reason="disimpan di folder bidang, bukan di folder "
                                                   "langkah")  # fmt: skip
    folder_text = "/".join(parts[1:-1])
    folder = _FOLDERS.get(folder_text)
    if folder is None:
        shown = folder_text.replace("/", "\\")
        return Place(Where.STRAY, division, reason=f"folder '{shown}' bukan folder langkah")
    if folder in WATCHED_FOLDERS:
        return Place(Where.WATCHED, division, folder)
    return Place(Where.OUTPUT, division, folder)


def is_tree_folder(parts: tuple[str, ...]) -> bool:
    """A folder of the tree itself (`<KODE>` or one of its step folders)."""
    return len(parts) == 1 or "/".join(parts[1:]) in _FOLDERS


def is_output(parts: tuple[str, ...]) -> bool:
    """A name the service writes (a division's guide, anything in 1_disposisi or
    perlu_perbaikan), known from the path alone, without the master data."""
    if len(parts) == 2:
        return parts[1] == GUIDE_NAME
    folder = _FOLDERS.get("/".join(parts[1:-1]))
    return folder is not None and folder not in WATCHED_FOLDERS


def stray_message(reason: str) -> str:
    return f"Berkas ini tidak diproses: {reason}. {WHERE_TO_SAVE}"
