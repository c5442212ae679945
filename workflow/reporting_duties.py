"""Recurring reports owed by bodies, as data: what, to whom, before when, while when.

Seed 002 (the People's Committee's plan implementing 36-CTr/HU) sets yearly reports
"before 30/11"; seed 003 a one-off report "before 30/8/2024"; the party rules (seed 000
Điều 3 khoản 4, 887 Điều 7 khoản 8–9 and Điều 10 khoản 4) yearly reports to the
standing boards. They are not steps of a dossier, so the reminder policy cannot derive
them from events: the list lives in ``workflow/data/reporting_duties.yaml`` (an
installation may use its own file), is validated here, and :func:`plan_duties` says
which reminders are due in a window of days, each with an idempotency key, so that
storage can create them again and again without ever creating one twice.

A duty has an optional period (``effective: {from: ..., to: ...}``, as the routing packs
have): an occurrence counts only when its last working day falls inside it. And a body
must exist to be reminded: given the body kinds of the pack in force on a day for the
installation's place (:func:`kinds_in_force`), an occurrence reminds only the duty's
bodies among them, and none at all when none of them exists that day (the district
People's Committee of seed 002 has not existed since 1/7/2025).

"Before 30/11" is read literally: the report must be in before that day, so the last
day to send it is the last working day before it (27/11/2026, a Friday). Reminders go
to the office and the head of every body of the listed kinds, a number of working
days before that last day (by default 10 and 2 working days before, and on the day).
This module parses text it is handed and reads only the file bundled with the package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from workflow.actors import Role
from workflow.calendar_overrides import MAX_YEAR, MIN_YEAR
from workflow.quiet_hours import Days, working_days_before
from workflow.yamltools import LineMap, YamlSyntaxError, line_of, parse_yaml

if TYPE_CHECKING:
    from workflow.rules import RuleBook
    from workflow.rules.model import Pack

LANGUAGES = ("vi", "en")
KEYS = ("id", "what", "to", "source", "bodies", "roles", "before", "remind", "effective")
REQUIRED = ("id", "what", "to", "bodies", "before")
ROLES = {"office": Role.OFFICE, "head": Role.HEAD}
DEFAULT_ROLES = (Role.OFFICE, Role.HEAD)
DEFAULT_REMIND = (10, 2, 0)  # working days before the last day; 0: on the day itself
MAX_REMIND = 60  # working days: a reminder three months ahead is no longer a reminder
ORIGIN = "workflow/data/reporting_duties.yaml"
KEY_PREFIX = "reporting_duty:"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
_BEFORE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")

# The body kinds that exist on a day (those of the pack in force there and then).
KindsOn = Callable[[date], Collection[str]]


class DutiesError(ValueError):
    """A duties file is malformed; ``str()`` is one line naming the file, line and key."""

    def __init__(self, message: str, *, origin: str = "", line: int | None = None,
                 where: str = ""):
        self.message, self.origin, self.line, self.where = message, origin, line, where
        prefix = (origin or "<duties>") + (f":{line}" if line else "")
        key = f"{where}: " if where else ""
        super().__init__(f"{prefix}: {key}{message}")


@dataclass(frozen=True)
class ReportingDuty:
    """One report a body owes, every year before a day and month, or once before a date."""

    id: str
    what: Mapping[str, str]  # language -> what the report is
    to: Mapping[str, str]  # language -> whom it goes to
    bodies: tuple[str, ...]  # body kinds (pack body ids) whose office and head are reminded
    month: int
    day: int
    year: int | None = None  # None: every year
    roles: tuple[Role, ...] = DEFAULT_ROLES
    remind: tuple[int, ...] = DEFAULT_REMIND
    source: str = ""  # where the duty is written, e.g. "Kế hoạch ... mục II.4.2"
    line: int = 0
    effective_from: date | None = None  # the duty's period, both days included;
    effective_to: date | None = None  # None: no limit on that side

    def text(self, field: str, lang: str) -> str:
        values = self.what if field == "what" else self.to
        return values.get(lang) or values["vi"]

    def in_force(self, on: date) -> bool:
        """Whether the duty exists on ``on`` (inside its period)."""
        return ((self.effective_from is None or self.effective_from <= on)
                and (self.effective_to is None or on <= self.effective_to))

    def before_dates(self, first_year: int, last_year: int) -> Iterator[date]:
        """The "before" dates that fall in the years ``first_year``..``last_year``."""
        if self.year is not None:
            if first_year <= self.year <= last_year:
                yield date(self.year, self.month, self.day)
            return
        for year in range(max(first_year, MIN_YEAR), min(last_year, MAX_YEAR) + 1):
            yield date(year, self.month, self.day)


@dataclass(frozen=True)
class DutyReminder:
    """A reminder of one occurrence of a duty, ``days_before`` working days before it."""

    duty: ReportingDuty
    before: date  # the date the report must be in before
    due_on: date  # the last working day before it
    days_before: int
    on: date  # the working day the reminder is for
    # The body kinds reminded: the duty's bodies that exist on ``due_on`` (all of them
    # when planned without a place).
    bodies: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Idempotency key; storage appends the body and the person."""
        return f"{KEY_PREFIX}{self.duty.id}:{self.before.isoformat()}:{self.days_before}"


