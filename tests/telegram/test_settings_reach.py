"""Every documented setting reaches the component it names in the running bot.

The settings are loaded the way ``cadrebot run`` loads them (the environment, through
``load_settings``), then the service is started against the fake Bot API and each
component is asked what it was given, or made to show it.
"""

from __future__ import annotations

import asyncio
from datetime import date, time
from pathlib import Path

import pytest

from bot.fakes.telegram import FakeTelegram
from bot.runner import Service
from bot.settings import load_settings
from storage.uow import SqlUnitOfWork
from tests.conversation.test_dossiers import file, stored
from tests.telegram.conftest import TOKEN, RunningClock, invitation_codes
from tests.telegram.people import Person
from workflow import services as svc
from workflow.commands import CellAgree
from workflow.lifecycle import State
from workflow.quiet_hours import QuietHours

OVERRIDES = """\
days_off:
  - date: 2026-11-30
    reason: "Nghỉ theo quyết định của địa phương (thử)"
"""
DUTIES = """\
duties:
  - id: office-own-report
    what: {vi: "Báo cáo riêng của văn phòng", en: "The office's own report"}
    to: {vi: "Ban Thường vụ", en: "the Standing Board"}
    bodies: [commune_party_committee]
    before: 15/12
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeTelegram) -> Path:
    """A configuration touching every setting the README documents for a polling bot."""
    import os

    for name in list(os.environ):
        if name.startswith("CADREBOT_") and name not in ("CADREBOT_I18N_STRICT",
                                                         "CADREBOT_TEST_POSTGRES_URL",
                                                         "CADREBOT_TEST_REDIS_URL"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "days.yaml").write_text(OVERRIDES, encoding="utf-8")
    (tmp_path / "duties.yaml").write_text(DUTIES, encoding="utf-8")
    for name, value in {
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base,
        "DATA_DIR": str(tmp_path / "office-data"), "LANGUAGE": "en",
        "TIMEZONE": "Asia/Bangkok", "SEND_RATE": "7", "MAX_FILE_MB": "3",
        "REMINDER_HOURS": "06:30-20:00", "TELL_SUPERIOR_AFTER": "5",
        "CALENDAR_OVERRIDES": str(tmp_path / "days.yaml"),
        "REPORTING_DUTIES": str(tmp_path / "duties.yaml"),
        # The 2022 demo's people, under the rules of their period (today's calendar).
        "JURISDICTION": "quang-ngai/duc-pho", "RULES_DATE": "2025-06-02",
    }.items():
        monkeypatch.setenv(f"CADREBOT_{name}", value)
    return tmp_path


async def _service(clock: object | None = None) -> Service:
    return await Service.start(load_settings(None), clock=clock, reminders=False)


async def _serving(service: Service) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    return stop, asyncio.create_task(service.serve(stop))


async def test_the_database_lives_in_the_data_directory(env: Path) -> None:
    service = await _service()
    try:
        assert service.app.engine.url.database == str(env / "office-data" / "cadrebot.sqlite3")
        assert (env / "office-data" / "cadrebot.sqlite3").is_file()
    finally:
        await service.close()


async def test_an_explicit_database_url_wins_over_the_data_directory(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{env / 'own.sqlite3'}")
    service = await _service()
    try:
        assert service.app.engine.url.database == str(env / "own.sqlite3")
        assert not (env / "office-data" / "cadrebot.sqlite3").exists()
    finally:
        await service.close()


async def test_rates_sizes_zone_reminders_and_duties_reach_their_components(
        env: Path) -> None:
    service = await _service()
    try:
        assert service.username  # the token and the API base: the fake answered getMe
        assert service.notifier.limiter.limits.per_second == 7
        assert service.core is not None and service.core.max_file_bytes == 3 * 1024 * 1024
        assert str(service.app.services.clock.now().tzinfo) == "Asia/Bangkok"
        reminders = service.app.settings.reminders
        assert reminders.quiet == QuietHours(time(6, 30), time(20))
        assert reminders.tell_superior_after == 5
        uow = service.app.services.uow()
        assert isinstance(uow, SqlUnitOfWork)
        assert uow._reminders.settings == reminders
        assert [d.id for d in service.app.services.duties] == ["office-own-report"]
        started = service.app.start_reminders()
        assert started.dispatcher.duties.settings == reminders  # type: ignore[attr-defined]
    finally:
        await service.close()


async def test_the_language_is_the_one_before_a_person_chooses(env: Path,
                                                               fake: FakeTelegram) -> None:
    service = await _service()
    stop, task = await _serving(service)
    try:
        guest = Person(fake, 501, "Guest", language="", core=service.core)
        await guest.say("/start")
        assert "Welcome to cadrebot" in guest.text, guest.text
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await service.close()


async def test_a_dossier_registered_by_the_running_bot_gets_the_overridden_deadline(
        env: Path, fake: FakeTelegram) -> None:
    """Registered on Monday 23/11/2026: 30 working days end on Wednesday 6/1/2027 on the
    bundled calendar; the office's day off on Monday 30/11 moves it to Thursday 7/1."""
    service = await _service(clock=RunningClock())
    stop, task = await _serving(service)
    try:
        app = service.app
        nam = Person(fake, 601, "Nam", core=service.core)
        await nam.say(f"/start {(await invitation_codes(service))['ho-van-nam']}")
        dossier = await file(app, State.AT_CELL)
        cell = await app.services.directory.actor("tran-thi-kim-thoa")
        await svc.cell_agree(CellAgree(actor=cell, dossier_id=dossier.id), app.services.uow(),
                             app.services.clock)
        service.notifier.wake()
        await nam.expect(f"số {dossier.id}")
        await nam.press("Vào sổ")
        registered = await stored(app, dossier.id)
        assert registered.state is State.REGISTERED
        assert registered.due_on == date(2027, 1, 7)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await service.close()

