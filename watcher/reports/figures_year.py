"""The year's figures for the LKjIP: per indicator, per strategic goal, the budget (pure).

The rules are those of `figures`, over the SOP's periods (four quarters for SOP 010, twelve
months for a monthly SOP); the year's target stays the master's annual target. Last year's
figures come from last year's approved workbooks when the log has them (their written targets),
else from the master's "Realisasi Tahun Lalu".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from watcher.masterdata.capaian import mean_capaian, predikat
from watcher.masterdata.model import Division, Indicator, MasterData, Polarity, PredikatBand
from watcher.reports.figures import (
    Aggregate,
    Figure,
    Scoring,
    aggregate,
    annual_target_for,
    assess,
    predikat_counts,
    readings_through,
    targets_for,
)
from watcher.reports.gather import Reading, Submission
from watcher.reports.identity_memo import IdentityMemo
from watcher.sop.period import QUARTERLY, Period


def grid(period: Period) -> range:
    """The periods the year's table shows a column pair for: every period of the year (four
    quarters, twelve months), none for a yearly SOP, whose one period is the year itself."""
    return period.indices if period.count > 1 else range(0)


@dataclass(frozen=True)
class Previous:
    """Last year's figure of an indicator and where it comes from."""

    figure: Figure
    source: str  # "log" (approved workbooks of last year) or "data induk"


@dataclass(frozen=True)
class YearLine:
    indicator: Indicator
    division: Division
    periods: tuple[Figure, ...]  # each period of the year, in order
    readings: tuple[Reading | None, ...]  # the approved reading of each period
    year: Aggregate  # every period of the year
    annual_target: float | None
    previous: Previous | None
    renstra: Figure | None  # the year's realisation against the Renstra end target

    @property
    def trend(self) -> str:
        """Compared with last year: "membaik", "memburuk", "tetap" or "" (no comparison)."""
        now = self.year.figure.realisation
        before = self.previous.figure.realisation if self.previous else None
        if now is None or before is None:
            return ""
        sign = 1 if self.indicator.polarity is Polarity.HIGHER_IS_BETTER else -1
        change = (now - before) * sign
        return "membaik" if change > 0 else "memburuk" if change < 0 else "tetap"

    @property
    def kendala(self) -> list[str]:
        return _distinct(r.kendala for r in self.readings if r is not None)

    @property
    def follow_up(self) -> list[str]:
        return _distinct(r.follow_up for r in self.readings if r is not None)


@dataclass(frozen=True)
class GoalSummary:
    """One strategic goal (sasaran strategis) with its indicators."""

    goal: str
    lines: tuple[YearLine, ...]
    average: float | None
    predikat: str | None

    @property
    def kendala(self) -> list[str]:
        """Every line's kendala in order (a list added to a list per line was quadratic)."""
        return [text for line in self.lines for text in line.kendala]

    @property
    def follow_up(self) -> list[str]:
        return [text for line in self.lines for text in line.follow_up]


@dataclass(frozen=True)
class BudgetRow:
    division: Division
    programs: tuple[tuple[str, float, float], ...]  # (program, pagu, realisasi)
    ceiling: float
    spent: float
    performance: float | None  # mean annual capaian of the division

    @property
    def absorption(self) -> float | None:
        return self.spent / self.ceiling * 100 if self.ceiling else None

    @property
    def efficiency(self) -> float | None:
        """Capaian kinerja minus serapan anggaran, in percentage points (>= 0: efisien)."""
        if self.performance is None or self.absorption is None:
            return None
        return self.performance - self.absorption


@dataclass(frozen=True)
class YearFigures:
    year: int
    bands: tuple[PredikatBand, ...]
    lines: tuple[YearLine, ...]
    goals: tuple[GoalSummary, ...]
    budget: tuple[BudgetRow, ...]
    missing: tuple[tuple[str, int], ...]  # (division, period) without an approved workbook
    has_previous: bool
    period: Period = QUARTERLY

    @property
    def average(self) -> float | None:
        return mean_capaian(line.year.figure.capaian for line in self.lines)

    @property
    def predikat(self) -> str | None:
        return predikat(self.average, self.bands)

    def counts(self) -> dict[str, int]:
        return predikat_counts((line.year.figure for line in self.lines), self.bands)

    @property
    def budget_ceiling(self) -> float:
        return sum(row.ceiling for row in self.budget)

    @property
    def budget_spent(self) -> float:
        return sum(row.spent for row in self.budget)


