"""``cadrebot audit verify``: check the audit trail's hash chain end to end."""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from handlers.i18n import Translator
from storage import audit
from storage.db import session_factory

HELP = """\
Exit status 0 when every record's keyed hash matches its content and the previous
record, and the chain reaches the newest anchor (data folder: audit.anchors); 1 naming
the first record that was edited, removed, reordered or rehashed without the key, or a
trail truncated or wiped; 2 when the database cannot be used.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    actions.required = True
    verify = actions.add_parser("verify", help="check that no record was edited or removed",
                                description=HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_json(verify)
    add_lang(verify)
    verify.set_defaults(func=run_verify)


async def _verify(engine: AsyncEngine) -> audit.Verification:
    async with session_factory(engine)() as session:
        return await audit.verify(session)


def run_verify(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    result = with_database(args.settings, t, _verify)
    if args.json:
        print_json({"ok": result.ok, "checked": result.checked,
                    "first_bad_record": result.first_bad_seq, "problem": result.problem,
                    "anchored": result.anchored})
        return 0 if result.ok else 1
    if result.ok:
        print(t("The audit trail is intact. Records checked: {count}.", count=result.checked))
        return 0
    # The problem is storage's English detail; the record number is what the reader needs.
    raise CliError(t("The audit trail is broken at record {seq} ({problem}). Records "
                     "checked before it: {count}.", seq=result.first_bad_seq,
                     problem=result.problem, count=result.checked), exit_code=1)
