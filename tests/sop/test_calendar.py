"""Working time in WITA: office hours, Indonesian days off of 2026, and SOP deadlines.

The dates are the real ones the `holidays` package (0.109) gives for Indonesia in 2026:
Independence Day Monday 17 August; Idul Fitri Saturday 21 and Sunday 22 March with Nyepi on
Thursday 19 March and cuti bersama on 18, 20, 23 and 24 March; Christmas Friday 25 December with
cuti bersama on Thursday 24 December; and in 2027 New Year on Friday 1 January and Isra Mi'raj on
Tuesday 5 January.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from watcher.sop.calendar import (
    DEFAULT_WEEK,
    DayOverride,
    OfficeDay,
    WorkCalendar,
    build_calendar,
    cuti_bersama_notice,
    deadline,
    is_late,
    national_holidays,
    next_office_moment,
    working_time_between,
    years_without_cuti_bersama,
)
from watcher.sop.model import parse_time_standard

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")

RAMADAN_HOURS = OfficeDay(time(8, 0), time(15, 0), time(12, 0), time(12, 30))
OVERRIDES = (
    DayOverride(date(2026, 7, 8), working=False, note="Libur daerah (contoh)"),
    DayOverride(date(2026, 12, 24), working=True, note="Cuti bersama dibatalkan (contoh)"),
    DayOverride(date(2026, 3, 28), working=True, note="Sabtu kerja pengganti (contoh)"),
    DayOverride(date(2026, 2, 23), working=True, note="Jam kerja Ramadan", hours=RAMADAN_HOURS),
)
NATIONAL = build_calendar(years=[2026, 2027])
OFFICE = build_calendar(years=[2026, 2027], overrides=OVERRIDES)


def wita(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# --- office hours ---------------------------------------------------------------------------


def test_default_week_is_37_and_a_half_hours() -> None:
    assert [DEFAULT_WEEK[day].net_minutes for day in range(5)] == [450] * 5
    assert sum(hours.net_minutes for hours in DEFAULT_WEEK.values()) == 37 * 60 + 30
    assert 5 not in DEFAULT_WEEK and 6 not in DEFAULT_WEEK


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((time(16), time(7, 30)), id="end-before-start"),
        pytest.param((time(7, 30), time(16), time(12), None), id="break-without-end"),
        pytest.param((time(7, 30), time(16), time(13), time(12)), id="break-reversed"),
        pytest.param((time(7, 30), time(16), time(15), time(17)), id="break-past-closing"),
    ],
)
def test_office_day_rejects_impossible_hours(args: tuple) -> None:
    with pytest.raises(ValueError, match="jam"):
        OfficeDay(*args)


def test_the_module_does_not_hide_the_stdlib_calendar() -> None:
    assert Path(stdlib_calendar.__file__).parent != Path(__file__).parents[2] / "watcher"
    assert stdlib_calendar.monthrange(2026, 2) == (6, 28)


# --- days off -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 8, 17), id="independence-day"),
        pytest.param(date(2026, 12, 25), id="christmas"),
        pytest.param(date(2026, 12, 24), id="christmas-cuti-bersama"),
        pytest.param(date(2026, 3, 19), id="nyepi"),
        pytest.param(date(2026, 3, 21), id="idul-fitri-1"),
        pytest.param(date(2026, 3, 22), id="idul-fitri-2"),
        pytest.param(date(2026, 3, 18), id="nyepi-cuti-bersama"),
        pytest.param(date(2026, 3, 20), id="idul-fitri-cuti-bersama-before"),
        pytest.param(date(2026, 3, 23), id="idul-fitri-cuti-bersama-after-1"),
        pytest.param(date(2026, 3, 24), id="idul-fitri-cuti-bersama-after-2"),
        pytest.param(date(2027, 1, 1), id="new-year-2027"),
    ],
)
def test_national_holidays_include_cuti_bersama(day: date) -> None:
    assert day in national_holidays([2026, 2027])


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2027, 2, 5), id="imlek-cuti-bersama"),
        pytest.param(date(2027, 3, 9), id="idul-fitri-cuti-bersama-before"),
        pytest.param(date(2027, 3, 12), id="idul-fitri-cuti-bersama-after"),
        pytest.param(date(2027, 12, 24), id="christmas-cuti-bersama"),
    ],
)
def test_the_required_holidays_version_knows_2027_cuti_bersama(day: date) -> None:
    """holidays 0.105 is the first with 2027's (0.99-0.104 have 2026's only): pyproject pins it."""
    assert day in national_holidays([2027])


YEARS = [
    pytest.param((2026, 2027), (), (), id="both-known-to-the-package"),
    pytest.param((2027, 2040), (), (2040,), id="a-year-the-package-does-not-cover"),
    pytest.param(
        (2040,), (DayOverride(date(2040, 5, 3), working=False),), (), id="the-office-listed-it"
    ),
    pytest.param(
        (2040,), (DayOverride(date(2040, 5, 3), working=True),), (2040,), id="a-worked-day-is-none"
    ),
]


@pytest.mark.parametrize(("years", "overrides", "missing"), YEARS)
def test_years_without_cuti_bersama(
    years: tuple[int, ...], overrides: tuple[DayOverride, ...], missing: tuple[int, ...]
) -> None:
    assert years_without_cuti_bersama(years, overrides) == missing


def test_the_notice_tells_the_office_where_to_add_them() -> None:
    notice = cuti_bersama_notice((2040, 2041))

    assert "Cuti bersama tahun 2040, 2041 belum diketahui" in notice
    assert "'Hari Libur Kantor' data induk" in notice
    assert cuti_bersama_notice((2026, 2027)) == ""


def test_national_holidays_leave_ordinary_days_alone() -> None:
    found = national_holidays([2026])
    assert date(2026, 3, 25) not in found and date(2026, 8, 18) not in found
    assert all(day.year == 2026 for day in found)


@pytest.mark.parametrize(
    ("cal", "day", "working"),
    [
        pytest.param(NATIONAL, date(2026, 3, 2), True, id="ordinary-monday"),
        pytest.param(NATIONAL, date(2026, 3, 7), False, id="saturday"),
        pytest.param(NATIONAL, date(2026, 3, 8), False, id="sunday"),
        pytest.param(NATIONAL, date(2026, 8, 17), False, id="independence-day"),
        pytest.param(NATIONAL, date(2026, 3, 23), False, id="cuti-bersama"),
        pytest.param(NATIONAL, date(2026, 7, 8), True, id="local-day-off-not-national"),
        pytest.param(OFFICE, date(2026, 7, 8), False, id="override-day-off"),
        pytest.param(OFFICE, date(2026, 12, 24), True, id="override-cancels-cuti-bersama"),
        pytest.param(OFFICE, date(2026, 3, 28), True, id="override-working-saturday"),
        pytest.param(OFFICE, date(2026, 12, 25), False, id="christmas-still-off"),
    ],
)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize(
    ("cal", "day", "expected"),
    [
        pytest.param(
            NATIONAL,
            date(2026, 3, 2),
            [((7, 30), (12, 0)), ((13, 0), (16, 0))],
            id="monday",
        ),
        pytest.param(
            NATIONAL,
            date(2026, 3, 6),
            [((7, 30), (11, 30)), ((13, 0), (16, 30))],
            id="friday-longer-break",
        ),
        pytest.param(NATIONAL, date(2026, 8, 17), [], id="holiday"),
        pytest.param(
            OFFICE,
            date(2026, 3, 28),
            [((7, 30), (12, 0)), ((13, 0), (16, 0))],
            id="working-saturday-gets-monday-hours",
        ),
        pytest.param(
            OFFICE,
            date(2026, 2, 23),
            [((8, 0), (12, 0)), ((12, 30), (15, 0))],
            id="override-with-ramadan-hours",
        ),
    ],
)
def test_office_intervals(cal: WorkCalendar, day: date, expected: list) -> None:
    intervals = cal.office_intervals(day)
    assert [((lo.hour, lo.minute), (hi.hour, hi.minute)) for lo, hi in intervals] == expected
    assert all(lo.tzinfo is WITA and lo.date() == day for lo, _ in intervals)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"tz_name": "Asia/Nowhere"}, "zona waktu", id="unknown-zone"),
        pytest.param({"week": {7: DEFAULT_WEEK[0]}}, "hari", id="unknown-weekday"),
        pytest.param(
            {
                "overrides": [
                    DayOverride(date(2026, 5, 4), working=False),
                    DayOverride(date(2026, 5, 4), working=True),
                ]
            },
            "dua kali",
            id="conflicting-overrides",
        ),
    ],
)
def test_build_calendar_rejects_bad_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_calendar(years=[2026], **kwargs)


# --- next office moment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(wita(2026, 3, 2, 9), wita(2026, 3, 2, 9), id="during-office-hours"),
        pytest.param(wita(2026, 3, 2, 6), wita(2026, 3, 2, 7, 30), id="before-opening"),
        pytest.param(wita(2026, 3, 2, 12, 15), wita(2026, 3, 2, 13), id="lunch-break"),
        pytest.param(wita(2026, 3, 2, 16), wita(2026, 3, 2, 16), id="closing-time"),
        pytest.param(wita(2026, 3, 2, 21), wita(2026, 3, 3, 7, 30), id="evening"),
        pytest.param(wita(2026, 3, 8, 21), wita(2026, 3, 9, 7, 30), id="sunday-evening"),
        pytest.param(wita(2026, 3, 17, 17), wita(2026, 3, 25, 7, 30), id="into-idul-fitri-break"),
        pytest.param(utc(2026, 3, 2, 13), wita(2026, 3, 3, 7, 30), id="utc-21-wita"),
    ],
)
def test_next_office_moment(moment: datetime, expected: datetime) -> None:
    result = next_office_moment(NATIONAL, moment)
    assert result == expected and result.tzinfo is WITA


# --- deadlines ------------------------------------------------------------------------------

M15, J1, H1, H15 = "15 Menit", "1 Jam", "1 Hari", "15 Hari"

DEADLINES = [
    # minutes and hours: office minutes only
    ("15m-inside", NATIONAL, wita(2026, 3, 2, 9), M15, wita(2026, 3, 2, 9, 15)),
    ("15m-before-opening", NATIONAL, wita(2026, 3, 2, 6), M15, wita(2026, 3, 2, 7, 45)),
    ("15m-across-closing", NATIONAL, wita(2026, 3, 2, 15, 50), M15, wita(2026, 3, 3, 7, 35)),
    ("15m-ends-at-closing", NATIONAL, wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 2, 16)),
    ("15m-at-closing", NATIONAL, wita(2026, 3, 2, 16), M15, wita(2026, 3, 3, 7, 45)),
    ("15m-across-lunch", NATIONAL, wita(2026, 3, 2, 11, 50), M15, wita(2026, 3, 2, 13, 5)),
    ("15m-during-lunch", NATIONAL, wita(2026, 3, 2, 12, 15), M15, wita(2026, 3, 2, 13, 15)),
    ("15m-friday-break", NATIONAL, wita(2026, 3, 6, 11, 40), M15, wita(2026, 3, 6, 13, 15)),
    ("15m-friday-evening", NATIONAL, wita(2026, 3, 6, 16, 20), M15, wita(2026, 3, 9, 7, 35)),
    ("15m-saturday", NATIONAL, wita(2026, 3, 7, 9), M15, wita(2026, 3, 9, 7, 45)),
    ("15m-sunday-21h", NATIONAL, wita(2026, 3, 8, 21), M15, wita(2026, 3, 9, 7, 45)),
    ("1j-friday-afternoon", NATIONAL, wita(2026, 3, 6, 16), J1, wita(2026, 3, 9, 8)),
    ("1j-before-independence", NATIONAL, wita(2026, 8, 14, 15, 45), J1, wita(2026, 8, 18, 7, 45)),
    ("1j-before-christmas", NATIONAL, wita(2026, 12, 23, 15, 30), J1, wita(2026, 12, 28, 8)),
    ("1j-on-cuti-bersama", NATIONAL, wita(2026, 3, 23, 10), J1, wita(2026, 3, 25, 8, 30)),
    ("1j-utc-input", NATIONAL, utc(2026, 3, 2, 7, 50), J1, wita(2026, 3, 3, 8, 20)),
    # days: the same clock position on the next working day
    ("1h-monday", NATIONAL, wita(2026, 3, 2, 10), H1, wita(2026, 3, 3, 10)),
    ("1h-friday", NATIONAL, wita(2026, 3, 6, 10), H1, wita(2026, 3, 9, 10)),
    ("1h-saturday", NATIONAL, wita(2026, 3, 7, 9), H1, wita(2026, 3, 10, 7, 30)),
    ("1h-before-opening", NATIONAL, wita(2026, 3, 2, 6), H1, wita(2026, 3, 3, 7, 30)),
    ("1h-during-lunch", NATIONAL, wita(2026, 3, 2, 12, 15), H1, wita(2026, 3, 3, 13)),
    ("1h-at-closing", NATIONAL, wita(2026, 3, 2, 16), H1, wita(2026, 3, 3, 16)),
    ("1h-evening", NATIONAL, wita(2026, 3, 2, 19), H1, wita(2026, 3, 4, 7, 30)),
    ("1h-friday-late-clamped", NATIONAL, wita(2026, 3, 6, 16, 15), H1, wita(2026, 3, 9, 16)),
    ("1h-into-friday-break", NATIONAL, wita(2026, 3, 5, 11, 45), H1, wita(2026, 3, 6, 11, 30)),
    ("1h-before-independence", NATIONAL, wita(2026, 8, 14, 10), H1, wita(2026, 8, 18, 10)),
    ("1h-before-idul-fitri", NATIONAL, wita(2026, 3, 17, 10), H1, wita(2026, 3, 25, 10)),
    ("1h-on-cuti-bersama", NATIONAL, wita(2026, 3, 23, 9), H1, wita(2026, 3, 26, 7, 30)),
    ("1h-before-christmas", NATIONAL, wita(2026, 12, 23, 10), H1, wita(2026, 12, 28, 10)),
    ("1h-utc-input", NATIONAL, utc(2026, 3, 8, 23), H1, wita(2026, 3, 10, 7, 30)),
    ("15h-across-year-end", NATIONAL, wita(2026, 12, 21, 9), H15, wita(2027, 1, 15, 9)),
    ("15h-ordinary", NATIONAL, wita(2026, 10, 12, 9), H15, wita(2026, 11, 2, 9)),
    # the office's overrides
    ("1h-override-day-off", OFFICE, wita(2026, 7, 7, 10), H1, wita(2026, 7, 9, 10)),
    ("15m-override-day-off", OFFICE, wita(2026, 7, 7, 15, 50), M15, wita(2026, 7, 9, 7, 35)),
    ("1h-cancelled-cuti-bersama", OFFICE, wita(2026, 12, 23, 10), H1, wita(2026, 12, 24, 10)),
    ("1h-working-saturday", OFFICE, wita(2026, 3, 27, 10), H1, wita(2026, 3, 28, 10)),
    ("15m-working-saturday", OFFICE, wita(2026, 3, 27, 16, 25), M15, wita(2026, 3, 28, 7, 40)),
    ("1j-ramadan-hours", OFFICE, wita(2026, 2, 23, 14, 30), J1, wita(2026, 2, 24, 8)),
    ("1h-into-short-day", OFFICE, wita(2026, 2, 20, 15, 30), H1, wita(2026, 2, 23, 15)),
    ("1h-from-short-day", OFFICE, wita(2026, 2, 23, 14, 30), H1, wita(2026, 2, 24, 14, 30)),
]


@pytest.mark.parametrize(
    ("cal", "start", "text", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in DEADLINES],
)
def test_deadline(cal: WorkCalendar, start: datetime, text: str, expected: datetime) -> None:
    result = deadline(cal, start, parse_time_standard(text))
    assert result == expected
    assert result.tzinfo is WITA


MINUTE_STARTS = [
    wita(2026, 3, 2, 6),
    wita(2026, 3, 2, 11, 50),
    wita(2026, 3, 2, 15, 59),
    wita(2026, 3, 6, 11, 29),
    wita(2026, 3, 6, 16, 29),
    wita(2026, 3, 7, 14),
    wita(2026, 3, 17, 15, 30),
    wita(2026, 8, 14, 15),
    wita(2026, 12, 23, 13, 17),
    utc(2026, 3, 2, 3, 55),
]


@pytest.mark.parametrize("text", ["15 Menit", "1 Jam", "2 Jam", "8 Jam", "40 Jam"])
@pytest.mark.parametrize("start", MINUTE_STARTS, ids=lambda s: s.strftime("%a-%m%d-%H%M%Z"))
def test_minute_deadlines_give_exactly_their_office_minutes(start: datetime, text: str) -> None:
    standard = parse_time_standard(text)
    for cal in (NATIONAL, OFFICE):
        elapsed = working_time_between(cal, start, deadline(cal, start, standard))
        assert elapsed == timedelta(minutes=standard.office_minutes or 0)


@pytest.mark.parametrize("start", MINUTE_STARTS, ids=lambda s: s.strftime("%a-%m%d-%H%M%Z"))
def test_one_day_is_about_one_day_of_office_minutes(start: datetime) -> None:
    # 450 minutes between days of the same layout; Friday's longer break and its later closing
    # move it between 420 and 480 (see `deadline`).
    elapsed = working_time_between(
        NATIONAL, start, deadline(NATIONAL, start, parse_time_standard("1 Hari"))
    )
    assert timedelta(minutes=420) <= elapsed <= timedelta(minutes=480)


@pytest.mark.parametrize(
    ("start", "expected_minutes"),
    [
        pytest.param(wita(2026, 3, 2, 10), 450, id="mon-tue"),
        pytest.param(wita(2026, 3, 5, 14), 420, id="thu-fri-afternoon"),
        pytest.param(wita(2026, 3, 6, 14), 480, id="fri-mon-afternoon"),
        pytest.param(wita(2026, 3, 6, 16, 15), 465, id="fri-late-clamped"),
    ],
)
def test_one_day_office_minutes_by_layout(start: datetime, expected_minutes: int) -> None:
    end = deadline(NATIONAL, start, parse_time_standard("1 Hari"))
    assert working_time_between(NATIONAL, start, end) == timedelta(minutes=expected_minutes)


@pytest.mark.parametrize(
    ("start", "text", "moment", "late"),
    [
        pytest.param(wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 2, 15, 59), False, id="before"),
        pytest.param(wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 2, 16), False, id="at-deadline"),
        pytest.param(
            wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 2, 16, 10), False, id="after-hours"
        ),
        pytest.param(
            wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 3, 7, 30), False, id="next-opening"
        ),
        pytest.param(wita(2026, 3, 2, 15, 45), M15, wita(2026, 3, 3, 7, 31), True, id="next-day"),
        pytest.param(wita(2026, 3, 2, 10), H1, wita(2026, 3, 3, 10), False, id="day-at-deadline"),
        pytest.param(wita(2026, 3, 2, 10), H1, wita(2026, 3, 3, 10, 1), True, id="day-minute-late"),
        pytest.param(wita(2026, 8, 14, 10), H1, wita(2026, 8, 17, 15), False, id="over-holiday"),
        pytest.param(
            wita(2026, 3, 2, 10), H1, wita(2026, 3, 1, 10), False, id="moment-before-start"
        ),
    ],
)
def test_is_late(start: datetime, text: str, moment: datetime, late: bool) -> None:
    assert is_late(NATIONAL, start, parse_time_standard(text), moment) is late


# --- working time between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        pytest.param(wita(2026, 3, 2, 8), wita(2026, 3, 2, 9), 60, id="same-morning"),
        pytest.param(wita(2026, 3, 2, 11), wita(2026, 3, 2, 14), 120, id="across-lunch"),
        pytest.param(wita(2026, 3, 2, 12, 10), wita(2026, 3, 2, 12, 50), 0, id="inside-lunch"),
        pytest.param(wita(2026, 3, 2, 15), wita(2026, 3, 3, 8, 30), 120, id="overnight"),
        pytest.param(wita(2026, 3, 2, 18), wita(2026, 3, 3, 20), 450, id="evening-to-evening"),
        pytest.param(wita(2026, 3, 6, 16), wita(2026, 3, 9, 8), 60, id="weekend"),
        pytest.param(wita(2026, 3, 7), wita(2026, 3, 9), 0, id="only-weekend"),
        pytest.param(wita(2026, 8, 14, 15), wita(2026, 8, 18, 8), 120, id="independence-day"),
        pytest.param(wita(2026, 3, 17, 15), wita(2026, 3, 25, 8, 30), 120, id="idul-fitri"),
        pytest.param(wita(2026, 12, 23, 15), wita(2026, 12, 28, 8, 30), 120, id="christmas"),
        pytest.param(utc(2026, 3, 2, 0), utc(2026, 3, 2, 5), 240, id="utc-inputs"),
        pytest.param(
            utc(2026, 3, 2, 0), datetime(2026, 3, 2, 13, tzinfo=WIB), 300, id="utc-to-wib"
        ),
        pytest.param(wita(2026, 3, 3, 9), wita(2026, 3, 2, 9), 0, id="end-before-start"),
        pytest.param(wita(2026, 3, 2, 9), wita(2026, 3, 2, 9), 0, id="empty"),
        # March 2026: 22 weekdays, minus 18, 19, 20, 23 and 24 March = 17 days of 7.5 hours.
        pytest.param(wita(2026, 3, 1), wita(2026, 4, 1), 17 * 450, id="march-2026"),
        # 2026: 261 weekdays minus 13 national holidays and 8 cuti bersama on weekdays = 240.
        pytest.param(wita(2026, 1, 1), wita(2027, 1, 1), 240 * 450, id="year-2026"),
    ],
)
def test_working_time_between(start: datetime, end: datetime, minutes: int) -> None:
    assert working_time_between(NATIONAL, start, end) == timedelta(minutes=minutes)


def test_working_time_counts_override_days() -> None:
    week = (wita(2026, 7, 6), wita(2026, 7, 11))  # Monday to Saturday, Wednesday 8 July off
    assert working_time_between(NATIONAL, *week) == timedelta(minutes=5 * 450)
    assert working_time_between(OFFICE, *week) == timedelta(minutes=4 * 450)


def test_daylight_saving_is_counted_in_real_time() -> None:
    # Not needed in WITA, but the arithmetic is done on UTC: Europe/Amsterdam skips 02:00-03:00
    # on Sunday 29 March 2026, so 01:00-05:00 that day is three real hours.
    sunday = OfficeDay(time(1, 0), time(5, 0))
    cal = WorkCalendar(tz=ZoneInfo("Europe/Amsterdam"), week={6: sunday})
    start = datetime(2026, 3, 29, 1, tzinfo=cal.tz)
    assert working_time_between(cal, start, start + timedelta(days=1)) == timedelta(hours=3)
    assert deadline(cal, start, parse_time_standard("3 Jam")) == datetime(
        2026, 3, 29, 5, tzinfo=cal.tz
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda: working_time_between(NATIONAL, datetime(2026, 3, 2), wita(2026, 3, 3)),
            id="start",
        ),
        pytest.param(
            lambda: working_time_between(NATIONAL, wita(2026, 3, 2), datetime(2026, 3, 3)), id="end"
        ),
        pytest.param(
            lambda: deadline(NATIONAL, datetime(2026, 3, 2), parse_time_standard(H1)), id="deadline"
        ),
        pytest.param(lambda: next_office_moment(NATIONAL, datetime(2026, 3, 2)), id="next-moment"),
    ],
)
def test_naive_datetimes_are_rejected(call) -> None:
    with pytest.raises(ValueError, match="zona waktu"):
        call()


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    cal = WorkCalendar(week={})
    with pytest.raises(ValueError, match="tidak memiliki hari kerja"):
        deadline(cal, wita(2026, 3, 2), parse_time_standard(M15))
