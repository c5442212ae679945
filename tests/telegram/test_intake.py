"""Polling with backpressure: updates handled concurrently up to a bound, each chat's in
the order they came, and no more taken from Telegram than there is room for (aiogram
and python-telegram-bot, against the fake Bot API)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.fakes.telegram import FakeTelegram
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.intake import Intake
from bot.telegram.ptb_adapter import PtbAdapter


async def test_one_chat_in_order_chats_side_by_side_never_past_the_bound() -> None:
    intake = Intake(bound=4)
    order: dict[str, list[int]] = {}
    running = [0]
    most = [0]

    def handle(chat: str, n: int) -> Any:
        async def run() -> None:
            running[0] += 1
            most[0] = max(most[0], running[0])
            await asyncio.sleep(0.01 * ((n * 7) % 3))  # later ones may be quicker
            order.setdefault(chat, []).append(n)
            running[0] -= 1
        return run

    n = 0
    while n < 40:  # as ``poll`` does: as many as there is room for, at least half the bound
        room = await intake.room()
        assert room >= intake.bound // 2 and intake.in_hand + room == intake.bound
        for _ in range(min(room, 40 - n)):
            intake.take(f"chat-{n % 3}", handle(f"chat-{n % 3}", n))
            n += 1
    await intake.finish(seconds=10)
    assert intake.in_hand == 0 and intake.most == 4
    assert most[0] == 3  # three chats side by side; one chat never runs two at once
    for chat, seen in order.items():
        assert seen == sorted(seen), chat
    assert sum(len(seen) for seen in order.values()) == 40


async def test_a_failing_update_does_not_stop_its_chat(caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    intake = Intake(bound=2)
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        done.append(1)

    intake.take("c", boom)
    intake.take("c", fine)
    await intake.finish(seconds=5)
    assert done == [1] and intake.in_hand == 0
    assert any("failed" in r.getMessage() for r in caplog.records)


async def test_finish_cancels_what_does_not_end_in_time() -> None:
    intake = Intake(bound=3)
    never = asyncio.Event()
    intake.take("a", never.wait)
    intake.take("a", never.wait)
    await intake.finish(seconds=0.05)
    assert intake.in_hand == 0  # the rest stay in the inbox, for the next start


class Gated:
    """A core stand-in that holds every update until ``gate`` opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started: list[Any] = []
        self.finished: list[Any] = []

    async def handle(self, incoming: Any) -> None:
        self.started.append(incoming)
        await self.gate.wait()
        self.finished.append(incoming)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_polling_takes_no_more_than_the_bound_and_keeps_each_chats_order(
        fake: FakeTelegram, framework: str) -> None:
    bound = 5
    adapter = (AiogramAdapter(fake.token, fake.base, bound=bound) if framework == "aiogram"
               else PtbAdapter(fake.token, fake.base, bound=bound))
    core = Gated()
    adapter.attach(core)  # type: ignore[arg-type]
    for n in range(12):
        fake.user_sends(7000 + n % 3, f"tin {n}")
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.poll(stop))
    try:
        await fake.wait_for(lambda f: len(core.started) == 3)  # one per chat: the lines
        await asyncio.sleep(0.3)  # room for more polls, if it took more than it may
        polls = fake.calls_to("getUpdates")
        assert all(0 < (c.params.get("limit") or 100) <= bound for c in polls)
        taken = sum(len(c.response.get("result") or []) for c in polls)
        assert taken == bound, taken  # the rest wait at Telegram
        assert len(core.started) == 3 and adapter.intake.in_hand == bound
        core.gate.set()
        await fake.wait_for(lambda f: len(core.finished) == 12)
        for user in (7000, 7001, 7002):
            texts = [i.text for i in core.finished if i.user_id == user]
            assert texts == sorted(texts, key=lambda t: int(t.split()[1])), texts
        assert adapter.intake.most <= bound
    finally:
        stop.set()
        await asyncio.wait_for(polling, 10)
        await adapter.close()
