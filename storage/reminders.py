"""Applying the reminder policy (workflow.reminders) inside the unit of work's transaction.

A planned reminder becomes one row per person it reaches, keyed ``<key>:<person>``
(unique), so replaying a step never plans a reminder twice. Cancelling reads the key's
unique index for the keys under a prefix (``starting_with``). A recipient nobody
answers to gets an ``unresolved`` row rather than vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Reminder
from storage.outbox import OutboxWriter
from workflow.calendar import WorkingDays
from workflow.events import Event, Recipient
from workflow.reminders import Cancel, PlannedReminder, ReminderSettings, plan


def starting_with(prefix: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The keys that start with ``prefix``, as a range on the unique index: keys compare
    byte by byte (SQLite's default; the "C" collation on PostgreSQL, migration 0017), so
    they are the keys from ``prefix`` up to, not including, the prefix with its last
    character's successor. A LIKE would read every row."""
    if not prefix:
        raise ValueError("cancelling needs a key prefix")
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Reminder.idempotency_key >= prefix, Reminder.idempotency_key < after


class ReminderWriter:
    def __init__(self, resolver: OutboxWriter | None = None,
                 calendar: WorkingDays | None = None,
                 settings: ReminderSettings | None = None) -> None:
        self._resolver = resolver or OutboxWriter()
        self.calendar = calendar  # None: the bundled calendar, read when planning
        self.settings = settings or ReminderSettings()

    async def write(self, session: AsyncSession, events: Iterable[Event], now: datetime) -> None:
        # A deadline plans dozens of reminders to the same few recipients: resolve each
        # recipient once per transaction, not once per reminder.
        people: dict[Recipient, list[str]] = {}
        for step in plan(events, self.calendar, self.settings):
            if isinstance(step, Cancel):
                await session.execute(
                    update(Reminder)
                    .where(Reminder.status.in_(("pending", "unresolved")),
                           *starting_with(step.prefix))
                    .values(status="cancelled"))
            else:
                for recipient in step.recipients:
                    if recipient not in people:
                        people[recipient] = await self._resolver.resolve(
                            session, recipient, now.date())
                await self._add(session, step, people)
        await session.flush()

    async def _add(self, session: AsyncSession, step: PlannedReminder,
                   resolved: dict[Recipient, list[str]]) -> None:
        people: list[str | None] = [*sorted(
            {person for r in step.recipients for person in resolved[r]})]
        keyed = {f"{step.key}:{person or 'nobody'}"[:200]: person
                 for person in people or [None]}
        existing = {row.idempotency_key: row for row in (await session.execute(
            select(Reminder).where(Reminder.idempotency_key.in_(list(keyed))))).scalars()}
        for key, person in keyed.items():
            row = existing.get(key)
            if row is not None:
                # Planned again (e.g. the same due date after a re-check): revive it,
                # unless it already went out; the dispatcher would not send it twice anyway.
                if row.status != "dispatched":
                    row.status = "pending" if person else "unresolved"
                    row.due_at = step.due_at
                continue
            session.add(Reminder(
                idempotency_key=key, kind=step.kind.value, dossier_id=step.dossier_id,
                person_id=person, due_at=step.due_at, payload=dict(step.about),
                status="pending" if person else "unresolved", attempts=0))
        await session.flush()
