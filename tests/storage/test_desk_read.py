"""The desk's read side (storage.desk_read) returns exactly what the old filter did.

/viec and the office's overview are also read a page at a time (counted and paged in
SQL); read page after page they give what the unpaged read and the former Python filter
(``desk_view.offered`` on the acting roles, a vote, an owed duty) gave, in its order.

The old way loaded every open dossier (and those owing a duty) and kept those where
``Dossier.roles_of`` gave the person a role; /hanchot added the person's own filings.
Here both ways run side by side for every person, on the populated demo, then on a
generated set of dossiers over the demo's chart, after memberships change (roles taken
away and given) and after dossiers change their participants, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.demo_dossiers import populate
from bot.settings import Settings
from handlers.flows.desk_view import offered
from handlers.ports import DeskPage
from storage.db import session_factory
from storage.desk_read import SqlDeskReader, load_dossiers, tasks
from storage.directory import SqlDirectory
from storage.dossier_models import BallotRow, DossierRow, ObligationRow, ParticipantRow
from storage.models import Body, Membership, Person
from storage.organisation import demo_text, import_chart, parse_org_text
from storage.uow import SqlUnitOfWork
from tests.storage.conftest import engine  # noqa: F401  (SQLite and PostgreSQL)
from workflow.actors import Actor, Role
from workflow.conflicts import acting_roles
from workflow.dossier import Dossier
from workflow.lifecycle import State
from workflow.rules import bundled_rulebook

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ROLES = ("member", "secretary", "deputy_secretary", "office", "head")
PAGE = 7  # small, so that the generated lists run over several pages


def on_the_desk(dossier: Dossier, actor: Actor, owing: frozenset[int]) -> bool:
    """The former /viec filter, as desk._inbox ran it in Python."""
    roles = acting_roles(dossier, actor)
    return bool(offered(dossier, roles)
                or (dossier.state in (State.BALLOT_OPEN, State.EVALUATION_OPEN)
                    and Role.MEMBER in roles)
                or (dossier.id in owing and roles & {Role.OFFICE, Role.HEAD}))


def by_due(dossier: Dossier) -> tuple[int, str, int]:
    """The former order of the desk's lists."""
    due = dossier.due_on.isoformat() if dossier.due_on else "9999-12-31"
    return (0 if dossier.due_on else 1, due, dossier.id)


async def _paged(read: Callable[[int, int], Awaitable[DeskPage]], expected: list[Dossier]
                 ) -> None:
    """Reading page after page gives ``expected`` (ids and dossiers), each page counted."""
    found: list[Dossier] = []
    for offset in range(0, len(expected) + PAGE, PAGE):
        page = await read(offset, PAGE)
        assert page.total == len(expected)
        assert len(page.dossiers) == min(PAGE, max(0, len(expected) - offset))
        found += page.dossiers
    assert [d.id for d in found] == [d.id for d in expected]
    assert found == expected


async def _same(sessions: async_sessionmaker[AsyncSession], reader: SqlDeskReader) -> int:
    """Compare both ways for every person; the number of (person, dossier) parts seen."""
    directory = SqlDirectory(sessions, bundled_rulebook())
    owing = await directory.owing_dossier_ids()
    every_open = await directory.open_dossiers(also=owing)
    plain_open = await directory.open_dossiers()
    async with sessions() as session:
        people = list((await session.execute(select(Person.id).order_by(Person.id))).scalars())
    parts = listed = 0
    for person in people:
        actor = await directory.actor(person)
        # /viec: open or owing, the person holding a role.
        old = [d for d in every_open if d.roles_of(actor) - {Role.ADMIN}]
        new = await reader.involving(actor)
        assert new.dossiers == old, person  # the same dossiers, loaded the same
        assert new.owing == owing & {d.id for d in old}, person
        assert new.roles == {d.id: d.roles_of(actor) - {Role.ADMIN} for d in old}, person
        parts += len(old)
        desk = sorted((d for d in old if on_the_desk(d, actor, new.owing)), key=by_due)
        await _paged(lambda offset, limit, a=actor: reader.tasks(a, offset=offset, limit=limit),
                     desk)
        listed += len(desk)
        # /hanchot: the person's own filings too, whatever their state, in the old order.
        candidates = {d.id: d for d in await directory.dossiers_of(person)}
        for dossier in every_open:
            candidates.setdefault(dossier.id, dossier)
        expected = [d.id for d in candidates.values() if d.roles_of(actor) - {Role.ADMIN}]
        proposed = await reader.involving(actor, proposed=True)
        found = proposed.dossiers
        assert proposed.roles == {d.id: d.roles_of(actor) - {Role.ADMIN} for d in found}
        ordered = sorted(found, key=lambda d: (0, -d.id) if d.proposer == person
                         else (1, d.id))
        assert [d.id for d in ordered] == expected, person
        # The office's overview.
        offices = actor.bodies_with(Role.OFFICE)
        at_office = [d for d in plain_open if d.body(d.route.via) in offices]
        assert await reader.open_at({b for b in offices if b}) == at_office, person
        mine = {b for b in offices if b}
        await _paged(lambda offset, limit, o=mine: reader.open_page(o, offset=offset,
                                                                    limit=limit),
                     sorted(at_office, key=by_due))
    assert listed > 0
    return parts


