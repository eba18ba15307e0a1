"""Working time in the office's time zone: office hours, days off, and SOP deadlines.

Pure functions over a `WorkCalendar`; instants are parameters (nothing here reads the clock).
Every instant given must be timezone-aware (any zone); every instant returned is in the
calendar's zone (WITA, Asia/Makassar, by default). Arithmetic is done in UTC, so a zone with
daylight saving would also be counted correctly.

Office time of a working day is a list of closed periods, e.g. [07:30, 12:00] and [13:00, 16:00].
The rules for the SOP's time standards (mutu baku):

* Minutes and hours ("15 Menit", "1 Jam") count office minutes only. The deadline is the first
  instant at which that many office minutes have passed since the start: Monday 15:50 +
  15 Menit = Monday 16:00 (10 min) + 5 min on Tuesday = Tuesday 07:35.
* Days ("1 Hari", "15 Hari") count working days on the clock: the deadline is the same clock
  position N working days later. See `deadline` for the details and the reason.
* A start outside office time (evening, weekend, day off, lunch break) counts from the next
  office moment (`next_office_moment`).

Deadlines are given as the earliest such instant. When a deadline falls on a closing time
(Monday 16:00), any instant until the next opening (Tuesday 07:30) is the same amount of working
time, so lateness is judged in working time: see `is_late`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, cached_property
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays import GOVERNMENT, PUBLIC, country_holidays

from watcher.sop.model import TimeStandard, TimeUnit

DEFAULT_TZ = "Asia/Makassar"  # WITA, UTC+8, no daylight saving
_WITA = ZoneInfo(DEFAULT_TZ)
# Give up looking for office time after ten years: only a calendar without any working day
# gets that far, and without this guard it would loop forever.
_MAX_SEARCH_DAYS = 3660
_ONE_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class OfficeDay:
    """Office hours of one day: open `start`..`end`, minus an optional break."""

    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(
                f"jam kerja {self.start:%H:%M}–{self.end:%H:%M}: mulai harus sebelum selesai"
            )
        if (self.break_start is None) != (self.break_end is None):
            raise ValueError("jam istirahat harus diisi mulai dan selesainya, atau dikosongkan")
        inside = self.break_start is None or (
            self.break_end is not None and self.start < self.break_start < self.break_end < self.end
        )
        if not inside:
            raise ValueError(
                f"jam istirahat {self.break_start:%H:%M}–{self.break_end:%H:%M} harus berada "
                f"di dalam jam kerja {self.start:%H:%M}–{self.end:%H:%M}"
            )

    def periods(self) -> list[tuple[time, time]]:
        """The office periods of the day, in order (one, or two around the break)."""
        if self.break_start is None or self.break_end is None:
            return [(self.start, self.end)]
        return [(self.start, self.break_start), (self.break_end, self.end)]

    @property
    def net_minutes(self) -> int:
        """Office minutes of the day, break excluded (wall-clock, so ignoring any DST change)."""
        return sum(_minute_of_day(hi) - _minute_of_day(lo) for lo, hi in self.periods())


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


_MON_THU = OfficeDay(time(7, 30), time(16, 0), time(12, 0), time(13, 0))
_FRIDAY = OfficeDay(time(7, 30), time(16, 30), time(11, 30), time(13, 0))
# Perpres 21/2023 sets 37.5 working hours a week for ASN, without breaks, and leaves the daily
# layout to each agency head (here the Bupati): this is the usual regional layout starting at
# 07:30, 7.5 net hours a day, Friday with a longer break for Friday prayers. An office changes it
# in its master data.
DEFAULT_WEEK: Mapping[int, OfficeDay] = MappingProxyType(
    {0: _MON_THU, 1: _MON_THU, 2: _MON_THU, 3: _MON_THU, 4: _FRIDAY}
)


def opening_time(week: Mapping[int, OfficeDay], weekday: int = 0) -> time:
    """When the office opens on `weekday` (0 = Monday): that day's hours, else Monday's, else
    the default week's (07:30). The one place the service and the demo take opening time from."""
    return (week.get(weekday) or week.get(0) or DEFAULT_WEEK[0]).start


@dataclass(frozen=True)
class DayOverride:
    """The office's own correction of the national calendar for one date.

    `working=False` adds a day off (a local holiday); `working=True` removes one (a cuti bersama
    cancelled by decree, a Saturday worked in exchange). A working override uses `hours` when
    given (shorter Ramadan hours, for instance), else the hours of its weekday, else the
    calendar's Monday hours (a weekend day has none of its own).
    """

    day: date
    working: bool
    note: str = ""
    hours: OfficeDay | None = None


