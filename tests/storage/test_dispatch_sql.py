"""The set-based tick (storage.dispatcher), row by row on both databases: it moves exactly
the due pending reminders, writes the messages Python used to write, collapses repeats,
never sends a key twice, leaves nothing behind when it fails, and reads the partial index
that migration 0014 creates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.dispatcher as dispatcher_module
from storage.dispatcher import REMINDER_PRIORITY, URGENT_PRIORITY, Dispatcher, dedupe_key
from storage.models import OutboxMessage, Reminder
from tests.fakes import Scenario

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
INDEX = "ix_reminders_pending_due"


def _row(key: str, due_at: datetime, *, kind: str = "answer_due", dossier: int | None = 7,
         person: str | None = "member-1", status: str = "pending",
         payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"idempotency_key": key, "kind": kind, "dossier_id": dossier, "person_id": person,
            "due_at": due_at, "payload": payload if payload is not None else {"n": key},
            "status": status, "attempts": 0, "dispatched_at": None}


async def _plant(engine: AsyncEngine, rows: Iterable[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(Reminder), list(rows))


async def _tick(engine: AsyncEngine, batch: int = 10_000) -> tuple[int, int]:
    dispatcher = Dispatcher(engine, batch=batch)
    try:
        result = await dispatcher.tick(NOW)
    finally:
        await dispatcher.close()
    return result.claimed, result.sent


async def _outbox(engine: AsyncEngine) -> list[Any]:
    """The outbox's rows (every column), in id order."""
    async with engine.connect() as conn:
        return list((await conn.execute(
            select(OutboxMessage.__table__).order_by(OutboxMessage.id))).all())


async def _statuses(engine: AsyncEngine) -> dict[str, tuple[str, int, datetime | None]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Reminder.idempotency_key, Reminder.status,
                                          Reminder.attempts, Reminder.dispatched_at))).all()
    return {key: (status, attempts, at) for key, status, attempts, at in rows}


async def test_the_partial_index_replaces_the_old_one(engine: AsyncEngine) -> None:
    def indexes(sync_connection: Any) -> dict[str, list[str | None]]:
        return {ix["name"]: ix["column_names"]
                for ix in inspect(sync_connection).get_indexes("reminders") if ix["name"]}

    async with engine.connect() as conn:
        found = await conn.run_sync(indexes)
        if engine.dialect.name == "sqlite":
            definition = (await conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = :n"), {"n": INDEX})).scalar()
        else:
            definition = (await conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = :n "
                "AND schemaname = current_schema()"), {"n": INDEX})).scalar()
    assert found[INDEX] == ["due_at", "id"]
    assert "ix_reminders_due" not in found
    assert "status" in str(definition) and "pending" in str(definition)


async def test_the_claim_reads_the_partial_index(engine: AsyncEngine) -> None:
    # SQLite uses a partial index only when the query repeats its condition literally.
    claim = dispatcher_module._CLAIM.replace(":now", "'2026-11-25 02:00:00.000000'")
    claim = claim.replace(":batch", "100")
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = (await conn.execute(text(f"EXPLAIN QUERY PLAN {claim}"))).all()
        else:  # an empty table: without this, a sequential scan is as good
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = (await conn.execute(text(f"EXPLAIN {claim}"))).all()
    assert INDEX in " ".join(str(line) for line in plan)


async def test_a_tick_moves_exactly_the_due_pending_reminders(
        engine: AsyncEngine, scenario: Scenario) -> None:
    await _plant(engine, [
        _row("due:1:member-1", NOW - timedelta(days=2), dossier=1),
        _row("due:2:member-2", NOW - timedelta(minutes=1), dossier=2, person="member-2"),
        _row("due:3:member-1", NOW, dossier=3),  # due this very moment
        _row("later:4:member-1", NOW + timedelta(microseconds=1), dossier=4),
        _row("cancelled:5:member-1", NOW - timedelta(hours=1), dossier=5, status="cancelled"),
        _row("unresolved:6:nobody", NOW - timedelta(hours=1), dossier=6, person=None,
             status="unresolved"),
    ])
    assert await _tick(engine) == (3, 3)
    statuses = await _statuses(engine)
    assert {key for key, (status, _, _) in statuses.items() if status == "dispatched"} == {
        "due:1:member-1", "due:2:member-2", "due:3:member-1"}
    assert statuses["due:1:member-1"][1:] == (1, NOW)
    assert statuses["later:4:member-1"] == ("pending", 0, None)
    assert statuses["cancelled:5:member-1"][0] == "cancelled"
    assert statuses["unresolved:6:nobody"][0] == "unresolved"
    # Oldest due first, in the outbox's order too.
    assert [m.dedupe_key for m in await _outbox(engine)] == [
        "reminder:due:1:member-1", "reminder:due:2:member-2", "reminder:due:3:member-1"]
    assert await _tick(engine) == (0, 0)