async def _rows_match(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Every dossier's participant rows are what its current state says."""
    async with sessions() as session:
        ids = list((await session.execute(select(DossierRow.id))).scalars())
        rows = {tuple(r) for r in (await session.execute(select(
            ParticipantRow.dossier_id, ParticipantRow.role, ParticipantRow.party,
            ParticipantRow.task))).all()}
    async with SqlUnitOfWork(sessions) as uow:
        wanted, one_by_one = set(), []
        for dossier_id in sorted(ids):
            dossier = await uow.dossiers.get(dossier_id)
            assert dossier is not None
            one_by_one.append(dossier)
            wanted |= {(dossier_id, role, party, task)
                       for (role, party), task in tasks(dossier).items()}
    assert rows == wanted
    async with sessions() as session:  # the batched read decodes as the unit of work does
        assert await load_dossiers(session, sorted(ids)) == one_by_one


async def _ballots_match(sessions: async_sessionmaker[AsyncSession],
                         reader: SqlDeskReader) -> None:
    """/hanchot's ballots, read in a batch, are those the unit of work reads one by one."""
    async with sessions() as session:
        ids = list((await session.execute(select(BallotRow.id))).scalars())
    async with SqlUnitOfWork(sessions) as uow:
        one_by_one = {i: await uow.ballots.get(i) for i in ids}
    assert ids and any(ballot.votes for ballot in one_by_one.values() if ballot)
    assert (await reader.deadline_inputs([*ids, 999_999], []))[0] == one_by_one


async def _generate(sessions: async_sessionmaker[AsyncSession], rng: random.Random,
                    count: int) -> None:
    """Copies of the demo's dossiers with other people, bodies and states."""
    async with sessions() as session:
        people = list((await session.execute(select(Person.id).order_by(Person.id))).scalars())
        bodies = list((await session.execute(select(Body.id).order_by(Body.id))).scalars())
        demo = list((await session.execute(select(DossierRow.id).order_by(DossierRow.id)))
                    .scalars())
    for n in range(count):
        async with SqlUnitOfWork(sessions, clock=lambda: NOW) as uow:
            source = await uow.dossiers.get(rng.choice(demo))
            assert source is not None
            dossier = type(source)(**{**vars(source), "events": []})
            dossier.id = await uow.dossiers.next_id()
            dossier.proposer = rng.choice(people)
            dossier.co_proposers = tuple(rng.sample(people, rng.choice((0, 0, 1, 2))))
            dossier.appraisers = tuple(rng.sample(people, rng.choice((0, 1, 2))))
            dossier.legal_reviewers = tuple(rng.sample(people, rng.choice((0, 0, 1))))
            dossier.bodies = {k: rng.choice(bodies) if rng.random() < 0.5 else v
                              for k, v in source.bodies.items()}
            dossier.state = rng.choice(list(State))
            dossier.history = []
            await uow.dossiers.add(dossier)
            await uow.commit()
        if n % 7 == 0:  # some owe a written duty, finished or not
            async with sessions() as session, session.begin():
                session.add(ObligationRow(
                    id=900_000 + n, dossier_id=dossier.id, kind="report_to_superior",
                    owner_body=rng.choice(bodies), created_at=NOW,
                    done_at=NOW if n % 3 == 0 else None, version=1, data={}))


async def _change_roles(sessions: async_sessionmaker[AsyncSession], rng: random.Random) -> None:
    """End a third of the memberships yesterday; give new ones from today."""
    today = date.today()
    async with sessions() as session, session.begin():
        people = list((await session.execute(select(Person.id).order_by(Person.id))).scalars())
        bodies = list((await session.execute(select(Body.id).order_by(Body.id))).scalars())
        held = list((await session.execute(select(Membership).order_by(Membership.id)))
                    .scalars())
        for membership in held:
            if rng.random() < 0.33:
                membership.valid_to = today - timedelta(days=1)
        for _ in range(40):
            session.add(Membership(person_id=rng.choice(people), body_id=rng.choice(bodies),
                                   role=rng.choice(ROLES), counted=True,
                                   valid_from=today - timedelta(days=rng.randrange(1, 999)),
                                   valid_to=None))


async def _reassign(sessions: async_sessionmaker[AsyncSession], rng: random.Random,
                    count: int) -> None:
    """Change who takes part in some dossiers through ordinary saves."""
    async with sessions() as session:
        people = list((await session.execute(select(Person.id).order_by(Person.id))).scalars())
        bodies = list((await session.execute(select(Body.id).order_by(Body.id))).scalars())
        ids = list((await session.execute(select(DossierRow.id).order_by(DossierRow.id)))
                   .scalars())
    for dossier_id in rng.sample(ids, count):
        async with SqlUnitOfWork(sessions, clock=lambda: NOW) as uow:
            dossier = await uow.dossiers.get(dossier_id)
            assert dossier is not None
            dossier.appraisers = tuple(rng.sample(people, rng.choice((0, 1, 2))))
            dossier.co_proposers = ()
            if dossier.bodies:
                key = rng.choice(sorted(dossier.bodies))
                dossier.bodies = {**dossier.bodies, key: rng.choice(bodies)}
            dossier.version += 1
            await uow.commit()


async def test_the_desk_reads_what_the_old_filter_kept(
        engine: AsyncEngine, tmp_path: Path) -> None:  # noqa: F811
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text()), actor="cli", source="demo")
    await populate(engine, Settings.of(data_dir=tmp_path), now=NOW)
    sessions = session_factory(engine)
    reader = SqlDeskReader(sessions)
    assert await _same(sessions, reader) > 0  # the populated demo
    await _rows_match(sessions)
    await _ballots_match(sessions, reader)
    rng = random.Random(18)
    await _generate(sessions, rng, 120)
    assert await _same(sessions, reader) > 100
    await _change_roles(sessions, rng)
    await _same(sessions, reader)
    await _reassign(sessions, rng, 30)
    await _rows_match(sessions)
    await _same(sessions, reader)


