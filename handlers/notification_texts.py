"""What each event says to the person told of it: one small renderer per event class.

``RENDERERS`` maps every event class that reaches a person (its ``notify`` is not
empty) to a function ``(event, notice) -> str``: the event typed as it was written
(``workflow.events.decode_event`` reads it back from the outbox), and a
:class:`Notice` with the dossier as it stands now, the recipient (a role on a body,
or a person), the names of bodies and people and the reader's translator. Fields are
read as attributes, so a renamed field fails type checking, not silently at run time.

To render a new event: write a function below and decorate it with
``@renders(TheEvent)``; an event nobody is told of goes in ``UNTOLD`` instead. The
test ``tests/unit/test_notice_registry.py`` fails while an event class is in neither,
and renders each one in Vietnamese and English. The rest of a notification (buttons,
attached documents, the ballot's comments) is ``handlers.notifications.render``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from handlers.flows.desk_view import describe
from handlers.flows.dossier_view import Names, shorten, title_of
from handlers.i18n import Translator
from workflow.actors import Role
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier, EncouragementForm
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
    DecisionMade,
    DocumentRecorded,
    DossierClosed,
    DossierForwarded,
    DossierRegistered,
    DossierSubmitted,
    DossierWithdrawn,
    DraftCreated,
    DraftUpdated,
    EmergencyConcluded,
    EmergencyReported,
    EvaluationRecorded,
    Event,
    ImplementationStarted,
    IncidentReported,
    IncidentVerified,
    InformationCopyDue,
    LegalReviewAssigned,
    LegalReviewFiled,
    MarkedComplex,
    ObligationCreated,
    ObligationFulfilled,
    ProgressReported,
    ProtectionDecided,
    ProtectionRequested,
    PublicationWithdrawn,
    Recipient,
    ResultsPublished,
    ReturnedForCompletion,
    VoteCast,
    WrittenAnswerSent,
    WrittenNoticeRequired,
)
from workflow.obligations import (
    DECIDED,
    OBLIGATION_LABELS,
    PROTECTION_OUTCOME_LABELS,
    ObligationKind,
    ProtectionOutcome,
)
from workflow.voting import DECISION, EVALUATION, OUTCOME_LABELS, Outcome

E = TypeVar("E", bound=Event)
Renderer = Callable[[Any, "Notice"], str]

FORM_VALUES = frozenset(f.value for f in EncouragementForm)


@dataclass(frozen=True)
class Notice:
    """What a notification's text is made of, besides the event: said to whom, about what."""

    dossier: Dossier
    recipient: Recipient
    names: Names
    t: Translator
    zone: tzinfo | None = None  # times are shown in the clock's zone
    # The purpose of the ballot a BallotClosed is about (the event does not carry it).
    purpose: str = DECISION

    @property
    def role(self) -> Role | None:
        return self.recipient.role

    @property
    def title(self) -> str:
        return shorten(title_of(self.dossier, self.t), 120)

    @property
    def number(self) -> int:
        return self.dossier.id

    @property
    def proposer(self) -> str:
        return self.names.person(self.dossier.proposer)

    @property
    def office(self) -> str:
        """The body the dossier goes through (the committee's office)."""
        return self.names.body(self.dossier, self.dossier.route.via)

    def time(self, value: datetime | None) -> str:
        return value.astimezone(self.zone).strftime("%H:%M %d/%m/%Y") if value else ""

    def outcome(self, value: Outcome | None) -> str:
        return self.t(OUTCOME_LABELS[value]) if value is not None else ""

    def news(self) -> str:
        """The text of an event with nothing more particular to say."""
        return self.t("There is news about dossier no. {id} “{title}”.", id=self.number,
                      title=self.title)


RENDERERS: dict[type[Event], Renderer] = {}

# Events nobody is told of: services publish them with an empty ``notify``, so the
# outbox never holds them (the test checks the services' code for it).
UNTOLD: frozenset[type[Event]] = frozenset({DraftCreated, DraftUpdated, VoteCast})


