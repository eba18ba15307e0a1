"""Which approved workbooks a report uses, and their values, read from the archived bytes only.

For each division and period of the SOP the report takes the latest version the final checker
approved (SOP 010: the Kabid), as the event log records it, and reads the original bytes from
the content-addressed archive (checked against their SHA-256), never a live file someone could
still edit. A later return of the approved version withdraws the approval (it is reopened).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from functools import partial
from pathlib import Path, PurePosixPath

from watcher.errors import KinerjaError, RefusedFileError
from watcher.masterdata.model import MasterData
from watcher.masterdata.numbers import NotANumber, parse_number
from watcher.record.archive import archived_path
from watcher.record.documents import Approval, Document, Key, approvals, project
from watcher.record.store import Event, Outcome, Store
from watcher.reports.parallel import ordered_map
from watcher.reports.read_memo import remember, remembered
from watcher.service.placement import step_of_path
from watcher.service.tree import Tree
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop
from watcher.validation.rules import Expectation, check
from watcher.workbook.layout import Layout, rencana_aksi_layout
from watcher.workbook.read import Workbook, read_workbook

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total), for long builds


class ReportError(KinerjaError):
    """A report cannot be built (no approved workbook, a damaged archive copy, ...)."""

    exit_code = 1


@dataclass(frozen=True)
class Reading:
    """One indicator as written in an approved workbook (capaian is never taken from it)."""

    realisation: float | None
    target: float | None  # the period's target as written (validated against the master)
    annual_target: float | None
    status: str = ""
    kendala: str = ""
    follow_up: str = ""


@dataclass(frozen=True)
class Submission:
    approval: Approval
    readings: dict[str, Reading] = field(default_factory=dict)  # by indicator code
    kabid_note: str = ""


def current_approvals(events: Iterable[Event]) -> dict[tuple[str, int], Approval]:
    """(division, period) -> the approval in force, from events oldest first (pure): the
    documents' projection (`watcher.record.documents`), so a stale copy moved by a checker never
    withdraws an approval, and a deliberate return of the approved version does."""
    return approvals(project(events).values())


def period_documents(
    store: Store, year: int, quarter: int | None = None, sop: Sop | None = None
) -> dict[Key, Document]:
    """The documents of a year (or one period of it), projected from the log: what the reports
    and `kinerja status` both read, so the approved set they show is one and the same. With
    `sop`, each document also knows which step's folder holds which version."""
    return project(store.events(year=year, quarter=quarter), partial(step_of_path, sop))


def reopened_text(document: Document, zone: tzinfo) -> str:
    """ "dibuka kembali (dikembalikan kabid Senin, 12 Oktober 2026 pukul 14.00 WITA)" while a
    deliberate return of the approved version has withdrawn its approval, else ""."""
    withdrawn = document.reopened
    if withdrawn is None:
        return ""
    back = [r for r in document.returns
            if r.file_hash == withdrawn.file_hash and r.at_utc >= withdrawn.at_utc]  # fmt: skip
    if not back:
        return "dibuka kembali"
    last = back[-1]
    who = f"{last.actor} " if last.actor else ""
    return f"dibuka kembali (dikembalikan {who}{long_datetime(last.at_utc.astimezone(zone))})"


def reopened_texts(documents: Mapping[Key, Document], zone: tzinfo) -> dict[tuple[str, int], str]:
    """(division, period) -> `reopened_text`, for the reopened documents only."""
    found = {(d.division, d.period): reopened_text(d, zone) for d in documents.values()}
    return {key: text for key, text in found.items() if text}


def approvals_for(
    store: Store, year: int, quarter: int | None = None
) -> dict[tuple[str, int], Approval]:
    """The approvals in force for a year (or one period of it), from the log."""
    return approvals(period_documents(store, year, quarter).values())


def approved_years(store: Store) -> list[int]:
    """The years for which the log holds an approval, oldest first."""
    return sorted({e.year for e in store.events(outcome=Outcome.APPROVED) if e.year})


def read_submissions(
    tree: Tree,
    master: MasterData,
    approvals: Iterable[Approval],
    *,
    sop: Sop,
    progress: Progress | None = None,
    documents: Mapping[Key, Document] | None = None,
    ready: Ready | None = None,
) -> dict[tuple[str, int], Submission]:
    """Read each approval's archived bytes into readings; (division, period) -> Submission.
    With the `documents` of the approvals, a note left over from a resolved return is dropped
    (`approved_note`). Many approvals are read on every core (`parallel.ordered_map`); as the
    last approval of a division (approvals come grouped by division) is read, `ready` is
    called with the division's code and the submissions read so far, so that work on that
    division can go on while the others are read."""
    wanted = list(approvals)
    known = {d.code for d in master.divisions}
    readable = []
    skipped: set[str] = set()
    for approval in wanted:
        if approval.division not in known:
            skipped.add(approval.division)
        elif approval.quarter not in sop.period.indices:  # recorded under an earlier SOP
            log.warning("periode %d %d bukan periode %s SOP ini, dilewati", approval.quarter,
                        approval.year, sop.period.kind.value)  # fmt: skip
        else:
            readable.append(approval)
    if skipped:
        log.warning("bidang tidak ada lagi di data induk, dilewati: %s", ", ".join(sorted(skipped)))
    result: dict[tuple[str, int], Submission] = {}
    context = _ReadContext(tree, master, sop, rencana_aksi_layout())
    found_all = _read_all(context, readable)
    for done, (approval, found) in enumerate(zip(readable, found_all, strict=True), start=1):
        document = (documents or {}).get((approval.division, approval.year, approval.quarter))
        note = approved_note(found.kabid_note, document) if document else found.kabid_note
        if note != found.kabid_note:  # else the remembered object itself (`identity_memo`)
            found = replace(found, kabid_note=note)
        result[(approval.division, approval.quarter)] = found
        last = done == len(readable) or readable[done].division != approval.division
        if ready is not None and last:
            ready(approval.division, result)
        if progress is not None:
            progress(done + len(wanted) - len(readable), len(wanted))
    return result


