"""The desk's read side (handlers.ports.DeskReader): a person's dossiers, chosen in SQL.

``/viec``, ``/hanchot`` and the office's overview used to load every open dossier of the
installation and ask each one ``Dossier.roles_of``. Here the same facts live as rows of
``dossier_participants`` (the proposers and the people assigned, the concrete bodies the
route puts a role on), written with the dossier in the same transaction, so the database
returns only the dossiers on which the person's grants give them a part; the handlers
then apply the same permission rules to those. Reads load rows and histories in a few
batched queries instead of two per dossier, in read-only sessions (on SQLite they take
no writer's lock).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.ports import DeskDossiers, DeskPage
from storage.dossier_models import DossierHistoryRow, DossierRow, ObligationRow, ParticipantRow
from storage.models import Person
from storage.reads import reading
from workflow.actors import Actor, Role
from workflow.desk_tasks import task_roles
from workflow.dossier import Dossier
from workflow.lifecycle import TERMINAL_STATES, State
from workflow.obligations import Obligation
from workflow.voting import Ballot

# Dossiers that are not open: not yet sent, or finished (as Directory.open_dossiers).
FINISHED = tuple(sorted(s.value for s in {State.DRAFT, *TERMINAL_STATES}))
# Roles a dossier gives a person by name; the others come from a grant on a route body.
PERSON_ROLES = (Role.PROPOSER, Role.APPRAISER, Role.LEGAL_REVIEWER)
BODY_ROLES = (Role.CELL_SECRETARY, Role.OFFICE, Role.MEMBER, Role.HEAD, Role.SUPERIOR)
CHUNK = 500  # ids per IN list: well under SQLite's bound-parameter limit
# The desk's lists, soonest due first, those without a due date last, then by id.
BY_DUE = (case((DossierRow.due_on.is_(None), 1), else_=0), DossierRow.due_on, DossierRow.id)


def participants(dossier: Dossier) -> set[tuple[str, str]]:
    """(role, party) pairs: exactly what ``Dossier.roles_of`` matches an actor against."""
    route = dossier.route
    found = {(Role.PROPOSER.value, p) for p in dossier.proposers}
    found |= {(Role.APPRAISER.value, p) for p in dossier.appraisers}
    found |= {(Role.LEGAL_REVIEWER.value, p) for p in dossier.legal_reviewers}
    if route.preliminary_review:
        found.add((Role.CELL_SECRETARY.value, dossier.body(route.preliminary_review)))
    found.add((Role.OFFICE.value, dossier.body(route.via)))
    found |= {(Role.MEMBER.value, dossier.body(b)) for b in route.decision_bodies}
    found.add((Role.HEAD.value, dossier.body(route.head)))
    found.add((Role.SUPERIOR.value, dossier.body(route.escalation_to)))
    return found


def tasks(dossier: Dossier) -> dict[tuple[str, str], bool]:
    """Each participant (role, party) with whether its role has a task now
    (``workflow.desk_tasks``): the rows ``sync_participants`` keeps."""
    roles = {role.value for role in task_roles(dossier)}
    return {(role, party): role in roles for role, party in participants(dossier)}


async def sync_participants(session: AsyncSession, dossier: Dossier, *, new: bool) -> None:
    """Make the dossier's participant rows match it (called by the dossier's save)."""
    wanted = tasks(dossier)
    held: dict[tuple[str, str], bool] = {} if new else {
        (role, party): task for role, party, task in (await session.execute(
            select(ParticipantRow.role, ParticipantRow.party, ParticipantRow.task)
            .where(ParticipantRow.dossier_id == dossier.id))).all()}
    for role, party in held.keys() - wanted.keys():
        await session.execute(delete(ParticipantRow).where(
            ParticipantRow.dossier_id == dossier.id, ParticipantRow.role == role,
            ParticipantRow.party == party))
    for flag in (True, False):  # a step changes the task of a few roles: one UPDATE each way
        changed = sorted(role for (role, party), task in wanted.items()
                         if (role, party) in held and held[(role, party)] != task == flag)
        if changed:
            await session.execute(update(ParticipantRow).where(
                ParticipantRow.dossier_id == dossier.id, ParticipantRow.role.in_(changed))
                .values(task=flag))
    added = sorted(wanted.keys() - held.keys())
    if added:
        await session.execute(insert(ParticipantRow), [
            {"dossier_id": dossier.id, "role": role, "party": party,
             "task": wanted[(role, party)]} for role, party in added])


def involves(actor: Actor) -> ColumnElement[bool]:
    """Participant rows that give ``actor`` a role (``Dossier.roles_of``, admin aside: an
    administrator takes no step in a dossier)."""
    wanted: list[ColumnElement[bool]] = [and_(
        ParticipantRow.party == actor.person_id,
        ParticipantRow.role.in_([r.value for r in PERSON_ROLES]))]
    for role in BODY_ROLES:
        bodies = sorted(b for b in actor.bodies_with(role) if b)
        if bodies:
            wanted.append(and_(ParticipantRow.role == role.value,
                               ParticipantRow.party.in_(bodies)))
    return or_(*wanted)


def _tasks_of(actor: Actor) -> Select[int]:
    """Ids of the dossiers on ``actor``'s desk (what /viec lists): a role of theirs has a
    task on it, or the office or head owes a written duty on it. On their own plan a
    proposer acts only as proposer (``workflow.conflicts.acting_roles``)."""
    proposing = select(ParticipantRow.dossier_id).where(
        ParticipantRow.party == actor.person_id, ParticipantRow.role == Role.PROPOSER.value)
    return select(ParticipantRow.dossier_id).where(
        involves(actor),
        or_(ParticipantRow.role == Role.PROPOSER.value,
            ParticipantRow.dossier_id.not_in(proposing)),
        or_(ParticipantRow.task, and_(
            ParticipantRow.role.in_([Role.OFFICE.value, Role.HEAD.value]),
            ParticipantRow.dossier_id.in_(_owing()))))


def _owing() -> Any:
    return select(ObligationRow.dossier_id).where(ObligationRow.done_at.is_(None))


class SqlDeskReader:
    """``cache``: decoded dossiers kept by id, each with the version and time of the save
    it came from, so that a dossier unchanged since the last look is not decoded again
    (decoding dominates a long list). The check is against the row read now: a save by
    any process changes both. The dossiers handed out are for reading only."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cache: int = 20_000
                 ) -> None:
        self._sessions = sessions
        self._size = cache
        self._decoded: OrderedDict[int, tuple[tuple[int, datetime], Dossier]] = OrderedDict()

    async def involving(self, actor: Actor, *, proposed: bool = False) -> DeskDossiers:
        owes = DossierRow.id.in_(_owing())
        wanted = or_(DossierRow.state.not_in(FINISHED), owes)
        if proposed:
            wanted = or_(wanted, DossierRow.proposer_id == actor.person_id)
        mine = select(ParticipantRow.dossier_id).where(involves(actor))
        async with reading(self._sessions) as session:  # two queries, then what is not decoded
            rows = (await session.execute(
                select(DossierRow.id, DossierRow.version, DossierRow.updated_at, owes)
                .where(DossierRow.id.in_(mine), wanted).order_by(DossierRow.id))).all()
            held: dict[int, set[Role]] = {i: set() for i, _, _, _ in rows}
            for dossier_id, role in (await session.execute(
                    select(ParticipantRow.dossier_id, ParticipantRow.role)
                    .where(involves(actor)))).all():
                if dossier_id in held:
                    held[dossier_id].add(Role(role))
            dossiers = await self._decode(session, [(i, (v, at)) for i, v, at, _ in rows])
        return DeskDossiers(dossiers=dossiers,
                            owing=frozenset(i for i, _, _, owing in rows if owing),
                            roles={d.id: frozenset(held[d.id]) for d in dossiers})

    async def open_at(self, offices: Collection[str]) -> list[Dossier]:
        bodies = sorted(offices)
        if not bodies:
            return []
        async with reading(self._sessions) as session:
            # office_body is the route's via body (storage.uow), indexed.
            return await self._load(session, select(
                DossierRow.id, DossierRow.version, DossierRow.updated_at)
                .where(DossierRow.office_body.in_(bodies), DossierRow.state.not_in(FINISHED)))

    async def tasks(self, actor: Actor, *, offset: int, limit: int) -> DeskPage:
        wanted = and_(DossierRow.id.in_(_tasks_of(actor)),
                      or_(DossierRow.state.not_in(FINISHED), DossierRow.id.in_(_owing())))
        return await self._page(wanted, offset, limit)

    async def open_page(self, offices: Collection[str], *, offset: int, limit: int
                        ) -> DeskPage:
        bodies = sorted(b for b in offices if b)
        if not bodies:
            return DeskPage([], 0)
        return await self._page(and_(DossierRow.office_body.in_(bodies),
                                     DossierRow.state.not_in(FINISHED)), offset, limit)

    async def _page(self, wanted: ColumnElement[bool], offset: int, limit: int) -> DeskPage:
        """The count of the dossiers ``wanted`` selects and one page of them, by due date
        (those without one last), then id: one query (the count beside each row), a
        second only when the page is empty; then the page decoded."""
        async with reading(self._sessions) as session:
            rows = [] if limit <= 0 else (await session.execute(
                select(DossierRow.id, DossierRow.version, DossierRow.updated_at,
                       func.count().over()).where(wanted)
                .order_by(*BY_DUE).offset(offset).limit(limit))).all()
            if not rows:  # past the end (or nothing at all): how many there are
                return DeskPage([], await session.scalar(
                    select(func.count()).select_from(DossierRow).where(wanted)) or 0)
            dossiers = await self._decode(session, [(i, (v, at)) for i, v, at, _ in rows])
        return DeskPage(dossiers, rows[0][3])

    async def _load(self, session: AsyncSession, stamps: Select[int, int, datetime]
                    ) -> list[Dossier]:
        """The dossiers ``stamps`` selects (id, version, updated_at), by id."""
        return await self._decode(session, [(i, (version, at)) for i, version, at in (
            await session.execute(stamps.order_by(DossierRow.id))).all()])

    async def _decode(self, session: AsyncSession,
                      found: list[tuple[int, tuple[int, datetime]]]) -> list[Dossier]:
        """The dossiers of ``found`` (id, (version, updated_at)), from the cache when the
        stamp is the same, otherwise read and decoded now."""
        stale = [i for i, stamp in found
                 if (held := self._decoded.get(i)) is None or held[0] != stamp]
        fresh = {d.id: d for d in await load_dossiers(session, stale)}
        out: list[Dossier] = []
        for i, stamp in found:
            if i in fresh:
                self._decoded[i] = (stamp, fresh[i])
            elif (held := self._decoded.get(i)) is None or held[0] != stamp:
                continue  # gone between the two reads
            self._decoded.move_to_end(i)
            out.append(self._decoded[i][1])
        while len(self._decoded) > self._size:
            self._decoded.popitem(last=False)
        return out

    async def deadline_inputs(self, ballot_ids: Collection[int], duties_of: Collection[int]
                              ) -> tuple[dict[int, Ballot], dict[int, list[Obligation]]]:
        ballots: dict[int, Ballot] = {}
        duties: dict[int, list[Obligation]] = {i: [] for i in duties_of}
        if not ballot_ids and not duties:
            return ballots, duties
        from storage.uow import OBLIGATION_BLOB, SqlBallots

        async with reading(self._sessions) as session:
            repository = SqlBallots(session)  # decoded as the unit of work decodes them
            for chunk in _chunks(sorted(ballot_ids)):  # a member of many bodies: many
                ballots.update(await repository.load_many(chunk))
            for chunk in _chunks(sorted(duties)):
                for row in (await session.execute(select(ObligationRow).where(
                        ObligationRow.dossier_id.in_(chunk))
                        .order_by(ObligationRow.id))).scalars():
                    duties[row.dossier_id].append(OBLIGATION_BLOB.load(row.data, row.id))
        return ballots, duties

    async def person_names(self, person_ids: Collection[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if not person_ids:
            return found
        async with reading(self._sessions) as session:
            for i in range(0, len(ids := sorted(person_ids)), CHUNK):
                found.update((person, name) for person, name in (await session.execute(
                    select(Person.id, Person.name).where(Person.id.in_(ids[i:i + CHUNK]))
                )).all())
        return found


async def load_dossiers(session: AsyncSession, ids: list[int]) -> list[Dossier]:
    """The dossiers of ``ids`` in that order, with their histories: two queries a chunk."""
    # Imported here: storage.uow imports this module to keep the participants in step.
    from storage.uow import DOSSIER_BLOB

    found: list[Dossier] = []
    for chunk in _chunks(ids):
        rows = {row.id: row for row in (await session.execute(
            select(DossierRow.id, DossierRow.data).where(DossierRow.id.in_(chunk)))).all()}
        steps: dict[int, list[dict[str, Any]]] = {i: [] for i in chunk}
        for s in (await session.execute(
                select(DossierHistoryRow).where(DossierHistoryRow.dossier_id.in_(chunk))
                .order_by(DossierHistoryRow.dossier_id, DossierHistoryRow.seq))).scalars():
            steps[s.dossier_id].append(
                {"action": s.action, "from_state": s.from_state, "to_state": s.to_state,
                 "by": s.by, "at": s.at.isoformat(), "note": s.note})
        found.extend(DOSSIER_BLOB.load(rows[i].data, i, extra={"history": steps[i]})
                     for i in chunk if i in rows)
    return found


def stored_dossiers(connection: Connection, batch: int = CHUNK) -> Iterator[list[Dossier]]:
    """Every stored dossier (without its history), decoded as the application reads it
    (every upcaster applied), ``batch`` at a time by id: what the migrations that fill a
    read-side column from the dossiers walk through (0013, 0016)."""
    from storage.uow import DOSSIER_BLOB

    last: int | None = None
    while True:
        query = select(DossierRow.id, DossierRow.data).order_by(DossierRow.id).limit(batch)
        rows = connection.execute(query if last is None else query.where(DossierRow.id > last)
                                  ).all()
        if not rows:
            return
        yield [DOSSIER_BLOB.load(data, i, extra={"history": []}) for i, data in rows]
        last = rows[-1][0]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    return (ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK))
