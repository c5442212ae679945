"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.dossier_models  # noqa: F401  (registers its tables)
from storage.migrate import current_revision, ensure_schema, head_revision
from storage.models import Base


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(sync_connection: object) -> list[object]:
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == [], "write a migration: python -c 'from storage.migrate import ...'"


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == head_revision()
    assert await ensure_schema(engine) is False
