"""The LKjIP's rows per indicator, rendered once per division's lines and remembered.

Three tables of the LKjIP's HTML have a row per indicator: the Perjanjian Kinerja (Bab II), each
goal's capaian (Bab III) and the appendix's targets and realisations per period. At 1,000
divisions of 40 indicators that is 120,000 rows, most of a build's time in jinja2. A division's
lines are the same objects from one build to the next while its approvals are unchanged
(`figures_year._division_lines`), so its rows are rendered from `_lkjip_rows.html.j2` once and
remembered under the identity of those lines and the master data (`identity_memo`); a rebuild
after one approval renders only that division's rows. The template still lays out every table:
this module only hands it each goal's or each chunk's rows, joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from markupsafe import Markup

from watcher.masterdata.model import MasterData, Polarity
from watcher.reports.figures_year import GoalSummary, YearFigures, YearLine
from watcher.reports.identity_memo import IdentityMemo
from watcher.reports.pdf import environment
from watcher.sop.period import Period

APPENDIX_COLUMNS = 4  # periods per appendix table (the template's `batch(4)`)


@dataclass(frozen=True)
class _Rows:
    """One line's rendered rows: its Perjanjian Kinerja cells, its capaian row and its appendix
    row in each chunk of periods."""

    plan: str
    detail: str
    appendix: tuple[str, ...]


class LineRows:
    """The rendered rows of every line of `figures`, for the LKjIP template."""

    def __init__(self, master: MasterData, figures: YearFigures,
                 band_class: Callable[[str | None], str]) -> None:  # fmt: skip
        period = figures.period
        self._chunks = _chunks(period)
        macros = (
            environment()
            .get_template("_lkjip_rows.html.j2")
            .make_module(
                {"period": period, "band_class": band_class, "MAKSIMAL": Polarity.HIGHER_IS_BETTER}
            )
        )
        self._plan_head = macros.plan_head
        self._rows: dict[int, _Rows] = {}
        chunks = self._chunks
        for _, run in groupby(figures.lines, key=lambda line: id(line.division)):
            lines = tuple(run)
            rendered = _ROWS.get((master, *lines), (figures.year, period),
                                 lambda lines=lines: _render(macros, lines, chunks))  # fmt: skip
            self._rows.update(zip(map(id, lines), rendered, strict=True))
        self._lines = figures.lines

    def plan(self, goal: GoalSummary, number: int) -> Markup:
        """The goal's rows of the Perjanjian Kinerja table; the first carries the goal."""
        head = str(self._plan_head(goal, number))
        return Markup("".join(f"<tr>{head if index == 0 else ''}{self._rows[id(line)].plan}"
                              for index, line in enumerate(goal.lines)))  # fmt: skip

    def detail(self, goal: GoalSummary) -> Markup:
        """The goal's rows of its capaian table."""
        return Markup("".join(self._rows[id(line)].detail for line in goal.lines))

    def appendix(self, chunk: int) -> Markup:
        """Every line's row of the appendix table of the `chunk`-th group of periods."""
        return Markup("".join(self._rows[id(line)].appendix[chunk] for line in self._lines))


def _chunks(period: Period) -> tuple[tuple[int, ...], ...]:
    indices = tuple(period.indices)
    return tuple(indices[at:at + APPENDIX_COLUMNS]
                 for at in range(0, len(indices), APPENDIX_COLUMNS))  # fmt: skip


def _render(macros: Any, lines: tuple[YearLine, ...],
            chunks: tuple[tuple[int, ...], ...]) -> tuple[_Rows, ...]:  # fmt: skip
    last = len(chunks) - 1
    rendered = []
    for line in lines:
        appendix = [str(macros.appendix_row(line, chunk, number == last))
                    for number, chunk in enumerate(chunks)]  # fmt: skip
        rendered.append(_Rows(str(macros.plan_cells(line)), str(macros.detail_row(line)),
                              tuple(appendix)))  # fmt: skip
    return tuple(rendered)


# 1,000 divisions, in the LKjIP and its next rebuild
_ROWS: IdentityMemo[tuple[_Rows, ...]] = IdentityMemo(2048)
