"""The office's overrides file: days off and working days added or removed, with reasons.

Each year's swapped days are announced late, so an office corrects the holiday table
without a release. Each entry names its reason and, optionally, its ``source`` (the
announcement it follows); in the file bundled with the package the source is required,
since an entry there changes every installation's deadlines. This module only parses text
it is handed (and reads the bundled file); offices' own files are read by ``bot/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

# The holidays package's lunar table ends in 2100, and its observed-day rules start in
# 1995; outside those years its answer would silently be wrong, so we refuse instead.
MIN_YEAR = 1995
MAX_YEAR = 2100
OVERRIDE_KEYS = ("days_off", "working_days", "remove_days_off")
_ENTRY_KEYS = ("date", "reason", "source")
_REQUIRED_KEYS = ("date", "reason")
BUNDLED_ORIGIN = "workflow/data/calendar_overrides.yaml"


@dataclass(frozen=True)
class OverrideEntry:
    """One day in an overrides file: what it is (``reason``) and, when given, the
    announcement it follows (``source``, e.g. "Công văn 12729/VPCP-KGVX ngày 25/12/2025")."""

    date: date
    reason: str
    line: int
    source: str | None = None


@dataclass(frozen=True)
class CalendarOverrides:
    """An office's corrections to the holiday table, as read from one overrides file."""

    days_off: tuple[OverrideEntry, ...] = ()
    working_days: tuple[OverrideEntry, ...] = ()
    remove_days_off: tuple[OverrideEntry, ...] = ()
    origin: str = ""


class OverridesError(ValueError):
    """An overrides file is malformed; ``str()`` is one line naming the file, line and key."""

    def __init__(self, message: str, *, origin: str = "", line: int | None = None,
                 where: str = ""):
        self.message, self.origin, self.line, self.where = message, origin, line, where
        prefix = (origin or "<overrides>") + (f":{line}" if line else "")
        key = f"{where}: " if where else ""
        super().__init__(f"{prefix}: {key}{message}")


# --- overrides file -------------------------------------------------------------------------


def parse_overrides(text: str, origin: str = "<overrides>", *,
                    require_source: bool = False) -> CalendarOverrides:
    """Read an overrides file's text (YAML) into :class:`CalendarOverrides`.

    Shape: three optional lists, ``days_off``, ``working_days`` and ``remove_days_off``,
    of ``{date: YYYY-MM-DD, reason: text, source: text}``; ``source`` may be left out
    unless ``require_source`` (the bundled file, see :func:`parse_bundled_overrides`). A
    date may appear once in a file: two entries for one day contradict each other or
    repeat themselves. Raises :class:`OverridesError` naming the line and key of the
    first problem.
    """
    # Walk the node tree rather than loaded values: it keeps every line number, and
    # a bad unquoted date (2026-02-30) reaches us as text instead of a constructor crash.
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise OverridesError(f"not valid YAML: {problem}", origin=origin,
                             line=mark.line + 1 if mark else None) from None
    if root is None or _is_null(root):
        return CalendarOverrides(origin=origin)
    if not isinstance(root, yaml.MappingNode):
        raise OverridesError(f"expected a mapping with keys {', '.join(OVERRIDE_KEYS)}",
                             origin=origin, line=_line(root))
    lists: dict[str, tuple[OverrideEntry, ...]] = {}
    seen: dict[date, tuple[str, int]] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key not in OVERRIDE_KEYS:
            raise OverridesError(f"unknown key; expected one of {', '.join(OVERRIDE_KEYS)}",
                                 origin=origin, line=_line(key_node), where=key)
        if key in lists:
            raise OverridesError("key is written twice", origin=origin,
                                 line=_line(key_node), where=key)
        lists[key] = tuple(_entries(value_node, key, origin, seen, require_source))
    return CalendarOverrides(origin=origin, **lists)


def parse_bundled_overrides(text: str, origin: str = BUNDLED_ORIGIN) -> CalendarOverrides:
    """:func:`parse_overrides` with the bundled file's rule: every entry names its source."""
    return parse_overrides(text, origin, require_source=True)


def _entries(node: yaml.Node, key: str, origin: str, seen: dict[date, tuple[str, int]],
             require_source: bool) -> Iterator[OverrideEntry]:
    if _is_null(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        raise OverridesError("expected a list of {date, reason, source}", origin=origin,
                             line=_line(node), where=key)
    for index, item in enumerate(node.value):
        where = f"{key}[{index}]"
        if not isinstance(item, yaml.MappingNode):
            raise OverridesError("expected {date: YYYY-MM-DD, reason: ...}", origin=origin,
                                 line=_line(item), where=where)
        fields: dict[str, yaml.Node] = {}
        for field_key, field_value in item.value:
            name = str(field_key.value)
            if name not in _ENTRY_KEYS:
                raise OverridesError("unknown key; expected date, reason and source",
                                     origin=origin, line=_line(field_key),
                                     where=f"{where}.{name}")
            if name in fields:
                raise OverridesError("key is written twice", origin=origin,
                                     line=_line(field_key), where=f"{where}.{name}")
            fields[name] = field_value
        for name in _REQUIRED_KEYS:
            if name not in fields:
                raise OverridesError(f"'{name}' is missing", origin=origin,
                                     line=_line(item), where=where)
        if require_source and "source" not in fields:
            raise OverridesError(
                "'source' is missing; every entry of the bundled file names the "
                "announcement it follows", origin=origin, line=_line(item), where=where)
        day = _date_field(fields["date"], f"{where}.date", origin)
        reason = _text_field(fields["reason"], f"{where}.reason", origin)
        source = (_text_field(fields["source"], f"{where}.source", origin,
                              hint="name the announcement, e.g. its number and date")
                  if "source" in fields else None)
        line = _line(item) or 0
        if day in seen:
            other, other_line = seen[day]
            raise OverridesError(
                f"{day.isoformat()} is already listed in {other} (line {other_line}); "
                "a day may appear once", origin=origin, line=line, where=f"{where}.date")
        seen[day] = (key, line)
        yield OverrideEntry(day, reason, line, source)


def _date_field(node: yaml.Node, where: str, origin: str) -> date:
    text = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise OverridesError(f"'{text}' is not a date; write YYYY-MM-DD", origin=origin,
                             line=_line(node), where=where) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise OverridesError(f"{text} is outside the years {MIN_YEAR}–{MAX_YEAR}",
                             origin=origin, line=_line(node), where=where)
    return day


def _text_field(node: yaml.Node, where: str, origin: str,
                hint: str = "write a short reason, e.g. the announcement's number") -> str:
    text = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
    if not text or _is_null(node):
        raise OverridesError(hint, origin=origin, line=_line(node), where=where)
    return " ".join(text.split())  # one line, however the YAML folded it


def _is_null(node: yaml.Node) -> bool:
    return node.tag == "tag:yaml.org,2002:null"


def _line(node: yaml.Node) -> int | None:
    return node.start_mark.line + 1 if node.start_mark else None


@cache
def bundled_overrides() -> CalendarOverrides:
    """The overrides shipped with the package (``workflow/data/calendar_overrides.yaml``).

    Like the bundled rule packs, this is package data, not an office's file: offices'
    files are read by ``bot/`` and layered on top. Every entry must name its source.
    """
    source = resources.files("workflow") / "data" / "calendar_overrides.yaml"
    if not source.is_file():
        return CalendarOverrides(origin=BUNDLED_ORIGIN)
    return parse_bundled_overrides(source.read_text(encoding="utf-8"))
