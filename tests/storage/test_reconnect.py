"""PostgreSQL connections the server cuts (a restart, an idle timeout): a pooled one
left idle is tried before use and replaced; one cut right after use fails once as a
transient error (the turn is tried again) and the next use gets a new connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db
from storage.db import create_engine
from tests.storage.conftest import POSTGRES_ENV, _postgres_url
from workflow.errors import StorageUnavailable


@pytest.fixture
async def pair() -> AsyncIterator[tuple[AsyncEngine, AsyncEngine, str]]:
    url = _postgres_url()
    if url is None:
        pytest.skip(f"set {POSTGRES_ENV} to run this on PostgreSQL")
    name = f"reconnect-{uuid.uuid4().hex[:10]}"
    engine = create_engine(url, connect_args={"server_settings": {"application_name": name}})
    admin = create_engine(url)
    try:
        yield engine, admin, name
    finally:
        await engine.dispose()
        await admin.dispose()


async def _one(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT 1"))).scalar_one())


async def _cut(admin: AsyncEngine, name: str) -> int:
    """The server ends every connection of ``name``, as a restart would."""
    async with admin.connect() as connection:
        ended = (await connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name"), {"name": name})).scalar_one()
    return int(ended)


async def _backends(admin: AsyncEngine, name: str) -> int:
    async with admin.connect() as connection:
        return int((await connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": name})).scalar_one())


async def test_an_idle_connection_cut_by_the_server_is_replaced_unseen(
        pair: tuple[AsyncEngine, AsyncEngine, str], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, admin, name = pair
    assert await _one(engine) == 1
    assert await _cut(admin, name) == 1
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # as if it had idled for long
    assert await _one(engine) == 1  # tried at checkout, replaced: no error reaches anyone
    assert await _backends(admin, name) == 1


async def test_a_connection_cut_right_after_use_fails_once_as_transient(
        pair: tuple[AsyncEngine, AsyncEngine, str]) -> None:
    engine, admin, name = pair
    assert await _one(engine) == 1
    assert await _cut(admin, name) == 1
    with pytest.raises(StorageUnavailable):
        await _one(engine)  # what a turn tries again (handlers.app)
    assert await _one(engine) == 1  # the pool let the dead connection go


async def test_a_used_connection_is_not_tried_before_each_use(
        pair: tuple[AsyncEngine, AsyncEngine, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # No BEGIN / ROLLBACK round trips before every transaction (pool_pre_ping's cost),
    # but a connection that idled is tried.
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection as Adapted

    engine, _admin, _name = pair
    pings: list[object] = []
    original = Adapted.ping

    def counted(self: Adapted) -> None:
        pings.append(self)
        original(self)

    monkeypatch.setattr(Adapted, "ping", counted)
    for _ in range(5):
        assert await _one(engine) == 1
    assert pings == []
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    assert await _one(engine) == 1
    assert len(pings) == 1
