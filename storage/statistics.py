"""Reading what the statistics need (``workflow.statistics``), for a body and the bodies
under it or for the whole installation (``/thongke``, ``cadrebot report stats``).

A dossier belongs to a body's statistics when the body, or one under it, handled it: the
party cell, the office, the appraisal lead, the legal reviewer, a deciding body, the
head, or the committee it was forwarded to. The direct superior and the bodies only
informed do not count it (the superior's own statistics count its subordinates' anyway).
Dossiers are read in two queries (the blobs, then every history line), not one by one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.dossier_models import DossierHistoryRow, DossierRow, ObligationRow
from storage.models import Body, Membership, Person, Unit
from storage.uow import DOSSIER_BLOB, OBLIGATION_BLOB
from workflow.calendar import WorkingDays
from workflow.dossier import Dossier
from workflow.lifecycle import State
from workflow.obligations import Obligation
from workflow.permissions import is_committee_role
from workflow.quiet_hours import VIETNAM
from workflow.rules import RuleBook, UnknownPack
from workflow.rules.model import Text
from workflow.statistics import Period, Statistics, UnitOf, compute

_CHUNK = 500  # ids per IN (...) list


async def descendants(session: AsyncSession, roots: Collection[str]) -> set[str]:
    """The bodies ``roots`` and every body under them."""
    children: dict[str | None, list[str]] = {}
    for body, parent in (await session.execute(select(Body.id, Body.parent_id))).all():
        children.setdefault(parent, []).append(body)
    found: set[str] = set()
    todo = list(roots)
    while todo:
        body = todo.pop()
        if body not in found:
            found.add(body)
            todo += children.get(body, [])
    return found


async def committees_of(session: AsyncSession, person_id: str, today: date
                        ) -> list[tuple[str, str]]:
    """The committees whose statistics a person sees, as (body id, name), by name.

    A membership with a committee role (``permissions.is_committee_role``) on a body with
    bodies under it (a party committee, a party cell) stands for that body; on a body
    without (the office, the standing board, the secretary's post, a board) it stands for
    the committee that body belongs to, its parent.
    """
    rows = (await session.execute(
        select(Membership.role, Body.id, Body.kind, Body.parent_id)
        .join(Body, Body.id == Membership.body_id)
        .where(Membership.person_id == person_id,
               or_(Membership.valid_from.is_(None), Membership.valid_from <= today),
               or_(Membership.valid_to.is_(None), Membership.valid_to >= today)))).all()
    parents = set((await session.execute(
        select(Body.parent_id).where(Body.parent_id.is_not(None)))).scalars())
    roots = {body if body in parents or parent is None else parent
             for role, body, kind, parent in rows if is_committee_role(role, kind)}
    names = dict((await session.execute(
        select(Body.id, Body.name).where(Body.id.in_(sorted(roots))))).all())
    return sorted(((b, names.get(b, b)) for b in roots), key=lambda pair: pair[1])


def handled_by(dossier: Dossier) -> set[str]:
    """The concrete bodies that handled the dossier (see the module)."""
    route = dossier.route
    informed = {route.escalation_to, *route.also_inform}
    bodies = {dossier.body(b) for b in route.body_ids() - informed}
    if dossier.forwarding is not None:
        bodies.add(dossier.forwarding.body)
    return bodies


async def read_dossiers(session: AsyncSession, scope: set[str] | None) -> list[Dossier]:
    """Every sent dossier (drafts never are) handled within ``scope`` (None: all)."""
    rows = (await session.execute(select(DossierRow).where(
        DossierRow.state != State.DRAFT.value).order_by(DossierRow.id))).scalars().all()
    history: dict[int, list[dict[str, object]]] = {row.id: [] for row in rows}
    steps = await session.execute(
        select(DossierHistoryRow).join(DossierRow, DossierRow.id == DossierHistoryRow.dossier_id)
        .where(DossierRow.state != State.DRAFT.value)
        .order_by(DossierHistoryRow.dossier_id, DossierHistoryRow.seq))
    for s in steps.scalars():
        history.setdefault(s.dossier_id, []).append(
            {"action": s.action, "from_state": s.from_state, "to_state": s.to_state,
             "by": s.by, "at": s.at.isoformat(), "note": s.note})
    found = [DOSSIER_BLOB.load(row.data, row.id, extra={"history": history[row.id]})
             for row in rows]
    return [d for d in found if scope is None or handled_by(d) & scope]


async def read_obligations(session: AsyncSession, dossier_ids: Sequence[int]
                           ) -> list[Obligation]:
    found: list[Obligation] = []
    for start in range(0, len(dossier_ids), _CHUNK):
        chunk = list(dossier_ids[start:start + _CHUNK])
        rows = (await session.execute(select(ObligationRow).where(
            ObligationRow.dossier_id.in_(chunk)).order_by(ObligationRow.id))).scalars().all()
        found += [OBLIGATION_BLOB.load(row.data, row.id) for row in rows]
    return found


async def units_of(session: AsyncSession, people: Collection[str]) -> dict[str, UnitOf]:
    """Where each proposer works (people without a unit are left out)."""
    rows = (await session.execute(
        select(Person.id, Unit.id, Unit.name, Unit.unit_kind)
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.id.in_(sorted(people))))).all()
    return {person: UnitOf(unit, name, kind) for person, unit, name, kind in rows}


def unit_kind_names(dossiers: Sequence[Dossier], rulebook: RuleBook) -> dict[str, Text]:
    """The unit kinds' descriptions, from the pack each dossier was routed under."""
    names: dict[str, Text] = {}
    for dossier in dossiers:
        if dossier.unit_kind in names:
            continue
        try:
            pack = rulebook.get(dossier.pack_id)
            names[dossier.unit_kind] = pack.unit_kind(dossier.unit_kind).description
        except (UnknownPack, KeyError, LookupError):
            continue  # a pack since removed: the id is shown instead
    return names


@dataclass
class SqlStatistics:
    """The statistics port (``handlers.ports.StatisticsReader``) on the database."""

    sessions: async_sessionmaker[AsyncSession]
    calendar: WorkingDays
    rulebook: RuleBook
    zone: tzinfo = VIETNAM

    async def committees_of(self, person_id: str, today: date) -> list[tuple[str, str]]:
        async with self.sessions() as session:
            return await committees_of(session, person_id, today)

    async def statistics(self, bodies: Collection[str] | None, period: Period,
                         as_of: date) -> Statistics:
        """For ``bodies`` and the bodies under them (None: the whole installation)."""
        async with self.sessions() as session:
            scope = None if bodies is None else await descendants(session, bodies)
            dossiers = await read_dossiers(session, scope)
            obligations = await read_obligations(session, [d.id for d in dossiers])
            units = await units_of(session, {d.proposer for d in dossiers})
            names = dict((await session.execute(select(Body.id, Body.name).where(
                Body.id.in_(sorted(bodies or ()))))).all())
        result = compute(dossiers, obligations, self.calendar, period, as_of=as_of,
                         units=units, zone=self.zone)
        return replace(result, scope=tuple(names.get(b, b) for b in sorted(bodies or ())),
                       unit_kind_names=unit_kind_names(dossiers, self.rulebook))
