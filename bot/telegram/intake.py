"""Polled updates handled concurrently, with backpressure: at most ``bound`` taken and not
yet finished, those of one chat one after another in the order they came.

Both Telegram adapters poll through ``poll``: it asks for no more updates than there is
room for (``getUpdates``' ``limit``), so a burst waits at Telegram, not in this
process's memory; each update goes to its chat's line, and chats run side by side. What
was taken but not finished when polling stops is in the inbox (kept before the next poll
acknowledged it) and is handled at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from bot.delivery import DeliveryError, RetryAfter, Transient, one_line

log = logging.getLogger(__name__)

DEFAULT_BOUND = 32  # updates in hand at once (their reads no longer hold a connection)
MAX_BATCH = 100  # the most getUpdates gives at once
FINISH_SECONDS = 3.0  # once stopping, how long the updates in hand get to finish
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0  # after a failed poll: 1, 2, 4... 30 s

U = TypeVar("U")
Handle = Callable[[], Awaitable[object]]


class Intake:
    """Updates in hand: ``room`` waits until one more may be taken; ``take`` queues one
    on its chat's line."""

    def __init__(self, bound: int = DEFAULT_BOUND) -> None:
        if bound < 1:
            raise ValueError("the bound must be at least 1")
        self.bound = bound
        self.batch = max(1, bound // 2)  # the fewest a poll asks for while some are in hand
        self.in_hand = 0  # taken, not finished (queued on a line or being handled)
        self.most = 0  # the highest ``in_hand`` seen (tests, benchmarks)
        self._lines: dict[str, deque[Handle]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._freed = asyncio.Event()

    async def room(self) -> int:
        """How many more may be taken now: waits until half the bound is free (or all
        of it, for a bound of one). Asking as soon as one is free would fetch and keep
        (one write each) a page of one or two updates at a time under load."""
        while self.in_hand > self.bound - self.batch:
            self._freed.clear()
            await self._freed.wait()
        return self.bound - self.in_hand

    def take(self, chat: str, handle: Handle) -> None:
        """Handle ``handle()`` after the updates of ``chat`` taken before it."""
        self.in_hand += 1
        self.most = max(self.most, self.in_hand)
        line = self._lines.get(chat)
        if line is not None:
            line.append(handle)
            return
        self._lines[chat] = deque([handle])
        task = asyncio.create_task(self._run(chat))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, chat: str) -> None:
        line = self._lines[chat]
        try:
            while line:
                try:
                    await line[0]()
                except Exception:  # one update's failure is not its chat's end
                    log.exception("telegram: an update of chat %s failed", chat)
                finally:
                    line.popleft()
                    self._free(1)
        finally:
            self._free(len(line))  # cancelled: the rest are in the inbox
            del self._lines[chat]

    def _free(self, count: int) -> None:
        if count:
            self.in_hand -= count
            self._freed.set()

    async def finish(self, seconds: float = FINISH_SECONDS) -> None:
        """Let what is in hand finish for up to ``seconds``, then cancel the rest."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=seconds)
            for task in late:
                task.cancel()
            if late:
                log.warning("telegram: stopped with %d updates in hand; they are handled "
                            "at the next start", self.in_hand)
                await asyncio.gather(*late, return_exceptions=True)


Fetch = Callable[[int | None, int], Coroutine[Any, Any, Sequence[U]]]  # (offset, limit) -> updates


async def poll(fetch: Fetch[U], update_id: Callable[[U], int], chat: Callable[[U], str],
               handle: Callable[[U], Awaitable[object]], intake: Intake,
               stop: asyncio.Event) -> None:
    """Long-poll with ``fetch`` until ``stop``, taking no more than ``intake`` has room
    for. A transient failure is retried with back-off; any other (a revoked token) ends
    polling and is raised once what is in hand has finished."""
    offset: int | None = None
    backoff = BACKOFF_FIRST
    stopped = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            room = asyncio.create_task(intake.room())
            await asyncio.wait({room, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not room.done():
                room.cancel()
                break
            fetching = asyncio.create_task(fetch(offset, min(MAX_BATCH, room.result())))
            await asyncio.wait({fetching, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not fetching.done():  # a long poll in flight: what it brings is not confirmed
                fetching.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetching
                break
            failure = fetching.exception()
            if failure is not None:
                if isinstance(failure, DeliveryError) and not isinstance(
                        failure, Transient | RetryAfter):
                    raise failure  # refused (a revoked token): asking again will not help
                # A network failure, flood control, or the batch could not be kept (a
                # busy database): not acknowledged, so asked for again.
                wait = failure.seconds if isinstance(failure, RetryAfter) else backoff
                log.warning("telegram: polling failed (%s); again in %.0f s",
                            one_line(failure), wait)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_FIRST
            for update in fetching.result():
                offset = update_id(update) + 1
                intake.take(chat(update), functools.partial(handle, update))
    finally:
        stopped.cancel()
        await intake.finish()

