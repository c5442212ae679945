"""Reminders are written with the step that plans them, per person, and cancelled in turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import OutboxMessage, Reminder
from tests.fakes import Scenario
from workflow import services as svc
from workflow.commands import MarkComplex
from workflow.lifecycle import State
from workflow.reminders import VIETNAM
from workflow.voting import Choice


async def _reminders(engine: AsyncEngine) -> dict[str, tuple[str, datetime]]:
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(Reminder))).scalars().all()
    return {r.idempotency_key: (r.status, r.due_at) for r in rows}


async def test_registering_plans_the_answer_reminder_for_the_office(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await s.drive_to(State.REGISTERED)
    due = s.dossier.due_on
    assert due is not None
    reminders = await _reminders(engine)
    answer = {k: v for k, v in reminders.items() if k.startswith("answer_due:")}
    base = f"answer_due:{s.dossier_id}:{due.isoformat()}"
    # On the day: the office and the route's head (who also chairs the committee).
    on_the_day = {k.rsplit(":", 1)[1]: v for k, v in answer.items() if k.startswith(base + ":")
                  and k.count(":") == 3}
    assert set(on_the_day) == {"office-clerk", "secretary"}
    for status, at in on_the_day.values():
        assert status == "pending"
        assert at == datetime(due.year, due.month, due.day, 8, tzinfo=VIETNAM)
    assert f"{base}:w10:office-clerk" in answer and f"{base}:o1:secretary" in answer
    # The registration itself reached the office through the outbox, in the same commit.
    async with session_factory(engine)() as session:
        people = (await session.execute(select(OutboxMessage.person_id).where(
            OutboxMessage.payload["event"].as_string() == "DeadlineSet"))).scalars().all()
    assert "office-clerk" in people


async def test_marking_complex_moves_the_reminder_to_the_new_due_date(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await s.drive_to(State.REGISTERED)
    first_due = s.dossier.due_on
    await svc.mark_complex(MarkComplex(actor=s.office, dossier_id=s.dossier_id,
                                       reason="Phạm vi rộng"), s.uow(), s.clock, s.calendar)
    assert s.dossier.due_on != first_due
    reminders = await _reminders(engine)
    old = {v[0] for k, v in reminders.items() if first_due.isoformat() in k}
    new = {v[0] for k, v in reminders.items() if s.dossier.due_on.isoformat() in k}
    assert old == {"cancelled"} and new == {"pending"}


async def test_a_vote_stops_that_members_closing_reminder_and_the_answer_ends_the_rest(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await s.drive_to(State.APPRAISED)
    ballot = await s.open_ballot()
    await s.vote(s.members[0], Choice.APPROVE)
    reminders = await _reminders(engine)
    closing = {k.rsplit(":", 1)[1]: v[0] for k, v in reminders.items()
               if k.startswith(f"ballot_closing:{ballot.id}:")}
    assert closing == {"secretary": "pending", "member-1": "cancelled",
                       "member-2": "pending", "member-3": "pending", "member-4": "pending"}
    await s.vote(s.head, Choice.APPROVE)
    # 3 of 5: approved; the ballot closes (at once, or when the office ends the meeting)
    await s.closed(await s.vote(s.members[1], Choice.APPROVE))
    assert s.dossier.state is State.APPROVED
    await s.answer()
    statuses = {v[0] for k, v in (await _reminders(engine)).items()
                if k.startswith(("answer_due:", "ballot_closing:"))}
    assert statuses == {"cancelled"}


async def test_the_pilot_plans_progress_reminders_for_the_proposers_until_completion(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await s.drive_to(State.IMPLEMENTING)
    progress = {k.rsplit(":", 1)[1]: v[0] for k, v in (await _reminders(engine)).items()
                if k.startswith(f"progress_report_due:{s.dossier_id}:")}
    assert set(progress) == {"cadre-1", "cadre-2"} and set(progress.values()) == {"pending"}
    await s.complete()
    statuses = {k.split(":")[0]: v[0] for k, v in (await _reminders(engine)).items()
                if k.startswith(("progress_report_due:", "evaluation_due:"))
                and v[0] == "pending"}
    assert statuses == {"evaluation_due": "pending"}
