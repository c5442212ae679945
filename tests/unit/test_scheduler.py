"""The scheduler only triggers: one job, ticks never overlap, a failing tick is retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.scheduler import JOB_ID, ReminderScheduler
from bot.settings import ConfigError, Settings, load_settings
from bot.wiring import build_app
from storage.models import OutboxMessage, Reminder
from workflow.quiet_hours import QuietHours
from workflow.reminders import ReminderSettings


class SlowDispatcher:
    def __init__(self, fail_first: bool = False) -> None:
        self.running = 0
        self.overlapped = False
        self.calls = 0
        self.closed = False
        self.fail_first = fail_first

    async def tick(self, now: datetime | None = None) -> None:
        self.calls += 1
        if self.fail_first and self.calls == 1:
            raise RuntimeError("database went away")
        self.running += 1
        self.overlapped |= self.running > 1
        await asyncio.sleep(0.15)  # slower than the interval
        self.running -= 1

    async def close(self) -> None:
        self.closed = True


async def test_ticks_run_one_at_a_time_and_start_up_schedules_a_single_job() -> None:
    dispatcher = SlowDispatcher()
    scheduler = ReminderScheduler(dispatcher, interval_seconds=0.05)
    scheduler.start()
    assert [job.id for job in scheduler.scheduler.get_jobs()] == [JOB_ID]
    await asyncio.sleep(0.6)
    await scheduler.stop()
    assert dispatcher.calls >= 2 and not dispatcher.overlapped and dispatcher.closed


async def test_a_failing_tick_does_not_stop_the_next_ones() -> None:
    dispatcher = SlowDispatcher(fail_first=True)
    scheduler = ReminderScheduler(dispatcher, interval_seconds=0.05)
    scheduler.start()
    await asyncio.sleep(0.5)
    await scheduler.stop()
    assert scheduler.failures == 1 and scheduler.ticks >= 1


class HeldDispatcher:
    """A tick that holds its transaction until told; records whether the engine closed
    while the tick was still inside it."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.inside = asyncio.Event()
        self.inside_when_closed = False
        self.finished = False
        self.cancelled = False
        self.in_tick = False

    async def tick(self, now: datetime | None = None) -> None:
        self.in_tick = True
        self.inside.set()
        try:
            await asyncio.sleep(self.hold)
            self.finished = True
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.in_tick = False

    async def close(self) -> None:
        self.inside_when_closed = self.in_tick


async def test_a_stop_lets_the_running_tick_finish_before_the_engine_closes(
        caplog: pytest.LogCaptureFixture) -> None:
    dispatcher = HeldDispatcher(hold=0.3)
    scheduler = ReminderScheduler(dispatcher, interval_seconds=60)
    scheduler.start()
    await asyncio.wait_for(dispatcher.inside.wait(), 5)
    await scheduler.stop()
    assert dispatcher.finished and not dispatcher.inside_when_closed
    assert scheduler.ticks == 1 and "Traceback" not in caplog.text


async def test_a_tick_past_the_grace_is_cancelled_quietly_before_the_engine_closes(
        caplog: pytest.LogCaptureFixture) -> None:
    dispatcher = HeldDispatcher(hold=30)
    scheduler = ReminderScheduler(dispatcher, interval_seconds=60)
    scheduler.start()
    await asyncio.wait_for(dispatcher.inside.wait(), 5)
    await scheduler.stop(grace=0.1)
    assert dispatcher.cancelled and not dispatcher.inside_when_closed
    assert scheduler.failures == 0
    assert not [r for r in caplog.records if r.exc_info], caplog.text


def test_settings_come_from_the_environment_with_clear_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADREBOT_REMINDER_HOURS", "06:30-20:00")
    monkeypatch.setenv("CADREBOT_TELL_SUPERIOR_AFTER", "5")
    settings = load_settings(None).reminders
    assert settings.quiet == QuietHours(time(6, 30), time(20))
    assert settings.tell_superior_after == 5
    assert Settings.of().reminders == ReminderSettings()
    monkeypatch.setenv("CADREBOT_REMINDER_HOURS", "21:00-07:00")
    with pytest.raises(ConfigError, match=r"CADREBOT_REMINDER_HOURS='21:00-07:00': .*HH:MM"):
        load_settings(None)
    monkeypatch.delenv("CADREBOT_REMINDER_HOURS")
    monkeypatch.setenv("CADREBOT_TELL_SUPERIOR_AFTER", "0")
    with pytest.raises(ConfigError, match="CADREBOT_TELL_SUPERIOR_AFTER='0'"):
        load_settings(None)


async def test_the_app_starts_its_dispatcher_and_a_due_reminder_reaches_the_outbox(
        tmp_path: Path) -> None:
    app = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}")
    async with app.engine.begin() as conn:
        await conn.execute(insert(Reminder).values(
            idempotency_key="answer_due:1:2026-11-26:nobody", kind="answer_due", dossier_id=1,
            person_id=None, due_at=datetime.now(UTC) - timedelta(minutes=5), payload={},
            status="pending", attempts=0))
    app.start_reminders()
    try:
        for _ in range(50):
            await asyncio.sleep(0.05)
            async with app.engine.connect() as conn:
                keys = (await conn.execute(select(OutboxMessage.dedupe_key))).scalars().all()
            if keys:
                break
    finally:
        await app.close()
    assert keys == ["reminder:answer_due:1:2026-11-26:nobody"]
