"""The wizard and the dossier services: save as a draft, send, and reopen a saved draft.

Everything goes through ``workflow`` services, which re-check the person's right and
the dossier's state; their refusals (``DomainError``) reach the router, which shows
them and the current step again.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Turn
from handlers.flows import filing_state as fs
from handlers.flows.filing_state import Wizard
from handlers.flows.filing_steps import button, short
from workflow.commands import CreateDraft, Resubmit, Submit, UpdateDraft
from workflow.dossier import Dossier, DossierKind
from workflow.lifecycle import EDITABLE, STATE_LABELS, State
from workflow.services import create_draft, resubmit, submit, update_draft


async def save(turn: Turn, wizard: Wizard) -> Dossier:
    """Create the draft dossier on the first save, update it afterwards."""
    person = turn.person
    assert person is not None and person.unit_kind, "checked when the wizard started"
    services = turn.services
    actor = await turn.actor()
    plan = wizard.plan()
    co_proposers = tuple(str(p.get("id")) for p in wizard.co_proposers)
    if wizard.dossier_id is None:
        pack = turn.pack
        bodies = await services.directory.route_bodies(person.id, pack)
        dossier = await create_draft(
            CreateDraft(actor=actor, unit_kind=person.unit_kind, plan=plan,
                        co_proposers=co_proposers, bodies=bodies,
                        ballots=await services.directory.route_ballots(bodies)),
            services.uow(), services.clock, pack)
        wizard.data["dossier_id"] = dossier.id
    else:
        dossier = await update_draft(
            UpdateDraft(actor=actor, dossier_id=wizard.dossier_id, plan=plan,
                        co_proposers=co_proposers),
            services.uow(), services.clock)
    wizard.data["dirty"] = False
    return dossier


async def send(turn: Turn, wizard: Wizard) -> Dossier:
    """Save the final plan, then send it: a first time, or again after it was returned."""
    dossier = await save(turn, wizard)
    services = turn.services
    actor = await turn.actor()
    if dossier.state is State.DRAFT:
        return await submit(Submit(actor=actor, dossier_id=dossier.id), services.uow(),
                            services.clock)
    return await resubmit(Resubmit(actor=actor, dossier_id=dossier.id), services.uow(),
                          services.clock)


async def drafts(turn: Turn) -> list[Dossier]:
    """The person's plans that they may still edit: drafts and plans sent back to them."""
    assert turn.person is not None
    found = await turn.services.directory.dossiers_of(turn.person.id)
    return [d for d in found if d.state in EDITABLE and d.kind is DossierKind.PLAN
            and d.proposer == turn.person.id]


def return_note(dossier: Dossier) -> str:
    """Why the plan came back (the note of the step that returned it), if any."""
    for entry in reversed(dossier.history):
        if entry.to_state is dossier.state:
            return entry.note
    return ""


async def wizard_from(turn: Turn, dossier: Dossier) -> dict[str, Any]:
    """The wizard's data for a saved dossier, its files as they were received."""
    data = fs.fresh()
    plan = dossier.plan
    data["plan"] = {
        "title": plan.title, "problem_kind": plan.problem_kind.value if plan.problem_kind
        else None, "regulation": plan.regulation, "regulation_issuer": plan.regulation_issuer,
        "problem": plan.problem, "approach": plan.approach,
        "expected_results": plan.expected_results, "risks": plan.risks,
        "common_good": plan.common_good, "progress_every": plan.progress_every,
    }
    co: list[dict[str, Any]] = []
    for person_id in dossier.co_proposers:
        info = await turn.services.directory.person(person_id)
        co.append({"id": person_id, "name": info.name if info else person_id,
                   "title": info.title if info else None})
    data["co"] = co
    # Files received keep their ids and checksums; a name alone (kept before files
    # were recorded) stays a name.
    files = [fs.entry_of(f) for f in plan.files]
    named = {f.name for f in plan.files}
    data["files"] = files + [{"name": name} for name in plan.attachments if name not in named]
    data["dossier_id"] = dossier.id
    return data


async def show_drafts(turn: Turn, wizard: Wizard) -> None:
    """The saved plans listed when /draft finds more than one, each with its button."""
    t = turn.t
    found = {d.id: d for d in await drafts(turn)}
    lines, buttons = [t("Your saved plans: choose one to continue.")], []
    for i, dossier_id in enumerate(wizard.data.get("drafts", [])):
        dossier = found.get(dossier_id)
        if dossier is None:
            continue
        title = dossier.plan.title or t("untitled")
        state = t(STATE_LABELS[dossier.state])
        lines.append(t("{n}. No. {id}: {title} ({state})", n=i + 1, id=dossier_id,
                       title=title, state=state))
        buttons.append((button(wizard, f"{i + 1}. {short(title, 40)}", "open", i),))
    turn.say("\n".join(lines), tuple(buttons))
