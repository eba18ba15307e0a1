"""The number reader: what clerks type, read as they meant it, or refused with both readings."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watcher.masterdata.numbers import (
    AmbiguousNumber,
    NotANumber,
    UnitMismatch,
    format_number,
    parse_number,
    read_quantity,
)
from watcher.validation.number_formats import is_percent_format, percent_styles

TEXTS = [
    pytest.param("95,5", 95.5, id="decimal_comma"),
    pytest.param("95.5", 95.5, id="decimal_point"),
    pytest.param("95.50", 95.5, id="decimal_point_two_places"),
    pytest.param("-3,5", -3.5, id="negative_decimal_comma"),
    pytest.param("1.234,5", 1234.5, id="indonesian_grouped"),
    pytest.param("1.234.567", 1234567.0, id="indonesian_two_groups"),
    pytest.param("1,234.5", 1234.5, id="english_grouped"),
    pytest.param("1,234,567", 1234567.0, id="english_two_groups"),
    pytest.param(" 12 % ", 12.0, id="spaces_and_percent"),
    pytest.param("1\u00a0200,5", 1200.5, id="no_break_space_as_thousands"),
    pytest.param("83,9", 83.9, id="lkjip_realisation"),
]


@pytest.mark.parametrize(("text", "expected"), TEXTS)
def test_text_is_read_as_meant(text: str, expected: float) -> None:
    assert parse_number(text) == (expected, True)


AMBIGUOUS = [
    pytest.param("1.200", (1200.0, 1.2), id="dot_then_three_digits"),
    pytest.param("1,200", (1.2, 1200.0), id="comma_then_three_digits"),
    pytest.param("-12.500", (-12500.0, -12.5), id="negative"),
    pytest.param("1.200%", (1200.0, 1.2), id="with_percent"),
]


@pytest.mark.parametrize(("text", "readings"), AMBIGUOUS)
def test_text_that_reads_two_ways_is_refused_with_both(
    text: str, readings: tuple[float, float]
) -> None:
    with pytest.raises(AmbiguousNumber) as raised:
        parse_number(text)
    assert raised.value.readings == readings


@pytest.mark.parametrize(
    "value",
    [True, None, "", "abc", "1,2,3", "1.2.3,4.5", math.nan, math.inf, "12-3"],
    ids=["bool", "none", "empty", "word", "commas", "mixed", "nan", "inf", "dash"],
)
def test_not_numbers(value: object) -> None:
    with pytest.raises(NotANumber):
        parse_number(value)


QUANTITIES = [
    # value, percent unit, percent-formatted cell -> number, or the exception
    pytest.param(0.34, True, True, 34.0, id="percent_cell_for_percent_unit"),
    pytest.param(0.993, True, True, 99.3, id="percent_cell_decimal"),
    pytest.param(1.2, True, True, 120.0, id="percent_cell_above_100_is_still_read"),
    pytest.param(34, True, False, 34.0, id="plain_number_for_percent"),
    pytest.param("34%", True, False, 34.0, id="percent_text_for_percent_unit"),
    pytest.param("34 %", True, True, 34.0, id="percent_text_in_percent_cell_not_scaled_twice"),
    pytest.param(0.34, False, True, UnitMismatch, id="percent_cell_for_count"),
    pytest.param("34%", False, False, UnitMismatch, id="percent_text_for_count"),
    pytest.param(1180, False, False, 1180.0, id="count"),
]


@pytest.mark.parametrize(("value", "percent_unit", "percent_format", "expected"), QUANTITIES)
def test_read_quantity(
    value: object, percent_unit: bool, percent_format: bool, expected: object
) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            read_quantity(value, percent_unit=percent_unit, percent_format=percent_format)
    else:
        number, _ = read_quantity(value, percent_unit=percent_unit, percent_format=percent_format)
        assert number == expected


FORMATS = [
    pytest.param("0%", True, id="percent"),
    pytest.param("0.00%", True, id="percent_two_decimals"),
    pytest.param("#,##0.0%;[Red]-#,##0.0%", True, id="sections"),
    pytest.param('0.00"%"', False, id="quoted_percent_sign"),
    pytest.param("0\\%", False, id="escaped_percent_sign"),
    pytest.param("General", False, id="general"),
    pytest.param("#,##0", False, id="thousands"),
]


@pytest.mark.parametrize(("code", "expected"), FORMATS)
def test_is_percent_format(code: str, expected: bool) -> None:
    assert is_percent_format(code) is expected


def test_percent_styles_knows_the_built_in_and_custom_formats() -> None:
    styles = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="2"><numFmt numFmtId="164" formatCode="0.00%"/>'
        b'<numFmt numFmtId="165" formatCode="0.00"/></numFmts>'
        b'<cellStyleXfs count="1"><xf numFmtId="9"/></cellStyleXfs>'
        b'<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/>'
        b'<xf numFmtId="165"/><xf numFmtId="10"/></cellXfs></styleSheet>'
    )
    assert percent_styles(styles) == {1, 2, 4}  # cellStyleXfs are not cell styles
    assert percent_styles(b"") == frozenset()


# --- properties -------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda n: n / 100)


@given(finite)
def test_a_number_cell_is_taken_as_it_is(value: float) -> None:
    assert parse_number(value) == (value, False)


@given(cents)
def test_indonesian_display_reads_back_or_is_refused_with_its_value(value: float) -> None:
    """What kinerja itself prints ("1.234,5") reads back to the same number, or, when it is a
    bare thousands group ("1.200"), is refused naming that number among its readings."""
    text = format_number(value)
    try:
        number, from_text = parse_number(text)
    except AmbiguousNumber as refused:
        assert value in refused.readings
        assert sorted(abs(r) for r in refused.readings)[1] == pytest.approx(
            sorted(abs(r) for r in refused.readings)[0] * 1000
        )
    else:
        assert (number, from_text) == (pytest.approx(value, abs=1e-9), True)


@given(cents)
def test_english_display_reads_back_or_is_refused_with_its_value(value: float) -> None:
    text = f"{value:,.2f}"
    try:
        number, _ = parse_number(text)
    except AmbiguousNumber as refused:  # never: two decimals follow the point
        raise AssertionError(text) from refused
    assert number == pytest.approx(value, abs=1e-9)


@given(st.integers(min_value=0, max_value=100_000).map(lambda n: n / 1000))
def test_a_percent_cell_is_scaled_once_and_exactly(fraction: float) -> None:
    """0.34 in a percent cell is 34 (not 34.00000000000001) for a % indicator, and refused for
    any other unit: never silently read as 0.34 or as 34 of something else."""
    number, _ = read_quantity(fraction, percent_unit=True, percent_format=True)
    assert number == round(fraction * 100, 6)
    with pytest.raises(UnitMismatch):
        read_quantity(fraction, percent_unit=False, percent_format=True)


@given(st.from_regex(r"\A[+-]?[0-9]{1,7}([.,][0-9]{1,6}){0,3} ?%?\Z"))
def test_what_is_read_keeps_its_digits_and_sign(text: str) -> None:
    """Separators only ever move the decimal point: a number read from text has the text's
    digits and sign, so nothing is scaled by a power of ten behind the clerk's back unless
    both readings are put to the clerk."""
    try:
        number, from_text = parse_number(text)
    except NotANumber:
        return
    typed = re.sub(r"\D", "", text).strip("0")
    read = re.sub(r"\D", "", f"{abs(number):.6f}").strip("0")
    assert from_text and typed == read
    assert (number < 0) == (text.startswith("-") and typed != "")


@given(st.text(max_size=20))
def test_any_text_is_a_finite_number_or_a_typed_refusal(text: str) -> None:
    try:
        number, from_text = read_quantity(text, percent_unit=True)
    except NotANumber:
        return
    assert from_text and math.isfinite(number)
