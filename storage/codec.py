"""Domain dataclasses to JSON-ready values and back, driven by their type hints.

The dossier aggregate carries many small records (plan, route snapshot, decision,
rounds...). Storing them as JSON beside a few queryable columns keeps the schema
small; this codec keeps the mapping exact (enums, dates, fractions, tuples, unions)
without a hand-written converter per record.

Decoding is strict: a key the dataclass does not have, or a field whose key is
missing, raises :class:`StoredDataError`; a default is never used for a missing key.
A stored aggregate is read through its :class:`Schema`, which stamps a schema
version on every blob it writes and upcasts older blobs before decoding them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from functools import cache
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

T = TypeVar("T")
# A stored aggregate blob's schema version lives under this top-level key.
VERSION_KEY = "_v"
# A pure function from a version-k blob (without VERSION_KEY) to a version k+1 blob.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class StoredDataError(ValueError):
    """Stored data that does not fit the code reading it: nothing is guessed or dropped.

    Says which aggregate (kind and id, when known), which dataclass and key, and where
    in the blob (``plan.files[0].name``).
    """

    def __init__(self, problem: str, *, dataclass: str = "", key: str = "",
                 aggregate: str = "", id: object = None) -> None:
        super().__init__(problem)
        self.problem, self.dataclass, self.key = problem, dataclass, key
        self.aggregate, self.id = aggregate, id
        self.path: list[str] = [key] if key else []  # outermost first, filled on the way out

    def __str__(self) -> str:
        where = f"stored {self.aggregate or 'data'}"
        if self.id is not None:
            where += f" {self.id}"
        at = "".join(p if p.startswith("[") else f".{p}" for p in self.path).lstrip(".")
        return f"{where}: {self.problem}" + (f" (at {at})" if at else "")


@dataclasses.dataclass(frozen=True)
class Schema(Generic[T]):
    """How one aggregate kind is stored: its dataclass, its version and its upcasters.

    :meth:`dump` writes ``{VERSION_KEY: version, **fields}``. :meth:`load` reads the
    version (a blob without one predates versioning: its absent defaulted fields are
    filled, as the reader of that time did, and it is version 1), refuses a
    version newer than ``version``, applies ``upcasters[k]`` for k = found ..
    version - 1 in order, then decodes strictly: after upcasting every field must be
    present and no other key may be, at every level. A field that gains a default is
    therefore still required in stored data; filling it for old blobs is an upcaster's
    job, so a renamed or added field is one upcaster and one version bump.
    """

    aggregate: str  # "dossier", "ballot"...: names the blob in errors
    kind: type[T]
    version: int = 1
    upcasters: Mapping[int, Upcaster] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if sorted(self.upcasters) != list(range(1, self.version)):
            raise ValueError(f"{self.aggregate} version {self.version} needs exactly one "
                             f"upcaster from each of versions 1..{self.version - 1}")

    def dump(self, value: T) -> dict[str, Any]:
        return {VERSION_KEY: self.version, **dump(value)}

    def load(self, data: Any, id: object = None, *,
             extra: Mapping[str, Any] | None = None) -> T:
        """Decode a stored blob; ``extra`` holds keys kept outside it (their own table),
        added after upcasting."""
        blob = self.upcast(data, id, apart=frozenset(extra or ()))
        if extra:
            clash = sorted(extra.keys() & blob.keys())
            if clash:
                raise self._error(f"key {clash[0]!r} is stored apart, not in the blob", id)
            blob.update(extra)
        try:
            return load(self.kind, blob)
        except StoredDataError as exc:
            exc.aggregate, exc.id = self.aggregate, id
            raise
        except (TypeError, ValueError) as exc:  # e.g. the dataclass refusing a value
            raise self._error(str(exc), id) from exc

    def upcast(self, data: Any, id: object = None, *,
               apart: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The blob brought to the current version, without its version key (``apart``:
        top-level fields stored outside the blob)."""
        if not isinstance(data, dict):
            raise self._error(f"expected an object, got {type(data).__name__}", id)
        found = data.get(VERSION_KEY, 1)
        if VERSION_KEY not in data:
            # Written before versioning, by code that filled absent fields with their
            # defaults when reading: do that once, here, then it is version 1.
            data = with_defaults(self.kind, data, skip=apart)
        if type(found) is not int or found < 1:
            raise self._error(f"schema version {found!r} is not a version", id)
        if found > self.version:
            raise self._error(f"schema version {found} is newer than this code reads "
                              f"(up to {self.version})", id)
        blob = {k: v for k, v in data.items() if k != VERSION_KEY}
        for step in range(found, self.version):
            blob = self.upcasters[step](blob)
        return blob

    def _error(self, problem: str, id: object) -> StoredDataError:
        return StoredDataError(problem, dataclass=self.kind.__name__,
                               aggregate=self.aggregate, id=id)


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
    """Rebuild a value of type ``kind`` (a class or a typing form) from :func:`dump` output.

    A dataclass needs exactly its stored fields' keys (see :class:`Schema`); anything
    else raises :class:`StoredDataError`.
    """
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
        items = [_item(item, v, i) for i, v in enumerate(data)]
        return origin(items)
    if origin is dict:
        key_type, value_type = get_args(kind) or (str, Any)
        return {load(key_type, k): _item(value_type, v, k) for k, v in data.items()}
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
            return _load_dataclass(kind, data)
        if kind in (str, int, float, bool):
            if not isinstance(data, kind) and not (kind is float and isinstance(data, int)):
                raise TypeError(f"expected {kind.__name__}, got {data!r}")
            return data
    raise TypeError(f"cannot load {kind!r}")


