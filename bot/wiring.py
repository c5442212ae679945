"""The composition root: storage behind the handlers' ports, one Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduler import ReminderScheduler, settings_from_env
from handlers.app import Assistant
from handlers.context import Services
from handlers.flows.registry import all_flows
from storage.conversations import SqlConversations
from storage.db import create_engine, session_factory
from storage.directory import SqlDirectory
from storage.dispatcher import Dispatcher
from storage.migrate import ensure_schema
from storage.reminders import ReminderWriter
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
    reminders: ReminderScheduler | None = None

    def start_reminders(self) -> ReminderScheduler:
        """Start moving due reminders into the outbox every minute (inside the event loop).

        Reads no reminder at start-up; on PostgreSQL only one worker's dispatcher works.
        """
        if self.reminders is None:
            clock = self.services.clock
            self.reminders = ReminderScheduler(Dispatcher(self.engine, clock=clock.now))
            self.reminders.start()
        return self.reminders

    async def close(self) -> None:
        if self.reminders is not None:
            await self.reminders.stop()
            self.reminders = None
        await self.engine.dispose()


async def build_app(database_url: str | None = None, *, rulebook: RuleBook | None = None,
                    clock: object | None = None, engine: AsyncEngine | None = None) -> App:
    """Everything the channels need, on the configured database (migrated if behind)."""
    engine = engine or create_engine(database_url)
    await ensure_schema(engine)
    sessions = session_factory(engine)
    book = rulebook or bundled_rulebook()
    calendar = default_calendar()
    writer = ReminderWriter(calendar=calendar, settings=settings_from_env())
    services = Services(
        directory=SqlDirectory(sessions, book),
        conversations=SqlConversations(sessions),
        uow=lambda: SqlUnitOfWork(sessions, reminders=writer),
        clock=clock or SystemClock(),  # type: ignore[arg-type]
        calendar=calendar,  # type: ignore[arg-type]
        rulebook=book,
    )
    return App(engine, services, Assistant(services, all_flows()))
