"""Master data (data induk): the office, its divisions and their performance indicators.

The planning section keeps it in an Excel workbook (see `master_workbook.py` for its layout);
this module holds the plain values the rest of kinerja works with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from watcher.calendar import DEFAULT_WEEK, DayOverride, OfficeDay


class Polarity(StrEnum):
    """Direction of an indicator; the Indonesian SAKIP words are the values users type."""

    HIGHER_IS_BETTER = "Maksimal"
    LOWER_IS_BETTER = "Minimal"


class Aggregation(StrEnum):
    """How quarters add up to the year: flows are summed, stocks take the last position."""

    CUMULATIVE = "Kumulatif"
    LAST_POSITION = "Posisi Akhir"


QUARTER_NAMES = ("I", "II", "III", "IV")


def quarter_name(quarter: int) -> str:
    """Roman numeral used in Indonesian reports: 3 -> "III"."""
    return QUARTER_NAMES[quarter - 1]


@dataclass(frozen=True)
class Settings:
    office_name: str
    office_address: str
    head_name: str
    head_nip: str
    planning_head_name: str
    planning_head_nip: str
    year: int
    timezone: str = "Asia/Makassar"
    follow_up_threshold: float = 100.0  # capaian below this needs kendala and tindak lanjut
    warning_share: float = 80.0  # share of a time standard that raises a warning
    week: dict[int, OfficeDay] = field(default_factory=lambda: dict(DEFAULT_WEEK))
    day_overrides: tuple[DayOverride, ...] = ()


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    head_name: str
    head_nip: str
    subhead_name: str
    subhead_nip: str


@dataclass(frozen=True)
class Indicator:
    code: str
    division: str
    goal: str
    name: str
    definition: str
    unit: str
    polarity: Polarity
    aggregation: Aggregation
    annual_target: float
    quarter_targets: tuple[float, float, float, float]

    def target(self, quarter: int) -> float:
        return self.quarter_targets[quarter - 1]

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"


@dataclass(frozen=True)
class MasterData:
    settings: Settings
    divisions: tuple[Division, ...]
    indicators: tuple[Indicator, ...]

    def division(self, code: str) -> Division:
        for division in self.divisions:
            if division.code == code:
                return division
        raise KeyError(code)

    def indicators_of(self, code: str) -> tuple[Indicator, ...]:
        return tuple(indicator for indicator in self.indicators if indicator.division == code)


def parse_clock(value: object) -> time:
    """Read an office-hours cell: an Excel time value or text like "07:30" / "7.30"."""
    if isinstance(value, time):
        return value
    text = str(value).strip().replace(".", ":")
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError as exc:
        raise ValueError(f"jam {value!r} tidak dikenali; tulis seperti 07:30") from exc
