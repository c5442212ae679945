"""``cadrebot documents N --out DIR``: every document of a dossier as .docx files."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_lang
from bot.cli.db import with_database
from bot.wiring import build_app
from handlers.flows.papers import every_document
from handlers.i18n import Translator

HELP = """\
Writes one .docx per document of dossier N into DIR, named by type and number: the
documents recorded (as recorded, numbered and signed) and a draft ("du-thao-...") of each
document still to be recorded. DIR is created if needed; a file of the same name is
replaced.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("documents", help="write a dossier's documents as .docx files",
                            description=HELP,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dossier", type=int, metavar="N", help="the dossier's number")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    t = Translator(args.lang or args.settings.language)

    async def work(engine: AsyncEngine) -> list[tuple[str, bytes]] | None:
        app = await build_app(settings=args.settings, engine=engine)
        return await every_document(app.services, args.dossier)

    files = with_database(args.settings, t, work)
    if files is None:
        raise CliError(t("There is no dossier number {number}.", number=args.dossier),
                       exit_code=1)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, content in files:
            (args.out / name).write_bytes(content)
    except OSError as exc:
        raise CliError(t("Cannot write to {folder}: {error}", folder=args.out,
                         error=exc.strerror or exc)) from exc
    if not files:
        print(t("Dossier no. {number} has no documents yet.", number=args.dossier))
        return 0
    for name, _content in files:
        print(args.out / name)
    return 0
