"""The account locks that several workers share through Redis: one holder at a time
across tasks (and processes), re-entrant within the task that holds one, so that a
private chat's turn takes one lock, not two."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.redis_state import RedisCoordination
from tests.telegram.conftest import redis_url


@pytest.fixture
async def coordination() -> RedisCoordination:
    url = redis_url()
    if url is None:
        pytest.skip("set CADREBOT_TEST_REDIS_URL to run the Redis tests")
    made = RedisCoordination(url, prefix=f"test-{uuid.uuid4().hex[:8]}")
    await made.check()
    return made


async def test_one_holder_at_a_time_and_reentrant_in_its_task(
        coordination: RedisCoordination) -> None:
    key = f"{coordination.prefix}:lock:telegram:42"
    order: list[str] = []
    inside = asyncio.Event()

    async def holder() -> None:
        async with coordination.account_lock("telegram", "42"):
            order.append("outer")
            async with coordination.account_lock("telegram", "42"):  # the same lock
                order.append("inner")
                inside.set()
                await asyncio.sleep(0.2)
            assert await coordination.redis.exists(key)  # still held by the outer
            await asyncio.sleep(0.1)
            order.append("outer done")

    async def other() -> None:
        await inside.wait()
        async with coordination.account_lock("telegram", "42"):
            order.append("other")

    try:
        await asyncio.wait_for(asyncio.gather(holder(), other()), 10)
        assert order == ["outer", "inner", "outer done", "other"]
        assert not await coordination.redis.exists(key)
        # Another account's lock is another lock.
        async with (coordination.account_lock("telegram", "42"),
                    coordination.account_lock("telegram", "43")):
            assert await coordination.redis.exists(f"{coordination.prefix}:lock:telegram:43")
    finally:
        await coordination.close()
