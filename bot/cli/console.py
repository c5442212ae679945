"""``cadrebot console``: try the assistant in a terminal, or replay a script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError
from bot.cli.db import with_database
from bot.console import ConsoleChat, ensure_demo, link_directly, person_exists
from bot.wiring import build_app
from handlers.i18n import Translator


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "console", help="chat with the assistant in this terminal",
        description="Chat with the assistant in the terminal, on the configured database "
                    "(with nothing configured: SQLite in ./data and the bundled demo "
                    "organisation). Buttons appear as numbers: type the number to press one. "
                    "/file PATH sends a file; Ctrl-D or /quit leaves.")
    parser.add_argument("--as", dest="who", metavar="CODE_OR_PERSON",
                        help="an invitation code, or a person id of the organisation "
                             "(e.g. pham-thi-hong in the demo); without it you are a guest")
    parser.add_argument("--script", type=Path, metavar="FILE",
                        help="replay the lines of FILE as if typed (# starts a comment)")
    parser.add_argument("--lang", choices=["vi", "en"], default=None,
                        help="the chat platform's language hint (default: none)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.script is not None and not args.script.is_file():
        raise CliError(f"no such script: {args.script}")
    # The database checks and their one-line errors are those of every db command.
    return with_database(args.settings, Translator(args.lang or args.settings.language),
                         lambda engine: _run(args, engine))


async def _run(args: argparse.Namespace, engine: AsyncEngine) -> int:
    app = await build_app(settings=args.settings, engine=engine)
    try:
        if await ensure_demo(app):
            print("(Đã nạp tổ chức mẫu vào cơ sở dữ liệu trống / the demo "
                  "organisation was loaded into the empty database)", file=sys.stderr)
        account = f"console-{args.who or 'guest'}"
        chat = ConsoleChat(app, account, args.lang)
        if args.who and await person_exists(app, args.who):
            await link_directly(app, account, args.who)
            await chat.say("/start")
        elif args.who:
            await chat.say(f"/start {args.who}")
        else:
            await chat.say("/start")
        lines = _script(args.script) if args.script else _typed()
        for line in lines:
            if line.strip() in ("/quit", "/exit"):
                break
            if args.script:
                print(f"> {line}")
            await chat.say(line)
    finally:
        await app.close()
    return 0


def _script(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _typed():  # type: ignore[no-untyped-def]
    while True:
        try:
            yield input("> ")
        except EOFError:
            print()
            return
