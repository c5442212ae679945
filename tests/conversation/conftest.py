"""Fixtures for conversation tests: a demo app on SQLite and a way to open chats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.wiring import App
from tests.conversation.harness import Chat, SettableClock, demo_app


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
async def demo(tmp_path: Path, clock: SettableClock) -> AsyncIterator[tuple[App, dict[str, str]]]:
    app, codes = await demo_app(tmp_path, clock)
    try:
        yield app, codes
    finally:
        await app.close()


@pytest.fixture
def app(demo: tuple[App, dict[str, str]]) -> App:
    return demo[0]


@pytest.fixture
def codes(demo: tuple[App, dict[str, str]]) -> dict[str, str]:
    return demo[1]


@pytest.fixture
async def lan(app: App, codes: dict[str, str]) -> Chat:
    """Nguyễn Thị Lan, head of Phổ Châu kindergarten (commune_school), linked."""
    chat = Chat(app)
    await chat.send(f"/start {codes['nguyen-thi-lan']}")
    return chat


@pytest.fixture
def guest(app: App) -> Chat:
    """Someone with no account."""
    return Chat(app)
