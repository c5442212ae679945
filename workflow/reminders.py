"""Which reminders a step of the process plans or cancels (policy only, no I/O).

Storage applies the plan in the same transaction as the step, so a reminder can
never outlive a change that was rolled back, nor be lost by one that was saved.
Each reminder has an idempotency key; cancelling is by key prefix, so a new due
date replaces the old reminders (Cancel + re-plan) and a member who votes stops
getting "closing soon" reminders (only those who have not voted are reminded, as
Loomio does).

Every ``due_at`` is already a delivery time: quiet hours and days off are applied
here (``workflow.quiet_hours``), so what ``reminders preview`` shows is what happens.
Repeats ("every working day overdue", "daily until done") are planned ahead for a
bounded number of working days; the dispatcher collapses the ones a downtime missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from workflow.actors import Role
from workflow.calendar import WorkingDays, default_calendar
from workflow.events import (
    AppraisalAssigned,
    AppraisalFiled,
    BallotCancelled,
    BallotClosed,
    BallotOpened,
    CellAgreed,
    CellReturned,
    CompletionReported,
    DeadlineSet,
    DossierClosed,
    DossierForwarded,
    DossierSubmitted,
    DossierWithdrawn,
    EvaluationRecorded,
    Event,
    ImplementationStarted,
    LegalReviewAssigned,
    LegalReviewFiled,
    ObligationCreated,
    ObligationFulfilled,
    ProgressReported,
    Recipient,
    VoteCast,
    WrittenAnswerSent,
)
from workflow.quiet_hours import VIETNAM, deliver_at, working_days_before
from workflow.reminder_settings import ReminderSettings

__all__ = ["VIETNAM", "Cancel", "PlannedReminder", "ReminderKind", "ReminderSettings",
           "Step", "plan"]

MORNING = time(8, 0)  # reminders about a day go out at the start of office hours


class ReminderKind(StrEnum):
    ANSWER_SOON = "answer_soon"  # the written answer is due in n working days
    ANSWER_DUE = "answer_due"  # the written answer is due today (office and head)
    ANSWER_OVERDUE = "answer_overdue"  # past due: every working day until answered
    ANSWER_ESCALATED = "answer_escalated"  # the direct superior is told it is overdue
    BALLOT_CLOSING = "ballot_closing"  # the ballot closes soon and you have not voted
    CELL_REVIEW_WAITING = "cell_review_waiting"  # the cell has not reviewed it in time
    OBLIGATION_DUE = "obligation_due"  # a report owed "at once" is still not done
    PROGRESS_REPORT_DUE = "progress_report_due"  # the pilot's next progress report
    EVALUATION_DUE = "evaluation_due"  # completion reported; the collective must evaluate
    APPRAISAL_DUE = "appraisal_due"  # an appraiser's report is due (or overdue)
    LEGAL_REVIEW_DUE = "legal_review_due"  # a legal reviewer's advice is due (or overdue)
    # A recurring report owed by a body (seed 002: before 30/11 each year); no dossier.
    REPORTING_DUTY_DUE = "reporting_duty_due"


# Kinds whose lateness costs the cadre: not held back beyond the next morning.
URGENT = frozenset({ReminderKind.ANSWER_OVERDUE, ReminderKind.ANSWER_ESCALATED,
                    ReminderKind.BALLOT_CLOSING, ReminderKind.OBLIGATION_DUE})


@dataclass(frozen=True)
class PlannedReminder:
    key: str  # idempotency key; one row per resolved person is keyed ``key:person``
    kind: ReminderKind
    dossier_id: int
    due_at: datetime
    recipients: tuple[Recipient, ...]
    about: dict[str, str]  # what the message needs: due date, ballot id...


@dataclass(frozen=True)
class Cancel:
    prefix: str  # pending reminders whose key starts with this are cancelled


Step = PlannedReminder | Cancel


def morning_of(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=VIETNAM)


# Every prefix ends with ":" so that ballot 2's voter "a" never matches voter "ab".
def answer_key(dossier_id: int) -> str:
    return f"{ReminderKind.ANSWER_DUE}:{dossier_id}:"


def ballot_key(ballot_id: int, voter: str = "") -> str:
    return f"{ReminderKind.BALLOT_CLOSING}:{ballot_id}:" + (f"{voter}:" if voter else "")


def obligation_key(obligation_id: int) -> str:
    return f"{ReminderKind.OBLIGATION_DUE}:{obligation_id}:"


def cell_review_key(dossier_id: int) -> str:
    return f"{ReminderKind.CELL_REVIEW_WAITING}:{dossier_id}:"


def progress_key(dossier_id: int) -> str:
    return f"{ReminderKind.PROGRESS_REPORT_DUE}:{dossier_id}:"


def evaluation_key(dossier_id: int) -> str:
    return f"{ReminderKind.EVALUATION_DUE}:{dossier_id}:"


def task_key(kind: ReminderKind, dossier_id: int) -> str:
    """An appraisal's or a legal review's reminders (``APPRAISAL_DUE``/``LEGAL_REVIEW_DUE``)."""
    return f"{kind}:{dossier_id}:"


class _Planner:
    def __init__(self, calendar: WorkingDays, settings: ReminderSettings) -> None:
        self.calendar, self.settings = calendar, settings
        self.steps: list[Step] = []

    def cancel(self, prefix: str) -> None:
        self.steps.append(Cancel(prefix))

    def add(self, key: str, kind: ReminderKind, event: Event, due: datetime,
            recipients: tuple[Recipient, ...], about: dict[str, str]) -> None:
        at = deliver_at(due, kind in URGENT, self.calendar, self.settings.quiet)
        if due < event.at:  # already past when planned: the event's own notice told them
            return
        self.steps.append(PlannedReminder(key, kind, event.dossier_id, at, recipients, about))

    def deadline(self, event: DeadlineSet) -> None:
        cal, due = self.calendar, event.due_on
        base = answer_key(event.dossier_id) + due.isoformat()
        people = event.notify + ((event.head,) if event.head else ())
        about = {"due_on": due.isoformat(), "deadline": event.deadline_id}
        self.cancel(answer_key(event.dossier_id))  # a new due date replaces the old
        self.add(base, ReminderKind.ANSWER_DUE, event, morning_of(due), people,
                 {**about, "working_days_left": "0"})
        for n in sorted(set(self.settings.warn_before), reverse=True):
            day = working_days_before(due, n, cal)
            self.add(f"{base}:w{n}", ReminderKind.ANSWER_SOON, event, morning_of(day), people,
                     {**about, "working_days_left": str(n)})
        for n in range(1, self.settings.overdue_repeats + 1):
            day = cal.add_working_days(due, n)
            self.add(f"{base}:o{n}", ReminderKind.ANSWER_OVERDUE, event, morning_of(day),
                     people, {**about, "working_days_left": str(-n)})
        late = self.settings.tell_superior_after
        if event.superior is not None and 0 < late <= self.settings.overdue_repeats:
            self.add(f"{base}:superior", ReminderKind.ANSWER_ESCALATED, event,
                     morning_of(cal.add_working_days(due, late)), (event.superior,),
                     {**about, "working_days_left": str(-late)})

    def ballot(self, event: BallotOpened, closes: datetime) -> None:
        # Notices from the earliest; one that is already due goes out at once, and a
        # later notice that would come no later than it is dropped.
        for voter in event.voters:
            last: datetime | None = None
            for notice in sorted(self.settings.ballot_notices, reverse=True):
                due = max(event.at, closes - notice)
                if last is not None and due <= last:
                    continue
                last = due
                hours = int(notice.total_seconds() // 3600)
                self.add(f"{ballot_key(event.ballot_id, voter)}{hours}h",
                         ReminderKind.BALLOT_CLOSING, event, due,
                         (Recipient(role=Role.MEMBER, person=voter),),
                         {"ballot_id": str(event.ballot_id), "closes_at": closes.isoformat()})

    def cell_review(self, event: DossierSubmitted) -> None:
        start = event.at.astimezone(VIETNAM).date()
        # "More than n working days": the morning after the n-th has ended.
        day = self.calendar.add_working_days(start, self.settings.cell_review_days + 1)
        self.add(f"{cell_review_key(event.dossier_id)}{event.round}",
                 ReminderKind.CELL_REVIEW_WAITING, event, morning_of(day), event.notify,
                 {"submitted_on": start.isoformat(),
                  "working_days": str(self.settings.cell_review_days)})

    def obligation(self, event: ObligationCreated) -> None:
        about = {"obligation_id": str(event.obligation_id), "obligation": event.kind.value}
        day = event.at.astimezone(VIETNAM).date()
        for n in range(1, self.settings.obligation_repeats + 1):
            day = self.calendar.add_working_days(day, 1)
            self.add(f"{obligation_key(event.obligation_id)}{n}", ReminderKind.OBLIGATION_DUE,
                     event, morning_of(day), event.notify, about)


    def progress(self, event: ImplementationStarted | ProgressReported) -> None:
        # Counted from the last report (or the start): filing one moves the next ones.
        self.cancel(progress_key(event.dossier_id))
        start = event.at.astimezone(VIETNAM).date()
        every = event.every if event.every and event.every > 0 else self.settings.progress_every
        for n in range(1, self.settings.progress_repeats + 1):
            day = self.calendar.add_working_days(start, n * every)
            self.add(f"{progress_key(event.dossier_id)}{start.isoformat()}:{n}",
                     ReminderKind.PROGRESS_REPORT_DUE, event, morning_of(day),
                     event.reporters, {"since": start.isoformat(), "every": str(every)})

    def task(self, kind: ReminderKind, event: AppraisalAssigned | LegalReviewAssigned,
             people: tuple[str, ...], role: Role) -> None:
        """Each appraiser (or reviewer) is reminded before the due date, on it, then every
        working day it is late; filing the report cancels the rest."""
        self.cancel(task_key(kind, event.dossier_id))  # a new assignment replaces the old
        due = event.due_on
        if due is None:
            return
        about = {"due_on": due.isoformat()}
        days = [(working_days_before(due, n, self.calendar), f"w{n}", n)
                for n in sorted(set(self.settings.task_warn_before), reverse=True)]
        days.append((due, "d0", 0))
        days += [(self.calendar.add_working_days(due, n), f"o{n}", -n)
                 for n in range(1, self.settings.task_overdue_repeats + 1)]
        for person in people:
            recipient = (Recipient(role=role, person=person),)
            for day, tag, left in days:
                self.add(f"{task_key(kind, event.dossier_id)}{due.isoformat()}:{person}:{tag}",
                         kind, event, morning_of(day), recipient,
                         {**about, "working_days_left": str(left)})

    def evaluation(self, event: CompletionReported) -> None:
        start = event.at.astimezone(VIETNAM).date()
        for n in range(self.settings.evaluation_repeats):
            day = self.calendar.add_working_days(start, self.settings.evaluation_days + 5 * n)
            self.add(f"{evaluation_key(event.dossier_id)}{n}", ReminderKind.EVALUATION_DUE,
                     event, morning_of(day), event.notify,
                     {"completed_on": start.isoformat()})


def plan(events: Iterable[Event], calendar: WorkingDays | None = None,
         settings: ReminderSettings | None = None) -> tuple[Step, ...]:
    """The reminders the events of one transaction add and cancel, to apply in order.

    ``calendar`` says which days are working days (the bundled Vietnamese calendar if
    omitted); ``settings`` how early, how often and when people may be disturbed.
    """
    planner = _Planner(calendar or default_calendar(), settings or ReminderSettings())
    for event in events:
        if isinstance(event, DeadlineSet):
            planner.deadline(event)
        elif isinstance(event, BallotOpened) and event.closes_at is not None:
            planner.ballot(event, event.closes_at)
        elif isinstance(event, VoteCast):
            planner.cancel(ballot_key(event.ballot_id, event.voter))
        elif isinstance(event, BallotClosed | BallotCancelled):
            planner.cancel(ballot_key(event.ballot_id))
        elif isinstance(event, DossierSubmitted) and any(
                r.role is Role.CELL_SECRETARY for r in event.notify):
            planner.cell_review(event)
        elif isinstance(event, ObligationCreated):
            planner.obligation(event)
        elif isinstance(event, ObligationFulfilled):
            planner.cancel(obligation_key(event.obligation_id))
        elif isinstance(event, ImplementationStarted | ProgressReported) and event.reporters:
            planner.progress(event)
        elif isinstance(event, CompletionReported):
            planner.cancel(progress_key(event.dossier_id))
            planner.evaluation(event)
        elif isinstance(event, AppraisalAssigned):
            planner.task(ReminderKind.APPRAISAL_DUE, event, event.appraisers, Role.APPRAISER)
        elif isinstance(event, LegalReviewAssigned):
            planner.task(ReminderKind.LEGAL_REVIEW_DUE, event, event.reviewers,
                         Role.LEGAL_REVIEWER)
        if isinstance(event, AppraisalFiled | DossierClosed | DossierWithdrawn
                      | DossierForwarded):
            planner.cancel(task_key(ReminderKind.APPRAISAL_DUE, event.dossier_id))
        if isinstance(event, LegalReviewFiled | DossierClosed | DossierWithdrawn
                      | DossierForwarded):
            planner.cancel(task_key(ReminderKind.LEGAL_REVIEW_DUE, event.dossier_id))
        if isinstance(event, EvaluationRecorded | DossierClosed | DossierWithdrawn):
            planner.cancel(progress_key(event.dossier_id))
            planner.cancel(evaluation_key(event.dossier_id))
        if isinstance(event, CellAgreed | CellReturned | DossierClosed | DossierWithdrawn):
            planner.cancel(cell_review_key(event.dossier_id))  # the cell has acted
        if isinstance(event, WrittenAnswerSent | DossierClosed | DossierWithdrawn
                      | DossierForwarded):
            planner.cancel(answer_key(event.dossier_id))  # answered, or no longer ours
    return tuple(planner.steps)
