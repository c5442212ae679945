"""A draft of the written answer for the office to check, number and have signed.

The product drafts; a person signs (DOMAIN.md §9). The draft follows the outline of a
party document (Hướng dẫn 36-HD/VPTW): issuing body, number left blank, place and date,
summary, addressee, body, signing capacity, recipients. Its wording follows the
decision recorded on the dossier.
"""

from __future__ import annotations

from handlers.context import Turn
from handlers.flows.dossier_view import names_for, title_of
from workflow.dossier import Dossier
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
