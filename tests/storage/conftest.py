"""Storage tests run on SQLite and on PostgreSQL.

PostgreSQL is reached through CADREBOT_TEST_POSTGRES_URL (``.ci/run`` sets it). Each
test gets its own schema, migrated from scratch, and dropped afterwards. Outside CI a
missing server skips the PostgreSQL half; under CI (CI=true) it fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import create_engine
from storage.migrate import upgrade
from tests.fakes import Scenario
from tests.templates import empty_database

POSTGRES_ENV = "CADREBOT_TEST_POSTGRES_URL"
TEST_KEY = b"a-test-key-for-the-audit-trail-0123456789"


def seal_for_test(folder: Path) -> audit.Seal:
    """The audit seal of a test's database: a fixed key, anchors in the test's folder."""
    return audit.Seal(TEST_KEY, folder / audit.ANCHOR_FILE)


def _postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must test storage on PostgreSQL")
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        await empty_database(tmp_path / "test.sqlite3")  # migrated once per process
        eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
        audit.bind(eng, seal_for_test(tmp_path))
        yield eng
        await eng.dispose()
        return
    url = _postgres_url()
    if url is None:
        pytest.skip(f"set {POSTGRES_ENV} to run this on PostgreSQL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OSError as exc:  # server down
        await admin.dispose()
        pytest.fail(f"PostgreSQL at {url} is not reachable: {exc}")
    eng = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    audit.bind(eng, seal_for_test(tmp_path))
    try:
        await upgrade(eng)
        yield eng
    finally:
        await eng.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def scenario(engine: AsyncEngine) -> AsyncIterator[Scenario]:
    """A commune-route Scenario whose units of work run on ``engine``."""
    from tests import fakes
    from tests.storage.sql_scenario import seed

    await seed(engine)
    fakes.SQL_ENGINE = engine
    try:
        yield Scenario("commune")
    finally:
        fakes.SQL_ENGINE = None
