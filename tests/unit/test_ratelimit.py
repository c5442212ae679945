"""Telegram's flood limits on our side, on a virtual clock (no real waiting)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest

from bot.ratelimit import Limits, RateLimiter


class VirtualTime:
    """Sleepers wake in time order; time jumps to the next wake-up once every task is
    blocked, so waits of seconds take none."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, *coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                when, _, future = heapq.heappop(self._sleepers)
                self.t = max(self.t, when)
                future.set_result(None)
        return [task.result() for task in tasks]


@pytest.fixture
def clock() -> VirtualTime:
    return VirtualTime()


def limiter(clock: VirtualTime, **limits: float) -> RateLimiter:
    return RateLimiter(Limits(**limits), now=clock.now, sleep=clock.sleep)


async def times(clock: VirtualTime, limit: RateLimiter, chats: list[str], *,
                group: bool = False, interactive: bool = False) -> list[float]:
    """When each acquire in turn got its token."""
    got = []
    for chat in chats:
        await limit.acquire(chat, group=group, interactive=interactive)
        got.append(round(clock.now(), 3))
    return got


async def test_one_chat_gets_a_burst_of_three_then_one_message_a_second(
        clock: VirtualTime) -> None:
    limit = limiter(clock)
    [got] = await clock.run(times(clock, limit, ["a"] * 6))
    assert got == [0, 0, 0, 1, 2, 3]


async def test_a_group_gets_twenty_messages_a_minute(clock: VirtualTime) -> None:
    limit = limiter(clock)
    [got] = await clock.run(times(clock, limit, ["g"] * 22, group=True))
    assert got[:3] == [0] * 3 and got[19] < 1  # paced, the twenty go within a second
    # never more than twenty within any minute (a sliding window, plus its margin)
    assert got[20:] == [60.02, 60.02]


async def test_all_chats_together_get_thirty_messages_a_second(clock: VirtualTime) -> None:
    limit = limiter(clock)
    [got] = await clock.run(times(clock, limit, [f"c{i}" for i in range(32)]))
    assert got[:3] == [0] * 3  # a turn's replies at once, then evenly paced
    steps = [b - a for a, b in itertools.pairwise(got[2:30])]
    assert steps == pytest.approx([1.02 / 30] * 27, abs=1e-3)
    # any one-second window holds thirty at most: the next ones wait for the first to age
    assert got[30:] == pytest.approx([1.02, 1.02], abs=1e-3)


async def test_a_pause_holds_every_chat_until_it_ends(clock: VirtualTime) -> None:
    limit = limiter(clock)
    limit.pause(7.5)
    limit.pause(2)  # a shorter pause does not cut the longer one
    [got] = await clock.run(times(clock, limit, ["a", "b"]))
    assert got == [7.5, 7.5]


async def test_an_interactive_reply_goes_before_waiting_bulk(clock: VirtualTime) -> None:
    limit = limiter(clock, per_second=1, margin=0)
    await limit.acquire("x")  # the overall budget is spent for a second
    order: list[str] = []

    async def send(chat: str, interactive: bool) -> None:
        await limit.acquire(chat, interactive=interactive)
        order.append(f"{chat}@{clock.now():g}")

    async def later_interactive() -> None:
        await asyncio.sleep(0)  # the bulk message asked first
        await send("person", True)

    await clock.run(send("bulk", False), later_interactive())
    assert order == ["person@1", "bulk@2"]


async def test_bulk_to_other_chats_is_not_held_by_a_person_typing_fast(
        clock: VirtualTime) -> None:
    limit = limiter(clock)
    for _ in range(3):
        await limit.acquire("person", interactive=True)  # their chat's burst is spent
    order: list[str] = []

    async def send(chat: str, interactive: bool) -> None:
        await limit.acquire(chat, interactive=interactive)
        order.append(f"{chat}@{clock.now():g}")

    await clock.run(send("person", True), send("someone-else", False), send("person", False))
    # the person's own bulk waits behind their interactive reply; others' bulk does not
    # (someone else's waits only for the overall pace: three went out at 0)
    assert order == ["someone-else@0.034", "person@1", "person@2"]
