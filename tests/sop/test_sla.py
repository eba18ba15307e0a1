"""Step timings against the SOP's time standards, worked out by hand, from a real event log.

Every case writes its events into a real SQLite log through a clock the test moves, then reads
them back, as the service and `kinerja status` do. The expected start, deadline, worked and
allowed office minutes and state of every case are worked out by hand in its comment.

The office week (sample master data): Monday-Thursday 07:30-12:00 and 13:00-16:00, Friday
07:30-11:30 and 13:00-16:30, 450 office minutes a day. Days off used below (`holidays` 0.109,
Indonesia, public and government categories): Monday 17 August 2026 (Independence Day);
18, 19 (Nyepi), 20, 23 and 24 March 2026 (cuti bersama around Idul Fitri, which falls on the
weekend of 21-22 March); Thursday 24 December 2026 (cuti bersama) and Friday 25 December 2026
(Christmas); Friday 1 January 2027 and Tuesday 5 January 2027 (Isra Mi'raj).

SOP 010's standards: steps 1-2 15 Menit, steps 3-4 1 Hari, step 5 1 Jam, step 6 1 Hari for the
quarterly report and 15 Hari for the annual one. A day standard ends at the same clock position
on the next working day; minutes count office minutes; a start outside office time counts from
the next opening.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from watcher.masterdata.sample import sample_master
from watcher.record.store import Event, Outcome, Store
from watcher.sop.calendar import DayOverride
from watcher.sop.load import load_sop
from watcher.sop.model import parse_time_standard
from watcher.sop.period import QUARTERLY
from watcher.sop.sla import (
    StepState,
    StepTiming,
    division_progress,
    office_calendar,
    report_timing,
    scheduled_moment,
    timing,
)

WITA = ZoneInfo("Asia/Makassar")
SOP = load_sop()
SETTINGS = sample_master().settings
CAL = office_calendar(SETTINGS, range(2025, 2028))

ISSUED, VALID, INVALID, RETURNED, APPROVED = (
    Outcome.ISSUED, Outcome.VALID, Outcome.INVALID, Outcome.RETURNED, Outcome.APPROVED,
)  # fmt: skip
BUILT, WARNING = Outcome.REPORT_BUILT, Outcome.WARNING
(NOT_STARTED, IN_TIME, WARN, LATE, DONE, DONE_LATE) = (
    StepState.NOT_STARTED, StepState.IN_TIME, StepState.WARNING, StepState.LATE,
    StepState.DONE, StepState.DONE_LATE,
)  # fmt: skip


def w(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An instant in WITA."""
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


