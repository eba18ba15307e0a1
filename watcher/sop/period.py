"""The SOP's reporting period: monthly, quarterly, half-yearly or yearly, and its calendar.

A period is numbered within its year (1..12 months, 1..4 quarters, 1..2 semesters, 1 year).
Its work is issued on a day of the month after the period ends (SOP 010: "setiap tanggal 10
awal triwulan"), so the period collected at any date is the one that ended last.

Master data keeps targets per quarter (the LKjIP's grid); `master.period_target` says what a
period's target is, from the quarters `Period.quarters` names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAN = ("I", "II", "III", "IV")
# Consecutive periods from which a list names only the first and the last: more than a year's
# quarters, so only months are shortened ("Januari - Agustus") and "TW I, TW II, TW III, TW IV"
# stays as the reports of SOP 010 have always written it.
RUN_SPAN = 5


class PeriodKind(StrEnum):
    """The values are the words an SOP file writes (`periode.jenis`)."""

    MONTH = "bulanan"
    QUARTER = "triwulan"
    HALF = "semester"
    YEAR = "tahunan"


class _Shape(NamedTuple):
    """A kind's length and how it names period `index` (patterns over {index}, {roman}, {month})."""

    months: int
    label: str
    short: str
    code: str  # in file names


_SHAPES = {
    PeriodKind.MONTH: _Shape(1, "Bulan {month}", "{month}", "B{index:02d}"),
    PeriodKind.QUARTER: _Shape(3, "Triwulan {roman}", "TW {roman}", "TW{index}"),
    PeriodKind.HALF: _Shape(6, "Semester {roman}", "Semester {roman}", "S{index}"),
    PeriodKind.YEAR: _Shape(12, "Tahunan", "Tahunan", "TH"),
}
_NOUN = {PeriodKind.MONTH: "bulan", PeriodKind.QUARTER: "triwulan", PeriodKind.HALF: "semester",
         PeriodKind.YEAR: "tahun"}  # fmt: skip


@dataclass(frozen=True)
class Period:
    kind: PeriodKind = PeriodKind.QUARTER
    issue_day: int = 10  # day of the month after the period ends when its work is issued

    @property
    def _shape(self) -> _Shape:
        return _SHAPES[self.kind]

    @property
    def count(self) -> int:
        """Periods in a year."""
        return 12 // self._shape.months

    @property
    def indices(self) -> range:
        """The periods of a year: 1..count."""
        return range(1, self.count + 1)

    @property
    def noun(self) -> str:
        """One period in running text: "bulan", "triwulan" ("target triwulan", "bulan ini")."""
        return _NOUN[self.kind]

    @property
    def standard_name(self) -> str:
        """The name of a compile step's standard for one period's report ("triwulan")."""
        return self.kind.value

    def months(self, index: int) -> range:
        """The calendar months (1-12) of period `index`."""
        self._check(index)
        size = self._shape.months
        return range((index - 1) * size + 1, index * size + 1)

    def quarters(self, index: int) -> range:
        """The quarters (1-4) whose months period `index` spans (a month: its own quarter)."""
        months = self.months(index)
        return range((months[0] - 1) // 3 + 1, (months[-1] - 1) // 3 + 2)

    def label(self, index: int) -> str:
        """ "Triwulan I", "Semester II", "Bulan Maret", "Tahunan"."""
        return self._name(self._shape.label, index)

    def short_label(self, index: int) -> str:
        """How a column or message names the period briefly: "TW III", "Semester I", "Maret"."""
        return self._name(self._shape.short, index)

    def short_labels(self, indices: Iterable[int]) -> str:
        """Several periods briefly, in running text: "TW II, TW III"; a long run (of months)
        as its ends: "Januari - Agustus, Oktober"."""
        runs: list[list[int]] = []
        for index in sorted(indices):
            if runs and index == runs[-1][-1] + 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        parts = [
            f"{self.short_label(run[0])} - {self.short_label(run[-1])}"
            if len(run) >= RUN_SPAN
            else ", ".join(self.short_label(index) for index in run)
            for run in runs
        ]
        return ", ".join(parts)

    def code(self, index: int) -> str:
        """The period in file names: "TW3", "S1", "B03", "TH"."""
        return self._name(self._shape.code, index)

    def _name(self, pattern: str, index: int) -> str:
        self._check(index)
        roman = ROMAN[index - 1] if index <= len(ROMAN) else ""  # only quarters and halves use it
        return pattern.format(index=index, roman=roman, month=MONTH_NAMES[index - 1])

    def months_text(self, index: int) -> str:
        """ "Juli - September"; one month alone for a monthly period."""
        months = self.months(index)
        first, last = MONTH_NAMES[months[0] - 1], MONTH_NAMES[months[-1] - 1]
        return first if first == last else f"{first} - {last}"

    def issue_date(self, year: int, index: int) -> date:
        """The day period `index` of `year` is issued: `issue_day` of the month after it."""
        last = self.months(index)[-1]
        return (
            date(year + 1, 1, self.issue_day)
            if last == 12
            else date(year, last + 1, self.issue_day)
        )

    def collected_on(self, day: date) -> tuple[int, int]:
        """(year, index) of the period whose work is collected on `day`: the one ended last."""
        size = self._shape.months
        ended = (day.month - 1) // size  # periods of this year that ended before this month
        if ended == 0:
            return day.year - 1, self.count
        return day.year, ended

    def _check(self, index: int) -> None:
        if not 1 <= index <= self.count:
            raise ValueError(f"period {index} outside 1..{self.count} for {self.kind.value}")


QUARTERLY = Period()
