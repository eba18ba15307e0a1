"""One office's period report, computed at the centre from what the office sent, by the office's
own code and under its own rules: its SOP and master workbook (the latest profile), its events
projected into documents and approvals (`watcher.record.documents`), the readings of each
approved version (`payload.readings_of`, with the checker's note cleaned as the office cleans it),
then `period_figures` and the status `snapshot` the office's own report uses.

So the figures, capaian and predikat, and every division's timing, are the office's, whatever its
bands, its capaian rules or its SOP's period kind.
"""

from __future__ import annotations

import binascii
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from watcher.central.payload import profile_files, readings_of
from watcher.central.records import OfficeRecord
from watcher.errors import KinerjaError
from watcher.masterdata.codec import master_from_json
from watcher.masterdata.load import master_from_bytes
from watcher.masterdata.model import MasterData
from watcher.record.documents import Approval, Document, Key, approvals, project
from watcher.reports.context import PeriodReport, Provenance
from watcher.reports.figures import period_figures
from watcher.reports.gather import Submission, approved_note, reopened_texts
from watcher.reports.period import approvals_through, fingerprint
from watcher.reports.status import LoggedEvents, snapshot
from watcher.sop.load import parse_sop
from watcher.sop.model import Sop

log = logging.getLogger(__name__)


class ProfileError(KinerjaError):
    """An office's profile (SOP file, master workbook) cannot be read at the centre."""


@dataclass(frozen=True)
class Rules:
    """An office's rules, from its latest profile."""

    sop: Sop
    master: MasterData


@dataclass(frozen=True)
class OfficePeriod:
    """One office's period report as the centre computes it, and what it still lacks."""

    report: PeriodReport
    pending: tuple[tuple[str, int], ...]  # (division, period) approved, readings not here yet
    submissions: dict[tuple[str, int], Submission]  # the year's, through the period


def office_rules(record: OfficeRecord) -> Rules:
    """The SOP and master data of the office's latest profile; ProfileError if unreadable."""
    if record.profile is None:
        raise ProfileError("profil (SOP dan data induk) belum diterima pusat")
    source = f"profil kantor {record.office_id} di pusat"
    try:
        sop_raw, master_raw = profile_files(record.profile)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise ProfileError(f"profil kantor rusak ({exc})") from exc
    try:
        sop = _sop(sop_raw)
    except KinerjaError as exc:
        raise ProfileError(f"profil kantor tidak dapat dibaca: {exc}") from exc
    return Rules(sop, profile_master(record.profile, master_raw, source))


@lru_cache(maxsize=64)
def _sop(raw: bytes) -> Sop:
    """The SOP of a profile; offices share a handful of SOP files, each parsed once."""
    return parse_sop(raw, "profil kantor di pusat (SOP)")


def profile_master(profile: dict[str, Any], master_raw: bytes, source: str) -> MasterData:
    """The master data the office's loader read (its values in the profile); from the workbook
    itself for a profile sent by a version of kinerja that did not send them."""
    values = profile.get("data_induk")
    if values is not None:
        try:
            return master_from_json(values)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProfileError(f"data induk dalam profil kantor rusak ({exc})") from exc
    try:
        return master_from_bytes(master_raw, f"{source} (data induk)")
    except KinerjaError as exc:
        raise ProfileError(f"profil kantor tidak dapat dibaca: {exc}") from exc


def office_period(
    record: OfficeRecord, rules: Rules, when: tuple[int, int], now: Callable[[], datetime]
) -> OfficePeriod:
    """The office's report of period `when` = (year, index), as its own `period_report`
    computes it, from the records the centre holds."""
    year, index = when
    master, sop = rules.master, rules.sop
    events = [e for e in record.events if e.year == year]
    documents = project(events)
    used = approvals_through(approvals(documents.values()), index)
    submissions, pending = _submissions(used, documents, record.submissions, master, sop)
    figures = period_figures(master, sop.period, year, index, submissions)
    view = snapshot(LoggedEvents(events), master, sop, now(), when)
    timings = {division.code: division.progress for division in view.divisions}
    provenance = Provenance(view.generated_at, record.chain.head, fingerprint(used, master))
    reopened = {
        code: text
        for (code, i), text in reopened_texts(documents, provenance.built_at.tzinfo).items()
        if i == index
    }
    report = PeriodReport(master, sop, figures, timings, view.report, provenance, reopened)
    return OfficePeriod(report, tuple(pending), submissions)


def _submissions(
    used: Iterable[Approval],
    documents: Mapping[Key, Document],
    bodies: Mapping[str, dict[str, Any]],
    master: MasterData,
    sop: Sop,
) -> tuple[dict[tuple[str, int], Submission], list[tuple[str, int]]]:
    """(division, period) -> Submission from the readings the office sent (skipping what the
    office's `read_submissions` skips), and the approvals whose readings are not here yet."""
    known = {d.code for d in master.divisions}
    found: dict[tuple[str, int], Submission] = {}
    pending: list[tuple[str, int]] = []
    for approval in used:
        if approval.division not in known or approval.quarter not in sop.period.indices:
            continue
        key = (approval.division, approval.quarter)
        body = bodies.get(approval.file_hash)
        try:
            readings, note = readings_of(body) if body is not None else (None, "")
        except (KeyError, TypeError, ValueError) as exc:  # a document this version cannot read
            log.warning(
                "bacaan %s %s tidak dapat dibaca: %s",
                approval.division,
                approval.file_hash[:12],
                exc,
            )
            readings = None
        if readings is None:
            pending.append(key)
            continue
        document = documents.get((approval.division, approval.year, approval.quarter))
        if document is not None:
            note = approved_note(note, document)
        found[key] = Submission(approval, readings, note)
    return found, pending
