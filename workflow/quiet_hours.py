"""When a reminder may actually reach someone: Vietnam's time, working hours, working days.

Nobody should be woken by a bot. A non-urgent reminder waits for working hours on a
working day; an urgent one (an overdue answer, a ballot about to close) only waits out
the night, never beyond the next morning, weekend or holiday notwithstanding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol

# Vietnam keeps no daylight saving time: a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
# A calendar without a working day in this many days is broken; stop rather than loop.
MAX_DAYS_AHEAD = 60


class Days(Protocol):
    def is_working_day(self, day: date) -> bool: ...


@dataclass(frozen=True)
class QuietHours:
    """Messages go out from ``start`` (inclusive) to ``end`` (exclusive), Vietnam time."""

    start: time = time(7, 0)
    end: time = time(21, 0)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("quiet hours: the day must start before it ends")

    def awake(self, moment: time) -> bool:
        return self.start <= moment < self.end


def deliver_at(due_at: datetime, urgent: bool, calendar: Days,
               quiet: QuietHours = QuietHours()) -> datetime:
    """The first moment at or after ``due_at`` when the reminder may be delivered."""
    local = due_at.astimezone(VIETNAM)
    moment = local.time().replace(tzinfo=None)
    day = local.date()
    if urgent:
        if quiet.awake(moment):
            return local
        if moment >= quiet.end:
            day += timedelta(days=1)
        return datetime.combine(day, quiet.start, tzinfo=VIETNAM)
    if calendar.is_working_day(day):
        if quiet.awake(moment):
            return local
        if moment < quiet.start:
            return datetime.combine(day, quiet.start, tzinfo=VIETNAM)
    return datetime.combine(next_working_day(day, calendar), quiet.start, tzinfo=VIETNAM)


def next_working_day(day: date, calendar: Days) -> date:
    """The first working day strictly after ``day``."""
    for offset in range(1, MAX_DAYS_AHEAD + 1):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {MAX_DAYS_AHEAD} days after {day}")


def working_days_before(day: date, n: int, calendar: Days) -> date:
    """The working day ``n`` working days before ``day`` (``day`` itself not counted)."""
    found, candidate = 0, day
    for _ in range(n * 7 + MAX_DAYS_AHEAD):
        candidate -= timedelta(days=1)
        if calendar.is_working_day(candidate):
            found += 1
            if found == n:
                return candidate
    raise ValueError(f"no {n} working days before {day}")
