"""The other documents of a dossier: reports upwards after an override or an incident,
the report to the issuer of an unsuited regulation, the cell's proposal, the vote's
minutes and resolution, and the evaluation's conclusion; and ``compose``, which picks
the drafter for a kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import tzinfo

from handlers.context import Services
from handlers.drafting import (
    Context,
    Edits,
    _document,
    _received,
    answer,
    collective_signature,
    context,
    escalation_report,
    head_signature,
    not_feasible_notice,
    office_file,
    own_body,
)
from handlers.drafting_protection import protection_decision
from workflow.documents import DocumentKind, OfficialDocument, Signature
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier
from workflow.obligations import Obligation
from workflow.service_kit import deciding_body
from workflow.voting import CHOICE_LABELS, OUTCOME_LABELS, Ballot, Outcome


async def override_report(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 4 khoản 3 b: the head who decided alone reports to the superior at once."""
    t, dossier = ctx.t, ctx.dossier
    route = dossier.route
    head = await ctx.head(route.head)
    decision = dossier.decision
    superior = ctx.body(route.escalation_to)
    content = own_body(edits, [
        t("The collective ({body}) considered the plan and did not reach consensus.",
          body=ctx.body(route.decision_bodies[0])),
        t("Under 887-QĐ/TU Điều 4 khoản 3 b, the head decided, on their own responsibility, "
          "that the plan may be implemented as a pilot."),
        t("The head's reasons: {reasons}",
          reasons=decision.reasoning if decision and decision.reasoning else "…")])
    return _document(
        DocumentKind.OVERRIDE_REPORT, head, title="BÁO CÁO",
        summary=t("on the head's decision on the plan “{title}”", title=ctx.title()),
        addressees=(t("To: {target}", target=superior),),
        paragraphs=[_received(ctx, ctx.body(route.competent_body)), *content],
        signature=head_signature(), recipients=[t("As above"), office_file(ctx)])


