"""Protecting the cadre: matters decided, not merely reported.

887 Điều 7 khoản 5: on a cadre's request the committee applies protective measures at
once, or, when that is beyond its capacity or authority, asks the competent body above
and reports to its direct superior. Điều 6 khoản 2 c: when a risk or error occurs, the
collective that approved reports to its direct superior at once, and the superior has it
verified and concludes. Each decision is recorded on the duty it settles and told to the
cadre; a dossier cannot close while such a matter is open (``open_matters``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from workflow import events as ev
from workflow.actors import Role
from workflow.commands import DecideProtection, RecordVerification
from workflow.dossier import Dossier
from workflow.errors import TransitionNotAllowed, ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action
from workflow.obligations import (
    PROTECTION_MATTERS,
    Obligation,
    ObligationKind,
    ProtectionOutcome,
)
from workflow.ports import Clock, UnitOfWork
from workflow.service_kit import (
    committee,
    deciding_body,
    load_obligation,
    new_obligation,
    now_of,
    permit,
    text,
)

VERIFIED = "verified"


MEASURES = N_("the measures decided, or the reasons")
CONCLUSION = N_("the conclusion of the verification")


def open_matters(obligations: list[Obligation]) -> list[Obligation]:
    """The cadre's protection matters still open: each keeps the dossier from closing."""
    return [o for o in obligations if o.is_open and o.kind in PROTECTION_MATTERS]


async def verification_due(uow: UnitOfWork, dossier: Dossier,
                           now: datetime) -> ev.ObligationCreated:
    """The direct superior, told of an incident, owes its verification and conclusion."""
    created = await new_obligation(uow, dossier, ObligationKind.VERIFY_INCIDENT,
                                   dossier.route.escalation_to, deciding_body(dossier), now)
    superior = dossier.to(Role.SUPERIOR, dossier.route.escalation_to)
    return replace(created, notify=(*created.notify, superior))


def _open_of_kind(obligation: Obligation, kind: ObligationKind) -> None:
    if obligation.kind is not kind:
        raise ValidationError(N_("This duty is not settled that way."))
    if not obligation.is_open:
        raise TransitionNotAllowed(N_("This matter has already been decided."))


async def decide_protection(cmd: DecideProtection, uow: UnitOfWork,
                            clock: Clock) -> Obligation:
    """The committee's decision on a protection request, told to the cadre."""
    async with uow:
        obligation, dossier = await load_obligation(uow, cmd.obligation_id,
                                                    cmd.expected_version)
        step = permit(dossier, cmd.actor, Action.DECIDE_PROTECTION)
        _open_of_kind(obligation, ObligationKind.ANSWER_PROTECTION_REQUEST)
        measures = text(cmd.measures, MEASURES)
        now = now_of(clock)
        obligation.settle(cmd.actor.person_id, now, cmd.outcome.value, measures)
        events: list[ev.Event] = [ev.ProtectionDecided(
            dossier_id=dossier.id, at=now, notify=(*committee(dossier), *dossier.to_proposers()),
            obligation_id=obligation.id, outcome=cmd.outcome.value, measures=measures)]
        if cmd.outcome is ProtectionOutcome.REFER_UPWARD:
            events.append(await new_obligation(
                uow, dossier, ObligationKind.ASK_PROTECTION_ABOVE, deciding_body(dossier),
                dossier.route.escalation_to, now))
        # A line of the dossier's history: the cadre's evidence that it was decided.
        dossier.apply(step, cmd.actor.person_id, now, events, measures)
        await uow.commit()
        return obligation


async def record_verification(cmd: RecordVerification, uow: UnitOfWork,
                              clock: Clock) -> Obligation:
    """The direct superior's conclusion on a verified incident, told to the committee and
    the cadre (the committee then decides the protection the conclusion calls for)."""
    async with uow:
        obligation, dossier = await load_obligation(uow, cmd.obligation_id,
                                                    cmd.expected_version)
        step = permit(dossier, cmd.actor, Action.RECORD_VERIFICATION)
        _open_of_kind(obligation, ObligationKind.VERIFY_INCIDENT)
        conclusion = text(cmd.conclusion, CONCLUSION)
        now = now_of(clock)
        obligation.settle(cmd.actor.person_id, now, VERIFIED, conclusion)
        dossier.apply(step, cmd.actor.person_id, now, [ev.IncidentVerified(
            dossier_id=dossier.id, at=now, notify=(*committee(dossier), *dossier.to_proposers()),
            obligation_id=obligation.id, conclusion=conclusion)], conclusion)
        await uow.commit()
        return obligation