async def test_the_message_is_the_one_python_wrote(
        engine: AsyncEngine, scenario: Scenario) -> None:
    exact = NOW - timedelta(hours=3)
    odd = NOW - timedelta(hours=2, microseconds=250)
    about = {"due_on": "2026-11-26", "working_days_left": "-2", "title": "Đường liên xã"}
    await _plant(engine, [
        _row("answer_overdue:9:member-1", exact, kind="answer_overdue", dossier=9,
             payload=about),
        _row("reporting_duty_due:x:b1:member-2", odd, kind="reporting_duty_due",
             dossier=None, person="member-2", payload={"duty": "x", "body": "b1"}),
    ])
    assert await _tick(engine) == (2, 2)
    urgent, duty = await _outbox(engine)
    assert urgent.dedupe_key == dedupe_key("answer_overdue:9:member-1")
    assert urgent.person_id == "member-1" and urgent.status == "pending"
    assert urgent.priority == URGENT_PRIORITY and duty.priority == REMINDER_PRIORITY
    assert urgent.payload == {"reminder": "answer_overdue", "dossier_id": 9, "about": about,
                              "due_at": exact.isoformat(), "collapsed": 1}
    assert duty.payload == {"reminder": "reporting_duty_due", "dossier_id": None,
                            "about": {"duty": "x", "body": "b1"},
                            "due_at": odd.isoformat(), "collapsed": 1}
    assert datetime.fromisoformat(str(duty.payload["due_at"])) == odd
    assert (urgent.attempts, urgent.created_at, urgent.next_attempt_at) == (0, NOW, NOW)
    assert urgent.channel is None and urgent.sent_at is None and urgent.claimed_by is None


async def test_repeats_collapse_into_the_latest_per_subject(
        engine: AsyncEngine, scenario: Scenario) -> None:
    day = timedelta(days=1)
    await _plant(engine, [
        # Three missed overdue mornings of one dossier for one person: one message.
        *(_row(f"answer_overdue:1:{d}:member-1", NOW - d * day, kind="answer_overdue",
               dossier=1, payload={"day": str(d)}) for d in (3, 2, 1)),
        # The same dossier for someone else, and two ballots of one dossier: apart.
        _row("answer_overdue:1:1:member-2", NOW - day, kind="answer_overdue", dossier=1,
             person="member-2"),
        _row("ballot_closing:5:member-1", NOW - 2 * day, kind="ballot_closing", dossier=1,
             payload={"ballot_id": "5"}),
        _row("ballot_closing:5:b:member-1", NOW - day, kind="ballot_closing", dossier=1,
             payload={"ballot_id": "5"}),
        _row("ballot_closing:6:member-1", NOW - day, kind="ballot_closing", dossier=1,
             payload={"ballot_id": "6"}),
    ])
    assert await _tick(engine) == (7, 4)
    sent = {m.dedupe_key: m.payload for m in await _outbox(engine)}
    assert sent["reminder:answer_overdue:1:1:member-1"]["collapsed"] == 3
    assert sent["reminder:answer_overdue:1:1:member-1"]["about"] == {"day": "1"}
    assert sent["reminder:answer_overdue:1:1:member-2"]["collapsed"] == 1
    assert sent["reminder:ballot_closing:5:b:member-1"]["collapsed"] == 2
    assert sent["reminder:ballot_closing:6:member-1"]["collapsed"] == 1
    assert all(status == "dispatched" for status, _, _ in (await _statuses(engine)).values())


async def test_a_batch_takes_the_oldest_and_the_next_tick_the_rest(
        engine: AsyncEngine, scenario: Scenario) -> None:
    await _plant(engine, [_row(f"due:{i}:member-1", NOW - timedelta(minutes=i), dossier=i)
                          for i in range(5)])
    assert await _tick(engine, batch=3) == (3, 3)
    assert {m.dedupe_key for m in await _outbox(engine)} == {
        "reminder:due:4:member-1", "reminder:due:3:member-1", "reminder:due:2:member-1"}
    assert await _tick(engine, batch=3) == (2, 2)
    assert await _tick(engine, batch=3) == (0, 0)
    assert len(await _outbox(engine)) == 5


async def test_a_reminder_already_in_the_outbox_is_marked_but_not_sent_again(
        engine: AsyncEngine, scenario: Scenario) -> None:
    """A revived reminder whose message went out before: dispatched, no second message."""
    await _plant(engine, [_row("due:1:member-1", NOW - timedelta(hours=1), dossier=1),
                          _row("due:2:member-1", NOW - timedelta(hours=1), dossier=2)])
    async with engine.begin() as conn:
        await conn.execute(insert(OutboxMessage).values(
            dedupe_key=dedupe_key("due:1:member-1"), person_id="member-1",
            payload={"old": True}, priority=REMINDER_PRIORITY, status="sent", attempts=1,
            created_at=NOW - timedelta(days=1), next_attempt_at=NOW - timedelta(days=1)))
    assert await _tick(engine) == (2, 1)
    messages = await _outbox(engine)
    assert [m.payload.get("old") for m in messages] == [True, None]
    assert {s for s, _, _ in (await _statuses(engine)).values()} == {"dispatched"}


async def test_a_tick_that_fails_leaves_nothing_behind(
        engine: AsyncEngine, scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a kill -9 mid-tick: the transaction rolls back whole, the next tick sends
    each reminder once."""
    await _plant(engine, [_row(f"due:{i}:member-1", NOW - timedelta(minutes=i), dossier=i)
                          for i in range(4)])
    if engine.dialect.name == "sqlite":  # the send succeeds, the mark then fails
        monkeypatch.setattr(dispatcher_module, "_MARK_SQLITE", text("SELECT nothing_here"))
    else:  # the update and the insert run, the statement then fails
        broken = dispatcher_module._MOVE_POSTGRES.text.replace(
            "SELECT (SELECT count(*) FROM marked)", "SELECT 1 / 0, (SELECT count(*) FROM marked)")
        monkeypatch.setattr(dispatcher_module, "_MOVE_POSTGRES", dispatcher_module._bind(broken))
    with pytest.raises(Exception):  # noqa: B017 - whichever error the database raises
        await _tick(engine)
    assert await _outbox(engine) == []
    assert {s for s, _, _ in (await _statuses(engine)).values()} == {"pending"}
    monkeypatch.undo()
    assert await _tick(engine) == (4, 4)
    assert await _tick(engine) == (0, 0)
    assert len(await _outbox(engine)) == 4