def renders(kind: type[E]) -> Callable[[Callable[[E, Notice], str]],
                                       Callable[[E, Notice], str]]:
    """Register the decorated function as the text of ``kind``."""
    def register(renderer: Callable[[E, Notice], str]) -> Callable[[E, Notice], str]:
        if kind in RENDERERS:
            raise ValueError(f"{kind.__name__} already has a renderer")
        RENDERERS[kind] = renderer
        return renderer
    return register


def text_of(event: Event, notice: Notice) -> str:
    """What ``event`` says to the reader of ``notice``; :class:`LookupError` if no renderer."""
    renderer = RENDERERS.get(type(event))
    if renderer is None:
        raise LookupError(f"no renderer for the event {type(event).__name__}")
    return renderer(event, notice)


# Intake ------------------------------------------------------------------------------


@renders(DossierSubmitted)
def _submitted(e: DossierSubmitted, n: Notice) -> str:
    t = n.t
    if n.role is Role.CELL_SECRETARY:
        plan = n.dossier.plan
        return t("Dossier no. {id} “{title}” from {proposer} awaits the opinion of the party "
                 "cell.\nProblem: {problem}\nProposed approach: {approach}\n\nDoes the cell "
                 "agree to send it up, or should it go back to the proposer with reasons?",
                 id=n.number, title=n.title, proposer=n.proposer,
                 problem=shorten(plan.problem, 300), approach=shorten(plan.approach, 300))
    return t("Dossier no. {id} “{title}” from {proposer} has arrived at {office}. Please "
             "register it (this starts the {days}-working-day clock) or return it for "
             "completion.", id=n.number, title=n.title, proposer=n.proposer,
             office=n.office, days=n.dossier.deadline_days("answer", 30))


@renders(InformationCopyDue)
def _information_copy(e: InformationCopyDue, n: Notice) -> str:
    t = n.t
    if n.role is Role.PROPOSER:
        return t("Your plan “{title}” must also be reported to {body} for information; the "
                 "office has been told.", title=n.title,
                 body=n.names.body(n.dossier, e.route_body))
    return t("For your information: {proposer} has sent the plan “{title}” (dossier no. "
             "{id}) to {office}.", proposer=n.proposer, title=n.title, id=n.number,
             office=n.office)


@renders(CellAgreed)
def _cell_agreed(e: CellAgreed, n: Notice) -> str:
    return n.t("The party cell agreed to your plan “{title}”; the dossier has gone to "
               "{office}.", title=n.title, office=n.office)


@renders(CellReturned)
def _cell_returned(e: CellReturned, n: Notice) -> str:
    return n.t("The party cell returned your plan “{title}”. Reasons: {reason}\nPlease revise "
               "it and send it again.", title=n.title, reason=e.reason)


@renders(DossierRegistered)
def _registered(e: DossierRegistered, n: Notice) -> str:
    t = n.t
    due = t.date(n.dossier.due_on) if n.dossier.due_on else ""
    return t("Your dossier “{title}” was registered as no. {number} on {received}. The "
             "written answer is due by {due}.", title=n.title, number=e.registration_number,
             received=t.date(e.received_on), due=due)


@renders(DeadlineSet)
def _deadline(e: DeadlineSet, n: Notice) -> str:
    t = n.t
    return t("Dossier no. {id} “{title}”: the written answer is due by {due} ({days} "
             "working days from receipt on {received}).", id=n.number, title=n.title,
             due=t.date(e.due_on), days=e.working_days, received=t.date(e.received_on))


@renders(ReturnedForCompletion)
def _returned(e: ReturnedForCompletion, n: Notice) -> str:
    missing = "; ".join([*e.missing, e.note]).strip("; ")
    return n.t("Your dossier “{title}” was returned for completion: {missing}\nPlease "
               "complete it and send it again.", title=n.title, missing=missing)


@renders(MarkedComplex)
def _complex(e: MarkedComplex, n: Notice) -> str:
    t = n.t
    due = t.date(n.dossier.due_on) if n.dossier.due_on else ""
    return t("Your dossier “{title}” was marked as a difficult, complex matter (reason: "
             "{reason}); the written answer is due by {due}.", title=n.title,
             reason=e.reason, due=due)


