"""``cadrebot dossier record N --out FILE``: one file with everything dossier N went
through (plan, history, votes, files with their SHA-256, documents, audit records and a
verification code), which ``cadrebot audit verify --record FILE`` checks against the trail.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from handlers.i18n import Translator
from storage.codec import StoredDataError
from storage.db import session_factory
from storage.record import dossier_documents, gather_record, record_zip

HELP = """\
The file is a zip: record.json (the record as data), record.docx (the same for reading,
in the language of --lang), documents/ (the dossier's official documents), README.txt,
SHA256SUMS (the SHA-256 of every file) and its seal. Exit status 0 when written, 1 when
there is no such dossier, 2 when the database or the file cannot be used.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("dossier", help="a dossier's record, for the archive and for checks")
    actions = parser.add_subparsers(dest="dossier_command", metavar="ACTION")
    actions.required = True
    record = actions.add_parser("record", help="write the record of a dossier to one file",
                                description=HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    record.add_argument("dossier", type=int, metavar="N", help="the dossier's number")
    record.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="where to write the record (a .zip file)")
    add_json(record)
    add_lang(record)
    record.set_defaults(func=run_record)


@dataclass(frozen=True)
class Written:
    content: bytes
    code: str
    records: int
    documents: int


def run_record(args: argparse.Namespace) -> int:
    t = Translator(args.lang)

    async def work(engine: AsyncEngine) -> Written | None:
        async with session_factory(engine)() as session:
            record = await gather_record(session, args.dossier)
            if record is None:
                return None
            documents = await dossier_documents(session, args.dossier)
        return Written(record_zip(record, documents, t), record.verification_code,
                       len(record.audit), len(documents))

    try:
        written = with_database(args.settings, t, work)
    except StoredDataError as exc:
        raise CliError(t("Cannot read dossier {id}: {reason}", id=args.dossier,
                         reason=str(exc))) from None
    if written is None:
        raise CliError(t("There is no dossier number {number}.", number=args.dossier),
                       exit_code=1)
    path: Path = args.out
    try:
        path.write_bytes(written.content)
    except OSError as exc:
        raise CliError(t("Cannot write {file}: {reason}", file=path,
                         reason=exc.strerror or exc)) from None
    if args.json:
        print_json({"dossier": args.dossier, "file": str(path),
                    "sha256": hashlib.sha256(written.content).hexdigest(),
                    "verification_code": written.code, "audit_records": written.records,
                    "documents": written.documents})
        return 0
    print(t("The record of dossier {id} is in {path}: {count} audit records, verification "
            "code {code}.", id=args.dossier, path=path, count=written.records,
            code=written.code))
    return 0
