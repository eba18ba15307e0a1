"""Master data (data induk): the office, its divisions and their performance indicators.

The planning section keeps it in an Excel workbook (see `master_workbook.py` for its layout);
this module holds the plain values the rest of kinerja works with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from functools import cached_property, lru_cache

from watcher.sop.calendar import DEFAULT_WEEK, DayOverride, OfficeDay
from watcher.sop.period import Period


class Polarity(StrEnum):
    """Direction of an indicator; the Indonesian SAKIP words are the values users type."""

    HIGHER_IS_BETTER = "Maksimal"
    LOWER_IS_BETTER = "Minimal"


class Aggregation(StrEnum):
    """How quarters add up to the year: flows are summed, stocks take the last position."""

    CUMULATIVE = "Kumulatif"
    LAST_POSITION = "Posisi Akhir"


class MinimalFormula(StrEnum):
    """Capaian of a lower-is-better (Minimal) indicator; the values are what users type.

    (2T-R)/T is PermenPAN-RB 8/2021's "kondisi khusus" and the default; some offices use T/R.
    """

    SPECIAL = "(2T-R)/T"
    INVERSE = "T/R"


class ZeroTarget(StrEnum):
    """Capaian against a target of 0; the values are what users type in the master workbook."""

    SCORED = "Tercapai 100, tidak 0"  # met (R >= 0, or R <= 0 when lower is better): 100
    NOT_ASSESSABLE = "Tidak dapat dinilai"


@dataclass(frozen=True)
class CapaianRules:
    """The office's rules for the edge cases of capaian (sheet Pengaturan; these are defaults).

    `floor`: the lowest capaian reported, for (2T-R)/T that falls below 0 when the realisation
    is more than twice the target; None reports it as computed.
    """

    zero_target: ZeroTarget = ZeroTarget.SCORED
    floor: float | None = 0.0


@dataclass(frozen=True)
class PredikatBand:
    """One predikat: capaian strictly above `above` percent earns `label`; None = the rest."""

    label: str
    above: float | None


# The bands most LKjIP tables use: >90 Sangat Baik, 76-90 Baik, 66-75 Cukup, 51-65 Kurang,
# <=50 Sangat Kurang. As "strictly above" bounds they also place 90.5 or 75.5 without a gap.
DEFAULT_BANDS: tuple[PredikatBand, ...] = (
    PredikatBand("Sangat Baik", 90.0),
    PredikatBand("Baik", 75.0),
    PredikatBand("Cukup", 65.0),
    PredikatBand("Kurang", 50.0),
    PredikatBand("Sangat Kurang", None),
)


@dataclass(frozen=True)
class BudgetLine:
    """Budget of one program of a division for the master's year (Rupiah): pagu and realisasi."""

    division: str
    program: str
    ceiling: float
    spent: float


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
    signing_place: str = ""  # place written above report signatures; "" = from the office name
    week: dict[int, OfficeDay] = field(default_factory=lambda: dict(DEFAULT_WEEK))
    day_overrides: tuple[DayOverride, ...] = ()
    capaian_rules: CapaianRules = CapaianRules()


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
    # Optional columns of the Indikator sheet (old master workbooks without them still load).
    minimal_formula: MinimalFormula = MinimalFormula.SPECIAL  # used when polarity is Minimal
    cap: float | None = None  # capaian above this percent is shown as this; None = no cap
    renstra_target: float | None = None  # target at the end of the Renstra period
    previous_realisation: float | None = None  # last year's realisation, when the log has none
    lowest: float | None = None  # plausible realisations; None = by unit (see `plausible`)
    highest: float | None = None
    iku: str = ""  # the kabupaten IKU this indicator supports (the cascade); "" = none

    def target(self, quarter: int) -> float:
        return self.quarter_targets[quarter - 1]

    @property
    def counts(self) -> bool:
        """Counted in whole units (documents, people): not "%" and every target whole."""
        targets = (self.annual_target, *self.quarter_targets)
        return not self.is_percentage and all(float(t).is_integer() for t in targets)

    @property
    def plausible(self) -> tuple[float, float | None]:
        """The range a realisation must fall in: as declared, else 0..100 for "%" and 0.. for
        other units. A growth rate or an index that may go negative or past 100 declares its own.
        """
        default_high = 100.0 if self.is_percentage else None
        return (
            0.0 if self.lowest is None else self.lowest,
            default_high if self.highest is None else self.highest,
        )

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"


def period_target(indicator: Indicator, period: Period, index: int) -> float:
    """An indicator's target for period `index` of an SOP's `period`, from its quarter targets.

    The quarters a period spans are summed for a cumulative indicator and the last is taken for
    a position; a month takes a third of its quarter's cumulative target, or the quarter's
    position. The quarterly SOP 010 gets the quarter's own target.
    """
    months, quarters = _span(period, index)
    if months == 12:
        return indicator.annual_target
    if indicator.aggregation is Aggregation.LAST_POSITION:
        return indicator.target(quarters[-1])
    total = sum(indicator.target(q) for q in quarters)
    return total / 3 if months == 1 else total


@lru_cache(maxsize=64)  # a report asks for every indicator's target of the same few periods
def _span(period: Period, index: int) -> tuple[int, range]:
    """How many months period `index` has, and the quarters it spans."""
    return len(period.months(index)), period.quarters(index)


@dataclass(frozen=True)
class MasterData:
    settings: Settings
    divisions: tuple[Division, ...]
    indicators: tuple[Indicator, ...]
    bands: tuple[PredikatBand, ...] = DEFAULT_BANDS  # optional sheet Predikat
    budget: tuple[BudgetLine, ...] = ()  # optional sheet Anggaran, for the master's year

    def division(self, code: str) -> Division:
        for division in self.divisions:
            if division.code == code:
                return division
        raise KeyError(code)

    def indicators_of(self, code: str) -> tuple[Indicator, ...]:
        return self._indicators_by_division.get(code, ())

    @cached_property
    def _indicators_by_division(self) -> dict[str, tuple[Indicator, ...]]:
        # Looked up once per division per workbook; a scan of every indicator each time made a
        # report of 1,000 divisions quadratic.
        found: dict[str, list[Indicator]] = {}
        for indicator in self.indicators:
            found.setdefault(indicator.division, []).append(indicator)
        return {code: tuple(items) for code, items in found.items()}


def signing_place(settings: Settings) -> str:
    """Where reports are signed: the setting, else the regency/city in the office name."""
    if settings.signing_place:
        return settings.signing_place
    for word in ("Kabupaten ", "Kota "):
        if word in settings.office_name:
            return settings.office_name.split(word, 1)[1].strip()
    return ""


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
