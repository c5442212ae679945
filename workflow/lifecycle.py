"""The dossier lifecycle: one table of states, transitions, roles and events.

Every step a dossier can take is a row of :data:`TRANSITIONS`: the action, the
states it may start from, the state it leads to (None: the state does not change),
the roles allowed to take it (relative to the dossier, see ``workflow.actors``),
the domain events it may emit and, where one action leads to different states,
the condition that selects the row. The services consult this table before they
change anything; ``workflow.diagram`` draws it; ``docs/lifecycle.md`` is generated
from it. DOMAIN.md §3–§8 and 887 Điều 4–6 are the source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from workflow import events as ev
from workflow.actors import Role
from workflow.errors import NotPermitted, TransitionNotAllowed
from workflow.i18n import N_


class State(StrEnum):
    DRAFT = "draft"
    AT_CELL = "at_cell"  # sent to the party cell for its opinion
    RETURNED_BY_CELL = "returned_by_cell"
    SUBMITTED = "submitted"  # sent to the committee office, not yet registered
    REGISTERED = "registered"  # received: the answer clock runs
    RETURNED_FOR_COMPLETION = "returned_for_completion"
    ESCALATED = "escalated"  # beyond authority, forwarded
    APPRAISAL_ASSIGNED = "appraisal_assigned"
    APPRAISED = "appraised"  # found feasible
    LEGAL_REVIEW_ASSIGNED = "legal_review_assigned"
    LEGAL_REVIEWED = "legal_reviewed"
    BALLOT_OPEN = "ballot_open"
    QUORUM_NOT_MET = "quorum_not_met"
    NO_CONSENSUS = "no_consensus"  # the head may decide alone
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED_FOR_RE_PREPARATION = "returned_for_re_preparation"
    ANSWERED = "answered"  # approval sent in writing: implementation may start
    IMPLEMENTING = "implementing"
    COMPLETED = "completed"
    EVALUATION_OPEN = "evaluation_open"  # the collective votes on the evaluation proposed
    EVALUATED = "evaluated"
    EMERGENCY_REPORTED = "emergency_reported"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


TERMINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN})


class Action(StrEnum):
    CREATE_DRAFT = "create_draft"
    UPDATE_DRAFT = "update_draft"
    SUBMIT = "submit"
    CELL_AGREE = "cell_agree"
    CELL_RETURN = "cell_return"
    RESUBMIT = "resubmit"
    REGISTER = "register"
    RETURN_FOR_COMPLETION = "return_for_completion"
    MARK_COMPLEX = "mark_complex"
    FORWARD_BEYOND_AUTHORITY = "forward_beyond_authority"
    ASSIGN_APPRAISAL = "assign_appraisal"
    FILE_APPRAISAL = "file_appraisal"
    ASSIGN_LEGAL_REVIEW = "assign_legal_review"
    FILE_LEGAL_REVIEW = "file_legal_review"
    OPEN_BALLOT = "open_ballot"
    CAST_VOTE = "cast_vote"
    CLOSE_BALLOT = "close_ballot"
    HEAD_DECIDE = "head_decide"
    SEND_WRITTEN_ANSWER = "send_written_answer"
    START_IMPLEMENTATION = "start_implementation"
    REPORT_PROGRESS = "report_progress"
    REPORT_INCIDENT = "report_incident"
    REQUEST_PROTECTION = "request_protection"
    REPORT_COMPLETION = "report_completion"
    RECORD_EVALUATION = "record_evaluation"
    OPEN_EVALUATION = "open_evaluation"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    FILE_EMERGENCY_REPORT = "file_emergency_report"
    CONCLUDE_EMERGENCY = "conclude_emergency"
    MARK_OBLIGATION_DONE = "mark_obligation_done"
    RECORD_DOCUMENT = "record_document"
    DECIDE_PROTECTION = "decide_protection"
    RECORD_VERIFICATION = "record_verification"
    PUBLISH_RESULTS = "publish_results"
    WITHDRAW_PUBLICATION = "withdraw_publication"


class Condition(StrEnum):
    """What selects one row among several for the same action and state."""

    WITH_CELL = "with cell"  # the route has a preliminary review by the party cell
    WITHOUT_CELL = "without cell"
    WITHOUT_APPRAISAL = "no appraisal on route"
    LEGAL_REVIEW = "legal review on route"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not feasible"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    NO_CONSENSUS = "no consensus"
    QUORUM_NOT_MET = "quorum not met"
    OVERRIDE = "head overrides"
    NOT_ADOPTED = "proposal not adopted"  # an evaluation vote that did not approve
    DECLINE = "head declines"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[State | None, ...]  # None: the dossier does not exist yet
    target: State | None  # None: the state does not change
    roles: frozenset[Role]
    events: tuple[type[ev.Event], ...]
    when: Condition | None = None

    def target_from(self, state: State) -> State:
        return self.target or state


def _t(
    action: Action,
    sources: Iterable[State | None],
    target: State | None,
    roles: Iterable[Role],
    events: Iterable[type[ev.Event]],
    when: Condition | None = None,
) -> Transition:
    return Transition(action, tuple(sources), target, frozenset(roles), tuple(events), when)


S, A, C, R = State, Action, Condition, Role
NEW = None
# States from which the proposer may still withdraw: everything before a decision.
BEFORE_DECISION = (
    S.DRAFT, S.AT_CELL, S.RETURNED_BY_CELL, S.SUBMITTED, S.REGISTERED,
    S.RETURNED_FOR_COMPLETION, S.APPRAISAL_ASSIGNED, S.APPRAISED, S.LEGAL_REVIEW_ASSIGNED,
    S.LEGAL_REVIEWED, S.BALLOT_OPEN, S.QUORUM_NOT_MET, S.NO_CONSENSUS,
    S.RETURNED_FOR_RE_PREPARATION,
)
# Registered and waiting for the competent level's decision (the answer clock runs).
UNDER_CONSIDERATION = (
    S.REGISTERED, S.APPRAISAL_ASSIGNED, S.APPRAISED, S.LEGAL_REVIEW_ASSIGNED, S.LEGAL_REVIEWED,
)
EDITABLE = (S.DRAFT, S.RETURNED_BY_CELL, S.RETURNED_FOR_COMPLETION, S.RETURNED_FOR_RE_PREPARATION)
CLOSE_EVENTS = (ev.BallotClosed, ev.DecisionMade)
ANY_STATE: tuple[State | None, ...] = tuple(State)
COMMITTEE = (R.OFFICE, R.HEAD)
# An evaluation exists (checked by ``workflow.permissions`` for a closed dossier).
EVALUATED_AND_AFTER = (S.EVALUATED, S.CLOSED)

TRANSITIONS: tuple[Transition, ...] = (
    _t(A.CREATE_DRAFT, [NEW], S.DRAFT, [R.PROPOSER], [ev.DraftCreated]),
    _t(A.UPDATE_DRAFT, EDITABLE, None, [R.PROPOSER], [ev.DraftUpdated]),
    _t(A.SUBMIT, [S.DRAFT], S.AT_CELL, [R.PROPOSER], [ev.DossierSubmitted], C.WITH_CELL),
    _t(A.SUBMIT, [S.DRAFT], S.SUBMITTED, [R.PROPOSER],
       [ev.DossierSubmitted, ev.InformationCopyDue], C.WITHOUT_CELL),
    _t(A.CELL_AGREE, [S.AT_CELL], S.SUBMITTED, [R.CELL_SECRETARY],
       [ev.CellAgreed, ev.DossierSubmitted, ev.InformationCopyDue]),
    _t(A.CELL_RETURN, [S.AT_CELL], S.RETURNED_BY_CELL, [R.CELL_SECRETARY], [ev.CellReturned]),
    _t(A.RESUBMIT, [S.RETURNED_BY_CELL], S.AT_CELL, [R.PROPOSER], [ev.DossierSubmitted]),
    _t(A.RESUBMIT, [S.RETURNED_FOR_COMPLETION], S.SUBMITTED, [R.PROPOSER],
       [ev.DossierSubmitted]),
    _t(A.RESUBMIT, [S.RETURNED_FOR_RE_PREPARATION], S.AT_CELL, [R.PROPOSER],
       [ev.DossierSubmitted], C.WITH_CELL),
    _t(A.RESUBMIT, [S.RETURNED_FOR_RE_PREPARATION], S.SUBMITTED, [R.PROPOSER],
       [ev.DossierSubmitted, ev.InformationCopyDue], C.WITHOUT_CELL),
    _t(A.REGISTER, [S.SUBMITTED], S.REGISTERED, [R.OFFICE],
       [ev.DossierRegistered, ev.DeadlineSet]),
    _t(A.RETURN_FOR_COMPLETION, [S.SUBMITTED, S.REGISTERED], S.RETURNED_FOR_COMPLETION,
       [R.OFFICE], [ev.ReturnedForCompletion]),
    _t(A.MARK_COMPLEX, UNDER_CONSIDERATION, None, [R.OFFICE], [ev.MarkedComplex, ev.DeadlineSet]),
    _t(A.FORWARD_BEYOND_AUTHORITY, [*UNDER_CONSIDERATION, S.QUORUM_NOT_MET, S.NO_CONSENSUS],
       S.ESCALATED, COMMITTEE, [ev.DossierForwarded, ev.ObligationCreated]),
    _t(A.ASSIGN_APPRAISAL, [S.REGISTERED], S.APPRAISAL_ASSIGNED, COMMITTEE,
       [ev.AppraisalAssigned]),
    _t(A.FILE_APPRAISAL, [S.APPRAISAL_ASSIGNED], S.APPRAISED, [R.APPRAISER],
       [ev.AppraisalFiled], C.FEASIBLE),
    _t(A.FILE_APPRAISAL, [S.APPRAISAL_ASSIGNED], S.CLOSED, [R.APPRAISER],
       [ev.AppraisalFiled, ev.WrittenNoticeRequired, ev.ObligationCreated, ev.DossierClosed],
       C.NOT_FEASIBLE),
    _t(A.ASSIGN_LEGAL_REVIEW, [S.APPRAISED], S.LEGAL_REVIEW_ASSIGNED, COMMITTEE,
       [ev.LegalReviewAssigned], C.LEGAL_REVIEW),
    _t(A.FILE_LEGAL_REVIEW, [S.LEGAL_REVIEW_ASSIGNED], S.LEGAL_REVIEWED, [R.LEGAL_REVIEWER],
       [ev.LegalReviewFiled]),
    _t(A.OPEN_BALLOT, [S.APPRAISED, S.LEGAL_REVIEWED, S.QUORUM_NOT_MET, S.NO_CONSENSUS],
       S.BALLOT_OPEN, COMMITTEE, [ev.BallotOpened]),
    _t(A.OPEN_BALLOT, [S.REGISTERED], S.BALLOT_OPEN, COMMITTEE, [ev.BallotOpened],
       C.WITHOUT_APPRAISAL),
    _t(A.CAST_VOTE, [S.BALLOT_OPEN, S.EVALUATION_OPEN], None, [R.MEMBER], [ev.VoteCast]),
    _t(A.CLOSE_BALLOT, [S.BALLOT_OPEN], S.APPROVED, COMMITTEE,
       [*CLOSE_EVENTS, ev.ObligationCreated], C.APPROVED),
    _t(A.CLOSE_BALLOT, [S.BALLOT_OPEN], S.REJECTED, COMMITTEE, CLOSE_EVENTS, C.REJECTED),
    _t(A.CLOSE_BALLOT, [S.BALLOT_OPEN], S.RETURNED_FOR_RE_PREPARATION, COMMITTEE, CLOSE_EVENTS,
       C.RETURNED),
    _t(A.CLOSE_BALLOT, [S.BALLOT_OPEN], S.NO_CONSENSUS, COMMITTEE, [ev.BallotClosed],
       C.NO_CONSENSUS),
    _t(A.CLOSE_BALLOT, [S.BALLOT_OPEN], S.QUORUM_NOT_MET, COMMITTEE, [ev.BallotClosed],
       C.QUORUM_NOT_MET),
    _t(A.HEAD_DECIDE, [S.NO_CONSENSUS], S.APPROVED, [R.HEAD],
       [ev.DecisionMade, ev.ObligationCreated], C.OVERRIDE),
    _t(A.HEAD_DECIDE, [S.NO_CONSENSUS], S.REJECTED, [R.HEAD], [ev.DecisionMade], C.DECLINE),
    _t(A.SEND_WRITTEN_ANSWER, [S.APPROVED], S.ANSWERED, [R.OFFICE], [ev.WrittenAnswerSent]),
    _t(A.SEND_WRITTEN_ANSWER, [S.REJECTED], S.CLOSED, [R.OFFICE],
       [ev.WrittenAnswerSent, ev.DossierClosed]),
    _t(A.SEND_WRITTEN_ANSWER, [S.RETURNED_FOR_RE_PREPARATION], None, [R.OFFICE],
       [ev.WrittenAnswerSent]),
    _t(A.START_IMPLEMENTATION, [S.ANSWERED], S.IMPLEMENTING, [R.PROPOSER],
       [ev.ImplementationStarted]),
    _t(A.REPORT_PROGRESS, [S.IMPLEMENTING], None, [R.PROPOSER], [ev.ProgressReported]),
    _t(A.REPORT_INCIDENT, [S.IMPLEMENTING], None, [R.PROPOSER, *COMMITTEE],
       [ev.IncidentReported, ev.ObligationCreated]),
    _t(A.REQUEST_PROTECTION, [S.IMPLEMENTING, S.COMPLETED, S.EVALUATED], None, [R.PROPOSER],
       [ev.ProtectionRequested, ev.ObligationCreated]),
    _t(A.REPORT_COMPLETION, [S.IMPLEMENTING], S.COMPLETED, [R.PROPOSER],
       [ev.CompletionReported]),
    _t(A.RECORD_EVALUATION, [S.COMPLETED], S.EVALUATED, COMMITTEE, [ev.EvaluationRecorded]),
    # 887 Điều 5: the collective that approved evaluates the results and decides the forms of
    # encouragement; the office puts a proposal to its vote.
    _t(A.OPEN_EVALUATION, [S.COMPLETED], S.EVALUATION_OPEN, COMMITTEE, [ev.BallotOpened]),
    _t(A.CLOSE_BALLOT, [S.EVALUATION_OPEN], S.EVALUATED, COMMITTEE,
       [ev.BallotClosed, ev.EvaluationRecorded], C.APPROVED),
    _t(A.CLOSE_BALLOT, [S.EVALUATION_OPEN], S.COMPLETED, COMMITTEE, [ev.BallotClosed],
       C.NOT_ADOPTED),
    _t(A.CLOSE, [S.COMPLETED, S.EVALUATED, S.ESCALATED], S.CLOSED, COMMITTEE,
       [ev.DossierClosed]),
    _t(A.WITHDRAW, BEFORE_DECISION, S.WITHDRAWN, [R.PROPOSER],
       [ev.DossierWithdrawn, ev.BallotCancelled]),
    _t(A.FILE_EMERGENCY_REPORT, [NEW], S.EMERGENCY_REPORTED, [R.PROPOSER],
       [ev.EmergencyReported, ev.ObligationCreated]),
    _t(A.CONCLUDE_EMERGENCY, [S.EMERGENCY_REPORTED], S.CLOSED, COMMITTEE,
       [ev.EmergencyConcluded, ev.ObligationFulfilled, ev.DossierClosed]),
    # An obligation outlives the dossier's state: it can be fulfilled at any time.
    _t(A.MARK_OBLIGATION_DONE, ANY_STATE, None, COMMITTEE,
       [ev.ObligationFulfilled, ev.ObligationCreated]),  # an incident report: verification
    # The dossier's own papers (the cell's proposal, minutes, resolutions, conclusions)
    # are numbered and kept whenever they are signed.
    _t(A.RECORD_DOCUMENT, ANY_STATE, None, [R.OFFICE, R.CELL_SECRETARY],
       [ev.DocumentRecorded]),
    # 887 Điều 7 khoản 5: the committee decides on a protection request (the office
    # records the decision, or the head gives it); Điều 6 khoản 2 c: the direct superior
    # concludes on a reported incident once verified.
    _t(A.DECIDE_PROTECTION, ANY_STATE, None, COMMITTEE,
       [ev.ProtectionDecided, ev.ObligationCreated]),
    _t(A.RECORD_VERIFICATION, ANY_STATE, None, [R.SUPERIOR], [ev.IncidentVerified]),
    # 887 Điều 5 khoản 3: the committee makes the evaluated results public (and may take
    # them down again); the dossier's state does not change (``workflow.publishing``).
    _t(A.PUBLISH_RESULTS, EVALUATED_AND_AFTER, None, COMMITTEE, [ev.ResultsPublished]),
    _t(A.WITHDRAW_PUBLICATION, EVALUATED_AND_AFTER, None, COMMITTEE,
       [ev.PublicationWithdrawn]),
)


STATE_LABELS: dict[State, str] = {
    S.DRAFT: N_("draft"),
    S.AT_CELL: N_("awaiting the party cell's opinion"),
    S.RETURNED_BY_CELL: N_("returned by the party cell"),
    S.SUBMITTED: N_("sent to the committee office"),
    S.REGISTERED: N_("received and registered"),
    S.RETURNED_FOR_COMPLETION: N_("returned for completion"),
    S.ESCALATED: N_("forwarded to the competent level (beyond authority)"),
    S.APPRAISAL_ASSIGNED: N_("under appraisal"),
    S.APPRAISED: N_("appraised"),
    S.LEGAL_REVIEW_ASSIGNED: N_("under legal-risk review"),
    S.LEGAL_REVIEWED: N_("legal-risk review done"),
    S.BALLOT_OPEN: N_("being voted on"),
    S.QUORUM_NOT_MET: N_("vote without quorum"),
    S.NO_CONSENSUS: N_("no consensus in the collective"),
    S.APPROVED: N_("approved"),
    S.REJECTED: N_("not approved"),
    S.RETURNED_FOR_RE_PREPARATION: N_("returned for re-preparation"),
    S.ANSWERED: N_("approved and answered in writing"),
    S.IMPLEMENTING: N_("being implemented"),
    S.COMPLETED: N_("implementation completed"),
    S.EVALUATION_OPEN: N_("results being evaluated by the collective"),
    S.EVALUATED: N_("evaluated"),
    S.EMERGENCY_REPORTED: N_("emergency action reported"),
    S.CLOSED: N_("closed"),
    S.WITHDRAWN: N_("withdrawn"),
}

ACTION_LABELS: dict[Action, str] = {
    A.CREATE_DRAFT: N_("start a plan"),
    A.UPDATE_DRAFT: N_("edit the plan"),
    A.SUBMIT: N_("submit the plan"),
    A.CELL_AGREE: N_("agree and send the dossier up on behalf of the party cell"),
    A.CELL_RETURN: N_("return the plan on behalf of the party cell"),
    A.RESUBMIT: N_("submit the plan again"),
    A.REGISTER: N_("register the dossier"),
    A.RETURN_FOR_COMPLETION: N_("return the dossier for completion"),
    A.MARK_COMPLEX: N_("mark the dossier as complex"),
    A.FORWARD_BEYOND_AUTHORITY: N_("forward the dossier as beyond authority"),
    A.ASSIGN_APPRAISAL: N_("assign the appraisal"),
    A.FILE_APPRAISAL: N_("file the appraisal report"),
    A.ASSIGN_LEGAL_REVIEW: N_("assign the legal-risk review"),
    A.FILE_LEGAL_REVIEW: N_("file the legal-risk review"),
    A.OPEN_BALLOT: N_("open the vote"),
    A.CAST_VOTE: N_("vote"),
    A.CLOSE_BALLOT: N_("close the vote"),
    A.HEAD_DECIDE: N_("decide as head"),
    A.SEND_WRITTEN_ANSWER: N_("send the written answer"),
    A.START_IMPLEMENTATION: N_("start implementing the plan"),
    A.REPORT_PROGRESS: N_("report progress"),
    A.REPORT_INCIDENT: N_("report a risk or error"),
    A.REQUEST_PROTECTION: N_("request protection"),
    A.REPORT_COMPLETION: N_("report completion"),
    A.RECORD_EVALUATION: N_("record the evaluation"),
    A.OPEN_EVALUATION: N_("put the evaluation to the collective's vote"),
    A.CLOSE: N_("close the dossier"),
    A.WITHDRAW: N_("withdraw the dossier"),
    A.FILE_EMERGENCY_REPORT: N_("report an emergency action"),
    A.CONCLUDE_EMERGENCY: N_("record the collective's conclusion"),
    A.MARK_OBLIGATION_DONE: N_("mark the report as done"),
    A.RECORD_DOCUMENT: N_("record a signed document"),
    A.DECIDE_PROTECTION: N_("decide on the protection request"),
    A.RECORD_VERIFICATION: N_("record the verification of the incident"),
    A.PUBLISH_RESULTS: N_("publish the results"),
    A.WITHDRAW_PUBLICATION: N_("withdraw the published results"),
}


def transitions_for(action: Action) -> tuple[Transition, ...]:
    """Every row of the table for ``action``."""
    return tuple(t for t in TRANSITIONS if t.action is action)


def available(state: State | None, roles: Iterable[Role]) -> tuple[Action, ...]:
    """The actions someone with ``roles`` could take now (for menus and buttons)."""
    held = frozenset(roles)
    seen: dict[Action, None] = {}
    for t in TRANSITIONS:
        if state in t.sources and t.roles & held:
            seen.setdefault(t.action)
    return tuple(seen)


def applies(t: Transition, state: State | None, facts: Collection[Condition]) -> bool:
    """Whether row ``t`` applies from ``state`` under ``facts``, roles aside.

    The one matching rule: :func:`permit` uses it for the services and
    ``workflow.permissions`` for the buttons, so the two cannot disagree.
    """
    return state in t.sources and (t.when is None or t.when in facts)


def row(
    action: Action, state: State | None, conditions: Iterable[Condition] = ()
) -> Transition:
    """The row for ``action`` from ``state`` under ``conditions``, roles not checked.

    Used directly only for steps the system takes on the committee's behalf (closing
    a ballot whose outcome became certain or whose time is up).
    """
    rows = [t for t in transitions_for(action) if state in t.sources]
    if not rows:
        raise TransitionNotAllowed(
            N_("You cannot {action} now: the dossier is “{state}”."),
            labels=("action", "state"),
            action=ACTION_LABELS[action],
            state=STATE_LABELS[state] if state else N_("not yet created"),
        )
    facts = frozenset(conditions)
    matching = [t for t in rows if applies(t, state, facts)]
    if not matching:
        raise TransitionNotAllowed(
            N_("You cannot {action} for this dossier: its route does not provide for it."),
            labels=("action",),
            action=ACTION_LABELS[action],
        )
    return matching[0]


def permit(
    action: Action,
    state: State | None,
    roles: Iterable[Role],
    conditions: Iterable[Condition] = (),
) -> Transition:
    """The row allowing ``action`` now, or a typed error; changes nothing.

    The state is checked first (a stale button says "no longer possible"), then
    the conditions, then whether one of ``roles`` may take the step.
    """
    found = row(action, state, conditions)
    if not found.roles & frozenset(roles):
        # ``roles`` is not in the message (a list cannot be one msgid); handlers may
        # name the roles with ROLE_LABELS.
        raise NotPermitted(
            N_("You are not allowed to {action} for this dossier."),
            labels=("action",),
            action=ACTION_LABELS[action],
            roles=tuple(sorted(found.roles, key=list(Role).index)),
        )
    return found
