"""``cadrebot org``: set up the organisation (import, export, demo) and invite its people."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from bot.demo_dossiers import DEMO_PACK, DemoResult, DemoUnavailable, counts_by_state, populate
from bot.settings import Settings
from handlers.i18n import Translator
from storage.db import session_factory
from storage.invitations import VALID_FOR, IssuedInvitation, UnknownPeople, issue_invitations
from storage.models import Body
from storage.organisation import (
    DEFAULT_DEMO_PACK,
    DEMO_FILES,
    ImportReport,
    OrgFileError,
    count_rows,
    demo_file,
    demo_text,
    dump_org_text,
    export_chart,
    import_chart,
    organisation_ids,
    parse_org_text,
)
from workflow.lifecycle import STATE_LABELS, State
from workflow.organisation import ROLES, OrgChart

ACTOR = "cli"
KNOWN_STATES = frozenset(state.value for state in State)
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

HELP = """\
The organisation file (YAML) has five sections; ids are letters, digits, '.', '_', '-':

  organisation: {id, name, pack}            pack: a routing pack id (cadrebot rules list)
  bodies:       {id, name, kind, parent?}   kind: a body id of the pack
  units:        {id, name, unit_kind, body, cell?}
  people:       {id, name, title?, unit?, language?}   language: vi (default) or en
  memberships:  {person, body, role, counted?, valid_from?, valid_to?}   dates YYYY-MM-DD

Membership roles:
""" + "\n".join(f"  {role:<17}{meaning}" for role, meaning in ROLES.items()) + """

Counted roles count for the body's voting rule unless the membership says counted: false.

Import is idempotent: the same file twice changes nothing; a changed name or membership
is updated; bodies, units, people and memberships missing from the file are kept (end a
membership with valid_to). `org export` writes a file that imports back unchanged.
"""

DEMO_HELP = """\
Imports a bundled demo organisation (the same import as `org import`; invented people):

  two-level-2025  today's structure (from 1/7/2025): one ward and one commune directly
                  under the Quảng Ngãi Provincial Standing Board (illustrative names)
  duc-pho-2022    the Đức Phổ town of 2022 with one commune and one ward; the assistant
                  applies its rules only with CADREBOT_JURISDICTION=quang-ngai/duc-pho and
                  CADREBOT_RULES_DATE (or CADREBOT_TRAINING_DATE) within 12/12/2022-30/06/2025

