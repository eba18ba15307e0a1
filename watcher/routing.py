"""Where a file goes next: a pure decision from its folder and its validation result.

saved into          valid                         not valid / refused
3_bahan             -> 4_laporan (for the Kasubag)  -> 3_bahan/perlu_perbaikan + feedback
4_laporan           -> 5_pemeriksaan (for the Kabid) -> 4_laporan/perlu_perbaikan + feedback
5_pemeriksaan       stays (waiting for the Kabid)    -> 4_laporan/perlu_perbaikan + feedback
.../disetujui       approved, stays (to reports)     -> 4_laporan/perlu_perbaikan + feedback
.../dikembalikan    -> 4_laporan + return notice (any readable workbook)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from watcher.store import Outcome
from watcher.tree import Folder
from watcher.validation.findings import Result

# Folders people save into; the others (1_disposisi, perlu_perbaikan) are the service's output.
WATCHED_FOLDERS = (Folder.MATERIAL, Folder.REPORT, Folder.REVIEW, Folder.APPROVED, Folder.RETURNED)
# Folders the service itself delivers files into (valid material -> 4_laporan, a return ->
# 4_laporan, a valid report -> 5_pemeriksaan), which people save into too: only the log tells
# a delivered file from a new one there (see the pipeline's docstring on a missing history).
DELIVERED_INTO = (Folder.REPORT, Folder.REVIEW)
STEP_RULES = {  # which validation rules apply to a file saved in a folder
    Folder.MATERIAL: 3,
    Folder.REPORT: 4,
    Folder.REVIEW: 4,
    Folder.APPROVED: 4,
    Folder.RETURNED: 4,
}
SOP_STEP = {  # the SOP step a file in a folder is at
    Folder.MATERIAL: 3,
    Folder.REPORT: 4,
    Folder.REVIEW: 5,
    Folder.APPROVED: 5,
    Folder.RETURNED: 5,
}


class Notice(StrEnum):
    VALIDATION = "validation"  # feedback copy of the workbook with findings
    REFUSAL = "refusal"  # a note: the file could not be opened at all
    RETURN = "return"  # the Kabid's return notice, quoting the note cell


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    step: int
    destination: Folder
    notice: Notice | None
    message: str  # Indonesian, for the log and the status page


def decide(folder: Folder, result: Result) -> Decision:
    """The next place for a file saved in `folder`, given its validation result."""
    step = SOP_STEP[folder]
    if folder is Folder.RETURNED and not result.refused:
        note = result.kabid_note or "(tanpa catatan)"
        return Decision(Outcome.RETURNED, step, Folder.REPORT, Notice.RETURN,
                        f"Dikembalikan Kabid untuk diperbaiki. Catatan: {note}")  # fmt: skip
    fix = Folder.MATERIAL_FIX if folder is Folder.MATERIAL else Folder.REPORT_FIX
    if result.refused:
        reason = result.findings[0].message if result.findings else ""
        return Decision(Outcome.REFUSED, step, fix, Notice.REFUSAL, f"Berkas ditolak. {reason}")
    if not result.valid:
        count = len(result.errors)
        what = "Persetujuan dibatalkan: laporan" if folder is Folder.APPROVED else "Berkas"
        return Decision(Outcome.INVALID, step, fix, Notice.VALIDATION,
                        f"{what} perlu perbaikan ({count} kesalahan).")  # fmt: skip
    return _valid(folder, step)


def _valid(folder: Folder, step: int) -> Decision:
    if folder is Folder.MATERIAL:
        return Decision(Outcome.VALID, step, Folder.REPORT, None,
                        "Bahan laporan valid; diteruskan ke Kasubag (4_laporan).")  # fmt: skip
    if folder is Folder.REPORT:
        return Decision(Outcome.VALID, step, Folder.REVIEW, None,
                        "Laporan valid; diteruskan ke Kabid (5_pemeriksaan).")  # fmt: skip
    if folder is Folder.APPROVED:
        return Decision(Outcome.APPROVED, step, Folder.APPROVED, None,
                        "Laporan disetujui Kabid; diserahkan ke Kasubag Perencanaan.")  # fmt: skip
    return Decision(Outcome.VALID, step, Folder.REVIEW, None,
                    "Laporan valid; menunggu pemeriksaan Kabid.")  # fmt: skip
