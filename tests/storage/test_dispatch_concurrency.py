"""Several workers on PostgreSQL: one dispatcher at a time, and never a reminder twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dispatcher import Dispatcher
from storage.models import OutboxMessage, Reminder
from tests.fakes import Scenario

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


def _postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single process and so a single dispatcher")


async def _plant(engine: AsyncEngine, count: int) -> None:
    rows = [{"idempotency_key": f"answer_due:{i}:2026-11-25:member-1", "kind": "answer_due",
             "dossier_id": i, "person_id": "member-1", "due_at": NOW - timedelta(minutes=i % 50),
             "payload": {"due_on": "2026-11-25"}, "status": "pending", "attempts": 0,
             "dispatched_at": None} for i in range(count)]
    async with engine.begin() as conn:
        await conn.execute(insert(Reminder), rows)


async def test_two_dispatchers_racing_never_send_a_reminder_twice(
        engine: AsyncEngine, scenario: Scenario) -> None:
    _postgres_only(engine)
    await _plant(engine, 3000)
    # Both past the lock (as if it were broken): SKIP LOCKED alone must keep them apart.
    first, second = (Dispatcher(engine, batch=250, use_lock=False) for _ in range(2))
    claimed = [0, 0]
    while True:
        a, b = await asyncio.gather(first.tick(NOW), second.tick(NOW))
        claimed[0] += a.claimed
        claimed[1] += b.claimed
        if a.claimed == b.claimed == 0:
            break
    assert sum(claimed) == 3000
    async with session_factory(engine)() as session:
        sent = (await session.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith("reminder:")))).scalar_one()
        dispatched = (await session.execute(select(func.count()).select_from(Reminder).where(
            Reminder.status == "dispatched", Reminder.attempts == 1))).scalar_one()
    assert sent == 3000 and dispatched == 3000


async def test_only_the_worker_holding_the_lock_dispatches(
        engine: AsyncEngine, scenario: Scenario) -> None:
    _postgres_only(engine)
    await _plant(engine, 10)
    leader, follower = Dispatcher(engine), Dispatcher(engine)
    try:
        assert await leader.leader()
        assert (await follower.tick(NOW)).leader is False
        assert (await leader.tick(NOW)).claimed == 10
        await leader.close()  # the leader's worker stops: another one takes over
        assert await follower.leader()
    finally:
        await leader.close()
        await follower.close()
