"""The dossier (hồ sơ) and the plan it carries, with the records each step leaves.

A dossier keeps the pack id and version it was routed under and a snapshot of the
route, the pack's deadlines and the deciding bodies' voting rules: a later pack
must not change the rules of a dossier already under way. ``bodies`` maps the
route's body ids to the concrete bodies of a real organisation (identity by
default), which is what permission checks and notifications use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from workflow.actors import Actor, Role
from workflow.attachments import APPRAISAL, CARRIED_BY, PLAN, AttachedFile
from workflow.errors import ValidationError
from workflow.events import Event, Recipient
from workflow.i18n import N_
from workflow.lifecycle import Condition, State, Transition
from workflow.rules.model import Route
from workflow.voting import PARTY_MAJORITY, Outcome, VotingRule


class ProblemKind(StrEnum):
    """The two kinds of problem a plan addresses (887 Điều 4 khoản 1)."""

    NOT_REGULATED = "not_regulated"  # chưa được quy định
    REGULATED_UNSUITED = "regulated_unsuited"  # đã có quy định nhưng không phù hợp thực tiễn


class DossierKind(StrEnum):
    PLAN = "plan"
    EMERGENCY = "emergency"  # 887 Điều 4 khoản 4: acted first, reports afterwards


class EncouragementForm(StrEnum):
    """Forms of encouragement, 887 Điều 5 khoản 2 a–h."""

    CONDITIONS = "a"  # conditions, mechanisms, resources, time
    IMPORTANT_ASSIGNMENTS = "b"
    RECOGNITION = "c"  # respect, motivation
    HONOURS_AND_PROMOTION = "d"  # honours, early promotion or pay rise
    SPECIAL_PLANNING = "đ"  # special inclusion in planning, training, appointment
    REWARDS = "e"
    REPLICATION = "g"  # recognise, replicate and protect the results
    OTHER = "h"


ENCOURAGEMENT_LABELS: dict[EncouragementForm, str] = {
    EncouragementForm.CONDITIONS: N_("favourable conditions and resources"),
    EncouragementForm.IMPORTANT_ASSIGNMENTS: N_("important responsibilities and tasks"),
    EncouragementForm.RECOGNITION: N_("respect, motivation and encouragement"),
    EncouragementForm.HONOURS_AND_PROMOTION: N_(
        "honours, titles, early promotion or pay rise"
    ),
    EncouragementForm.SPECIAL_PLANNING: N_(
        "special inclusion in planning and training, appointment beyond grade"
    ),
    EncouragementForm.REWARDS: N_("rewards in cash or in kind"),
    EncouragementForm.REPLICATION: N_("recognition, replication and protection of the results"),
    EncouragementForm.OTHER: N_("other suitable forms"),
}

PLAN_FIELD_LABELS: dict[str, str] = {
    "title": N_("the title of the plan"),
    "problem": N_("the problem"),
    "problem_kind": N_("whether the problem is not yet regulated or regulated but unsuited"),
    "regulation": N_("the regulation that does not suit practice"),
    "approach": N_("how it will be done"),
    "expected_results": N_("expected effectiveness and results"),
    "risks": N_("risks and how they are contained"),
    "common_good": N_("the statement that the motive is the common good"),
}


@dataclass(frozen=True)
class Plan:
    """The plan's content (887 Điều 4 khoản 1; DOMAIN.md §3)."""

    title: str = ""
    problem: str = ""
    problem_kind: ProblemKind | None = None
    regulation: str = ""  # for REGULATED_UNSUITED: which regulation
    regulation_issuer: str = ""  # and who issued it (887 Điều 4 khoản 5)
    approach: str = ""  # content, tasks, scope, who, timeline, resources
    expected_results: str = ""
    risks: str = ""
    attachments: tuple[str, ...] = ()  # the attached documents' names
    common_good: bool = False  # the motive is the common good (887 Điều 2 khoản 5)
    # Working days between progress reports during the pilot; None: the default cadence.
    progress_every: int | None = None
    # The attached documents as received (where, file id, checksum); sent with the plan.
    files: tuple[AttachedFile, ...] = ()

    def missing(self) -> tuple[str, ...]:
        """Names of the required parts still missing (keys of PLAN_FIELD_LABELS)."""
        gaps = [
            name
            for name in ("title", "problem", "problem_kind", "approach", "expected_results",
                         "risks", "common_good")
            if not getattr(self, name) or (isinstance(getattr(self, name), str)
                                           and not getattr(self, name).strip())
        ]
        if self.problem_kind is ProblemKind.REGULATED_UNSUITED and not self.regulation.strip():
            gaps.insert(3, "regulation")
        return tuple(gaps)

    def require_complete(self) -> None:
        """Raise ValidationError naming the first missing part."""
        gaps = self.missing()
        if gaps:
            raise ValidationError(
                N_("The plan is not complete yet: {part} is missing."),
                labels=("part",),
                part=PLAN_FIELD_LABELS[gaps[0]],
                missing=gaps,
            )


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    from_state: State | None
    to_state: State
    by: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class Complexity:
    """The office's choice that the matter is complex (60 working days), on record."""

    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Forwarding:
    route_body: str | None
    body: str
    skips_level: bool
    proposed_solution: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Appraisal:
    feasible: bool
    summary: str
    by: str
    at: datetime
    attachments: tuple[str, ...] = ()  # names of the files filed with the report
    files: tuple[AttachedFile, ...] = ()  # those files as received


