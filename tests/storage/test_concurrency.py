"""Concurrency and crashes on real databases.

Twenty-five members vote and change their votes at the same time: the stored tally is
exact and nobody has two votes. A transaction killed midway leaves neither the state
change nor its outbox messages.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import session_factory
from storage.dossier_models import DossierRow, VoteRow
from storage.models import AuditRecord, OutboxMessage
from storage.outbox import OutboxWriter
from storage.uow import SqlBallots, SqlUnitOfWork
from tests.fakes import Scenario
from workflow import services as svc
from workflow.actors import Actor, Grant, Role
from workflow.commands import CastVote, CloseBallot, CloseExpiredBallot, Register
from workflow.errors import StaleVersion, TransitionNotAllowed
from workflow.events import Event
from workflow.lifecycle import State
from workflow.voting import Choice, Outcome, final_outcome

OUTCOME_STATE = {
    Outcome.APPROVED: State.APPROVED, Outcome.REJECTED: State.REJECTED,
    Outcome.RETURNED: State.RETURNED_FOR_RE_PREPARATION, Outcome.NO_CONSENSUS: State.NO_CONSENSUS,
    Outcome.QUORUM_NOT_MET: State.QUORUM_NOT_MET,
}


async def _vote(engine: AsyncEngine, s: Scenario, actor: Actor, choice: Choice) -> bool:
    """Cast a vote in its own unit of work; True if accepted, False if voting had closed.

    A commit that lost a race to another is retried, as the chat handlers do.
    """
    for attempt in range(1, 50):
        try:
            await svc.cast_vote(CastVote(actor=actor, choice=choice, dossier_id=s.dossier_id),
                                SqlUnitOfWork(session_factory(engine)), s.clock)
            return True
        except StaleVersion:
            await asyncio.sleep(0.005 * attempt)
        except TransitionNotAllowed:
            return False  # the outcome became certain and the ballot closed
    raise AssertionError("a vote never got through")


async def test_25_members_vote_and_change_votes_concurrently(
        engine: AsyncEngine, scenario: Scenario) -> None:
    """Whatever the interleaving: one row per member, each member's last accepted vote
    is the stored one, nothing is accepted after the ballot closed, and the recorded
    outcome is the outcome of the stored votes."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; concurrency is PostgreSQL's test")
    s = scenario
    await s.drive_to(State.APPRAISED)
    body = s.route.decision_bodies[0]
    members = [Actor.of(f"voter-{i:02d}", Grant(Role.MEMBER, body)) for i in range(25)]
    ballot = await s.open_ballot(members=tuple(m.person_id for m in members))
    cycle = [Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE, Choice.ABSTAIN]
    first = {m.person_id: cycle[i % 4] for i, m in enumerate(members)}
    second = {m.person_id: cycle[(i + 1) % 4] for i, m in enumerate(members)}
    last: dict[str, Choice] = {}
    accepted = 0
    for wave in (first, second):
        results = await asyncio.gather(*(_vote(engine, s, m, wave[m.person_id])
                                         for m in members))
        for member, ok in zip(members, results, strict=True):
            if ok:
                last[member.person_id] = wave[member.person_id]
                accepted += 1
    async with session_factory(engine)() as session:
        still_open = (await session.get(DossierRow, s.dossier_id)).state == State.BALLOT_OPEN
    if still_open:  # a meeting: the office ends it
        await svc.close_ballot(CloseBallot(actor=s.office, dossier_id=s.dossier_id),
                               SqlUnitOfWork(session_factory(engine)), s.clock)

    async with session_factory(engine)() as session:
        rows = (await session.execute(
            select(VoteRow.person_id, VoteRow.choice, VoteRow.at)
            .where(VoteRow.ballot_id == ballot.id))).all()
        audited = await session.scalar(select(func.count()).select_from(AuditRecord)
                                       .where(AuditRecord.action == "vote_cast"))
        stored_ballot = await SqlBallots(session).get(ballot.id)
        dossier = await session.get(DossierRow, s.dossier_id)
    stored = {person: Choice(choice) for person, choice, _ in rows}
    assert len(rows) == len(stored)  # nobody has two votes
    assert stored == last  # every accepted vote (or change) is there, nothing else
    assert audited == accepted  # and each is on the record
    assert stored_ballot is not None and dossier is not None
    # All 25 voted in the second wave at the latest, so the ballot is decided (by itself
    # when certain, or when the office ends the meeting).
    assert stored_ballot.closed_at is not None
    assert stored_ballot.outcome is final_outcome(stored_ballot.rule, stored_ballot.voters,
                                                  stored)
    assert all(at <= stored_ballot.closed_at for _, _, at in rows)
    assert dossier.state == OUTCOME_STATE[stored_ballot.outcome].value


