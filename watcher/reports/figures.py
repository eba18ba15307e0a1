"""The figures of the reports, computed from readings and the master data (pure).

Rules (each indicator's options come from the master workbook):
- capaian per `watcher.masterdata.capaian.indicator_capaian` (polarity, Minimal formula, cap, the
office's
  rules for zero targets and the floor), rounded as printed; predikat per the master's bands,
  on that rounded value;
- over the SOP's periods (quarters for SOP 010, months for a monthly SOP), a cumulative
  indicator sums the realisations and the targets of the periods that have a realisation
  (R1+..+Rn)/(T1+..+Tn); a last-position indicator takes the latest period that has one.
  Periods without approved data are listed as missing, never counted as zero;
- targets are the master's when the master is for the report's year (the Perjanjian Kinerja in
  force; a period's target is `period_target` of the quarter targets); for another year they
  are the ones written in the approved workbooks, which validation checked against the master
  of that time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from watcher.masterdata.capaian import DEFAULT_RULES, indicator_capaian, mean_capaian, predikat
from watcher.masterdata.model import (
    Aggregation,
    CapaianRules,
    Division,
    Indicator,
    MasterData,
    PredikatBand,
    period_target,
)
from watcher.reports.gather import Reading, Submission
from watcher.reports.identity_memo import IdentityMemo
from watcher.sop.period import Period


@dataclass(frozen=True)
class Figure:
    """A target and a realisation, assessed."""

    target: float | None
    realisation: float | None
    capaian: float | None
    predikat: str | None


@dataclass(frozen=True)
class Aggregate:
    """An indicator over periods 1..`through`: the figure, and which periods it rests on."""

    figure: Figure
    counted: tuple[int, ...]  # periods whose realisation counted
    missing: tuple[int, ...]  # periods up to `through` without a realisation


@dataclass(frozen=True)
class Scoring:
    """What turns a target and a realisation into capaian and predikat: the master's bands and
    the office's capaian rules."""

    bands: tuple[PredikatBand, ...]
    rules: CapaianRules = DEFAULT_RULES

    @classmethod
    def of(cls, master: MasterData) -> Scoring:
        return cls(master.bands, master.settings.capaian_rules)


def assess(
    indicator: Indicator, target: float | None, realisation: float | None, scoring: Scoring
) -> Figure:
    value = indicator_capaian(indicator, target, realisation, scoring.rules)
    return Figure(target, realisation, value, predikat(value, scoring.bands))


def aggregate(
    indicator: Indicator,
    realisations: Mapping[int, float | None],
    targets: Mapping[int, float | None],
    through: int,
    scoring: Scoring,
) -> Aggregate:
    """Periods 1..`through` added up by the indicator's aggregation (see the module doc)."""
    periods = range(1, through + 1)
    counted = tuple(i for i in periods if realisations.get(i) is not None)
    missing = tuple(i for i in periods if i not in counted)
    if not counted:
        return Aggregate(Figure(targets.get(through), None, None, None), counted, missing)
    if indicator.aggregation is Aggregation.CUMULATIVE:
        known = [targets.get(q) for q in counted]
        target = None if any(t is None for t in known) else _total(t or 0.0 for t in known)
        realisation = _total(realisations[q] or 0.0 for q in counted)
    else:
        last = counted[-1]
        target, realisation = targets.get(last), realisations[last]
    return Aggregate(assess(indicator, target, realisation, scoring), counted, missing)


def _total(values: Iterable[float]) -> float:
    """A sum as printed and as a reviewer adds it up: 0.1 + 0.2 is 0.3, not 0.30000000000000004."""
    return round(math.fsum(values), 9)


def predikat_counts(figures: Iterable[Figure], bands: Sequence[PredikatBand]) -> dict[str, int]:
    """How many figures earned each predikat (every band listed, in the bands' order)."""
    counts = {band.label: 0 for band in bands}
    for figure in figures:
        if figure.predikat is not None:
            counts[figure.predikat] = counts.get(figure.predikat, 0) + 1
    return counts


