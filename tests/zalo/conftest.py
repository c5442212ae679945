"""The real bot on Zalo (alone, or with Telegram in the same process) against the fake
Zalo Bot API server (and the fake Telegram one), on a fresh SQLite database with the
demo organisation, its notifier draining the outbox to both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.fakes.telegram import FakeTelegram
from bot.fakes.zalo import FakeZalo
from bot.runner import Service
from bot.settings import Settings
from tests.telegram.conftest import TOKEN as TELEGRAM_TOKEN
from tests.telegram.conftest import RunningClock
from tests.templates import DEMO_2022_RULES, demo_database

ZALO_TOKEN = "2233445566:zalo-test-token-for-the-fake-server"


@dataclass
class Running:
    zalo: FakeZalo
    telegram: FakeTelegram | None
    service: Service
    codes: dict[str, str]


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(ZALO_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TELEGRAM_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


Start = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_bot(zalo: FakeZalo, tmp_path: Path) -> AsyncIterator[Start]:
    """``await start_bot(telegram=fake_or_None, **settings)``: the bot serving Zalo (and
    Telegram, given its fake) until the test ends."""
    started: list[tuple[Service, asyncio.Event, asyncio.Task[None]]] = []

    async def start(*, telegram: FakeTelegram | None = None, **overrides: Any) -> Running:
        both = {"telegram_token": TELEGRAM_TOKEN,
                "telegram_api_base": telegram.base} if telegram is not None else {}
        database = tmp_path / "bot.sqlite3"
        codes = await demo_database(database)
        settings = Settings.of(zalo_token=ZALO_TOKEN, zalo_api_base=zalo.base,
                               database_url=f"sqlite+aiosqlite:///{database}", data_dir=tmp_path,
                               **both, **(DEMO_2022_RULES | overrides))
        service = await Service.start(settings, clock=RunningClock(), reminders=False)
        stop = asyncio.Event()
        task = asyncio.create_task(service.serve(stop))
        started.append((service, stop, task))
        return Running(zalo, telegram, service, codes)

    yield start
    for service, stop, task in started:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        finally:
            await service.close()
