"""The one codec of button data: typed data <-> action string. The kinds are registered in
``handlers.buttons``; a flow may register its own with ``kind`` (``handlers.flows.publish``).

Every kind of press is a frozen dataclass registered under its flow's prefix with a short
tag; ``encode`` turns one into ``<prefix>:<tag>:<field>:...`` (what Telegram calls the
callback data, at most 64 bytes) and ``decode`` turns an action a person sent back into
the data, or None. An action is never trusted: ``decode`` accepts only the canonical form
(the right number of fields, ASCII digits without leading zeros for ints, known tags,
escaped strings), so a forged or stale string gives None; the flows still re-check the
data against what is stored (a dossier's version, a ballot, who pressed).

Field types: ``int`` (0 to ``MAX_INT``: ids, versions, masks, pages; never negative),
``str`` (non-empty; ``%`` and ``:`` escaped as ``%25`` and ``%3A`` so a value cannot
forge fields), a ``Literal`` of short strings, and ``int | None`` / ``str | None`` at the
end, left out of the action when None. A kind whose tag is "" is the only kind of its
prefix (``<prefix>:<field>:...``); a kind registered with ``coded=True`` takes its tag
from its first field, a ``Literal`` of codes (the desk's steps: ``k:rg:<id>:<version>``).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

MAX_ACTION_BYTES = 64  # Telegram's limit for a button's callback data
MAX_INT = 999_999_999  # nine digits, as the flows always accepted: ids, versions, masks
_INT = re.compile(r"0|[1-9][0-9]{0,8}")
_ESCAPED = re.compile(r"%(?!25|3A)")
_UNESCAPE = re.compile(r"%(25|3A)")


class ButtonDataError(ValueError):
    """Button data that cannot be sent: a programmer's mistake, not a person's."""


class ButtonData:
    """Base of every kind of press; ``prefix`` and ``tag`` are set by ``@kind``."""

    prefix: ClassVar[str] = ""
    tag: ClassVar[str] = ""
    coded: ClassVar[bool] = False

    def __post_init__(self) -> None:
        encode(self)  # too long, negative, empty or unregistered: raise at once


@dataclass(frozen=True)
class _Field:
    name: str
    kind: type  # int or str
    choices: tuple[str, ...] | None  # a Literal's values
    optional: bool


@dataclass(frozen=True)
class _Spec:
    cls: type[ButtonData]
    fields: tuple[_Field, ...]


_SPECS: dict[type[ButtonData], _Spec] = {}
_BY_TAG: dict[tuple[str, str], type[ButtonData]] = {}
_TAGLESS: dict[str, type[ButtonData]] = {}

D = TypeVar("D", bound=type[ButtonData])


def kind(prefix: str, tag: str = "", *, coded: bool = False) -> typing.Callable[[D], D]:
    """Register a frozen dataclass as the data of the buttons ``<prefix>:<tag>:...``."""

    def register(cls: D) -> D:
        if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            raise TypeError(f"{cls.__name__} must be a frozen dataclass")
        fields = _fields(cls)
        cls.prefix, cls.tag, cls.coded = prefix, tag, coded
        if coded:
            if tag or not fields or fields[0].choices is None:
                raise TypeError(f"{cls.__name__}: a coded kind's first field is a Literal")
            tags = fields[0].choices
        else:
            tags = (tag,)
        for one in tags:
            if not re.fullmatch(r"[a-z0-9]{1,3}", prefix) or (one and not re.fullmatch(
                    r"[a-z0-9]{1,8}", one)):
                raise TypeError(f"{cls.__name__}: bad prefix or tag {prefix!r}:{one!r}")
            taken = _BY_TAG.get((prefix, one)) or _TAGLESS.get(prefix)
            if taken is not None or (not one and any(p == prefix for p, _ in _BY_TAG)):
                raise TypeError(f"{cls.__name__}: {prefix}:{one} is taken")
            if one:
                _BY_TAG[(prefix, one)] = cls
            else:
                _TAGLESS[prefix] = cls
        _SPECS[cls] = _Spec(cls, fields)
        return cls

    return register


def _fields(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    out: list[_Field] = []
    for field in dataclasses.fields(cls):
        hint, optional = hints[field.name], False
        if get_origin(hint) in (Union, types.UnionType):
            args = [a for a in get_args(hint) if a is not type(None)]
            if len(args) != 1 or len(get_args(hint)) != 2 or field.default is not None:
                raise TypeError(f"{cls.__name__}.{field.name}: only X | None = None")
            hint, optional = args[0], True
        elif out and out[-1].optional:
            raise TypeError(f"{cls.__name__}.{field.name}: optional fields come last")
        choices = None
        if get_origin(hint) is Literal:
            choices = tuple(str(v) for v in get_args(hint))
            hint = str
        if hint not in (int, str):
            raise TypeError(f"{cls.__name__}.{field.name}: int, str or Literal only")
        out.append(_Field(field.name, hint, choices, optional))
    return tuple(out)


def registered() -> list[type[ButtonData]]:
    """Every kind of press, for the tests."""
    return list(_SPECS)


def encode(data: ButtonData) -> str:
    """``data`` as an action string; ButtonDataError if it cannot be one."""
    spec = _SPECS.get(type(data))
    if spec is None:
        raise ButtonDataError(f"{type(data).__name__} is not a registered button kind")
    parts = [data.prefix]
    fields = spec.fields
    if data.coded:
        parts.append(_value(data, fields[0]))
        fields = fields[1:]
    elif data.tag:
        parts.append(data.tag)
    values = [getattr(data, f.name) for f in fields]
    while values and values[-1] is None and fields[len(values) - 1].optional:
        values.pop()
    parts += [_value(data, f) for f in fields[:len(values)]]
    action = ":".join(parts)
    if len(action.encode()) > MAX_ACTION_BYTES:
        raise ButtonDataError(f"button data longer than {MAX_ACTION_BYTES} bytes: {action!r}")
    return action


def _value(data: ButtonData, field: _Field) -> str:
    value = getattr(data, field.name)
    where = f"{type(data).__name__}.{field.name}={value!r}"
    if field.kind is int:
        if type(value) is not int or not 0 <= value <= MAX_INT:
            raise ButtonDataError(f"{where}: an int from 0 to {MAX_INT} expected")
        return str(value)
    if type(value) is not str or not value:
        raise ButtonDataError(f"{where}: a non-empty string expected")
    if field.choices is not None and value not in field.choices:
        raise ButtonDataError(f"{where}: one of {field.choices} expected")
    return value.replace("%", "%25").replace(":", "%3A")


def decode(action: str | None) -> ButtonData | None:
    """The data of ``action``, or None when it is not the canonical form of any kind."""
    if not isinstance(action, str) or len(action.encode()) > MAX_ACTION_BYTES:
        return None
    parts = action.split(":")
    cls = _TAGLESS.get(parts[0])
    values = parts[1:]
    if cls is None:
        if len(parts) < 2:
            return None
        cls = _BY_TAG.get((parts[0], parts[1]))
        if cls is None:
            return None
        values = parts[1:] if cls.coded else parts[2:]
    fields = _SPECS[cls].fields
    required = sum(not f.optional for f in fields)
    if not required <= len(values) <= len(fields):
        return None
    kwargs: dict[str, Any] = {}
    for field, text in zip(fields, values, strict=False):
        value = _parse(field, text)
        if value is None:
            return None
        kwargs[field.name] = value
    try:
        data = cls(**kwargs)
    except (ValueError, TypeError):
        return None
    return data if encode(data) == action else None  # canonical form only


def _parse(field: _Field, text: str) -> int | str | None:
    if field.kind is int:
        if not _INT.fullmatch(text) or int(text) > MAX_INT:
            return None
        return int(text)
    if not text or _ESCAPED.search(text):
        return None
    value = _UNESCAPE.sub(lambda m: "%" if m[1] == "25" else ":", text)
    if field.choices is not None and value not in field.choices:
        return None
    return value
