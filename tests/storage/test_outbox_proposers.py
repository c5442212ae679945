"""A proposer who also holds a role on the body is not sent that role's duties on their
own plan (conflict of interest): the others holding it are, and with nobody else the row
is left unresolved for the office's overview, never sent to the proposer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import Body, Membership, Organisation, OutboxMessage, Person
from storage.outbox import OutboxWriter
from workflow.actors import Role
from workflow.events import DossierSubmitted, Recipient

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


async def _seed(engine: AsyncEngine, office: tuple[str, ...]) -> None:
    async with session_factory(engine)() as session, session.begin():
        session.add(Organisation(id="o", name="O", pack_id="duc-pho-2022"))
        await session.flush()
        session.add(Body(id="office", organisation_id="o", name="Văn phòng", kind="office",
                         parent_id=None))
        session.add_all(Person(id=p, organisation_id="o", name=p, title=None, unit_id=None,
                               language="vi") for p in ("clerk-a", "clerk-b"))
        await session.flush()
        session.add_all(Membership(person_id=p, body_id="office", role="office", counted=False,
                                   valid_from=None, valid_to=None) for p in office)


def _submitted() -> DossierSubmitted:
    return DossierSubmitted(
        dossier_id=7, at=NOW, to_route_body="office", to_body="office", round=1,
        notify=(Recipient(Role.OFFICE, body="office"),
                Recipient(Role.PROPOSER, person="clerk-a")))


async def _rows(engine: AsyncEngine) -> list[tuple[str | None, str, str]]:
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
        return sorted(((r.person_id, r.status, r.payload["recipient"].get("role") or "")
                       for r in rows), key=str)


async def _write(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session, session.begin():
        await OutboxWriter().write(session, [_submitted()], NOW, {7: ("clerk-a",)})


async def test_the_office_duty_goes_to_the_other_clerk(engine: AsyncEngine) -> None:
    await _seed(engine, ("clerk-a", "clerk-b"))
    await _write(engine)
    assert await _rows(engine) == [("clerk-a", "pending", "proposer"),
                                   ("clerk-b", "pending", "office")]


async def test_a_proposer_alone_in_the_role_leaves_the_duty_unresolved(
        engine: AsyncEngine) -> None:
    await _seed(engine, ("clerk-a",))
    await _write(engine)
    assert await _rows(engine) == [("clerk-a", "pending", "proposer"),
                                   (None, "unresolved", "office")]