@dataclass(frozen=True, kw_only=True)
class WorkCalendar:
    """Office hours per weekday (0 = Monday; absent = day off), days off and their corrections.

    `holidays` holds national holidays and cuti bersama; `overrides` win over both `holidays`
    and `week`.
    """

    tz: ZoneInfo = _WITA
    week: Mapping[int, OfficeDay] = field(default_factory=lambda: DEFAULT_WEEK)
    holidays: frozenset[date] = frozenset()
    overrides: Mapping[date, DayOverride] = field(default_factory=lambda: MappingProxyType({}))

    def hours(self, d: date) -> OfficeDay | None:
        """The office hours that apply on `d`, or None when it is not a working day."""
        override = self.overrides.get(d)
        if override is not None:
            if not override.working:
                return None
            return (
                override.hours or self.week.get(d.weekday()) or self.week.get(0) or DEFAULT_WEEK[0]
            )
        if d in self.holidays:
            return None
        return self.week.get(d.weekday())

    def is_working_day(self, d: date) -> bool:
        return self.hours(d) is not None

    def office_intervals(self, d: date) -> list[Interval]:
        """The office periods of `d` as aware datetimes in `tz`; empty on a day off."""
        hours = self.hours(d)
        if hours is None:
            return []
        return [
            (datetime.combine(d, lo, tzinfo=self.tz), datetime.combine(d, hi, tzinfo=self.tz))
            for lo, hi in hours.periods()
        ]

    def utc_intervals(self, d: date) -> tuple[Interval, ...]:
        """`office_intervals(d)` in UTC, computed once per day: deadlines and working time walk
        the same days again and again (the centre does it for hundreds of offices)."""
        found = self._utc_days.get(d)
        if found is None:
            found = tuple((_utc(lo), _utc(hi)) for lo, hi in self.office_intervals(d))
            self._utc_days[d] = found
        return found

    @cached_property
    def _utc_days(self) -> dict[date, tuple[Interval, ...]]:
        return {}


def national_holidays(years: Iterable[int]) -> frozenset[date]:
    """Indonesia's national holidays and cuti bersama (the package's GOVERNMENT category).

    The `holidays` package may lag behind the yearly decree on cuti bersama and marks some
    Islamic holidays of future years as estimated; the office corrects it with `DayOverride`s.
    The same for every office: computed once per set of years (the centre builds calendars for
    hundreds of offices).
    """
    return _national_holidays(tuple(sorted(set(years))))


@cache
def _national_holidays(years: tuple[int, ...]) -> frozenset[date]:
    found = country_holidays("ID", years=list(years), categories=(PUBLIC, GOVERNMENT))
    return frozenset(found.keys())


def years_without_cuti_bersama(
    years: Iterable[int], overrides: Iterable[DayOverride] = ()
) -> tuple[int, ...]:
    """The years among `years` of which no cuti bersama is known: the `holidays` package has
    none (it learns each year's decree late) and the office listed no day off of its own."""
    wanted = sorted(set(years))
    known = country_holidays("ID", years=wanted, categories=(GOVERNMENT,))
    covered = {d.year for d in known} | {o.day.year for o in overrides if not o.working}
    return tuple(year for year in wanted if year not in covered)


def cuti_bersama_notice(years: Iterable[int], overrides: Iterable[DayOverride] = ()) -> str:
    """The warning for the years in use without cuti bersama ("" when there is none)."""
    missing = years_without_cuti_bersama(years, overrides)
    if not missing:
        return ""
    listed = ", ".join(str(year) for year in missing)
    return (
        f"Cuti bersama tahun {listed} belum diketahui kinerja: batas waktu dihitung seolah-olah "
        "hari itu hari kerja. Tambahkan tanggal cuti bersama sesuai SKB tiga menteri di lembar "
        "'Hari Libur Kantor' data induk (Jenis: Libur)."
    )


def build_calendar(
    *,
    tz_name: str = DEFAULT_TZ,
    week: Mapping[int, OfficeDay] = DEFAULT_WEEK,
    years: Iterable[int],
    overrides: Iterable[DayOverride] = (),
) -> WorkCalendar:
    """A calendar with the national days off of `years` and the office's `overrides`.

    Days off are known only for `years`: give every year a period may touch (for a quarter's
    deadlines, the year and the next).
    """
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"zona waktu {tz_name!r} tidak dikenal (contoh: {DEFAULT_TZ})") from exc
    unknown = sorted(set(week) - set(range(7)))
    if unknown:
        raise ValueError(f"hari {unknown} tidak dikenal; hari ditulis 0 (Senin) sampai 6 (Minggu)")
    by_day: dict[date, DayOverride] = {}
    for override in overrides:
        earlier = by_day.setdefault(override.day, override)
        if earlier != override:
            raise ValueError(
                f"tanggal {override.day:%d-%m-%Y} tercantum dua kali dengan isi berbeda"
            )
    return WorkCalendar(
        tz=tz,
        week=MappingProxyType(dict(week)),
        holidays=national_holidays(years),
        overrides=MappingProxyType(by_day),
    )


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} {moment.isoformat()} tidak memiliki zona waktu")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _intervals_from(cal: WorkCalendar, moment: datetime) -> Iterator[Interval]:
    """Office periods from `moment` on, the first one cut at `moment`, in UTC."""
    start = _utc(moment)
    day = moment.astimezone(cal.tz).date()
    for _ in range(_MAX_SEARCH_DAYS):
        for lo_utc, hi_utc in cal.utc_intervals(day):
            if hi_utc >= start:
                yield max(lo_utc, start), hi_utc
        day += _ONE_DAY
    raise ValueError("kalender kerja tidak memiliki hari kerja dalam sepuluh tahun ke depan")


