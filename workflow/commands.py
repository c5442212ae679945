"""Commands: what a user (or the scheduler) asks the services to do.

Every command names its actor; commands about an existing dossier may carry the
``expected_version`` the user saw (e.g. in a button), so that a stale action is
refused instead of applied to a dossier that has moved on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from workflow.actors import Actor
from workflow.attachments import AttachedFile
from workflow.documents import Paper, Scan
from workflow.dossier import EmergencyReport, EncouragementForm, Plan
from workflow.obligations import ProtectionOutcome
from workflow.voting import BallotMode, Choice


@dataclass(frozen=True, kw_only=True)
class Command:
    actor: Actor


@dataclass(frozen=True, kw_only=True)
class DossierCommand(Command):
    dossier_id: int
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class CreateDraft(Command):
    unit_kind: str
    plan: Plan = field(default_factory=Plan)
    co_proposers: tuple[str, ...] = ()
    # Route body id -> concrete body of the organisation (identity when absent).
    bodies: Mapping[str, str] = field(default_factory=dict)
    # Route body id -> the ballot mode that body's own working rules set (organisation file).
    ballots: Mapping[str, BallotMode] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class UpdateDraft(DossierCommand):
    plan: Plan
    co_proposers: tuple[str, ...] | None = None  # None: unchanged


@dataclass(frozen=True, kw_only=True)
class Submit(DossierCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class CellAgree(DossierCommand):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CellReturn(DossierCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class Resubmit(DossierCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class Register(DossierCommand):
    received_on: date | None = None  # None: today


@dataclass(frozen=True, kw_only=True)
class ReturnForCompletion(DossierCommand):
    missing: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkComplex(DossierCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class ForwardBeyondAuthority(DossierCommand):
    proposed_solution: str
    # The competent committee (route body id or concrete body); None: the direct superior.
    to: str | None = None
    # Concrete bodies at the direct superior's level (its committee and organs, from the
    # organisation chart): reporting to one of them does not go beyond a level.
    same_level: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AssignAppraisal(DossierCommand):
    appraisers: tuple[str, ...]
    route_body: str | None = None  # None: the route's appraisal_lead
    council: bool = False  # the named people form an appraisal council (hội đồng thẩm định)
    working_days: int | None = None  # None: the pack's "appraisal" deadline (or the default)


@dataclass(frozen=True, kw_only=True)
class FileAppraisal(DossierCommand):
    feasible: bool
    summary: str
    attachments: tuple[str, ...] = ()  # names of the files sent with the report
    files: tuple[AttachedFile, ...] = ()  # the files as received (their names included)


@dataclass(frozen=True, kw_only=True)
class AssignLegalReview(DossierCommand):
    reviewers: tuple[str, ...]
    working_days: int | None = None  # None: the pack's "legal_review" deadline (or the default)


@dataclass(frozen=True, kw_only=True)
class FileLegalReview(DossierCommand):
    summary: str


@dataclass(frozen=True, kw_only=True)
class OpenBallot(DossierCommand):
    members: tuple[str, ...]  # the deciding body's counted members, as of now
    body: str | None = None  # a route decision body; None: the first one
    head_person: str | None = None  # whose side wins a tie, where the rule says so
    closes_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CastVote(DossierCommand):
    choice: Choice
    ballot_id: int | None = None  # when given, must be the open ballot
    comment: str | None = None  # None: keep the comment of an unchanged choice


@dataclass(frozen=True, kw_only=True)
class CloseBallot(DossierCommand):
    ballot_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CloseExpiredBallot:
    """The scheduler's command: close a ballot whose closing time has passed."""

    ballot_id: int


@dataclass(frozen=True, kw_only=True)
class HeadDecide(DossierCommand):
    proceed: bool  # True: the head orders implementation despite no consensus
    reasoning: str


@dataclass(frozen=True, kw_only=True)
class MarkObligationDone(Command):
    obligation_id: int
    reference: str  # number of the written report
    expected_version: int | None = None
    paper: Paper | None = None  # the document made here, when the product drafted it


@dataclass(frozen=True, kw_only=True)
class DecideProtection(Command):
    obligation_id: int
    outcome: ProtectionOutcome
    measures: str  # the measures decided, or the reasons
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class RecordVerification(Command):
    obligation_id: int
    conclusion: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class SendWrittenAnswer(DossierCommand):
    reference: str  # number and date of the written answer
    paper: Paper | None = None  # the answer as recorded, when the product drafted it


@dataclass(frozen=True, kw_only=True)
class RecordDocument(DossierCommand):
    """A document of the dossier that no step waits for (the cell's proposal, the vote's
    minutes and resolution, the evaluation's conclusion), numbered and signed."""

    paper: Paper


@dataclass(frozen=True, kw_only=True)
class AttachScan(DossierCommand):
    document_id: int
    scan: Scan


@dataclass(frozen=True, kw_only=True)
class StartImplementation(DossierCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class ReportProgress(DossierCommand):
    summary: str


@dataclass(frozen=True, kw_only=True)
class ReportIncident(DossierCommand):
    summary: str


@dataclass(frozen=True, kw_only=True)
class RequestProtection(DossierCommand):
    summary: str


@dataclass(frozen=True, kw_only=True)
class ReportCompletion(DossierCommand):
    summary: str


@dataclass(frozen=True, kw_only=True)
class RecordEvaluation(DossierCommand):
    effective: bool
    forms: tuple[EncouragementForm, ...] = ()
    proposed_upward: bool = False
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class OpenEvaluation(DossierCommand):
    """The office puts its proposed evaluation to the vote of the collective that approved."""

    members: tuple[str, ...]  # the collective's counted members, as of now
    effective: bool  # the plan has brought real results
    forms: tuple[EncouragementForm, ...] = ()
    proposed_upward: bool = False
    summary: str = ""
    head_person: str | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Close(DossierCommand):
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Withdraw(DossierCommand):
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class FileEmergencyReport(Command):
    unit_kind: str
    report: EmergencyReport
    title: str = ""
    co_proposers: tuple[str, ...] = ()
    bodies: Mapping[str, str] = field(default_factory=dict)
    ballots: Mapping[str, BallotMode] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ConcludeEmergency(DossierCommand):
    conclusion: str