@renders(DossierForwarded)
def _forwarded(e: DossierForwarded, n: Notice) -> str:
    return n.t("Dossier no. {id} “{title}” is beyond the authority of {body} and was "
               "forwarded to the competent level. Proposed solution: {solution}",
               id=n.number, title=n.title,
               body=n.names.body(n.dossier, n.dossier.route.competent_body),
               solution=e.proposed_solution)


# Appraisal and legal review ----------------------------------------------------------


@renders(AppraisalAssigned)
def _appraisal_assigned(e: AppraisalAssigned, n: Notice) -> str:
    t, plan = n.t, n.dossier.plan
    text = t("You are asked to appraise dossier no. {id} “{title}” from {proposer}.\n"
             "Problem: {problem}\nProposed approach: {approach}\nRisks: {risks}",
             id=n.number, title=n.title, proposer=n.proposer,
             problem=shorten(plan.problem, 300), approach=shorten(plan.approach, 300),
             risks=shorten(plan.risks, 300))
    if e.council:
        text = "\n".join([text, t("You sit on the appraisal council of this plan.")])
    if e.due_on:
        text = "\n".join([text, t("The appraisal is due by {due}.", due=t.date(e.due_on))])
    return text


@renders(AppraisalFiled)
def _appraisal_filed(e: AppraisalFiled, n: Notice) -> str:
    t = n.t
    verdict = t("feasible") if e.feasible else t("not feasible")
    return t("The appraisal of dossier no. {id} “{title}” is filed: {verdict}. Findings: "
             "{summary}", id=n.number, title=n.title, verdict=verdict, summary=e.summary)


@renders(WrittenNoticeRequired)
def _notice_required(e: WrittenNoticeRequired, n: Notice) -> str:
    t = n.t
    if n.role is Role.PROPOSER:
        return t("The appraisal found your plan “{title}” not feasible or not effective: "
                 "{reason}\nThe dossier is closed; you will receive the written notice.",
                 title=n.title, reason=e.reason)
    return t("Dossier no. {id} “{title}” was appraised as not feasible: a written notice "
             "must be sent to {proposer}.", id=n.number, title=n.title, proposer=n.proposer)


@renders(LegalReviewAssigned)
def _legal_assigned(e: LegalReviewAssigned, n: Notice) -> str:
    t = n.t
    text = t("You are asked for the legal-risk review of dossier no. {id} “{title}”.",
             id=n.number, title=n.title)
    if e.due_on:
        text = "\n".join([text, t("The legal-risk advice is due by {due}.",
                                  due=t.date(e.due_on))])
    return text


@renders(LegalReviewFiled)
def _legal_filed(e: LegalReviewFiled, n: Notice) -> str:
    return n.t("The legal-risk review of dossier no. {id} “{title}” is filed: {summary}",
               id=n.number, title=n.title, summary=e.summary)


# Votes and decisions -----------------------------------------------------------------


@renders(BallotOpened)
def _ballot_opened(e: BallotOpened, n: Notice) -> str:
    t, d = n.t, n.dossier
    closes = n.time(e.closes_at) or "-"
    if e.purpose == EVALUATION:
        if n.role is not Role.MEMBER:
            return t("The collective is evaluating the results of your plan “{title}” (vote "
                     "until {closes}).", title=n.title, closes=closes)
        # Read after the vote closed, the proposal is the evaluation it became (if adopted).
        proposal = d.evaluation_proposal or d.evaluation
        return t("Please vote on the evaluation of dossier no. {id} “{title}” from {proposer} "
                 "(until {closes}). The office proposes: {evaluation}.\nEvaluation: "
                 "{summary}\nCompletion report: {report}\n\nApprove the proposal or not; you "
                 "may add a comment to your vote.", id=n.number, title=n.title,
                 proposer=n.proposer, closes=closes,
                 evaluation=describe(t, proposal) if proposal else "-",
                 summary=shorten(proposal.summary, 300) if proposal else "-",
                 report=shorten(next((r.summary for r in reversed(d.reports)
                                      if r.kind == "completion"), "-"), 300))
    if n.role is Role.MEMBER:
        appraisal = d.appraisal.summary if d.appraisal else t("none")
        return t("Please vote on dossier no. {id} “{title}” from {proposer} (until {closes}).\n"
                 "Problem: {problem}\nProposed approach: {approach}\nAppraisal: {appraisal}\n\n"
                 "You may change your vote until the vote closes.", id=n.number, title=n.title,
                 proposer=n.proposer, closes=closes, problem=shorten(d.plan.problem, 300),
                 approach=shorten(d.plan.approach, 300), appraisal=shorten(appraisal, 300))
    return t("The vote on your plan “{title}” has opened (until {closes}).", title=n.title,
             closes=closes)


