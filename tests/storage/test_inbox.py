"""The inbox on both databases: an update is kept once, marked when handled, and what was
kept but never handled comes back oldest first; old handled rows go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import inbox
from storage.db import session_factory
from storage.models import InboxUpdate

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def _update(n: int) -> dict[str, object]:
    return {"update_id": n, "message": {"message_id": n, "text": f"tin {n}"}}


async def test_kept_once_marked_and_given_back_in_order(engine: AsyncEngine) -> None:
    assert await inbox.keep(engine, "telegram", "u1", _update(1), NOW)
    assert not await inbox.keep(engine, "telegram", "u1", _update(1), NOW)  # redelivered
    await inbox.keep_all(engine, "telegram", [("u1", _update(1)), ("u2", _update(2)),
                                              ("u3", _update(3))], NOW)
    assert await inbox.keep(engine, "zalo", "u1", _update(1), NOW)  # another platform
    await inbox.done(engine, "telegram", "u2", NOW)
    left = await inbox.waiting(engine, "telegram", NOW)
    assert [key for key, _ in left] == ["u1", "u3"] and left[0][1] == _update(1)
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 4


async def test_handled_rows_are_dropped_after_a_week(engine: AsyncEngine) -> None:
    await inbox.keep(engine, "telegram", "u9", _update(9), NOW)
    await inbox.done(engine, "telegram", "u9", NOW)
    await inbox.waiting(engine, "telegram", NOW + timedelta(days=6))
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 1
    await inbox.waiting(engine, "telegram", NOW + timedelta(days=8))
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 0
