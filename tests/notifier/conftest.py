"""Notifier tests: the demo organisation on a real database (SQLite, and PostgreSQL when
CADREBOT_TEST_POSTGRES_URL is set), a fake chat platform and virtual time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.console import ensure_demo
from bot.settings import Settings
from bot.wiring import App, build_app, folder_of
from tests.notifier.support import FakeSender, FakeTime
from tests.storage.conftest import engine  # noqa: F401  (the database fixture)
from tests.templates import DEMO_2022_RULES


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def app(engine: AsyncEngine, time: FakeTime) -> AsyncIterator[App]:  # noqa: F811
    app = await build_app(engine=engine, clock=time,
                          settings=Settings.of(data_dir=folder_of(engine.url.render_as_string(False)),
                                               **DEMO_2022_RULES))
    await ensure_demo(app, "duc-pho-2022")
    yield app  # the engine fixture disposes of the engine


@pytest.fixture
def telegram() -> FakeSender:
    return FakeSender("telegram")
