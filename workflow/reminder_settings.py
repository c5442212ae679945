"""The reminder policy's settings, apart from the planning (``workflow.reminders``), so
that reading the configuration does not import every domain event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from workflow.quiet_hours import QuietHours


@dataclass(frozen=True)
class ReminderSettings:
    warn_before: tuple[int, ...] = (10, 5, 2, 1)  # working days before the due date
    overdue_repeats: int = 30  # working days of daily overdue reminders planned ahead
    tell_superior_after: int = 3  # overdue working days before the superior is told
    ballot_notices: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    cell_review_days: int = 5  # a cell review waiting longer than this is chased
    obligation_repeats: int = 30  # working days of "still not done" reminders
    # A plan may set its own cadence (Plan.progress_every); otherwise about monthly.
    progress_every: int = 20  # working days between progress reports
    progress_repeats: int = 6
    evaluation_days: int = 10  # working days after completion before the evaluation
    evaluation_repeats: int = 4  # then again every week
    task_warn_before: tuple[int, ...] = (2,)  # appraisal, legal review: days before due
    task_overdue_repeats: int = 10  # then every working day while it is late
    quiet: QuietHours = field(default_factory=QuietHours)
