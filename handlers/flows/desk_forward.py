"""Beyond authority at the desk: to which committee the dossier is reported, then the
proposed solution (887 Điều 4 khoản 2; 000 Điều 2 khoản 2).

``k:fw:<id>:<v>`` lists the bodies the organisation chart offers (the direct superior
first, then its level, then the levels above); ``k:fb:<id>:<v>:<n>`` picks the n-th and
asks for the proposed solution, which the next text message gives. A body above the
direct superior's level asks beyond a level: the direct superior is then informed too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.buttons import ButtonData, DeskStep, ForwardTo, OpenDossier
from handlers.context import Turn
from handlers.flows.dossier_view import names_for, title_of
from handlers.messages import Button, rows
from workflow import services as svc
from workflow.commands import ForwardBeyondAuthority
from workflow.dossier import Dossier
from workflow.errors import ValidationError
from workflow.i18n import N_
from workflow.organisation import HigherBody

if TYPE_CHECKING:
    from handlers.flows.desk import DeskFlow

MAX_TARGETS = 10
STALE = N_("That button is no longer valid. Here is where we are now.")


def _kinds(turn: Turn, dossier: Dossier) -> tuple[str, ...]:
    """The kinds of body that decide or receive escalations anywhere in the dossier's pack."""
    pack = turn.services.rulebook.get(dossier.pack_id)
    kinds = {k for unit in pack.unit_kinds
             for k in (*unit.route.decision_bodies, unit.route.escalation_to)}
    return tuple(sorted(kinds))


async def targets(turn: Turn, dossier: Dossier) -> list[HigherBody]:
    """Where the dossier may be reported, the direct superior first (never its own body)."""
    route = dossier.route
    own = {dossier.body(b) for b in (route.competent_body, *route.decision_bodies)}
    found = await turn.services.directory.escalation_targets(
        dossier.body(route.escalation_to), _kinds(turn, dossier))
    return [b for b in found if b.id not in own][:MAX_TARGETS]


async def on_action(flow: DeskFlow, turn: Turn, data: ButtonData) -> bool:
    """Handle a forwarding button; False if ``data`` is not one."""
    match data:
        case DeskStep(code="fw", dossier_id=dossier_id, version=version):
            await _pick(flow, turn, dossier_id, version)
        case ForwardTo(dossier_id=dossier_id, version=version, index=index):
            await _ask(flow, turn, dossier_id, version, index)
        case _:
            return False
    return True


async def _pick(flow: DeskFlow, turn: Turn, dossier_id: int, version: int) -> None:
    dossier = await flow.checked(turn, "fw", dossier_id, version)
    if dossier is None:
        return
    found = await targets(turn, dossier)
    if len(found) <= 1:
        await _ask(flow, turn, dossier_id, version, 0)
        return
    t = turn.t
    keys = []
    for index, body in enumerate(found):
        label = body.name
        if index == 0:
            label = t("{body} (direct superior)", body=body.name)
        elif body.level > 0:
            label = t("{body} (beyond a level: the direct superior is informed)", body=body.name)
        keys.append(Button(label, ForwardTo(dossier.id, version, index)))
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    turn.say(t("“{title}” is beyond the authority of this committee. To which committee should "
               "it be reported for a policy decision? The direct superior is {superior}; asking "
               "a committee above it goes beyond a level, and the direct superior is then "
               "informed too (887, Article 4(2)).", title=title_of(dossier, t),
               superior=found[0].name), rows(*keys))


async def _ask(flow: DeskFlow, turn: Turn, dossier_id: int, version: int, pick: int) -> None:
    dossier = await flow.checked(turn, "fw", dossier_id, version)
    if dossier is None:
        return
    found = await targets(turn, dossier)
    if not 0 <= pick < max(len(found), 1):
        await flow.malformed(turn)
        return
    flow.ask_text(turn, "fw", dossier.id, version, pick)


async def forward(turn: Turn, dossier: Dossier, version: int, text: str, pick: int) -> str:
    """Forward to the ``pick``-th body of :func:`targets` with the proposed solution."""
    s, t = turn.services, turn.t
    found = await targets(turn, dossier)
    if found and not 0 <= pick < len(found):
        raise ValidationError(STALE)
    chosen = found[pick] if found else None
    done = await svc.forward_beyond_authority(ForwardBeyondAuthority(
        actor=await turn.actor(), dossier_id=dossier.id, expected_version=version,
        proposed_solution=text, to=chosen.id if chosen else None,
        same_level=tuple(b.id for b in found if b.level == 0)), s.uow(), s.clock)
    names = await names_for(turn, [done])
    forwarded = done.forwarding
    target = names.bodies.get(forwarded.body, forwarded.body) if forwarded else ""
    lines = [t("The dossier was forwarded to {body}; the proposer is informed.", body=target)]
    if forwarded is not None and forwarded.skips_level:
        lines.append(t("As this goes beyond a level, {superior} is informed too.",
                       superior=names.body(done, done.route.escalation_to)))
    lines.append(t("The report to the competent level is a written document: its draft is on "
                   "the dossier, under “The document: draft, then its number”."))
    return "\n".join(lines)
