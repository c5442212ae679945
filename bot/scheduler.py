"""The trigger: APScheduler calls the reminder dispatcher every minute.

The reminders table is the source of truth, so the scheduler holds exactly one job
and nothing else: start-up reads no reminder, however many are pending, and a restart
loses nothing (the next tick finds whatever fell due meanwhile). In-memory job store,
coalescing and one instance at a time: ticks missed while the loop was busy become a
single tick, and a slow tick is never overlapped by the next one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from workflow.quiet_hours import VIETNAM

log = logging.getLogger(__name__)

JOB_ID = "reminders-dispatch"
INTERVAL_SECONDS = 60.0
class Ticking(Protocol):
    async def tick(self, now: datetime | None = None) -> object: ...

    async def close(self) -> None: ...


class ReminderScheduler:
    def __init__(self, dispatcher: Ticking, interval_seconds: float = INTERVAL_SECONDS) -> None:
        self.dispatcher = dispatcher
        self.interval = interval_seconds
        self.ticks = 0
        self.failures = 0
        self.scheduler = AsyncIOScheduler(timezone=VIETNAM, job_defaults={
            "coalesce": True, "max_instances": 1,
            # A tick late by up to one interval still runs; later than that, the next one
            # does the same work anyway.
            "misfire_grace_time": max(1, int(interval_seconds))})

    def start(self) -> None:
        """Schedule the tick (first one at once); must be called inside the running loop."""
        self.scheduler.add_job(self._tick, "interval", seconds=self.interval, id=JOB_ID,
                               next_run_time=datetime.now(VIETNAM), replace_existing=True)
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.dispatcher.close()

    async def _tick(self) -> None:
        try:
            await self.dispatcher.tick()
            self.ticks += 1
        except Exception:  # the next tick tries again; one bad tick must not stop reminders
            self.failures += 1
            log.exception("reminder dispatch tick failed")
