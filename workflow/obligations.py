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
    # 887 Điều 6 khoản 2 c: the direct superior has the incident verified and concludes.
    VERIFY_INCIDENT = "verify_incident"
    # 887 Điều 7 khoản 5: protection beyond the body's capacity or authority: ask the
    # competent body above and report to the direct superior.
    ASK_PROTECTION_ABOVE = "ask_protection_above"


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
    ObligationKind.VERIFY_INCIDENT: N_(
        "have the reported risk or error verified and conclude on it"
    ),
    ObligationKind.ASK_PROTECTION_ABOVE: N_(
        "ask the competent body above for protective measures and report to the direct "
        "superior"
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
    ObligationKind.VERIFY_INCIDENT: N_("verify the reported incident"),
    ObligationKind.ASK_PROTECTION_ABOVE: N_("ask the body above for protection"),
}
# Matters decided rather than merely reported: the protection request (by the body that
# approved), the incident's verification (by the direct superior).
DECIDED = frozenset({ObligationKind.ANSWER_PROTECTION_REQUEST, ObligationKind.VERIFY_INCIDENT})
# Matters about the cadre's protection that keep a dossier open until they are settled.
PROTECTION_MATTERS = frozenset({
    ObligationKind.ANSWER_PROTECTION_REQUEST, ObligationKind.REPORT_INCIDENT_TO_SUPERIOR,
    ObligationKind.VERIFY_INCIDENT, ObligationKind.ASK_PROTECTION_ABOVE})
# Duties fulfilled by a document the product drafts for the office; the proposer is told
# when it has been sent.
DRAFTED = frozenset({ObligationKind.SEND_NOT_FEASIBLE_NOTICE,
                     ObligationKind.REPORT_BEYOND_AUTHORITY})


class ProtectionOutcome(StrEnum):
    PROTECT = "protect"  # the committee applies protective measures itself
    REFER_UPWARD = "refer_upward"  # beyond its capacity or authority: the body above
    NOT_NEEDED = "not_needed"  # not a case for protection, with the reasons


PROTECTION_OUTCOME_LABELS: dict[ProtectionOutcome, str] = {
    ProtectionOutcome.PROTECT: N_("protective measures are applied"),
    ProtectionOutcome.REFER_UPWARD: N_("the competent body above is asked to protect"),
    ProtectionOutcome.NOT_NEEDED: N_("no protective measure is needed"),
}


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
    # A decided matter's outcome (a ``ProtectionOutcome`` value, or "verified") and what
    # was decided: the measures, the reasons or the superior's conclusion.
    outcome: str | None = None
    summary: str = ""

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def settle(self, by: str, at: datetime, outcome: str, summary: str) -> None:
        """Record the decision that closes this matter."""
        self.done_at, self.done_by = at, by
        self.outcome, self.summary = outcome, summary
        self.version += 1