async def incident_report(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 6 khoản 2 c: the collective that approved reports a risk or error."""
    t, dossier = ctx.t, ctx.dossier
    issuing = deciding_body(dossier)
    head = await ctx.head(issuing)
    incidents = [r for r in dossier.reports if r.kind == "incident"]
    what = incidents[-1].summary if incidents else "…"
    superior = ctx.body(dossier.route.escalation_to)
    content = own_body(edits, [
        t("{body} approved the plan “{title}” of comrade {name} for implementation as a "
          "pilot.", body=ctx.body(issuing), title=ctx.title(),
          name=ctx.person(dossier.proposer)),
        t("During implementation a risk or error arose: {what}", what=what),
        t("{body} respectfully reports it to {target} and proposes the measures to take.",
          body=ctx.body(issuing), target=superior)])
    return _document(
        DocumentKind.INCIDENT_REPORT, head, title="BÁO CÁO",
        summary=t("on a risk or error in implementing the plan “{title}”", title=ctx.title()),
        addressees=(t("To: {target}", target=superior),), paragraphs=content,
        signature=collective_signature(ctx, issuing, head),
        recipients=[t("As above"), office_file(ctx)])


async def regulation_report(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 4 khoản 5: tell the issuer of a regulation unsuited to practice."""
    t, dossier = ctx.t, ctx.dossier
    plan = dossier.plan
    issuing = deciding_body(dossier)
    head = await ctx.head(issuing)
    issuer = plan.regulation_issuer.strip() or "…"
    content = own_body(edits, [
        t("{body} approved the plan “{title}” of comrade {name}, which addresses a matter "
          "where the regulation in force is not suited to practice.", body=ctx.body(issuing),
          title=ctx.title(), name=ctx.person(dossier.proposer)),
        t("The regulation: {regulation}", regulation=plan.regulation.strip() or "…"),
        t("What does not suit practice: {problem}", problem=plan.problem.strip() or "…"),
        t("{body} respectfully reports this so that the issuing body may consider amending "
          "or supplementing it.", body=ctx.body(issuing))])
    return _document(
        DocumentKind.REGULATION_REPORT, head, title="BÁO CÁO",
        summary=t("on a regulation not suited to practice (plan “{title}”)", title=ctx.title()),
        addressees=(t("To: {target}", target=issuer),), paragraphs=content,
        signature=collective_signature(ctx, issuing, head),
        recipients=[t("As above"), office_file(ctx)])


async def cell_proposal(ctx: Context, edits: Edits) -> OfficialDocument:
    """The cell's written proposal that travels with the plan (seed 000, footnote 2)."""
    t, dossier = ctx.t, ctx.dossier
    route = dossier.route
    cell = route.preliminary_review or route.via
    head = await ctx.head(cell)
    target = ctx.body(route.competent_body)
    content = own_body(edits, [
        t("The party cell has reviewed the plan “{title}” of comrade {name}, {post}.",
          title=ctx.title(), name=ctx.person(dossier.proposer),
          post=ctx.post(dossier.proposer) or "…"),
        t("Problem addressed: {problem}", problem=dossier.plan.problem.strip() or "…"),
        t("Expected results: {results}", results=dossier.plan.expected_results.strip() or "…"),
        t("The party cell agrees with the plan and respectfully proposes that {body} "
          "consider it and decide.", body=target)])
    return _document(
        DocumentKind.CELL_PROPOSAL, head, title="TỜ TRÌNH",
        summary=t("proposing consideration of the plan “{title}”", title=ctx.title()),
        addressees=(t("To: {target}", target=target),), paragraphs=content,
        signature=Signature(f"T/M {head.collective}" if head.collective else "", "BÍ THƯ"),
        recipients=[t("As above"), ctx.body(route.via), t("File: the party cell")])


def _tally_line(ctx: Context, ballot: Ballot) -> str:
    tally = ballot.tally()
    return ctx.t("Members: {members}; voted: {voted}; approve {approve}, reject {reject}, "
                 "re-prepare {again}, abstain {abstain}.", members=len(ballot.voters.members),
                 voted=len(ballot.votes), approve=tally.approve, reject=tally.reject,
                 again=tally.re_prepare, abstain=tally.abstain)


async def vote_minutes(ctx: Context, edits: Edits, ballot: Ballot, zone: tzinfo | None
                       ) -> OfficialDocument:
    """The count of a ballot: who voted how and when, comments, who did not vote."""
    t = ctx.t
    head = await ctx.head(ballot.body)
    names = {p: ctx.person(p) for p in ballot.voters.members}

    def when(at: object) -> str:
        return at.astimezone(zone).strftime("%H:%M %d/%m/%Y") if hasattr(at, "astimezone") \
            else "…"

    rows = [(t("No."), t("Full name"), t("Vote"), t("Time"), t("Comment"))]
    for index, person in enumerate(sorted(ballot.votes, key=lambda p: names.get(p, p)), 1):
        vote = ballot.votes[person]
        rows.append((str(index), names.get(person, person), t(CHOICE_LABELS[vote.choice]),
                     when(vote.at), vote.comment))
    absent = sorted(names.get(p, p) for p in ballot.voters.voters - ballot.votes.keys())
    content = [
        t("The vote of {body} on the plan “{title}” opened at {opened} and closed at "
          "{closed}.", body=ctx.body(ballot.body), title=ctx.title(),
          opened=when(ballot.opened_at), closed=when(ballot.closed_at)),
        _tally_line(ctx, ballot),
        t("Did not vote: {names}.", names=", ".join(absent)) if absent else "",
        t("Result: {outcome}.", outcome=t(_outcome_label(ballot.outcome))),
    ]
    return _document(
        DocumentKind.VOTE_MINUTES, head, title="BIÊN BẢN",
        summary=t("of the vote on the plan “{title}”", title=ctx.title()),
        paragraphs=own_body(edits, content), table=tuple(rows),
        signature=Signature("", "CHỦ TRÌ"), recipients=[office_file(ctx)])


def _outcome_label(outcome: Outcome | None) -> str:
    return OUTCOME_LABELS.get(outcome, "…") if outcome else "…"


async def vote_resolution(ctx: Context, edits: Edits, ballot: Ballot) -> OfficialDocument:
    """The collective's resolution on the plan, from the ballot's result."""
    t, dossier = ctx.t, ctx.dossier
    head = await ctx.head(ballot.body)
    body = ctx.body(ballot.body)
    outcome = ballot.outcome
    decided = {Outcome.APPROVED: t("To approve the plan “{title}” of comrade {name} for "
                                   "implementation as a pilot.", title=ctx.title(),
                                   name=ctx.person(dossier.proposer)),
               Outcome.REJECTED: t("Not to approve the plan “{title}” of comrade {name}.",
                                   title=ctx.title(), name=ctx.person(dossier.proposer)),
               Outcome.RETURNED: t("To ask comrade {name} to re-prepare the plan “{title}”.",
                                   title=ctx.title(), name=ctx.person(dossier.proposer))}
    content = [t("Under Quy định 887-QĐ/TU on encouraging and protecting dynamic and creative "
                 "cadres;"), _tally_line(ctx, ballot), t("{body} RESOLVES:", body=body),
               t("1. {decision}", decision=decided.get(outcome, "…") if outcome else "…"),
               t("2. The office informs the proposer in writing and follows up.")]
    return _document(
        DocumentKind.VOTE_RESOLUTION, head, title="NGHỊ QUYẾT",
        summary=t("on the plan “{title}”", title=ctx.title()),
        paragraphs=own_body(edits, content), signature=collective_signature(ctx, ballot.body, head),
        recipients=[ctx.person(dossier.proposer), office_file(ctx)])


async def evaluation_conclusion(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 5: the collective's conclusion on the results and the encouragement."""
    t, dossier = ctx.t, ctx.dossier
    evaluation = dossier.evaluation or dossier.evaluation_proposal
    issuing = deciding_body(dossier)
    head = await ctx.head(issuing)
    content = [t("{body} has evaluated the results of implementing the plan “{title}” of "
                 "comrade {name}.", body=ctx.body(issuing), title=ctx.title(),
                 name=ctx.person(dossier.proposer))]
    if evaluation is not None:
        content.append(t("Conclusion: the plan was effective.") if evaluation.effective
                       else t("Conclusion: the plan was not effective."))
        content.append(evaluation.summary)
        if evaluation.forms:
            content.append(t("Forms of encouragement:"))
            content += [f"- {t(ENCOURAGEMENT_LABELS[form])}" for form in evaluation.forms]
        if evaluation.proposed_upward:
            content.append(t("A form beyond the collective's authority is proposed to the "
                             "competent level."))
    return _document(
        DocumentKind.EVALUATION_CONCLUSION, head, title="KẾT LUẬN",
        summary=t("on the results of the plan “{title}”", title=ctx.title()),
        paragraphs=own_body(edits, content), signature=collective_signature(ctx, issuing, head),
        recipients=[ctx.person(dossier.proposer), office_file(ctx)])


Drafter = Callable[[Context, Edits], Awaitable[OfficialDocument]]
DRAFTERS: dict[DocumentKind, Drafter] = {
    DocumentKind.ANSWER: answer,
    DocumentKind.NOT_FEASIBLE_NOTICE: not_feasible_notice,
    DocumentKind.ESCALATION_REPORT: escalation_report,
    DocumentKind.OVERRIDE_REPORT: override_report,
    DocumentKind.INCIDENT_REPORT: incident_report,
    DocumentKind.REGULATION_REPORT: regulation_report,
    DocumentKind.CELL_PROPOSAL: cell_proposal,
    DocumentKind.EVALUATION_CONCLUSION: evaluation_conclusion,
}


async def compose(services: Services, dossier: Dossier, kind: DocumentKind,
                  edits: Edits | None = None, ballot: Ballot | None = None,
                  duty: Obligation | None = None) -> OfficialDocument:
    """The draft of ``kind`` for ``dossier`` (a ballot's minutes or resolution need it,
    the decision on a protection request its duty)."""
    edits = edits or Edits()
    ctx = await context(services, dossier)
    if kind is DocumentKind.PROTECTION_DECISION:
        if duty is None:
            raise ValueError(f"{kind} needs its duty")
        return await protection_decision(ctx, edits, duty)
    if kind in (DocumentKind.VOTE_MINUTES, DocumentKind.VOTE_RESOLUTION):
        if ballot is None:
            raise ValueError(f"{kind} needs its ballot")
        ctx.people.update({p: i for p in ballot.voters.members
                           if (i := await services.directory.person(p)) is not None})
        if kind is DocumentKind.VOTE_MINUTES:
            return await vote_minutes(ctx, edits, ballot, services.clock.now().tzinfo)
        return await vote_resolution(ctx, edits, ballot)
    return await DRAFTERS[kind](ctx, edits)
