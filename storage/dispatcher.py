"""Moving due reminders into the outbox: the table is the truth, the scheduler a trigger.

One ``tick`` claims the pending reminders that are due, writes one outbox message per
(kind, person, dossier, subject) and marks the reminders dispatched, all in one
transaction: a crash either sends nothing of the tick or records all of it. After a
downtime the missed repeats of one reminder (e.g. three "overdue" mornings) collapse into
one message, the latest, since telling someone three times at once helps nobody.

The tick is set-based SQL (an INSERT ... SELECT into the outbox and one UPDATE): the
rows never travel to Python, so its cost is the database's alone, a few hundred
milliseconds for 10,000 due among 1,000,000 pending (bench/bench_reminders.py). The
dispatched rows stay, with their status, as the record of what went out.

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

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.duty_reminders import DutyWriter
from storage.models import UTCDateTime
from workflow.reminders import URGENT

log = logging.getLogger(__name__)

# Any constant shared by every worker of the installation: "cadrebot reminders".
# Advisory locks are per database: the second key is the schema's, so that
# installations (or test runs) in different schemas of one database do not exclude
# each other.
ADVISORY_LOCK_ID = 0x0CAD_2E07
BATCH = 10_000  # reminders claimed per transaction; a bigger backlog takes more ticks
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
        async with self.engine.begin() as conn:
            if self.postgres:
                row = (await conn.execute(_MOVE_POSTGRES, self._params(now))).one()
                claimed, sent = int(row.claimed), int(row.sent)
            else:
                # One writer at a time (BEGIN IMMEDIATE): both statements see the same
                # pending rows, so the second marks exactly those the first sent.
                sent = (await conn.execute(_SEND_SQLITE, self._params(now))).rowcount
                claimed = (await conn.execute(_MARK_SQLITE, self._params(now))).rowcount
        return TickResult(claimed, sent, leader=True)

    def _params(self, now: datetime) -> dict[str, Any]:
        return {"now": now, "batch": self.batch, "urgent": sorted(URGENT_KINDS)}


# The tick as set-based SQL: the rows never travel to Python and back. A million pending
# rows are only ever read through ix_reminders_pending_due (migration 0014), whose
# condition the claim repeats literally (SQLite uses a partial index only then).
_COLUMNS = "id, idempotency_key, kind, dossier_id, person_id, due_at, payload"
_CLAIM = (f"SELECT {_COLUMNS} FROM reminders WHERE status = 'pending' AND due_at <= :now "
          "ORDER BY due_at, id LIMIT :batch")
_INSERT = """INSERT INTO outbox (dedupe_key, person_id, payload, priority, status, attempts,
                        created_at, next_attempt_at)"""


def _group(field: str) -> str:
    """The collapse's group: kind, person, dossier and subject (``field``: the dialect's
    spelling of a payload field as text)."""
    return ", ".join(["kind", "person_id", "dossier_id",
                      *(f"coalesce({field.format(f)}, '')" for f in SUBJECT_FIELDS)])


def _message(iso_due: str, about: str, json_object: str) -> str:
    """One outbox row's values from a group's latest reminder, in the dialect's spelling
    of ``due_at`` in ISO 8601 (as Python writes it: the notices parse it back), of the
    payload as JSON and of a JSON object built from keys and values. (A colon inside a
    literal is escaped: text() would take it for a parameter.)"""
    return f"""
    SELECT substr('reminder:' || idempotency_key, 1, 200), person_id,
           {json_object}('reminder', kind, 'dossier_id', dossier_id, 'about', {about},
                         'due_at', {iso_due}, 'collapsed', collapsed),
           CASE WHEN kind IN :urgent THEN {URGENT_PRIORITY} ELSE {REMINDER_PRIORITY} END,
           'pending', 0, :now, :now"""


def _bind(sql: str) -> TextClause:
    binds = [bindparam("now", type_=UTCDateTime())]
    if ":urgent" in sql:
        binds.append(bindparam("urgent", expanding=True))
    return text(sql).bindparams(*binds)


_POSTGRES_MESSAGE = _message(
    iso_due=("to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\\:MI\\:SS') || "
             "CASE WHEN date_trunc('second', due_at) = due_at THEN '' "
             "ELSE to_char(due_at AT TIME ZONE 'UTC', '.US') END || '+00\\:00'"),
    about="payload", json_object="json_build_object")
# SQLite stores due_at as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
_SQLITE_MESSAGE = _message(
    iso_due=("substr(due_at, 1, 10) || 'T' || substr(due_at, 12, 8) || "
             "CASE WHEN substr(due_at, 20, 7) IN ('', '.000000') THEN '' "
             "ELSE substr(due_at, 20, 7) END || '+00\\:00'"),
    about="json(payload)", json_object="json_object")

# PostgreSQL: one statement. SKIP LOCKED keeps two dispatchers' claims apart; the claim
# is materialised once, so the rows marked are exactly the rows sent. A conflicting key
# is a revived reminder that already went out: it is not sent again.
_MOVE_POSTGRES = _bind(f"""
    WITH claimed AS ({_CLAIM} FOR UPDATE SKIP LOCKED),
    marked AS (
        UPDATE reminders AS r
        SET status = 'dispatched', dispatched_at = :now, attempts = r.attempts + 1
        FROM claimed WHERE r.id = claimed.id
        RETURNING r.id),
    grouped AS (
        SELECT {_COLUMNS}, count(*) OVER subject AS collapsed,
               row_number() OVER (subject ORDER BY due_at DESC, id DESC) AS latest
        FROM claimed
        WINDOW subject AS (PARTITION BY {_group("payload ->> '{}'")})),
    sent AS (
        {_INSERT}
        {_POSTGRES_MESSAGE}
        FROM grouped WHERE latest = 1
        ORDER BY due_at, id
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING 1)
    SELECT (SELECT count(*) FROM marked) AS claimed, (SELECT count(*) FROM sent) AS sent""")

# SQLite: the send, then the mark, of the same claim (see Dispatcher.tick). A GROUP BY
# with max() takes the other columns from the row holding the maximum (documented
# SQLite behaviour): the latest by (due_at, id), at half the cost of window functions.
_SEND_SQLITE = _bind(f"""
    {_INSERT}
    WITH claimed AS ({_CLAIM}),
    grouped AS (
        SELECT {_COLUMNS}, count(*) AS collapsed,
               max(due_at || printf('%020d', id)) AS latest
        FROM claimed GROUP BY {_group("json_extract(payload, '$.{}')")})
    {_SQLITE_MESSAGE}
    FROM grouped
    ORDER BY latest
    ON CONFLICT (dedupe_key) DO NOTHING""")
_MARK_SQLITE = _bind(f"""
    UPDATE reminders
    SET status = 'dispatched', dispatched_at = :now, attempts = attempts + 1
    WHERE id IN (SELECT id FROM ({_CLAIM}))""")