def targets_for(
    indicator: Indicator,
    master: MasterData,
    year: int,
    readings: Mapping[int, Reading | None],
    period: Period,
) -> dict[int, float | None]:
    """Period -> target for `year` (the master's for its own year, else as written)."""
    if master.settings.year == year:
        return {i: period_target(indicator, period, i) for i in period.indices}
    return {i: (r.target if r is not None else None) for i, r in readings.items()}


def annual_target_for(
    indicator: Indicator, master: MasterData, year: int, readings: Mapping[int, Reading | None]
) -> float | None:
    if master.settings.year == year:
        return indicator.annual_target
    written = [r.annual_target for r in readings.values() if r is not None and r.annual_target]
    return written[-1] if written else None


# --- the period report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One indicator in the period report."""

    indicator: Indicator
    current: Figure  # this period
    to_date: Aggregate  # periods 1..this one
    reading: Reading | None


@dataclass(frozen=True)
class DivisionBlock:
    division: Division
    submission: Submission | None  # None: not approved (yet)
    lines: tuple[Line, ...]

    @property
    def average(self) -> float | None:
        return mean_capaian(line.current.capaian for line in self.lines)


@dataclass(frozen=True)
class PeriodFigures:
    year: int
    period: Period
    index: int  # the period's number within the year
    bands: tuple[PredikatBand, ...]
    blocks: tuple[DivisionBlock, ...]

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]

    @property
    def average(self) -> float | None:
        return mean_capaian(line.current.capaian for line in self.lines)

    @property
    def approved(self) -> list[DivisionBlock]:
        return [block for block in self.blocks if block.submission is not None]

    @property
    def missing(self) -> list[DivisionBlock]:
        return [block for block in self.blocks if block.submission is None]

    def counts(self) -> dict[str, int]:
        return predikat_counts((line.current for line in self.lines), self.bands)


def period_figures(
    master: MasterData,
    period: Period,
    year: int,
    index: int,
    submissions: Mapping[tuple[str, int], Submission],
) -> PeriodFigures:
    """Every division's indicators for period `index`, with the year to date. A division whose
    master data and submissions are the objects of an earlier call gets that call's block
    (`identity_memo`): after an approval, only its division is computed again."""
    blocks = tuple(
        division_block(master, period, year, index, division, submissions)
        for division in master.divisions
    )
    return PeriodFigures(year, period, index, master.bands, blocks)


def division_block(
    master: MasterData,
    period: Period,
    year: int,
    index: int,
    division: Division,
    submissions: Mapping[tuple[str, int], Submission],
) -> DivisionBlock:
    """One division's block of `period_figures`, remembered (see there): computed as soon as
    the division's submissions are read, it is handed back when the report asks for it."""
    own = tuple(submissions.get((division.code, i)) for i in range(1, index + 1))
    return _BLOCKS.get(
        (master, period, *own),
        (division.code, year, index),
        partial(_block, master, Scoring.of(master), period, year, index, division, submissions),
    )


# 1,000 divisions, each in the quarter's report and in the service's next rebuild of it
_BLOCKS: IdentityMemo[DivisionBlock] = IdentityMemo(2048)


def _block(master: MasterData, scoring: Scoring, period: Period, year: int, index: int,
           division: Division, submissions: Mapping[tuple[str, int], Submission],
           ) -> DivisionBlock:  # fmt: skip
    lines = []
    for indicator in master.indicators_of(division.code):
        readings = readings_through(submissions, division.code, indicator.code, index)
        targets = targets_for(indicator, master, year, readings, period)
        realisations = {i: (r.realisation if r else None) for i, r in readings.items()}
        lines.append(
            Line(
                indicator,
                assess(indicator, targets.get(index), realisations.get(index), scoring),
                aggregate(indicator, realisations, targets, index, scoring),
                readings.get(index),
            )
        )
    return DivisionBlock(division, submissions.get((division.code, index)), tuple(lines))


def readings_through(
    submissions: Mapping[tuple[str, int], Submission], division: str, code: str, through: int
) -> dict[int, Reading | None]:
    """Period -> the indicator's reading in the approved version, for periods 1..`through`."""
    found: dict[int, Reading | None] = {}
    for index in range(1, through + 1):
        submission = submissions.get((division, index))
        found[index] = submission.readings.get(code) if submission else None
    return found
