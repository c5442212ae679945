"""The documents of a dossier drafted from its record, in the layout an office signs.

The product drafts; a person signs (DOMAIN.md §9). Each document's issuer, signing line
and recipients follow from the route and from who decided: a collective's decision is
signed on its behalf ("T/M BAN THƯỜNG VỤ"), the head's own decision after an override by
the head (BÍ THƯ) with the head's reasons, a deputy signs as PHÓ BÍ THƯ for the collective
or "K/T BÍ THƯ" for the head. Documents are in Vietnamese, the language of the office's
records, whatever language the reader of the chat uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from handlers.context import Services
from handlers.i18n import Translator
from handlers.ports import PersonInfo
from workflow.documents import DocumentKind, Layout, OfficialDocument, Signature
from workflow.dossier import Dossier
from workflow.letterhead import Letterhead, letterhead
from workflow.obligations import ObligationKind
from workflow.service_kit import deciding_body
from workflow.voting import Outcome

DOCUMENT_LANGUAGE = "vi"
# The duty each drafted document fulfils.
FOR_DUTY: dict[ObligationKind, DocumentKind] = {
    ObligationKind.SEND_NOT_FEASIBLE_NOTICE: DocumentKind.NOT_FEASIBLE_NOTICE,
    ObligationKind.REPORT_BEYOND_AUTHORITY: DocumentKind.ESCALATION_REPORT,
    ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR: DocumentKind.OVERRIDE_REPORT,
    ObligationKind.REPORT_INCIDENT_TO_SUPERIOR: DocumentKind.INCIDENT_REPORT,
    ObligationKind.REPORT_TO_REGULATION_ISSUER: DocumentKind.REGULATION_REPORT,
}
_WHERE = re.compile(r"\s+(xã|phường|thị trấn|thị xã|huyện|quận|tỉnh|thành phố)\s.*$",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Edits:
    """What the office changed in a draft before numbering it."""

    conditions: tuple[str, ...] = ()
    body: str = ""  # replaces the drafted content paragraphs when set


@dataclass
class Context:
    services: Services
    dossier: Dossier
    t: Translator
    bodies: dict[str, str] = field(default_factory=dict)  # concrete id -> name
    people: dict[str, PersonInfo] = field(default_factory=dict)

    def body(self, route_body: str | None) -> str:
        if not route_body:
            return ""
        concrete = self.dossier.body(route_body)
        if concrete in self.bodies:
            return self.bodies[concrete]
        try:
            pack = self.services.rulebook.get(self.dossier.pack_id)
            return pack.body(route_body).name.get(DOCUMENT_LANGUAGE)
        except (KeyError, LookupError):
            return concrete

    def person(self, person_id: str) -> str:
        info = self.people.get(person_id)
        return info.name if info else person_id

    def post(self, person_id: str) -> str:
        info = self.people.get(person_id)
        return info.title or "" if info else ""

    def title(self) -> str:
        return self.dossier.plan.title.strip() or self.t("(untitled plan)")

    def day(self, value: date | None) -> str:
        return value.strftime("%d/%m/%Y") if value else "…"

    async def head(self, route_body: str) -> Letterhead:
        line = await self.services.directory.body_line(self.dossier.body(route_body))
        return letterhead(line, self.dossier.pack_id)


async def context(services: Services, dossier: Dossier) -> Context:
    ids = sorted({*dossier.bodies.values(),
                  *([dossier.forwarding.body] if dossier.forwarding else [])})
    bodies = await services.directory.body_names(ids) if ids else {}
    people: dict[str, PersonInfo] = {}
    for person_id in dossier.proposers:
        info = await services.directory.person(person_id)
        if info is not None:
            people[person_id] = info
    return Context(services, dossier, Translator(DOCUMENT_LANGUAGE), bodies, people)


def office_file(ctx: Context) -> str:
    """"Lưu Văn phòng Đảng ủy": the office's copy, its name without the place."""
    office = _WHERE.sub("", ctx.body(ctx.dossier.route.via)) or ctx.body(ctx.dossier.route.via)
    return ctx.t("File: {office}", office=office)