@pytest.mark.parametrize("revision", ["0013_dossier_participants", "0016_participant_tasks"])
async def test_the_migration_fills_the_rows_of_stored_dossiers_as_their_saves_do(
        engine: AsyncEngine, tmp_path: Path, revision: str) -> None:  # noqa: F811
    """0013 writes the participants, 0016 marks the roles with a task: each backfill,
    run on the stored demo with its rows wiped, gives back what the saves wrote."""
    from importlib import import_module

    migration = import_module(f"storage.migrations.versions.{revision}")
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text()), actor="cli", source="demo")
    await populate(engine, Settings.of(data_dir=tmp_path), now=NOW)
    sessions = session_factory(engine)
    columns = (ParticipantRow.dossier_id, ParticipantRow.role, ParticipantRow.party,
               ParticipantRow.task)
    async with sessions() as session:
        before = {tuple(r) for r in (await session.execute(select(*columns))).all()}
    assert len({row[0] for row in before}) == 12
    assert any(row[3] for row in before) and not all(row[3] for row in before)
    wipe = (delete(ParticipantRow) if revision.startswith("0013")
            else update(ParticipantRow).values(task=False))
    async with engine.begin() as connection:
        await connection.execute(wipe)
        await connection.run_sync(migration._backfill)
    async with sessions() as session:
        after = {tuple(r) for r in (await session.execute(select(*columns))).all()}
    if revision.startswith("0013"):  # rows written as new: no task marked yet (0016 does)
        before = {(*row[:3], False) for row in before}
    assert after == before
