"""The cadre's protection on the committee desk: the committee decides a protection
request (887 Điều 7 khoản 5) and the direct superior concludes on a verified incident
(Điều 6 khoản 2 c).

Actions: ``k:pd:<duty>:<version>`` shows the request and the three decisions,
``k:pc:<duty>:<version>:<1-3>`` picks one and asks for the measures or reasons,
``k:vi:<duty>:<version>`` asks the superior for the conclusion. The text then goes to
``decide``; every step is re-checked against the stored duty and dossier.
"""

from __future__ import annotations

from typing import Protocol

from handlers.buttons import ButtonData, DeskCancel, MatterCode, ProtectionPick, SettleMatter
from handlers.context import Turn
from handlers.drafting_more import compose
from handlers.flows.papers import draft_action
from handlers.i18n import Translator
from handlers.messages import Button, rows
from handlers.paper_files import as_attachment
from workflow import services as svc
from workflow.actors import Role
from workflow.commands import DecideProtection, RecordVerification
from workflow.documents import DocumentKind
from workflow.dossier import Dossier
from workflow.errors import DomainError, StaleVersion
from workflow.i18n import N_
from workflow.lifecycle import Action
from workflow.obligations import (
    OBLIGATION_SHORT_LABELS,
    PROTECTION_OUTCOME_LABELS,
    Obligation,
    ObligationKind,
    ProtectionOutcome,
)
from workflow.service_kit import permit

# The ``SettleMatter`` codes, and the steps asking for the decision's text.
DECIDE: MatterCode = "pd"
VERIFY: MatterCode = "vi"
OUTCOMES = (ProtectionOutcome.PROTECT, ProtectionOutcome.REFER_UPWARD,
            ProtectionOutcome.NOT_NEEDED)
ASKS: dict[str, str] = {
    DECIDE: N_("Please write what was decided: the protective measures, what is asked of "
               "the body above, or the reasons no measure is needed."),
    VERIFY: N_("Please write the conclusion of the verification: what happened, whether "
               "the cadre acted within the approved plan, and the protection it calls for."),
}
# Who settles each decided matter, and the step that allows it.
SETTLED_BY: dict[ObligationKind, tuple[frozenset[Role], Action]] = {
    ObligationKind.ANSWER_PROTECTION_REQUEST: (frozenset({Role.OFFICE, Role.HEAD}),
                                               Action.DECIDE_PROTECTION),
    ObligationKind.VERIFY_INCIDENT: (frozenset({Role.SUPERIOR}), Action.RECORD_VERIFICATION),
}


class Desk(Protocol):
    """What this module needs of the desk flow."""

    async def card(self, turn: Turn, dossier_id: int) -> None: ...

    async def not_found(self, turn: Turn) -> None: ...

    async def load(self, turn: Turn, dossier_id: int) -> Dossier | None: ...

    def ask_text(self, turn: Turn, code: str, dossier_id: int, version: int,
                 pick: int = 0, **extra: int) -> None: ...


def matter_buttons(obligations: list[Obligation], roles: frozenset[Role],
                   t: Translator) -> list[tuple[Button, ...]]:
    """A button for each open matter this reader settles, naming it."""
    found: list[tuple[Button, ...]] = []
    for item in obligations:
        settled = SETTLED_BY.get(item.kind)
        if item.is_open and settled is not None and roles & settled[0]:
            code = DECIDE if item.kind is ObligationKind.ANSWER_PROTECTION_REQUEST else VERIFY
            label = t("Decide: {duty}", duty=t(OBLIGATION_SHORT_LABELS[item.kind]))
            found.append((Button(label, SettleMatter(code, item.id, item.version)),))
    return found


