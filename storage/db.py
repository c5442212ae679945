"""Engines and sessions: SQLite by default (a file in the data directory), PostgreSQL too."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool

from handlers.ports import TURN_COMMITS
from workflow.errors import StorageUnavailable

DEFAULT_URL = "sqlite+aiosqlite:///data/cadrebot.sqlite3"  # the settings say otherwise
# An execution option for a connection that only reads: on SQLite its transaction is a
# plain (deferred) BEGIN, which does not take the single writer's lock.
READ_ONLY = "cadrebot_read_only"
BUSY_TIMEOUT_MS = 30_000  # how long a writer queues for SQLite's lock before it errs


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose transactions only read."""
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY: True})
        yield connection


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str | None = None, *, busy_timeout_ms: float = BUSY_TIMEOUT_MS,
                  **kwargs: Any) -> AsyncEngine:
    """An engine with the settings this application relies on.

    SQLite: WAL (readers do not block the writer), a busy timeout, foreign keys on,
    and SQLAlchemy emitting ``BEGIN`` itself so that every transaction is a real one
    (the sqlite3 driver's legacy mode skips BEGIN before SELECT and DDL). The BEGIN is
    IMMEDIATE: transactions queue for the single writer's lock (the busy timeout)
    instead of failing at their first write whenever anyone committed since they began
    reading. With the notifier, the reminder dispatcher and people's turns all writing,
    a deferred BEGIN turned every harmless overlap into a spurious "changed meanwhile".
    Conflicts that matter are still caught by the dossiers' versions.
    """
    url = url or DEFAULT_URL
    if not is_sqlite(url):
        kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
        engine = create_async_engine(url, **kwargs)
        _ping_when_idle(engine.sync_engine)
        _translate_transient(engine.sync_engine)
        return engine
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Enough connections for the turns writing at once (polling takes 32 at a time), the
    # notifier and the dispatcher: past the pool, each connection would be opened (a
    # thread of aiosqlite's, the pragmas) and closed again for every use.
    if database and database != ":memory:" and "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
    engine = create_async_engine(url, connect_args={"timeout": busy_timeout_ms / 1000},
                                 **kwargs)
    _sqlite_events(engine.sync_engine, busy_timeout_ms)
    _translate_transient(engine.sync_engine)
    return engine


SQLITE_POOL_SIZE = 10
# Kept open by each process: past it (and up to 10 more), a connection is opened for one
# use and closed again, which costs PostgreSQL a new backend each time. Several workers
# each keep theirs: 3 x (10 + 10) stays within the server's default 100.
POSTGRES_POOL_SIZE = 10


def _sqlite_events(engine: Engine, busy_timeout_ms: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN, not the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reads = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")


# SQLite reads done on the event loop's own thread (``local_reader``), by engine.
_LOCAL_READERS: WeakKeyDictionary[Engine, Engine | None] = WeakKeyDictionary()
LOCAL_READ_BUSY_MS = 2_000  # a WAL reader waits only while the file is being recovered


def local_reader(engine: AsyncEngine) -> Engine | None:
    """For an SQLite file, a synchronous engine on the same file whose transactions only
    read, used on the calling thread; None for any other database.

    Why: each statement through aiosqlite is handed to its thread and back (two thread
    switches and a wake-up of the event loop per call, several calls per statement),
    which cost more than the whole of a turn's reads. In WAL mode a reader never waits
    for the writer, and an indexed read of a local file takes microseconds, so blocking
    the event loop for it is cheaper than the hand-off. Writes stay on aiosqlite: a
    writer may have to queue for SQLite's lock."""
    sync = engine.sync_engine
    if sync in _LOCAL_READERS:
        return _LOCAL_READERS[sync]
    reader: Engine | None = None
    url = sync.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and "mode=memory" not in str(url):
        # One connection per thread, kept open: the reads of one thread never overlap
        # (nothing is awaited during one), and the schema is parsed once.
        reader = sa_create_engine(url.set(drivername="sqlite"), poolclass=SingletonThreadPool,
                                  execution_options={READ_ONLY: True})
        _sqlite_events(reader, LOCAL_READ_BUSY_MS)
        _translate_transient(reader)
    _LOCAL_READERS[sync] = reader
    return reader


# A pooled connection unused for this long is tried before it is handed out.
IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Replace a pooled connection the server or the network dropped while it was idle.

    SQLAlchemy's ``pool_pre_ping`` tries every connection at every checkout: with asyncpg
    that is BEGIN, an empty query and ROLLBACK, three round trips before each of a turn's
    transactions. Only a connection left idle for a while is likely to be dead (a restart
    of the server, an idle timeout); one cut right after its last use fails at its first
    statement as a disconnect, which SQLAlchemy answers by discarding the pool's
    connections and ``_translate_transient`` by StorageUnavailable: the turn is tried
    again on a new connection (handlers.app), the notifier and the dispatcher try again
    on their next round."""
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new, or used a moment ago
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool discards it and hands out another (up to three tries).
            raise DisconnectionError(str(exc)) from exc


# PostgreSQL: serialization failure, deadlock, lock not available, shutting down, and the
# connection exceptions (class 08).
TRANSIENT_SQLSTATES = ("40001", "40P01", "55P03", "57P01", "57P02", "57P03")
SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_transient(error: BaseException | None, disconnect: bool = False) -> bool:
    """Whether trying the same transaction again later may succeed."""
    if disconnect:
        return True
    state = str(getattr(error, "sqlstate", None) or getattr(error, "pgcode", None) or "")
    if state.startswith("08") or state in TRANSIENT_SQLSTATES:
        return True
    cause = getattr(error, "__cause__", None)
    if cause is not None and cause is not error and not isinstance(error, str):
        state = str(getattr(cause, "sqlstate", "") or "")
        if state.startswith("08") or state in TRANSIENT_SQLSTATES:
            return True
    return any(words in str(error).lower() for words in SQLITE_BUSY)


def _translate_transient(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> BaseException | None:
        if is_transient(context.original_exception, context.is_disconnect):
            return StorageUnavailable(str(context.original_exception).splitlines()[0])
        return None


@event.listens_for(Session, "after_commit")
def _count_commit(_session: Session) -> None:
    commits = TURN_COMMITS.get()
    if commits is not None:
        commits[0] += 1


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay usable after commit; nothing is loaded behind the caller's back.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