@dataclass(frozen=True)
class LegalReview:
    summary: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    by_head: bool
    route_body: str
    by: str
    at: datetime
    ballot_id: int | None = None
    reasoning: str = ""


@dataclass(frozen=True)
class Report:
    """A report from the proposer or the committee during implementation."""

    kind: str  # "progress", "incident", "protection", "completion"
    summary: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Evaluation:
    effective: bool
    forms: tuple[EncouragementForm, ...]
    proposed_upward: bool  # the form is beyond the collective's authority (Điều 5)
    summary: str
    by: str
    at: datetime


@dataclass(frozen=True)
class EmergencyReport:
    """887 Điều 4 khoản 4: an urgent action taken without a plan, reported afterwards."""

    action_taken: str
    taken_on: date
    why_no_plan: str
    reported_beforehand_to: str = ""  # head or superior told "in any suitable way", if any


@dataclass(frozen=True)
class Round:
    """What one consideration of the dossier left, kept when it starts again."""

    number: int
    registration_number: str | None
    received_on: date | None
    due_on: date | None
    complexity: Complexity | None
    appraisal: Appraisal | None
    legal_review: LegalReview | None
    decision: Decision | None
    answer_reference: str | None


@dataclass(eq=True)
class Dossier:
    id: int
    pack_id: str
    pack_version: int
    unit_kind: str
    route: Route
    proposer: str
    plan: Plan
    created_at: datetime
    co_proposers: tuple[str, ...] = ()
    bodies: dict[str, str] = field(default_factory=dict)
    deadlines: dict[str, int] = field(default_factory=dict)
    voting_rules: dict[str, VotingRule] = field(default_factory=dict)
    kind: DossierKind = DossierKind.PLAN
    state: State = State.DRAFT
    version: int = 0
    round: int = 1
    registration_number: str | None = None
    received_on: date | None = None
    due_on: date | None = None
    complexity: Complexity | None = None
    forwarding: Forwarding | None = None
    appraisers: tuple[str, ...] = ()
    appraisal_council: bool = False  # the appraisers sit as an appraisal council
    appraisal_due_on: date | None = None
    appraisal: Appraisal | None = None
    legal_reviewers: tuple[str, ...] = ()
    legal_review_due_on: date | None = None
    legal_review: LegalReview | None = None
    # Snapshot of the pack: whether a broad or complex matter may go to a council.
    council_allowed: bool = True
    ballot_ids: list[int] = field(default_factory=list)
    decision: Decision | None = None
    answer_reference: str | None = None
    answered_at: datetime | None = None
    reports: list[Report] = field(default_factory=list)
    evaluation: Evaluation | None = None
    # The office's proposal while the collective votes on it (887 Điều 5).
    evaluation_proposal: Evaluation | None = None
    emergency: EmergencyReport | None = None
    closed_reason: str = ""
    past_rounds: list[Round] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # New events wait here until the unit of work collects them; never persisted.
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    @property
    def proposers(self) -> tuple[str, ...]:
        """The proposer and the members of the proposing group."""
        return (self.proposer, *self.co_proposers)

    def body(self, route_body: str) -> str:
        """The concrete body a route body id stands for in this dossier."""
        return self.bodies.get(route_body, route_body)

    def roles_of(self, actor: Actor) -> frozenset[Role]:
        """The roles ``actor`` holds with respect to this dossier."""
        roles: set[Role] = set()
        person = actor.person_id
        if person in self.proposers:
            roles.add(Role.PROPOSER)
        if person in self.appraisers:
            roles.add(Role.APPRAISER)
        if person in self.legal_reviewers:
            roles.add(Role.LEGAL_REVIEWER)
        route = self.route
        on: dict[Role, set[str]] = {
            Role.CELL_SECRETARY: (
                {self.body(route.preliminary_review)} if route.preliminary_review else set()
            ),
            Role.OFFICE: {self.body(route.via)},
            Role.MEMBER: {self.body(b) for b in route.decision_bodies},
            Role.HEAD: {self.body(route.head)},
            Role.SUPERIOR: {self.body(route.escalation_to)},
        }
        for grant in actor.grants:
            if grant.role is Role.ADMIN:
                roles.add(Role.ADMIN)
            elif grant.role in on and grant.body in on[grant.role]:
                roles.add(grant.role)
        return frozenset(roles)

    def route_conditions(self) -> set[Condition]:
        """Facts about the route that select rows of the lifecycle table."""
        facts = {Condition.WITH_CELL if self.route.preliminary_review else Condition.WITHOUT_CELL}
        if not self.route.appraisal_lead:
            facts.add(Condition.WITHOUT_APPRAISAL)
        if self.route.legal_review:
            facts.add(Condition.LEGAL_REVIEW)
        return facts

    def deadline_days(self, deadline_id: str, default: int) -> int:
        return self.deadlines.get(deadline_id, default)

    def voting_rule(self, route_body: str) -> VotingRule:
        """The snapshot rule of a deciding body (the Charter's rule if the pack had none)."""
        return self.voting_rules.get(route_body, PARTY_MAJORITY)

    # Recipients of notifications -------------------------------------------------

    def to(self, role: Role, route_body: str) -> Recipient:
        """Whoever holds ``role`` on the body the route calls ``route_body``."""
        return Recipient(role=role, body=self.body(route_body), route_body=route_body)

    def to_proposers(self) -> tuple[Recipient, ...]:
        return tuple(Recipient(role=Role.PROPOSER, person=p) for p in self.proposers)

    def to_office(self) -> Recipient:
        return self.to(Role.OFFICE, self.route.via)

    def to_head(self) -> Recipient:
        return self.to(Role.HEAD, self.route.head)

    def to_persons(self, role: Role, persons: Iterable[str]) -> tuple[Recipient, ...]:
        return tuple(Recipient(role=role, person=p) for p in persons)

    # Rounds and registration ------------------------------------------------------

    def clear_registration(self) -> None:
        """Forget the receipt: the clock starts again when the office registers anew."""
        self.registration_number = None
        self.received_on = None
        self.due_on = None
        self.complexity = None

    def start_new_round(self) -> None:
        """After re-preparation the process starts again; the old round is kept."""
        self.past_rounds.append(
            Round(self.round, self.registration_number, self.received_on, self.due_on,
                  self.complexity, self.appraisal, self.legal_review, self.decision,
                  self.answer_reference)
        )
        self.round += 1
        self.clear_registration()
        self.appraisers, self.appraisal = (), None
        self.appraisal_council, self.appraisal_due_on = False, None
        self.legal_reviewers, self.legal_review, self.legal_review_due_on = (), None, None
        self.decision, self.answer_reference, self.answered_at = None, None, None

    # Files ----------------------------------------------------------------------

    def files(self) -> tuple[tuple[str, AttachedFile], ...]:
        """The files the dossier holds now, each with what it came with (``PLAN``,
        ``APPRAISAL``): the plan's attached documents, then the appraisal report's."""
        held = [(PLAN, f) for f in self.plan.files]
        if self.appraisal is not None:
            held += [(APPRAISAL, f) for f in self.appraisal.files]
        return tuple(held)

    def files_sent_by(self, action: str) -> tuple[str, tuple[AttachedFile, ...]]:
        """What a step of ``action`` sent on with the dossier: the plan's files when it
        is submitted, the report's when the appraisal is filed; ``("", ())`` otherwise."""
        purpose = CARRIED_BY.get(action, "")
        if purpose == PLAN:
            return purpose, self.plan.files
        if purpose == APPRAISAL and self.appraisal is not None:
            return purpose, self.appraisal.files
        return "", ()

    # Applying a transition ------------------------------------------------------

    def apply(
        self,
        transition: Transition,
        by: str,
        at: datetime,
        events: Sequence[Event] = (),
        note: str = "",
    ) -> None:
        """Move to the transition's target, bump the version, keep history, queue events.

        Call only after every check has passed: nothing here can refuse.
        """
        _check_declared(transition, events)
        # The first entry is the creation: there was no state before it.
        before = self.state if self.history else None
        self.state = transition.target_from(self.state)
        self.version += 1
        self.history.append(HistoryEntry(transition.action.value, before, self.state, by, at, note))
        self.events.extend(events)

    def revise(self, transition: Transition, events: Sequence[Event] = ()) -> None:
        """A change the history already says (one more edit of a draft by the one who
        edited it last): a new version, no new history entry."""
        _check_declared(transition, events)
        self.version += 1
        self.events.extend(events)

    def emit(self, transition: Transition, events: Sequence[Event]) -> None:
        """Queue events of a step that changes nothing on the dossier itself (a vote)."""
        _check_declared(transition, events)
        self.events.extend(events)


def _check_declared(transition: Transition, events: Sequence[Event]) -> None:
    undeclared = [e for e in events if type(e) not in transition.events]
    if undeclared:  # a programming error: the lifecycle table is the single truth
        raise AssertionError(f"{transition.action} may not emit {undeclared!r}")
