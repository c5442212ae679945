"""``cadrebot reminders preview --dossier ID``: a dossier's reminders, when and to whom."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.cli.db import with_database
from handlers.i18n import Translator
from storage.db import session_factory
from storage.models import Reminder
from workflow.i18n import N_
from workflow.quiet_hours import VIETNAM

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


def run_preview(args: argparse.Namespace) -> int:
    t = Translator(args.lang)

    async def work(engine: AsyncEngine) -> list[Reminder]:
        query = select(Reminder).where(Reminder.dossier_id == args.dossier)
        if not args.all:
            query = query.where(Reminder.status.in_(("pending", "unresolved")))
        async with session_factory(engine)() as session:
            return list((await session.execute(
                query.order_by(Reminder.due_at, Reminder.idempotency_key))).scalars())

    rows = with_database(t, work)
    if args.json:
        print_json([_as_json(r) for r in rows])
        return 0
    if not rows:
        raise CliError(t("No reminders planned for dossier {id}.", id=args.dossier), 1)
    print(t("Reminders for dossier {id}:", id=args.dossier))
    for row in rows:
        local = row.due_at.astimezone(VIETNAM)
        kind = t(KINDS[row.kind]) if row.kind in KINDS else row.kind
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


def _as_json(row: Reminder) -> dict[str, Any]:
    return {"key": row.idempotency_key, "kind": row.kind, "person": row.person_id,
            "due_at": row.due_at.astimezone(VIETNAM).isoformat(), "status": row.status,
            "about": row.payload}
