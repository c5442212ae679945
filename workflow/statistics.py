"""Statistics for a body's yearly report (887 Điều 7 khoản 8, Điều 10 khoản 4; seed 002).

Pure: the caller hands in the dossiers of the body and its subordinate bodies, their
written duties (obligations), where each proposer works and the working-day calendar.
Everything is read from what the dossiers went through (their history: action, from and
to state, by, at) and the duties' outcomes, never from counters, so the figures can be
checked against the desk and the record.

Plans are counted by the day they were sent (the first submission); pilots, incidents,
protection requests, evaluations and emergency reports by the day they happened. The
answer's timeliness is counted for the plans of the period, in working days from the
receipt (which is not counted, Civil Code Điều 147) to the written answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from statistics import median

from workflow.answer_clock import (
    APPROVED,
    ESCALATED,
    NOT_FEASIBLE,
    RE_PREPARE,
    REJECTED,
    WITHDRAWN,
    Round,
    local_day,
    rounds,
)
from workflow.calendar import WorkingDays
from workflow.dossier import Dossier, DossierKind, EncouragementForm
from workflow.i18n import N_
from workflow.lifecycle import Action, State
from workflow.obligations import Obligation, ObligationKind, ProtectionOutcome
from workflow.quiet_hours import VIETNAM
from workflow.rules.model import Text

VERIFIED = "verified"  # a VERIFY_INCIDENT obligation's outcome once concluded
PENDING = "pending"  # a decided matter not decided yet
UNREPORTED = "unreported"  # an incident not yet reported to the direct superior
UNTIMED = frozenset({ESCALATED, WITHDRAWN})


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def last_12_months(cls, today: date) -> Period:
        try:
            start = today.replace(year=today.year - 1) + timedelta(days=1)
        except ValueError:  # 29 February
            start = date(today.year - 1, 3, 1)
        return cls(start, today)


@dataclass(frozen=True)
class UnitOf:
    """Where a proposer works: the unit and its kind (the pack's unit kind)."""

    id: str
    name: str
    kind: str


# The summary's figures, in the order a report lists them.
FIGURES: tuple[tuple[str, str], ...] = (
    ("filed", N_("Plans received")),
    ("registered", N_("Plans registered by the office")),
    ("under_consideration", N_("Still under consideration")),
    ("approved", N_("Approved")),
    ("rejected", N_("Not approved")),
    ("re_prepared", N_("Returned for re-preparation")),
    ("head_override", N_("Decided by the head (no consensus)")),
    ("escalated", N_("Forwarded beyond authority")),
    ("not_feasible", N_("Found not feasible at appraisal")),
    ("withdrawn", N_("Withdrawn by the proposer")),
    ("ballots", N_("Votes held")),
    ("answered_on_time", N_("Answered on time")),
    ("answered_late", N_("Answered late")),
    ("waiting_in_time", N_("Awaiting an answer, within the deadline")),
    ("waiting_overdue", N_("Awaiting an answer, overdue")),
    ("pilots_started", N_("Pilots started")),
    ("pilots_in_progress", N_("Pilots in progress at the end of the period")),
    ("pilots_completed", N_("Pilots completed")),
    ("pilots_evaluated", N_("Pilots evaluated")),
    ("incidents", N_("Risks or errors reported")),
    ("protection_requests", N_("Protection requests")),
    ("emergencies", N_("Emergency actions reported")),
)
FIGURE_LABELS = dict(FIGURES)

OUTCOME_LABELS: dict[str, str] = {
    APPROVED: N_("Approved"),
    REJECTED: N_("Not approved"),
    RE_PREPARE: N_("Returned for re-preparation"),
    NOT_FEASIBLE: N_("Not feasible"),
    ESCALATED: N_("Beyond authority"),
    WITHDRAWN: N_("Withdrawn"),
}
MATTER_LABELS: dict[str, str] = {
    ProtectionOutcome.PROTECT.value: N_("Protective measures applied"),
    ProtectionOutcome.REFER_UPWARD.value: N_("Referred to the body above"),
    ProtectionOutcome.NOT_NEEDED.value: N_("No protection needed"),
    VERIFIED: N_("Verified and concluded"),
    UNREPORTED: N_("Not yet reported to the superior"),
    PENDING: N_("Not decided yet"),
}


@dataclass(frozen=True)
class Answer:
    """One timed round: a plan's receipt, its due date and its written answer."""

    dossier_id: int
    title: str
    unit: str
    round: int
    received_on: date
    due_on: date
    answered_on: date | None
    outcome: str | None  # an OUTCOME_LABELS key; None: not decided yet
    working_days: int  # to the answer, or so far (to the end of the count) if none
    late_by: int  # working days past the due date; 0 when on time

    @property
    def late(self) -> bool:
        return self.late_by > 0


@dataclass(frozen=True)
class GroupRow:
    """The figures of one unit kind or unit."""

    key: str
    name: str
    filed: int = 0
    approved: int = 0
    rejected: int = 0
    re_prepared: int = 0
    not_feasible: int = 0
    escalated: int = 0
    under_consideration: int = 0
    on_time: int = 0
    late: int = 0


@dataclass(frozen=True)
class Matter:
    """A reported incident or a protection request, with what was decided."""

    dossier_id: int
    title: str
    kind: str  # "incident" or "protection"
    on: date
    outcome: str  # a MATTER_LABELS key
    summary: str


@dataclass(frozen=True)
class PlanLine:
    """A plan of the period as it stands now."""

    dossier_id: int
    title: str
    unit: str
    filed_on: date
    registration_number: str | None
    state: State


@dataclass(frozen=True)
class Statistics:
    period: Period
    as_of: date  # overdue answers are counted up to this day
    figures: dict[str, int]
    median_working_days: float | None  # to the written answer, answered rounds only
    by_state: tuple[tuple[State, int], ...]  # the plans of the period, as they are now
    answers: tuple[Answer, ...]
    by_unit_kind: tuple[GroupRow, ...]
    by_unit: tuple[GroupRow, ...]
    encouragement: tuple[tuple[EncouragementForm, int], ...]  # forms granted in the period
    matters: tuple[Matter, ...]
    matter_outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    plans: tuple[PlanLine, ...] = ()
    # Set by the caller: the bodies counted (names; empty: the whole installation) and
    # the unit kinds' descriptions from the rule packs.
    scope: tuple[str, ...] = ()
    unit_kind_names: dict[str, Text] = field(default_factory=dict)

    def figure(self, key: str) -> int:
        return self.figures.get(key, 0)


def compute(dossiers: Iterable[Dossier], obligations: Iterable[Obligation],
            calendar: WorkingDays, period: Period, *, as_of: date,
            units: Mapping[str, UnitOf] | None = None,
            zone: tzinfo = VIETNAM) -> Statistics:
    """The statistics of ``period`` over ``dossiers`` (already limited to the bodies).

    ``units`` says where each proposer works (person id -> unit); ``as_of`` is the day
    waiting answers are judged against (today, or the period's end if earlier).
    """
    units = units or {}
    owed: dict[int, list[Obligation]] = {}
    for obligation in obligations:
        owed.setdefault(obligation.dossier_id, []).append(obligation)
    figures: Counter[str] = Counter()
    states: Counter[State] = Counter()
    answers: list[Answer] = []
    kinds: dict[str, Counter[str]] = {}
    places: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    forms: Counter[EncouragementForm] = Counter()
    matters: list[Matter] = []
    plans: list[PlanLine] = []
    for dossier in sorted(dossiers, key=lambda d: d.id):
        mine = owed.get(dossier.id, [])
        _follow_up(dossier, mine, period, zone, figures, forms, matters)
        if dossier.kind is DossierKind.EMERGENCY:
            if _first_day(dossier, None, zone) in period:
                figures["emergencies"] += 1
            continue
        filed = _first_day(dossier, Action.SUBMIT, zone)
        if filed is None or filed not in period:
            continue
        unit = units.get(dossier.proposer) or UnitOf("", "", dossier.unit_kind)
        row = _dossier_figures(dossier)
        timed = [_answer(dossier, r, unit, calendar, as_of) for r in
                 rounds(dossier, mine, calendar, zone) if r.ending not in UNTIMED]
        for answer in timed:
            row[_timeliness(answer)] += 1
        row["on_time"], row["late"] = row["answered_on_time"], row["answered_late"]
        answers += timed
        figures.update(row)
        states[dossier.state] += 1
        plans.append(PlanLine(dossier.id, dossier.plan.title, unit.name, filed,
                              dossier.registration_number, dossier.state))
        kinds.setdefault(unit.kind, Counter()).update(row)
        places.setdefault(unit.id, Counter()).update(row)
        names[unit.id] = unit.name
    answered = [a.working_days for a in answers if a.answered_on is not None]
    return Statistics(
        period=period, as_of=as_of,
        figures={key: figures[key] for key, _ in FIGURES},
        median_working_days=float(median(answered)) if answered else None,
        by_state=tuple(sorted(states.items(), key=lambda s: list(State).index(s[0]))),
        answers=tuple(answers),
        by_unit_kind=tuple(_group(k, k, c) for k, c in sorted(kinds.items())),
        by_unit=tuple(sorted((_group(k, names[k], c) for k, c in places.items()),
                             key=lambda g: g.name)),
        encouragement=tuple((f, forms[f]) for f in EncouragementForm if forms[f]),
        matters=tuple(matters),
        matter_outcomes=_matter_outcomes(matters),
        plans=tuple(plans),
    )


def _first_day(dossier: Dossier, action: Action | None, zone: tzinfo) -> date | None:
    for entry in dossier.history:
        if action is None or entry.action == action:
            return local_day(entry.at, zone)
    return None


def _dossier_figures(dossier: Dossier) -> Counter[str]:
    """What one plan went through, each outcome counted once per plan."""
    row: Counter[str] = Counter(filed=1)
    seen: set[str] = set()
    for entry in dossier.history:
        action, target = entry.action, entry.to_state
        if action == Action.REGISTER:
            seen.add("registered")
        elif action in (Action.CLOSE_BALLOT, Action.HEAD_DECIDE) and target == State.APPROVED:
            seen.add("approved")
        elif action in (Action.CLOSE_BALLOT, Action.HEAD_DECIDE) and target == State.REJECTED:
            seen.add("rejected")
        elif action == Action.CLOSE_BALLOT and target == State.RETURNED_FOR_RE_PREPARATION:
            seen.add("re_prepared")
        elif action == Action.FORWARD_BEYOND_AUTHORITY:
            seen.add("escalated")
        elif action == Action.FILE_APPRAISAL and target == State.CLOSED:
            seen.add("not_feasible")
        elif action == Action.WITHDRAW:
            seen.add("withdrawn")
        if action == Action.HEAD_DECIDE and target == State.APPROVED:
            seen.add("head_override")
        if action == Action.CLOSE_BALLOT and entry.from_state == State.BALLOT_OPEN:
            row["ballots"] += 1
    row.update(seen)
    if dossier.state in UNDER_CONSIDERATION:
        row["under_consideration"] += 1
    return row


# Sent and not decided yet (drafts are not counted as plans).
UNDER_CONSIDERATION = frozenset({
    State.AT_CELL, State.RETURNED_BY_CELL, State.SUBMITTED, State.REGISTERED,
    State.RETURNED_FOR_COMPLETION, State.APPRAISAL_ASSIGNED, State.APPRAISED,
    State.LEGAL_REVIEW_ASSIGNED, State.LEGAL_REVIEWED, State.BALLOT_OPEN,
    State.QUORUM_NOT_MET, State.NO_CONSENSUS,
})


def _answer(dossier: Dossier, r: Round, unit: UnitOf, calendar: WorkingDays,
            as_of: date) -> Answer:
    end = r.answered_on or max(as_of, r.received_on)
    return Answer(
        dossier_id=dossier.id, title=dossier.plan.title, unit=unit.name, round=r.number,
        received_on=r.received_on, due_on=r.due_on, answered_on=r.answered_on,
        outcome=r.ending, working_days=calendar.working_days_between(r.received_on, end),
        late_by=max(0, calendar.working_days_between(r.due_on, end)))


def _timeliness(answer: Answer) -> str:
    if answer.answered_on is not None:
        return "answered_late" if answer.late else "answered_on_time"
    return "waiting_overdue" if answer.late else "waiting_in_time"


def _follow_up(dossier: Dossier, owed: Sequence[Obligation], period: Period, zone: tzinfo,
               figures: Counter[str], forms: Counter[EncouragementForm],
               matters: list[Matter]) -> None:
    """Pilots, evaluations, incidents and protection requests dated in the period."""
    started = completed = None
    for entry in dossier.history:
        day = local_day(entry.at, zone)
        if entry.action == Action.START_IMPLEMENTATION:
            started = day
        elif entry.action == Action.REPORT_COMPLETION:
            completed = day
        if day not in period:
            continue
        if entry.action == Action.START_IMPLEMENTATION:
            figures["pilots_started"] += 1
        elif entry.action == Action.REPORT_COMPLETION:
            figures["pilots_completed"] += 1
        elif entry.to_state == State.EVALUATED and entry.from_state != State.EVALUATED:
            figures["pilots_evaluated"] += 1
            if dossier.evaluation is not None:
                forms.update(dossier.evaluation.forms)
        elif entry.action == Action.REPORT_INCIDENT:
            figures["incidents"] += 1
        elif entry.action == Action.REQUEST_PROTECTION:
            figures["protection_requests"] += 1
    if started is not None and started <= period.end and (
            completed is None or completed > period.end):
        figures["pilots_in_progress"] += 1
    verifications = sorted((o for o in owed if o.kind is ObligationKind.VERIFY_INCIDENT),
                           key=lambda o: o.id)
    reports = sorted((o for o in owed if o.kind is ObligationKind.REPORT_INCIDENT_TO_SUPERIOR),
                     key=lambda o: o.id)
    for index, report in enumerate(reports):
        # The n-th verification follows the n-th report once the report has been sent.
        check = verifications[index] if index < len(verifications) else None
        outcome = (UNREPORTED if report.is_open else
                   check.outcome or PENDING if check is not None else PENDING)
        _matter(dossier, "incident", report, outcome,
                check.summary if check is not None else "", period, zone, matters)
    for request in owed:
        if request.kind is ObligationKind.ANSWER_PROTECTION_REQUEST:
            _matter(dossier, "protection", request, request.outcome or PENDING,
                    request.summary, period, zone, matters)


def _matter(dossier: Dossier, kind: str, obligation: Obligation, outcome: str, summary: str,
            period: Period, zone: tzinfo, matters: list[Matter]) -> None:
    day = local_day(obligation.created_at, zone)
    if day in period:
        matters.append(Matter(dossier.id, dossier.plan.title, kind, day, outcome, summary))


def _matter_outcomes(matters: Iterable[Matter]) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = {"incident": Counter(), "protection": Counter()}
    for matter in matters:
        found[matter.kind][matter.outcome] += 1
    return {kind: dict(counts) for kind, counts in found.items()}


def _group(key: str, name: str, counts: Counter[str]) -> GroupRow:
    return GroupRow(key=key, name=name or key, filed=counts["filed"],
                    approved=counts["approved"], rejected=counts["rejected"],
                    re_prepared=counts["re_prepared"], not_feasible=counts["not_feasible"],
                    escalated=counts["escalated"],
                    under_consideration=counts["under_consideration"],
                    on_time=counts["on_time"], late=counts["late"])
