"""``cadrebot reminders preview --dossier ID``: a dossier's reminders, when and to whom;
``cadrebot reminders duties [--file FILE] [--all]``: the recurring reporting duties,
checked, each with its period, source and next dates for the installation's place (only
those in force on the day unless ``--all``); with ``--file``, one warning line per duty
naming body ids that are bodies of no pack in force during its period."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from handlers.i18n import Translator
from storage.db import session_factory
from storage.models import Reminder
from workflow.i18n import N_
from workflow.obligations import OBLIGATION_SHORT_LABELS, ObligationKind
from workflow.quiet_hours import VIETNAM
from workflow.reporting_duties import (
    KindsOn,
    ReportingDuty,
    bodies_in_no_pack,
    kinds_in_force,
    next_occurrence,
    parse_duties,
    plan_duties,
    reminded_bodies,
)
from workflow.rules import RuleBook, UnknownJurisdiction, bundled_rulebook

KINDS = {
    "answer_soon": N_("answer due soon"),
    "answer_due": N_("answer due today"),
    "answer_overdue": N_("answer overdue"),
    "answer_escalated": N_("superior told: answer overdue"),
    "ballot_closing": N_("ballot closing, not voted"),
    "cell_review_waiting": N_("cell review waiting"),
    "obligation_due": N_("report still owed"),
    "progress_report_due": N_("progress report due"),
    "evaluation_due": N_("evaluation due"),
    "reporting_duty_due": N_("reporting duty due"),
}
STATUSES = {
    "pending": N_("planned"),
    "unresolved": N_("nobody to send to"),
    "dispatched": N_("sent"),
    "cancelled": N_("cancelled"),
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("reminders", help="planned reminders and deadlines")
    actions = parser.add_subparsers(dest="reminders_command", metavar="ACTION")
    actions.required = True
    preview = actions.add_parser("preview", help="a dossier's reminders with their times")
    preview.add_argument("--dossier", type=int, required=True, metavar="ID",
                         help="the dossier's id")
    preview.add_argument("--all", action="store_true",
                         help="also reminders already sent or cancelled")
    add_json(preview)
    add_lang(preview)
    preview.set_defaults(func=run_preview)
    duties = actions.add_parser(
        "duties", help="the recurring reporting duties: periods, sources, next dates")
    duties.add_argument("--file", metavar="FILE",
                        help="check this duties file (default: CADREBOT_REPORTING_DUTIES, "
                             "else the bundled list)")
    duties.add_argument("--on", metavar="YYYY-MM-DD",
                        help="show the duties in force and their next dates as seen on this "
                             "day (default: today)")
    duties.add_argument("--all", action="store_true",
                        help="every duty of the list, also those not in force on the day")
    duties.add_argument("--jurisdiction", metavar="PLACE",
                        help="the place whose bodies are reminded (default: "
                             "CADREBOT_JURISDICTION)")
    add_json(duties)
    add_lang(duties)
    duties.set_defaults(func=run_duties)


def run_duties(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    try:
        today = date.fromisoformat(args.on) if args.on else datetime.now(VIETNAM).date()
    except ValueError:
        raise CliError(t("--on: write a date as YYYY-MM-DD, e.g. 2026-11-01")) from None
    try:
        if args.file:
            items = parse_duties(Path(args.file).read_text(encoding="utf-8"), origin=args.file)
        else:
            items = args.settings.duties
    except OSError as exc:
        raise CliError(t("cannot read the duties file {path}: {reason}", path=args.file,
                         reason=exc.strerror or exc)) from None
    except ValueError as exc:  # a malformed file: its line and key
        raise CliError(str(exc), 1) from None
    book = bundled_rulebook()
    place = args.jurisdiction or args.settings.jurisdiction
    try:
        book.check_jurisdiction(place)
    except UnknownJurisdiction as exc:
        raise CliError(f"unknown jurisdiction '{exc.jurisdiction}'; known: "
                       f"{', '.join(exc.known)}") from None
    if args.file:  # a check: bodies that exist nowhere while the duty does
        for duty in items:
            missing = bodies_in_no_pack(duty, book.packs())
            if missing:
                print(t("warning: {path}:{line}: duty {id}: {bodies}: not bodies of any pack "
                        "in force during its period ({period}); they are never reminded",
                        path=args.file, line=duty.line, id=duty.id, bodies=", ".join(missing),
                        period=_period(t, duty)), file=sys.stderr)
    calendar = args.settings.calendar
    kinds = kinds_in_force(book, place)
    chosen = [duty for duty in items if args.all or duty.in_force(today)]
    if args.json:
        print_json([_duty_json(duty, today, calendar, kinds, book) for duty in chosen])
        return 0
    if not items:
        print(t("No reporting duties are configured."))
        return 0
    if not chosen:
        print(t("No reporting duty is in force on {day}; --all shows every one.",
                day=t.date(today, "dd/MM/yyyy")))
        return 0
    for duty in chosen:
        print(f"{duty.id}: {duty.text('what', t.lang)}")
        print("  " + t("to {to}; reminded: {bodies}", to=duty.text("to", t.lang),
                       bodies=", ".join(duty.bodies)))
        print("  " + t("in force: {period}; source: {source}", period=_period(t, duty),
                       source=duty.source or t("not given")))
        for line in _next_lines(t, duty, today, calendar, kinds, book, place):
            print("  " + line)
    return 0


def _period(t: Translator, duty: ReportingDuty) -> str:
    start, end = duty.effective_from, duty.effective_to
    if start is None and end is None:
        return t("no time limit")
    if end is None:
        assert start is not None
        return t("from {start}", start=t.date(start, "dd/MM/yyyy"))
    if start is None:
        return t("until {end}", end=t.date(end, "dd/MM/yyyy"))
    return t("from {start} to {end}", start=t.date(start, "dd/MM/yyyy"),
             end=t.date(end, "dd/MM/yyyy"))


def _pack_on(book: RuleBook, place: str, day: date, t: Translator) -> str:
    rules = book.select(day, jurisdiction=place)
    return rules.pack.id if rules.in_force else t("no pack in force")


def _next_lines(t: Translator, duty: ReportingDuty, today: date, calendar: Any,
                kinds: KindsOn, book: RuleBook, place: str) -> list[str]:
    """The next date for the place, or why there is none."""
    upcoming = next_occurrence(duty, today, calendar, kinds)
    if upcoming is None:
        anywhere = next_occurrence(duty, today, calendar)  # its period alone
        if anywhere is not None:
            return [t("no date ahead for {place}: on {day} the rules in force there ({pack}) "
                      "have none of its bodies", place=place,
                      day=t.date(anywhere[1], "dd/MM/yyyy"),
                      pack=_pack_on(book, place, anywhere[1], t))]
        if duty.year is not None:
            return [t("no date ahead (a one-off report already past)")]
        return [t("no date ahead within its period")]
    before, last = upcoming
    days = [r.on for r in plan_duties([duty], date(before.year - 1, 1, 1), before, calendar,
                                      kinds) if r.before == before]
    lines = [t("before {before}: the last working day is {last}; reminders on {days}",
               before=t.date(before), last=t.date(last),
               days=", ".join(d.strftime("%d/%m/%Y") for d in days))]
    reminded = reminded_bodies(duty, last, kinds)
    left_out = [b for b in duty.bodies if b not in reminded]
    if left_out:
        lines.append(t("not reminded for {place} (not bodies of {pack} on that day): {bodies}",
                       place=place, pack=_pack_on(book, place, last, t),
                       bodies=", ".join(left_out)))
    return lines


def _duty_json(duty: ReportingDuty, today: date, calendar: Any, kinds: KindsOn,
               book: RuleBook) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": duty.id, "what": dict(duty.what), "to": dict(duty.to),
        "bodies": list(duty.bodies), "source": duty.source, "line": duty.line,
        "effective": {"from": duty.effective_from.isoformat() if duty.effective_from else None,
                      "to": duty.effective_to.isoformat() if duty.effective_to else None},
        "in_force": duty.in_force(today),
        "bodies_in_no_pack": list(bodies_in_no_pack(duty, book.packs()))}
    upcoming = next_occurrence(duty, today, calendar, kinds)
    if upcoming is not None:
        before, last = upcoming
        found.update(before=before.isoformat(), last_day=last.isoformat(),
                     reminded=list(reminded_bodies(duty, last, kinds)), reminders=[
            r.on.isoformat() for r in plan_duties([duty], date(before.year - 1, 1, 1), before,
                                                  calendar, kinds) if r.before == before])
    return found


def run_preview(args: argparse.Namespace) -> int:
    t = Translator(args.lang)

    async def work(engine: AsyncEngine) -> list[Reminder]:
        query = select(Reminder).where(Reminder.dossier_id == args.dossier)
        if not args.all:
            query = query.where(Reminder.status.in_(("pending", "unresolved")))
        async with session_factory(engine)() as session:
            return list((await session.execute(
                query.order_by(Reminder.due_at, Reminder.idempotency_key))).scalars())

    rows = with_database(args.settings, t, work)
    if args.json:
        print_json([_as_json(r) for r in rows])
        return 0
    if not rows:
        raise CliError(t("No reminders planned for dossier {id}.", id=args.dossier), 1)
    print(t("Reminders for dossier {id}:", id=args.dossier))
    for row in rows:
        local = row.due_at.astimezone(VIETNAM)
        kind = t(KINDS[row.kind]) if row.kind in KINDS else row.kind
        duty = _duty_name(t, row.payload.get("obligation"))
        if duty:  # several duties of one dossier: each reminder names its own
            kind = t("{kind}: {duty}", kind=kind, duty=duty)
        status = t(STATUSES.get(row.status, row.status))
        left = row.payload.get("working_days_left")
        extra = ""
        if left is not None and int(left) < 0:
            extra = " (" + t("overdue by {n} working days", n=-int(left)) + ")"
        elif left is not None:
            extra = " (" + t("working days left: {n}", n=left) + ")"
        print(f"  {t.date(local.date())} {local:%H:%M}  {kind}{extra} → "
              f"{row.person_id or '-'}  [{status}]")
    return 0


def _duty_name(t: Translator, value: Any) -> str:
    """The short name of the duty a reminder is about ("" when it is about none)."""
    try:
        return t(OBLIGATION_SHORT_LABELS[ObligationKind(str(value))]) if value else ""
    except ValueError:
        return str(value)


def _as_json(row: Reminder) -> dict[str, Any]:
    return {"key": row.idempotency_key, "kind": row.kind, "person": row.person_id,
            "due_at": row.due_at.astimezone(VIETNAM).isoformat(), "status": row.status,
            "about": row.payload}
