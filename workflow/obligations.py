"""Duties to report in writing that a step of the process creates.

They are tracked apart from the dossier's state because they outlive it (an
incident report is due even if the dossier is later closed) and each has its own
reminders: the head's override report, the incident report, the report to the
issuer of a regulation unsuited to practice, the answer to a protection request,
the collective's conclusion on an emergency action, the written notice that a plan is
not feasible and the report of a dossier beyond authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from workflow.i18n import N_


class ObligationKind(StrEnum):
    # 887 Điều 4 khoản 3 b: the head who decides alone reports to the superior at once.
    REPORT_OVERRIDE_TO_SUPERIOR = "report_override_to_superior"
    # 887 Điều 6 khoản 2 c: the collective that approved reports an incident at once.
    REPORT_INCIDENT_TO_SUPERIOR = "report_incident_to_superior"
    # 887 Điều 4 khoản 5: tell the issuer of the unsuitable regulation.
    REPORT_TO_REGULATION_ISSUER = "report_to_regulation_issuer"
    # 887 Điều 7 khoản 5: act on a protection request or ask the body above.
    ANSWER_PROTECTION_REQUEST = "answer_protection_request"
    # 887 Điều 4 khoản 4: the collective discusses, evaluates and concludes.
    CONCLUDE_EMERGENCY = "conclude_emergency"
    # 887 Điều 4 khoản 3 a: the appraisal found the plan infeasible: notify in writing.
    SEND_NOT_FEASIBLE_NOTICE = "send_not_feasible_notice"
    # 887 Điều 4 khoản 2, 3 b: beyond authority: report to the competent level in writing.
    REPORT_BEYOND_AUTHORITY = "report_beyond_authority"


OBLIGATION_LABELS: dict[ObligationKind, str] = {
    ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR: N_(
        "report the head's decision in writing to the direct superior at once"
    ),
    ObligationKind.REPORT_INCIDENT_TO_SUPERIOR: N_(
        "report the risk or error in writing to the direct superior at once"
    ),
    ObligationKind.REPORT_TO_REGULATION_ISSUER: N_(
        "report in writing to the body that issued the regulation unsuited to practice"
    ),
    ObligationKind.ANSWER_PROTECTION_REQUEST: N_(
        "take protective measures or ask the competent body above"
    ),
    ObligationKind.CONCLUDE_EMERGENCY: N_(
        "discuss, evaluate and conclude on the emergency action"
    ),
    ObligationKind.SEND_NOT_FEASIBLE_NOTICE: N_(
        "send the proposer the written notice that the plan is not feasible"
    ),
    ObligationKind.REPORT_BEYOND_AUTHORITY: N_(
        "report the dossier in writing to the competent level, with the proposed solution"
    ),
}
# A duty named in a few words, for a button or a list line on a phone.
OBLIGATION_SHORT_LABELS: dict[ObligationKind, str] = {
    ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR: N_("report the head's decision upward"),
    ObligationKind.REPORT_INCIDENT_TO_SUPERIOR: N_("report the risk or error upward"),
    ObligationKind.REPORT_TO_REGULATION_ISSUER: N_("report to the regulation's issuer"),
    ObligationKind.ANSWER_PROTECTION_REQUEST: N_("answer the protection request"),
    ObligationKind.CONCLUDE_EMERGENCY: N_("conclude on the emergency action"),
    ObligationKind.SEND_NOT_FEASIBLE_NOTICE: N_("notice: plan not feasible"),
    ObligationKind.REPORT_BEYOND_AUTHORITY: N_("report to the competent level"),
}
# Duties fulfilled by a document the product drafts for the office; the proposer is told
# when it has been sent.
DRAFTED = frozenset({ObligationKind.SEND_NOT_FEASIBLE_NOTICE,
                     ObligationKind.REPORT_BEYOND_AUTHORITY})


@dataclass
class Obligation:
    """A written report someone owes because of a step in a dossier."""

    id: int
    dossier_id: int
    kind: ObligationKind
    owner: str  # route body id that owes it (e.g. the head, the deciding body)
    owner_body: str  # the concrete body
    to: str  # route body id, or the issuer's name as written in the plan
    created_at: datetime
    due_on: date | None = None  # None: at once (reminders treat it as due now)
    done_at: datetime | None = None
    done_by: str | None = None
    reference: str | None = None  # number of the report or document that fulfilled it
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.done_at is None
