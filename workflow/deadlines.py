"""What a person must do, or is waiting for, and by when: the dates behind ``/deadlines``.

Pure: the caller hands in the dossiers, ballots and obligations it read and the
person's roles on each dossier. The dates are the ones the reminder policy keeps
(``workflow.reminders``): the written answer's due date, a ballot's closing time, a
cell review waiting more than its working days, reports owed at once, the next progress
report on the plan's cadence, the evaluation after completion, and the recurring
reports of ``workflow.reporting_duties``. A step without a date of its own (the
appraisal, the legal-risk review) is bounded by the answer's due date, since it must be
done before the answer can be written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from workflow import permissions
from workflow.actors import Role
from workflow.calendar import WorkingDays
from workflow.dossier import Dossier
from workflow.lifecycle import UNDER_CONSIDERATION, Action, State
from workflow.obligations import Obligation
from workflow.quiet_hours import VIETNAM
from workflow.reminders import ReminderSettings
from workflow.reporting_duties import KindsOn, ReportingDuty, next_occurrence
from workflow.voting import Ballot

# Registered and the written answer not sent yet: the answer clock runs.
ANSWER_PENDING = frozenset({
    *UNDER_CONSIDERATION, State.BALLOT_OPEN, State.QUORUM_NOT_MET, State.NO_CONSENSUS,
    State.APPROVED, State.REJECTED, State.RETURNED_FOR_RE_PREPARATION,
})
COMMITTEE = frozenset({Role.OFFICE, Role.HEAD})


class DeadlineKind(StrEnum):
    ANSWER = "answer"  # the written answer, for the office and the head
    ANSWER_AWAITED = "answer_awaited"  # the same date, as the proposer waits for it
    REGISTRATION = "registration"  # sent to the office, not registered: no date yet
    CELL_REVIEW = "cell_review"  # the party cell's opinion
    APPRAISAL = "appraisal"  # bounded by the answer's due date
    LEGAL_REVIEW = "legal_review"  # bounded by the answer's due date
    BALLOT = "ballot"  # the vote closes and this member has not voted
    OBLIGATION = "obligation"  # a written report owed (at once, unless dated)
    PROGRESS_REPORT = "progress_report"  # the proposer's next progress report
    EVALUATION = "evaluation"  # the collective evaluates after completion
    REPORTING_DUTY = "reporting_duty"  # a recurring report of a body (seed 002)


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_on: date | None  # None: no date yet (the clock starts at registration)
    dossier_id: int | None = None
    closes_at: datetime | None = None  # a ballot's closing time
    obligation: Obligation | None = None
    duty: ReportingDuty | None = None
    body: str | None = None  # the body that owes a reporting duty
    every: int | None = None  # working days between progress reports
    by_answer: bool = False  # no date of its own: bounded by the answer's due date

    def sort_key(self) -> tuple[int, str, str, int]:
        when = (self.closes_at.astimezone(VIETNAM).isoformat() if self.closes_at
                else self.due_on.isoformat() if self.due_on else "9999-12-31")
        return (0 if self.due_on else 1, when, self.kind.value, self.dossier_id or 0)


def _local(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


def _entered(dossier: Dossier, state: State) -> date | None:
    """The day the dossier last entered ``state`` (from its history)."""
    for entry in reversed(dossier.history):
        if entry.to_state is state:
            return _local(entry.at)
    return None


def next_progress_report(dossier: Dossier, calendar: WorkingDays,
                         settings: ReminderSettings | None = None) -> date | None:
    """When the next progress report is due during the pilot: the plan's cadence (or the
    default) in working days after the last report, or after the start."""
    if dossier.state is not State.IMPLEMENTING:
        return None
    settings = settings or ReminderSettings()
    reports = [r.at for r in dossier.reports if r.kind == "progress"]
    started = [e.at for e in dossier.history if e.action == Action.START_IMPLEMENTATION]
    start = _local(max([*reports, *started])) if reports or started else None
    if start is None:
        return None
    return calendar.add_working_days(start, progress_every(dossier, settings))


def progress_every(dossier: Dossier, settings: ReminderSettings | None = None) -> int:
    every = dossier.plan.progress_every
    return every if every and every > 0 else (settings or ReminderSettings()).progress_every


def _may_vote(dossier: Dossier, roles: frozenset[Role]) -> bool:
    return permissions.may(dossier, roles, Action.CAST_VOTE)


def dossier_deadlines(dossier: Dossier, roles: frozenset[Role], person: str,
                      calendar: WorkingDays, ballot: Ballot | None = None,
                      obligations: Iterable[Obligation] = (),
                      settings: ReminderSettings | None = None) -> list[Deadline]:
    """The deadlines ``person`` (holding ``roles`` on ``dossier``) must meet or awaits."""
    settings = settings or ReminderSettings()
    state, found = dossier.state, []
    answer_due = (dossier.due_on if state in ANSWER_PENDING and not dossier.answer_reference
                  else None)
    i = dossier.id
    if Role.PROPOSER in roles:
        if answer_due is not None:
            found.append(Deadline(DeadlineKind.ANSWER_AWAITED, answer_due, i))
        due = next_progress_report(dossier, calendar, settings)
        if due is not None:
            found.append(Deadline(DeadlineKind.PROGRESS_REPORT, due, i,
                                  every=progress_every(dossier, settings)))
    if roles & COMMITTEE and answer_due is not None:
        found.append(Deadline(DeadlineKind.ANSWER, answer_due, i))
    if Role.OFFICE in roles and state is State.SUBMITTED:
        found.append(Deadline(DeadlineKind.REGISTRATION, None, i))
    if Role.CELL_SECRETARY in roles and state is State.AT_CELL:
        sent = _entered(dossier, State.AT_CELL)
        if sent is not None:
            found.append(Deadline(DeadlineKind.CELL_REVIEW, calendar.add_working_days(
                sent, settings.cell_review_days), i))
    if Role.APPRAISER in roles and state is State.APPRAISAL_ASSIGNED:
        found.append(_own_or_answer(DeadlineKind.APPRAISAL, dossier, "appraisal_due_on",
                                    answer_due))
    if Role.LEGAL_REVIEWER in roles and state is State.LEGAL_REVIEW_ASSIGNED:
        found.append(_own_or_answer(DeadlineKind.LEGAL_REVIEW, dossier, "legal_review_due_on",
                                    answer_due))
    if (ballot is not None and ballot.is_open and ballot.closes_at is not None
            and _may_vote(dossier, roles) and person in ballot.pending_voters()):
        found.append(Deadline(DeadlineKind.BALLOT, _local(ballot.closes_at), i,
                              closes_at=ballot.closes_at))
    if roles & COMMITTEE and state is State.COMPLETED:
        done = [r.at for r in dossier.reports if r.kind == "completion"]
        if done:
            found.append(Deadline(DeadlineKind.EVALUATION, calendar.add_working_days(
                _local(done[-1]), settings.evaluation_days), i))
    if roles & COMMITTEE:
        for item in obligations:
            if item.is_open:
                found.append(Deadline(DeadlineKind.OBLIGATION,
                                      item.due_on or _local(item.created_at), i,
                                      obligation=item))
    return found


def _own_or_answer(kind: DeadlineKind, dossier: Dossier, field: str,
                   answer_due: date | None) -> Deadline:
    """A step's own due date where the office set one, else the answer's."""
    own = getattr(dossier, field, None)  # set when the office gives the step a time limit
    if isinstance(own, date):
        return Deadline(kind, own, dossier.id)
    return Deadline(kind, answer_due, dossier.id, by_answer=True)


def duty_deadlines(duties: Iterable[ReportingDuty], held: Mapping[str, tuple[str, frozenset[Role]]],
                   today: date, calendar: WorkingDays,
                   kinds: KindsOn | None = None) -> list[Deadline]:
    """The next occurrence of each duty owed by a body the person holds a duty's role on,
    inside the duty's period and, with ``kinds``, only on dates when the body's kind is a
    body of the rules in force (as the reminders are planned: storage/duty_reminders.py).

    ``held``: body id -> (the body's kind, the person's roles on it).
    """
    found: list[Deadline] = []
    for duty in duties:
        for body, (kind, roles) in sorted(held.items()):
            if kind not in duty.bodies or not roles & set(duty.roles):
                continue
            # This body's own dates: the duty as owed by its kind alone.
            upcoming = next_occurrence(replace(duty, bodies=(kind,)), today, calendar, kinds)
            if upcoming is not None:
                found.append(Deadline(DeadlineKind.REPORTING_DUTY, upcoming[1], duty=duty,
                                      body=body))
    return found


def by_date(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Soonest first; those without a date last."""
    return sorted(deadlines, key=Deadline.sort_key)
