"""The real bot (aiogram, or python-telegram-bot) against the fake Bot API server, on a
fresh SQLite database with the demo organisation, its notifier draining the outbox."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.fakes.telegram import FakeTelegram
from bot.runner import Service
from bot.settings import Settings
from storage.db import session_factory
from storage.invitations import issue_invitations
from storage.organisation import demo_text, parse_org_text
from tests.conversation.harness import VIETNAM
from tests.templates import DEMO_2022_RULES, demo_database

TOKEN = "123456:AAE-test-token-for-the-fake-server"
REDIS_ENV = "CADREBOT_TEST_REDIS_URL"


class RunningClock:
    """Monday 23/11/2026 09:00 in Vietnam, then running in real time (so that retry
    back-offs expire while dates in the texts stay the same)."""

    def __init__(self) -> None:
        self.start = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
        self.began = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


@dataclass
class Running:
    fake: FakeTelegram
    service: Service
    codes: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_url() -> str | None:
    """Redis for the multi-worker tests: ``.ci/run`` sets it; under CI it must work."""
    url = os.environ.get(REDIS_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{REDIS_ENV} is not set: CI must test the workers' coordination")
    return url


async def invitation_codes(service: Service) -> dict[str, str]:
    organisation = parse_org_text(demo_text("duc-pho-2022"), "demo").organisation.id
    async with session_factory(service.app.engine)() as session, session.begin():
        issued = await issue_invitations(session, organisation)
    return {i.person: i.code for i in issued}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


Start = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Start]:
    """``await start_bot(framework, **settings)``: the bot serving until the test ends."""
    started: list[tuple[Service, asyncio.Event, asyncio.Task[None]]] = []

    async def start(framework: str = "aiogram", *, codes: bool = True,
                    **overrides: Any) -> Running:
        database = tmp_path / "bot.sqlite3"
        # The first bot gets a copy of the demo database; a second worker shares it.
        issued = {} if database.exists() else await demo_database(database)
        settings = Settings.of(telegram_token=TOKEN, telegram_api_base=fake.base,
                               database_url=f"sqlite+aiosqlite:///{database}",
                               data_dir=tmp_path, **(DEMO_2022_RULES | overrides))
        service = await Service.start(settings, framework=framework, clock=RunningClock(),
                                      reminders=False)
        stop = asyncio.Event()
        task = asyncio.create_task(service.serve(stop))
        started.append((service, stop, task))
        return Running(fake, service, issued if codes else {})

    yield start
    for service, stop, task in started:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        finally:
            await service.close()
