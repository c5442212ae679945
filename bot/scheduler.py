"""The trigger: APScheduler calls the reminder dispatcher every minute.

The reminders table is the source of truth, so the scheduler holds exactly one job
and nothing else: start-up reads no reminder, however many are pending, and a restart
loses nothing (the next tick finds whatever fell due meanwhile). In-memory job store,
coalescing and one instance at a time: ticks missed while the loop was busy become a
single tick, and a slow tick is never overlapped by the next one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from workflow.quiet_hours import VIETNAM

log = logging.getLogger(__name__)

JOB_ID = "reminders-dispatch"
INTERVAL_SECONDS = 60.0
# On stop, a tick already running gets this long to commit before it is cancelled; its
# transaction then rolls back and the next start does the same work again.
STOP_GRACE_SECONDS = 5.0


class Ticking(Protocol):
    async def tick(self, now: datetime | None = None) -> object: ...

    async def close(self) -> None: ...


class ReminderScheduler:
    def __init__(self, dispatcher: Ticking, interval_seconds: float = INTERVAL_SECONDS) -> None:
        self.dispatcher = dispatcher
        self.interval = interval_seconds
        self.ticks = 0
        self.failures = 0
        self._running: asyncio.Task[object] | None = None
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

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """No new tick; the one running finishes (or is cancelled after ``grace``) before
        the dispatcher's engine closes, so a Ctrl-C never interrupts a query mid-way."""
        if self.scheduler.running:
            # Paused first: APScheduler's shutdown cancels a running job outright, which
            # would interrupt the tick's transaction and log a traceback.
            self.scheduler.pause()
            running = self._running
            if running is not None and not running.done():
                _, pending = await asyncio.wait({running}, timeout=grace)
                if pending:
                    running.cancel()
                    await asyncio.wait({running})
            self.scheduler.shutdown(wait=False)
        await self.dispatcher.close()

    async def _tick(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.dispatcher.tick()
            self.ticks += 1
        except asyncio.CancelledError:
            # Only a stop cancels a tick: its transaction rolled back and nothing is lost.
            log.info("reminder dispatch tick cancelled by the stop")
        except Exception:  # the next tick tries again; one bad tick must not stop reminders
            self.failures += 1
            log.exception("reminder dispatch tick failed")
