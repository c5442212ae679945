"""Vietnamese working days, counted the way the Civil Code counts a deadline.

Bộ luật Dân sự 2015, Điều 147–148: the day of the event (receipt of a dossier) is not
counted; only working days count; a period never ends on a day off. Working days are
Monday–Friday minus public holidays (Bộ luật Lao động 2019, Điều 112, incl. the lunar ones
and 24/11 from 2026), minus substitute and swapped days off, plus the Saturdays declared
make-up working days (làm bù). The ``holidays`` package (country ``VN``, pinned) carries
all of these; each year's swaps are announced late, so an office adds or removes days in
an overrides file (YAML, parsed here from text the caller hands in) without a release.

The holiday table is built once for a span of years and widened lazily when a date falls
outside it, so a deadline costs two binary searches, not a fresh ``holidays`` object. It
remembers where each named day comes from (the package, or which overrides file and the
announcement it cites), so a year can be listed with its sources (:meth:`days_of_year`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal, Protocol

from workflow.calendar_overrides import (
    BUNDLED_ORIGIN,
    MAX_YEAR,
    MIN_YEAR,
    CalendarOverrides,
    OverrideEntry,
    OverridesError,
    bundled_overrides,
    parse_bundled_overrides,
    parse_overrides,
)
from workflow.vietnam_holidays import vietnam_days

__all__ = [
    "BUNDLED_ORIGIN",
    "DAY_KINDS",
    "MAX_WORKING_DAYS",
    "CalendarDay",
    "CalendarOverrides",
    "DayKind",
    "DayOff",
    "MakeUpDay",
    "OverrideEntry",
    "OverridesError",
    "WorkingCalendar",
    "WorkingDays",
    "add_working_days",
    "bundled_calendar",
    "bundled_overrides",
    "default_calendar",
    "is_working_day",
    "parse_bundled_overrides",
    "parse_overrides",
    "set_default_calendar",
    "working_days_between",
]

# About ten years of working days: far beyond any dossier deadline (at most 60), and it
# keeps a mistyped number from building a century of holiday tables.
MAX_WORKING_DAYS = 2500
LANGUAGES = {"vi": "vi", "en": "en_US"}


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


DayKind = Literal["day_off", "working_day", "removed_day_off"]
DAY_KINDS: tuple[DayKind, ...] = ("day_off", "working_day", "removed_day_off")


@dataclass(frozen=True)
class CalendarDay:
    """A day that differs from the plain Monday–Friday week, and where that comes from.

    ``kind`` is ``day_off`` (a holiday, substitute or swapped day off, also on a weekend),
    ``working_day`` (a Saturday or Sunday worked, làm bù) or ``removed_day_off`` (a day an
    earlier layer had off that an override took back). ``name`` is what the day is (was,
    for a removed day): the package's holiday name or the override's reason; ``None`` for
    the package's make-up days, which it does not name. ``override`` is the origin of the
    overrides file that decided the day, ``None`` when the ``holidays`` package did;
    ``source`` the announcement that file cites, and ``reason`` (removed days only) why
    the override took the day back.
    """

    date: date
    kind: DayKind
    name: str | None
    override: str | None = None
    source: str | None = None
    reason: str | None = None


class WorkingDays(Protocol):
    """What the dossier lifecycle needs from a calendar."""

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: date, n: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Working days of the years ``first..last``, immutable so readers never need a lock."""

    first: int
    last: int
    origin: int  # ordinal of 1 January of ``first``
    working: bytes  # 1 per day from ``origin``: is it a working day?
    working_ordinals: list[int]  # sorted ordinals of the working days, for bisect
    days_off: dict[date, CalendarDay]  # named non-working days
    make_up: dict[date, CalendarDay]  # weekend days that are working days
    removed: dict[date, CalendarDay]  # days off an override took back


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
        return [DayOff(day, table.days_off[day].name or "") for day in _days(start, end)
                if day in table.days_off]

    def make_up_days_between(self, start: date, end: date) -> list[MakeUpDay]:
        """Weekend days strictly between ``start`` and ``end`` that are worked (làm bù)."""
        if end <= start:
            return []
        table = self._covering(start.year, end.year)
        return [MakeUpDay(day, table.make_up[day].name) for day in _days(start, end)
                if day in table.make_up]

    def days_of_year(self, year: int) -> list[CalendarDay]:
        """The year's days off, make-up working days and removed days off, in date order.

        Plain Saturdays and Sundays are not listed; a weekend day is when it is a holiday
        or a working day. Raises ``ValueError`` for a year outside
        :data:`MIN_YEAR`–:data:`MAX_YEAR`.
        """
        table = self._covering(year, year)
        found = [day for days in (table.days_off, table.make_up, table.removed)
                 for day in days.values() if day.date.year == year]
        return sorted(found, key=lambda day: (day.date, DAY_KINDS.index(day.kind)))

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
    named, worked = vietnam_days(range(first, last + 1), language)
    days_off = {day: CalendarDay(day, "day_off", name) for day, name in named.items()}
    make_up = {day: CalendarDay(day, "working_day", None) for day in worked}
    removed: dict[date, CalendarDay] = {}

    def decided(entry: OverrideEntry, kind: DayKind, layer: CalendarOverrides) -> CalendarDay:
        return CalendarDay(entry.date, kind, entry.reason, layer.origin, entry.source)

    def take_back(entry: OverrideEntry, layer: CalendarOverrides) -> None:
        was = days_off.pop(entry.date, None)
        if was is not None:
            removed[entry.date] = CalendarDay(entry.date, "removed_day_off", was.name,
                                              layer.origin, entry.source, entry.reason)

    for layer in layers:
        for entry in layer.remove_days_off:
            take_back(entry, layer)
        for entry in layer.days_off:
            days_off[entry.date] = decided(entry, "day_off", layer)
            make_up.pop(entry.date, None)
            removed.pop(entry.date, None)
        for entry in layer.working_days:
            if entry.date.weekday() >= 5:
                days_off.pop(entry.date, None)
                removed.pop(entry.date, None)
                make_up[entry.date] = decided(entry, "working_day", layer)
            else:  # a weekday worked: only news if it was a day off
                take_back(entry, layer)
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
        days_off={d: x for d, x in days_off.items() if d.toordinal() in in_range},
        make_up={d: x for d, x in make_up.items() if d.toordinal() in in_range},
        removed={d: x for d, x in removed.items() if d.toordinal() in in_range},
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
