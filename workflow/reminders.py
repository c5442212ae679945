"""Which reminders a step of the process plans or cancels (policy only, no I/O).

Storage applies the plan in the same transaction as the step, so a reminder can
never outlive a change that was rolled back, nor be lost by one that was saved.
Each reminder has an idempotency key; cancelling is by key prefix, so a new due
date replaces the old reminders and a member who votes stops getting "closing
soon" reminders (only those who have not voted are reminded, as Loomio does).

This is the first slice of the policy: the answer deadline, ballot closing and
obligations to report. Earlier warnings, overdue repeats and quiet hours build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from workflow.actors import Role
from workflow.events import (
    BallotCancelled,
    BallotClosed,
    BallotOpened,
    DeadlineSet,
    DossierClosed,
    DossierForwarded,
    DossierWithdrawn,
    Event,
    ObligationCreated,
    ObligationFulfilled,
    Recipient,
    VoteCast,
    WrittenAnswerSent,
)

# Vietnam keeps no daylight saving time: a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
MORNING = time(8, 0)  # reminders about a day go out at the start of office hours
BALLOT_NOTICE = timedelta(hours=24)


class ReminderKind(StrEnum):
    ANSWER_DUE = "answer_due"  # the written answer is due today (office and head)
    BALLOT_CLOSING = "ballot_closing"  # the ballot closes soon and you have not voted
    OBLIGATION_DUE = "obligation_due"  # a report owed "at once" is still not done


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


def answer_key(dossier_id: int) -> str:
    return f"{ReminderKind.ANSWER_DUE}:{dossier_id}:"


def ballot_key(ballot_id: int, voter: str = "") -> str:
    return f"{ReminderKind.BALLOT_CLOSING}:{ballot_id}:{voter}"


def obligation_key(obligation_id: int) -> str:
    return f"{ReminderKind.OBLIGATION_DUE}:{obligation_id}:"


def plan(events: Iterable[Event]) -> tuple[Step, ...]:
    """The reminders the events of one transaction add and cancel, to apply in order."""
    steps: list[Step] = []
    add, cancel = steps.append, lambda prefix: steps.append(Cancel(prefix))
    for event in events:
        if isinstance(event, DeadlineSet):
            cancel(answer_key(event.dossier_id))  # a new due date replaces the old
            add(PlannedReminder(
                f"{answer_key(event.dossier_id)}{event.due_on.isoformat()}",
                ReminderKind.ANSWER_DUE, event.dossier_id, morning_of(event.due_on),
                event.notify, {"due_on": event.due_on.isoformat(),
                               "deadline": event.deadline_id}))
        elif isinstance(event, BallotOpened) and event.closes_at is not None:
            due = max(event.at, event.closes_at - BALLOT_NOTICE)
            for voter in event.voters:
                add(PlannedReminder(
                    ballot_key(event.ballot_id, voter), ReminderKind.BALLOT_CLOSING,
                    event.dossier_id, due, (Recipient(role=Role.MEMBER, person=voter),),
                    {"ballot_id": str(event.ballot_id),
                     "closes_at": event.closes_at.isoformat()}))
        elif isinstance(event, VoteCast):
            cancel(ballot_key(event.ballot_id, event.voter))
        elif isinstance(event, BallotClosed | BallotCancelled):
            cancel(ballot_key(event.ballot_id))
        elif isinstance(event, ObligationCreated):
            tomorrow = event.at.astimezone(VIETNAM).date() + timedelta(days=1)
            add(PlannedReminder(
                obligation_key(event.obligation_id), ReminderKind.OBLIGATION_DUE,
                event.dossier_id, morning_of(tomorrow), event.notify,
                {"obligation_id": str(event.obligation_id), "obligation": event.kind.value}))
        elif isinstance(event, ObligationFulfilled):
            cancel(obligation_key(event.obligation_id))
        if isinstance(event, WrittenAnswerSent | DossierClosed | DossierWithdrawn
                      | DossierForwarded):
            cancel(answer_key(event.dossier_id))  # answered, or no longer ours
    return tuple(steps)