@renders(BallotClosed)
def _ballot_closed(e: BallotClosed, n: Notice) -> str:
    t, tally = n.t, e.tally
    if e.outcome is Outcome.QUORUM_NOT_MET and e.head_missing:
        return t("The vote on dossier no. {id} “{title}” closed without the head's vote: the "
                 "head chairs the leadership collective, so nothing was decided. The office "
                 "may open the vote again.", id=n.number, title=n.title)
    if e.outcome is Outcome.QUORUM_NOT_MET:
        if n.role in (Role.OFFICE, Role.HEAD):
            return t("The vote on dossier no. {id} “{title}” closed without its quorum: {cast} "
                     "of the {needed} votes required ({base} counted members) were cast, so "
                     "nothing was decided. Please open the vote again with a new closing time "
                     "(the members who did not vote will be reminded), or forward the dossier "
                     "if it is beyond authority.", id=n.number, title=n.title, cast=tally.cast,
                     needed=e.needed, base=e.base)
        return t("The vote on dossier no. {id} “{title}” closed without its quorum ({cast} of "
                 "the {needed} votes required): nothing was decided, and the office may open "
                 "the vote again.", id=n.number, title=n.title, cast=tally.cast,
                 needed=e.needed)
    if n.purpose == EVALUATION:
        # 887 Điều 5: the collective adopts the evaluation or not; no re-preparation.
        counts = dict(a=tally.approve, r=tally.reject, x=tally.abstain)
        if e.outcome is Outcome.APPROVED:
            return t("The vote on the evaluation of dossier no. {id} “{title}” is closed: the "
                     "collective adopted the evaluation (for {a}, against {r}, abstain {x}).",
                     id=n.number, title=n.title, **counts)
        return t("The vote on the evaluation of dossier no. {id} “{title}” is closed: the "
                 "collective did not adopt the evaluation (for {a}, against {r}, abstain {x})."
                 " The office may put a revised evaluation to the vote.", id=n.number,
                 title=n.title, **counts)
    return t("The vote on dossier no. {id} “{title}” is closed: {outcome} (approve {a}, do "
             "not approve {r}, re-prepare {p}, abstain {x}).", id=n.number, title=n.title,
             outcome=n.outcome(e.outcome), a=tally.approve, r=tally.reject,
             p=tally.re_prepare, x=tally.abstain)


@renders(BallotCancelled)
def _ballot_cancelled(e: BallotCancelled, n: Notice) -> str:
    return n.news()  # the withdrawal's own message says why


@renders(DecisionMade)
def _decided(e: DecisionMade, n: Notice) -> str:
    t = n.t
    if n.role is Role.PROPOSER:
        if e.by_head:
            return t("The head decided on your plan “{title}”: {outcome}. The written answer "
                     "will follow.", title=n.title, outcome=n.outcome(e.outcome))
        return t("The decision on your plan “{title}”: {outcome}. The written answer will "
                 "follow.", title=n.title, outcome=n.outcome(e.outcome))
    return t("Dossier no. {id} “{title}” was decided: {outcome}. Please send the written "
             "answer to {proposer}.", id=n.number, title=n.title,
             outcome=n.outcome(e.outcome), proposer=n.proposer)