async def on_action(desk: Desk, turn: Turn, data: ButtonData) -> bool:
    """Handle this module's buttons; False for any other."""
    if isinstance(data, SettleMatter):
        checked = await _checked(desk, turn, data.obligation_id, data.version)
        if checked is None:
            return True
        duty, dossier = checked
        if data.code == VERIFY:
            desk.ask_text(turn, VERIFY, dossier.id, duty.version, duty=duty.id)
        else:
            _choices(turn, duty, dossier)
        return True
    if isinstance(data, ProtectionPick) and 1 <= data.outcome <= len(OUTCOMES):
        checked = await _checked(desk, turn, data.obligation_id, data.version)
        if checked is not None:
            duty, dossier = checked
            desk.ask_text(turn, DECIDE, dossier.id, duty.version, pick=data.outcome,
                          duty=duty.id)
        return True
    return False


def _choices(turn: Turn, duty: Obligation, dossier: Dossier) -> None:
    t = turn.t
    asked = [r for r in dossier.reports if r.kind == "protection"]
    lines = [t("Dossier no. {id}: the proposer asks for protection.", id=dossier.id)]
    if asked:
        lines.append(f"“{asked[-1].summary}”")
    lines.append(t("What has the committee decided?"))
    turn.say("\n".join(lines), (
        *rows(*(Button(t(PROTECTION_OUTCOME_LABELS[o]).capitalize(),
                       ProtectionPick(duty.id, duty.version, i))
                for i, o in enumerate(OUTCOMES, start=1))),
        (Button(t("Cancel"), DeskCancel()),)))


async def _checked(desk: Desk, turn: Turn, duty_id: int,
                   version: int) -> tuple[Obligation, Dossier] | None:
    """The duty and its dossier if this person may still settle it; else said why."""
    async with turn.services.uow() as uow:  # read only
        duty = await uow.obligations.get(duty_id)
    dossier = await desk.load(turn, duty.dossier_id) if duty else None
    settled = SETTLED_BY.get(duty.kind) if duty else None
    if duty is None or dossier is None or settled is None:
        await desk.not_found(turn)
        return None
    try:
        if duty.version != version or not duty.is_open:
            raise StaleVersion()
        permit(dossier, await turn.actor(), settled[1])
    except DomainError as error:
        turn.say(error.render(turn.t))
        await desk.card(turn, dossier.id)
        return None
    return duty, dossier


async def decide(turn: Turn, op: str, data: dict[str, object], text: str) -> None:
    """Record the decision or the conclusion written in ``text``; the office receives the
    drafted notice to number and sign."""
    s, t = turn.services, turn.t
    duty_id, version = int(str(data["duty"])), int(str(data["v"]))
    actor = await turn.actor()
    if op == VERIFY:
        await svc.record_verification(RecordVerification(
            actor=actor, obligation_id=duty_id, conclusion=text, expected_version=version),
            s.uow(), s.clock)
        turn.say(t("The conclusion of the verification is recorded; the committee and the "
                   "cadre are told."))
        return
    outcome = OUTCOMES[int(str(data["pick"])) - 1]
    duty = await svc.decide_protection(DecideProtection(
        actor=actor, obligation_id=duty_id, outcome=outcome, measures=text,
        expected_version=version), s.uow(), s.clock)
    async with s.uow() as uow:  # read only
        dossier = await uow.dossiers.get(duty.dossier_id)
    assert dossier is not None  # the decision was just recorded on it
    draft = await compose(s, dossier, DocumentKind.PROTECTION_DECISION, duty=duty)
    reply = [t("The decision is recorded and the cadre is told: {outcome}.",
               outcome=t(PROTECTION_OUTCOME_LABELS[outcome]))]
    if outcome is ProtectionOutcome.REFER_UPWARD:
        reply.append(t("A new duty is on the desk: {duty}.",
                       duty=t(OBLIGATION_SHORT_LABELS[ObligationKind.ASK_PROTECTION_ABOVE])))
    reply.append(t("The notice of the decision is drafted: number and sign it to send it."))
    turn.say("\n".join(reply), rows(Button(
        t("Number and sign the notice"),
        draft_action(dossier, DocumentKind.PROTECTION_DECISION, duty.id))),
        files=(as_attachment(s, draft, dossier.id, t),))
