"""Where a workbook sent from a clerk's desk goes: its division's step folder, its standard name.

Pure: the folder and name follow from the shared folder's root, the workbook's identity (division,
year, quarter from its metadata) and the step the sender works at. Only `free_path` looks at the
disk, to add the same version suffix the service uses (`names.unique_destination`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watcher.desk.excel_config import STEP_KEY, STEP_NAME_KEY
from watcher.errors import UsageError
from watcher.service.names import unique_destination
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.model import Sop, Step, StepKind
from watcher.sop.tree_sop import resolve_sop
from watcher.sop.workflow import intake_place


def sending_step(sop: Sop, number: int) -> Step:
    """The submission a desk sends at: step `number`, or the first submission for 0."""
    submissions = sop.of_kind(StepKind.SUBMIT)
    if not number:
        return submissions[0]
    found = next((step for step in submissions if step.number == number), None)
    if found is None:
        numbers = ", ".join(f"{s.number} ({s.actor})" for s in submissions)
        raise UsageError(f"Langkah {number} tidak dikenal: bukan langkah kirim SOP ini; pilih "
                         f"{numbers}.")  # fmt: skip
    return found


def step_name(sop: Sop, number: int) -> str:
    """What a step's workbook is and who does it: "bahan laporan data kinerja (langkah 3,
    Analis Data)" under SOP 010."""
    try:
        step = sop.step(number)
    except KeyError:
        return f"langkah {number}"
    return f"{step.output.lower()} (langkah {number}, {step.actor})"


def choose_sending_step(sop: Sop, ask: Callable[[str], bool]) -> Step | None:
    """Pilih Langkah: the submission a desk sends at, asked about each of the SOP's submissions
    in turn ("Apakah komputer ini mengirim laporan data kinerja (langkah 4, Kasubag)?"): the
    first one accepted, the only one without asking, or None when every one is declined."""
    submissions = sop.of_kind(StepKind.SUBMIT)
    if len(submissions) == 1:
        return submissions[0]
    return next(
        (
            step
            for step in submissions
            if ask(f"Apakah komputer ini mengirim {step_name(sop, step.number)}?")
        ),
        None,
    )


def step_settings(sop: Sop, step: Step) -> dict[str, str]:
    """The add-in's settings for sending at `step`: its number, which Python checks against the
    tree's SOP when it sends, and its name, which the add-in shows before Kirim."""
    return {STEP_KEY: str(step.number), STEP_NAME_KEY: step_name(sop, step.number)}


@dataclass(frozen=True)
class Placement:
    """The step folder and standard file name of one division's workbook for a quarter."""

    division: str
    year: int
    quarter: int
    step: int
    folder: Path
    file_name: str

    @property
    def path(self) -> Path:
        """The standard path, before any version suffix."""
        return self.folder / self.file_name

    def free_path(self) -> Path:
        """The standard path, or `... (2).xlsx`, `(3)` ... when taken: never an existing file."""
        return unique_destination(self.folder, self.file_name)


def placement(tree: Tree, division: str, year: int, quarter: int, step: int, *,
              sop: Sop | None = None) -> Placement:  # fmt: skip
    """Where the workbook of `division` for (`year`, period `quarter`) goes when sent at the
    submission `step` (0: the first submission) under the tree's SOP (or `sop`)."""
    sop = sop or resolve_sop(tree)
    sending = sending_step(sop, step)
    return Placement(
        division=division,
        year=year,
        quarter=quarter,
        step=sending.number,
        folder=tree.folder(division, intake_place(sop, sending).folder),
        file_name=workbook_file_name(division, year, quarter, sop.period),
    )