def collective_signature(ctx: Context, route_body: str, head: Letterhead) -> Signature:
    """"T/M BAN THƯỜNG VỤ" or "T/M ĐẢNG ỦY" (the committee's word), signed by the
    secretary."""
    name = ctx.body(route_body).lower()
    if head.layout is Layout.STATE:  # the post signs; who holds it is known at signing
        return Signature("", "THỦ TRƯỞNG CƠ QUAN")
    if name.startswith(("ban thường vụ", "thường trực")):
        # HD 36 knows no signing formula of the standing members: they act for the
        # standing board, and sign on its behalf.
        capacity = "T/M BAN THƯỜNG VỤ"
    else:
        capacity = f"T/M {head.collective}" if head.collective else ""
    return Signature(capacity, "BÍ THƯ")


def head_signature() -> Signature:
    """The head's own decision is signed in the head's name, on nobody's behalf."""
    return Signature("", "BÍ THƯ")


def own_body(edits: Edits, drafted: list[str]) -> list[str]:
    """The office's rewritten body, a paragraph per line, in place of the drafted one."""
    return [p for p in edits.body.split("\n") if p.strip()] if edits.body.strip() else drafted


def _document(kind: DocumentKind, head: Letterhead, *, title: str, summary: str,
              paragraphs: list[str], signature: Signature, recipients: list[str],
              addressees: tuple[str, ...] = (),
              table: tuple[tuple[str, ...], ...] = ()) -> OfficialDocument:
    return OfficialDocument(
        kind=kind, layout=head.layout, superior=head.superior, issuer=head.issuer,
        issuer_code=head.issuer_code, place=head.place, title=title, summary=summary,
        paragraphs=tuple(p for p in paragraphs if p.strip()), signature=signature,
        recipients=tuple(recipients), addressees=addressees, table=table)


def _to_proposer(ctx: Context) -> tuple[str, ...]:
    dossier = ctx.dossier
    post = ctx.post(dossier.proposer)
    who = ctx.person(dossier.proposer)
    return (ctx.t("To: comrade {name}, {post}", name=who, post=post) if post
            else ctx.t("To: comrade {name}", name=who),)


def _received(ctx: Context, issuer: str) -> str:
    dossier = ctx.dossier
    return ctx.t("{body} has received the plan “{title}” of comrade {name} (registration "
                 "no. {number}, received on {received}).", body=issuer, title=ctx.title(),
                 name=ctx.person(dossier.proposer), number=dossier.registration_number or "…",
                 received=ctx.day(dossier.received_on))


def _conditions(ctx: Context, edits: Edits) -> list[str]:
    if not edits.conditions:
        return []
    return [ctx.t("The comrade implements the plan on the following conditions:"),
            *(f"- {c.strip()}" for c in edits.conditions)]


