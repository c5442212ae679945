"""Moving due reminders into the outbox: the table is the truth, the scheduler a trigger.

One ``tick`` claims the pending reminders that are due, writes one outbox message per
(kind, person, dossier, subject) and marks the reminders dispatched, all in one
transaction: a crash either sends nothing of the tick or records all of it. After a
downtime the missed repeats of one reminder (e.g. three "overdue" mornings) collapse into
one message, the latest, since telling someone three times at once helps nobody.

PostgreSQL with several workers: only the worker holding an advisory lock dispatches
(held on a dedicated connection, so it dies with the worker), and rows are claimed with
``FOR UPDATE SKIP LOCKED`` so that even two dispatchers can never send a reminder twice.
SQLite has a single process: its one dispatcher needs neither.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.duty_reminders import DutyWriter
from storage.models import OutboxMessage, Reminder
from workflow.reminders import URGENT

log = logging.getLogger(__name__)

# Any constant shared by every worker of the installation: "cadrebot reminders".
# Advisory locks are per database: the second key is the schema's, so that
# installations (or test runs) in different schemas of one database do not exclude
# each other.
ADVISORY_LOCK_ID = 0x0CAD_2E07
BATCH = 10_000  # reminders claimed per transaction; a bigger backlog takes more ticks
CHUNK = 2_000  # ids per statement: well under SQLite's and asyncpg's parameter limits
# Lower is sooner; people's own actions' consequences (3) go first, then urgent reminders.
URGENT_PRIORITY, REMINDER_PRIORITY = 4, 6
# What tells two reminders of one kind, person and dossier apart (a ballot, an obligation,
# a reporting duty and the body that owes it).
SUBJECT_FIELDS = ("ballot_id", "obligation_id", "duty", "body")
URGENT_KINDS = frozenset(kind.value for kind in URGENT)


@dataclass(frozen=True)
class TickResult:
    claimed: int  # reminders marked dispatched
    sent: int  # outbox messages written (fewer when repeats collapsed)
    leader: bool  # False: another worker holds the dispatcher lock; nothing was done


def dedupe_key(idempotency_key: str) -> str:
    return f"reminder:{idempotency_key}"[:200]


class Dispatcher:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] | None = None,
                 batch: int = BATCH, use_lock: bool = True,
                 duties: DutyWriter | None = None) -> None:
        self.engine = engine
        self.duties = duties  # recurring reports: their rows are planned once a day
        self.clock = clock or (lambda: datetime.now(UTC))
        self.batch = batch
        self.postgres = engine.dialect.name == "postgresql"
        self.use_lock = use_lock and self.postgres
        self._lock: AsyncConnection | None = None

    async def leader(self) -> bool:
        """Whether this worker is the dispatcher (always, on SQLite)."""
        if not self.use_lock:
            return True
        if self._lock is not None:
            try:  # still ours? The lock lives exactly as long as the connection.
                await self._lock.execute(text("SELECT 1"))
                await self._lock.commit()
                return True
            except Exception:  # the connection died, and the lock with it
                log.warning("dispatcher lock connection lost; trying to take it again")
                await self._drop_lock()
        conn = await self.engine.connect()
        try:
            got = bool((await conn.execute(
                text("SELECT pg_try_advisory_lock(:id, hashtext(current_schema()))"),
                {"id": ADVISORY_LOCK_ID})).scalar())
            await conn.commit()  # a session-level lock: it survives the transaction
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._lock = conn
        return True

    async def close(self) -> None:
        await self._drop_lock()

    async def _drop_lock(self) -> None:
        conn, self._lock = self._lock, None
        if conn is not None:
            try:
                # Closing would return it to the pool with the lock still held: drop the
                # database session itself, which is what releases the lock.
                await conn.invalidate()
                await conn.close()
            except Exception:  # already gone
                log.debug("closing a dead lock connection", exc_info=True)

    async def tick(self, now: datetime | None = None) -> TickResult:
        """Move the reminders due at ``now`` (default: the clock) into the outbox."""
        if not await self.leader():
            return TickResult(0, 0, leader=False)
        now = now or self.clock()
        if self.duties is not None:
            try:
                await self.duties.run(self.engine, now)
            except Exception:  # the dossiers' reminders must not wait for the duties'
                log.exception("planning the reporting duties' reminders failed")
        claim = (select(Reminder.id, Reminder.idempotency_key, Reminder.kind,
                        Reminder.dossier_id, Reminder.person_id, Reminder.due_at,
                        Reminder.payload)
                 .where(Reminder.status == "pending", Reminder.due_at <= now)
                 .order_by(Reminder.due_at, Reminder.id).limit(self.batch))
        if self.postgres:
            claim = claim.with_for_update(skip_locked=True)
        async with self.engine.begin() as conn:
            rows = (await conn.execute(claim)).all()
            if not rows:
                return TickResult(0, 0, leader=True)
            latest: dict[tuple[Any, ...], Any] = {}
            counts: dict[tuple[Any, ...], int] = {}
            for row in rows:  # ordered by due_at: the last one of a group wins
                group = (row.kind, row.person_id, row.dossier_id,
                         tuple(str(row.payload.get(f, "")) for f in SUBJECT_FIELDS))
                latest[group] = row
                counts[group] = counts.get(group, 0) + 1
            messages = [self._message(row, counts[group], now)
                        for group, row in latest.items()]
            messages = await self._unsent(conn, messages)
            ids = [row.id for row in rows]
            for start in range(0, len(ids), CHUNK):
                await conn.execute(update(Reminder)
                                   .where(Reminder.id.in_(ids[start:start + CHUNK]))
                                   .values(status="dispatched", dispatched_at=now,
                                           attempts=Reminder.attempts + 1))
            if messages:
                await conn.execute(insert(OutboxMessage), messages)
        return TickResult(len(rows), len(messages), leader=True)

    def _message(self, row: Any, collapsed: int, now: datetime) -> dict[str, Any]:
        urgent = row.kind in URGENT_KINDS
        return {
            "dedupe_key": dedupe_key(row.idempotency_key), "person_id": row.person_id,
            "channel": None, "chat_id": None,
            "payload": {"reminder": row.kind, "dossier_id": row.dossier_id,
                        "about": dict(row.payload), "due_at": row.due_at.isoformat(),
                        "collapsed": collapsed},
            "priority": URGENT_PRIORITY if urgent else REMINDER_PRIORITY,
            "status": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now,
            "sent_at": None, "last_error": None}

    async def _unsent(self, conn: AsyncConnection,
                      messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Messages whose key is not in the outbox yet (a revived, already sent reminder)."""
        keys = [m["dedupe_key"] for m in messages]
        present: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            present.update((await conn.execute(select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_(keys[start:start + CHUNK])))).scalars())
        return [m for m in messages if m["dedupe_key"] not in present]