def year_figures(
    master: MasterData,
    year: int,
    submissions: Mapping[tuple[str, int], Submission],
    previous: Mapping[tuple[str, int], Submission] | None = None,
    period: Period = QUARTERLY,
) -> YearFigures:
    """The year's figures per indicator, goal and division, over the SOP's `period`;
    `previous` is last year's."""
    lines = []
    for division in master.divisions:
        lines += _division_lines(master, period, year, division, submissions, previous)
    goals = []
    for goal in dict.fromkeys(line.indicator.goal for line in lines):
        members = tuple(line for line in lines if line.indicator.goal == goal)
        average = mean_capaian(line.year.figure.capaian for line in members)
        goals.append(GoalSummary(goal, members, average, predikat(average, master.bands)))
    missing = tuple(
        (d.code, i)
        for d in master.divisions
        for i in period.indices
        if (d.code, i) not in submissions
    )
    return YearFigures(
        year,
        master.bands,
        tuple(lines),
        tuple(goals),
        _budget(master, year, lines),
        missing,
        bool(previous),
        period,
    )


def _division_lines(
    master: MasterData,
    period: Period,
    year: int,
    division: Division,
    submissions: Mapping[tuple[str, int], Submission],
    previous: Mapping[tuple[str, int], Submission] | None,
) -> tuple[YearLine, ...]:
    """A division's lines; those of an earlier call for the same master data and the same
    submission objects of the division, this year's and last (`identity_memo`), are reused."""
    own = tuple(submissions.get((division.code, i)) for i in period.indices)
    before = tuple((previous or {}).get((division.code, i)) for i in period.indices)

    def compute() -> tuple[YearLine, ...]:
        return tuple(
            _year_line(master, period, year, (division, indicator), submissions, previous)
            for indicator in master.indicators_of(division.code)
        )

    return _LINES.get((master, period, *own, *before), (division.code, year, bool(previous)),
                      compute)  # fmt: skip


# 1,000 divisions, in the LKjIP and its next rebuild
_LINES: IdentityMemo[tuple[YearLine, ...]] = IdentityMemo(2048)


def _year_line(
    master: MasterData,
    period: Period,
    year: int,
    where: tuple[Division, Indicator],
    submissions: Mapping[tuple[str, int], Submission],
    previous: Mapping[tuple[str, int], Submission] | None,
) -> YearLine:
    division, indicator = where
    last = period.count
    readings = readings_through(submissions, division.code, indicator.code, last)
    targets = targets_for(indicator, master, year, readings, period)
    realisations = {i: (r.realisation if r else None) for i, r in readings.items()}
    scoring = Scoring.of(master)
    periods = tuple(assess(indicator, targets[i], realisations[i], scoring) for i in period.indices)
    whole = aggregate(indicator, realisations, targets, last, scoring)
    renstra = (
        assess(indicator, indicator.renstra_target, whole.figure.realisation, scoring)
        if indicator.renstra_target is not None and whole.figure.realisation is not None
        else None
    )
    return YearLine(
        indicator,
        division,
        periods,
        tuple(readings[i] for i in period.indices),
        whole,
        annual_target_for(indicator, master, year, readings),
        _previous(master, period, year, where, previous),
        renstra,
    )


def _previous(
    master: MasterData,
    period: Period,
    year: int,
    where: tuple[Division, Indicator],
    previous: Mapping[tuple[str, int], Submission] | None,
) -> Previous | None:
    division, indicator = where
    if previous:
        readings = readings_through(previous, division.code, indicator.code, period.count)
        if any(r is not None and r.realisation is not None for r in readings.values()):
            targets = {i: (r.target if r else None) for i, r in readings.items()}
            realisations = {i: (r.realisation if r else None) for i, r in readings.items()}
            whole = aggregate(indicator, realisations, targets, period.count, Scoring.of(master))
            return Previous(whole.figure, "log")
    if master.settings.year == year and indicator.previous_realisation is not None:
        figure = Figure(None, indicator.previous_realisation, None, None)
        return Previous(figure, "data induk")
    return None


def _budget(master: MasterData, year: int, lines: Sequence[YearLine]) -> tuple[BudgetRow, ...]:
    if master.settings.year != year or not master.budget:
        return ()
    rows = []
    for division in master.divisions:
        programs = tuple(
            (b.program, b.ceiling, b.spent) for b in master.budget if b.division == division.code
        )
        if not programs:
            continue
        performance = mean_capaian(
            line.year.figure.capaian for line in lines if line.division.code == division.code
        )
        rows.append(
            BudgetRow(
                division,
                programs,
                sum(p[1] for p in programs),
                sum(p[2] for p in programs),
                performance,
            )
        )
    return tuple(rows)


def _distinct(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(text.strip() for text in texts if text and text.strip()))