async def answer(ctx: Context, edits: Edits) -> OfficialDocument:
    """The written answer to the proposer (887 Điều 4 khoản 3)."""
    t, dossier = ctx.t, ctx.dossier
    decision = dossier.decision
    by_head = bool(decision and decision.by_head)
    issuing = decision.route_body if decision else dossier.route.competent_body
    head = await ctx.head(issuing)
    body = ctx.body(dossier.route.competent_body if by_head else issuing)
    outcome = decision.outcome if decision else None
    if outcome is Outcome.APPROVED and by_head:
        content = [t("As the collective did not reach consensus, the head decided, on their "
                     "own responsibility, that the plan may be implemented as a pilot, and "
                     "reports this to the direct superior."),
                   t("The head's reasons: {reasons}",
                     reasons=decision.reasoning if decision and decision.reasoning else "…")]
    elif outcome is Outcome.APPROVED:
        content = [t("After appraisal and collective consideration, {body} approves the plan "
                     "for implementation as a pilot.", body=body)]
    elif outcome is Outcome.RETURNED:
        content = [t("After collective consideration, {body} finds that the plan has not been "
                     "prepared thoroughly and asks the comrade to re-prepare it and submit it "
                     "again.", body=body)]
    else:
        content = [t("After collective consideration, {body} does not approve the plan. "
                     "Reasons: {reasons}", body=body, reasons=decision.reasoning
                     if decision and decision.reasoning else "…")]
    content = own_body(edits, content)
    closing = []
    if outcome is Outcome.APPROVED:
        closing = [t("The comrade implements it within the approved content and reports "
                     "progress, and any risk or error, fully and on time.")]
    recipients = [t("As above")]
    if dossier.route.preliminary_review:
        recipients.append(ctx.body(dossier.route.preliminary_review))
    recipients += [ctx.body(b) for b in dossier.route.also_inform]
    if by_head:
        recipients.append(ctx.body(dossier.route.escalation_to))
    recipients.append(office_file(ctx))
    return _document(
        DocumentKind.ANSWER, head, title="",
        summary=t("Re: answer to the plan “{title}”", title=ctx.title()),
        addressees=_to_proposer(ctx),
        paragraphs=[_received(ctx, body), *content,
                    *_conditions(ctx, edits), *closing],
        signature=head_signature() if by_head else collective_signature(ctx, issuing, head),
        recipients=recipients)


async def not_feasible_notice(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 4 khoản 3 a: the appraisal found the plan not feasible."""
    t, dossier = ctx.t, ctx.dossier
    route = dossier.route
    issuing = route.appraisal_assigned_by or route.appraisal_lead or route.competent_body
    head = await ctx.head(issuing)
    reasons = dossier.appraisal.summary if dossier.appraisal else "…"
    content = [t("The appraisal found that the plan is not feasible or not effective. "
                 "Reasons: {reasons}", reasons=reasons),
               t("The plan is therefore not submitted for a decision and the dossier is "
                 "closed.")]
    content = own_body(edits, content)
    return _document(
        DocumentKind.NOT_FEASIBLE_NOTICE, head, title="THÔNG BÁO",
        summary=t("on the appraisal of the plan “{title}”", title=ctx.title()),
        addressees=_to_proposer(ctx), paragraphs=[_received(ctx, ctx.body(issuing)), *content],
        signature=collective_signature(ctx, issuing, head),
        recipients=[t("As above"), office_file(ctx)])


async def escalation_report(ctx: Context, edits: Edits) -> OfficialDocument:
    """887 Điều 4 khoản 2, 3 b: a matter beyond authority reported upwards."""
    t, dossier = ctx.t, ctx.dossier
    issuing = deciding_body(dossier)
    head = await ctx.head(issuing)
    forwarding = dossier.forwarding
    target = (ctx.bodies.get(forwarding.body, forwarding.body) if forwarding
              else ctx.body(dossier.route.escalation_to))
    solution = forwarding.proposed_solution if forwarding else "…"
    content = [t("Having considered it, {body} finds that the matter is beyond its authority "
                 "and respectfully reports it to {target} for a policy decision.",
                 body=ctx.body(issuing), target=target),
               t("Proposed solution: {solution}", solution=solution),
               t("Attached: the plan and its documents.")]
    content = own_body(edits, content)
    recipients = [t("As above")]
    if forwarding and forwarding.skips_level:
        recipients.append(t("{superior} (for information: the request goes beyond a level)",
                            superior=ctx.body(dossier.route.escalation_to)))
    recipients.append(office_file(ctx))
    return _document(
        DocumentKind.ESCALATION_REPORT, head, title="BÁO CÁO",
        summary=t("asking for a policy decision on the plan “{title}”", title=ctx.title()),
        addressees=(t("To: {target}", target=target),),
        paragraphs=[_received(ctx, ctx.body(issuing)), *content],
        signature=collective_signature(ctx, issuing, head), recipients=recipients)
