"""Read a quarter's events from the log and turn them into each division's step timings.

The thin edge between the store and the pure calculations of `sla.py`, shared by the deadline
sweep and the status page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watcher.masterdata.model import Division, MasterData
from watcher.record.store import Event, Outcome, Store
from watcher.sop.model import Sop
from watcher.sop.sla import Progress, division_progress, office_calendar


@dataclass(frozen=True)
class DivisionTimeline:
    division: Division
    events: list[Event]  # the division's events of the quarter, oldest first
    progress: Progress


def open_periods(store: Store, master: MasterData) -> list[tuple[int, int]]:
    """Issued quarters that are not yet approved for every division, oldest first."""
    codes = {division.code for division in master.divisions}
    issued = store.events(outcome=Outcome.ISSUED)
    periods = sorted({(e.year, e.quarter) for e in issued if e.year and e.quarter})
    still_open = []
    for year, quarter in periods:
        approvals = store.events(outcome=Outcome.APPROVED, year=year, quarter=quarter)
        if not codes <= {event.division for event in approvals}:
            still_open.append((year, quarter))
    return still_open


def quarter_timelines(store: Store, master: MasterData, sop: Sop, year: int, quarter: int,
                      now: datetime) -> list[DivisionTimeline]:  # fmt: skip
    """Every division's events and step timings for one quarter, as of `now`."""
    calendar = office_calendar(master.settings, range(year, year + 2))
    timelines = []
    for division in master.divisions:
        events = store.events(division=division.code, year=year, quarter=quarter)
        progress = division_progress(
            events, division=division.code, year=year, quarter=quarter, sop=sop, cal=calendar,
            settings=master.settings, now=now,
        )  # fmt: skip
        timelines.append(DivisionTimeline(division, events, progress))
    return timelines
