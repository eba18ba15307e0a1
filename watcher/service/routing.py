"""Where a file goes next: a pure decision from its place in the SOP's tree and its validation.

saved into (role)    valid                                  not valid / refused
submit folder        -> the next step's folder                -> its fix folder + feedback
fix folder           -> the next step's folder (resubmitted)  stays, with new feedback
check folder         stays (waiting for the checker)          -> the producer's fix folder
approved folder      the last check: approved, stays;         -> the producer's fix folder
                     an earlier check: on to the next check
returned folder      -> the `return_to` step's folder + return notice (any readable workbook)

A copy moved into an approved or returned folder that is an older version of its document
(`watcher.service.versions.stale_against`) changes nothing: it goes to `versi_lama/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from watcher.record.documents import Version, return_message
from watcher.record.store import Outcome
from watcher.sop.model import Sop, StepKind
from watcher.sop.workflow import SUPERSEDED_FOLDER, Place, Role, fix_place, intake_place, noun
from watcher.validation.findings import Result


class Notice(StrEnum):
    VALIDATION = "validation"  # feedback copy of the workbook with findings
    REFUSAL = "refusal"  # a note: the file could not be opened at all
    RETURN = "return"  # the checker's return notice, quoting the note cell
    STALE = "stale"  # where the checker moved it: not the current version, nothing changed


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    step: int
    destination: str  # folder below the division folder
    notice: Notice | None
    message: str  # Indonesian, for the log and the status page
    actor: str = ""  # who acts at this step (named in a return notice)


def decide(sop: Sop, place: Place, result: Result, *, stale: Version | None = None) -> Decision:
    """The next place for a file saved in `place`, given its validation result and, for a
    checker's move, the newer version it should have been (`stale`)."""
    step = place.step
    if stale is not None and not result.refused:
        what = "persetujuan" if place.role is Role.APPROVE else "pengembalian"
        return Decision(Outcome.STALE, step.number, SUPERSEDED_FOLDER, Notice.STALE,
                        f"Bukan versi terkini: {what} tidak dicatat. Versi terkini adalah versi "
                        f"{stale.number} ({stale.name}); salinan ini dipindahkan ke "
                        f"{SUPERSEDED_FOLDER}.", step.actor)  # fmt: skip
    if place.role is Role.RETURN and not result.refused:
        back = intake_place(sop, sop.step(step.return_to))
        return Decision(Outcome.RETURNED, step.number, back.folder, Notice.RETURN,
                        return_message(step.actor, result.kabid_note), step.actor)  # fmt: skip
    fix = fix_place(sop, step).folder
    if result.refused:
        reason = result.findings[0].message if result.findings else ""
        return Decision(Outcome.REFUSED, step.number, fix, Notice.REFUSAL,
                        f"Berkas ditolak. {reason}")  # fmt: skip
    if not result.valid:
        count = len(result.errors)
        what = "Persetujuan dibatalkan: laporan" if place.role is Role.APPROVE else "Berkas"
        return Decision(Outcome.INVALID, step.number, fix, Notice.VALIDATION,
                        f"{what} perlu perbaikan ({count} kesalahan).")  # fmt: skip
    return _valid(sop, place)


def _valid(sop: Sop, place: Place) -> Decision:
    step, following = place.step, sop.after(place.step)
    if place.role is Role.CHECK:
        return Decision(Outcome.VALID, step.number, place.folder, None,
                        f"{noun(sop, step)} valid; menunggu pemeriksaan {step.actor}.")  # fmt: skip
    if place.role is Role.APPROVE and following is None:
        compiler = sop.compile_step
        to = f"diserahkan ke {compiler.actor}" if compiler else "siap dilaporkan"
        return Decision(Outcome.APPROVED, step.number, place.folder, None,
                        f"Laporan disetujui {step.actor}; {to}.")  # fmt: skip
    assert following is not None  # only the last check's approval has no next step
    target = intake_place(sop, following)
    if place.role is Role.APPROVE:
        return Decision(Outcome.FORWARDED, step.number, target.folder, None,
                        f"Laporan disetujui {step.actor}; diteruskan ke {following.actor} "
                        f"({target.folder}).")  # fmt: skip
    return Decision(Outcome.VALID, step.number, target.folder, None,
                    f"{noun(sop, step)} valid; diteruskan ke {following.actor} "
                    f"({target.folder}).")  # fmt: skip


def ends_step(outcome: Outcome, kind: StepKind) -> bool:
    """Whether an event with `outcome` at a step of `kind` finishes that step's round."""
    if kind is StepKind.SUBMIT:
        return outcome is Outcome.VALID
    return outcome in (Outcome.APPROVED, Outcome.FORWARDED, Outcome.RETURNED)
