"""The scheduler only triggers: one job, ticks never overlap, a failing tick is retried."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.scheduler import JOB_ID, ReminderScheduler


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
