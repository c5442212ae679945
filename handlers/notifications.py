"""Notifications: an outbox payload rendered for its recipient, in their language.

The outbox row says what happened (the event's name and fields) and to whom (the
recipient: a person, or a role on a body). The text is written here, when it is sent,
in the reader's language; the buttons are those of the dossier as it stands *now*
for the reader's roles (``desk_view``), so a message rendered after the dossier
moved on never offers a step that no longer applies. Pressing one is re-checked anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from handlers import system_notices
from handlers.context import Services
from handlers.drafting_more import compose
from handlers.flows.desk_view import buttons, describe
from handlers.flows.desk_vote import lines_for
from handlers.flows.dossier_view import Names, notice_names, shorten, title_of
from handlers.flows.papers import draft_action
from handlers.i18n import Translator
from handlers.messages import Attachment, Button, Reply, reply_from_json
from handlers.paper_files import as_attachment, recorded_attachment
from handlers.ports import PersonInfo
from handlers.reminder_notices import render as render_reminder
from workflow.actors import Role
from workflow.conflicts import acting_roles
from workflow.documents import DocumentKind
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier, EncouragementForm
from workflow.lifecycle import EDITABLE, State
from workflow.obligations import OBLIGATION_LABELS, ObligationKind
from workflow.voting import EVALUATION, OUTCOME_LABELS, Outcome

FORM_VALUES = frozenset(f.value for f in EncouragementForm)


async def render(services: Services, person: PersonInfo, payload: Mapping[str, Any]) -> Reply:
    """The message for ``person`` about one outbox payload."""
    if "reminder" in payload:  # from the reminder dispatcher (storage.dispatcher)
        return await render_reminder(services, person, payload)
    if "notice" in payload:
        return await system_notices.render(services, person, payload)
    if "reply" in payload:  # an answer kept after its platform refused it (bot.runner)
        return reply_from_json(dict(payload["reply"]))
    t = Translator(person.language)
    event = str(payload.get("event", ""))
    data: dict[str, Any] = dict(payload.get("data") or {})
    recipient: dict[str, Any] = dict(payload.get("recipient") or {})
    ballot = None
    async with services.uow() as uow:  # read only
        dossier = await uow.dossiers.get(int(data.get("dossier_id") or 0))
        if event == "BallotClosed":
            ballot = await uow.ballots.get(int(data.get("ballot_id") or 0))
            if ballot is not None and "purpose" not in data:  # an evaluation has its words
                data["purpose"] = ballot.purpose
    if dossier is None:
        return Reply(t("An update about a dossier that no longer exists."))
    names = await notice_names(services, dossier, person.language)
    text = _text(event, data, recipient, dossier, names, t, services.clock.now().tzinfo)
    if event == "BallotClosed" and recipient.get("role") in (Role.OFFICE, Role.HEAD):
        # The members' comments come with the result for those who act on it.
        comments = await lines_for(services.directory, t, list(data.get("comments") or []))
        text = "\n".join([text, *comments])
    files: tuple[Attachment, ...] = ()
    minutes: tuple[Button, ...] = ()
    if event == "BallotClosed" and recipient.get("role") == Role.OFFICE and ballot is not None:
        # The minutes of the count, drafted at the close, for the office to number and sign.
        draft = await compose(services, dossier, DocumentKind.VOTE_MINUTES, ballot=ballot)
        files = (as_attachment(services, draft, dossier.id, t),)
        minutes = (Button(t("Number and sign the minutes"),
                          draft_action(dossier, DocumentKind.VOTE_MINUTES, ballot.id)),)
    if data.get("document_id") and event in ("WrittenAnswerSent", "ObligationFulfilled"):
        # The document itself, as recorded: its file, and its text to read on the phone.
        async with services.uow() as uow:
            record = await uow.documents.get(int(data["document_id"]))
            content = await uow.documents.content(record.id) if record else None
        if record is not None and content is not None:
            text = "\n\n".join([text, record.text])
            files = (recorded_attachment(record.file_name, content, t),)
    actor = await services.directory.actor(person.id)
    roles = dossier.roles_of(actor)
    keys: list[tuple[Button, ...]] = list(buttons(dossier, acting_roles(dossier, actor), t))
    if minutes:
        keys.insert(0, minutes)
    if Role.PROPOSER in roles and recipient.get("role") not in (None, Role.PROPOSER):
        text = "\n\n".join([text, t("You are one of the proposers of this plan, so you do "
                                    "not act on it in another role (conflict of interest): "
                                    "another person holding that role must.")])
    if Role.PROPOSER in roles and dossier.state in EDITABLE and dossier.state is not State.DRAFT:
        text = "\n\n".join([text, t("To revise the plan and send it again, send /draft.")])
    if Role.PROPOSER in roles:
        keys.append((Button(t("Open my dossier"), f"d:v:{dossier.id}"),))
    elif roles:
        keys.append((Button(t("Open the dossier"), f"k:v:{dossier.id}"),))
    return Reply(text, tuple(keys), files=files)


def _date(t: Translator, value: Any) -> str:
    if isinstance(value, str):
        try:
            return t.date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value or "")


def _time(value: Any, zone: tzinfo | None) -> str:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(zone).strftime("%H:%M %d/%m/%Y")
        except ValueError:
            return value
    return ""


def _outcome(t: Translator, value: Any) -> str:
    try:
        return t(OUTCOME_LABELS[Outcome(value)])
    except ValueError:
        return str(value or "")


def _text(event: str, data: dict[str, Any], recipient: dict[str, Any], dossier: Dossier,
          names: Names, t: Translator, zone: tzinfo | None) -> str:
    """What happened, said to this reader (the proposer is spoken to as "your plan")."""
    title = shorten(title_of(dossier, t), 120)
    number = dossier.id
    proposer = names.person(dossier.proposer)
    role = recipient.get("role")
    route = dossier.route
    if event == "DossierSubmitted" and role == Role.CELL_SECRETARY.value:
        plan = dossier.plan
        return t("Dossier no. {id} “{title}” from {proposer} awaits the opinion of the party "
                 "cell.\nProblem: {problem}\nProposed approach: {approach}\n\nDoes the cell "
                 "agree to send it up, or should it go back to the proposer with reasons?",
                 id=number, title=title, proposer=proposer,
                 problem=shorten(plan.problem, 300), approach=shorten(plan.approach, 300))
    if event == "DossierSubmitted":
        return t("Dossier no. {id} “{title}” from {proposer} has arrived at {office}. Please "
                 "register it (this starts the {days}-working-day clock) or return it for "
                 "completion.", id=number, title=title, proposer=proposer,
                 office=names.body(dossier, route.via), days=dossier.deadline_days("answer", 30))
    if event == "InformationCopyDue" and role == Role.PROPOSER.value:
        return t("Your plan “{title}” must also be reported to {body} for information; the "
                 "office has been told.", title=title,
                 body=names.body(dossier, str(data.get("route_body", ""))))
    if event == "InformationCopyDue":
        return t("For your information: {proposer} has sent the plan “{title}” (dossier no. "
                 "{id}) to {office}.", proposer=proposer, title=title, id=number,
                 office=names.body(dossier, route.via))
    if event == "CellAgreed":
        return t("The party cell agreed to your plan “{title}”; the dossier has gone to {office}.",
                 title=title, office=names.body(dossier, route.via))
    if event == "CellReturned":
        return t("The party cell returned your plan “{title}”. Reasons: {reason}\nPlease revise "
                 "it and send it again.", title=title, reason=data.get("reason", ""))
    if event == "DossierRegistered":
        due = t.date(dossier.due_on) if dossier.due_on else ""
        return t("Your dossier “{title}” was registered as no. {number} on {received}. The "
                 "written answer is due by {due}.", title=title,
                 number=data.get("registration_number", ""),
                 received=_date(t, data.get("received_on")), due=due)
    if event == "DeadlineSet":
        return t("Dossier no. {id} “{title}”: the written answer is due by {due} ({days} "
                 "working days from receipt on {received}).", id=number, title=title,
                 due=_date(t, data.get("due_on")), days=data.get("working_days", ""),
                 received=_date(t, data.get("received_on")))
    if event == "ReturnedForCompletion":
        missing = "; ".join([*data.get("missing", []), data.get("note", "")]).strip("; ")
        return t("Your dossier “{title}” was returned for completion: {missing}\nPlease complete "
                 "it and send it again.", title=title, missing=missing)
    if event == "MarkedComplex":
        due = t.date(dossier.due_on) if dossier.due_on else ""
        return t("Your dossier “{title}” was marked as a difficult, complex matter (reason: "
                 "{reason}); the written answer is due by {due}.", title=title,
                 reason=data.get("reason", ""), due=due)
    if event == "DossierForwarded":
        return t("Dossier no. {id} “{title}” is beyond the authority of {body} and was "
                 "forwarded to the competent level. Proposed solution: {solution}", id=number,
                 title=title, body=names.body(dossier, route.competent_body),
                 solution=data.get("proposed_solution", ""))
    if event == "AppraisalAssigned":
        text = t("You are asked to appraise dossier no. {id} “{title}” from {proposer}.\n"
                 "Problem: {problem}\nProposed approach: {approach}\nRisks: {risks}",
                 id=number, title=title, proposer=proposer,
                 problem=shorten(dossier.plan.problem, 300),
                 approach=shorten(dossier.plan.approach, 300),
                 risks=shorten(dossier.plan.risks, 300))
        if data.get("council"):
            text = "\n".join([text, t("You sit on the appraisal council of this plan.")])
        if data.get("due_on"):
            text = "\n".join([text, t("The appraisal is due by {due}.",
                                      due=_date(t, data.get("due_on")))])
        return text
    if event == "AppraisalFiled":
        verdict = t("feasible") if data.get("feasible") else t("not feasible")
        return t("The appraisal of dossier no. {id} “{title}” is filed: {verdict}. Findings: "
                 "{summary}", id=number, title=title, verdict=verdict,
                 summary=data.get("summary", ""))
    if event == "WrittenNoticeRequired" and role == Role.PROPOSER.value:
        return t("The appraisal found your plan “{title}” not feasible or not effective: "
                 "{reason}\nThe dossier is closed; you will receive the written notice.",
                 title=title, reason=data.get("reason", ""))
    if event == "WrittenNoticeRequired":
        return t("Dossier no. {id} “{title}” was appraised as not feasible: a written notice "
                 "must be sent to {proposer}.", id=number, title=title, proposer=proposer)
    if event == "LegalReviewAssigned":
        text = t("You are asked for the legal-risk review of dossier no. {id} “{title}”.",
                 id=number, title=title)
        if data.get("due_on"):
            text = "\n".join([text, t("The legal-risk advice is due by {due}.",
                                      due=_date(t, data.get("due_on")))])
        return text
    if event == "LegalReviewFiled":
        return t("The legal-risk review of dossier no. {id} “{title}” is filed: {summary}",
                 id=number, title=title, summary=data.get("summary", ""))
    if event == "BallotOpened" and data.get("purpose") == EVALUATION:
        closes = _time(data.get("closes_at"), zone) or "-"
        if role != Role.MEMBER.value:
            return t("The collective is evaluating the results of your plan “{title}” (vote "
                     "until {closes}).", title=title, closes=closes)
        # Read after the vote closed, the proposal is the evaluation it became (if adopted).
        proposal = dossier.evaluation_proposal or dossier.evaluation
        return t("Please vote on the evaluation of dossier no. {id} “{title}” from {proposer} "
                 "(until {closes}). The office proposes: {evaluation}.\nEvaluation: "
                 "{summary}\nCompletion report: {report}\n\nApprove the proposal or not; you "
                 "may add a comment to your vote.", id=number, title=title, proposer=proposer,
                 closes=closes, evaluation=describe(t, proposal) if proposal else "-",
                 summary=shorten(proposal.summary, 300) if proposal else "-",
                 report=shorten(next((r.summary for r in reversed(dossier.reports)
                                      if r.kind == "completion"), "-"), 300))
    if event == "BallotOpened" and role == Role.MEMBER.value:
        appraisal = dossier.appraisal.summary if dossier.appraisal else t("none")
        return t("Please vote on dossier no. {id} “{title}” from {proposer} (until {closes}).\n"
                 "Problem: {problem}\nProposed approach: {approach}\nAppraisal: {appraisal}\n\n"
                 "You may change your vote until the vote closes.", id=number, title=title,
                 proposer=proposer, closes=_time(data.get("closes_at"), zone) or "-",
                 problem=shorten(dossier.plan.problem, 300),
                 approach=shorten(dossier.plan.approach, 300), appraisal=shorten(appraisal, 300))
    if event == "BallotOpened":
        return t("The vote on your plan “{title}” has opened (until {closes}).", title=title,
                 closes=_time(data.get("closes_at"), zone) or "-")
    if event == "BallotClosed" and data.get("outcome") == Outcome.QUORUM_NOT_MET \
            and data.get("head_missing"):
        return t("The vote on dossier no. {id} “{title}” closed without the head's vote: the "
                 "head chairs the leadership collective, so nothing was decided. The office "
                 "may open the vote again.", id=number, title=title)
    if event == "BallotClosed" and data.get("outcome") == Outcome.QUORUM_NOT_MET:
        cast = sum(int(v) for v in (data.get("tally") or {}).values())
        if role in (Role.OFFICE, Role.HEAD):
            return t("The vote on dossier no. {id} “{title}” closed without its quorum: {cast} "
                     "of the {needed} votes required ({base} counted members) were cast, so "
                     "nothing was decided. Please open the vote again with a new closing time "
                     "(the members who did not vote will be reminded), or forward the dossier "
                     "if it is beyond authority.", id=number, title=title, cast=cast,
                     needed=data.get("needed", 0), base=data.get("base", 0))
        return t("The vote on dossier no. {id} “{title}” closed without its quorum ({cast} of "
                 "the {needed} votes required): nothing was decided, and the office may open "
                 "the vote again.", id=number, title=title, cast=cast,
                 needed=data.get("needed", 0))
    if event == "BallotClosed" and data.get("purpose") == EVALUATION:
        # 887 Điều 5: the collective adopts the evaluation or not; no re-preparation.
        tally = data.get("tally") or {}
        counts = dict(a=tally.get("approve", 0), r=tally.get("reject", 0),
                      x=tally.get("abstain", 0))
        if data.get("outcome") == Outcome.APPROVED:
            return t("The vote on the evaluation of dossier no. {id} “{title}” is closed: the "
                     "collective adopted the evaluation (for {a}, against {r}, abstain {x}).",
                     id=number, title=title, **counts)
        return t("The vote on the evaluation of dossier no. {id} “{title}” is closed: the "
                 "collective did not adopt the evaluation (for {a}, against {r}, abstain {x})."
                 " The office may put a revised evaluation to the vote.", id=number,
                 title=title, **counts)
    if event == "BallotClosed":
        tally = data.get("tally") or {}
        return t("The vote on dossier no. {id} “{title}” is closed: {outcome} (approve {a}, do "
                 "not approve {r}, re-prepare {p}, abstain {x}).", id=number, title=title,
                 outcome=_outcome(t, data.get("outcome")), a=tally.get("approve", 0),
                 r=tally.get("reject", 0), p=tally.get("re_prepare", 0),
                 x=tally.get("abstain", 0))
    if event == "DecisionMade" and role == Role.PROPOSER.value:
        if data.get("by_head"):
            return t("The head decided on your plan “{title}”: {outcome}. The written answer "
                     "will follow.", title=title, outcome=_outcome(t, data.get("outcome")))
        return t("The decision on your plan “{title}”: {outcome}. The written answer will "
                 "follow.", title=title, outcome=_outcome(t, data.get("outcome")))
    if event == "DecisionMade":
        return t("Dossier no. {id} “{title}” was decided: {outcome}. Please send the written "
                 "answer to {proposer}.", id=number, title=title,
                 outcome=_outcome(t, data.get("outcome")), proposer=proposer)
    if event == "WrittenAnswerSent":
        return t("The written answer {reference} on your plan “{title}” has been sent: "
                 "{outcome}.", reference=data.get("reference", ""), title=title,
                 outcome=_outcome(t, data.get("outcome")))
    if event == "ObligationFulfilled" and role == Role.PROPOSER.value:
        if data.get("kind") == ObligationKind.SEND_NOT_FEASIBLE_NOTICE:
            return t("The written notice {reference} on your plan “{title}” has been sent.",
                     reference=data.get("reference") or "", title=title)
        return t("Your plan “{title}” was reported in writing to the competent level "
                 "({reference}).", title=title, reference=data.get("reference") or "")
    if event in ("ObligationCreated", "ObligationFulfilled"):
        try:
            duty = t(OBLIGATION_LABELS[ObligationKind(str(data.get("kind", "")))])
        except ValueError:
            duty = str(data.get("kind", ""))
        if event == "ObligationFulfilled":
            return t("Dossier no. {id} “{title}”: the duty to {duty} is done ({reference}).",
                     id=number, title=title, duty=duty, reference=data.get("reference") or "")
        return t("Dossier no. {id} “{title}”: a duty to {duty} has been recorded; it is shown "
                 "on the dossier until it is marked done.", id=number, title=title, duty=duty)
    if event == "ImplementationStarted":
        return t("{proposer} has started implementing dossier no. {id} “{title}”.",
                 proposer=proposer, id=number, title=title)
    if event == "ProgressReported":
        return t("Progress report from {proposer} on dossier no. {id} “{title}”: {summary}",
                 proposer=proposer, id=number, title=title, summary=data.get("summary", ""))
    if event == "IncidentReported" and role == Role.PROPOSER.value:
        return t("The risk or error reported on your plan “{title}” has reached {office}: "
                 "{summary}", title=title, office=names.body(dossier, route.via),
                 summary=data.get("summary", ""))
    if event == "IncidentReported":
        return t("A risk or error was reported on dossier no. {id} “{title}”: {summary}\nThe "
                 "collective that approved the plan must report it to its direct superior at "
                 "once.", id=number, title=title, summary=data.get("summary", ""))
    if event == "ProtectionRequested":
        return t("{proposer} asks for protection on dossier no. {id} “{title}”: {summary}",
                 proposer=proposer, id=number, title=title, summary=data.get("summary", ""))
    if event == "CompletionReported":
        return t("{proposer} reports the completion of dossier no. {id} “{title}”: {summary}\n"
                 "The collective should now evaluate the results.", proposer=proposer,
                 id=number, title=title, summary=data.get("summary", ""))
    if event == "EvaluationRecorded":
        forms = "; ".join(t(ENCOURAGEMENT_LABELS[EncouragementForm(f)])
                          for f in data.get("forms", []) if f in FORM_VALUES) or t("none")
        verdict = t("real results") if data.get("effective") else t("no real results")
        text = t("The collective evaluated your plan “{title}”: {verdict}. Encouragement: "
                 "{forms}. {summary}", title=title, verdict=verdict, forms=forms,
                 summary=data.get("summary", ""))
        if role != Role.PROPOSER.value:
            text = t("The collective's evaluation of dossier no. {id} “{title}” from {proposer} "
                     "is adopted: {verdict}. Encouragement: {forms}. {summary}", id=number,
                     title=title, proposer=proposer, verdict=verdict, forms=forms,
                     summary=data.get("summary", ""))
        if data.get("proposed_upward"):
            text = "\n".join([text, t("Forms beyond the collective's authority are proposed to "
                                      "the competent higher level.")])
        return text
    if event == "EmergencyReported":
        return t("{proposer} reports an emergency action taken without a plan (dossier no. "
                 "{id}): {summary}\nThe collective must discuss, evaluate and conclude.",
                 proposer=proposer, id=number, summary=data.get("summary", ""))
    if event == "EmergencyConcluded":
        return t("The collective's conclusion on your emergency report “{title}”: "
                 "{conclusion}", title=title, conclusion=data.get("conclusion", ""))
    if event == "DossierClosed" and data.get("reason") == "not_feasible":
        return t("Your dossier “{title}” is closed.", title=title)
    if event == "DossierWithdrawn":
        return t("Dossier no. {id} “{title}” was withdrawn by the proposer.", id=number,
                 title=title)
    return t("There is news about dossier no. {id} “{title}”.", id=number, title=title)