--with-dossiers (two-level-2025 only) also makes a dozen invented dossiers, one in each
state of the process (draft, at the cell, registered, under appraisal, voting, approved
and answered, rejected, re-prepare, the head's override, beyond authority, evaluated, one
overdue), through the real services on past working days. Run again, it adds only those
missing; the past's notifications count as already sent.
"""

# How to play the 2022 demo under the rules of its period (printed after loading it).
PLAY_2022 = ("CADREBOT_JURISDICTION=quang-ngai/duc-pho CADREBOT_RULES_DATE=2025-06-02 "
             "cadrebot console --as nguyen-thi-lan")

INVITES_HELP = """\
Issues a fresh code (e.g. K7PM-Q2XD, valid 30 days) for each person and prints it. Only a
hash of each code is stored, so earlier codes cannot be shown again: running this again
replaces the open codes of the people listed (use --person to re-issue one).
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("org", help="the organisation: import, export, demo, invitations",
                            description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="org_command", metavar="ACTION")
    actions.required = True

    imp = actions.add_parser("import", help="create or update the organisation from a file")
    imp.add_argument("file", type=Path, metavar="FILE")
    add_json(imp)
    add_lang(imp)
    imp.set_defaults(func=run_import)

    demo = actions.add_parser(
        "demo", help="import a bundled demo organisation (default: today's communes and wards)",
        description=DEMO_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("--pack", choices=list(DEMO_FILES), default=DEFAULT_DEMO_PACK,
                      help=f"the rules the demo is written for (default {DEFAULT_DEMO_PACK})")
    demo.add_argument("--with-dossiers", action="store_true",
                      help="also make a dozen dossiers in every state of the process "
                           f"({DEMO_PACK} only)")
    add_json(demo)
    add_lang(demo)
    demo.set_defaults(func=run_demo)

    exp = actions.add_parser("export", help="write the organisation as an importable file")
    exp.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    _add_organisation(exp)
    add_lang(exp)
    exp.set_defaults(func=run_export)

    inv = actions.add_parser("invites", help="an invitation code for each person",
                             description=INVITES_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    inv.add_argument("--person", action="append", metavar="ID",
                     help="only this person (repeatable)")
    inv.add_argument("--days", type=int, default=VALID_FOR.days, metavar="N",
                     help=f"days the codes stay valid (default {VALID_FOR.days})")
    inv.add_argument("--bot", metavar="USERNAME",
                     help="the Telegram bot's username: also print each person's deep link "
                          "https://t.me/USERNAME?start=CODE (one tap links the account)")
    _add_organisation(inv)
    add_json(inv)
    add_lang(inv)
    inv.set_defaults(func=run_invites)


def _add_organisation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", metavar="ID",
                        help="needed only when the database holds several")


async def _pick(session: AsyncSession, requested: str | None, t: Translator) -> str:
    known = await organisation_ids(session)
    if requested is not None:
        if requested not in known:
            raise CliError(t("Unknown organisation '{org}'; known: {known}.", org=requested,
                             known=", ".join(known) or "-"))
        return requested
    if not known:
        raise CliError(t("The database has no organisation yet: run `cadrebot org import "
                         "FILE` or `cadrebot org demo`."))
    if len(known) > 1:
        raise CliError(t("The database holds several organisations ({known}): choose one "
                         "with --organisation.", known=", ".join(known)))
    return known[0]


# --- import and demo --------------------------------------------------------------


def _parse(text: str, origin: str, t: Translator) -> OrgChart:
    try:
        return parse_org_text(text, origin)
    except OrgFileError as exc:
        raise CliError(exc.render(t), exit_code=1) from None


def _import(settings: Settings, chart: OrgChart, source: str,
            t: Translator) -> tuple[ImportReport, dict[str, int]]:
    async def work(engine: AsyncEngine) -> tuple[ImportReport, dict[str, int]]:
        async with session_factory(engine)() as session, session.begin():
            report = await import_chart(session, chart, actor=ACTOR, source=source)
            return report, await count_rows(session, chart.organisation.id)

    try:
        return with_database(settings, t, work)
    except OrgFileError as exc:  # ids owned by another organisation
        raise CliError(exc.render(t), exit_code=1) from None


def _report_json(report: ImportReport, counts: dict[str, int]) -> dict[str, Any]:
    return {"organisation": report.organisation, "changed": report.changed,
            "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "counts": counts,
            "audit_record": report.audit_seq}


def _print_report(report: ImportReport, counts: dict[str, int], as_json: bool,
                  t: Translator) -> None:
    if as_json:
        print_json(_report_json(report, counts))
        return
    print(t("Organisation {org}: {bodies} bodies, {units} units, {people} people, "
            "{memberships} memberships.", org=report.organisation, **counts))
    if not report.changed:
        print(t("No changes: the database already matches the file."))
        return
    print(t("Created: {created}; updated: {updated}; unchanged: {unchanged}.",
            created=sum(map(len, report.created.values())),
            updated=sum(map(len, report.updated.values())),
            unchanged=sum(report.unchanged.values())))
    for section, ids in report.updated.items():
        if ids:
            print(f"  ~ {section}: {', '.join(ids)}")


def run_import(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(t("Cannot read {file}: {reason}", file=str(args.file),
                         reason=exc)) from None
    chart = _parse(text, str(args.file), t)
    _print_report(*_import(args.settings, chart, str(args.file), t), args.json, t)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    pack = args.pack
    if args.with_dossiers and pack != DEMO_PACK:
        raise CliError(t("--with-dossiers is available for the {pack} demo only.",
                         pack=DEMO_PACK))
    chart = _parse(demo_text(pack), demo_file(pack), t)
    report, counts = _import(args.settings, chart, "demo", t)
    if not args.json:
        _print_report(report, counts, False, t)
    if not args.with_dossiers:
        if args.json:
            _print_report(report, counts, True, t)
        elif pack == "duc-pho-2022":
            print(t("To play it under its own rules (the 2022 Đức Phổ procedure): {command}",
                    command=PLAY_2022))
        return 0
    made = _populate(args.settings, t)
    if args.json:
        print_json({**_report_json(report, counts), "dossiers": [
            {"demo": r.slug, "dossier": r.dossier_id, "state": r.state, "created": r.created}
            for r in made]})
    else:
        _print_dossiers(made, t)
    return 0


def _populate(settings: Settings, t: Translator) -> list[DemoResult]:
    async def work(engine: AsyncEngine) -> list[DemoResult]:
        return await populate(engine, settings)

    try:
        return with_database(settings, t, work)
    except DemoUnavailable as exc:
        raise CliError(exc.render(t), exit_code=1) from None


def _print_dossiers(made: list[DemoResult], t: Translator) -> None:
    created = sum(r.created for r in made)
    print(t("Demo dossiers: {created} created, {present} already present.",
            created=created, present=len(made) - created))
    for state, n in counts_by_state(made).items():
        label = t(STATE_LABELS[State(state)]) if state in KNOWN_STATES else state
        print(f"  {n:>2}  {label}")


# --- export -----------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    t = Translator(args.lang)

    async def work(engine: AsyncEngine) -> OrgChart | None:
        async with session_factory(engine)() as session:
            return await export_chart(session, await _pick(session, args.organisation, t))

    chart = with_database(args.settings, t, work)
    assert chart is not None  # _pick returned a known organisation
    text = dump_org_text(chart)
    if args.output is None:
        print(text, end="")
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(t("Cannot write {file}: {reason}", file=str(args.output),
                         reason=exc)) from None
    print(t("Wrote {file}.", file=str(args.output)))
    return 0


# --- invitations ------------------------------------------------------------------


def _role_label(t: Translator, role: str) -> str:
    labels = {
        "member": t("member"),
        "secretary": t("secretary"),
        "deputy_secretary": t("deputy secretary"),
        "office": t("office"),
        "appraiser": t("appraiser"),
        "legal_reviewer": t("legal reviewer"),
        "head": t("head"),
    }
    return labels.get(role, role)


def run_invites(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    if args.days < 1:
        raise CliError(t("--days must be 1 or more."))
    bot = (args.bot or "").removeprefix("@")
    if args.bot is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", bot):
        raise CliError(t("--bot takes the bot's Telegram username, e.g. cadrebot_ducpho_bot."))

    def link(code: str) -> str:
        return f"https://t.me/{bot}?start={code}"

    async def work(engine: AsyncEngine) -> tuple[list[IssuedInvitation], dict[str, str]]:
        async with session_factory(engine)() as session, session.begin():
            org_id = await _pick(session, args.organisation, t)
            try:
                issued = await issue_invitations(session, org_id, person_ids=args.person,
                                                 valid_for=timedelta(days=args.days),
                                                 actor=ACTOR)
            except UnknownPeople as exc:
                raise CliError(t("Unknown people: {ids}.", ids=", ".join(exc.ids))) from None
            rows = (await session.execute(
                select(Body.id, Body.name).where(Body.organisation_id == org_id))).all()
            return issued, {body_id: name for body_id, name in rows}

    issued, body_names = with_database(args.settings, t, work)
    if args.json:
        rows: list[dict[str, Any]] = [
            {"person": i.person, "name": i.name,
             "roles": [{"role": role, "body": body} for role, body in i.roles],
             "code": i.code, **({"link": link(i.code)} if bot else {})} for i in issued]
        print_json(rows)
        return 0
    if not issued:
        print(t("The organisation has nobody to invite yet."))
        return 0
    until = t.date(issued[0].expires_at.astimezone(LOCAL_TZ).date(), "dd/MM/yyyy")
    print(t("Invitation codes, valid until {date}. Earlier codes of these people no longer "
            "work. Each person sends their code to the bot to link their chat account.",
            date=until))
    for invitation in issued:
        roles = "; ".join(f"{_role_label(t, role)}, {body_names.get(body, body)}"
                          for role, body in invitation.roles)
        print(f"{invitation.code}  {invitation.name} ({invitation.person})"
              + (f": {roles}" if roles else ""))
        if bot:
            print(f"    {link(invitation.code)}")
    return 0
