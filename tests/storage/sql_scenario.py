"""Running the services' scenarios on real storage.

After each commit the committed dossiers, ballots and obligations are read back
through the SQL repositories into the scenario's in-memory ``Store``, so every
assertion the unit tests make about "what is stored" now checks the database's
round trip too.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dossier_models import BallotRow, DossierRow, ObligationRow
from storage.models import Body, Membership, Organisation, Person
from storage.uow import (
    SqlBallots,
    SqlDossiers,
    SqlObligations,
    SqlUnitOfWork,
    _dossier_data,
)
from tests.fakes import Store
from workflow.dossier import Dossier
from workflow.events import Event
from workflow.rules import bundled_rulebook

# Everyone the scenarios act as; dossiers refer to people, so they must exist.
PEOPLE = ("cadre-1", "cadre-2", "cell-secretary", "office-clerk", "secretary",
          *(f"member-{i}" for i in range(1, 10)), "appraiser-1", "inspector-1", "superior",
          "admin", "outsider")


async def seed(engine: AsyncEngine) -> None:
    """The scenario's people, and bodies named like the route bodies (a dossier's body
    mapping is the identity in the scenarios) with the memberships the actors' grants
    describe, so that notifications and reminders resolve to people."""
    packs = bundled_rulebook().packs()
    body_ids = sorted({b.id for pack in packs for b in pack.bodies})
    routes = [k.route for pack in packs for k in pack.unit_kinds]
    roles: set[tuple[str, str, str]] = set()
    for route in routes:
        roles.add(("office-clerk", route.via, "office"))
        roles.add(("secretary", route.head, "head"))
        for decider in route.decision_bodies:
            roles.add(("secretary", decider, "secretary"))
            roles.update((f"member-{i}", decider, "member") for i in range(1, 5))
        if route.preliminary_review:
            roles.add(("cell-secretary", route.preliminary_review, "secretary"))
    async with session_factory(engine)() as session, session.begin():
        session.add(Organisation(id="scenario", name="Scenario", pack_id="duc-pho-2022"))
        await session.flush()
        session.add_all(Body(id=b, organisation_id="scenario", name=b, kind=b, parent_id=None)
                        for b in body_ids)
        session.add_all(Person(id=p, organisation_id="scenario", name=p, title=None,
                               unit_id=None, language="vi") for p in PEOPLE)
        await session.flush()
        session.add_all(Membership(person_id=p, body_id=b, role=r, counted=r != "office",
                                   valid_from=None, valid_to=None)
                        for p, b, r in sorted(roles))


async def push_dossier(engine: AsyncEngine, dossier: Dossier) -> None:
    """Write a dossier changed by a test's set-up straight to the database."""
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(DossierRow).where(DossierRow.id == dossier.id)
                              .values(data=_dossier_data(dossier)))


def sql_uow(engine: AsyncEngine, store: Store) -> SqlUnitOfWork:
    sessions = session_factory(engine)

    async def mirror(events: list[Event]) -> None:
        async with sessions() as session:
            dossiers, ballots = SqlDossiers(session), SqlBallots(session)
            obligations = SqlObligations(session)
            for dossier_id in (await session.execute(select(DossierRow.id))).scalars():
                store.dossiers[dossier_id] = await dossiers.get(dossier_id)  # type: ignore[assignment]
            for ballot_id in (await session.execute(select(BallotRow.id))).scalars():
                store.ballots[ballot_id] = await ballots.get(ballot_id)  # type: ignore[assignment]
            for ob_id in (await session.execute(select(ObligationRow.id))).scalars():
                store.obligations[ob_id] = await obligations.get(ob_id)  # type: ignore[assignment]
        store.published.extend(events)

    return SqlUnitOfWork(sessions, on_commit=mirror)
