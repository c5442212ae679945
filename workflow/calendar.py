"""Vietnamese working days, counted the way the Civil Code counts a deadline.

Bộ luật Dân sự 2015, Điều 147–148: the day of the event (receipt of a dossier) is not
counted; only working days count; a period never ends on a day off. Working days are
Monday–Friday minus public holidays (Bộ luật Lao động 2019, Điều 112, incl. the lunar ones
and 24/11 from 2026), minus substitute and swapped days off, plus the Saturdays declared
make-up working days (làm bù). The ``holidays`` package (country ``VN``, pinned) carries
all of these; each year's swaps are announced late, so an office adds or removes days in
an overrides file (YAML, parsed here from text the caller hands in) without a release.

The holiday table is built once for a span of years and widened lazily when a date falls
outside it, so a deadline costs two binary searches, not a fresh ``holidays`` object.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Protocol

import holidays
import yaml

# The package's lunar table ends in 2100, and its observed-day rules start in 1995;
# outside those years its answer would silently be wrong, so we refuse instead.
MIN_YEAR = 1995
MAX_YEAR = 2100
# About ten years of working days: far beyond any dossier deadline (at most 60), and it
# keeps a mistyped number from building a century of holiday tables.
MAX_WORKING_DAYS = 2500
LANGUAGES = {"vi": "vi", "en": "en_US"}
OVERRIDE_KEYS = ("days_off", "working_days", "remove_days_off")
_ENTRY_KEYS = ("date", "reason")


@dataclass(frozen=True)
class DayOff:
    """A named non-working day: a public holiday, a substitute day off or an office's day off."""

    date: date
    name: str


@dataclass(frozen=True)
class MakeUpDay:
    """A Saturday or Sunday worked in exchange for a day off (làm bù).

    ``reason`` is ``None`` when the day comes from the ``holidays`` package, which does
    not name them.
    """

    date: date
    reason: str | None


@dataclass(frozen=True)
class OverrideEntry:
    date: date
    reason: str
    line: int


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


class WorkingDays(Protocol):
    """What the dossier lifecycle needs from a calendar."""

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: date, n: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...


# --- overrides file -------------------------------------------------------------------------


def parse_overrides(text: str, origin: str = "<overrides>") -> CalendarOverrides:
    """Read an overrides file's text (YAML) into :class:`CalendarOverrides`.

    Shape: three optional lists, ``days_off``, ``working_days`` and ``remove_days_off``,
    of ``{date: YYYY-MM-DD, reason: text}``. A date may appear once in a file: two
    entries for one day contradict each other or repeat themselves. Raises
    :class:`OverridesError` naming the line and key of the first problem.
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
        lists[key] = tuple(_entries(value_node, key, origin, seen))
    return CalendarOverrides(origin=origin, **lists)


def _entries(node: yaml.Node, key: str, origin: str,
             seen: dict[date, tuple[str, int]]) -> Iterator[OverrideEntry]:
    if _is_null(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        raise OverridesError("expected a list of {date, reason}", origin=origin,
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
                raise OverridesError("unknown key; expected date and reason", origin=origin,
                                     line=_line(field_key), where=f"{where}.{name}")
            if name in fields:
                raise OverridesError("key is written twice", origin=origin,
                                     line=_line(field_key), where=f"{where}.{name}")
            fields[name] = field_value
        for name in _ENTRY_KEYS:
            if name not in fields:
                raise OverridesError(f"'{name}' is missing", origin=origin,
                                     line=_line(item), where=where)
        day = _date_field(fields["date"], f"{where}.date", origin)
        reason = _text_field(fields["reason"], f"{where}.reason", origin)
        line = _line(item) or 0
        if day in seen:
            other, other_line = seen[day]
            raise OverridesError(
                f"{day.isoformat()} is already listed in {other} (line {other_line}); "
                "a day may appear once", origin=origin, line=line, where=f"{where}.date")
        seen[day] = (key, line)
        yield OverrideEntry(day, reason, line)


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


def _text_field(node: yaml.Node, where: str, origin: str) -> str:
    text = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
    if not text or _is_null(node):
        raise OverridesError("write a short reason, e.g. the announcement's number",
                             origin=origin, line=_line(node), where=where)
    return text


def _is_null(node: yaml.Node) -> bool:
    return node.tag == "tag:yaml.org,2002:null"


def _line(node: yaml.Node) -> int | None:
    return node.start_mark.line + 1 if node.start_mark else None


@cache
def bundled_overrides() -> CalendarOverrides:
    """The overrides shipped with the package (``workflow/data/calendar_overrides.yaml``).

    Like the bundled rule packs, this is package data, not an office's file: offices'
    files are read by ``bot/`` and layered on top.
    """
    source = resources.files("workflow") / "data" / "calendar_overrides.yaml"
    if not source.is_file():
        return CalendarOverrides(origin="workflow/data/calendar_overrides.yaml")
    return parse_overrides(source.read_text(encoding="utf-8"),
                           origin="workflow/data/calendar_overrides.yaml")


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Working days of the years ``first..last``, immutable so readers never need a lock."""

    first: int
    last: int
    origin: int  # ordinal of 1 January of ``first``
    working: bytes  # 1 per day from ``origin``: is it a working day?
    working_ordinals: list[int]  # sorted ordinals of the working days, for bisect
    days_off: dict[date, str]  # named non-working days
    make_up: dict[date, str | None]  # weekend days that are working days


