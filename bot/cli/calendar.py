"""``cadrebot calendar show YEAR``: a year's days off and make-up working days, with sources."""

from __future__ import annotations

import argparse
import re
from importlib import metadata

import holidays

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.deadline import OVERRIDES_ENV, read_overrides
from handlers.i18n import Translator
from workflow.calendar import MAX_YEAR, MIN_YEAR, CalendarDay, WorkingCalendar
from workflow.i18n import N_

KINDS = {
    "day_off": N_("Day off"),
    "working_day": N_("Make-up working day"),
    "removed_day_off": N_("No longer a day off"),
}

HELP = f"""\
Lists the year's days off (public holidays, substitute and swapped days off, days off
from an overrides file, also when they fall on a weekend) and make-up working days
(Saturdays or Sundays worked, làm bù), in date order, each with where it comes from:
the pinned holidays package, or an overrides file and the announcement it cites
(its "source"). A day off that an overrides file takes back is listed as removed.
Ordinary Saturdays and Sundays are not listed.

JSON (--json): a list of {{"date": "YYYY-MM-DD", "kind": "day_off" | "working_day" |
"removed_day_off", "name", "origin", "source"}}. "name" is the holiday's name as the
package gives it or the override's reason (for a removed day: the name it had; null for
the package's make-up days, which it does not name); "origin" is "package holidays
VERSION" or "override: FILE"; "source" is the override's source, or null.

Overrides are read as for `cadrebot deadline`: --overrides FILE, else the file named by
{OVERRIDES_ENV}, applied after the ones shipped with cadrebot.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("calendar", help="the working-day calendar: days off, make-up days")
    actions = parser.add_subparsers(dest="calendar_command", metavar="ACTION")
    actions.required = True
    show = actions.add_parser(
        "show", help="a year's days off and make-up working days, with their sources",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Read as text and checked in run(), so a bad year gets one translated line.
    show.add_argument("year", metavar="YEAR", help=f"the year, {MIN_YEAR}–{MAX_YEAR}")
    show.add_argument("--overrides", metavar="FILE",
                      help=f"calendar overrides file (default: ${OVERRIDES_ENV})")
    add_json(show)
    add_lang(show)
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    year = _year(args.year, t)
    layers = (read_overrides(args.overrides, t) if args.overrides
              else args.settings.calendar.overrides)  # what the running assistant uses
    calendar = WorkingCalendar(layers, language=t.lang)
    days = calendar.days_of_year(year)  # the year is in range: checked above
    version = package_version()

    if args.json:
        print_json([{
            "date": day.date.isoformat(),
            "kind": day.kind,
            "name": day.name,
            "origin": (f"override: {day.override}" if day.override
                       else f"package holidays {version}"),
            "source": day.source,
        } for day in days])
        return 0

    print(t("Days off and make-up working days in {year} (ordinary Saturdays and Sundays "
            "are not listed):", year=year))
    for day in days:
        print(_line(day, t))
        if day.reason:
            print("    " + t("Reason: {reason}", reason=day.reason))
        if day.override:
            print("    " + t("From: the overrides file {file}", file=day.override))
        else:
            print("    " + t("From: the holidays package {version}", version=version))
        if day.source:
            print("    " + t("Source: {source}", source=day.source))
    print(t("In all: days off: {days_off}; make-up working days: {working}.",
            days_off=sum(day.kind == "day_off" for day in days),
            working=sum(day.kind == "working_day" for day in days)))
    return 0


def package_version() -> str:
    """The installed ``holidays`` package's version, e.g. ``0.109``."""
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return str(getattr(holidays, "__version__", "?"))


def _line(day: CalendarDay, t: Translator) -> str:
    kind = t(KINDS[day.kind])
    what = f"{kind}: {day.name}" if day.name else kind
    return f"{t.date(day.date)} — {what}"


def _year(text: str, t: Translator) -> int:
    # Stricter than int(): no "2_026", no non-ASCII digits.
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise CliError(t("YEAR: '{value}' is not a year; write e.g. 2026", value=text))
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CliError(t("YEAR: the calendar covers the years {first}–{last}, not {value}",
                         first=MIN_YEAR, last=MAX_YEAR, value=year))
    return year
