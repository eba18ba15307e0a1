"""Step durations against the SOP's time standards, computed from the event log (pure).

Nothing here is stored: every timing is derived from the recorded events, the SOP, the office
calendar and an injected `now`. Steps of one division's quarter:

- steps 1-2: from the scheduled disposition (the 10th, at opening time) to its issue;
- step 3: from the disposition to the valid material;
- step 4: from the valid material (or the Kabid's return) to the valid report;
- step 5: from the report's arrival in review to the Kabid's move; a return starts step 4 again;
- step 6 (office-wide): from the last division's approval to the quarterly report, and from the
  fourth quarter's last approval to the annual report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from watcher.calendar import WorkCalendar, build_calendar, deadline, working_time_between
from watcher.master import Settings
from watcher.sop import Sop, TimeStandard
from watcher.store import Event, Outcome

ANNUAL_STANDARD = "tahunan"
QUARTERLY_STANDARD = "triwulan"


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
    round: int = 1  # steps 4 and 5 run again after each return

    @property
    def share(self) -> float | None:
        """Worked time as a share of the allowed time (1.0 = at the deadline)."""
        if self.worked is None or not self.allowed:
            return None
        return self.worked / self.allowed


@dataclass(frozen=True)
class Progress:
    """One division's quarter, step by step."""

    division: str
    year: int
    quarter: int
    steps: tuple[StepTiming, ...]  # steps 1..5
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


def disposition_day(year: int, quarter: int) -> date:
    """The SOP's day for a quarter's disposition: the 10th of the next quarter's first month."""
    return date(year + 1, 1, 10) if quarter == 4 else date(year, quarter * 3 + 1, 10)


def scheduled_moment(cal: WorkCalendar, settings: Settings, year: int, quarter: int) -> datetime:
    """Opening time on the disposition day (Monday's opening if that weekday has no hours)."""
    day = disposition_day(year, quarter)
    hours = settings.week.get(day.weekday()) or settings.week.get(0)
    opening = hours.start if hours else time(7, 30)
    return datetime.combine(day, opening, tzinfo=cal.tz)


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
    """Timings of steps 1-5 for one division's quarter from its events (oldest first)."""
    share = settings.warning_share
    scheduled = scheduled_moment(cal, settings, year, quarter)
    issue_at = _find(events, (Outcome.ISSUED,), None, 0)
    issued = events[issue_at].at_utc if issue_at is not None else None
    step3_start = issued or scheduled
    steps = [
        timing(
            cal, 1, sop.step(1).standard, min(scheduled, issued or scheduled), issued, now, share
        ),
        timing(cal, 2, sop.step(2).standard, issued, issued, now, share),
    ]
    material = _find(events, (Outcome.VALID,), 3, 0)
    steps.append(
        timing(cal, 3, sop.step(3).standard, step3_start, _at(events, material), now, share)
    )
    # Steps 4 and 5 run in rounds: each return by the Kabid starts step 4 again.
    start, report, decision, returns = material, None, None, 0
    while start is not None:
        report = _find(events, (Outcome.VALID,), 4, start + 1)
        decision = (
            _find(events, (Outcome.APPROVED, Outcome.RETURNED), 5, report + 1)
            if report is not None
            else None
        )
        if decision is None or events[decision].outcome is not Outcome.RETURNED:
            break
        start, report, decision, returns = decision, None, None, returns + 1
    round_ = returns + 1
    steps.append(
        timing(
            cal,
            4,
            sop.step(4).standard,
            _at(events, start),
            _at(events, report),
            now,
            share,
            round_,
        )
    )
    steps.append(
        timing(
            cal,
            5,
            sop.step(5).standard,
            _at(events, report),
            _at(events, decision),
            now,
            share,
            round_,
        )
    )
    return Progress(division, year, quarter, tuple(steps), returns)


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
) -> StepTiming:
    """Step 6: from the last division's approval to the report (quarterly, or annual when
    `quarter` is None: from the fourth quarter's last approval, 15 working days)."""
    name = QUARTERLY_STANDARD if quarter is not None else ANNUAL_STANDARD
    standard = sop.step(6).standards.get(name, sop.step(6).standard)
    wanted = quarter if quarter is not None else 4
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
    return timing(cal, 6, standard, start, built, now, settings.warning_share)


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
