"""The composition root: storage behind the handlers' ports, one Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.scheduler import ReminderScheduler
from bot.sealing import prepare
from bot.settings import Settings
from handlers.app import Assistant
from handlers.context import Services
from handlers.flows.registry import all_flows
from handlers.i18n import Translator
from handlers.ports import AccountLock, RecordMaker
from storage.conversations import SqlConversations
from storage.db import create_engine, is_sqlite, session_factory
from storage.desk_read import SqlDeskReader
from storage.directory import SqlDirectory
from storage.dispatcher import Dispatcher
from storage.duty_reminders import DutyWriter
from storage.record import dossier_documents, gather_record, record_zip
from storage.reminders import ReminderWriter
from storage.statistics import SqlStatistics
from storage.uow import SqlUnitOfWork
from workflow.rules import RuleBook, bundled_rulebook

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


class SystemClock:
    """The current time in Vietnam (no daylight saving: a fixed offset is exact); with a
    training date, the same time of day on that date, running on from there."""

    def __init__(self, zone: tzinfo = VIETNAM, offset: timedelta = timedelta(0)) -> None:
        self.zone, self.offset = zone, offset

    def now(self) -> datetime:
        return datetime.now(self.zone) + self.offset

    @classmethod
    def of(cls, settings: Settings) -> SystemClock:
        return cls(settings.zone, settings.clock_offset(datetime.now(settings.zone).date()))


@dataclass
class App:
    engine: AsyncEngine
    services: Services
    assistant: Assistant
    settings: Settings
    reminders: ReminderScheduler | None = None

    def start_reminders(self) -> ReminderScheduler:
        """Start moving due reminders into the outbox every minute (inside the event loop).

        Reads no reminder at start-up; on PostgreSQL only one worker's dispatcher works.
        """
        if self.reminders is None:
            clock = self.services.clock
            # Planned for the installation's place: only bodies of the rules in force.
            duties = DutyWriter(self.services.duties, self.services.calendar,  # type: ignore[arg-type]
                                self.settings.reminders, rulebook=self.services.rulebook,
                                jurisdiction=self.services.jurisdiction)
            self.reminders = ReminderScheduler(Dispatcher(self.engine, clock=clock.now,
                                                          duties=duties))
            self.reminders.start()
        return self.reminders

    async def close(self) -> None:
        if self.reminders is not None:
            await self.reminders.stop()
            self.reminders = None
        await self.engine.dispose()


def folder_of(url: str | None) -> Path:
    """Where a SQLite file lives, for its key and anchors when nothing else says."""
    if url and is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            return Path(database).parent
    return Settings.of().data_dir


def record_maker(sessions: async_sessionmaker[AsyncSession]) -> RecordMaker:
    """The chat's way to a dossier's verifiable record (the same file as ``cadrebot
    dossier record``)."""
    async def make(dossier_id: int, language: str) -> tuple[str, bytes, str] | None:
        async with sessions() as session:
            record = await gather_record(session, dossier_id)
            if record is None:
                return None
            documents = await dossier_documents(session, dossier_id)
        content = record_zip(record, documents, Translator(language))
        return f"ho-so-{dossier_id}-ban-ghi-kiem-chung.zip", content, record.verification_code

    return make


async def build_app(database_url: str | None = None, *, settings: Settings | None = None,
                    rulebook: RuleBook | None = None, clock: object | None = None,
                    engine: AsyncEngine | None = None,
                    account_lock: AccountLock | None = None) -> App:
    """Everything the channels need, on the configured database (migrated if behind).

    ``settings`` is the one configuration (the defaults when not given): its database
    unless ``database_url`` or ``engine`` says otherwise, its calendar, reminder policy,
    reporting duties and time zone.
    """
    url = database_url or (engine.url.render_as_string(False) if engine else None)
    settings = settings or Settings.of(data_dir=folder_of(url))
    engine = engine or create_engine(database_url or settings.database)
    await prepare(engine, settings)
    sessions = session_factory(engine)
    book = rulebook or bundled_rulebook()
    calendar = settings.calendar
    writer = ReminderWriter(calendar=calendar, settings=settings.reminders)
    now = clock or SystemClock.of(settings)
    services = Services(
        directory=SqlDirectory(sessions, book),
        conversations=SqlConversations(sessions),
        # Outbox and reminder rows are stamped with the same clock the notifier and the
        # dispatcher read, or a message written "later" than they think now would wait.
        uow=lambda: SqlUnitOfWork(sessions, reminders=writer, clock=now.now),  # type: ignore[attr-defined]
        clock=now,  # type: ignore[arg-type]
        calendar=calendar,  # type: ignore[arg-type]
        rulebook=book,
        duties=settings.duties,
        jurisdiction=settings.jurisdiction,
        rules_date=settings.rules_date,
        document_templates=settings.document_templates,
        records=record_maker(sessions),
        statistics=SqlStatistics(sessions, calendar, book),
        desk=SqlDeskReader(sessions),
    )
    assistant = Assistant(services, all_flows(), account_lock=account_lock,
                          default_language=settings.language)
    return App(engine, services, assistant, settings)
