"""Publishing the results on SQLite and PostgreSQL: the unit tests of
``workflow.publishing`` run on the SQL unit of work (the publication, the dossier's step,
its audit record and its outbox messages in one transaction), and the public listing's
scope by body."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.publications import PublicationRow, SqlPublications
from tests import fakes
from tests.storage.sql_scenario import seed
from tests.unit.test_services_publishing import *  # noqa: F403
from tests.unit.test_services_publishing import evaluated, publish


@pytest.fixture(autouse=True)
async def sql_backend(engine: AsyncEngine) -> AsyncIterator[None]:
    await seed(engine)
    fakes.SQL_ENGINE = engine
    try:
        yield
    finally:
        fakes.SQL_ENGINE = None


async def test_the_public_listing_is_scoped_to_the_body_and_those_under_it(
        engine: AsyncEngine) -> None:
    s = await evaluated()
    published = await publish(s)
    office = published.body
    async with session_factory(engine)() as session:
        repo = SqlPublications(session)
        [whole] = await repo.public()
        assert whole.committee == office and whole.publications == (published,)
        assert [r.committee for r in await repo.public([office])] == [office]
        assert await repo.public(["commune_party_cell"]) == []


async def test_a_refused_publication_leaves_no_row(engine: AsyncEngine) -> None:
    s = await evaluated()
    with pytest.raises(Exception):  # noqa: B017  (NotPermitted: the proposer)
        await publish(s, s.proposer)
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(PublicationRow)) == 0
