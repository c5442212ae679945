"""``cadrebot deadline``: the due date N working days after a date, with what was skipped."""

from __future__ import annotations

import argparse
import re
from datetime import date, timedelta
from pathlib import Path

from bot.cli.common import CliError, add_json, add_lang, print_json
from handlers.i18n import Translator
from workflow.calendar import (
    MAX_WORKING_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    CalendarOverrides,
    OverridesError,
    WorkingCalendar,
    bundled_overrides,
    parse_overrides,
)

OVERRIDES_ENV = "CADREBOT_CALENDAR_OVERRIDES"  # a field of the settings

HELP = """\
Counts per the Civil Code (Điều 147–148): the day given with --from (e.g. the day a
dossier was received) is not counted; the N-th working day after it is the due date.
--working-days 0 gives the --from day itself. Weekends, public holidays (incl. lunar
ones and 24/11 from 2026), substitute and swapped days off are skipped; declared
make-up Saturdays (làm bù) count as working days.

The explanation and the JSON field "days_off_skipped" list only named days off
(holidays, substitute days, days off from an overrides file) strictly between --from
and the due date, not ordinary Saturdays and Sundays.

Overrides (YAML, lists days_off, working_days, remove_days_off of {date, reason}) are
read from --overrides FILE, else from the file named by CADREBOT_CALENDAR_OVERRIDES
(the same calendar the running assistant uses), and applied after the ones shipped
with cadrebot.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "deadline", help="due date N working days after a date",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Both are read as text and checked in run(), so a bad value gets one translated
    # line instead of argparse's usage dump.
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                        help="the day the period starts from (not counted), e.g. receipt")
    parser.add_argument("--working-days", dest="working_days", required=True, metavar="N",
                        help=f"number of working days, 0–{MAX_WORKING_DAYS} (usually 30 or 60)")
    parser.add_argument("--overrides", metavar="FILE",
                        help=f"calendar overrides file (default: ${OVERRIDES_ENV})")
    add_json(parser)
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    start = _start(args.start, t)
    n = _working_days(args.working_days, t)
    layers = (read_overrides(args.overrides, t) if args.overrides
              else args.settings.calendar.overrides)  # what the running assistant uses
    calendar = WorkingCalendar(layers, language=t.lang)
    try:
        due = calendar.add_working_days(start, n)
    except ValueError as exc:
        raise CliError(t("Cannot compute the due date: {reason}", reason=exc)) from None
    days_off = calendar.days_off_between(start, due)

    if args.json:
        print_json({
            "from": start.isoformat(),
            "working_days": n,
            "due": due.isoformat(),
            "days_off_skipped": [{"date": d.date.isoformat(), "name": d.name}
                                 for d in days_off],
        })
        return 0

    print(t("Due date: {due}", due=t.date(due)))
    if n == 0:
        print(t("0 working days: the due date is the start day itself."))
        return 0
    print(t.plural(
        "{n} working day counted from the day after {start} (that day is not counted).",
        "{n} working days counted from the day after {start} (that day is not counted).",
        n, start=t.date(start)))
    if days_off:
        print(t("Days off skipped, besides Saturdays and Sundays:"))
        for day in days_off:
            print(f"  - {t.date(day.date)}: {day.name}")
    else:
        print(t("No holidays or other days off in this period; only Saturdays and Sundays "
                "were skipped."))
    for make_up in calendar.make_up_days_between(start, due + timedelta(days=1)):
        reason = make_up.reason or t("make-up working day")
        print(t("Counted as a working day: {date} ({reason})",
                date=t.date(make_up.date), reason=reason))
    return 0



def _start(text: str, t: Translator) -> date:
    try:
        start = date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(t("--from: '{value}' is not a date; write YYYY-MM-DD, e.g. 2026-11-23",
                         value=text)) from None
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        raise CliError(t("--from: the calendar covers the years {first}–{last}",
                         first=MIN_YEAR, last=MAX_YEAR))
    return start


def _working_days(text: str, t: Translator) -> int:
    # Stricter than int(): no "1_000", no non-ASCII digits.
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise CliError(t("--working-days: '{value}' is not a whole number of days",
                         value=text))
    n = int(text)
    if n < 0:
        raise CliError(t("--working-days: must not be negative (got {value})", value=n))
    if n > MAX_WORKING_DAYS:
        raise CliError(t("--working-days: at most {limit} (about ten years), got {value}",
                         limit=MAX_WORKING_DAYS, value=n))
    return n


def read_overrides(path: str, t: Translator) -> list[CalendarOverrides]:
    """The bundled overrides, then the file given with --overrides."""
    layers = []
    try:
        layers.append(bundled_overrides())
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise CliError(t("cannot read the calendar overrides file {path}: {reason}",
                                 path=path, reason=reason)) from None
            layers.append(parse_overrides(text, origin=path))
    except OverridesError as exc:
        raise CliError(t("calendar overrides: {error}", error=exc)) from None
    return layers
