"""The inbox: webhook updates made durable before the platform is told they arrived.

``keep`` writes one row in a short transaction of its own (a duplicate of an update
already kept writes nothing); the webhook answers 200 only after it. ``done`` marks the
row once its turn was handled; ``DoneMarks`` does the same for turns finishing together
in one transaction (a group commit: each turn still waits until its mark is durable, so
what a kill -9 can replay is what it could before). At start-up ``waiting`` gives back,
in arrival order, what a stopped or crashed process acknowledged but never finished, to
be handled again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import InboxUpdate

log = logging.getLogger(__name__)

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


class DoneMarks:
    """``mark`` is ``done``, but the marks of turns that finish while a transaction is
    being written share the next one: under load one write marks many updates, instead
    of one write (and, on SQLite, one wait for the writer's lock) per update."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queued: list[tuple[str, str, datetime, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.writes = 0  # transactions written (tests, benchmarks)

    async def mark(self, channel: str, key: str, now: datetime) -> None:
        """Return once the update is marked handled (or raise what the write raised)."""
        await asyncio.shield(self.mark_soon(channel, key, now))  # cancelled: still written

    def mark_soon(self, channel: str, key: str, now: datetime) -> asyncio.Future[None]:
        """Queue the mark and return at once: the turn's chat and its place among the
        updates in hand are free while it is written. Until it is written a kill -9
        replays the update, as it did while a turn waited for its mark; a failed write
        is logged, and the update is handled again at the next start. ``flush`` before
        closing."""
        marked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((channel, key[:100], now, marked))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return marked

    async def flush(self) -> None:
        """Until every queued mark is written (or failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _write(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            by_channel: dict[str, tuple[datetime, list[str]]] = {}
            for channel, key, now, _ in batch:
                latest, keys = by_channel.get(channel, (now, []))
                keys.append(key)
                by_channel[channel] = (max(latest, now), keys)
            try:
                async with self._engine.begin() as conn:
                    for channel, (now, keys) in by_channel.items():
                        for start in range(0, len(keys), 500):  # within any driver's limit
                            await conn.execute(update(InboxUpdate).where(
                                InboxUpdate.channel == channel,
                                InboxUpdate.update_key.in_(keys[start:start + 500]))
                                .values(handled_at=now))
                self.writes += 1
            except BaseException as error:
                log.warning("inbox: %d handled updates could not be marked (%s); they are "
                            "handled again at the next start", len(batch), error)
                for *_, marked in batch:
                    if not marked.done():
                        marked.set_exception(error if isinstance(error, Exception)
                                             else RuntimeError("stopped before marking"))
                        marked.exception()  # retrieved: whoever awaits it still gets it
                if not isinstance(error, Exception):
                    raise
                continue
            for *_, marked in batch:
                if not marked.done():
                    marked.set_result(None)


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