@renders(WrittenAnswerSent)
def _answer_sent(e: WrittenAnswerSent, n: Notice) -> str:
    return n.t("The written answer {reference} on your plan “{title}” has been sent: "
               "{outcome}.", reference=e.reference, title=n.title,
               outcome=n.outcome(e.outcome))


# Duties ------------------------------------------------------------------------------


def _duty(t: Translator, kind: ObligationKind) -> str:
    return t(OBLIGATION_LABELS[kind])


@renders(ObligationCreated)
def _obligation_created(e: ObligationCreated, n: Notice) -> str:
    if e.kind in DECIDED:
        return n.t("Dossier no. {id} “{title}”: a duty to {duty} has been recorded; it is "
                   "shown on the dossier until it is decided.", id=n.number, title=n.title,
                   duty=_duty(n.t, e.kind))
    return n.t("Dossier no. {id} “{title}”: a duty to {duty} has been recorded; it is shown "
               "on the dossier until it is marked done.", id=n.number, title=n.title,
               duty=_duty(n.t, e.kind))


@renders(ObligationFulfilled)
def _obligation_fulfilled(e: ObligationFulfilled, n: Notice) -> str:
    t, reference = n.t, e.reference or ""
    if n.role is Role.PROPOSER:
        if e.kind is ObligationKind.SEND_NOT_FEASIBLE_NOTICE:
            return t("The written notice {reference} on your plan “{title}” has been sent.",
                     reference=reference, title=n.title)
        return t("Your plan “{title}” was reported in writing to the competent level "
                 "({reference}).", title=n.title, reference=reference)
    return t("Dossier no. {id} “{title}”: the duty to {duty} is done ({reference}).",
             id=n.number, title=n.title, duty=_duty(t, e.kind), reference=reference)


# After approval ----------------------------------------------------------------------


@renders(ImplementationStarted)
def _started(e: ImplementationStarted, n: Notice) -> str:
    return n.t("{proposer} has started implementing dossier no. {id} “{title}”.",
               proposer=n.proposer, id=n.number, title=n.title)


@renders(ProgressReported)
def _progress(e: ProgressReported, n: Notice) -> str:
    return n.t("Progress report from {proposer} on dossier no. {id} “{title}”: {summary}",
               proposer=n.proposer, id=n.number, title=n.title, summary=e.summary)


@renders(IncidentReported)
def _incident(e: IncidentReported, n: Notice) -> str:
    t = n.t
    if n.role is Role.PROPOSER:
        return t("The risk or error reported on your plan “{title}” has reached {office}: "
                 "{summary}", title=n.title, office=n.office, summary=e.summary)
    return t("A risk or error was reported on dossier no. {id} “{title}”: {summary}\nThe "
             "collective that approved the plan must report it to its direct superior at "
             "once.", id=n.number, title=n.title, summary=e.summary)


@renders(ProtectionRequested)
def _protection(e: ProtectionRequested, n: Notice) -> str:
    return n.t("{proposer} asks for protection on dossier no. {id} “{title}”: {summary}",
               proposer=n.proposer, id=n.number, title=n.title, summary=e.summary)


@renders(ProtectionDecided)
def _protection_decided(e: ProtectionDecided, n: Notice) -> str:
    t = n.t
    try:
        outcome = t(PROTECTION_OUTCOME_LABELS[ProtectionOutcome(e.outcome)])
    except ValueError:
        outcome = "…"
    if n.role is Role.PROPOSER:
        return t("The committee has decided on your request for protection (plan “{title}”): "
                 "{outcome}.\n{measures}", title=n.title, outcome=outcome, measures=e.measures)
    return t("Dossier no. {id} “{title}”: the protection request of {proposer} is decided: "
             "{outcome}.\n{measures}", id=n.number, title=n.title, proposer=n.proposer,
             outcome=outcome, measures=e.measures)


