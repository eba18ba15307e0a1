"""Reading numbers the way Indonesian users type them.

Excel on an Indonesian-locale PC uses a decimal comma; a value typed into a text cell arrives as
the string "95,5", and "34%" typed into a cell is stored as 0.34 with a percent number format.
These pure functions read such values as the clerk meant them, say when they read text, and
refuse (naming both readings) what could mean two different numbers: "1.200" is 1200 to an
Indonesian and 1.2 to an English reader, "1,200" the other way round.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_INDONESIAN_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,89
_ENGLISH_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.89
_ONE_GROUP = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")  # 1.200 or 1,200: either reading fits


class NotANumber(ValueError):
    """The value cannot be read as a number."""


class AmbiguousNumber(NotANumber):
    """Text that reads as two different numbers ("1.200": 1200 or 1,2)."""

    def __init__(self, text: str, readings: tuple[float, float]) -> None:
        super().__init__(text)
        self.text = text
        self.readings = readings


class UnitMismatch(NotANumber):
    """A percent (typed "34%" or in a percent-formatted cell) for an indicator not in percent."""


def parse_number(value: object) -> tuple[float, bool]:
    """Return (number, came_from_text). Raise NotANumber for anything else.

    Accepts int/float cells, and text: "95.5", "95,5", "1.234,5", "1,234.5", " 12 ", "95,5 %".
    Raise AmbiguousNumber for a single group of three digits after one separator ("1.200",
    "1,200"); booleans, empty text, NaN/inf and words are not numbers.
    """
    if isinstance(value, bool) or value is None:
        raise NotANumber(repr(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise NotANumber(repr(value))
        return float(value), False
    text = _compact(value).removesuffix("%")
    if _ONE_GROUP.match(text):
        indonesian = _indonesian(text) if "." in text else float(text.replace(",", "."))
        english = float(text.replace(",", ""))
        raise AmbiguousNumber(str(value).strip(), (indonesian, english))
    if _PLAIN.match(text):
        return float(text), True
    if _COMMA_DECIMAL.match(text):
        return float(text.replace(",", ".")), True
    if _INDONESIAN_GROUPED.match(text):
        return _indonesian(text), True
    if _ENGLISH_GROUPED.match(text):
        return float(text.replace(",", "")), True
    raise NotANumber(repr(value))


def read_quantity(
    value: object, *, percent_unit: bool, percent_format: bool = False
) -> tuple[float, bool]:
    """A realisation as the clerk meant it for the indicator's unit: (number, came_from_text).

    A percent-formatted cell holds a fraction (34% is stored as 0.34): it is 34 for a "%"
    indicator. Text may end in "%" only for a "%" indicator. For any other unit a percent is
    refused (UnitMismatch), never silently scaled; other text reads as in `parse_number`.
    """
    if percent_format and isinstance(value, int | float) and not isinstance(value, bool):
        if not percent_unit:
            raise UnitMismatch(f"{_percent_shown(value)}%")
        number, _ = parse_number(value)
        return float(Decimal(repr(number)) * 100), False
    if isinstance(value, str) and _compact(value).endswith("%") and not percent_unit:
        raise UnitMismatch(value.strip())
    return parse_number(value)


def format_number(value: float) -> str:
    """Indonesian display: 1234.5 -> "1.234,5"; integers without decimals."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole = f"{value:,.2f}".rstrip("0").rstrip(".")
    return whole.replace(",", "_").replace(".", ",").replace("_", ".")


def _compact(value: object) -> str:
    return str(value).strip().replace("\u00a0", "").replace(" ", "")


def _indonesian(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _percent_shown(value: float) -> str:
    return format_number(float(Decimal(repr(float(value))) * 100))