def last_day(before: date, calendar: Days) -> date:
    """The last working day strictly before ``before``."""
    return working_days_before(before, 1, calendar)


def kinds_in_force(rulebook: RuleBook, jurisdiction: str | None = None) -> KindsOn:
    """The body kinds of the pack in force on a day for a place (``None``: the rulebook's
    default place), by the one rule of selection; none on a day no pack is in force."""
    found: dict[date, frozenset[str]] = {}

    def kinds(on: date) -> frozenset[str]:
        if on not in found:
            selection = rulebook.select(on, jurisdiction=jurisdiction)
            found[on] = (frozenset(b.id for b in selection.pack.bodies)
                         if selection.in_force else frozenset())
        return found[on]

    return kinds


def reminded_bodies(duty: ReportingDuty, due: date,
                    kinds: KindsOn | None = None) -> tuple[str, ...]:
    """The duty's body kinds reminded of the occurrence whose last working day is ``due``:
    none outside the duty's period, else those that exist that day."""
    if not duty.in_force(due):
        return ()
    if kinds is None:
        return duty.bodies
    existing = kinds(due)
    return tuple(b for b in duty.bodies if b in existing)


def occurrences(duty: ReportingDuty, first_year: int, last_year: int, calendar: Days,
                kinds: KindsOn | None = None) -> Iterator[tuple[date, date, tuple[str, ...]]]:
    """(before date, last working day, bodies reminded) of each occurrence in those years
    that is owed: inside the duty's period, by at least one body that exists then."""
    for before in duty.before_dates(first_year, last_year):
        due = last_day(before, calendar)
        bodies = reminded_bodies(duty, due, kinds)
        if bodies:
            yield before, due, bodies


def next_occurrence(duty: ReportingDuty, today: date, calendar: Days,
                    kinds: KindsOn | None = None) -> tuple[date, date] | None:
    """(before date, last working day) of the first occurrence still ahead (or today)
    that is owed (see :func:`occurrences`)."""
    for before, due, _ in occurrences(duty, today.year, today.year + 1, calendar, kinds):
        if due >= today:
            return before, due
    return None


def plan_duties(duties: Iterable[ReportingDuty], start: date, end: date,
                calendar: Days, kinds: KindsOn | None = None) -> list[DutyReminder]:
    """The reminders whose day falls from ``start`` to ``end`` (both included), by day.

    Days already past are not planned: when the list is installed late, or a duty is
    added on 20/11, its 10-days-before reminder would only be noise; the next ones come.
    With ``kinds`` (see :func:`kinds_in_force`) an occurrence reminds only the duty's
    bodies that exist on its last working day, and is not planned when none does.
    """
    found: list[DutyReminder] = []
    for duty in duties:
        # The next year too: a reminder in December for a report due in January.
        for before, due, bodies in occurrences(duty, start.year, end.year + 1, calendar,
                                               kinds):
            for n in duty.remind:
                on = working_days_before(due, n, calendar) if n else due
                if start <= on <= end:
                    found.append(DutyReminder(duty, before, due, n, on, bodies))
    found.sort(key=lambda r: (r.on, r.duty.id, -r.days_before))
    return found


