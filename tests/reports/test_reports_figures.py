"""Capaian, predikat and aggregation over quarters: the report rules as hand-worked tables."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from watcher.masterdata.capaian import (
    capaian,
    excel_formula,
    indicator_capaian,
    mean_capaian,
    predikat,
)
from watcher.masterdata.model import (
    DEFAULT_BANDS,
    Aggregation,
    CapaianRules,
    Indicator,
    MinimalFormula,
    Polarity,
    PredikatBand,
    ZeroTarget,
)
from watcher.masterdata.sample import sample_master
from watcher.reports.figures import Scoring, aggregate
from watcher.reports.figures_year import year_figures
from watcher.reports.gather import Approval, Reading, Submission
from watcher.reports.pdf import percent_text

MAX, MIN = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER
SPECIAL, INVERSE = MinimalFormula.SPECIAL, MinimalFormula.INVERSE


# target, realisation, polarity, formula, cap -> capaian (worked by hand, to 2 decimals)
CAPAIAN = [
    pytest.param(99.2, 99.3, MAX, SPECIAL, None, 100.1, id="max_ktp_el_100.10"),
    pytest.param(1200, 1180, MAX, SPECIAL, None, 98.33, id="max_count_98.33"),
    pytest.param(70, 35, MAX, SPECIAL, None, 50.0, id="max_half_50"),
    pytest.param(1.5, 1.8, MIN, SPECIAL, None, 80.0, id="min_special_(3-1.8)/1.5=80"),
    pytest.param(1.5, 1.8, MIN, INVERSE, None, 83.33, id="min_inverse_1.5/1.8=83.33"),
    pytest.param(2, 4, MIN, SPECIAL, None, 0.0, id="min_special_twice_target_0"),
    pytest.param(2, 5, MIN, SPECIAL, None, 0.0, id="min_special_beyond_floored_at_0"),
    pytest.param(2, 1, MIN, SPECIAL, None, 150.0, id="min_special_better_150"),
    pytest.param(2, 1, MIN, SPECIAL, 120.0, 120.0, id="min_special_capped_120"),
    pytest.param(1, 2, MAX, SPECIAL, 120.0, 120.0, id="max_200_capped_120"),
    pytest.param(1, 1.1, MAX, SPECIAL, 120.0, 110.0, id="max_under_cap_unchanged"),
    pytest.param(2, 0, MIN, INVERSE, None, None, id="min_inverse_zero_realisation_not_assessable"),
    pytest.param(2, 0, MIN, INVERSE, 120.0, 120.0, id="min_inverse_zero_realisation_is_the_cap"),
    pytest.param(0, 1, MAX, SPECIAL, None, 100.0, id="zero_target_max_met"),
    pytest.param(0, 0, MIN, SPECIAL, 120.0, 100.0, id="zero_target_minimal_met"),
    pytest.param(0, 2, MIN, SPECIAL, None, 0.0, id="zero_target_minimal_missed"),
    pytest.param(0, 2, MIN, INVERSE, None, 0.0, id="zero_target_inverse_missed"),
    pytest.param(90.004, 100, MAX, SPECIAL, None, 111.11, id="rounded_111.1061"),
    pytest.param(100, 90.004, MAX, SPECIAL, None, 90.0, id="90.004_prints_90.00"),
    pytest.param(100, 90.005, MAX, SPECIAL, None, 90.01, id="90.005_rounds_half_up"),
    pytest.param(20, 18.001, MAX, SPECIAL, None, 90.01, id="18.001/20=90.005_half_up"),
    pytest.param(None, 5, MAX, SPECIAL, None, None, id="missing_target"),
    pytest.param(5, None, MAX, SPECIAL, None, None, id="missing_realisation"),
]


@pytest.mark.parametrize(
    ("target", "realisation", "polarity", "formula", "cap", "expected"), CAPAIAN
)
def test_capaian_by_hand(
    target: float | None,
    realisation: float | None,
    polarity: Polarity,
    formula: MinimalFormula,
    cap: float | None,
    expected: float | None,
) -> None:
    assert capaian(target, realisation, polarity, formula=formula, cap=cap) == expected


STRICT = CapaianRules(zero_target=ZeroTarget.NOT_ASSESSABLE, floor=None)

# the office's other choices: zero targets not assessable, negative capaian as computed
RULES = [
    pytest.param(0, 0, MIN, STRICT, None, id="zero_target_not_assessable"),
    pytest.param(0, 5, MAX, STRICT, None, id="zero_target_max_not_assessable"),
    pytest.param(2, 5, MIN, STRICT, -50.0, id="negative_as_computed"),
    pytest.param(2, 5, MIN, CapaianRules(floor=-20.0), -20.0, id="floor_minus_20"),
    pytest.param(2, 3, MIN, CapaianRules(floor=60.0), 60.0, id="floor_60_lifts_50"),
]


@pytest.mark.parametrize(("target", "realisation", "polarity", "rules", "expected"), RULES)
def test_capaian_rules_are_the_offices(
    target: float,
    realisation: float,
    polarity: Polarity,
    rules: CapaianRules,
    expected: float | None,
) -> None:
    assert capaian(target, realisation, polarity, rules=rules) == expected


# realisation against a target of 100 -> the capaian printed and its predikat (default bands)
BOUNDARIES = [
    pytest.param(50, "50,00", "Sangat Kurang", id="50"),
    pytest.param(50.004, "50,00", "Sangat Kurang", id="50.004"),
    pytest.param(50.005, "50,01", "Kurang", id="50.005"),
    pytest.param(65, "65,00", "Kurang", id="65"),
    pytest.param(65.01, "65,01", "Cukup", id="65.01"),
    pytest.param(75, "75,00", "Cukup", id="75"),
    pytest.param(75.005, "75,01", "Baik", id="75.005"),
    pytest.param(90, "90,00", "Baik", id="90"),
    pytest.param(90.004, "90,00", "Baik", id="90.004"),
    pytest.param(90.005, "90,01", "Sangat Baik", id="90.005"),
]


@pytest.mark.parametrize(("realisation", "printed", "expected"), BOUNDARIES)
def test_predikat_is_decided_on_the_printed_value(
    realisation: float, printed: str, expected: str
) -> None:
    value = capaian(100, realisation, MAX)

    assert percent_text(value) == printed
    assert predikat(value) == expected


def test_the_default_keeps_the_existing_behaviour() -> None:
    assert capaian(1.5, 1.8, MIN) == pytest.approx(80.0)
    assert capaian(10, 12, MAX) == pytest.approx(120.0)


# capaian -> predikat with the default bands (>90, 76-90, 66-75, 51-65, <=50)
PREDIKAT = [
    pytest.param(120.0, "Sangat Baik", id="120"),
    pytest.param(90.01, "Sangat Baik", id="just_above_90"),
    pytest.param(90.0, "Baik", id="90_is_baik"),
    pytest.param(76.0, "Baik", id="76"),
    pytest.param(75.5, "Baik", id="75.5_between_integer_bands"),
    pytest.param(75.0, "Cukup", id="75_is_cukup"),
    pytest.param(66.0, "Cukup", id="66"),
    pytest.param(65.0, "Kurang", id="65_is_kurang"),
    pytest.param(51.0, "Kurang", id="51"),
    pytest.param(50.0, "Sangat Kurang", id="50_is_sangat_kurang"),
    pytest.param(0.0, "Sangat Kurang", id="0"),
    pytest.param(-50.0, "Sangat Kurang", id="negative"),
    pytest.param(None, None, id="not_assessable_has_no_predikat"),
]


@pytest.mark.parametrize(("value", "expected"), PREDIKAT)
def test_predikat_default_bands(value: float | None, expected: str | None) -> None:
    assert predikat(value, DEFAULT_BANDS) == expected


def test_predikat_bands_are_configurable_in_any_order() -> None:
    bands = (
        PredikatBand("C", None),
        PredikatBand("A", 80.0),
        PredikatBand("B", 60.0),
    )

    assert [predikat(v, bands) for v in (81, 80, 61, 60, 10)] == ["A", "B", "B", "C", "C"]


def indicator(**changes: object) -> Indicator:
    base = Indicator(
        code="X-01",
        division="X",
        goal="Sasaran",
        name="Indikator",
        definition="",
        unit="%",
        polarity=MAX,
        aggregation=Aggregation.CUMULATIVE,
        annual_target=4.0,
        quarter_targets=(1.0, 1.0, 1.0, 1.0),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


CUMULATIVE, LAST = Aggregation.CUMULATIVE, Aggregation.LAST_POSITION

# aggregation, polarity, cap, targets by quarter, realisations by quarter, through
#   -> (target, realisation, capaian, counted quarters, missing quarters)
AGGREGATES = [
    pytest.param(
        CUMULATIVE,
        MAX,
        None,
        {1: 1200, 2: 1200, 3: 1200},
        {1: 1100, 2: 1250, 3: 1180},
        3,
        (3600, 3530, 98.06, (1, 2, 3), ()),
        id="cumulative_sum_r_over_sum_t",
    ),
    pytest.param(
        LAST,
        MAX,
        None,
        {1: 98.8, 2: 99.0, 3: 99.2},
        {1: 98.9, 2: 99.1, 3: 99.3},
        3,
        (99.2, 99.3, 100.1, (1, 2, 3), ()),
        id="last_position_takes_the_quarter",
    ),
    pytest.param(
        CUMULATIVE,
        MAX,
        None,
        {1: 150, 2: 150, 3: 150},
        {1: 140, 2: None, 3: 160},
        3,
        (300, 300, 100.0, (1, 3), (2,)),
        id="cumulative_missing_quarter_not_counted_as_zero",
    ),
    pytest.param(
        LAST,
        MAX,
        None,
        {1: 15, 2: 20, 3: 25},
        {1: 16, 2: 21, 3: None},
        3,
        (20, 21, 105.0, (1, 2), (3,)),
        id="last_position_falls_back_to_latest_with_data",
    ),
    pytest.param(
        CUMULATIVE,
        MIN,
        None,
        {1: 2, 2: 2, 3: 2, 4: 2},
        {1: 3, 2: 1, 3: 4, 4: 2},
        4,
        (8, 10, 75.0, (1, 2, 3, 4), ()),
        id="cumulative_minimal_(16-10)/8=75",
    ),
    pytest.param(
        CUMULATIVE,
        MAX,
        120.0,
        {1: 0, 2: 1, 3: 0},
        {1: 0, 2: 1, 3: 1},
        3,
        (1, 2, 120.0, (1, 2, 3), ()),
        id="zero_target_quarter_inside_a_sum_then_capped",
    ),
    pytest.param(
        CUMULATIVE,
        MAX,
        None,
        {1: 0},
        {1: 0},
        1,
        (0, 0, 100.0, (1,), ()),
        id="only_zero_targets_met",
    ),
    pytest.param(
        LAST,
        MAX,
        None,
        {1: 10, 2: 10},
        {1: None, 2: None},
        2,
        (10, None, None, (), (1, 2)),
        id="no_data_at_all",
    ),
]


@pytest.mark.parametrize(
    ("aggregation", "polarity", "cap", "targets", "realisations", "through", "expected"),
    AGGREGATES,
)
def test_aggregation_over_quarters_by_hand(
    aggregation: Aggregation,
    polarity: Polarity,
    cap: float | None,
    targets: dict[int, float],
    realisations: dict[int, float | None],
    through: int,
    expected: tuple[float | None, float | None, float | None, tuple[int, ...], tuple[int, ...]],
) -> None:
    item = indicator(aggregation=aggregation, polarity=polarity, cap=cap)

    result = aggregate(item, realisations, targets, through, Scoring(DEFAULT_BANDS))

    target, realisation, value, counted, missing = expected
    assert result.figure.target == pytest.approx(target)
    assert result.figure.realisation == (
        pytest.approx(realisation) if realisation is not None else None
    )
    assert result.figure.capaian == (pytest.approx(value) if value is not None else None)
    assert (result.counted, result.missing) == (counted, missing)


def test_indicator_options_drive_capaian() -> None:
    inverse = indicator(polarity=MIN, minimal_formula=INVERSE)
    capped = indicator(cap=100.0)

    assert indicator_capaian(inverse, 1.5, 1.8) == 83.33
    assert indicator_capaian(capped, 10, 12) == 100.0


def test_mean_skips_what_cannot_be_assessed() -> None:
    assert mean_capaian([100.0, None, 80.0]) == 90.0
    assert mean_capaian([None]) is None


EXCEL = [
    pytest.param(MAX, SPECIAL, None, "ROUND(MAX(J10/H10*100,0),2)", id="max"),
    pytest.param(MIN, SPECIAL, None, "ROUND(MAX((2*H10-J10)/H10*100,0),2)", id="min_special"),
    pytest.param(
        MIN,
        INVERSE,
        None,
        'IF(J10=0,"Tidak dapat dinilai",ROUND(MAX(H10/J10*100,0),2))',
        id="min_inverse",
    ),
    pytest.param(MAX, SPECIAL, 120.0, "ROUND(MIN(MAX(J10/H10*100,0),120),2)", id="max_capped"),
    pytest.param(
        MIN,
        INVERSE,
        120.0,
        "IF(J10=0,120,ROUND(MIN(MAX(H10/J10*100,0),120),2))",
        id="inverse_capped",
    ),
]


@pytest.mark.parametrize(("polarity", "formula", "cap", "core"), EXCEL)
def test_excel_formula_follows_the_options(
    polarity: Polarity, formula: MinimalFormula, cap: float | None, core: str
) -> None:
    text = excel_formula(polarity, "H10", "J10", formula=formula, cap=cap, rules=STRICT_ZERO)

    assert text == (f'=IF(OR(J10="",NOT(ISNUMBER(J10))),"",IF(H10=0,"Tidak dapat dinilai",{core}))')


STRICT_ZERO = CapaianRules(zero_target=ZeroTarget.NOT_ASSESSABLE)


def test_excel_formula_scores_a_zero_target_like_capaian() -> None:
    text = excel_formula(MIN, "H10", "J10")

    assert "IF(H10=0,ROUND(MAX(IF(J10<=0,100,0),0),2)," in text


def submission(division: str, quarter: int, readings: dict[str, tuple[float, float]]) -> Submission:
    """An approved version with (target as written, realisation) per indicator code."""
    approval = Approval(
        division,
        2025,
        quarter,
        "0" * 64,
        "x.xlsx",
        datetime(2025, 4, 10, tzinfo=UTC),
        None,
        quarter,
    )
    return Submission(
        approval,
        {
            code: Reading(realisation=r, target=t, annual_target=None)
            for code, (t, r) in readings.items()
        },
    )


def test_the_year_compares_with_last_year_and_the_budget() -> None:
    master = sample_master()
    this_year = {
        ("DAFDUK", q): submission("DAFDUK", q, {"DAF-01": (99.4, 99.5), "DAF-04": (1.0, 1.2)})
        for q in (1, 2, 3, 4)
    }
    last_year = {  # 2025: written targets (the master of 2025 is gone), last position = Q4
        ("DAFDUK", 4): submission("DAFDUK", 4, {"DAF-01": (99.0, 99.6), "DAF-04": (1.5, 1.0)}),
    }

    figures = year_figures(master, 2026, this_year, last_year)

    lines = {line.indicator.code: line for line in figures.lines}
    daf01, daf04 = lines["DAF-01"], lines["DAF-04"]
    assert daf01.previous is not None and daf01.previous.source == "log"
    assert daf01.previous.figure.capaian == 100.61  # 99,6 / 99,0
    assert daf01.trend == "memburuk"  # 99.6 -> 99.5, higher is better
    assert daf04.trend == "memburuk"  # 1.0 -> 1.2 days, lower is better
    assert daf01.renstra is not None and daf01.renstra.capaian == 100.0
    sek01 = lines["SEK-01"]  # no 2025 data in the log: the master's last-year column
    assert sek01.previous is not None and sek01.previous.source == "data induk"
    dafduk = next(row for row in figures.budget if row.division.code == "DAFDUK")
    assert dafduk.absorption == pytest.approx(641_250_000 / 685_000_000 * 100)
    assert dafduk.performance is not None
    assert dafduk.efficiency == pytest.approx(dafduk.performance - dafduk.absorption)
    assert ("CAPIL", 1) in figures.missing and ("DAFDUK", 1) not in figures.missing
    goal = next(g for g in figures.goals if g.lines[0].division.code == "DAFDUK")
    assert [line.indicator.code for line in goal.lines] == ["DAF-01", "DAF-02", "DAF-03", "DAF-04"]
