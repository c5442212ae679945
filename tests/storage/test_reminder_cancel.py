"""Cancelling by a key range on the unique index (migration 0017 on a database with
reminders in every state), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dispatcher import Dispatcher
from storage.migrate import alembic_config, upgrade
from storage.models import OutboxMessage, Reminder
from storage.reminders import ReminderWriter, starting_with
from tests.fakes import Scenario
from workflow.reminders import Cancel, ballot_key

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _row(key: str, due_at: datetime, status: str = "pending",
         person: str | None = "member-1") -> dict[str, Any]:
    return {"idempotency_key": key, "kind": "answer_due", "dossier_id": 1,
            "person_id": person, "due_at": due_at, "payload": {"n": key},
            "status": status, "attempts": 0, "dispatched_at": None}


async def _statuses(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as conn:
        return dict((await conn.execute(
            select(Reminder.idempotency_key, Reminder.status))).all())


async def test_the_upgrade_keeps_every_reminder_and_the_cancel_finds_them(
        engine: AsyncEngine, scenario: Scenario) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0016"))
    due, later = NOW - timedelta(hours=1), NOW + timedelta(days=2)
    rows = [_row("answer_due:1:2026-11-25:member-1", due),
            _row("answer_due:1:2026-11-27:member-1", later),
            _row("answer_due:1:2026-11-20:member-1", due, status="dispatched"),
            _row("answer_due:10:2026-11-27:member-1", later),
            _row("answer_due:2:2026-11-25:member-1", due, status="cancelled"),
            _row("answer_due:3:2026-11-25:nobody", due, status="unresolved", person=None)]
    async with engine.begin() as conn:  # written before 0017
        await conn.execute(insert(Reminder), rows)
    await upgrade(engine)
    assert await _statuses(engine) == {r["idempotency_key"]: r["status"] for r in rows}
    dispatcher = Dispatcher(engine)
    try:
        result = await dispatcher.tick(NOW)
    finally:
        await dispatcher.close()
    assert (result.claimed, result.sent) == (1, 1)
    async with engine.connect() as conn:
        assert (await conn.execute(select(OutboxMessage.dedupe_key))).scalars().all() == [
            "reminder:answer_due:1:2026-11-25:member-1"]
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Reminder).where(
            Reminder.status.in_(("pending", "unresolved")),
            *starting_with("answer_due:1:")).values(status="cancelled"))
    statuses = await _statuses(engine)
    assert statuses["answer_due:1:2026-11-27:member-1"] == "cancelled"
    assert statuses["answer_due:1:2026-11-25:member-1"] == "dispatched"
    assert statuses["answer_due:10:2026-11-27:member-1"] == "pending"  # dossier 10
    # Down and up again with the data: the same rows, the same answers.
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0016"))
    await upgrade(engine)
    assert await _statuses(engine) == statuses


async def test_cancelling_takes_exactly_the_keys_under_the_prefix(
        engine: AsyncEngine, scenario: Scenario) -> None:
    """The range on the index matches what a LIKE 'prefix%' would: neighbours that share
    the first characters (ballot 1 and 10, voter a and ab), keys with characters above
    ASCII, and ``%`` or ``_`` in a key are not taken for wildcards."""
    later = NOW + timedelta(days=1)
    keys = ["ballot_closing:1:a:24h", "ballot_closing:1:a:1h", "ballot_closing:1:ab:24h",
            "ballot_closing:10:a:24h", "ballot_closing:1;x", "ballot_closing:1:",
            "ballot_closing:1:ä:24h", "ballot_closing:1:a%:24h", "ballot_closing:1_a:24h",
            "ballot_closing:2:a:24h", "answer_due:1:2026-12-01:member-1"]
    async with engine.begin() as conn:
        await conn.execute(insert(Reminder), [_row(k, later) for k in keys])
        await conn.execute(update(Reminder).where(
            Reminder.idempotency_key == "ballot_closing:1:a:1h").values(status="dispatched"))
    for prefix in ("ballot_closing:1:a:", "ballot_closing:1:", "ballot_closing:1:a%:"):
        async with engine.connect() as conn:
            ranged = set((await conn.execute(select(Reminder.idempotency_key).where(
                *starting_with(prefix)))).scalars())
        assert ranged == {k for k in keys if k.startswith(prefix)}, prefix
    writer = ReminderWriter()
    async with session_factory(engine)() as session, session.begin():
        await writer.write(session, [], NOW)  # nothing planned, nothing changed
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Reminder).where(
            Reminder.status.in_(("pending", "unresolved")),
            *starting_with(Cancel(ballot_key(1, "a")).prefix)).values(status="cancelled"))
    statuses = await _statuses(engine)
    assert {k for k, s in statuses.items() if s == "cancelled"} == {"ballot_closing:1:a:24h"}
    assert statuses["ballot_closing:1:a:1h"] == "dispatched"  # gone out: left as it is


async def test_the_cancel_reads_the_key_index(engine: AsyncEngine) -> None:
    statement = select(Reminder.id).where(*starting_with("answer_due:7:"))
    async with engine.connect() as conn:
        sql = str(statement.compile(dialect=engine.dialect,
                                    compile_kwargs={"literal_binds": True}))
        if engine.dialect.name == "sqlite":
            plan = (await conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))).all()
        else:  # an empty table: without this, a sequential scan is as good
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = (await conn.execute(text(f"EXPLAIN {sql}"))).all()
    # SQLite names a UNIQUE column's index itself.
    index = "sqlite_autoindex_reminders" if engine.dialect.name == "sqlite" else (
        "uq_reminders_idempotency_key")
    assert index in " ".join(str(line) for line in plan)
