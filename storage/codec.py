"""Domain dataclasses to JSON-ready values and back, driven by their type hints.

The dossier aggregate carries many small records (plan, route snapshot, decision,
rounds...). Storing them as JSON beside a few queryable columns keeps the schema
small; this codec keeps the mapping exact (enums, dates, fractions, tuples, unions)
without a hand-written converter per record.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from functools import cache
from typing import Any, Union, get_args, get_origin


def dump(value: Any) -> Any:
    """A value made only of dicts, lists, str, int, float, bool and None."""
    if isinstance(value, Enum):  # before str: a StrEnum is a str too
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [dump(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    raise TypeError(f"cannot store {type(value).__name__}")


def load(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` (a class or a typing form) from :func:`dump` output."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        if data is None:
            return None
        if len(options) == 1:
            return load(options[0], data)
        for option in options:  # e.g. int | str: the first that fits
            try:
                return load(option, data)
            except (TypeError, ValueError):
                continue
        raise ValueError(f"{data!r} fits none of {kind}")
    if data is None:
        return None
    if origin in (tuple, list, set, frozenset):
        args = get_args(kind)
        item = args[0] if args else Any
        items = [load(item, v) for v in data]
        return origin(items)
    if origin is dict:
        key_type, value_type = get_args(kind) or (str, Any)
        return {load(key_type, k): load(value_type, v) for k, v in data.items()}
    if kind is Any:
        return data
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return kind(data)
        if issubclass(kind, datetime):
            return datetime.fromisoformat(data)
        if issubclass(kind, date):
            return date.fromisoformat(data)
        if issubclass(kind, Fraction):
            return Fraction(data)
        if dataclasses.is_dataclass(kind):
            hints = _hints(kind)
            values = {f.name: load(hints[f.name], data[f.name])
                      for f in _fields(kind) if f.name in data}
            return kind(**values)
        if kind in (str, int, float, bool):
            if not isinstance(data, kind) and not (kind is float and isinstance(data, int)):
                raise TypeError(f"expected {kind.__name__}, got {data!r}")
            return data
    raise TypeError(f"cannot load {kind!r}")


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


@cache
def _fields(kind: type) -> tuple[dataclasses.Field[Any], ...]:
    # Only fields that are part of the value: ``events`` and the like are init=False
    # or compare=False bookkeeping and are not stored.
    return tuple(f for f in dataclasses.fields(kind) if f.init and f.compare)