def next_office_moment(cal: WorkCalendar, moment: datetime) -> datetime:
    """`moment` itself during office time (closing time included), else the next opening.

    Sunday 21:00 -> Monday 07:30; Monday 12:15 (lunch break) -> Monday 13:00; Monday 16:00
    (closing) -> Monday 16:00.
    """
    _require_aware(moment, "waktu")
    lo, _ = next(_intervals_from(cal, moment))
    return lo.astimezone(cal.tz)


def working_time_between(cal: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """Office time in [start, end]; zero when `end <= start`. Rejects naive datetimes.

    Counts day by day, so a whole year takes a few hundred steps.
    """
    _require_aware(start, "awal")
    _require_aware(end, "akhir")
    start_utc, end_utc = _utc(start), _utc(end)
    total = timedelta(0)
    if end_utc <= start_utc:
        return total
    day, last = start.astimezone(cal.tz).date(), end.astimezone(cal.tz).date()
    while day <= last:
        for lo, hi in cal.utc_intervals(day):
            overlap = min(hi, end_utc) - max(lo, start_utc)
            if overlap > timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def deadline(cal: WorkCalendar, start: datetime, standard: TimeStandard) -> datetime:
    """The instant by which a step that started at `start` must be done, in `cal.tz`.

    Minute and hour standards: the first instant at which `standard.office_minutes` of office
    time have passed, counting from the next office moment. Monday 15:50 + 15 Menit -> Tuesday
    07:35; Monday 11:50 + 15 Menit -> Monday 13:05; Monday 15:45 + 15 Menit -> Monday 16:00.

    Day standards ("N Hari"): the start moves to the next office moment; the deadline is that
    clock position on the N-th working day after it. If that position is not office time on that
    day, it moves back to the last office moment before it (the closing time, or the start of the
    break), or forward to the opening if it is before the day opens. Monday 10:00 + 1 Hari ->
    Tuesday 10:00; Friday 10:00 -> Monday 10:00; Saturday 09:00 -> Monday 07:30 -> Tuesday
    07:30; Friday 16:15 -> Monday 16:00 (Monday closes at 16:00).

    Why the clock and not 450 office minutes per day: the SOP's "1 Hari" is read in the office as
    "by this time on the next working day", and that is what a Kabid can check on the status page
    without a calculator. Counting 450 minutes would give the same deadline on days with the same
    layout, but odd ones across Friday's longer break (Friday 14:00 -> Monday 13:30). The price is
    that one day of the default week is 420 to 480 office minutes, not exactly 450.
    """
    _require_aware(start, "awal")
    if standard.unit is TimeUnit.DAY:
        return _add_working_days(cal, start, standard.amount)
    minutes = standard.office_minutes or 0
    return _add_office_time(cal, start, timedelta(minutes=minutes))


def _add_office_time(cal: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    remaining = amount
    for lo, hi in _intervals_from(cal, start):
        if remaining <= hi - lo:
            return (lo + remaining).astimezone(cal.tz)
        remaining -= hi - lo
    raise AssertionError("unreachable: _intervals_from raises when it runs out")


def _add_working_days(cal: WorkCalendar, start: datetime, days: int) -> datetime:
    begin = next_office_moment(cal, start)
    day, found = begin.date(), 0
    for _ in range(_MAX_SEARCH_DAYS):
        if found == days:
            return _clamp_to_office(cal, day, begin.time())
        day += _ONE_DAY
        if cal.is_working_day(day):
            found += 1
    raise ValueError("kalender kerja tidak memiliki hari kerja dalam sepuluh tahun ke depan")


def _clamp_to_office(cal: WorkCalendar, day: date, position: time) -> datetime:
    """`position` on working day `day`, moved to the last office moment at or before it."""
    intervals = cal.office_intervals(day)
    target = _utc(datetime.combine(day, position, tzinfo=cal.tz))
    result = _utc(intervals[0][0])
    for lo, hi in intervals:
        if target < _utc(lo):
            break
        result = min(target, _utc(hi))
    return result.astimezone(cal.tz)


def is_late(cal: WorkCalendar, start: datetime, standard: TimeStandard, moment: datetime) -> bool:
    """Whether a step that started at `start` and is done (or still open) at `moment` is late.

    Judged in working time: more office time has passed than up to the deadline. A file saved at
    16:10 for a deadline of 16:00 the same day is not late, since no office time passed after 16:00.
    """
    allowed = working_time_between(cal, start, deadline(cal, start, standard))
    return working_time_between(cal, start, moment) > allowed
