"""The composition root: storage behind the handlers' ports, one Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.app import Assistant
from handlers.context import Services
from handlers.flows.registry import all_flows
from storage.conversations import SqlConversations
from storage.db import create_engine, session_factory
from storage.directory import SqlDirectory
from storage.migrate import ensure_schema
from storage.uow import SqlUnitOfWork
from workflow.calendar import default_calendar
from workflow.rules import RuleBook, bundled_rulebook

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


class SystemClock:
    """The current time in Vietnam (no daylight saving: a fixed offset is exact)."""

    def now(self) -> datetime:
        return datetime.now(VIETNAM)


@dataclass
class App:
    engine: AsyncEngine
    services: Services
    assistant: Assistant

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(database_url: str | None = None, *, rulebook: RuleBook | None = None,
                    clock: object | None = None, engine: AsyncEngine | None = None) -> App:
    """Everything the channels need, on the configured database (migrated if behind)."""
    engine = engine or create_engine(database_url)
    await ensure_schema(engine)
    sessions = session_factory(engine)
    book = rulebook or bundled_rulebook()
    services = Services(
        directory=SqlDirectory(sessions, book),
        conversations=SqlConversations(sessions),
        uow=lambda: SqlUnitOfWork(sessions),
        clock=clock or SystemClock(),  # type: ignore[arg-type]
        calendar=default_calendar(),  # type: ignore[arg-type]
        rulebook=book,
    )
    return App(engine, services, Assistant(services, all_flows()))