class WorkingCalendar:
    """Working days per the Civil Code, from the ``holidays`` package plus overrides.

    ``overrides`` are applied in order (e.g. the bundled file, then an office's file),
    so a later file can undo an earlier one. ``language`` (``vi`` or ``en``) only
    chooses the holiday names.
    """

    def __init__(self, overrides: CalendarOverrides | Sequence[CalendarOverrides] = (),
                 language: str = "vi"):
        self.overrides = ((overrides,) if isinstance(overrides, CalendarOverrides)
                          else tuple(overrides))
        self.language = language if language in LANGUAGES else "vi"
        self._table: _Table | None = None
        self._lock = threading.Lock()

    @property
    def covered_years(self) -> tuple[int, int] | None:
        """The years the holiday table has been built for so far (grows on demand)."""
        table = self._table
        return (table.first, table.last) if table else None

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (weekday not off, or a make-up weekend day)."""
        table = self._covering(day.year, day.year)
        return table.working[day.toordinal() - table.origin] == 1

    def add_working_days(self, start: date, n: int) -> date:
        """The due date ``n`` working days after ``start`` (e.g. receipt of a dossier).

        Per Civil Code Điều 147–148 the day of ``start`` is not counted: counting begins
        the next day, and the result is always a working day (a period that would end on a
        day off ends on the next working day) — so a dossier received on Friday with n=1
        is due on Monday. ``n == 0`` returns ``start`` unchanged, even if it is a day off:
        no period has run, so there is nothing to move; this keeps
        ``working_days_between(start, add_working_days(start, n)) == n`` for every n.
        Raises ``ValueError`` for negative n, n above :data:`MAX_WORKING_DAYS`, or dates
        outside :data:`MIN_YEAR`–:data:`MAX_YEAR`.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n > MAX_WORKING_DAYS:
            raise ValueError(f"n must be at most {MAX_WORKING_DAYS}, got {n}")
        self._covering(start.year, start.year)  # refuses years outside the table
        if n == 0:
            return start
        # Working days run at roughly 245 a year; ask for one spare year so the widening
        # below rarely has to happen twice.
        last = start.year + n // 240 + 1
        table = self._covering(start.year, min(last, MAX_YEAR))
        while True:
            index = bisect_right(table.working_ordinals, start.toordinal()) + n - 1
            if index < len(table.working_ordinals):
                return date.fromordinal(table.working_ordinals[index])
            if table.last >= MAX_YEAR:
                raise ValueError(f"the due date would fall after {MAX_YEAR}")
            table = self._covering(start.year, table.last + 1)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end``.

        The day of ``start`` is not counted (as in :meth:`add_working_days`), so the count
        is how many working days of a period have run by ``end``. When ``end`` is before
        ``start`` the count is negative: ``-working_days_between(end, start)``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        table = self._covering(start.year, end.year)
        ordinals = table.working_ordinals
        return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())

    def days_off_between(self, start: date, end: date) -> list[DayOff]:
        """The named days off strictly between ``start`` and ``end``, in date order.

        Holidays, substitute days and an office's days off are listed (also when they fall
        on a weekend); ordinary Saturdays and Sundays are not.
        """
        if end <= start:
            return []
        table = self._covering(start.year, end.year)
        return [DayOff(day, table.days_off[day]) for day in _days(start, end)
                if day in table.days_off]

    def make_up_days_between(self, start: date, end: date) -> list[MakeUpDay]:
        """Weekend days strictly between ``start`` and ``end`` that are worked (làm bù)."""
        if end <= start:
            return []
        table = self._covering(start.year, end.year)
        return [MakeUpDay(day, table.make_up[day]) for day in _days(start, end)
                if day in table.make_up]

    def _covering(self, first: int, last: int) -> _Table:
        table = self._table
        if table is not None and table.first <= first and last <= table.last:
            return table
        for year in (first, last):
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(
                    f"{year} is outside the years the holiday table covers "
                    f"({MIN_YEAR}–{MAX_YEAR})")
        # A margin of one year each side: deadlines run forward across New Year, and
        # working_days_between is often asked about the previous December.
        first, last = max(first - 1, MIN_YEAR), min(last + 1, MAX_YEAR)
        with self._lock:
            table = self._table
            if table is not None:
                if table.first <= first and last <= table.last:
                    return table  # another thread widened it meanwhile
                first, last = min(first, table.first), max(last, table.last)
            self._table = _build(first, last, self.overrides, LANGUAGES[self.language])
            return self._table


