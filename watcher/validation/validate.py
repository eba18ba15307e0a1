"""One entry point for checking a submitted file: safety first, then reading, then content."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from watcher.errors import RefusedFileError
from watcher.intake import read_checked
from watcher.issuing import reporting_period
from watcher.layout import Layout, rencana_aksi_layout
from watcher.master import MasterData
from watcher.names import printable
from watcher.reader import read_workbook
from watcher.tree import Folder, Tree, issued_period
from watcher.validation import safety
from watcher.validation.findings import Finding, Result, Severity
from watcher.validation.rules import Expectation, check

STEP_OF_FOLDER = {Folder.MATERIAL: 3, Folder.REPORT: 4}
# The usual reasons a file cannot be opened, in Indonesian (the system's strerror is English).
_OS_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "berkas tidak ditemukan (mungkin sudah dipindah atau dihapus)"),
    (IsADirectoryError, "ini sebuah folder, bukan berkas"),
    (PermissionError, "tidak ada izin membaca berkas ini"),
)


def validate_bytes(data: bytes, master: MasterData, expect: Expectation, *, name: str = "",
                   layout: Layout | None = None) -> Result:  # fmt: skip
    """Validate bytes already read; the same bytes are checked, parsed and (later) archived."""
    try:
        safety.check_bytes(data, name=name)
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    return _read_and_check(data, master, expect, name, layout or rencana_aksi_layout())


def validate_file(path: Path, master: MasterData, expect: Expectation) -> Result:
    """Validate a file as the service would: opened safely (`watcher.intake`: a link, FIFO,
    device or oversized file is refused unread), then checked, read and validated."""
    name = printable(path.name)
    try:
        data = read_checked(path)
        safety.check_bytes(data, name=str(path))
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    except OSError as exc:
        reason = next((text for kind, text in _OS_REASONS if isinstance(exc, kind)), None)
        message = f"Berkas tidak dapat dibuka: {reason or exc.strerror or exc}."
        error = RefusedFileError(message, rule="read.os_error", path=str(path))
        return refused(name, expect.step, error)
    return _read_and_check(data, master, expect, name, rencana_aksi_layout())


def _read_and_check(data: bytes, master: MasterData, expect: Expectation, name: str,
                    layout: Layout) -> Result:  # fmt: skip
    """Parse bytes that have passed the safety layer, then apply the content rules."""
    try:
        book = read_workbook(data, layout, name=name)
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    return check(book, master, layout, expect, name=name)


def refused(name: str, step: int, refusal: RefusedFileError) -> Result:
    finding = Finding(Severity.ERROR, refusal.rule, refusal.message)
    return Result(name, step, (finding,), refused=True)


def expectation_for(path: Path, tree: Tree, master: MasterData, *, step: int | None,
                    today: date) -> Expectation:  # fmt: skip
    """What a file's place in the tree says: its division, its step, the open quarters."""
    division, folder = locate(path, tree, master)
    found_step = STEP_OF_FOLDER.get(folder) if folder else None
    periods = open_periods(tree, division, today) if division else None
    return Expectation(step=step or found_step or 3, division=division, open_periods=periods)


def locate(path: Path, tree: Tree, master: MasterData) -> tuple[str | None, Folder | None]:
    """The division and step folder a path lies in, or None for a path outside the inbox."""
    try:
        parts = path.resolve().relative_to(tree.inbox.resolve()).parts
    except ValueError:
        return None, None
    if len(parts) < 2 or not any(d.code == parts[0] for d in master.divisions):
        return None, None
    folder_path = "/".join(parts[1:-1])
    folder = next((f for f in Folder if f.value == folder_path), None)
    return parts[0], folder


def open_periods(tree: Tree, division: str, today: date) -> frozenset[tuple[int, int]]:
    """Quarters issued to the division (from its disposition folder); else the current one."""
    folder = tree.folder(division, Folder.DISPOSITION)
    found = set()
    if folder.is_dir():
        for entry in folder.iterdir():
            issued = issued_period(entry.name)
            if issued and issued[0] == division:
                found.add(issued[1:])
    return frozenset(found or {reporting_period(today)})
