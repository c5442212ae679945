"""Domain events: what happened to a dossier, and who must be told.

Services append events to the dossier; the unit of work hands them out after
commit (``collect_new_events``) and storage writes the matching notifications to
the outbox in the same transaction. Every event carries the dossier id, the time
and ``notify``: the recipients a notifier must reach, as a role on a concrete body
(with the route's name for it, for wording) or as a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflow.actors import Role
from workflow.obligations import ObligationKind
from workflow.voting import Choice, Outcome, Tally


@dataclass(frozen=True)
class Recipient:
    """Someone to notify: a person, or whoever holds ``role`` on ``body``.

    ``role`` None means the body itself (e.g. a People's Committee that only
    receives a copy for information).
    """

    role: Role | None
    body: str | None = None  # concrete organisation body
    route_body: str | None = None  # what the route calls it (e.g. "commune_party_office")
    person: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    dossier_id: int
    at: datetime
    notify: tuple[Recipient, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DraftCreated(Event):
    proposer: str


@dataclass(frozen=True, kw_only=True)
class DraftUpdated(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class DossierSubmitted(Event):
    """The dossier was sent to the party cell or to the committee office."""

    to_route_body: str
    to_body: str
    round: int  # 1, then +1 each time it comes back after re-preparation


@dataclass(frozen=True, kw_only=True)
class InformationCopyDue(Event):
    """The route's ``also_inform`` duty: this body must be sent a copy for information."""

    route_body: str
    body: str


@dataclass(frozen=True, kw_only=True)
class CellAgreed(Event):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CellReturned(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class DossierRegistered(Event):
    registration_number: str
    received_on: date


@dataclass(frozen=True, kw_only=True)
class DeadlineSet(Event):
    """The written answer is due on ``due_on`` (working days from receipt)."""

    deadline_id: str  # pack deadline id: "answer" or "answer_complex"
    working_days: int
    received_on: date
    due_on: date
    # Reminded of the deadline with the office (not notified of the event itself): the
    # route's head, and the direct superior told once the answer is overdue.
    head: Recipient | None = None
    superior: Recipient | None = None


@dataclass(frozen=True, kw_only=True)
class ReturnedForCompletion(Event):
    missing: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkedComplex(Event):
    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class DossierForwarded(Event):
    """Beyond authority: sent to ``to_body``; ``skips_level`` when that is not the direct
    superior, which is then informed too (887 Điều 4 khoản 2)."""

    to_route_body: str | None
    to_body: str
    skips_level: bool
    proposed_solution: str


@dataclass(frozen=True, kw_only=True)
class AppraisalAssigned(Event):
    """The appraisal is due on ``due_on`` (``working_days`` from the day it was assigned)."""

    appraisers: tuple[str, ...]
    route_body: str | None  # None: an appraisal council of the named people
    body: str | None
    due_on: date | None = None
    working_days: int = 0
    council: bool = False


@dataclass(frozen=True, kw_only=True)
class AppraisalFiled(Event):
    feasible: bool
    summary: str


@dataclass(frozen=True, kw_only=True)
class WrittenNoticeRequired(Event):
    """The appraisal found the plan infeasible: the proposer is told so in writing."""

    issued_by_route_body: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LegalReviewAssigned(Event):
    """The legal-risk advice is due on ``due_on`` (``working_days`` from assignment)."""

    reviewers: tuple[str, ...]
    route_body: str
    body: str
    due_on: date | None = None
    working_days: int = 0


@dataclass(frozen=True, kw_only=True)
class LegalReviewFiled(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class BallotOpened(Event):
    ballot_id: int
    route_body: str
    body: str
    voters: tuple[str, ...]
    closes_at: datetime | None
    purpose: str = "decision"  # or "evaluation": the collective votes on the evaluation


@dataclass(frozen=True, kw_only=True)
class VoteCast(Event):
    ballot_id: int
    voter: str
    choice: Choice
    changed: bool
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class BallotClosed(Event):
    ballot_id: int
    outcome: Outcome
    tally: Tally
    automatic: bool
    # (voter, choice, comment) of each vote that came with a comment, for the committee.
    comments: tuple[tuple[str, str, str], ...] = ()
    base: int = 0  # the counted members the rule counts from
    needed: int = 0  # votes the attendance quorum asks for (0: no quorum)
    # The rule needs the head's vote (ND 73: the head chairs) and the head did not vote.
    head_missing: bool = False


@dataclass(frozen=True, kw_only=True)
class BallotCancelled(Event):
    ballot_id: int


@dataclass(frozen=True, kw_only=True)
class DecisionMade(Event):
    """The competent level decided: by the collective's ballot or by the head alone."""

    outcome: Outcome
    by_head: bool
    route_body: str
    ballot_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ObligationCreated(Event):
    obligation_id: int
    kind: ObligationKind
    owner: str
    owner_body: str
    to: str


@dataclass(frozen=True, kw_only=True)
class ObligationFulfilled(Event):
    obligation_id: int
    kind: ObligationKind
    reference: str | None
    document_id: int | None = None  # the document recorded with it, if drafted here


@dataclass(frozen=True, kw_only=True)
class WrittenAnswerSent(Event):
    reference: str
    outcome: Outcome | None
    document_id: int | None = None  # the answer as recorded, if drafted here


@dataclass(frozen=True, kw_only=True)
class DocumentRecorded(Event):
    """A document no step waits for was numbered and signed (minutes, a resolution...)."""

    document_id: int
    kind: str
    reference: str


@dataclass(frozen=True, kw_only=True)
class ImplementationStarted(Event):
    # Who owes progress reports from now on (reminded, not notified of the event).
    reporters: tuple[Recipient, ...] = ()
    every: int | None = None  # the plan's cadence in working days; None: the default


@dataclass(frozen=True, kw_only=True)
class ProgressReported(Event):
    summary: str
    reporters: tuple[Recipient, ...] = ()  # the next report is due from them
    every: int | None = None  # the plan's cadence in working days; None: the default


@dataclass(frozen=True, kw_only=True)
class IncidentReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class ProtectionRequested(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class CompletionReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class EvaluationRecorded(Event):
    effective: bool
    forms: tuple[str, ...]  # EncouragementForm values, 887 Điều 5 khoản 2 a–h
    proposed_upward: bool
    summary: str


@dataclass(frozen=True, kw_only=True)
class DossierClosed(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class DossierWithdrawn(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class EmergencyReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class EmergencyConcluded(Event):
    conclusion: str
