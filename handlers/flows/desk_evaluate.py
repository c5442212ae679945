"""The evaluation at the desk (887 Điều 5): the office proposes the collective's conclusion
and puts it to the vote (``workflow.evaluating``), or records one reached at a meeting.

``k:oe:<id>:<v>`` starts a proposal; ``k:em:<id>:<v>:<mask>`` toggles the forms of
encouragement (bits 0–7: a–h) and "proposed upward" (bit 8); ``k:es:<id>:<v>:<mask>`` asks
when the vote closes (mask 0: no real results); ``k:eo:<id>:<v>:<mask>:<days>`` asks for the
evaluation's text, which opens the vote. ``k:ev:<id>:<v>`` then ``k:ef:...`` records an
evaluation decided at a meeting (one form, or none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.buttons import (
    ButtonData,
    DeskStep,
    EvaluationForms,
    EvaluationOpen,
    EvaluationRecord,
    EvaluationWhen,
    OpenDossier,
)
from handlers.context import Turn
from handlers.flows import desk_ops as ops
from handlers.flows.dossier_view import title_of
from handlers.messages import Button, rows
from workflow import services as svc
from workflow.commands import OpenEvaluation
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier, EncouragementForm
from workflow.evaluating import evaluating_body

if TYPE_CHECKING:
    from handlers.flows.desk import DeskFlow

OPEN = "eo"  # the step waiting for the evaluation's text
FORMS = tuple(EncouragementForm)
UPWARD = 1 << len(FORMS)  # the bit of "proposed to the competent higher level"
ALL_BITS = (UPWARD << 1) - 1


def _forms(mask: int) -> tuple[EncouragementForm, ...]:
    return tuple(form for i, form in enumerate(FORMS) if mask >> i & 1)


async def on_action(flow: DeskFlow, turn: Turn, data: ButtonData) -> bool:
    """Handle an evaluation button; False if ``data`` is not one (or out of range)."""
    match data:
        case DeskStep(code="oe", dossier_id=dossier_id, version=version):
            await _compose(flow, turn, dossier_id, version, 0)
        case EvaluationForms(dossier_id=dossier_id, version=version, mask=mask) \
                if mask <= ALL_BITS:
            await _compose(flow, turn, dossier_id, version, mask)
        case EvaluationWhen(dossier_id=dossier_id, version=version, mask=mask) \
                if mask <= ALL_BITS:
            await _when(flow, turn, dossier_id, version, mask)
        case EvaluationOpen(dossier_id=dossier_id, version=version, mask=mask, days=days) \
                if mask <= ALL_BITS and days in ops.CLOSING_DAYS:
            if await flow.checked(turn, "oe", dossier_id, version) is not None:
                flow.ask_text(turn, OPEN, dossier_id, version, mask, days=days)
        case EvaluationRecord(dossier_id=dossier_id, version=version, form=form) \
                if form <= len(ops.FORMS):
            if await flow.checked(turn, "ev", dossier_id, version) is not None:
                flow.ask_text(turn, "ev", dossier_id, version, form)
        case _:
            return False
    return True


async def _compose(flow: DeskFlow, turn: Turn, dossier_id: int, version: int,
                   mask: int) -> None:
    dossier = await flow.checked(turn, "oe", dossier_id, version)
    if dossier is None:
        return
    t = turn.t
    keys = [Button(f"{'✓ ' if mask >> i & 1 else ''}{form.value}) "
                   f"{t(ENCOURAGEMENT_LABELS[form])}",
                   EvaluationForms(dossier.id, version, mask ^ (1 << i)))
            for i, form in enumerate(FORMS)]
    keys.append(Button(("✓ " if mask & UPWARD else "")
                       + t("Propose forms beyond our authority to the competent higher level"),
                       EvaluationForms(dossier.id, version, mask ^ UPWARD)))
    if _forms(mask):
        keys.append(Button(t("Done: put it to the vote"),
                           EvaluationWhen(dossier.id, version, mask)))
    keys.append(Button(t("No real results: no encouragement"),
                       EvaluationWhen(dossier.id, version, 0)))
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    chosen = "; ".join(f"{f.value}) {t(ENCOURAGEMENT_LABELS[f])}" for f in _forms(mask))
    turn.say(t("Propose the collective's evaluation of “{title}” (887, Article 5): if the plan "
               "has brought real results, choose the forms of encouragement; the collective "
               "then votes on the proposal. Chosen: {forms}.", title=title_of(dossier, t),
               forms=chosen or t("none")), rows(*keys))


async def _when(flow: DeskFlow, turn: Turn, dossier_id: int, version: int, mask: int) -> None:
    dossier = await flow.checked(turn, "oe", dossier_id, version)
    if dossier is None:
        return
    t = turn.t
    keys = [Button(t.plural("Closes in {n} working day", "Closes in {n} working days", days),
                   EvaluationOpen(dossier.id, version, mask, days)) for days in ops.CLOSING_DAYS]
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    turn.say(t("When should the vote on the evaluation close?"), rows(*keys))


async def open_vote(turn: Turn, dossier: Dossier, version: int, text: str, mask: int,
                    days: int) -> str:
    """Open the evaluation ballot of the collective that approved, for its counted members."""
    s, t = turn.services, turn.t
    body = evaluating_body(dossier)
    members = await s.directory.counted_members(dossier.body(body))
    heads = await s.directory.people_on(dossier.body(dossier.route.head), ("head",))
    closes = ops.closing_time(turn, days)
    forms = _forms(mask)
    ballot = await svc.open_evaluation(OpenEvaluation(
        actor=await turn.actor(), dossier_id=dossier.id, expected_version=version,
        members=tuple(members), effective=bool(forms), forms=forms,
        proposed_upward=bool(mask & UPWARD) and bool(forms), summary=text,
        head_person=heads[0].id if heads else None, closes_at=closes), s.uow(), s.clock)
    return t.plural("The evaluation is put to the vote of {n} member until {closes}.",
                    "The evaluation is put to the vote of {n} members until {closes}.",
                    len(ballot.voters.voters), closes=closes.strftime("%H:%M %d/%m/%Y"))


def meeting_picker(turn: Turn, dossier: Dossier, version: int) -> None:
    """Record an evaluation the collective reached at a meeting: one form, or none."""
    t = turn.t
    keys = [Button(f"{form.value}) {t(ENCOURAGEMENT_LABELS[form])}",
                   EvaluationRecord(dossier.id, version, i))
            for i, form in enumerate(ops.FORMS, start=1)]
    keys.append(Button(t("No real results: no encouragement"),
                       EvaluationRecord(dossier.id, version, 0)))
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    turn.say(t("Has the plan brought real results? Choose the form of encouragement the "
               "collective decided (887, Article 5), or that there were none."), rows(*keys))
