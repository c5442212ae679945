"""Updates are kept before they are acknowledged (the webhook's 200, the next poll): a
redelivery is handled once, an update acknowledged by a process that then stopped is
handled at the next start, and one that cannot be kept is refused so that the platform
sends it again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.fakes.telegram import FakeTelegram
from bot.runner import update_key
from storage import audit, inbox
from storage.db import create_engine, session_factory
from storage.models import InboxUpdate
from tests.telegram.conftest import Start, free_port
from tests.telegram.test_webhook import SECRET, webhook
from tests.templates import demo_database
from workflow.errors import StorageUnavailable


async def _rows(run) -> list[InboxUpdate]:  # type: ignore[no-untyped-def]
    async with session_factory(run.service.app.engine)() as session:
        return list((await session.execute(select(InboxUpdate))).scalars())


async def test_an_update_is_kept_handled_once_and_marked(start_bot: Start) -> None:
    run = await start_bot("aiogram", **webhook(free_port()))
    fake = run.fake
    await fake.wait_for(lambda f: f.webhook is not None)
    update = fake.user_sends(311, "/start")
    assert await fake.post_update_to_webhook(update, SECRET) == 200
    await fake.wait_for(lambda f: f.sent_to(311))
    await fake.wait_idle(quiet=0.5)
    answered = len(fake.sent_to(311))
    assert await fake.post_update_to_webhook(update, SECRET) == 200  # Telegram resends
    await asyncio.sleep(0.5)
    await fake.wait_idle(quiet=0.5)
    assert len(fake.sent_to(311)) == answered
    [row] = await _rows(run)
    assert row.update_key == update_key(update) and row.handled_at is not None


async def test_what_a_stopped_process_acknowledged_is_handled_at_the_next_start(
        start_bot: Start, fake: FakeTelegram, tmp_path: Path) -> None:
    """The update was kept and acknowledged, then the process died before handling it:
    at the next start the person is answered, then the row is marked handled."""
    database = tmp_path / "bot.sqlite3"
    await demo_database(database)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    audit.bind(engine, audit.load_seal(tmp_path))
    try:
        update = fake.user_sends(321, "/start", first_name="Bình")  # as Telegram posted it
        assert await inbox.keep(engine, "telegram", update_key(update), update,
                                datetime.now(UTC))
    finally:
        await engine.dispose()
    run = await start_bot("aiogram", **webhook(free_port()))
    text = await run.fake.wait_for(lambda f: f.sent_to(321) and f.sent_to(321)[0]["text"],
                                   timeout=30)
    assert "Chào mừng" in text
    await run.fake.wait_idle(quiet=0.5)
    [row] = await _rows(run)
    assert row.handled_at is not None


async def test_an_update_that_cannot_be_kept_is_refused_for_a_resend(
        start_bot: Start, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run = await start_bot("aiogram", **webhook(free_port()))
    fake = run.fake
    await fake.wait_for(lambda f: f.webhook is not None)

    async def busy(*_args: object, **_kwargs: object) -> bool:
        raise StorageUnavailable("database is locked")

    monkeypatch.setattr(inbox, "keep", busy)
    update = fake.user_sends(331, "/start")
    assert await fake.post_update_to_webhook(update, SECRET) == 503
    await asyncio.sleep(0.5)
    assert fake.sent_to(331) == []  # nothing acknowledged, nothing handled
    monkeypatch.undo()
    assert await fake.post_update_to_webhook(update, SECRET) == 200
    await fake.wait_for(lambda f: f.sent_to(331), timeout=30)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_polled_updates_are_kept_before_the_next_poll_and_marked(
        start_bot: Start, framework: str) -> None:
    run = await start_bot(framework)
    fake = run.fake
    update = fake.user_sends(341, "/start")
    await fake.wait_for(lambda f: f.sent_to(341), timeout=30)
    await fake.wait_idle(quiet=0.5)
    rows = {row.update_key: row for row in await _rows(run)}
    assert rows[update_key(update)].handled_at is not None


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_a_polling_bot_handles_what_a_stopped_one_acknowledged(
        start_bot: Start, fake: FakeTelegram, tmp_path: Path, framework: str) -> None:
    database = tmp_path / "bot.sqlite3"
    await demo_database(database)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    audit.bind(engine, audit.load_seal(tmp_path))
    try:
        update = fake.user_sends(351, "/start", first_name="Bình")
        fake.drop_pending()  # Telegram has it as confirmed: only the inbox remembers it
        assert await inbox.keep(engine, "telegram", update_key(update), update,
                                datetime.now(UTC))
    finally:
        await engine.dispose()
    run = await start_bot(framework)
    text = await run.fake.wait_for(lambda f: f.sent_to(351) and f.sent_to(351)[0]["text"],
                                   timeout=30)
    assert "Chào mừng" in text