Ready = Callable[[str, Mapping[tuple[str, int], Submission]], None]


@dataclass(frozen=True)
class _ReadContext:
    """What reading any approval needs, handed to each worker process once."""

    tree: Tree
    master: MasterData
    sop: Sop
    layout: Layout


def _read(context: _ReadContext, approval: Approval) -> Submission:
    return read_submission(context.tree, context.master, context.sop, approval, context.layout)


def _read_all(context: _ReadContext, wanted: list[Approval]) -> Iterator[Submission]:
    """Each approval's submission, in order as each is ready: one read before in this process
    (`read_memo`) once its archived bytes are checked again, the others read now (on every
    core when many)."""
    known = []
    for approval in wanted:
        found = remembered(context.master, context.sop, context.layout, approval)
        if found is not None:
            _archived_bytes(context.tree, context.sop, approval)  # still there, unchanged
        known.append(found)
    missing = [a for a, f in zip(wanted, known, strict=True) if f is None]
    fresh = iter(ordered_map(_read, context, missing))
    for found in known:
        if found is None:
            found = next(fresh)
            remember(context.master, context.sop, context.layout, found)
        yield found


def read_submission(
    tree: Tree, master: MasterData, sop: Sop, approval: Approval, layout: Layout
) -> Submission:
    """The readings of one approved version, from its archived original bytes (checked with
    the rules of the workbook the SOP's final check approves)."""
    path, data = _archived_bytes(tree, sop, approval)
    period = _period_text(sop, approval)
    try:
        # The full reader, not a faster one: a percent-formatted cell's meaning is in its style.
        book = read_workbook(data, layout, name=path.name)
    except RefusedFileError as exc:
        raise ReportError(
            f"Salinan arsip {path.name} ({period}) tidak dapat dibaca: {exc}"
        ) from exc
    final = sop.final_check
    expect = Expectation(
        step=sop.producer(final).number,
        rules=sop.rules_at(final),
        division=approval.division,
        period=sop.period,
    )
    result = check(book, master, layout, expect)
    if result.division != approval.division or not result.values:
        raise ReportError(
            f"Buku kerja yang disetujui ({period}, arsip {path.name}) tidak dapat dibaca sebagai "
            "rencana aksi untuk data induk sekarang."
        )
    if result.errors:
        log.info("%s: %d temuan terhadap data induk sekarang", period, len(result.errors))
    written = _written_targets(book, layout)
    readings = {
        code: Reading(
            realisation=values.get("realisation"),
            target=written.get(code, (None, None))[0],
            annual_target=written.get(code, (None, None))[1],
            status=str(values.get("status") or ""),
            kendala=str(values.get("kendala") or ""),
            follow_up=str(values.get("follow_up") or ""),
        )
        for code, values in result.values.items()
    }
    return Submission(approval, readings, result.kabid_note)


def _archived_bytes(tree: Tree, sop: Sop, approval: Approval) -> tuple[Path, bytes]:
    """The approved version's archived copy and its bytes; ReportError if it cannot be read or
    is not the file the log approved (its SHA-256)."""
    suffix = PurePosixPath(approval.path).suffix.lower() or ".xlsx"
    path = archived_path(tree.archive_files, approval.file_hash, suffix)
    period = _period_text(sop, approval)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(
            f"Salinan arsip laporan yang disetujui ({period}) tidak dapat dibaca: {path} "
            f"({exc.strerror or exc}). Laporan tidak disusun; periksa folder arsip."
        ) from exc
    if hashlib.sha256(data).hexdigest() != approval.file_hash:
        raise ReportError(
            f"Salinan arsip {path} ({period}) tidak sesuai kode SHA-256-nya; laporan tidak "
            "disusun dari berkas yang mungkin telah diubah. Periksa media penyimpanan arsip."
        )
    return path, data


def _period_text(sop: Sop, approval: Approval) -> str:
    return f"bidang {approval.division} {sop.period.label(approval.quarter)} {approval.year}"


def approved_note(note: str, document: Document) -> str:
    """The final checker's note of the approved version, or "" when the text is the note of an
    earlier return of the same document: the clerk corrected the report but left the old note
    in its cell, and the report must not show a resolved return's note as the approval's."""
    approval = document.approval
    if approval is None or not note.strip():
        return note
    earlier = {
        r.note.strip() for r in document.returns if r.note and r.at_utc <= approval.at_utc
    }  # fmt: skip
    return "" if note.strip() in earlier else note


def _written_targets(
    book: Workbook, layout: Layout
) -> dict[str, tuple[float | None, float | None]]:
    """Indicator code -> (period target, annual target) as written in the table."""
    code_col = layout.column("code").index
    target_col = layout.column("target").index
    annual_col = layout.column("annual_target").index
    found: dict[str, tuple[float | None, float | None]] = {}
    for row in range(layout.rows["first_data"], len(book.grid) + 1):
        code = str(book.value(row, code_col)).strip()
        if code and code not in found:
            found[code] = (
                _number(book.value(row, target_col)),
                _number(book.value(row, annual_col)),
            )
    return found


def _number(value: object) -> float | None:
    try:
        return parse_number(value)[0]
    except NotANumber:
        return None
