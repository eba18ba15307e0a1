"""Reading numbers the way Indonesian users type them.

Excel on an Indonesian-locale PC uses a decimal comma; a value typed into a text cell arrives as
the string "95,5". These pure functions turn such text into numbers and say that they did, so
callers can warn instead of rejecting.
"""

from __future__ import annotations

import math
import re

_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_INDONESIAN_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,89


class NotANumber(ValueError):
    """The value cannot be read as a number."""


def parse_number(value: object) -> tuple[float, bool]:
    """Return (number, came_from_text). Raise NotANumber for anything else.

    Accepts int/float cells, and text: "95.5", "95,5", "1.234,5", " 12 ", "95,5 %".
    Booleans, empty text, NaN/inf and words are not numbers.
    """
    if isinstance(value, bool) or value is None:
        raise NotANumber(repr(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise NotANumber(repr(value))
        return float(value), False
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if _PLAIN.match(text):
        return float(text), True
    if _COMMA_DECIMAL.match(text):
        return float(text.replace(",", ".")), True
    if _INDONESIAN_GROUPED.match(text):
        return float(text.replace(".", "").replace(",", ".")), True
    raise NotANumber(repr(value))


def format_number(value: float) -> str:
    """Indonesian display: 1234.5 -> "1.234,5"; integers without decimals."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole = f"{value:,.2f}".rstrip("0").rstrip(".")
    return whole.replace(",", "_").replace(".", ",").replace("_", ".")
