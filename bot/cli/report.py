"""``cadrebot report stats --body ID --from D --to D --out FILE.xlsx``: the statistics of a
body and the bodies under it (no --body: the whole installation) as a workbook, with the
summary printed (the same figures and tables as /thongke in the chat).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, iso_date, print_json
from bot.cli.db import with_database
from bot.cli.report_docs import register as register_docs
from bot.cli.report_public import register as register_public
from bot.wiring import SystemClock
from handlers.i18n import Translator
from reports.summary import summary_lines
from reports.xlsx import workbook
from storage.db import session_factory
from storage.models import Body
from storage.statistics import SqlStatistics
from workflow.rules import bundled_rulebook
from workflow.statistics import Period, Statistics

HELP = """\
Plans are counted by the day they were sent (from --from to --to, both included; by
default this year up to today); pilots, incidents and protection requests by the day they
happened; the written answer's timeliness in working days from the receipt, on the
installation's calendar. Exit status 0 when written, 1 when there is no such body, 2 when
the database or the file cannot be used.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("report", help="reports from the data: statistics")
    actions = parser.add_subparsers(dest="report_command", metavar="ACTION")
    actions.required = True
    stats = actions.add_parser("stats", help="statistics of a body and the bodies under it, "
                               "as an .xlsx workbook", description=HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    stats.add_argument("--body", metavar="ID",
                       help="the body (e.g. du-tan-phuoc); default: the whole installation")
    stats.add_argument("--from", dest="start", type=iso_date, metavar="YYYY-MM-DD",
                       help="first day (default: 1 January of this year)")
    stats.add_argument("--to", dest="end", type=iso_date, metavar="YYYY-MM-DD",
                       help="last day (default: today)")
    stats.add_argument("--out", required=True, type=Path, metavar="FILE",
                       help="where to write the workbook (.xlsx)")
    add_json(stats)
    add_lang(stats)
    stats.set_defaults(func=run_stats)
    register_docs(actions)  # yearly, review: reports drafted as .docx
    register_public(actions)  # public: the published results, a page and a notice


def run_stats(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    settings = args.settings
    today = SystemClock.of(settings).now().date()  # the training clock's, if one is set
    period = Period(args.start or date(today.year, 1, 1), args.end or today)
    if period.end < period.start:
        raise CliError(t("The period ends before it starts: {start} to {end}.",
                         start=period.start, end=period.end))

    async def work(engine: AsyncEngine) -> Statistics | None:
        sessions = session_factory(engine)
        if args.body is not None:
            async with sessions() as session:
                if await session.scalar(select(Body.id).where(Body.id == args.body)) is None:
                    return None
        reader = SqlStatistics(sessions, settings.calendar, bundled_rulebook())
        bodies = None if args.body is None else [args.body]
        return await reader.statistics(bodies, period, min(today, period.end))

    stats = with_database(settings, t, work)
    if stats is None:
        raise CliError(t("There is no body {id} in the organisation.", id=args.body),
                       exit_code=1)
    path: Path = args.out
    try:
        path.write_bytes(workbook(t, stats, t.lang))
    except OSError as exc:
        raise CliError(t("Cannot write {file}: {reason}", file=path,
                         reason=exc.strerror or exc)) from None
    if args.json:
        print_json({"file": str(path), "body": args.body, "from": period.start,
                    "to": period.end, "figures": stats.figures,
                    "median_working_days": stats.median_working_days})
        return 0
    print("\n".join(summary_lines(t, stats)))
    print(t("The tables are in {path}.", path=path))
    return 0
