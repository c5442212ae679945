"""The trigger: APScheduler calls the reminder dispatcher every minute.

The reminders table is the source of truth, so the scheduler holds exactly one job
and nothing else: start-up reads no reminder, however many are pending, and a restart
loses nothing (the next tick finds whatever fell due meanwhile). In-memory job store,
coalescing and one instance at a time: ticks missed while the loop was busy become a
single tick, and a slow tick is never overlapped by the next one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from workflow.quiet_hours import VIETNAM, QuietHours
from workflow.reminders import ReminderSettings
from workflow.reporting_duties import ReportingDuty, bundled_duties, parse_duties

log = logging.getLogger(__name__)

JOB_ID = "reminders-dispatch"
INTERVAL_SECONDS = 60.0
QUIET_HOURS_ENV = "CADREBOT_REMINDER_HOURS"  # when messages may go out, e.g. "07:00-21:00"
SUPERIOR_AFTER_ENV = "CADREBOT_TELL_SUPERIOR_AFTER"  # overdue working days, e.g. "3"
DUTIES_ENV = "CADREBOT_REPORTING_DUTIES"  # the installation's own list of reporting duties


def settings_from_env(env: Mapping[str, str] | None = None) -> ReminderSettings:
    """The reminder policy's settings, from the environment where it overrides them."""
    env = os.environ if env is None else env
    default = ReminderSettings()
    quiet, late = default.quiet, default.tell_superior_after
    hours = env.get(QUIET_HOURS_ENV, "").strip()
    if hours:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in hours.split("-"))
            quiet = QuietHours(start, end)
        except ValueError:
            raise ValueError(f"{QUIET_HOURS_ENV}={hours!r}: write HH:MM-HH:MM, "
                             "e.g. 07:00-21:00") from None
    days = env.get(SUPERIOR_AFTER_ENV, "").strip()
    if days:
        if not days.isdigit() or not 0 < int(days) <= default.overdue_repeats:
            raise ValueError(f"{SUPERIOR_AFTER_ENV}={days!r}: a number of working days, "
                             f"1–{default.overdue_repeats}")
        late = int(days)
    return ReminderSettings(quiet=quiet, tell_superior_after=late)


def duties_from_env(env: Mapping[str, str] | None = None) -> tuple[ReportingDuty, ...]:
    """The recurring reporting duties: the installation's file if set, else the bundled."""
    env = os.environ if env is None else env
    path = env.get(DUTIES_ENV, "").strip()
    if not path:
        return bundled_duties()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{DUTIES_ENV}={path!r}: {exc.strerror or exc}") from None
    return parse_duties(text, origin=path)


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
