"""``cadrebot audit verify``: check the audit trail's hash chain end to end;
``cadrebot audit verify --record FILE``: check a dossier's record file against it."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from handlers.i18n import Translator
from storage import audit
from storage.db import session_factory
from storage.record import RecordCheck, RecordUnreadable, verify_record

HELP = """\
Exit status 0 when every record's keyed hash matches its content and the previous
record, and the chain reaches the newest anchor (data folder: audit.anchors); 1 naming
the first record that was edited, removed, reordered or rehashed without the key, or a
trail truncated or wiped; 2 when the database cannot be used.

With --record FILE (made by `cadrebot dossier record`): 0 when every file in it matches
its checksum and seal and its audit records are those of the intact trail; 1 naming the
first problem; 2 when the file or the database cannot be read.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    actions.required = True
    verify = actions.add_parser("verify", help="check that no record was edited or removed",
                                description=HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    verify.add_argument("--record", type=Path, metavar="FILE",
                        help="check a dossier's record file against the trail")
    add_json(verify)
    add_lang(verify)
    verify.set_defaults(func=run_verify)


async def _verify(engine: AsyncEngine) -> audit.Verification:
    async with session_factory(engine)() as session:
        return await audit.verify(session)


def run_verify(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    if args.record is not None:
        return run_verify_record(args, t)
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


def run_verify_record(args: argparse.Namespace, t: Translator) -> int:
    path: Path = args.record
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(t("Cannot read {file}: {reason}", file=path,
                         reason=exc.strerror or exc)) from None

    async def work(engine: AsyncEngine) -> RecordCheck:
        async with session_factory(engine)() as session:
            return await verify_record(session, data)

    try:
        result = with_database(args.settings, t, work)
    except RecordUnreadable as exc:
        raise CliError(t("Cannot read {file}: {reason}", file=path, reason=exc)) from None
    if args.json:
        print_json({"ok": result.ok, "dossier": result.dossier_id,
                    "verification_code": result.code, "checked": result.checked,
                    "later": result.later, "problem": result.problem})
        return 0 if result.ok else 1
    if not result.ok:
        # The detail is storage's English; the framing is the reader's language.
        raise CliError(t("The record {file} does not match the audit trail: {problem}.",
                         file=path, problem=result.problem), exit_code=1)
    print(t("The record of dossier {id} matches the audit trail. Verification code: {code}. "
            "Audit records checked: {count}.", id=result.dossier_id, code=result.code,
            count=result.checked))
    if result.later:
        print(t("Records added to the dossier's trail since the record was made: {count}.",
                count=result.later))
    return 0