class _CrashingOutbox(OutboxWriter):
    """Writes its rows, then the connection dies before the commit."""

    def __init__(self, admin: AsyncEngine | None) -> None:
        self.admin = admin

    async def write(self, session: AsyncSession, events: Any, now: datetime) -> int:
        events = list[Event](events)
        written = await super().write(session, events, now)
        assert written > 0
        if self.admin is None:
            raise RuntimeError("the process died")
        pid = await session.scalar(text("select pg_backend_pid()"))
        async with self.admin.connect() as connection:  # kill our own server process
            await connection.execute(text(f"select pg_terminate_backend({pid})"))
        await session.execute(text("select 1"))  # the dead connection now fails
        return written


async def test_a_transaction_killed_midway_leaves_nothing(
        engine: AsyncEngine, scenario: Scenario) -> None:
    s = scenario
    await s.drive_to(State.SUBMITTED)
    async with session_factory(engine)() as session:
        outbox_before = await session.scalar(select(func.count()).select_from(OutboxMessage))
        audit_before = await session.scalar(select(func.count()).select_from(AuditRecord))
    admin = None
    if engine.dialect.name == "postgresql":
        from sqlalchemy.ext.asyncio import create_async_engine

        admin = create_async_engine(engine.url)
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the dying driver raises
            await svc.register(Register(actor=s.office, dossier_id=s.dossier_id),
                               SqlUnitOfWork(session_factory(engine),
                                             outbox=_CrashingOutbox(admin)),
                               s.clock, s.calendar)
    finally:
        if admin is not None:
            await admin.dispose()
    async with session_factory(engine)() as session:
        dossier = await session.get(DossierRow, s.dossier_id)
        assert dossier is not None and dossier.state == State.SUBMITTED.value
        assert dossier.registration_number is None
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) \
            == outbox_before
        assert await session.scalar(select(func.count()).select_from(AuditRecord)) \
            == audit_before
    # And the dossier can still be registered afterwards.
    registered = await s.register()
    assert registered.state is State.REGISTERED


async def test_a_vote_committed_after_the_ballot_closed_is_refused(
        engine: AsyncEngine, scenario: Scenario) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the writer's lock at BEGIN: nobody can close the ballot "
                    "between the late vote's read and its commit")
    s = scenario
    await s.drive_to(State.APPRAISED)
    ballot = await s.open_ballot()
    late = SqlUnitOfWork(session_factory(engine))
    async with late:
        loaded = await late.ballots.get(ballot.id)
        assert loaded is not None and loaded.is_open
        loaded.cast("member-1", Choice.APPROVE, s.clock.now())
        # Meanwhile the closing time passes and the ballot is closed by the system.
        assert ballot.closes_at is not None
        s.clock.current = ballot.closes_at + timedelta(minutes=1)
        await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), s.uow(),
                                       s.clock)
        with pytest.raises(StaleVersion):
            await late.commit()
    async with session_factory(engine)() as session:
        votes = (await session.execute(select(VoteRow).where(VoteRow.ballot_id == ballot.id)
                                       )).scalars().all()
    assert votes == []
    assert s.store.ballots[ballot.id].closed_at is not None
