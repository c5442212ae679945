"""Drafts of the written documents the office checks, numbers and has signed: the written
answer, the notice that a plan is not feasible, and the report of a dossier beyond
authority.

The product drafts; a person signs (DOMAIN.md §9). A draft follows the outline of a
party document (Hướng dẫn 36-HD/VPTW): issuing body, number left blank, place and date,
document type and summary, addressee, body, signing capacity, recipients. Its wording
follows what is recorded on the dossier.
"""

from __future__ import annotations

from handlers.context import Turn
from handlers.flows.dossier_view import Names, names_for, title_of
from workflow.dossier import Dossier
from workflow.obligations import ObligationKind
from workflow.service_kit import deciding_body
from workflow.voting import Outcome


async def answer_draft(turn: Turn, dossier: Dossier) -> str:
    """The draft answer to the proposer, in the reader's language."""
    t = turn.t
    names = await names_for(turn, [dossier], people=True)
    decision = dossier.decision
    body_id = decision.route_body if decision and not decision.by_head \
        else dossier.route.competent_body
    body = names.body(dossier, body_id)
    proposer = await turn.services.directory.person(dossier.proposer)
    post = proposer.title if proposer and proposer.title else ""
    title = title_of(dossier, t)
    received = t.date(dossier.received_on, "dd/MM/yyyy") if dossier.received_on else "…"
    outcome = decision.outcome if decision else None
    if outcome is Outcome.APPROVED and decision and decision.by_head:
        content = t("As the collective did not reach consensus, the head decided, on their own "
                    "responsibility, that the plan may be implemented as a pilot, and reports "
                    "this to the direct superior. The comrade implements it within the approved "
                    "content and reports progress, and any risk or error, fully and on time.")
    elif outcome is Outcome.APPROVED:
        content = t("After appraisal and collective consideration, {body} approves the plan for "
                    "implementation as a pilot. The comrade implements it within the approved "
                    "content and reports progress, and any risk or error, fully and on time.",
                    body=body)
    elif outcome is Outcome.RETURNED:
        content = t("After collective consideration, {body} finds that the plan has not been "
                    "prepared thoroughly and asks the comrade to re-prepare it and submit it "
                    "again.", body=body)
    else:
        reasons = decision.reasoning if decision and decision.reasoning else "…"
        content = t("After collective consideration, {body} does not approve the plan. "
                    "Reasons: {reasons}", body=body, reasons=reasons)
    today = turn.services.clock.now().date()
    return t("DRAFT — to check, number and have signed\n\n{body}\nCOMMUNIST PARTY OF "
             "VIETNAM\nNo.: …\nRe: answer to the plan “{title}”\n{date}\n\nTo: comrade "
             "{proposer}, {post}\n\n{body} has received "
             "the plan “{title}” (registration no. {number}, received on {received}). "
             "{content}\n\nON BEHALF OF {body_upper}\n(signature, full name)\n\nRecipients: as "
             "above; filed.", body=body, title=title, date=t.date(today, "dd/MM/yyyy"),
             proposer=names.person(dossier.proposer), post=post,
             number=dossier.registration_number or "…", received=received, content=content,
             body_upper=body.upper())


async def duty_draft(turn: Turn, dossier: Dossier, kind: ObligationKind) -> str | None:
    """The draft of the document that fulfils a duty of ``kind``, if the product drafts one."""
    if kind is ObligationKind.SEND_NOT_FEASIBLE_NOTICE:
        return await not_feasible_draft(turn, dossier)
    if kind is ObligationKind.REPORT_BEYOND_AUTHORITY:
        return await escalation_draft(turn, dossier)
    return None


async def _about(turn: Turn, dossier: Dossier) -> tuple[Names, str, str, str]:
    """Names, the proposer's post, the date of receipt and today, for a draft."""
    t = turn.t
    names = await names_for(turn, [dossier], people=True)
    proposer = await turn.services.directory.person(dossier.proposer)
    post = proposer.title if proposer and proposer.title else ""
    received = t.date(dossier.received_on, "dd/MM/yyyy") if dossier.received_on else "…"
    today = t.date(turn.services.clock.now().date(), "dd/MM/yyyy")
    return names, post, received, today


async def not_feasible_draft(turn: Turn, dossier: Dossier) -> str:
    """The notice to the proposer that the appraisal found the plan not feasible (887 Điều 4
    khoản 3 a): issued by the commune standing board, or on the town standing committee's
    direction, as the route says."""
    t = turn.t
    names, post, received, today = await _about(turn, dossier)
    route = dossier.route
    issuer = names.body(dossier, route.appraisal_assigned_by or route.appraisal_lead
                        or route.competent_body)
    reasons = dossier.appraisal.summary if dossier.appraisal else "…"
    return t("DRAFT — to check, number and have signed\n\n{issuer}\nCOMMUNIST PARTY OF "
             "VIETNAM\nNo.: …\n{date}\n\nNOTICE\non the appraisal of the plan “{title}”\n\n"
             "To: comrade {proposer}, {post}\n\n{issuer} has received the plan “{title}” "
             "(registration no. {number}, received on {received}). The appraisal found that "
             "the plan is not feasible or not effective. Reasons: {reasons}\nThe plan is "
             "therefore not submitted for a decision and the dossier is closed.\n\nON BEHALF "
             "OF {issuer_upper}\n(signature, full name)\n\nRecipients: as above; {office}; "
             "filed.", issuer=issuer, date=today, title=title_of(dossier, t),
             proposer=names.person(dossier.proposer), post=post,
             number=dossier.registration_number or "…", received=received, reasons=reasons,
             issuer_upper=issuer.upper(), office=names.body(dossier, route.via))


async def escalation_draft(turn: Turn, dossier: Dossier) -> str:
    """The report asking the competent level for its policy decision on a matter beyond
    authority, with the proposed solution (887 Điều 4 khoản 2, khoản 3 b); the direct
    superior among the recipients when a level is skipped."""
    t = turn.t
    names, post, received, today = await _about(turn, dossier)
    route = dossier.route
    body = names.body(dossier, deciding_body(dossier))
    forwarding = dossier.forwarding
    target = (names.bodies.get(forwarding.body, forwarding.body) if forwarding
              else names.body(dossier, route.escalation_to))
    solution = forwarding.proposed_solution if forwarding else "…"
    recipients = t("as above")
    if forwarding and forwarding.skips_level:
        recipients = t("as above; {superior} (for information: the request goes beyond a "
                       "level)", superior=names.body(dossier, route.escalation_to))
    return t("DRAFT — to check, number and have signed\n\n{body}\nCOMMUNIST PARTY OF "
             "VIETNAM\nNo.: …\n{date}\n\nREPORT\nasking for a policy decision on the plan "
             "“{title}”\n\nTo: {target}\n\n{body} has received the plan “{title}” of comrade "
             "{proposer}, {post} (registration no. {number}, received on {received}). Having "
             "considered it, {body} finds that the matter is beyond its authority and "
             "respectfully reports it to {target} for a policy decision.\nProposed solution: "
             "{solution}\nAttached: the plan and its documents.\n\nON BEHALF OF {body_upper}\n"
             "(signature, full name)\n\nRecipients: {recipients}; filed.", body=body,
             date=today, title=title_of(dossier, t), target=target,
             proposer=names.person(dossier.proposer), post=post,
             number=dossier.registration_number or "…", received=received, solution=solution,
             body_upper=body.upper(), recipients=recipients)
