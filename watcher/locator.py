"""Where a workbook sent from a clerk's desk goes: its division's step folder, its standard name.

Pure: the folder and name follow from the shared folder's root, the workbook's identity (division,
year, quarter from its metadata) and the step the sender works at. Only `free_path` looks at the
disk, to add the same version suffix the service uses (`names.unique_destination`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from watcher.names import unique_destination
from watcher.tree import Folder, Tree, workbook_file_name
from watcher.validation.validate import STEP_OF_FOLDER

FOLDER_OF_STEP: dict[int, Folder] = {step: folder for folder, step in STEP_OF_FOLDER.items()}
STEP_NAMES = {3: "bahan laporan (langkah 3)", 4: "laporan data kinerja (langkah 4)"}


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


def placement(tree: Tree, division: str, year: int, quarter: int, step: int) -> Placement:
    """Where the workbook of `division` for (`year`, `quarter`) goes when sent at `step`."""
    folder = FOLDER_OF_STEP.get(step)
    if folder is None:
        raise ValueError(f"step must be one of {sorted(FOLDER_OF_STEP)}, not {step!r}")
    return Placement(
        division=division,
        year=year,
        quarter=quarter,
        step=step,
        folder=tree.folder(division, folder),
        file_name=workbook_file_name(division, year, quarter),
    )