def bodies_in_no_pack(duty: ReportingDuty, packs: Iterable[Pack]) -> tuple[str, ...]:
    """The duty's body kinds that are bodies of no pack in force at any time of the duty's
    period (of any place): a typo, or a body that did not exist then."""
    known: set[str] = set()
    for pack in packs:
        if ((duty.effective_to is None or pack.effective_from <= duty.effective_to)
                and (pack.effective_to is None or duty.effective_from is None
                     or duty.effective_from <= pack.effective_to)):
            known.update(body.id for body in pack.bodies)
    return tuple(b for b in duty.bodies if b not in known)


# --- the file ---------------------------------------------------------------------------


def parse_duties(text: str, origin: str = "<duties>") -> tuple[ReportingDuty, ...]:
    """Read a duties file's text (YAML): ``duties:``, a list of duties.

    Each duty: ``id`` (lower-case letters, digits, hyphens), ``what`` and ``to`` (``vi``
    and ``en`` texts), ``bodies`` (the body kinds whose office and head are reminded),
    ``before`` (``DD/MM``: every year; ``DD/MM/YYYY``: once), and optionally ``roles``
    (``office``, ``head``), ``remind`` (working days before the last day, 0 = on the
    day; default 10, 2, 0), ``source`` and ``effective`` (``from`` and/or ``to``, each
    YYYY-MM-DD: the period the duty exists in, both days included). Raises
    :class:`DutiesError` naming the line and key of the first problem.
    """
    try:
        root = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise DutiesError(f"not valid YAML: {exc.problem}", origin=origin,
                          line=exc.line) from None
    if root is None:
        return ()
    if not isinstance(root, LineMap) or set(root) - {"duties"}:
        extra = sorted(set(root) - {"duties"}) if isinstance(root, LineMap) else []
        raise DutiesError("expected a mapping with the one key 'duties'", origin=origin,
                          line=line_of(root, extra[0]) if extra else line_of(root),
                          where=str(extra[0]) if extra else "")
    items = root.get("duties")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise DutiesError("expected a list of duties", origin=origin,
                          line=line_of(root, "duties"), where="duties")
    duties: list[ReportingDuty] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        duty = _duty(item, f"duties[{index}]", origin, line_of(root, "duties"))
        if duty.id in seen:
            raise DutiesError(f"'{duty.id}' is already the id of the duty on line "
                              f"{seen[duty.id]}; ids must differ", origin=origin,
                              line=duty.line, where=f"duties[{index}].id")
        seen[duty.id] = duty.line
        duties.append(duty)
    return tuple(duties)


def _duty(item: Any, where: str, origin: str, near: int | None) -> ReportingDuty:
    if not isinstance(item, LineMap):
        raise DutiesError("expected a mapping with id, what, to, bodies and before",
                          origin=origin, line=near, where=where)

    def fail(message: str, key: str) -> DutiesError:
        return DutiesError(message, origin=origin, line=line_of(item, key),
                           where=f"{where}.{key}")

    for key in item:
        if key not in KEYS:
            raise fail(f"unknown key; expected {', '.join(KEYS)}", str(key))
    for key in REQUIRED:
        if key not in item:
            raise DutiesError(f"'{key}' is missing", origin=origin, line=line_of(item),
                              where=where)
    ident = item["id"]
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise fail("write an id of lower-case letters, digits and hyphens, e.g. "
                   "yearly-review-report", "id")
    what, to = _texts(item, "what", fail), _texts(item, "to", fail)
    bodies = item["bodies"]
    if (not isinstance(bodies, list) or not bodies
            or not all(isinstance(b, str) and b.strip() for b in bodies)):
        raise fail("expected a list of body kinds, e.g. [town_peoples_committee]", "bodies")
    roles: tuple[Role, ...] = DEFAULT_ROLES
    if "roles" in item:
        raw = item["roles"]
        if (not isinstance(raw, list) or not raw
                or not all(isinstance(r, str) and r in ROLES for r in raw)):
            raise fail(f"expected a list of roles among {', '.join(ROLES)}", "roles")
        roles = tuple(dict.fromkeys(ROLES[r] for r in raw))
    month, day, year = _before(item["before"], fail)
    remind = DEFAULT_REMIND
    if "remind" in item:
        raw = item["remind"]
        if (not isinstance(raw, list) or not raw
                or not all(isinstance(n, int) and not isinstance(n, bool)
                           and 0 <= n <= MAX_REMIND for n in raw)):
            raise fail(f"expected a list of working days before the last day, each from 0 "
                       f"(on the day) to {MAX_REMIND}, e.g. [10, 2, 0]", "remind")
        remind = tuple(sorted(set(raw), reverse=True))
    source = item.get("source", "")
    if not isinstance(source, str):
        raise fail("expected a text naming the document and its section", "source")
    starts, ends = _period(item, where, origin, fail)
    return ReportingDuty(id=ident, what=what, to=to,
                         bodies=tuple(dict.fromkeys(b.strip() for b in bodies)),
                         month=month, day=day, year=year, roles=roles, remind=remind,
                         source=source.strip(), line=line_of(item) or 0,
                         effective_from=starts, effective_to=ends)


