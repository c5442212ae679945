"""``cadrebot report yearly`` and ``cadrebot report review``: a body's written report
drafted from its records as an editable .docx (BÁO CÁO, in the party or state layout),
with the same figures as ``cadrebot report stats`` and ``/thongke``.

``yearly --duty ID --year Y``: the report a reporting duty asks for (the duties of the
installation, ``cadrebot reminders duties``), over the duty's period; ``review --from D
--to D``: a periodic review (sơ kết; ``--final``: tổng kết). ``--body ID``: the body and
the bodies under it report (default: the whole installation, under the body of the
duty's kind when there is one, else the top body of the organisation).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli.common import CliError, add_json, add_lang, iso_date, print_json
from bot.cli.db import with_database
from bot.settings import Settings
from bot.wiring import SystemClock
from documents.render import render, template_for
from handlers.i18n import Translator
from reports.report_docx import Issuer, Records, review_report, yearly_report
from reports.report_docx import file_name as report_file_name
from storage.db import session_factory
from storage.directory import SqlDirectory
from storage.models import Body, Organisation
from storage.statistics import SqlStatistics, read_dossiers
from workflow.documents import OfficialDocument
from workflow.dossier import Dossier
from workflow.report_documents import (
    NotOwed,
    Occurrence,
    ReportTemplate,
    occurrence,
    plan_results,
    report_letterhead,
)
from workflow.rules import bundled_rulebook
from workflow.statistics import Period, Statistics

Build = Callable[[Translator, Issuer, Records], OfficialDocument]
DOCUMENT_LANGUAGE = "vi"  # the office's records are in Vietnamese, whatever --lang says

YEARLY_HELP = """\
The report a reporting duty asks for, drafted as a .docx for the office to complete, number
and sign: a results report, the three-year report of seed 003 in its five sections, or a
review, as the duty's words say. Its figures cover the twelve months up to the day before
the duty's date (three years for a three-year report), up to today when drafted early.
Exit status 0 when written, 1 when there is no such duty or body or the duty owes no report
that year, 2 when the database or the file cannot be used.
"""
REVIEW_HELP = """\
A periodic review (sơ kết; --final: tổng kết) of the policy over a period, drafted as a .docx:
leadership, results with figures and the list of plans and their products, assessment,
commendation and replication of good models, tasks ahead and proposals. Exit status 0 when
written, 1 when there is no such body, 2 when the dates, the database or the file cannot be
used.
"""


def register(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    yearly = actions.add_parser("yearly", help="the report a reporting duty asks for, as a "
                                ".docx", description=YEARLY_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    yearly.add_argument("--duty", required=True, metavar="ID",
                        help="the duty (see `cadrebot reminders duties`)")
    yearly.add_argument("--year", type=int, metavar="YYYY",
                        help="the year the report is due (default: this year)")
    _common(yearly)
    yearly.set_defaults(func=run_yearly)
    review = actions.add_parser("review", help="a periodic review (sơ kết, tổng kết) as a "
                                ".docx", description=REVIEW_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    review.add_argument("--from", dest="start", type=iso_date, metavar="YYYY-MM-DD",
                        help="first day (default: 1 January of this year)")
    review.add_argument("--to", dest="end", type=iso_date, metavar="YYYY-MM-DD",
                        help="last day (default: today)")
    review.add_argument("--final", action="store_true",
                        help="a final review (tổng kết) rather than an interim one (sơ kết)")
    review.add_argument("--addressee", metavar="TEXT",
                        help="whom it goes to, e.g. \"Ban Thường vụ Tỉnh ủy\" (default: none)")
    _common(review)
    review.set_defaults(func=run_review)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--body", metavar="ID",
                        help="the body reporting (e.g. du-tan-phuoc) for itself and the bodies "
                             "under it; default: the whole installation")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="where to write the report (.docx)")
    add_json(parser)
    add_lang(parser)


@dataclass(frozen=True)
class Drafted:
    doc: OfficialDocument
    stats: Statistics
    issuer: str  # body id
    owing: tuple[str, ...] = ()  # with no --body: the bodies of the duty's kinds


def run_yearly(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    settings = args.settings
    today = SystemClock.of(settings).now().date()
    duty = next((d for d in settings.duties if d.id == args.duty), None)
    if duty is None:
        known = ", ".join(d.id for d in settings.duties) or "-"
        raise CliError(t("There is no reporting duty {id}; the duties are: {known}.",
                         id=args.duty, known=known), exit_code=1)
    year = today.year if args.year is None else args.year
    try:
        found = occurrence(duty, year, today, settings.calendar)
    except NotOwed as exc:
        raise CliError(_not_owed(t, exc, duty.id, year), exit_code=1) from None

    async def work(engine: AsyncEngine) -> Drafted | None:
        return await _draft(engine, settings, args.body, duty.bodies, found.period, today,
                            lambda v, i, r: yearly_report(v, found, i, r))

    drafted = _run(settings, t, work, args.body)
    return _write(args, t, drafted, found.template, found)


def run_review(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    settings = args.settings
    today = SystemClock.of(settings).now().date()
    period = Period(args.start or date(today.year, 1, 1), args.end or today)
    if period.end < period.start:
        raise CliError(t("The period ends before it starts: {start} to {end}.",
                         start=period.start, end=period.end))
    addressee = (args.addressee or "").strip()

    async def work(engine: AsyncEngine) -> Drafted | None:
        return await _draft(engine, settings, args.body, (), period, today,
                            lambda v, i, r: review_report(v, args.final, i, r, addressee))

    drafted = _run(settings, t, work, args.body)
    template = ReportTemplate.FINAL_REVIEW if args.final else ReportTemplate.INTERIM_REVIEW
    return _write(args, t, drafted, template, None)


def _not_owed(t: Translator, exc: NotOwed, duty: str, year: int) -> str:
    if exc.reason == "once":
        return t("The duty {id} is owed once, in {once}, not in {year}.", id=duty,
                 once=exc.year, year=year)
    if exc.reason == "future":
        return t("The report of {id} due in {year} covers a period that has not begun yet.",
                 id=duty, year=year)
    return t("The duty {id} owes no report in {year}: that date is outside the duty's "
             "period.", id=duty, year=year)


def _run(settings: Settings, t: Translator,
         work: Callable[[AsyncEngine], Awaitable[Drafted | None]], body: str | None) -> Drafted:
    drafted = with_database(settings, t, work)
    if drafted is None:
        raise CliError(t("There is no body {id} in the organisation.", id=body), exit_code=1)
    return drafted


async def _draft(engine: AsyncEngine, settings: Settings, body: str | None,
                 kinds: Collection[str], period: Period, today: date,
                 build: Build) -> Drafted | None:
    """The statistics as ``report stats`` counts them, the plans' results, the issuer's
    letterhead; ``build(translator, issuer, records)`` words the report."""
    sessions = session_factory(engine)
    rulebook = bundled_rulebook()
    async with sessions() as session:
        if body is not None and await session.scalar(
                select(Body.id).where(Body.id == body)) is None:
            return None
        owing = () if body is not None else await _owing(session, kinds)
        issuer_id = body or (owing[0] if len(owing) == 1 else await _top_body(session))
        pack = await session.scalar(select(Organisation.pack_id).order_by(Organisation.id))
    reader = SqlStatistics(sessions, settings.calendar, rulebook)
    stats = await reader.statistics(None if body is None else [body], period,
                                    min(today, period.end))
    dossiers = await _dossiers(sessions, {p.dossier_id for p in stats.plans})
    line = await SqlDirectory(sessions, rulebook).body_line(issuer_id) if issuer_id else []
    issuer = Issuer(report_letterhead(line, pack or ""), line[0].name if line else "")
    records = Records(stats, plan_results(stats.plans, dossiers))
    doc = build(Translator(DOCUMENT_LANGUAGE), issuer, records)
    return Drafted(doc, stats, issuer_id, owing)


async def _owing(session: AsyncSession, kinds: Collection[str]) -> tuple[str, ...]:
    """The bodies of the duty's kinds (with no --body, the one of them issues the report)."""
    if not kinds:
        return ()
    return tuple((await session.execute(select(Body.id).where(Body.kind.in_(sorted(kinds)))
                                        .order_by(Body.id))).scalars())


