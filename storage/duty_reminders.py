"""Reminder rows for the recurring reporting duties (workflow.reporting_duties).

No event causes them, so the dispatcher asks for them: once a day (and once after
every start), :meth:`DutyWriter.run` plans the duties' reminders of the next weeks and
adds the rows that are missing, one per body and person, keyed
``reporting_duty:<duty>:<before>:<days before>:<body>:<person>``. Running it again
adds nothing; a row already sent is never revived; a pending row whose day moved (a day
off announced late) follows. Only the planned keys are looked up: pending reminders are
never loaded wholesale.

A date is planned only inside the duty's period, and only for the duty's body kinds that
are bodies of the pack in force on that date for the installation's place (``jurisdiction``,
CADREBOT_JURISDICTION): no reminder goes to a body that no longer exists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import session_factory
from storage.models import Body, Reminder
from storage.outbox import OutboxWriter
from workflow.calendar import WorkingDays, default_calendar
from workflow.events import Recipient
from workflow.quiet_hours import VIETNAM, deliver_at
from workflow.reminders import ReminderKind, ReminderSettings, morning_of
from workflow.reporting_duties import DutyReminder, ReportingDuty, kinds_in_force, plan_duties
from workflow.rules import RuleBook, bundled_rulebook

log = logging.getLogger(__name__)

AHEAD_DAYS = 45  # calendar days planned ahead: a downtime shorter than this loses nothing


class DutyWriter:
    def __init__(self, duties: Sequence[ReportingDuty], calendar: WorkingDays | None = None,
                 settings: ReminderSettings | None = None, ahead_days: int = AHEAD_DAYS,
                 resolver: OutboxWriter | None = None, *, rulebook: RuleBook | None = None,
                 jurisdiction: str | None = None) -> None:
        self.duties = tuple(duties)
        self.rulebook = rulebook  # None: the bundled packs
        self.jurisdiction = jurisdiction  # the installation's place; None: the rulebook's default
        self.calendar = calendar
        self.settings = settings or ReminderSettings()
        self.ahead_days = ahead_days
        self._resolver = resolver or OutboxWriter()
        self.planned_on: date | None = None  # the last day a run completed

    async def run(self, engine: AsyncEngine, now: datetime) -> int:
        """Plan once per day (Vietnam's): the rows added, 0 if this day is done already."""
        today = now.astimezone(VIETNAM).date()
        if self.planned_on == today or not self.duties:
            return 0
        async with session_factory(engine)() as session, session.begin():
            added = await self.write(session, today)
        self.planned_on = today
        if added:
            log.info("reporting duties: %d reminder rows planned", added)
        return added

    async def write(self, session: AsyncSession, today: date) -> int:
        """Add the missing rows for the reminders from ``today`` to the planning horizon."""
        calendar = self.calendar or default_calendar()
        kinds_on = kinds_in_force(self.rulebook or bundled_rulebook(), self.jurisdiction)
        planned = plan_duties(self.duties, today, today + timedelta(days=self.ahead_days),
                              calendar, kinds_on)
        if not planned:
            return 0
        kinds = sorted({kind for r in planned for kind in r.bodies})
        bodies = (await session.execute(select(Body.id, Body.kind).where(
            Body.kind.in_(kinds)).order_by(Body.id))).all()
        people: dict[Recipient, list[str]] = {}
        added = 0
        for reminder in planned:
            due_at = deliver_at(morning_of(reminder.on), False, calendar, self.settings.quiet)
            for body_id, kind in bodies:
                if kind not in reminder.bodies:  # not a body of the rules in force then
                    continue
                recipients = [Recipient(role=role, body=body_id) for role in reminder.duty.roles]
                for recipient in recipients:
                    if recipient not in people:
                        people[recipient] = await self._resolver.resolve(session, recipient,
                                                                         today)
                found = sorted({p for r in recipients for p in people[r]})
                added += await self._add(session, reminder, body_id, found, due_at)
        await session.flush()
        return added

    async def _add(self, session: AsyncSession, reminder: DutyReminder, body: str,
                   people: list[str], due_at: datetime) -> int:
        targets: list[str | None] = [*people] or [None]
        keyed = {f"{reminder.key}:{body}:{person or 'nobody'}"[:200]: person
                 for person in targets}
        existing = {row.idempotency_key: row for row in (await session.execute(
            select(Reminder).where(Reminder.idempotency_key.in_(list(keyed))))).scalars()}
        added = 0
        for key, person in keyed.items():
            row = existing.get(key)
            if row is not None:
                if row.status in ("pending", "unresolved") and row.due_at != due_at:
                    row.due_at = due_at  # the calendar changed: the day moved
                continue
            session.add(Reminder(
                idempotency_key=key, kind=ReminderKind.REPORTING_DUTY_DUE.value,
                dossier_id=None, person_id=person, due_at=due_at,
                payload=_about(reminder, body),
                status="pending" if person else "unresolved", attempts=0))
            added += 1
        return added


def _about(reminder: DutyReminder, body: str) -> dict[str, str]:
    """What the message needs, kept in the row: the list may change before it is sent."""
    duty = reminder.duty
    about = {"duty": duty.id, "body": body, "before": reminder.before.isoformat(),
             "due_on": reminder.due_on.isoformat(), "days_before": str(reminder.days_before),
             "source": duty.source}
    for lang, text in duty.what.items():
        about[f"what_{lang}"] = text
    for lang, text in duty.to.items():
        about[f"to_{lang}"] = text
    return about
