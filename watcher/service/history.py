"""Files whose history the log lacks or holds: delivered copies, lost records, uncompiled material.

When the history is missing or inconsistent, no file is moved past a person. Which folders the
service itself delivers into (`workflow.delivered_into`; SOP 010's names in brackets) decides:

- the first submission folder and the approval and return folders (3_bahan, .../disetujui,
  .../dikembalikan): only people put files here, so a file here is always a person's act:
  handled normally, whatever the log says.
- the folders a valid file, a return or a refusal is delivered into (4_laporan: material for the
  Kasubag, who also saves the compiled report here; 5_pemeriksaan: reports for the Kabid):
  only the log tells a delivered file from a person's new one (`History.parked`). If the log has no
  event at all for the file's bytes while the archive holds them (`archive.verify`), the bytes
  were handled before and the log lost that. If the file's status-change time (ctime) is not
  older than the archive copy, the file was renamed into this folder after its bytes were
  archived, i.e. delivered: it is recorded as RECEIVED ("riwayat tidak lengkap") with this place
  as its `to_path`, so it is parked, waiting for this folder's person, and never routed on. A
  file untouched since its archive copy was written (ctime older) was never moved: the service
  stopped between archiving and recording, and it is handled normally. On Windows, where ctime
  is the creation time, such a file is always taken as delivered (the safe side).
  When the service finds at its start that the log lost history (`record_guard.check_at_start`:
  a rolled-back WAL, a deleted arsip/ whose head the status page or a report still shows), the
  archive may be gone too; then every file lying in these folders at that moment
  (`lying_in_delivery_folders`, by file identity) whose bytes the log does not know is taken as
  delivered, whatever the archive holds. Files saved later are judged by the rule above.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from watcher.record.archive import archived_path, verify
from watcher.record.store import Event, Outcome, Store
from watcher.service.tree import Tree
from watcher.sop.model import Sop, Step
from watcher.sop.workflow import Place as StepPlace
from watcher.sop.workflow import Role, delivered_into, handovers, intake_place, noun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class History:
    tree: Tree
    store: Store
    sop: Sop
    # (st_dev, st_ino) of the files in delivery folders when a lost history was found at start.
    present_at_loss: frozenset[tuple[int, int]] = frozenset()

    # `known` below: every event the log holds for the file's bytes (`Store.events(file_hash=)`).

    def parked(self, known: list[Event], relative: str) -> bool:
        return any(event.to_path == relative for event in known)

    def lost(self, folder: StepPlace, known: list[Event], digest: str, path: Path,
                      info: os.stat_result) -> bool:  # fmt: skip
        """The rule for item "history missing" in the module docstring."""
        if folder not in delivered_into(self.sop) or known:
            return False
        if (info.st_dev, info.st_ino) in self.present_at_loss:
            return True
        if not verify(self.tree.archive_files, digest):
            return False
        if os.name == "nt":
            return True
        copy = archived_path(self.tree.archive_files, digest, path.suffix.lower() or ".bin")
        try:
            archived_at = copy.stat().st_mtime_ns
        except OSError:
            return True  # archived under another suffix: the safe side
        return info.st_ctime_ns >= archived_at

    def uncompiled(self, folder: StepPlace, known: list[Event]) -> tuple[Step, Step] | None:
        """The handover these bytes passed at, when `folder` is at or after the person they were
        handed to: material is never that person's own work (SOP 010: the Kasubag's report)."""
        if folder.role is Role.RETURN:
            return None  # a return sends it back to be worked on, whatever it holds
        passed = {event.step for event in known if event.outcome is Outcome.VALID}
        return next((pair for pair in handovers(self.sop)
                     if pair[0].number in passed and folder.step.number >= pair[1].number),
                    None)  # fmt: skip

    def record_still_waiting(self, division: str, folder: StepPlace, handover: tuple[Step, Step],
                              digest: str, relative: str) -> None:  # fmt: skip
        """Material passed on, found under another name in the next person's folder (a rename
        or a copy): still waiting for that person, recorded once at its new place."""
        giver, taker = handover
        self.store.append(Event(
            outcome=Outcome.RECEIVED, division=division, step=folder.step.number,
            file_hash=digest, to_path=relative,
            message=f"{noun(self.sop, giver)} yang sama dengan yang diteruskan ke {taker.actor}, "
            f"dengan nama lain; tetap menunggu {taker.actor} mengolah dan menyimpan "
            f"{taker.output.lower()}.",
        ))  # fmt: skip

    def record_delivered(self, division: str, folder: StepPlace, digest: str,
                          relative: str) -> None:  # fmt: skip
        who = folder.step.actor
        self.store.append(Event(
            outcome=Outcome.RECEIVED, division=division, step=folder.step.number,
            file_hash=digest, to_path=relative,
            message=f"Riwayat berkas tidak lengkap: isinya sudah ada di arsip, tetapi log tidak "
            f"mencatatnya. Berkas dianggap sudah diantar ke {folder.folder} dan menunggu {who}; "
            "tidak diteruskan otomatis.",
        ))  # fmt: skip
        log.warning("Riwayat tidak lengkap: %s dianggap sudah diantar, menunggu %s", relative, who)


def not_compiled(sop: Sop, giver: Step, taker: Step) -> str:
    """Why material that skipped the person it was handed to is refused."""
    folder = intake_place(sop, taker).folder
    following = sop.after(taker)
    then = f"; baru sesudah itu {following.actor} memeriksanya" if following else ""
    return (
        f"Berkas ini adalah {giver.output.lower()} dari {giver.actor} yang belum diolah "
        f"{taker.actor} (isinya sama persis dengan yang diteruskan ke {folder}). {taker.actor} "
        f"perlu mengolahnya dan menyimpan {taker.output.lower()} di {folder}{then}."
    )


def lying_in_delivery_folders(tree: Tree, sop: Sop,
                              divisions: list[str]) -> frozenset[tuple[int, int]]:  # fmt: skip
    """(st_dev, st_ino) of every regular file now directly in a folder the service delivers
    into, for `Pipeline.present_at_loss` (links are not followed)."""
    found: set[tuple[int, int]] = set()
    for code in divisions:
        for place in delivered_into(sop):
            try:
                entries = list(os.scandir(tree.folder(code, place.folder)))
            except OSError:
                continue
            for entry in entries:
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        found.add((info.st_dev, info.st_ino))
    return frozenset(found)