async def _top_body(session: AsyncSession) -> str:
    """The organisation's top body: the installation's report is issued under it."""
    top = await session.scalar(select(Body.id).where(Body.parent_id.is_(None))
                               .order_by(Body.id))
    return top or ""


async def _dossiers(sessions: async_sessionmaker[AsyncSession], ids: set[int]
                    ) -> dict[int, Dossier]:
    if not ids:
        return {}
    async with sessions() as session:
        return {d.id: d for d in await read_dossiers(session, None) if d.id in ids}


def _write(args: argparse.Namespace, t: Translator, drafted: Drafted,
           template: ReportTemplate, found: Occurrence | None) -> int:
    doc, stats = drafted.doc, drafted.stats
    path: Path = args.out
    try:
        content = render(doc, template_for(doc.layout, args.settings.document_templates))
        path.write_bytes(content)
    except OSError as exc:
        raise CliError(t("Cannot write {file}: {reason}", file=path,
                         reason=exc.strerror or exc)) from None
    if args.json:
        print_json({"file": str(path), "body": args.body, "issuer": drafted.issuer,
                    "template": template.value, "from": stats.period.start,
                    "to": stats.period.end, "before": found.before if found else None,
                    "figures": stats.figures, "plans": len(stats.plans),
                    "suggested_name": report_file_name(doc, stats.period.end, template)})
        return 0
    print(t("Draft report “{title} {summary}” written to {path}: {plans} plans, figures from "
            "{start} to {end}. Complete it, number it and have it signed.",
            title=doc.title, summary=doc.summary, path=path, plans=len(stats.plans),
            start=t.date(stats.period.start, "dd/MM/yyyy"),
            end=t.date(stats.period.end, "dd/MM/yyyy")))
    if len(drafted.owing) > 1:
        print(t("Several bodies owe this report ({bodies}): this draft counts the whole "
                "installation; give --body to draft one body's report.",
                bodies=", ".join(drafted.owing)))
    return 0
