"""The inbox: webhook updates made durable before the platform is told they arrived.

``keep`` writes one row in a short transaction of its own (a duplicate of an update
already kept writes nothing); the webhook answers 200 only after it. ``done`` marks the
row once its turn was handled. At start-up ``waiting`` gives back, in arrival order,
what a stopped or crashed process acknowledged but never finished, to be handled again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import InboxUpdate

KEEP_HANDLED = timedelta(days=7)  # handled rows are kept this long, for redeliveries


async def keep(engine: AsyncEngine, channel: str, key: str, payload: dict[str, Any],
               now: datetime) -> bool:
    """Keep an update; False when it was kept already (a redelivery)."""
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(InboxUpdate).values(
                channel=channel, update_key=key[:100], payload=payload, received_at=now,
                handled_at=None))
    except IntegrityError:
        return False
    return True


async def keep_all(engine: AsyncEngine, channel: str,
                   updates: list[tuple[str, dict[str, Any]]], now: datetime) -> None:
    """Keep a polled batch in one transaction, before the platform is told it arrived
    (the next poll); updates kept already are left as they are."""
    if not updates:
        return
    async with engine.begin() as conn:
        known = set((await conn.execute(select(InboxUpdate.update_key).where(
            InboxUpdate.channel == channel,
            InboxUpdate.update_key.in_([key[:100] for key, _ in updates])))).scalars())
        fresh = {key[:100]: payload for key, payload in updates if key[:100] not in known}
        if fresh:
            await conn.execute(insert(InboxUpdate), [
                {"channel": channel, "update_key": key, "payload": payload,
                 "received_at": now, "handled_at": None} for key, payload in fresh.items()])


async def done(engine: AsyncEngine, channel: str, key: str, now: datetime) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(InboxUpdate).where(
            InboxUpdate.channel == channel, InboxUpdate.update_key == key[:100])
            .values(handled_at=now))


async def waiting(engine: AsyncEngine, channel: str, now: datetime
                  ) -> list[tuple[str, dict[str, Any]]]:
    """The updates kept but never handled, oldest first; old handled rows are dropped."""
    async with engine.begin() as conn:
        await conn.execute(delete(InboxUpdate).where(
            InboxUpdate.handled_at.is_not(None), InboxUpdate.handled_at < now - KEEP_HANDLED))
        rows = (await conn.execute(
            select(InboxUpdate.update_key, InboxUpdate.payload)
            .where(InboxUpdate.channel == channel, InboxUpdate.handled_at.is_(None))
            .order_by(InboxUpdate.id))).all()
    return [(row.update_key, dict(row.payload)) for row in rows]
