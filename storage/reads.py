"""Sessions that only read: on SQLite their transaction is a plain (deferred) BEGIN, so a
turn's lookups (its conversation, who is writing, their roles) neither queue for nor hold
the single writer's lock that every other session takes (storage.db)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import READ_ONLY, local_reader, read_only

T = TypeVar("T")


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction only reads (a write in it fails on SQLite's lock)."""
    async with sessions() as session:
        await session.connection(execution_options={READ_ONLY: True})
        yield session


async def read(target: AsyncEngine | async_sessionmaker[AsyncSession],
               work: Callable[[Connection], T]) -> T:
    """``work(connection)`` in a transaction that only reads, its result returned.

    On an SQLite file it runs at once on this thread (``storage.db.local_reader``: no
    hand-off to aiosqlite's thread per statement); elsewhere on an async connection,
    through ``run_sync``. ``work`` must not write, and should be one or two indexed
    queries: on SQLite it holds the event loop while it runs. Context variables it sets
    are not seen by the caller on PostgreSQL (``run_sync`` runs it in a greenlet):
    return what it found instead."""
    bind = target if isinstance(target, AsyncEngine) else target.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("reads need sessions bound to one engine")
    local = local_reader(bind)
    if local is not None:
        with local.connect() as connection:  # closed without commit: rolled back
            return work(connection)
    async with read_only(bind) as remote, remote.begin():
        return await remote.run_sync(work)


# Whether the person whose turn is being handled holds a committee role, read with the
# turn's other lookups (``SqlConversations.load_turn``): the menu asks on every turn,
# and ``SqlDirectory.has_committee_role`` answers from here for that person. Each turn's
# load replaces it, so it never outlives the turn that read it by more than one turn of
# the same task, which reloads it first.
TURN_ROLES: ContextVar[tuple[str, bool] | None] = ContextVar("turn_roles", default=None)


def turn_committee_role(person_id: str) -> bool | None:
    """What this turn's load read for ``person_id``; None when it did not."""
    known = TURN_ROLES.get()
    return known[1] if known is not None and known[0] == person_id else None


@dataclass(frozen=True)
class SeenState:
    """The chat account of a turn as its load found it (``SqlConversations.load_turn``):
    whether it exists, since when it is unreachable, when it was last seen. The turn's
    ``mark_seen`` then decides without reading it again, once."""

    channel: str
    account: str
    exists: bool
    unreachable_since: datetime | None
    last_seen_at: datetime | None


TURN_SEEN: ContextVar[SeenState | None] = ContextVar("turn_seen", default=None)


def take_turn_seen(channel: str, account: str) -> SeenState | None:
    """What this turn's load read of this account, used once (None if nothing)."""
    known = TURN_SEEN.get()
    if known is None or (known.channel, known.account) != (channel, account):
        return None
    TURN_SEEN.set(None)
    return known
