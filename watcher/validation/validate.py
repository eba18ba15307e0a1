"""One entry point for checking a submitted file: safety first, then reading, then content."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from watcher.errors import RefusedFileError
from watcher.masterdata.model import MasterData
from watcher.service.intake import read_checked
from watcher.service.names import printable
from watcher.service.tree import Tree, parse_issued_name
from watcher.sop.model import Sop, StepKind
from watcher.sop.tree_sop import resolve_sop
from watcher.sop.workflow import Place, issue_place, place_at
from watcher.validation import safety
from watcher.validation.findings import Finding, Result, Severity
from watcher.validation.rules import Expectation, check
from watcher.validation.zip_members import Members
from watcher.workbook.layout import Layout, rencana_aksi_layout
from watcher.workbook.read import read_workbook

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
        checked = safety.check_bytes(data, name=name)
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    return _read_and_check(checked, master, expect, name, layout or rencana_aksi_layout())


def validate_file(path: Path, master: MasterData, expect: Expectation) -> Result:
    """Validate a file as the service would: opened safely (`watcher.service.intake`: a link, FIFO,
    device or oversized file is refused unread), then checked, read and validated."""
    name = printable(path.name)
    try:
        checked = safety.check_bytes(read_checked(path), name=str(path))
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    except OSError as exc:
        reason = next((text for kind, text in _OS_REASONS if isinstance(exc, kind)), None)
        message = f"Berkas tidak dapat dibuka: {reason or exc.strerror or exc}."
        error = RefusedFileError(message, rule="read.os_error", path=str(path))
        return refused(name, expect.step, error)
    return _read_and_check(checked, master, expect, name, rencana_aksi_layout())


def _read_and_check(checked: Members, master: MasterData, expect: Expectation, name: str,
                    layout: Layout) -> Result:  # fmt: skip
    """Parse bytes that have passed the safety layer, then apply the content rules."""
    try:
        book = read_workbook(checked.data, layout, name=name, checked=checked)
    except RefusedFileError as refusal:
        return refused(name, expect.step, refusal)
    return check(book, master, layout, expect, name=name)


def refused(name: str, step: int, refusal: RefusedFileError) -> Result:
    finding = Finding(Severity.ERROR, refusal.rule, refusal.message)
    return Result(name, step, (finding,), refused=True)


def expectation_for(path: Path, tree: Tree, master: MasterData, *, step: int | None,
                    today: date, sop: Sop | None = None) -> Expectation:  # fmt: skip
    """What a file's place in the tree says: its division, the step whose rules apply (`step`,
    else the folder's, else the first submission's) and the open periods. `sop`: the tree's
    unless given."""
    sop = sop or resolve_sop(tree)
    division, place = locate(path, tree, master, sop)
    chosen = sop.step(step) if step else place.step if place else sop.flow[0]
    rules_step = chosen if chosen.kind is not StepKind.CHECK else sop.producer(chosen)
    periods = open_periods(tree, sop, division, today) if division else None
    return Expectation(step=rules_step.number, rules=sop.rules_at(chosen), division=division,
                       open_periods=periods, period=sop.period)  # fmt: skip


def locate(path: Path, tree: Tree, master: MasterData,
           sop: Sop | None = None) -> tuple[str | None, Place | None]:  # fmt: skip
    """The division and step folder a path lies in, or None for a path outside the inbox."""
    sop = sop or resolve_sop(tree)
    try:
        parts = path.resolve().relative_to(tree.inbox.resolve()).parts
    except ValueError:
        return None, None
    if len(parts) < 2 or not any(d.code == parts[0] for d in master.divisions):
        return None, None
    return parts[0], place_at(sop, "/".join(parts[1:-1]))


def open_periods(tree: Tree, sop: Sop, division: str, today: date) -> frozenset[tuple[int, int]]:
    """Periods issued to the division (from its issue folder); else the one collected today."""
    folder = tree.folder(division, issue_place(sop).folder)
    found = set()
    if folder.is_dir():
        for entry in folder.iterdir():
            parsed = parse_issued_name(entry.name, sop.period)
            if parsed and parsed[0] == division:
                found.add(parsed[1:])
    return frozenset(found or {sop.period.collected_on(today)})
