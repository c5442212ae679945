"""A fan-out against the fake Bot API that refuses what Telegram would (429): sent
concurrently, each person's messages in their order, and never over a limit, even with
the replies to people sharing the same budget."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.fakes.telegram import FakeTelegram
from bot.ratelimit import Limits, RateLimiter
from bot.runner import Service, make_adapter
from bot.settings import Settings
from bot.wiring import App
from storage.db import session_factory
from storage.models import ChatAccount, Person
from tests.notifier.support import FakeTime, link, note, notifier_for, plant
from tests.telegram.conftest import TOKEN, RunningClock
from tests.templates import DEMO_2022_RULES, demo_database

CHAT = 700_000  # the first person's Telegram chat


def label(text: str) -> str:
    found = re.search(r"qua (\S+) \(", text)
    assert found, text
    return found.group(1)


async def people(app_engine: object, count: int) -> list[str]:
    async with session_factory(app_engine)() as session:  # type: ignore[arg-type]
        found = list((await session.execute(
            select(Person.id).order_by(Person.id).limit(count))).scalars())
    assert len(found) == count, "the demo organisation has fewer people"
    return found


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN, enforce_limits=True)  # a breach is a 429, as on Telegram
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_fan_out_fills_the_limits_without_a_429_and_keeps_each_chat_s_order(
        app: App, time: FakeTime, fake: FakeTelegram) -> None:
    everyone = await people(app.engine, 25)
    for n, person in enumerate(everyone):
        fake.known_chat(CHAT + n)
        await link(app.engine, person)
        async with app.engine.begin() as conn:  # the chat as Telegram numbers it
            await conn.execute(update(ChatAccount).where(ChatAccount.person_id == person)
                               .values(chat_id=str(CHAT + n)))
    for k in range(6):  # a chat's burst (three), then one a second
        for n, person in enumerate(everyone):
            await plant(app.engine, person, note(f"m{n}-{k}", person), key=f"{n}-{k}")
    adapter = make_adapter("aiogram", TOKEN, fake.base)
    notifier = notifier_for(app, time, adapter.ops, retries=3)
    notifier.limiter = RateLimiter(Limits())  # real time: the server is watching
    try:
        report = await notifier.drain_once()
    finally:
        await adapter.close()

    assert (report.claimed, report.sent, report.paused) == (150, 150, 0)
    assert fake.breaches == []
    assert [c for c in fake.calls if c.status == 429] == []
    assert fake.peak(1.0) <= 30
    for n in range(len(everyone)):
        shown = [label(m["text"]) for m in fake.sent_to(CHAT + n)]
        assert shown == [f"m{n}-{k}" for k in range(6)]
    # Concurrent: 150 messages to 25 chats at one a second each after a burst of three
    # take about four seconds, where one at a time (each chat waiting) took thirty.
    sends = sorted(c.time for c in fake.calls if c.method == "sendMessage")
    assert sends[-1] - sends[0] < 10


async def test_replies_to_people_and_notifications_share_one_budget(
        tmp_path: Path) -> None:
    rate = 10
    fake = FakeTelegram(TOKEN, limits=Limits(per_second=rate), enforce_limits=True)
    await fake.start()
    database = tmp_path / "bot.sqlite3"
    await demo_database(database)
    settings = Settings.of(telegram_token=TOKEN, telegram_api_base=fake.base,
                           database_url=f"sqlite+aiosqlite:///{database}",
                           data_dir=tmp_path, send_rate=rate, **DEMO_2022_RULES)
    service = await Service.start(settings, clock=RunningClock(), reminders=False)
    stop = asyncio.Event()
    try:
        everyone = await people(service.app.engine, 20)
        for n, person in enumerate(everyone):
            fake.known_chat(CHAT + n)
            async with session_factory(service.app.engine)() as session, session.begin():
                session.add(ChatAccount(channel="telegram", external_id=str(CHAT + n),
                                        chat_id=str(CHAT + n), person_id=person))
            for k in range(3):
                await plant(service.app.engine, person, note(f"m{n}-{k}", person),
                            key=f"{n}-{k}", at=RunningClock().start)
        task = asyncio.create_task(service.serve(stop))
        await fake.wait_for(lambda f: len(f.sent_to(CHAT)) >= 1, timeout=30)
        guests = range(800_000, 800_015)
        for guest in guests:  # people writing while the fan-out runs
            fake.user_sends(guest, "/start", first_name=f"Khách {guest}")
        await fake.wait_for(lambda f: all(f.sent_to(g) for g in guests), timeout=60)
        await fake.wait_for(lambda f: all(len(f.sent_to(CHAT + n)) == 3
                                          for n in range(len(everyone))), timeout=60)
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    finally:
        stop.set()
        await service.close()
        await fake.stop()

    assert fake.breaches == []  # and so no 429: replies counted with the notifications
    assert fake.peak(1.0) <= rate
    sends = [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]
    assert len(sends) == 60 + sum(len(fake.sent_to(g)) for g in guests)
    guest_chats = set(guests)
    answered = max(c.time for c in sends if c.params.get("chat_id") in guest_chats)
    last_bulk = max(c.time for c in sends if c.params.get("chat_id") not in guest_chats)
    assert answered < last_bulk  # the people were answered ahead of the fan-out's end
