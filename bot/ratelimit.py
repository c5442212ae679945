"""Telegram's flood limits, kept on our side so that its 429s stay rare.

Three token buckets: overall (about 30 messages a second), per chat (one a second,
with a short burst so that a turn's two or three replies are not held back), and per
group (20 a minute). A 429 pauses everything for its ``retry_after``. Interactive
replies go before bulk notifications: while an interactive reply waits for the shared
budget (a pause, the overall bucket), all bulk waits; while one waits for its own chat's
bucket, only bulk to that chat waits (bulk to other chats does not delay it).

One limiter per bot per process; asyncio is single-threaded, so checking and taking
a token with no ``await`` in between is atomic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
YIELD_SECONDS = 0.01  # how often bulk looks again while an interactive reply waits


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # overall
    burst: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float = 20.0


class Bucket:
    """``capacity`` tokens refilled at ``rate`` a second; a send takes one."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity = rate, max(1.0, capacity)
        self.tokens, self.stamp = self.capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


class RateLimiter:
    def __init__(self, limits: Limits | None = None, *, now: Now = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits or Limits()
        self._now, self._sleep = now, sleep
        self._global = Bucket(self.limits.per_second, self.limits.burst, now())
        self._chats: dict[str, Bucket] = {}
        self._paused_until = 0.0
        # Interactive replies waiting: for the shared budget, and for each chat.
        self._interactive_shared = 0
        self._interactive_chats: dict[str, int] = {}

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the platform's ``retry_after``)."""
        self._paused_until = max(self._paused_until, self._now() + max(0.0, seconds))

    async def acquire(self, chat_id: str, *, group: bool = False,
                      interactive: bool = False) -> None:
        """Wait until one message to ``chat_id`` is within every limit, and take it."""
        on_shared = on_chat = False  # this interactive reply is counted as waiting
        try:
            while True:
                now = self._now()
                chat = self._chat(chat_id, group, now)
                shared = max(self._paused_until - now, self._global.wait(now))
                own = chat.wait(now)
                if not interactive and (self._interactive_shared
                                        or self._interactive_chats.get(chat_id)):
                    shared = max(shared, YIELD_SECONDS)  # let the interactive one go first
                delay = max(shared, own)
                if delay <= 0:
                    self._global.take()
                    chat.take()
                    return
                if interactive:
                    if (shared > 0) != on_shared:
                        on_shared = shared > 0
                        self._interactive_shared += 1 if on_shared else -1
                    if not on_chat:
                        on_chat = True
                        self._interactive_chats[chat_id] = (
                            self._interactive_chats.get(chat_id, 0) + 1)
                await self._sleep(delay)
        finally:
            if on_shared:
                self._interactive_shared -= 1
            if on_chat:
                left = self._interactive_chats[chat_id] - 1
                if left:
                    self._interactive_chats[chat_id] = left
                else:
                    del self._interactive_chats[chat_id]

    def _chat(self, chat_id: str, group: bool, now: float) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats whose buckets have refilled
                self._chats = {key: b for key, b in self._chats.items() if not b.full(now)}
            limits = self.limits
            bucket = (Bucket(limits.group_per_minute / 60.0, limits.group_burst, now) if group
                      else Bucket(limits.chat_per_second, limits.chat_burst, now))
            self._chats[chat_id] = bucket
        return bucket
