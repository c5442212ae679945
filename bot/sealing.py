"""Opening the database for the application: its schema, and the audit seal bound to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage import audit
from storage.migrate import ensure_schema


def seal_for(settings: Settings) -> audit.Seal:
    """The installation's seal: the configured key, else the key file in the data folder
    (created at first start), and the anchor file beside it."""
    key = settings.audit_key.get_secret_value() if settings.audit_key else None
    return audit.load_seal(settings.data_dir, key)


async def prepare(engine: AsyncEngine, settings: Settings, *, apart: bool = False) -> None:
    """The schema brought up to date and the audit seal bound (a trail written before the
    key existed is sealed with it, once). ``apart``: migrate in a child process."""
    if audit.seal_of(engine) is None:
        audit.bind(engine, seal_for(settings))
    await ensure_schema(engine, apart=apart)
    await audit.adopt_legacy(engine)
