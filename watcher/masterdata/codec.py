"""Master data as plain JSON values and back, exactly (`master_from_json(master_to_json(m)) == m`).

The centre consolidates hundreds of offices, each under its own master data. Reading each
office's master workbook again (openpyxl, behind the safety checks) costs most of a second;
reading the same values from JSON costs a millisecond. The office sends both: the workbook, for
a reviewer to recompute from, and these values, read from that workbook by the office's own
loader (`kinerja pusat periksa` checks that the two still agree).

The codec follows the dataclasses' type hints, so a field added to the model travels without a
change here: dataclasses become objects, enums their values, tuples and lists arrays, dicts with
int keys objects with string keys, dates and times ISO text.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, time
from enum import Enum
from functools import cache, partial
from typing import Any

from watcher.masterdata.model import MasterData


def master_to_json(master: MasterData) -> dict[str, Any]:
    return _encode(master)  # type: ignore[no-any-return]


def master_from_json(value: dict[str, Any]) -> MasterData:
    """The master data the values describe; ValueError (or TypeError, KeyError) if they do not."""
    return _decode(MasterData, value)  # type: ignore[no-any-return]


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(kind: Any, value: Any) -> Any:
    return _decoder(kind)(value)


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """The function that decodes values of `kind`, built once per type (the centre decodes
    the master data of every office it consolidates)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        decode_inner = _decoder(inner)
        return lambda value: None if value is None else decode_inner(value)
    if dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    if origin is tuple:
        return _tuple_decoder(args)
    if origin is dict:
        key_kind, decode_item = args[0], _decoder(args[1])

        def mapping(value: Any) -> Any:
            _expect(value, dict, "object")
            return {key_kind(key): decode_item(item) for key, item in value.items()}

        return mapping
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if kind in (date, time):
        return kind.fromisoformat
    if kind is float:
        return _float
    if kind in (int, str, bool):
        return partial(_exact, kind)
    raise TypeError(f"no decoder for {kind!r}")


def _dataclass_decoder(kind: Any) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(kind)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(kind) if f.init}

    def decode(value: Any) -> Any:
        _expect(value, dict, f"{kind.__name__} object")
        unknown = set(value) - set(fields)
        if unknown:
            raise ValueError(f"{kind.__name__}: unknown fields {sorted(unknown)}")
        return kind(**{name: fields[name](item) for name, item in value.items()})

    return decode


def _tuple_decoder(args: tuple[Any, ...]) -> Callable[[Any], Any]:
    if len(args) == 2 and args[1] is Ellipsis:
        decode_item = _decoder(args[0])

        def sequence(value: Any) -> Any:
            _expect(value, list, "array")
            return tuple(decode_item(item) for item in value)

        return sequence
    decoders = [_decoder(arg) for arg in args]

    def fixed(value: Any) -> Any:
        _expect(value, list, "array")
        if len(value) != len(decoders):
            raise ValueError(f"{len(decoders)} items expected, got {len(value)}")
        return tuple(decode(item) for decode, item in zip(decoders, value, strict=True))

    return fixed


def _expect(value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{what} expected, got {value!r}")


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"number expected, got {value!r}")
    return float(value)


def _exact(kind: type, value: Any) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{kind.__name__} expected, got {value!r}")
    return value
