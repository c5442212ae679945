"""The committee's notice of its decision on a cadre's protection request (887 Điều 7
khoản 5): what was asked, what was decided, signed for the collective."""

from __future__ import annotations

from handlers.drafting import (
    Context,
    Edits,
    _document,
    _to_proposer,
    collective_signature,
    office_file,
    own_body,
)
from workflow.documents import DocumentKind, OfficialDocument
from workflow.obligations import PROTECTION_OUTCOME_LABELS, Obligation, ProtectionOutcome
from workflow.service_kit import deciding_body


async def protection_decision(ctx: Context, edits: Edits,
                              duty: Obligation) -> OfficialDocument:
    t, dossier = ctx.t, ctx.dossier
    issuing = deciding_body(dossier)
    head = await ctx.head(issuing)
    asked = [r for r in dossier.reports if r.kind == "protection" and r.at <= duty.created_at]
    request = asked[-1] if asked else None
    try:
        outcome = t(PROTECTION_OUTCOME_LABELS[ProtectionOutcome(duty.outcome or "")])
    except ValueError:  # not decided yet: the draft leaves the decision to be written
        outcome = "…"
    content = own_body(edits, [
        t("On {day}, comrade {name} asked for protection in implementing the plan “{title}”: "
          "{request}", day=ctx.day(request.at.date() if request else None),
          name=ctx.person(dossier.proposer), title=ctx.title(),
          request=request.summary if request else "…"),
        t("Having considered the request (887-QĐ/TU Điều 7 khoản 5), {body} decides: "
          "{outcome}.", body=ctx.body(issuing), outcome=outcome),
        duty.summary or "…"])
    return _document(
        DocumentKind.PROTECTION_DECISION, head, title="THÔNG BÁO",
        summary=t("on the request for protection in implementing the plan “{title}”",
                  title=ctx.title()),
        addressees=_to_proposer(ctx), paragraphs=content,
        signature=collective_signature(ctx, issuing, head),
        recipients=[t("As above"), office_file(ctx)])
