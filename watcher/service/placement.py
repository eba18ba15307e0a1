"""Where a name under `inbox/` lies: a watched step folder, the service's own output, or astray.

Pure: it takes the SOP, the path's parts below `inbox/` and the division codes of the master
data.
Nothing under `inbox/` is skipped silently: a file that is neither in a step folder people save
into nor in a folder the service writes (`1_disposisi`, `versi_lama`, the guide) is "stray"
and gets a notice beside it saying where workbooks belong.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from watcher.service.setup_tree import GUIDE_NAME
from watcher.sop.model import Sop, StepKind
from watcher.sop.workflow import SUPERSEDED_FOLDER, place_at
from watcher.sop.workflow import Place as StepPlace

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
    folder: StepPlace | None = None
    reason: str = ""  # Indonesian, for a stray file

    @property
    def step_folder(self) -> StepPlace:
        assert self.folder is not None
        return self.folder


def where_to_save(sop: Sop) -> str:
    """Which folders take workbooks, in the SOP's words."""
    folders = [
        f"inbox\\<KODE BIDANG>\\{step.folder} ({step.output.lower()}, {step.actor})"
        for step in sop.of_kind(StepKind.SUBMIT)
    ]
    return f"Simpan buku kerja di folder langkah bidang Anda: {' atau '.join(folders)}."


def place_of(sop: Sop, parts: tuple[str, ...], divisions: Collection[str]) -> Place:
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
    if parts[1:] == (GUIDE_NAME,) or parts[1] == SUPERSEDED_FOLDER:
        return Place(Where.OUTPUT, division)
    if len(parts) == 2:
        return Place(Where.STRAY, division, reason="disimpan di folder bidang, bukan di folder "
                                                   "langkah")  # fmt: skip
    folder_text = "/".join(parts[1:-1])
    folder = place_at(sop, folder_text)
    if folder is None:
        shown = folder_text.replace("/", "\\")
        return Place(Where.STRAY, division, reason=f"folder '{shown}' bukan folder langkah")
    return Place(Where.WATCHED if folder.watched else Where.OUTPUT, division, folder)


def place_of_path(sop: Sop, relative: str) -> StepPlace | None:
    """The step folder that holds `inbox/<KODE>/<folder...>/<name>` (a path below the root as
    the log writes it), or None."""
    parts = relative.split("/")
    if len(parts) < 4 or parts[0] != "inbox":
        return None
    return place_at(sop, "/".join(parts[2:-1]))


def step_of_path(sop: Sop | None, relative: str) -> int | None:
    """The number of the step whose folder holds `relative` (see `place_of_path`), if any."""
    place = place_of_path(sop, relative) if sop is not None else None
    return place.step.number if place is not None else None


def is_tree_folder(sop: Sop, parts: tuple[str, ...]) -> bool:
    """A folder of the tree itself (`<KODE>` or one of its step folders)."""
    if len(parts) == 2 and parts[1] == SUPERSEDED_FOLDER:
        return True
    return len(parts) == 1 or place_at(sop, "/".join(parts[1:])) is not None


def is_output(sop: Sop, parts: tuple[str, ...]) -> bool:
    """A name the service writes (a division's guide, anything in the issue folders or in
    `versi_lama`),
    known from the path alone, without the master data."""
    if len(parts) >= 2 and parts[1] == SUPERSEDED_FOLDER:
        return True
    if len(parts) == 2:
        return parts[1] == GUIDE_NAME
    folder = place_at(sop, "/".join(parts[1:-1]))
    return folder is not None and not folder.watched


def stray_message(sop: Sop, reason: str) -> str:
    return f"Berkas ini tidak diproses: {reason}. {where_to_save(sop)}"
