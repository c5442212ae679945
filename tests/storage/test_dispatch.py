"""The dispatcher with an injected clock: the right people, the right days, never at night,
each missed reminder once after a downtime, and a vote that stops the ballot reminders."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dispatcher import Dispatcher
from storage.models import OutboxMessage, Reminder
from tests.fakes import Scenario
from workflow.calendar import default_calendar
from workflow.lifecycle import State
from workflow.reminders import VIETNAM
from workflow.voting import Choice

CAL = default_calendar()


async def _sent(engine: AsyncEngine) -> list[tuple[str, str, datetime, dict[str, object]]]:
    """(kind, person, when written, payload) of every reminder message, oldest first."""
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith("reminder:"))
            .order_by(OutboxMessage.id))).scalars().all()
    return [(str(r.payload["reminder"]), str(r.person_id), r.created_at, r.payload)
            for r in rows]


async def _register_on(s: Scenario, day: date) -> None:
    s.calendar = CAL  # type: ignore[assignment]  # the real one: 24/11/2026 is a holiday
    s.clock.set_date(day)
    await s.drive_to(State.REGISTERED)


async def _run(dispatcher: Dispatcher, start: datetime, end: datetime,
               step: timedelta = timedelta(hours=1)) -> None:
    now = start
    while now <= end:
        await dispatcher.tick(now)
        now += step


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)


async def test_day_by_day_through_the_deadline_across_the_holiday(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await _register_on(s, date(2026, 10, 14))
    assert s.dossier.due_on == date(2026, 11, 26)  # 30 working days, 24/11 not counted
    dispatcher = Dispatcher(engine)
    try:
        await _run(dispatcher, datetime(2026, 10, 14, 10, tzinfo=VIETNAM),
                   datetime(2026, 12, 2, 23, tzinfo=VIETNAM))
    finally:
        await dispatcher.close()
    sent = await _sent(engine)
    days: dict[tuple[str, str], list[date]] = {}
    for kind, person, at, _ in sent:
        local = _local(at)
        assert time(7) <= local.time().replace(tzinfo=None) < time(21), (kind, local)
        assert CAL.is_working_day(local.date()), (kind, local)
        days.setdefault((kind, person), []).append(local.date())
    for person in ("office-clerk", "secretary"):  # the office and the head
        assert days[("answer_soon", person)] == [
            date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 23), date(2026, 11, 25)]
        assert days[("answer_due", person)] == [date(2026, 11, 26)]
        assert days[("answer_overdue", person)] == [
            date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    # The superior is told on the third overdue working day.
    assert {d for (kind, _), ds in days.items() if kind == "answer_escalated"
            for d in ds} == {date(2026, 12, 1)}
    assert not any(person == "cadre-1" for _, person, _, _ in sent)


async def _up_until_wednesday_night(engine: AsyncEngine, s: Scenario) -> int:
    """A dossier registered 14/10 whose answer is due 26/11, the dispatcher running on
    25/11 and then down (from Wednesday night); how many messages it had sent."""
    await _register_on(s, date(2026, 10, 14))
    dispatcher = Dispatcher(engine)
    await _run(dispatcher, datetime(2026, 11, 25, 7, tzinfo=VIETNAM),
               datetime(2026, 11, 25, 20, tzinfo=VIETNAM))
    await dispatcher.close()
    return len(await _sent(engine))


async def test_a_restart_after_three_days_down_delivers_each_missed_reminder_once(
        engine: AsyncEngine, scenario: Scenario) -> None:
    before = await _up_until_wednesday_night(engine, scenario)  # back Monday 30/11 10:00
    restarted = Dispatcher(engine)
    try:
        back = datetime(2026, 11, 30, 10, tzinfo=VIETNAM)
        first = await restarted.tick(back)
        again = await restarted.tick(back + timedelta(minutes=1))
    finally:
        await restarted.close()
    assert again.claimed == 0 and again.sent == 0
    new = (await _sent(engine))[before:]
    # Missed: due on 26/11, overdue on 27/11 and 30/11 — one "due" and one "overdue"
    # message each for the office and the head, the two overdue mornings collapsed.
    assert Counter((kind, person) for kind, person, _, _ in new) == Counter({
        ("answer_due", "office-clerk"): 1, ("answer_due", "secretary"): 1,
        ("answer_overdue", "office-clerk"): 1, ("answer_overdue", "secretary"): 1})
    overdue = next(p for k, _, _, p in new if k == "answer_overdue")
    assert overdue["collapsed"] == 2
    assert overdue["about"]["working_days_left"] == "-2"  # type: ignore[index]
    assert first.claimed == 6 and first.sent == 4
    async with session_factory(engine)() as session:
        missed = (await session.execute(select(Reminder.status, func.count()).where(
            Reminder.kind.in_(("answer_due", "answer_overdue")),
            Reminder.due_at <= back).group_by(Reminder.status))).all()
    assert dict(missed) == {"dispatched": 6}


async def test_a_vote_stops_that_members_ballot_reminders(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    s.clock.set_date(date(2026, 11, 16))  # Monday
    await s.drive_to(State.APPRAISED)
    ballot = await s.open_ballot(closes_at=datetime(2026, 11, 18, 17, tzinfo=VIETNAM))
    await s.vote(s.members[0], Choice.APPROVE)
    dispatcher = Dispatcher(engine)
    try:
        await _run(dispatcher, datetime(2026, 11, 16, 10, tzinfo=VIETNAM),
                   datetime(2026, 11, 18, 18, tzinfo=VIETNAM), timedelta(minutes=30))
    finally:
        await dispatcher.close()
    closing = [(person, _local(at)) for kind, person, at, p in await _sent(engine)
               if kind == "ballot_closing" and p["about"]["ballot_id"] == str(ballot.id)]  # type: ignore[index]
    people = Counter(person for person, _ in closing)
    assert "member-1" not in people
    assert people == Counter({"secretary": 2, "member-2": 2, "member-3": 2, "member-4": 2})
    assert {at.hour for _, at in closing} == {17, 15}  # 24 h and 2 h before 17:00


async def test_after_three_days_down_two_dispatchers_deliver_each_missed_reminder_once(
        engine: AsyncEngine, scenario: Scenario) -> None:
    """Two workers come back at once on PostgreSQL, both past the leader lock (as if it
    were broken): SKIP LOCKED claims still send each missed reminder once."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single process and so a single dispatcher")
    before = await _up_until_wednesday_night(engine, scenario)
    workers = [Dispatcher(engine, use_lock=False) for _ in range(2)]
    try:
        back = datetime(2026, 11, 30, 10, tzinfo=VIETNAM)
        for moment in (back, back + timedelta(minutes=1)):
            await asyncio.gather(*(worker.tick(moment) for worker in workers))
    finally:
        for worker in workers:
            await worker.close()
    new = (await _sent(engine))[before:]
    assert Counter((kind, person) for kind, person, _, _ in new) == Counter({
        ("answer_due", "office-clerk"): 1, ("answer_due", "secretary"): 1,
        ("answer_overdue", "office-clerk"): 1, ("answer_overdue", "secretary"): 1})
