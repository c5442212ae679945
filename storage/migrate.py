"""Schema migrations (Alembic), run programmatically on an async engine.

The default SQLite database is created and upgraded on first use, so a newcomer never
runs a migration by hand; ``cadrebot db upgrade`` does the same explicitly.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction."""
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.upgrade(alembic_config(sync), revision))


async def ensure_schema(engine: AsyncEngine) -> bool:
    """Upgrade when the database is behind; True when something was done."""
    if await current_revision(engine) == head_revision():
        return False
    await upgrade(engine)
    return True


def autogenerate(engine_url: str, message: str) -> None:  # pragma: no cover - developer tool
    """Write a new revision from the models' difference to ``engine_url`` (a dev database)."""
    import asyncio

    from storage.db import create_engine

    async def run() -> None:
        engine = create_engine(engine_url)
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.revision(
                alembic_config(sync), message=message, autogenerate=True))
        await engine.dispose()

    asyncio.run(run())