@renders(IncidentVerified)
def _incident_verified(e: IncidentVerified, n: Notice) -> str:
    t = n.t
    superior = n.names.body(n.dossier, n.dossier.route.escalation_to)
    if n.role is Role.PROPOSER:
        return t("{superior} has verified the risk or error reported on your plan “{title}” "
                 "and concluded: {conclusion}", superior=superior, title=n.title,
                 conclusion=e.conclusion)
    return t("Dossier no. {id} “{title}”: {superior} has verified the reported risk or error "
             "and concluded: {conclusion}\nThe committee decides the protection it calls for.",
             id=n.number, title=n.title, superior=superior, conclusion=e.conclusion)


@renders(DocumentRecorded)
def _document_recorded(e: DocumentRecorded, n: Notice) -> str:
    if n.role is Role.PROPOSER:  # only the decision on the cadre's protection reaches them
        bare = e.reference.removeprefix("Số: ").removeprefix("Số ")  # "Số 7-TB/ĐU"
        return n.t("The notice {reference} of the decision on your request for protection "
                   "(plan “{title}”) is signed; here it is.", reference=bare, title=n.title)
    return n.t("Dossier no. {id} “{title}”: the document {reference} is recorded.",
               id=n.number, title=n.title, reference=e.reference)


@renders(CompletionReported)
def _completed(e: CompletionReported, n: Notice) -> str:
    return n.t("{proposer} reports the completion of dossier no. {id} “{title}”: {summary}\n"
               "The collective should now evaluate the results.", proposer=n.proposer,
               id=n.number, title=n.title, summary=e.summary)


@renders(EvaluationRecorded)
def _evaluated(e: EvaluationRecorded, n: Notice) -> str:
    t = n.t
    forms = "; ".join(t(ENCOURAGEMENT_LABELS[EncouragementForm(f)])
                      for f in e.forms if f in FORM_VALUES) or t("none")
    verdict = t("real results") if e.effective else t("no real results")
    if n.role is not Role.PROPOSER:
        text = t("The collective's evaluation of dossier no. {id} “{title}” from {proposer} "
                 "is adopted: {verdict}. Encouragement: {forms}. {summary}", id=n.number,
                 title=n.title, proposer=n.proposer, verdict=verdict, forms=forms,
                 summary=e.summary)
    else:
        text = t("The collective evaluated your plan “{title}”: {verdict}. Encouragement: "
                 "{forms}. {summary}", title=n.title, verdict=verdict, forms=forms,
                 summary=e.summary)
    if e.proposed_upward:
        text = "\n".join([text, t("Forms beyond the collective's authority are proposed to "
                                  "the competent higher level.")])
    return text


@renders(EmergencyReported)
def _emergency(e: EmergencyReported, n: Notice) -> str:
    return n.t("{proposer} reports an emergency action taken without a plan (dossier no. "
               "{id}): {summary}\nThe collective must discuss, evaluate and conclude.",
               proposer=n.proposer, id=n.number, summary=e.summary)


@renders(EmergencyConcluded)
def _emergency_concluded(e: EmergencyConcluded, n: Notice) -> str:
    return n.t("The collective's conclusion on your emergency report “{title}”: "
               "{conclusion}", title=n.title, conclusion=e.conclusion)


@renders(ResultsPublished)
def _published(e: ResultsPublished, n: Notice) -> str:
    if n.role is Role.PROPOSER:
        return n.t("The committee has made public the results of your plan “{title}” and the "
                   "encouragement decided.", title=n.title)
    return n.t("The results of dossier no. {id} “{title}” are now published.", id=n.number,
               title=n.title)


@renders(PublicationWithdrawn)
def _publication_withdrawn(e: PublicationWithdrawn, n: Notice) -> str:
    return n.t("The committee has withdrawn the published results of your plan “{title}”.",
               title=n.title)


# The end of a dossier ----------------------------------------------------------------


@renders(DossierClosed)
def _closed(e: DossierClosed, n: Notice) -> str:
    if e.reason == "not_feasible":
        return n.t("Your dossier “{title}” is closed.", title=n.title)
    return n.news()


@renders(DossierWithdrawn)
def _withdrawn(e: DossierWithdrawn, n: Notice) -> str:
    return n.t("Dossier no. {id} “{title}” was withdrawn by the proposer.", id=n.number,
               title=n.title)