def _load_dataclass(kind: type, data: Any) -> Any:
    name = kind.__name__
    if not isinstance(data, dict):
        raise StoredDataError(f"{name} expected an object, got {type(data).__name__}",
                              dataclass=name)
    fields, names = _fields(kind), _names(kind)
    for key in data:
        if key not in names:
            raise StoredDataError(f"unknown key {key!r} in {name}", dataclass=name, key=key)
    hints = _hints(kind)
    values = {}
    for f in fields:
        if f.name not in data:
            raise StoredDataError(f"missing key {f.name!r} in {name}", dataclass=name,
                                  key=f.name)
        try:
            values[f.name] = load(hints[f.name], data[f.name])
        except StoredDataError as exc:
            exc.path.insert(0, f.name)
            raise
        except (TypeError, ValueError) as exc:
            raise StoredDataError(f"bad value for {f.name!r} in {name}: {exc}",
                                  dataclass=name, key=f.name) from exc
    return kind(**values)


def with_defaults(kind: Any, data: Any, skip: frozenset[str] = frozenset()) -> Any:
    """``data`` with every absent field that has a default filled in, at every level (the
    reading rule of blobs written before versioning); unknown keys are left for
    :func:`load` to refuse."""
    origin = get_origin(kind)
    if data is None:
        return None
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        return with_defaults(options[0], data) if len(options) == 1 else data
    if origin in (tuple, list, set, frozenset) and isinstance(data, list):
        item = (get_args(kind) or (Any,))[0]
        return [with_defaults(item, v) for v in data]
    if origin is dict and isinstance(data, dict):
        value_type = (get_args(kind) or (str, Any))[1]
        return {k: with_defaults(value_type, v) for k, v in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and isinstance(data, dict):
        hints, filled = _hints(kind), dict(data)
        for f in _fields(kind):
            if f.name in skip:
                continue
            if f.name in filled:
                filled[f.name] = with_defaults(hints[f.name], filled[f.name])
            elif f.default is not dataclasses.MISSING:
                filled[f.name] = dump(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                filled[f.name] = dump(f.default_factory())
        return filled
    return data


def _item(kind: Any, data: Any, at: object) -> Any:
    """One element of a collection, its place added to an error's path."""
    try:
        return load(kind, data)
    except StoredDataError as exc:
        exc.path.insert(0, f"[{at!r}]")
        raise


@cache
def _names(kind: type) -> frozenset[str]:
    return frozenset(f.name for f in _fields(kind))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


@cache
def _fields(kind: type) -> tuple[dataclasses.Field[Any], ...]:
    # Only fields that are part of the value: ``events`` and the like are init=False
    # or compare=False bookkeeping and are not stored.
    return tuple(f for f in dataclasses.fields(kind) if f.init and f.compare)