def _days(start: date, end: date) -> Iterator[date]:
    """The days strictly between ``start`` and ``end``."""
    day = start + timedelta(days=1)
    while day < end:
        yield day
        day += timedelta(days=1)


def _build(first: int, last: int, layers: Iterable[CalendarOverrides], language: str) -> _Table:
    package = holidays.country_holidays("VN", years=range(first, last + 1), language=language)
    days_off: dict[date, str] = dict(package.items())
    # weekend_workdays is filled for the years populated above (plus cross-year swaps).
    make_up: dict[date, str | None] = dict.fromkeys(package.weekend_workdays)
    for layer in layers:
        for entry in layer.remove_days_off:
            days_off.pop(entry.date, None)
        for entry in layer.days_off:
            days_off[entry.date] = entry.reason
            make_up.pop(entry.date, None)
        for entry in layer.working_days:
            days_off.pop(entry.date, None)
            if entry.date.weekday() >= 5:
                make_up[entry.date] = entry.reason
    origin = date(first, 1, 1).toordinal()
    end = date(last, 12, 31).toordinal()
    working = bytearray(end - origin + 1)
    for ordinal in range(origin, end + 1):
        day = date.fromordinal(ordinal)
        if day in make_up or (day.weekday() < 5 and day not in days_off):
            working[ordinal - origin] = 1
    in_range = range(origin, end + 1)
    return _Table(
        first=first, last=last, origin=origin, working=bytes(working),
        working_ordinals=[o for o in in_range if working[o - origin]],
        days_off={d: n for d, n in days_off.items() if d.toordinal() in in_range},
        make_up={d: r for d, r in make_up.items() if d.toordinal() in in_range},
    )


# --- module-level functions on a shared default calendar -------------------------------------

_installed: WorkingCalendar | None = None


@cache
def bundled_calendar(language: str = "vi") -> WorkingCalendar:
    """A shared calendar with the bundled overrides only, built once per language."""
    return WorkingCalendar(bundled_overrides(), language)


def default_calendar() -> WorkingCalendar:
    """The calendar the module-level functions use: the installed one, else the bundled one."""
    return _installed or bundled_calendar("vi")


def set_default_calendar(calendar: WorkingCalendar | None) -> None:
    """Install the calendar the module-level functions use (e.g. one with an office's
    overrides, from the composition root); ``None`` goes back to the bundled one."""
    global _installed
    _installed = calendar


def is_working_day(day: date) -> bool:
    """:meth:`WorkingCalendar.is_working_day` on the default calendar."""
    return default_calendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """:meth:`WorkingCalendar.add_working_days` on the default calendar."""
    return default_calendar().add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """:meth:`WorkingCalendar.working_days_between` on the default calendar."""
    return default_calendar().working_days_between(start, end)