def _period(item: LineMap, where: str, origin: str,
            fail: Any) -> tuple[date | None, date | None]:
    """``effective: {from: YYYY-MM-DD, to: YYYY-MM-DD}``, either side optional."""
    if "effective" not in item:
        return None, None
    value = item["effective"]
    if not isinstance(value, LineMap) or not value or set(value) - {"from", "to"}:
        raise fail("expected the period as {from: YYYY-MM-DD, to: YYYY-MM-DD} (either may "
                   "be left out)", "effective")
    found: dict[str, date | None] = {"from": None, "to": None}
    for key in ("from", "to"):
        if key not in value:
            continue
        raw = value[key]
        text = raw.isoformat() if isinstance(raw, date) else str(raw).strip()
        day: date | None = None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            day = raw
        elif _ISO.fullmatch(text):
            try:
                day = date.fromisoformat(text)
            except ValueError:
                day = None
        if day is None:
            raise DutiesError(f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2025-06-30",
                              origin=origin, line=line_of(value, key),
                              where=f"{where}.effective.{key}")
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise DutiesError(f"{text} is outside the years {MIN_YEAR}–{MAX_YEAR}",
                              origin=origin, line=line_of(value, key),
                              where=f"{where}.effective.{key}")
        found[key] = day
    starts, ends = found["from"], found["to"]
    if starts is not None and ends is not None and ends < starts:
        raise DutiesError(f"the period ends ({ends.isoformat()}) before it starts "
                          f"({starts.isoformat()})", origin=origin, line=line_of(value, "to"),
                          where=f"{where}.effective.to")
    return starts, ends


def _texts(item: LineMap, key: str, fail: Any) -> dict[str, str]:
    value = item[key]
    if not isinstance(value, LineMap) or set(value) - set(LANGUAGES):
        raise fail("expected the text in each language: {vi: ..., en: ...}", key)
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise fail(f"the '{lang}' text is missing", key)
        texts[lang] = " ".join(text.split())
    return texts


def _before(value: Any, fail: Any) -> tuple[int, int, int | None]:
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if isinstance(value, date):  # an unquoted 2024-08-30: a date once, in ISO form
        return value.month, value.day, _year(value.year, text, fail)
    match = _BEFORE.fullmatch(text)
    if match is None:
        raise fail(f"'{text}' is not a date; write DD/MM (every year) or DD/MM/YYYY (once)",
                   "before")
    day, month = int(match[1]), int(match[2])
    year = int(match[3]) if match[3] else None
    try:
        date(year or 2000, month, day)  # 2000 was a leap year: 29/02 is checked below
    except ValueError:
        raise fail(f"'{text}' is not a date", "before") from None
    if year is None and (day, month) == (29, 2):
        raise fail("29/02 does not come every year; choose another day", "before")
    return month, day, (_year(year, text, fail) if year is not None else None)


def _year(year: int, text: str, fail: Any) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise fail(f"{text} is outside the years {MIN_YEAR}–{MAX_YEAR}", "before")
    return year


@cache
def bundled_duties() -> tuple[ReportingDuty, ...]:
    """The duties shipped with the package (``workflow/data/reporting_duties.yaml``)."""
    source = resources.files("workflow") / "data" / "reporting_duties.yaml"
    if not source.is_file():
        return ()
    return parse_duties(source.read_text(encoding="utf-8"), origin=ORIGIN)

