"""``cadrebot report public [--body ID] --out DIR``: the published results (887 Điều 5
khoản 3) of a body and the bodies under it (no --body: the whole installation) as a static
page, DIR/index.html, and one draft notice per publishing committee,
DIR/thong-bao-<committee>.docx, for the office to number and sign.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from bot.wiring import SystemClock
from documents.render import render, template_for
from handlers.i18n import Translator
from reports.public_html import PAGE, public_page
from reports.public_notice import notice_name, public_notice
from storage.db import session_factory
from storage.models import Body
from storage.publications import SqlPublications
from workflow.publishing import CommitteeResults

DOCUMENT_LANGUAGE = "vi"  # the page and the notice are for the Vietnamese public
HELP = """\
Only what a committee chose to publish is written (the chat's desk: "Publish the
results"), never anything about a person. The notice is a draft: the office numbers and
signs it. Exit status 0 when written, 1 when there is no such body or nothing is
published there, 2 when the database or the folder cannot be used.
"""


def register(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    public = actions.add_parser("public", help="the published results of encouragement, as "
                                "a static page and a notice (.docx)", description=HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    public.add_argument("--body", metavar="ID",
                        help="the body (e.g. du-tan-phuoc); default: the whole installation")
    public.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="the folder to write index.html and the notices into")
    add_json(public)
    add_lang(public)
    public.set_defaults(func=run_public)


def run_public(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    settings = args.settings
    today = SystemClock.of(settings).now().date()
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise CliError(t("{path} is not a folder.", path=out))

    async def work(engine: AsyncEngine) -> list[CommitteeResults] | None:
        sessions = session_factory(engine)
        async with sessions() as session:
            if args.body is not None and await session.scalar(
                    select(Body.id).where(Body.id == args.body)) is None:
                return None
            return await SqlPublications(session).public(
                None if args.body is None else [args.body])

    results = with_database(settings, t, work)
    if results is None:
        raise CliError(t("There is no body {id} in the organisation.", id=args.body),
                       exit_code=1)
    if not results:
        raise CliError(t("No results are published there yet: a committee publishes an "
                         "evaluated plan from its desk."), exit_code=1)
    vi = Translator(DOCUMENT_LANGUAGE)
    files: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        page = out / PAGE
        page.write_text(public_page(vi, results, today, DOCUMENT_LANGUAGE), encoding="utf-8")
        files.append(page)
        for committee in results:
            doc = public_notice(vi, committee)
            path = out / notice_name(committee)
            path.write_bytes(render(doc, template_for(doc.layout, settings.document_templates)))
            files.append(path)
    except OSError as exc:
        raise CliError(t("Cannot write {file}: {reason}", file=exc.filename or out,
                         reason=exc.strerror or exc)) from None
    plans = sum(len(r.publications) for r in results)
    if args.json:
        print_json({"files": [str(f) for f in files], "body": args.body, "plans": plans,
                    "committees": [r.committee for r in results]})
        return 0
    print(t("{count} published plans of {committees}.", count=plans,
            committees=", ".join(r.name for r in results)))
    for path in files:
        print(t("Written: {path}", path=path))
    return 0
