"""How a dossier reads in the chat: who holds it now, its deadline, its route and history.

Everything here is presentation: the lifecycle table and the dossier decide; these
functions only put them in words, with the organisation's real body names (the pack's
generic names when the organisation has none for a route body).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from handlers.context import Calendar, Services, Turn
from handlers.i18n import N_, Translator
from workflow.dossier import Dossier, HistoryEntry, ProblemKind
from workflow.lifecycle import STATE_LABELS, TRANSITIONS, UNDER_CONSIDERATION, Action, State
from workflow.rules import RuleBook
from workflow.voting import OUTCOME_LABELS, Outcome

SYSTEM = "system"  # who the history names when the scheduler or a rule acted
DEFAULT_ANSWER_DAYS = 30  # the pack's "answer" deadline when a dossier carries none
SUMMARY_CHARS = 200

# Not yet registered: the answer clock has not started (887 Điều 4 khoản 3).
BEFORE_REGISTRATION = frozenset({
    State.DRAFT, State.AT_CELL, State.RETURNED_BY_CELL, State.SUBMITTED,
    State.RETURNED_FOR_COMPLETION,
})
# Registered and the written answer not sent yet: the clock runs.
ANSWER_PENDING = frozenset({
    *UNDER_CONSIDERATION, State.BALLOT_OPEN, State.QUORUM_NOT_MET, State.NO_CONSENSUS,
    State.APPROVED, State.REJECTED, State.RETURNED_FOR_RE_PREPARATION,
})

# The history speaks of what happened, not of what may be done (ACTION_LABELS).
HISTORY_LABELS: dict[str, str] = {
    Action.CREATE_DRAFT: N_("plan started"),
    Action.UPDATE_DRAFT: N_("plan edited"),
    Action.SUBMIT: N_("plan submitted"),
    Action.CELL_AGREE: N_("the party cell agreed and sent the dossier up"),
    Action.CELL_RETURN: N_("the party cell returned the plan"),
    Action.RESUBMIT: N_("plan submitted again"),
    Action.REGISTER: N_("dossier received and registered"),
    Action.RETURN_FOR_COMPLETION: N_("dossier returned for completion"),
    Action.MARK_COMPLEX: N_("marked as a difficult, complex matter"),
    Action.FORWARD_BEYOND_AUTHORITY: N_("forwarded to the competent level"),
    Action.ASSIGN_APPRAISAL: N_("appraisal assigned"),
    Action.FILE_APPRAISAL: N_("appraisal report filed"),
    Action.ASSIGN_LEGAL_REVIEW: N_("legal-risk review assigned"),
    Action.FILE_LEGAL_REVIEW: N_("legal-risk review filed"),
    Action.OPEN_BALLOT: N_("vote opened"),
    Action.CLOSE_BALLOT: N_("vote closed"),
    Action.HEAD_DECIDE: N_("the head decided"),
    Action.SEND_WRITTEN_ANSWER: N_("written answer sent"),
    Action.START_IMPLEMENTATION: N_("implementation started"),
    Action.REPORT_PROGRESS: N_("progress reported"),
    Action.REPORT_INCIDENT: N_("risk or error reported"),
    Action.REQUEST_PROTECTION: N_("protection requested"),
    Action.REPORT_COMPLETION: N_("completion reported"),
    Action.RECORD_EVALUATION: N_("evaluation recorded"),
    Action.OPEN_EVALUATION: N_("evaluation put to the collective's vote"),
    Action.CLOSE: N_("dossier closed"),
    Action.WITHDRAW: N_("dossier withdrawn"),
    Action.FILE_EMERGENCY_REPORT: N_("emergency action reported in writing"),
    Action.CONCLUDE_EMERGENCY: N_("the collective's conclusion recorded"),
    Action.PUBLISH_RESULTS: N_("results made public"),
    Action.WITHDRAW_PUBLICATION: N_("publication of the results withdrawn"),
}

# Actions whose rows lead to different states: the history says where each one led.
_BRANCHING = frozenset(
    action for action in Action
    if len({t.target for t in TRANSITIONS if t.action is action}) > 1
)

# An evaluation ballot (887 Điều 5) closes with the collective's own words, not an approval's.
EVALUATION_VOTE_LABELS: dict[str, str] = {
    Outcome.APPROVED: N_("evaluation vote closed: the collective adopted the evaluation"),
    Outcome.REJECTED: N_("evaluation vote closed: the collective did not adopt the "
                         "evaluation"),
    Outcome.QUORUM_NOT_MET: N_("evaluation vote closed without its quorum: nothing decided"),
}
# Why a dossier was closed, when the reason is a value the services write.
CLOSED_REASON_LABELS: dict[str, str] = {
    "not_feasible": N_("the appraisal found the plan not feasible"),
    "rejected": N_("not approved"),
    "withdrawn": N_("withdrawn by the proposer"),
    "emergency_concluded": N_("the collective concluded on the emergency action"),
}
OUTCOME_VALUES = frozenset(o.value for o in Outcome)
STATE_VALUES = frozenset(s.value for s in State)

PROBLEM_KIND_LABELS: dict[ProblemKind, str] = {
    ProblemKind.NOT_REGULATED: N_("not yet regulated"),
    ProblemKind.REGULATED_UNSUITED: N_("regulated, but the regulation does not suit practice"),
}


@dataclass(frozen=True)
class Names:
    """The names a reply needs, fetched once: bodies of the organisation and people."""

    bodies: dict[str, str]
    people: dict[str, str]
    rulebook: RuleBook
    lang: str

    def body(self, dossier: Dossier, route_body: str) -> str:
        """The organisation's name for a route body of ``dossier``, else the pack's."""
        concrete = dossier.body(route_body)
        if concrete in self.bodies:
            return self.bodies[concrete]
        try:
            return self.rulebook.get(dossier.pack_id).body(route_body).name.get(self.lang)
        except (KeyError, LookupError):
            return concrete

    def person(self, person_id: str) -> str:
        return self.people.get(person_id, person_id)

    def pack_title(self, dossier: Dossier) -> str:
        """The title of the pack the dossier was routed under (its id if no longer known)."""
        try:
            return self.rulebook.get(dossier.pack_id).title.get(self.lang)
        except LookupError:
            return dossier.pack_id


async def names_for(turn: Turn, dossiers: Iterable[Dossier], people: bool = False) -> Names:
    """Body names for ``dossiers`` (and people's names for their history, if asked)."""
    dossiers = list(dossiers)
    body_ids = {b for d in dossiers for b in d.bodies.values()}
    body_ids |= {d.forwarding.body for d in dossiers if d.forwarding}
    directory = turn.services.directory
    bodies = await directory.body_names(sorted(body_ids)) if body_ids else {}
    found: dict[str, str] = {}
    if people:
        ids = {e.by for d in dossiers for e in d.history} | {
            p for d in dossiers for p in (*d.appraisers, *d.proposers)}
        for person_id in sorted(ids - {SYSTEM}):
            info = await directory.person(person_id)
            if info is not None:
                found[person_id] = info.name
    return Names(bodies, found, turn.services.rulebook, turn.lang)


async def notice_names(services: Services, dossier: Dossier, lang: str) -> Names:
    """Body names of one dossier and its proposers' names, for a message about it."""
    body_ids = sorted({*dossier.bodies.values(),
                       *([dossier.forwarding.body] if dossier.forwarding else [])})
    bodies = await services.directory.body_names(body_ids) if body_ids else {}
    people: dict[str, str] = {}
    for person_id in dossier.proposers:
        info = await services.directory.person(person_id)
        if info is not None:
            people[person_id] = info.name
    return Names(bodies, people, services.rulebook, lang)


def holder(dossier: Dossier, names: Names, t: Translator, for_proposer: bool = True) -> str:
    """Who holds the dossier now, i.e. whose move it is, as a clause of a sentence: said
    to the proposer ("with you") or, ``for_proposer=False``, to the committee."""
    state, route = dossier.state, dossier.route

    def at(route_body: str) -> str:
        return t("now with {holder}", holder=names.body(dossier, route_body))

    def them() -> str:
        name = names.people.get(dossier.proposer)
        return t("the proposer, {name}", name=name) if name else t("the proposer")

    if state is State.DRAFT:
        return t("with you: not sent yet") if for_proposer \
            else t("with {proposer}: not sent yet", proposer=them())
    if state in (State.RETURNED_BY_CELL, State.RETURNED_FOR_COMPLETION,
                 State.RETURNED_FOR_RE_PREPARATION):
        return t("back with you to complete and send again") if for_proposer \
            else t("back with {proposer} to complete and send again", proposer=them())
    if state is State.AT_CELL and route.preliminary_review:
        return at(route.preliminary_review)
    if state is State.APPRAISAL_ASSIGNED:
        if dossier.appraisers:
            people = ", ".join(names.person(p) for p in dossier.appraisers)
            return t("now with the appraisers: {people}", people=people)
        if route.appraisal_lead:
            return at(route.appraisal_lead)
    if state is State.LEGAL_REVIEW_ASSIGNED and route.legal_review:
        return at(route.legal_review)
    if state is State.BALLOT_OPEN:
        body = dossier.decision.route_body if dossier.decision else route.decision_bodies[0]
        return at(body)
    if state is State.EVALUATION_OPEN:  # the collective that approved votes on it
        decision = dossier.decision
        return at(decision.route_body if decision and not decision.by_head
                  else route.decision_bodies[0])
    if state is State.NO_CONSENSUS:
        return at(route.head)  # the head may decide alone (887 Điều 4 khoản 3 b)
    if state in (State.APPROVED, State.REJECTED):
        return t("now with {holder}: the written answer is pending",
                 holder=names.body(dossier, route.via))
    if state is State.ESCALATED and dossier.forwarding:
        forwarded = dossier.forwarding
        name = names.bodies.get(forwarded.body) or (
            names.body(dossier, forwarded.route_body) if forwarded.route_body
            else forwarded.body)
        return t("now with {holder}", holder=name)
    if state in (State.ANSWERED, State.IMPLEMENTING):
        return t("with you: implementation") if for_proposer \
            else t("with {proposer}: implementation", proposer=them())
    if state in (State.CLOSED, State.WITHDRAWN):
        return t("no longer with anyone")
    # Sent, registered, appraised, reviewed, a failed vote, completed, evaluated, an
    # emergency report: the next step is the committee office's.
    return at(route.via)


def answer_days(dossier: Dossier) -> int:
    return dossier.deadline_days("answer", DEFAULT_ANSWER_DAYS)


def deadline(dossier: Dossier, today: date, calendar: Calendar, t: Translator) -> str | None:
    """The answer deadline as a clause: not started, days left, due today or overdue."""
    if dossier.state in BEFORE_REGISTRATION or (
            dossier.state is State.RETURNED_FOR_RE_PREPARATION and dossier.due_on is None):
        return t("not registered yet: the {days}-working-day clock starts when the office "
                 "registers it", days=answer_days(dossier))
    due = dossier.due_on
    if due is None or dossier.state not in ANSWER_PENDING or dossier.answer_reference:
        return None
    when = t.date(due)
    if today < due:
        left = calendar.working_days_between(today, due)
        return t.plural("answer due {date} ({n} working day left)",
                        "answer due {date} ({n} working days left)", left, date=when)
    if today == due:
        return t("answer due today, {date}", date=when)
    late = calendar.working_days_between(due, today)
    if late == 0:  # a day off right after the due date: past, but no working day lost yet
        return t("answer was due {date} (overdue)", date=when)
    return t.plural("answer was due {date} (overdue by {n} working day)",
                    "answer was due {date} (overdue by {n} working days)", late, date=when)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis if too long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def title_of(dossier: Dossier, t: Translator) -> str:
    return dossier.plan.title.strip() or t("(untitled plan)")


def summary_line(number: int, dossier: Dossier, names: Names, today: date,
                 calendar: Calendar, t: Translator, for_proposer: bool = True) -> str:
    """One line of the list: title, state in words, who holds it, the deadline."""
    state = t(STATE_LABELS[dossier.state])
    line = t("{number}. {title}: {state}; {holder}", number=number,
             title=shorten(title_of(dossier, t), 80), state=state,
             holder=holder(dossier, names, t, for_proposer))
    clause = deadline(dossier, today, calendar, t)
    return t("{line}; {deadline}.", line=line, deadline=clause) if clause else line + "."


def _local(at: datetime, zone: tzinfo | None) -> datetime:
    return at.astimezone(zone) if at.tzinfo is not None and zone is not None else at


def detail_text(dossier: Dossier, names: Names, today: date, calendar: Calendar,
                t: Translator, zone: tzinfo | None, for_proposer: bool = True) -> str:
    """The whole dossier: plan, state, holder, registration, deadline, route, history."""
    plan = dossier.plan
    lines = [t("Dossier no. {id}: {title}", id=dossier.id, title=title_of(dossier, t))]
    if plan.problem.strip():
        lines.append(t("Problem: {text}", text=shorten(plan.problem, SUMMARY_CHARS)))
    if plan.problem_kind is not None:
        kind = t(PROBLEM_KIND_LABELS[plan.problem_kind])
        lines.append(t("Kind of problem: {kind}", kind=kind))
    if plan.approach.strip():
        lines.append(t("Proposed approach: {text}", text=shorten(plan.approach, SUMMARY_CHARS)))
    lines.append("")
    state = t(STATE_LABELS[dossier.state])
    lines.append(t("State: {state}; {holder}.", state=state,
                   holder=holder(dossier, names, t, for_proposer)))
    if dossier.registration_number and dossier.received_on:
        lines.append(t("Registration no. {number}, received on {date}.",
                       number=dossier.registration_number, date=t.date(dossier.received_on)))
    clause = deadline(dossier, today, calendar, t)
    if clause:
        lines.append(clause[:1].upper() + clause[1:] + ".")
    if dossier.complexity is not None:
        days = dossier.deadline_days("answer_complex", 60)
        lines.append(t("Marked as a difficult, complex matter: the answer is due within "
                       "{days} working days (reason: {reason}).", days=days,
                       reason=dossier.complexity.reason))
    if dossier.answer_reference:
        lines.append(t("Written answer: {reference}.", reference=dossier.answer_reference))
    route = dossier.route
    if route.preliminary_review:
        cell = names.body(dossier, route.preliminary_review)
        lines.append(t("First step: review by {body}.", body=cell))
    lines.append(t("Competent body: {body}, through {office}.",
                   body=names.body(dossier, route.competent_body),
                   office=names.body(dossier, route.via)))
    lines.append(t("Rules applied: {title} ({pack}, version {version}).",
                   title=names.pack_title(dossier), pack=dossier.pack_id,
                   version=dossier.pack_version))
    if dossier.history:
        lines.append("")
        lines.append(t("History:"))
        lines.extend(f"• {history_line(entry, names, t, zone)}" for entry in dossier.history)
    return "\n".join(lines)


def history_line(entry: HistoryEntry, names: Names, t: Translator,
                 zone: tzinfo | None) -> str:
    """One step of the history: when, what (and where it led), who, and the note. Notes
    that are internal values (a ballot's outcome, a closing reason) are put in words; a
    ballot closed by its rule is the collective's decision, not the system's."""
    label = HISTORY_LABELS.get(entry.action)
    step = t(label) if label else entry.action
    note = entry.note.strip()
    if entry.action == Action.CLOSE_BALLOT and entry.from_state is State.EVALUATION_OPEN:
        step = t(EVALUATION_VOTE_LABELS.get(note, EVALUATION_VOTE_LABELS[Outcome.REJECTED]))
        note = ""
    elif entry.action == Action.CLOSE_BALLOT and note in OUTCOME_VALUES:
        note = ""  # the outcome is the state it led to, said just below
    if entry.action in _BRANCHING and not (entry.action == Action.CLOSE_BALLOT
                                           and entry.from_state is State.EVALUATION_OPEN):
        outcome = t(STATE_LABELS[entry.to_state])
        step = t("{step}: {outcome}", step=step, outcome=outcome)
    when = _local(entry.at, zone).strftime("%d/%m/%Y %H:%M")
    if entry.by == SYSTEM and entry.action == Action.CLOSE_BALLOT:
        line = t("{when}: {step} (the collective's vote)", when=when, step=step)
    elif entry.by == SYSTEM:
        line = t("{when}: {step} (automatically, under the rules)", when=when, step=step)
    else:
        line = t("{when}: {step} — {who}", when=when, step=step, who=names.person(entry.by))
    if note and entry.action == Action.CLOSE and note in STATE_VALUES:
        # The service records the stage the dossier was closed at.
        return t("{line}, once {state}", line=line, state=t(STATE_LABELS[State(note)]))
    if note:
        line = t("{line}; note: “{note}”", line=line,
                 note=shorten(note_text(note, t), SUMMARY_CHARS))
    return line


def note_text(note: str, t: Translator) -> str:
    """A history note in words: an internal value (closing reason, state, outcome) is
    translated; anything a person wrote is kept as written."""
    if note in CLOSED_REASON_LABELS:
        return t(CLOSED_REASON_LABELS[note])
    if note in STATE_VALUES:
        return t(STATE_LABELS[State(note)])
    if note in OUTCOME_VALUES:
        return t(OUTCOME_LABELS[Outcome(note)])
    return note
