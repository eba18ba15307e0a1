"""What the SOP model means for the folder tree: every step folder, its role, what it is for.

Derived from the model alone (`watcher.sop.model`), so an office's own SOP file gives its own tree:

    <issue folder>/                   the service's issue (workbook and disposition)
    <submit folder>/                  a person saves the workbook here
    <submit folder>/<fix folder>/     the service sends back what needs fixing, with feedback
    <check folder>/                   waiting for the checker
    <check folder>/<approved folder>/ the checker moves what they approve here
    <check folder>/<returned folder>/ ... and what they return here (with a note in the workbook)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from watcher.sop.model import RuleSet, Sop, Step, StepKind


class Role(StrEnum):
    ISSUED = "issued"  # the service's issue
    SUBMIT = "submit"  # a person saves a workbook
    FIX = "fix"  # the service returns feedback
    CHECK = "check"  # waiting for the checker
    APPROVE = "approve"  # the checker's approval
    RETURN = "return"  # the checker's return


# A fix folder is watched too: a clerk who corrects the feedback copy there and saves it resubmits.
WATCHED_ROLES = frozenset({Role.SUBMIT, Role.FIX, Role.CHECK, Role.APPROVE, Role.RETURN})
# Below each division folder, beside the SOP's folders: where the service puts a copy that a newer
# version of the same document replaced, or a stale copy a checker moved (its bytes stay archived).
SUPERSEDED_FOLDER = "versi_lama"


@dataclass(frozen=True)
class Place:
    """One folder of a division, relative to the division folder ("3_bahan/perlu_perbaikan")."""

    folder: str
    step: Step
    role: Role

    @property
    def watched(self) -> bool:
        """People save into it and the service handles what they save."""
        return self.role in WATCHED_ROLES


@lru_cache(maxsize=64)  # asked for every path the service looks at; a SOP never changes
def places(sop: Sop) -> tuple[Place, ...]:
    """Every folder of a division's tree, parents before children."""
    found: list[Place] = []
    for step in sop.steps:
        if step.kind is StepKind.ISSUE and step.folder not in {p.folder for p in found}:
            found.append(Place(step.folder, step, Role.ISSUED))
        elif step.kind is StepKind.SUBMIT:
            found.append(Place(step.folder, step, Role.SUBMIT))
            found.append(Place(f"{step.folder}/{step.fix_folder}", step, Role.FIX))
        elif step.kind is StepKind.CHECK:
            found.append(Place(step.folder, step, Role.CHECK))
            found.append(Place(f"{step.folder}/{step.approved_folder}", step, Role.APPROVE))
            found.append(Place(f"{step.folder}/{step.returned_folder}", step, Role.RETURN))
    return tuple(found)


def place_at(sop: Sop, folder: str) -> Place | None:
    """The place of a folder below the division folder ("3_bahan/perlu_perbaikan")."""
    return _places_by_folder(sop).get(folder)


@lru_cache(maxsize=64)
def _places_by_folder(sop: Sop) -> dict[str, Place]:
    return {place.folder: place for place in places(sop)}


def place_of(sop: Sop, step: Step, role: Role) -> Place:
    return next(p for p in places(sop) if p.step == step and p.role is role)


def issue_place(sop: Sop) -> Place:
    return next(p for p in places(sop) if p.role is Role.ISSUED)


def intake_place(sop: Sop, step: Step) -> Place:
    """Where a file handed to `step` arrives: its submit folder, or its check folder."""
    return place_of(sop, step, Role.SUBMIT if step.kind is StepKind.SUBMIT else Role.CHECK)


def fix_place(sop: Sop, step: Step) -> Place:
    """Where a file refused at `step` goes back to: its producer's fix folder."""
    producer = step if step.kind is StepKind.SUBMIT else sop.producer(step)
    return place_of(sop, producer, Role.FIX)


def delivered_into(sop: Sop) -> tuple[Place, ...]:
    """Watched folders the service itself delivers files into: the next step's folder after a
    valid submission or an approval on the way, the step a return goes back to, and the fix
    folders. People save into them too: only the log tells a delivered file from a new one
    there."""
    found: list[Place] = []
    for step in sop.flow:
        following = sop.after(step)
        if following is not None:
            found.append(intake_place(sop, following))
        if step.kind is StepKind.CHECK:
            found.append(intake_place(sop, sop.step(step.return_to)))
        if step.kind is StepKind.SUBMIT:
            found.append(place_of(sop, step, Role.FIX))
    return tuple(dict.fromkeys(found))


def handovers(sop: Sop) -> tuple[tuple[Step, Step], ...]:
    """(submission, next submission) pairs: what the first passes on is material for the second
    person, never their own work (SOP 010: the Analis Data's material and the Kasubag)."""
    return tuple(
        (step, following)
        for step in sop.of_kind(StepKind.SUBMIT)
        if (following := sop.after(step)) is not None and following.kind is StepKind.SUBMIT
    )


def noun(sop: Sop, step: Step) -> str:
    """What a file at `step` is called in messages."""
    return "Bahan laporan" if sop.rules_at(step) is RuleSet.MATERIAL else "Laporan"


def purpose(sop: Sop, place: Place) -> str:
    """One line for PETUNJUK.txt: what the folder is for, in the SOP's words."""
    step = place.step
    if place.role is Role.ISSUED:
        numbers = [s.number for s in sop.of_kind(StepKind.ISSUE) if s.folder == place.folder]
        span = f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        return f"Langkah {span}: buku kerja rencana aksi dan lembar disposisi dari sistem"
    if place.role is Role.SUBMIT:
        return f"Langkah {step.number}: {step.actor} menyimpan {step.output.lower()} di sini"
    if place.role is Role.FIX:
        return f"{noun(sop, step)} yang perlu diperbaiki, beserta hasil validasinya"
    if place.role is Role.CHECK:
        return f"Langkah {step.number}: {noun(sop, step).lower()} menunggu pemeriksaan {step.actor}"
    if place.role is Role.APPROVE:
        return f"{step.actor} memindahkan laporan yang disetujui ke sini"
    # Every checker writes in the same note cell, labelled after the final one
    # (`Layout.note_title`), which the return notice quotes.
    return f"{step.actor} memindahkan laporan yang dikembalikan ke sini (isi catatan di buku kerja)"
