"""How each kind of period names itself: in headings, in columns and messages, in file names."""

from __future__ import annotations

import pytest

from watcher.sop.period import Period, PeriodKind


@pytest.mark.parametrize(
    ("kind", "index", "label", "short", "code"),
    [
        pytest.param(PeriodKind.QUARTER, 1, "Triwulan I", "TW I", "TW1", id="triwulan-1"),
        pytest.param(PeriodKind.QUARTER, 4, "Triwulan IV", "TW IV", "TW4", id="triwulan-4"),
        pytest.param(PeriodKind.HALF, 1, "Semester I", "Semester I", "S1", id="semester-1"),
        pytest.param(PeriodKind.HALF, 2, "Semester II", "Semester II", "S2", id="semester-2"),
        pytest.param(PeriodKind.MONTH, 3, "Bulan Maret", "Maret", "B03", id="bulan-3"),
        pytest.param(PeriodKind.MONTH, 12, "Bulan Desember", "Desember", "B12", id="bulan-12"),
        pytest.param(PeriodKind.YEAR, 1, "Tahunan", "Tahunan", "TH", id="tahunan"),
    ],
)
def test_a_period_names_itself(
    kind: PeriodKind, index: int, label: str, short: str, code: str
) -> None:
    period = Period(kind)
    assert (period.label(index), period.short_label(index), period.code(index)) == (
        label,
        short,
        code,
    )


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        pytest.param(PeriodKind.QUARTER, 5, id="triwulan-5"),
        pytest.param(PeriodKind.HALF, 3, id="semester-3"),
        pytest.param(PeriodKind.MONTH, 0, id="bulan-0"),
        pytest.param(PeriodKind.YEAR, 2, id="tahunan-2"),
    ],
)
def test_a_period_outside_its_year_has_no_name(kind: PeriodKind, index: int) -> None:
    period = Period(kind)
    for name in (period.label, period.short_label, period.code):
        with pytest.raises(ValueError, match="outside"):
            name(index)
