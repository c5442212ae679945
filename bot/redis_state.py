"""Coordination between several workers serving one bot, through Redis.

Conversation state and dossiers are in the database already, shared by every worker.
What Redis adds: one message of an account handled at a time across all workers (a
lock per account), and an update that Telegram redelivers to another worker handled
once (a short-lived claim per update id).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import RedisError

PREFIX = "cadrebot"  # CADREBOT_REDIS_PREFIX: several installations may share one Redis
LOCK_SECONDS = 120  # longer than any turn; a crashed worker's lock expires by itself
CLAIM_SECONDS = 24 * 3600  # Telegram gives up redelivering long before this


# While another worker holds an account's lock: look again after 2 ms, then twice as
# long each time up to 20 ms. (redis-py's own blocking acquire looks every 100 ms: a
# chat whose updates reach two workers waited ~100 ms a turn, and three workers handled
# less than one.) A turn takes milliseconds, so the wait is short; its cost is a GET-like
# SET NX now and then.
FIRST_LOOK, LAST_LOOK = 0.002, 0.02
# The locks this task holds (``account_lock`` is re-entrant within a task).
_HELD: ContextVar[frozenset[str]] = ContextVar("held_locks", default=frozenset())


async def _acquire(lock: Lock) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOCK_SECONDS
    wait = FIRST_LOOK
    while not await lock.acquire(blocking=False):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(wait)
        wait = min(wait * 2, LAST_LOOK)
    return True


class RedisUnavailable(Exception):
    pass


class RedisCoordination:
    def __init__(self, url: str, namespace: str = "telegram", prefix: str = PREFIX) -> None:
        self.redis = Redis.from_url(url)
        self.namespace, self.prefix = namespace, prefix

    async def check(self) -> None:
        """Fail at start-up, with the reason, when Redis cannot be reached."""
        try:
            await self.redis.ping()
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(str(exc)) from None

    async def claim(self, update_id: int) -> bool:
        """True for the first worker to claim this update."""
        key = f"{self.prefix}:{self.namespace}:update:{update_id}"
        return bool(await self.redis.set(key, b"1", nx=True, ex=CLAIM_SECONDS))

    @asynccontextmanager
    async def account_lock(self, channel: str, account: str) -> AsyncIterator[None]:
        """One holder of ``channel:account`` across the workers. Re-entrant within one
        task: a private chat's turn takes its chat's lock under the account's own name
        (``bot.telegram.core``), and the assistant's account lock inside it is then the
        same lock, not a second round of Redis calls."""
        key = f"{self.prefix}:lock:{channel}:{account}"
        held = _HELD.get()
        if key in held:
            yield
            return
        lock = self.redis.lock(key, timeout=LOCK_SECONDS)
        if not await _acquire(lock):
            raise TimeoutError(f"account {channel}:{account} stayed locked")
        token = _HELD.set(held | {key})
        try:
            yield
        finally:
            _HELD.reset(token)
            with contextlib.suppress(RedisError):  # expired meanwhile: nothing to release
                await lock.release()

    async def close(self) -> None:
        await self.redis.aclose()
