"""People, accounts and the organisation for the conversation (handlers.ports.Directory)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.ports import FoundDossier, LinkedChannel, LinkStatus, PersonInfo, Unreachable
from storage import audit, channel_prefs, outbox, search
from storage.desk_read import load_dossiers
from storage.dossier_models import DossierRow, ObligationRow
from storage.invitations import RedeemStatus, redeem
from storage.models import (
    Body,
    ChatAccount,
    LinkAttempt,
    Membership,
    Organisation,
    Person,
    Unit,
)
from storage.organisation import load_tree
from storage.reads import reading, turn_committee_role
from storage.uow import SqlDossiers
from workflow.actors import Actor
from workflow.dossier import Dossier
from workflow.lifecycle import TERMINAL_STATES, State
from workflow.organisation import (
    HigherBody,
    OrgBody,
    OrgTree,
    escalation_targets,
    resolve_route_bodies,
)
from workflow.permissions import COUNTED, grants_of, is_committee_role
from workflow.rules import RuleBook
from workflow.rules.model import Pack
from workflow.voting import BallotMode

# Wrong codes allowed per account in the window before linking is refused for a while.
LINK_ATTEMPTS = 5
LINK_WINDOW = timedelta(minutes=15)

# Dossiers that are not open: not yet sent, or finished.
FINISHED = tuple(sorted(s.value for s in {State.DRAFT, *TERMINAL_STATES}))


class SqlDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], rulebook: RuleBook) -> None:
        self._sessions = sessions
        self._rulebook = rulebook

    async def person_for_account(self, channel: str, account: str) -> PersonInfo | None:
        async with reading(self._sessions) as session:  # every turn: not the writer's lock
            person_id = await session.scalar(select(ChatAccount.person_id).where(
                ChatAccount.channel == channel, ChatAccount.external_id == account))
            return await _person(session, person_id) if person_id else None

    async def person(self, person_id: str) -> PersonInfo | None:
        async with self._sessions() as session:
            return await _person(session, person_id)

    async def actor(self, person_id: str) -> Actor:
        today = date.today()
        async with reading(self._sessions) as session:
            rows = (await session.execute(select(Membership).where(
                Membership.person_id == person_id, _current(today)))).scalars().all()
        return Actor(person_id, frozenset().union(
            *(grants_of(m.role, m.body_id, m.counted) for m in rows)))

    async def route_bodies(self, person_id: str, pack: Pack) -> dict[str, str]:
        async with self._sessions() as session:
            person = await _person(session, person_id)
            if person is None or not person.unit_id or not person.unit_kind:
                return {}
            org_id = await session.scalar(select(Person.organisation_id)
                                          .where(Person.id == person_id))
            tree = await load_tree(session, org_id or "")
        if person.unit_kind not in pack.unit_kind_ids():
            return {}  # the unit's kind is not one of the rules in force
        route = pack.unit_kind(person.unit_kind).route
        found = resolve_route_bodies(tree, person.unit_id, route.body_ids())
        return {kind: body for kind in route.body_ids() if (body := found.body(kind))}

    async def route_ballots(self, bodies: Mapping[str, str]) -> dict[str, BallotMode]:
        """Route body id -> the ballot mode its organisation's body set for itself (only
        where the organisation file overrides the pack)."""
        async with self._sessions() as session:
            rows = dict((await session.execute(select(Body.id, Body.ballot).where(
                Body.id.in_(list(bodies.values())), Body.ballot.is_not(None)))).tuples().all())
        return {kind: BallotMode(mode) for kind, body in bodies.items()
                if (mode := rows.get(body))}

    async def body_names(self, body_ids: list[str]) -> dict[str, str]:
        async with reading(self._sessions) as session:  # every list: not the writer's lock
            rows = (await session.execute(select(Body.id, Body.name)
                                          .where(Body.id.in_(body_ids)))).all()
        return {body_id: name for body_id, name in rows}

    async def body_kinds(self, body_ids: list[str]) -> dict[str, str]:
        async with reading(self._sessions) as session:  # every list: not the writer's lock
            rows = (await session.execute(select(Body.id, Body.kind)
                                          .where(Body.id.in_(body_ids)))).all()
        return {body_id: kind for body_id, kind in rows}

    async def body_line(self, body_id: str) -> list[OrgBody]:
        async with self._sessions() as session:
            line: list[OrgBody] = []
            current: str | None = body_id
            while current is not None and len(line) < 12:  # a chart is never deeper
                row = await session.get(Body, current)
                if row is None or any(b.id == row.id for b in line):
                    break
                line.append(OrgBody(row.id, row.name, row.kind, row.parent_id))
                current = row.parent_id
        return line

    async def find_people(self, query: str, limit: int = 5) -> list[PersonInfo]:
        words = [w for w in query.lower().split() if w]
        if not words:
            return []
        async with self._sessions() as session:
            ids = (await session.execute(
                select(Person.id).where(*(func.lower(Person.name).contains(w) for w in words))
                .order_by(Person.name).limit(limit))).scalars().all()
            found = [await _person(session, person_id) for person_id in ids]
        return [p for p in found if p is not None]

    async def link(self, code: str, channel: str, account: str,
                   chat: str) -> tuple[LinkStatus, str | None]:
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            failures = await session.scalar(select(func.count()).select_from(LinkAttempt).where(
                LinkAttempt.channel == channel, LinkAttempt.account == account,
                LinkAttempt.at > now - LINK_WINDOW, LinkAttempt.succeeded.is_(False)))
            if (failures or 0) >= LINK_ATTEMPTS:
                return LinkStatus.RATE_LIMITED, None
            result = await redeem(session, code, channel=channel, external_id=account,
                                  chat_id=chat, now=now)
            ok = result.status is RedeemStatus.LINKED
            session.add(LinkAttempt(channel=channel, account=account, at=now, succeeded=ok))
        return LinkStatus(result.status.value), result.person_id if ok else None

    async def set_language(self, person_id: str, language: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(update(Person).where(Person.id == person_id)
                                  .values(language=language))
            await audit.append(session, action="language_set", actor=person_id,
                               payload={"language": language})

    async def dossiers_of(self, person_id: str) -> list[Dossier]:
        async with self._sessions() as session:
            ids = (await session.execute(select(DossierRow.id).where(
                DossierRow.proposer_id == person_id).order_by(DossierRow.id.desc())
            )).scalars().all()
            repository = SqlDossiers(session)
            found = [await repository.get(dossier_id) for dossier_id in ids]
        return [d for d in found if d is not None]


    async def open_dossiers(self, also: Collection[int] = ()) -> list[Dossier]:
        wanted: ColumnElement[bool] = DossierRow.state.not_in(FINISHED)
        if also:
            wanted = or_(wanted, DossierRow.id.in_(sorted(also)))
        async with reading(self._sessions) as session:
            ids = list((await session.execute(select(DossierRow.id).where(wanted)
                                              .order_by(DossierRow.id))).scalars())
            # The desk reads a person's own (storage.desk_read); this reads them all.
            return await load_dossiers(session, ids)

    async def owing_dossier_ids(self) -> frozenset[int]:
        async with self._sessions() as session:
            return frozenset((await session.execute(select(ObligationRow.dossier_id).where(
                ObligationRow.done_at.is_(None)).distinct())).scalars())

    async def counted_members(self, body_id: str) -> list[str]:
        async with self._sessions() as session:
            rows = (await session.execute(select(Membership.person_id).where(
                Membership.body_id == body_id, Membership.role.in_(sorted(COUNTED)),
                Membership.counted.is_(True), _current(date.today()),
            ).order_by(Membership.person_id))).scalars().all()
        return list(dict.fromkeys(rows))

    async def people_on(self, body_id: str, roles: tuple[str, ...]) -> list[PersonInfo]:
        async with self._sessions() as session:
            ids = (await session.execute(select(Membership.person_id).where(
                Membership.body_id == body_id, Membership.role.in_(roles),
                _current(date.today())))).scalars().all()
            found = [await _person(session, p) for p in dict.fromkeys(ids)]
        return sorted((p for p in found if p is not None), key=lambda p: p.name)

    async def has_committee_role(self, person_id: str) -> bool:
        known = turn_committee_role(person_id)  # read with the turn (storage.conversations)
        if known is not None:
            return known
        async with reading(self._sessions) as session:  # every menu: not the writer's lock
            rows = (await session.execute(
                select(Membership.role, Body.kind).join(Body, Body.id == Membership.body_id)
                .where(Membership.person_id == person_id, _current(date.today())))).all()
        return any(is_committee_role(role, kind) for role, kind in rows)

    async def people_of_kind(self, kind: str, roles: tuple[str, ...]) -> list[PersonInfo]:
        async with self._sessions() as session:
            bodies = (await session.execute(select(Body.id).where(Body.kind == kind)
                                            .order_by(Body.id))).scalars().all()
        found: dict[str, PersonInfo] = {}
        for body in bodies:
            for person in await self.people_on(body, roles):
                found.setdefault(person.id, person)
        return sorted(found.values(), key=lambda p: p.name)

    async def escalation_targets(self, superior: str, kinds: tuple[str, ...]
                                 ) -> list[HigherBody]:
        async with self._sessions() as session:
            org_id = await session.scalar(select(Body.organisation_id)
                                          .where(Body.id == superior))
            if org_id is None:
                return escalation_targets(OrgTree([], []), superior, kinds)
            tree = await load_tree(session, org_id)
        return escalation_targets(tree, superior, kinds)

    async def unreachable(self) -> list[Unreachable]:
        async with self._sessions() as session:
            rows = await outbox.unreachable(session)
        out = []
        for row in rows:
            raw = row.payload.get("recipient") or {}
            out.append(Unreachable(
                dossier_id=int(row.payload.get("data", {}).get("dossier_id", 0)),
                event=str(row.payload.get("event", "")), person_id=row.person_id,
                role=raw.get("role"), body=raw.get("body")))
        return out

    async def linked_channels(self, person_id: str) -> list[LinkedChannel]:
        async with self._sessions() as session:
            return await channel_prefs.linked_channels(session, person_id)

    async def prefer_channel(self, person_id: str, channel: str | None) -> bool:
        async with self._sessions() as session, session.begin():
            return await channel_prefs.prefer_channel(session, person_id, channel,
                                                      datetime.now(UTC))

    async def search_dossiers(self, person_id: str, *, words: str, unit: str | None = None,
                              year: int | None = None, state: str | None = None,
                              limit: int = 10) -> list[FoundDossier]:
        actor = await self.actor(person_id)
        async with self._sessions() as session:
            return await search.search_dossiers(session, words=words, visible_to=actor,
                                                unit=unit, year=year, state=state,
                                                limit=limit)


def _current(today: date):  # type: ignore[no-untyped-def]
    return (or_(Membership.valid_from.is_(None), Membership.valid_from <= today)
            & or_(Membership.valid_to.is_(None), Membership.valid_to >= today))


async def _person(session: AsyncSession, person_id: str) -> PersonInfo | None:
    row = (await session.execute(
        select(Person, Unit, Organisation.pack_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(Person.id == person_id))).first()
    if row is None:
        return None
    person, unit, pack_id = row
    return PersonInfo(id=person.id, name=person.name, language=person.language or "vi",
                      title=person.title, unit_id=unit.id if unit else None,
                      unit_name=unit.name if unit else None,
                      unit_kind=unit.unit_kind if unit else None, pack_id=pack_id)