class Clock:
    """The clock the log reads; the test moves it before each event."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


# (when, outcome, step) of one division's event, or (when, outcome, step, division)
Row = tuple[datetime, Outcome, int | None] | tuple[datetime, Outcome, int | None, str]


def logged(folder: Path, rows: list[Row], *, year: int, quarter: int) -> list[Event]:
    """DAFDUK's events: append `rows` to a fresh log, the clock at each row's time; read back."""
    clock = Clock(rows[0][0] if rows else w(2026, 1, 1))
    with Store(folder / "log.sqlite3", now=clock) as store:
        for when, outcome, step in rows:
            clock.moment = when
            event = Event(outcome=outcome, division="DAFDUK", year=year, quarter=quarter, step=step)
            store.append(event)
        return store.events(division="DAFDUK", year=year, quarter=quarter)


@dataclass(frozen=True)
class Expect:
    start: datetime | None
    deadline: datetime | None
    worked: int | None  # office minutes from the start to the end (or to now)
    allowed: int | None  # office minutes from the start to the deadline
    state: StepState
    round: int = 1


def observed(step: StepTiming) -> Expect:
    def minutes(value: timedelta | None) -> int | None:
        return None if value is None else int(value.total_seconds() // 60)

    return Expect(
        step.start, step.deadline, minutes(step.worked), minutes(step.allowed), step.state,
        step.round,
    )  # fmt: skip


# The third quarter of 2026: its disposition day is Saturday 10 October 2026 (opening 07:30, from
# Monday's hours since Saturday has none); steps 1-2 count from Monday 12 October 07:30.
ON_TIME = (w(2026, 10, 10, 7, 30), ISSUED, 2)
Q3 = (2026, 3)
Q2 = (2026, 2)
Q4_2025 = (2025, 4)

# fmt: off
CASES = [
    # Issued by the service at opening time on Saturday 10 October. Step 1 starts at the
    # scheduled moment, Sat 07:30, and ends there; its deadline is 15 office minutes from the
    # next opening, Mon 12 Oct 07:45; 0 minutes worked of 15 allowed: done in time.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 9), 1,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 12, 7, 45), 0, 15, DONE),
        id="sat-10-oct-2026-step-1-starts-at-the-10th-opening",
    ),
    # Step 2 likewise: issue and forwarding happen at once, Sat 07:30, due Mon 07:45.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 9), 2,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 12, 7, 45), 0, 15, DONE),
        id="sat-10-oct-2026-step-2",
    ),
    # Step 3 (1 Hari) from the disposition, Sat 07:30: the next office moment is Mon 07:30, so
    # the deadline is Tue 13 Oct 07:30; allowed = all of Monday = 450 min. At Mon 09:00,
    # 90 min worked (20 %): in time.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 9), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 90, 450, IN_TIME),
        id="sat-10-oct-2026-step-3-deadline-from-monday-opening",
    ),
    # At Mon 14:29: 07:30-12:00 (270) + 13:00-14:29 (89) = 359 min = 79.8 %: still in time.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 14, 29), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 359, 450, IN_TIME),
        id="step-3-just-below-the-warning-share",
    ),
    # At Mon 14:30: 270 + 90 = 360 min = exactly 80 % of 450: warning.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 14, 30), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 360, 450, WARN),
        id="step-3-warning-at-80-percent",
    ),
    # At Mon 21:00 the office is closed: 450 of 450 min worked, not more: a warning, not late.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 12, 21), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 450, 450, WARN),
        id="step-3-at-21h-after-the-last-office-minute-is-not-late",
    ),
    # At Tue 07:31: 450 + 1 = 451 > 450: late.
    pytest.param(
        [ON_TIME], Q3, w(2026, 10, 13, 7, 31), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 451, 450, LATE),
        id="step-3-late-one-office-minute-past-the-deadline",
    ),
    # The material saved on Monday at 21:00 (the Analis Data worked late): 450 of 450 min, so
    # in time for the Tue 07:30 deadline. A refused attempt at 20:00 does not end the step.
    pytest.param(
        [ON_TIME, (w(2026, 10, 12, 20), INVALID, 3), (w(2026, 10, 12, 21), VALID, 3)],
        Q3, w(2026, 10, 13, 10), 3,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 13, 7, 30), 450, 450, DONE),
        id="material-saved-monday-21h-is-on-time",
    ),
    # Step 4 starts at that 21:00 save; it counts from the next opening, Tue 07:30, so it is due
    # Wed 14 Oct 07:30 (allowed: Tuesday, 450). At Tue 10:00: 150 min worked (33 %).
    pytest.param(
        [ON_TIME, (w(2026, 10, 12, 21), VALID, 3)], Q3, w(2026, 10, 13, 10), 4,
        Expect(w(2026, 10, 12, 21), w(2026, 10, 14, 7, 30), 150, 450, IN_TIME),
        id="step-4-from-a-21h-save-counts-from-the-next-opening",
    ),
    # Catch-up: the service was down over the 10th and issued on Mon 12 Oct 10:00. Step 1 still
    # starts at the scheduled Sat 07:30, due Mon 07:45; it ended Mon 10:00 after 150 office
    # minutes (07:30-10:00): done late.
    pytest.param(
        [(w(2026, 10, 12, 10), ISSUED, 2)], Q3, w(2026, 10, 12, 10, 5), 1,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 12, 7, 45), 150, 15, DONE_LATE),
        id="catch-up-monday-10h-step-1-done-late",
    ),
    # ... while step 3 counts from the actual issue, Mon 10:00 -> Tue 13 Oct 10:00 (450 min);
    # 5 min worked at 10:05.
    pytest.param(
        [(w(2026, 10, 12, 10), ISSUED, 2)], Q3, w(2026, 10, 12, 10, 5), 3,
        Expect(w(2026, 10, 12, 10), w(2026, 10, 13, 10), 5, 450, IN_TIME),
        id="catch-up-step-3-counts-from-the-issue",
    ),
    # Nothing issued yet at Mon 08:00: step 1 runs from Sat 07:30, 30 min worked > 15: late.
    pytest.param(
        [], Q3, w(2026, 10, 12, 8), 1,
        Expect(w(2026, 10, 10, 7, 30), w(2026, 10, 12, 7, 45), 30, 15, LATE),
        id="not-issued-yet-step-1-late",
    ),
    pytest.param(
        [], Q3, w(2026, 10, 12, 8), 2,
        Expect(None, None, None, None, NOT_STARTED),
        id="not-issued-yet-step-2-not-started",
    ),
    # Before the 10th (Mon 5 Oct) no step has started: the disposition day is still ahead.
    pytest.param(
        [], Q3, w(2026, 10, 5, 9), 1,
        Expect(None, None, None, None, NOT_STARTED),
        id="before-the-10th-step-1-not-started",
    ),
    pytest.param(
        [], Q3, w(2026, 10, 5, 9), 3,
        Expect(None, None, None, None, NOT_STARTED),
        id="before-the-10th-step-3-not-started",
    ),
    # Across a weekend: material on Fri 16 Oct 14:00 -> step 4 due Mon 19 Oct 14:00; allowed
    # Fri 14:00-16:30 (150) + Mon 07:30-12:00 (270) + 13:00-14:00 (60) = 480. Report saved
    # Mon 13:30: 150 + 270 + 30 = 450 worked: done in time.
    pytest.param(
        [ON_TIME, (w(2026, 10, 16, 14), VALID, 3), (w(2026, 10, 19, 13, 30), VALID, 4)],
        Q3, w(2026, 10, 19, 15), 4,
        Expect(w(2026, 10, 16, 14), w(2026, 10, 19, 14), 450, 480, DONE),
        id="step-4-across-a-weekend-done",
    ),
    # The same report saved Mon 14:05: 150 + 270 + 65 = 485 > 480: done late.
    pytest.param(
        [ON_TIME, (w(2026, 10, 16, 14), VALID, 3), (w(2026, 10, 19, 14, 5), VALID, 4)],
        Q3, w(2026, 10, 19, 15), 4,
        Expect(w(2026, 10, 16, 14), w(2026, 10, 19, 14), 485, 480, DONE_LATE),
        id="step-4-across-a-weekend-done-late",
    ),
    # Step 5 (1 Jam) from a report valid at Fri 16 Oct 16:00: 30 min on Friday (to 16:30), the
    # other 30 on Monday -> due Mon 19 Oct 08:00. At Mon 07:50: 30 + 20 = 50 (83 %): warning.
    pytest.param(
        [ON_TIME, (w(2026, 10, 16, 9), VALID, 3), (w(2026, 10, 16, 16), VALID, 4)],
        Q3, w(2026, 10, 19, 7, 50), 5,
        Expect(w(2026, 10, 16, 16), w(2026, 10, 19, 8), 50, 60, WARN),
        id="step-5-friday-afternoon-across-the-weekend",
    ),
    # A report saved on Sunday 18 Oct 10:00: step 5 counts from Mon 07:30 -> due Mon 08:30.
    # At Mon 08:00: 30 of 60 min.
    pytest.param(
        [ON_TIME, (w(2026, 10, 16, 9), VALID, 3), (w(2026, 10, 18, 10), VALID, 4)],
        Q3, w(2026, 10, 19, 8), 5,
        Expect(w(2026, 10, 18, 10), w(2026, 10, 19, 8, 30), 30, 60, IN_TIME),
        id="report-saved-on-a-sunday",
    ),
    # A return and resubmission. Material Mon 12 Oct 09:00, report Mon 11:00, the Kabid saves
    # his note in review at 11:20 (a step-5 VALID, not a decision) and returns it at 11:30.
    # Step 4 starts again at the return, Mon 11:30, due Tue 13 Oct 11:30 (allowed 30 + 180 +
    # 240 = 450). A refused fix at Tue 08:00 does not end it; the valid one at Tue 09:00 does:
    # 11:30-12:00 (30) + 13:00-16:00 (180) + 07:30-09:00 (90) = 300 worked, round 2.
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 10, 12, 11, 20), VALID, 5), (w(2026, 10, 12, 11, 30), RETURNED, 5),
            (w(2026, 10, 12, 15), WARNING, 4), (w(2026, 10, 13, 8), INVALID, 4),
            (w(2026, 10, 13, 9), VALID, 4),
        ],
        Q3, w(2026, 10, 13, 9, 30), 4,
        Expect(w(2026, 10, 12, 11, 30), w(2026, 10, 13, 11, 30), 300, 450, DONE, round=2),
        id="return-restarts-step-4-at-the-return",
    ),
    # ... and step 5 follows the resubmission: Tue 09:00, due 10:00; 30 min at 09:30.
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 10, 12, 11, 30), RETURNED, 5), (w(2026, 10, 13, 9), VALID, 4),
        ],
        Q3, w(2026, 10, 13, 9, 30), 5,
        Expect(w(2026, 10, 13, 9), w(2026, 10, 13, 10), 30, 60, IN_TIME, round=2),
        id="return-step-5-follows-the-resubmission",
    ),
    # Approved at Tue 09:50: step 5 round 2 done after 50 of 60 min.
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 10, 12, 11, 30), RETURNED, 5), (w(2026, 10, 13, 9), VALID, 4),
            (w(2026, 10, 13, 9, 50), APPROVED, 5),
        ],
        Q3, w(2026, 10, 13, 10, 30), 5,
        Expect(w(2026, 10, 13, 9), w(2026, 10, 13, 10), 50, 60, DONE, round=2),
        id="return-then-approved",
    ),
    # Returned, not yet corrected: at Mon 15:00 step 4 round 2 has run 30 + 120 = 150 min ...
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 10, 12, 11, 30), RETURNED, 5),
        ],
        Q3, w(2026, 10, 12, 15), 4,
        Expect(w(2026, 10, 12, 11, 30), w(2026, 10, 13, 11, 30), 150, 450, IN_TIME, round=2),
        id="returned-waiting-for-the-kasubag",
    ),
    # ... and step 5 of round 2 has not started.
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 10, 12, 11, 30), RETURNED, 5),
        ],
        Q3, w(2026, 10, 12, 15), 5,
        Expect(None, None, None, None, NOT_STARTED, round=2),
        id="returned-step-5-of-the-new-round-not-started",
    ),
    # Independence Day: the second quarter's disposition on Friday 10 July 2026; the Kabid
    # returns the report on Fri 14 Aug 15:00. Step 4 is due on the next working day after the
    # weekend and Monday 17 August: Tue 18 Aug 15:00; allowed Fri 15:00-16:30 (90) + Tue
    # 07:30-15:00 less the break (390) = 480. At Tue 08:00: 90 + 30 = 120 worked.
    pytest.param(
        [
            (w(2026, 7, 10, 7, 30), ISSUED, 2), (w(2026, 7, 13, 9), VALID, 3),
            (w(2026, 8, 14, 14), VALID, 4), (w(2026, 8, 14, 15), RETURNED, 5),
        ],
        Q2, w(2026, 8, 18, 8), 4,
        Expect(w(2026, 8, 14, 15), w(2026, 8, 18, 15), 120, 480, IN_TIME, round=2),
        id="step-4-across-independence-day-17-aug-2026",
    ),
    # Friday 10 July 2026 is a working day: step 3 from Fri 07:30 is due Mon 13 Jul 07:30
    # (allowed: Friday, 450); at Fri 10:00, 150 worked.
    pytest.param(
        [(w(2026, 7, 10, 7, 30), ISSUED, 2)], Q2, w(2026, 7, 10, 10), 3,
        Expect(w(2026, 7, 10, 7, 30), w(2026, 7, 13, 7, 30), 150, 450, IN_TIME),
        id="fri-10-jul-2026-step-3-due-monday-opening",
    ),
    # Cuti bersama at Christmas: a report returned on Wed 23 Dec 2026 10:00. Thursday 24 (cuti
    # bersama), Friday 25 (Christmas) and the weekend are off: due Mon 28 Dec 10:00; allowed
    # Wed 10:00-16:00 less the break (300) + Mon 07:30-10:00 (150) = 450. At Mon 09:00:
    # 300 + 90 = 390 (87 %): warning.
    pytest.param(
        [
            ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
            (w(2026, 12, 23, 10), RETURNED, 5),
        ],
        Q3, w(2026, 12, 28, 9), 4,
        Expect(w(2026, 12, 23, 10), w(2026, 12, 28, 10), 390, 450, WARN, round=2),
        id="step-4-across-cuti-bersama-24-dec-2026",
    ),
    # Idul Fitri 2026, fourth quarter of 2025 (disposition Sat 10 Jan 2026): a report valid on
    # Tue 17 Mar 2026 15:30 waits for the Kabid (1 Jam). 30 min on Tuesday, then 18 (cuti
    # bersama), 19 (Nyepi), 20 (cuti bersama), the weekend, 23 and 24 (cuti bersama) are off:
    # due Wed 25 Mar 08:00. At 08:01: 30 + 31 = 61 > 60: late.
    pytest.param(
        [
            (w(2026, 1, 10, 7, 30), ISSUED, 2), (w(2026, 1, 12, 9), VALID, 3),
            (w(2026, 3, 17, 15, 30), VALID, 4),
        ],
        Q4_2025, w(2026, 3, 25, 8, 1), 5,
        Expect(w(2026, 3, 17, 15, 30), w(2026, 3, 25, 8), 61, 60, LATE),
        id="step-5-across-cuti-bersama-idul-fitri-2026",
    ),
    # Saturday 10 January 2026, the fourth quarter of 2025's disposition day: steps 1-2 start
    # at Sat 07:30 and are due Mon 12 Jan 07:45 ...
    pytest.param(
        [(w(2026, 1, 10, 7, 30), ISSUED, 2)], Q4_2025, w(2026, 1, 12, 16), 1,
        Expect(w(2026, 1, 10, 7, 30), w(2026, 1, 12, 7, 45), 0, 15, DONE),
        id="sat-10-jan-2026-step-1",
    ),
    # ... and step 3 is due Tue 13 Jan 07:30; at Mon 16:00 all 450 min are used: warning.
    pytest.param(
        [(w(2026, 1, 10, 7, 30), ISSUED, 2)], Q4_2025, w(2026, 1, 12, 16), 3,
        Expect(w(2026, 1, 10, 7, 30), w(2026, 1, 13, 7, 30), 450, 450, WARN),
        id="sat-10-jan-2026-step-3-due-tuesday-opening",
    ),
]
# fmt: on


@pytest.mark.parametrize(("rows", "period", "now", "number", "expected"), CASES)
def test_step_timing_worked_by_hand(
    tmp_path: Path, rows: list[Row], period: tuple[int, int], now: datetime, number: int,
    expected: Expect,
) -> None:  # fmt: skip
    year, quarter = period
    events = logged(tmp_path, rows, year=year, quarter=quarter)
    progress = division_progress(
        events, division="DAFDUK", year=year, quarter=quarter, sop=SOP, cal=CAL,
        settings=SETTINGS, now=now,
    )  # fmt: skip
    step = progress.steps[number - 1]
    assert step.step == number
    assert observed(step) == expected


def test_returns_are_counted_and_each_starts_a_new_round(tmp_path: Path) -> None:
    # Returned twice (Mon 11:30 and Tue 10:30), resubmitted after the first; round 3 of step 4
    # starts at Tue 10:30 and is due Wed 14 Oct 10:30.
    rows: list[Row] = [
        ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
        (w(2026, 10, 12, 11, 30), RETURNED, 5), (w(2026, 10, 13, 9), VALID, 4),
        (w(2026, 10, 13, 10, 30), RETURNED, 5),
    ]  # fmt: skip
    events = logged(tmp_path, rows, year=2026, quarter=3)
    progress = division_progress(
        events, division="DAFDUK", year=2026, quarter=3, sop=SOP, cal=CAL, settings=SETTINGS,
        now=w(2026, 10, 13, 11),
    )  # fmt: skip
    assert progress.returns == 2
    step4, step5 = progress.steps[3], progress.steps[4]
    assert (step4.round, step4.start) == (3, w(2026, 10, 13, 10, 30))
    assert step4.deadline == w(2026, 10, 14, 10, 30)
    assert step5.state is NOT_STARTED and step5.round == 3
    assert progress.current is step4


def test_an_approved_division_has_no_current_step(tmp_path: Path) -> None:
    rows: list[Row] = [
        ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
        (w(2026, 10, 12, 11, 40), APPROVED, 5),
    ]  # fmt: skip
    events = logged(tmp_path, rows, year=2026, quarter=3)
    progress = division_progress(
        events, division="DAFDUK", year=2026, quarter=3, sop=SOP, cal=CAL, settings=SETTINGS,
        now=w(2026, 10, 12, 12),
    )  # fmt: skip
    assert progress.current is None and progress.returns == 0
    assert [s.state for s in progress.steps] == [DONE] * 5


def test_an_office_override_reopens_a_cuti_bersama_day(tmp_path: Path) -> None:
    # The office works on Thursday 24 December 2026 (cuti bersama cancelled by decree): the
    # step returned on Wed 23 Dec 10:00 is now due Thu 24 Dec 10:00 (300 + 150 = 450).
    settings = dataclasses.replace(
        SETTINGS, day_overrides=(DayOverride(date(2026, 12, 24), working=True),)
    )
    calendar = office_calendar(settings, [2026, 2027])
    rows: list[Row] = [
        ON_TIME, (w(2026, 10, 12, 9), VALID, 3), (w(2026, 10, 12, 11), VALID, 4),
        (w(2026, 12, 23, 10), RETURNED, 5),
    ]  # fmt: skip
    events = logged(tmp_path, rows, year=2026, quarter=3)
    progress = division_progress(
        events, division="DAFDUK", year=2026, quarter=3, sop=SOP, cal=calendar,
        settings=settings, now=w(2026, 12, 24, 9),
    )  # fmt: skip
    assert observed(progress.steps[3]) == Expect(
        w(2026, 12, 23, 10), w(2026, 12, 24, 10), 390, 450, WARN, round=2
    )


@pytest.mark.parametrize(
    ("share", "now", "state"),
    [
        # Step 3 from Sat 10 Oct 07:30 (allowed 450). With the share at 50 %, 225 min (Mon
        # 07:30 + 225 = 11:15) warns; 224 (11:14) does not.
        pytest.param(50.0, w(2026, 10, 12, 11, 14), IN_TIME, id="50-percent-below"),
        pytest.param(50.0, w(2026, 10, 12, 11, 15), WARN, id="50-percent-reached"),
        pytest.param(100.0, w(2026, 10, 12, 16), WARN, id="100-percent-at-the-deadline"),
        pytest.param(100.0, w(2026, 10, 12, 15, 59), IN_TIME, id="100-percent-one-minute-before"),
    ],
)
def test_the_warning_share_is_configurable(share: float, now: datetime, state: StepState) -> None:
    step = timing(CAL, 3, parse_time_standard("1 Hari"), w(2026, 10, 10, 7, 30), None, now, share)
    assert step.state is state


@pytest.mark.parametrize(
    ("period", "day", "moment"),
    [
        pytest.param((2025, 4), date(2026, 1, 10), w(2026, 1, 10, 7, 30), id="q4-2025-sat"),
        pytest.param((2026, 1), date(2026, 4, 10), w(2026, 4, 10, 7, 30), id="q1-2026-fri"),
        pytest.param((2026, 2), date(2026, 7, 10), w(2026, 7, 10, 7, 30), id="q2-2026-fri"),
        pytest.param((2026, 3), date(2026, 10, 10), w(2026, 10, 10, 7, 30), id="q3-2026-sat"),
        pytest.param((2026, 4), date(2027, 1, 10), w(2027, 1, 10, 7, 30), id="q4-2026-sun"),
    ],
)
def test_the_disposition_day_is_the_10th_at_opening(
    period: tuple[int, int], day: date, moment: datetime
) -> None:
    assert QUARTERLY.issue_date(*period) == day
    assert scheduled_moment(CAL, SETTINGS, QUARTERLY, *period) == moment


# --- step 6: the quarterly and the annual report --------------------------------------------

DIVISIONS = ("DAFDUK", "CAPIL")
# The fourth quarter of 2026 approved in early January 2027 (the disposition was issued early
# by hand): DAFDUK Mon 4 Jan 09:00, CAPIL Mon 4 Jan 14:00; the annual step starts at the last.
EARLY_JANUARY: list[Row] = [
    (w(2027, 1, 4, 9), APPROVED, 5, "DAFDUK"),
    (w(2027, 1, 4, 14), APPROVED, 5, "CAPIL"),
]
# 15 Hari from Mon 4 Jan 14:00: Tuesday 5 January (Isra Mi'raj) is off, so the working days are
# 6, 7, 8, 11-15, 18-22, 25, 26 January: due Tue 26 Jan 2027 14:00. Allowed: Mon 14:00-16:00
# (120) + 14 full days (6300) + Tue 07:30-14:00 less the break (330) = 6750 = 15 x 450.
ANNUAL_START, ANNUAL_DUE = w(2027, 1, 4, 14), w(2027, 1, 26, 14)
# Approvals after the 10 January disposition: both on Wed 13 Jan 2027 10:00. Working days 14,
# 15, 18-22, 25-29 January, 1-3 February: due Wed 3 Feb 10:00; allowed 300 + 6300 + 150 = 6750.
MID_JANUARY: list[Row] = [
    (w(2027, 1, 13, 10), APPROVED, 5, "DAFDUK"),
    (w(2027, 1, 13, 10), APPROVED, 5, "CAPIL"),
]

# fmt: off
REPORT_CASES = [
    # At Mon 25 Jan 14:00, not yet built: 120 + 13 full days (5850) + Mon 07:30-14:00 (330) =
    # 6300 of 6750 (93 %): warning.
    pytest.param(
        EARLY_JANUARY, None, w(2027, 1, 25, 14),
        Expect(ANNUAL_START, ANNUAL_DUE, 6300, 6750, WARN),
        id="annual-15-days-across-isra-miraj-warning",
    ),
    # At the deadline exactly: 6750 of 6750, not late; one office minute later: late.
    pytest.param(
        EARLY_JANUARY, None, w(2027, 1, 26, 14),
        Expect(ANNUAL_START, ANNUAL_DUE, 6750, 6750, WARN),
        id="annual-at-the-deadline",
    ),
    pytest.param(
        EARLY_JANUARY, None, w(2027, 1, 26, 14, 1),
        Expect(ANNUAL_START, ANNUAL_DUE, 6751, 6750, LATE),
        id="annual-late",
    ),
    # Built on Tue 26 Jan 13:00: 6750 - 60 = 6690 worked: done in time. A quarterly report of
    # the fourth quarter built before it does not end the annual step.
    pytest.param(
        [*EARLY_JANUARY, (w(2027, 1, 5, 10), BUILT, 6, "*q4"), (w(2027, 1, 26, 13), BUILT, 6)],
        None, w(2027, 2, 1, 9),
        Expect(ANNUAL_START, ANNUAL_DUE, 6690, 6750, DONE),
        id="annual-built-in-time",
    ),
    # Mid January: at Mon 18 Jan 10:00, 300 + 900 + 150 = 1350 of 6750.
    pytest.param(
        MID_JANUARY, None, w(2027, 1, 18, 10),
        Expect(w(2027, 1, 13, 10), w(2027, 2, 3, 10), 1350, 6750, IN_TIME),
        id="annual-after-the-10-january-disposition",
    ),
    # One division not approved yet: the annual report has not started.
    pytest.param(
        EARLY_JANUARY[:1], None, w(2027, 1, 25, 14),
        Expect(None, None, None, None, NOT_STARTED),
        id="annual-waits-for-every-division",
    ),
    # The quarterly report (1 Hari): the third quarter's last approval Fri 16 Oct 2026 15:00,
    # due Mon 19 Oct 15:00 (allowed 90 + 390 = 480); built Mon 10:00 after 90 + 150 = 240.
    pytest.param(
        [
            (w(2026, 10, 16, 11), APPROVED, 5, "DAFDUK"),
            (w(2026, 10, 16, 15), APPROVED, 5, "CAPIL"),
            (w(2026, 10, 19, 10), BUILT, 6),
        ],
        3, w(2026, 10, 20, 9),
        Expect(w(2026, 10, 16, 15), w(2026, 10, 19, 15), 240, 480, DONE),
        id="quarterly-report-after-a-weekend",
    ),
]
# fmt: on


@pytest.mark.parametrize(("rows", "quarter", "now", "expected"), REPORT_CASES)
def test_report_timing_worked_by_hand(
    tmp_path: Path, rows: list[Row], quarter: int | None, now: datetime, expected: Expect
) -> None:
    # Rows marked "*q4" are a quarterly (Q4) report; the others belong to `quarter`; approvals
    # are of the fourth quarter for the annual report.
    clock = Clock(rows[0][0])
    wanted = quarter if quarter is not None else 4
    with Store(tmp_path / "log.sqlite3", now=clock) as store:
        for when, outcome, step, *who in rows:
            clock.moment = when
            tag = who[0] if who else None
            if outcome is APPROVED:
                event = Event(outcome=outcome, division=tag, year=2026, quarter=wanted, step=step)
            else:
                built_for = 4 if tag == "*q4" else quarter
                event = Event(outcome=outcome, year=2026, quarter=built_for, step=step)
            store.append(event)
        events = store.events(year=2026)
    step = report_timing(
        events, divisions=DIVISIONS, year=2026, quarter=quarter, sop=SOP, cal=CAL,
        settings=SETTINGS, now=now,
    )  # fmt: skip
    assert step.step == 6
    assert str(step.standard) == ("15 Hari" if quarter is None else "1 Hari")
    assert observed(step) == expected
