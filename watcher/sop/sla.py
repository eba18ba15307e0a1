"""Step durations against the SOP's time standards, computed from the event log (pure).

Nothing here is stored: every timing is derived from the recorded events, the SOP, the office
calendar and an injected `now`. Steps of one division's period, for any SOP (SOP 010's in
brackets):

- the issue steps: the first from the scheduled issue (the SOP's day at opening time) to the
  issue; the others are done with it (steps 1-2);
- each submission: from the end of the step before it (or a return to it) to its valid file
  (step 3 from the disposition to the material; step 4 from the material to the report);
- each check: from the file's arrival to the checker's move; a return starts its `kembali_ke`
  step again, and the steps after it, as a new round (step 5, back to step 4);
- the compile step (office-wide): from the last division's final approval to the period's
  report, and from the year's last period's approvals to the annual report (step 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from watcher.masterdata.model import Settings
from watcher.record.store import Event, Outcome
from watcher.service.routing import ends_step
from watcher.sop.calendar import (
    WorkCalendar,
    build_calendar,
    deadline,
    opening_time,
    working_time_between,
)
from watcher.sop.model import ANNUAL_STANDARD, Sop, Step, StepKind, TimeStandard
from watcher.sop.period import Period


class StepState(StrEnum):
    """How a step stands; the values are shown on the status page and in `--json`."""

    NOT_STARTED = "belum_mulai"
    IN_TIME = "berjalan"  # running, within the warning share of its standard
    WARNING = "peringatan"  # running, past the warning share
    LATE = "terlambat"  # running, past its deadline
    DONE = "selesai"
    DONE_LATE = "selesai_terlambat"


@dataclass(frozen=True)
class StepTiming:
    step: int
    standard: TimeStandard
    state: StepState
    start: datetime | None = None
    end: datetime | None = None
    deadline: datetime | None = None
    worked: timedelta | None = None  # working time from start to end (or to now)
    allowed: timedelta | None = None  # working time from start to deadline
    round: int = 1  # the steps from a return's target on run again after each return

    @property
    def share(self) -> float | None:
        """Worked time as a share of the allowed time (1.0 = at the deadline)."""
        if self.worked is None or not self.allowed:
            return None
        return self.worked / self.allowed


@dataclass(frozen=True)
class Progress:
    """One division's period, step by step."""

    division: str
    year: int
    quarter: int
    steps: tuple[StepTiming, ...]  # every step but the compile step, in order
    returns: int

    @property
    def current(self) -> StepTiming | None:
        """The step the division is at now; None once the Kabid has approved."""
        return next(
            (s for s in self.steps if s.state not in (StepState.DONE, StepState.DONE_LATE)), None
        )


def office_calendar(settings: Settings, years: Iterable[int]) -> WorkCalendar:
    return build_calendar(
        tz_name=settings.timezone, week=settings.week, years=years, overrides=settings.day_overrides
    )


def scheduled_moment(cal: WorkCalendar, settings: Settings, period: Period, year: int,
                     index: int) -> datetime:  # fmt: skip
    """Opening time on the period's issue day (Monday's opening if that weekday has no hours)."""
    day = period.issue_date(year, index)
    return datetime.combine(day, opening_time(settings.week, day.weekday()), tzinfo=cal.tz)


def timing(
    cal: WorkCalendar,
    number: int,
    standard: TimeStandard,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    warning_share: float,
    round_: int = 1,
) -> StepTiming:
    """One step's timing; `warning_share` in percent (80 = warn at 80 % of the standard)."""
    # A start still ahead (the 10th not yet come) is not a running step.
    if start is None or (end is None and start > now):
        return StepTiming(number, standard, StepState.NOT_STARTED, round=round_)
    start, end = start.astimezone(cal.tz), end.astimezone(cal.tz) if end else None
    due = deadline(cal, start, standard)
    allowed = working_time_between(cal, start, due)
    worked = working_time_between(cal, start, end or now)
    late = worked > allowed
    if end is not None:
        state = StepState.DONE_LATE if late else StepState.DONE
    elif late:
        state = StepState.LATE
    elif allowed and worked / allowed >= warning_share / 100:
        state = StepState.WARNING
    else:
        state = StepState.IN_TIME
    return StepTiming(number, standard, state, start, end, due, worked, allowed, round_)


