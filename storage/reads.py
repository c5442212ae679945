"""Sessions that only read: on SQLite their transaction is a plain (deferred) BEGIN, so a
turn's lookups (its conversation, who is writing, their roles) neither queue for nor hold
the single writer's lock that every other session takes (storage.db)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import READ_ONLY


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction only reads (a write in it fails on SQLite's lock)."""
    async with sessions() as session:
        await session.connection(execution_options={READ_ONLY: True})
        yield session


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
