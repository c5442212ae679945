"""Alembic environment: runs on a connection handed in by storage.migrate (async engines)."""

from __future__ import annotations

from alembic import context

import storage.document_models
import storage.dossier_models  # noqa: F401  (its tables join Base.metadata)
from storage.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `cadrebot db upgrade` (storage.migrate)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