def division_progress(
    events: Sequence[Event],
    *,
    division: str,
    year: int,
    quarter: int,
    sop: Sop,
    cal: WorkCalendar,
    settings: Settings,
    now: datetime,
) -> Progress:
    """Timings of every step of one division's period (all but the compile step) from its
    events (oldest first). `quarter` is the period's number within the year."""
    share = settings.warning_share
    scheduled = scheduled_moment(cal, settings, sop.period, year, quarter)
    issue_at = _find(events, (Outcome.ISSUED,), None, 0)
    issued = events[issue_at].at_utc if issue_at is not None else None
    timings: dict[int, StepTiming] = {}
    for position, step in enumerate(sop.of_kind(StepKind.ISSUE)):
        start = min(scheduled, issued or scheduled) if position == 0 else issued
        timings[step.number] = timing(cal, step.number, step.standard, start, issued, now, share)
    flow, returns = sop.flow, 0
    index, start_at, cursor = 0, issued or scheduled, issue_at if issue_at is not None else -1
    while index < len(flow):
        step = flow[index]
        end = _find_end(events, step, cursor + 1)
        end_at = events[end].at_utc if end is not None else None
        timings[step.number] = timing(cal, step.number, step.standard, start_at, end_at, now,
                                      share, returns + 1)  # fmt: skip
        if end is None:
            for later in flow[index + 1 :]:
                timings[later.number] = timing(cal, later.number, later.standard, None, None,
                                               now, share, returns + 1)  # fmt: skip
            break
        start_at, cursor = end_at, end
        if events[end].outcome is Outcome.RETURNED:
            returns += 1
            index = flow.index(sop.step(step.return_to))
            continue
        index += 1
    steps = tuple(timings[step.number] for step in sop.per_division)
    return Progress(division, year, quarter, steps, returns)


def _find_end(events: Sequence[Event], step: Step, begin: int) -> int | None:
    """Index of the first event from `begin` on that finishes `step`."""
    for index in range(begin, len(events)):
        event = events[index]
        if event.step == step.number and ends_step(event.outcome, step.kind):
            return index
    return None


def report_timing(
    events: Sequence[Event],
    *,
    divisions: Sequence[str],
    year: int,
    quarter: int | None,
    sop: Sop,
    cal: WorkCalendar,
    settings: Settings,
    now: datetime,
) -> StepTiming | None:
    """The compile step: from the last division's final approval to the period's report, or
    to the annual report when `quarter` is None (from the year's last period's approvals).
    None when the SOP has no compile step."""
    step = sop.compile_step
    if step is None:
        return None
    name = sop.period.standard_name if quarter is not None else ANNUAL_STANDARD
    standard = step.standards.get(name, step.standard)
    wanted = quarter if quarter is not None else sop.period.count
    approvals: dict[str, datetime] = {}
    for event in events:
        if (
            event.outcome is Outcome.APPROVED
            and event.year == year
            and event.quarter == wanted
            and event.division in divisions
            and event.at_utc is not None
        ):
            approvals.setdefault(event.division, event.at_utc)
    start = max(approvals.values()) if len(approvals) == len(divisions) and approvals else None
    built = next(
        (
            e.at_utc
            for e in events
            if e.outcome is Outcome.REPORT_BUILT
            and e.year == year
            and e.quarter == quarter
            and start is not None
            and e.at_utc
            and e.at_utc >= start
        ),
        None,
    )
    return timing(cal, step.number, standard, start, built, now, settings.warning_share)


def _find(
    events: Sequence[Event], outcomes: tuple[Outcome, ...], step: int | None, begin: int
) -> int | None:
    """Index of the first event from `begin` on with one of `outcomes` (and `step`, if given)."""
    for index in range(begin, len(events)):
        event = events[index]
        if event.outcome in outcomes and (step is None or event.step == step):
            return index
    return None


def _at(events: Sequence[Event], index: int | None) -> datetime | None:
    return events[index].at_utc if index is not None else None
