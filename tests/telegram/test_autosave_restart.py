"""Autosave over Telegram: the bot process is stopped and started again on the same
database, and the answers given before (never saved with the button) are all there:
/draft continues the plan at the step the person was on (issue 16, item 6)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.fakes.telegram import FakeTelegram
from bot.runner import Service
from bot.settings import Settings
from tests.conversation.test_filing import APPROACH, PROBLEM, TITLE
from tests.telegram.conftest import TOKEN, RunningClock
from tests.telegram.people import Person
from tests.templates import DEMO_2022_RULES, demo_database
from workflow.lifecycle import State


async def _serve(fake: FakeTelegram, database: Path, tmp_path: Path
                 ) -> tuple[Service, asyncio.Event, asyncio.Task[None]]:
    settings = Settings.of(telegram_token=TOKEN, telegram_api_base=fake.base,
                           database_url=f"sqlite+aiosqlite:///{database}",
                           data_dir=tmp_path, **DEMO_2022_RULES)
    service = await Service.start(settings, framework="aiogram", clock=RunningClock(),
                                  reminders=False)
    stop = asyncio.Event()
    return service, stop, asyncio.create_task(service.serve(stop))


async def _stop(service: Service, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    try:
        await asyncio.wait_for(task, timeout=30)
    finally:
        await service.close()


async def test_a_restarted_bot_continues_the_unsaved_plan(fake: FakeTelegram,
                                                          tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    codes = await demo_database(database)
    service, stop, task = await _serve(fake, database, tmp_path)
    try:
        lan = Person(fake, 701, core=service.core)
        await lan.say(f"/start {codes['nguyen-thi-lan']}")
        await lan.say("/plan")
        await lan.say(TITLE)
        await lan.press("Chưa được quy định")
        await lan.say(PROBLEM)
        await lan.say(APPROACH)
        assert "Bước 5/9" in lan.text
    finally:
        await _stop(service, stop, task)
    service, stop, task = await _serve(fake, database, tmp_path)
    try:
        lan.core = service.core
        await lan.say("/draft")
        assert "Tiếp tục kế hoạch số" in lan.text and TITLE in lan.text
        assert "Bước 5/9" in lan.text
        [draft] = await service.app.services.directory.dossiers_of("nguyen-thi-lan")
        assert draft.state is State.DRAFT and draft.plan.approach == APPROACH
    finally:
        await _stop(service, stop, task)
