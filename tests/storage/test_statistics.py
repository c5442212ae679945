"""The statistics read from the database (SQLite and PostgreSQL) agree with the same
dossiers computed in memory, and are scoped to a body, the bodies under it and the body
a dossier was forwarded to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import Body
from storage.statistics import SqlStatistics
from tests import fakes
from tests.fakes import Scenario
from tests.storage.sql_scenario import seed
from tests.unit.test_statistics import CALENDAR, YEAR_2026, fixture
from workflow.rules import bundled_rulebook
from workflow.statistics import compute

AS_OF = date(2026, 4, 20)


@pytest.fixture
async def played(engine: AsyncEngine) -> AsyncIterator[tuple[Scenario, SqlStatistics]]:
    await seed(engine)
    fakes.SQL_ENGINE = engine
    try:
        s, _ids = await fixture()
    finally:
        fakes.SQL_ENGINE = None
    yield s, SqlStatistics(session_factory(engine), CALENDAR, bundled_rulebook())


async def test_the_database_gives_the_figures_computed_from_the_same_dossiers(played) -> None:
    s, reader = played
    stored = await reader.statistics(None, YEAR_2026, AS_OF)
    expected = compute(s.store.dossiers.values(), s.store.obligations.values(), CALENDAR,
                       YEAR_2026, as_of=AS_OF)
    assert stored.figures == expected.figures
    assert stored.answers == expected.answers
    assert stored.matter_outcomes == expected.matter_outcomes
    assert stored.figure("filed") == 7 and stored.figure("answered_late") == 1
    assert stored.scope == ()
    assert stored.unit_kind_names["commune_school"].vi  # the pack's description


async def test_a_body_sees_what_it_and_the_bodies_under_it_handled(
        played, engine: AsyncEngine) -> None:
    _s, reader = played
    office = await reader.statistics(["commune_party_office"], YEAR_2026, AS_OF)
    assert office.figure("filed") == 7
    # The direct superior is only told: the plans are not its own...
    above = await reader.statistics(["town_standing_board"], YEAR_2026, AS_OF)
    assert above.figure("filed") == 1  # ...but the one forwarded to it is
    assert (await reader.statistics(["town_party_office"], YEAR_2026, AS_OF)).figure(
        "filed") == 0
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Body).where(Body.id == "commune_party_committee")
                              .values(parent_id="town_standing_board"))
    above = await reader.statistics(["town_standing_board"], YEAR_2026, AS_OF)
    assert above.figure("filed") == 7 and above.scope == ("town_standing_board",)


async def test_a_person_sees_the_committee_of_the_body_they_act_for(
        played, engine: AsyncEngine) -> None:
    _s, reader = played
    today = date(2026, 4, 20)
    committees = await reader.committees_of("office-clerk", today)
    assert ("commune_party_office", "commune_party_office") in committees  # no parent
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Body).where(Body.id == "commune_party_office")
                              .values(parent_id="commune_party_committee"))
    committees = await reader.committees_of("office-clerk", today)
    assert ("commune_party_committee", "commune_party_committee") in committees
    assert ("commune_party_office", "commune_party_office") not in committees
    assert await reader.committees_of("cadre-1", today) == []
