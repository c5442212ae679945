"""Services from the draft to the appraisal: writing, sending, receiving, forwarding.

Each service takes a command and a unit of work (plus the clock, and the working
calendar where a deadline is set), re-checks the actor's role and the dossier's
state against the lifecycle table, and changes nothing when it refuses.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from workflow import events as ev
from workflow import lifecycle
from workflow.actors import Role
from workflow.commands import (
    CellAgree,
    CellReturn,
    CreateDraft,
    ForwardBeyondAuthority,
    MarkComplex,
    Register,
    Resubmit,
    ReturnForCompletion,
    Submit,
    UpdateDraft,
)
from workflow.dossier import Complexity, Dossier, Forwarding
from workflow.errors import ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action, State, Transition
from workflow.obligations import ObligationKind
from workflow.ports import Clock, UnitOfWork, WorkingCalendar
from workflow.rules.model import Pack, UnitKind
from workflow.service_kit import (
    REASON,
    deciding_body,
    load,
    new_obligation,
    now_of,
    permit,
    text,
    today,
)

ANSWER, ANSWER_COMPLEX = "answer", "answer_complex"
# Used only if a pack names no such deadline: 887 Điều 4 khoản 3.
DEFAULT_DAYS = {ANSWER: 30, ANSWER_COMPLEX: 60}


def unit_kind_of(pack: Pack, unit_kind: str) -> UnitKind:
    """The pack's unit kind, or a ValidationError a user can act on."""
    try:
        return pack.unit_kind(unit_kind)
    except KeyError:
        raise ValidationError(
            N_("“{kind}” is not one of the kinds of post this regulation routes."),
            kind=unit_kind,
        ) from None


def new_dossier(cmd: CreateDraft, dossier_id: int, pack: Pack, kind: UnitKind, clock: Clock,
                co_proposers: tuple[str, ...]) -> Dossier:
    """A dossier routed under ``pack``, with the snapshots it keeps for its whole life."""
    route = kind.route
    # The pack's rule, ending as the body's own working rules say where they differ.
    rules = {body: replace(rule, ballot=cmd.ballots.get(body, rule.ballot))
             for body in route.decision_bodies
             if (rule := pack.voting_rule_for(body)) is not None}
    return Dossier(
        id=dossier_id, pack_id=pack.id, pack_version=pack.version, unit_kind=kind.id,
        route=route, proposer=cmd.actor.person_id, plan=cmd.plan, created_at=now_of(clock),
        co_proposers=co_proposers, bodies=dict(cmd.bodies),
        deadlines={d.id: d.working_days for d in pack.deadlines}, voting_rules=rules,
        council_allowed=pack.appraisal_council,
    )


def group(proposer: str, co_proposers: tuple[str, ...]) -> tuple[str, ...]:
    """The other members of a proposing group, without the proposer or repeats."""
    return tuple(p for p in dict.fromkeys(co_proposers) if p and p != proposer)


async def create_draft(cmd: CreateDraft, uow: UnitOfWork, clock: Clock, pack: Pack) -> Dossier:
    """Start a plan under ``pack`` for the actor's unit kind; the actor is the proposer."""
    async with uow:
        kind = unit_kind_of(pack, cmd.unit_kind)
        step = lifecycle.permit(Action.CREATE_DRAFT, None, {Role.PROPOSER})
        co = group(cmd.actor.person_id, cmd.co_proposers)
        dossier = new_dossier(cmd, await uow.dossiers.next_id(), pack, kind, clock, co)
        dossier.apply(step, cmd.actor.person_id, dossier.created_at, [ev.DraftCreated(
            dossier_id=dossier.id, at=dossier.created_at, proposer=dossier.proposer)])
        await uow.dossiers.add(dossier)
        await uow.commit()
        return dossier


async def update_draft(cmd: UpdateDraft, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Replace the plan's content while the proposer holds the dossier."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.UPDATE_DRAFT)
        now = now_of(clock)
        dossier.plan = cmd.plan
        if cmd.co_proposers is not None:
            dossier.co_proposers = group(dossier.proposer, cmd.co_proposers)
        events = [ev.DraftUpdated(dossier_id=dossier.id, at=now)]
        last = dossier.history[-1] if dossier.history else None
        if (dossier.state is State.DRAFT and last is not None
                and last.action == Action.UPDATE_DRAFT.value and last.by == cmd.actor.person_id):
            # Answers are saved as they are given: one history line for a run of edits.
            dossier.revise(step, events)
        else:
            dossier.apply(step, cmd.actor.person_id, now, events)
        await uow.commit()
        return dossier


def _sent(dossier: Dossier, step: Transition, now: datetime) -> list[ev.Event]:
    """Events of a dossier leaving the proposer or the cell for the next body."""
    route = dossier.route
    if step.target is State.AT_CELL and route.preliminary_review:
        to, notify = route.preliminary_review, dossier.to(Role.CELL_SECRETARY,
                                                          route.preliminary_review)
    else:
        to, notify = route.via, dossier.to_office()
    out: list[ev.Event] = [ev.DossierSubmitted(
        dossier_id=dossier.id, at=now, notify=(notify,), to_route_body=to,
        to_body=dossier.body(to), round=dossier.round)]
    if ev.InformationCopyDue in step.events:
        # The informing duty (also_inform) arises when the dossier goes to the office.
        for body in route.also_inform:
            out.append(ev.InformationCopyDue(
                dossier_id=dossier.id, at=now, route_body=body, body=dossier.body(body),
                notify=(ev.Recipient(role=None, body=dossier.body(body), route_body=body),
                        *dossier.to_proposers())))
    return out


async def submit(cmd: Submit, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Send a complete plan to the party cell (where the route has one) or the office."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.SUBMIT)
        dossier.plan.require_complete()
        now = now_of(clock)
        dossier.apply(step, cmd.actor.person_id, now, _sent(dossier, step, now))
        await uow.commit()
        return dossier


async def cell_agree(cmd: CellAgree, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The cell secretary records the cell's agreement and sends the dossier to the office."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.CELL_AGREE)
        now = now_of(clock)
        events = [ev.CellAgreed(dossier_id=dossier.id, at=now, note=cmd.note.strip(),
                                notify=dossier.to_proposers()), *_sent(dossier, step, now)]
        dossier.apply(step, cmd.actor.person_id, now, events, cmd.note.strip())
        await uow.commit()
        return dossier


async def cell_return(cmd: CellReturn, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The cell does not agree yet: the plan goes back to the proposer with a reason."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.CELL_RETURN)
        reason = text(cmd.reason, REASON)
        now = now_of(clock)
        dossier.apply(step, cmd.actor.person_id, now, [ev.CellReturned(
            dossier_id=dossier.id, at=now, reason=reason, notify=dossier.to_proposers())],
            reason)
        await uow.commit()
        return dossier


async def resubmit(cmd: Resubmit, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Send the plan again after the cell, the office or the collective sent it back.

    After re-preparation the process starts again (000 Điều 2 khoản 3 b): a new
    round, through the cell where the route has one; the old round is kept.
    """
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.RESUBMIT)
        dossier.plan.require_complete()
        now = now_of(clock)
        if dossier.state is State.RETURNED_FOR_RE_PREPARATION:
            dossier.start_new_round()
        dossier.apply(step, cmd.actor.person_id, now, _sent(dossier, step, now))
        await uow.commit()
        return dossier


async def register(
    cmd: Register, uow: UnitOfWork, clock: Clock, calendar: WorkingCalendar
) -> Dossier:
    """The office receives and registers the dossier; the answer deadline starts.

    Due date: ``answer`` working days (30) after the day of receipt, which is not
    counted (Civil Code Điều 147); the calendar moves it off days off.
    """
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.REGISTER)
        received = cmd.received_on or today(clock)
        if received > today(clock):
            raise ValidationError(N_("The date of receipt cannot be in the future."))
        now = now_of(clock)
        days = dossier.deadline_days(ANSWER, DEFAULT_DAYS[ANSWER])
        due = calendar.add_working_days(received, days)
        number = await uow.dossiers.next_registration_number(
            dossier.body(dossier.route.via), received.year)
        dossier.registration_number = f"{number:03d}/{received.year}"
        dossier.received_on, dossier.due_on = received, due
        dossier.apply(step, cmd.actor.person_id, now, [
            ev.DossierRegistered(dossier_id=dossier.id, at=now, notify=dossier.to_proposers(),
                                 registration_number=dossier.registration_number,
                                 received_on=received),
            ev.DeadlineSet(dossier_id=dossier.id, at=now, notify=(dossier.to_office(),),
                           deadline_id=ANSWER, working_days=days, received_on=received,
                           due_on=due, **_reminded(dossier)),
        ])
        await uow.commit()
        return dossier


def _reminded(dossier: Dossier) -> dict[str, ev.Recipient]:
    """Who besides the office is reminded of the answer deadline (workflow.reminders)."""
    return {"head": dossier.to_head(),
            "superior": dossier.to(Role.SUPERIOR, dossier.route.escalation_to)}


async def return_for_completion(
    cmd: ReturnForCompletion, uow: UnitOfWork, clock: Clock
) -> Dossier:
    """The office finds the dossier incomplete; the clock starts again on the new receipt."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.RETURN_FOR_COMPLETION)
        missing = tuple(m.strip() for m in cmd.missing if m.strip())
        if not missing:
            text(cmd.note, N_("what is missing"))
        now = now_of(clock)
        dossier.clear_registration()
        dossier.apply(step, cmd.actor.person_id, now, [ev.ReturnedForCompletion(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers(), missing=missing,
            note=cmd.note.strip())], cmd.note.strip())
        await uow.commit()
        return dossier


async def mark_complex(
    cmd: MarkComplex, uow: UnitOfWork, clock: Clock, calendar: WorkingCalendar
) -> Dossier:
    """Difficult or complex matter: the answer is due 60 working days from receipt."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.MARK_COMPLEX)
        if dossier.complexity is not None:
            raise ValidationError(N_("This dossier is already marked as complex."))
        reason = text(cmd.reason, REASON)
        if dossier.received_on is None:  # registered states always have it
            raise AssertionError("a registered dossier without a date of receipt")
        now = now_of(clock)
        days = dossier.deadline_days(ANSWER_COMPLEX, DEFAULT_DAYS[ANSWER_COMPLEX])
        due = calendar.add_working_days(dossier.received_on, days)
        dossier.complexity = Complexity(reason, cmd.actor.person_id, now)
        dossier.due_on = due
        dossier.apply(step, cmd.actor.person_id, now, [
            ev.MarkedComplex(dossier_id=dossier.id, at=now, notify=dossier.to_proposers(),
                             reason=reason, by=cmd.actor.person_id),
            ev.DeadlineSet(dossier_id=dossier.id, at=now, notify=(dossier.to_office(),),
                           deadline_id=ANSWER_COMPLEX, working_days=days,
                           received_on=dossier.received_on, due_on=due,
                           **_reminded(dossier)),
        ], reason)
        await uow.commit()
        return dossier


async def forward_beyond_authority(
    cmd: ForwardBeyondAuthority, uow: UnitOfWork, clock: Clock
) -> Dossier:
    """Beyond authority: report to the competent committee with a proposed solution.

    If that committee is not at the direct superior's level (``same_level``, from the
    organisation chart), the direct superior is informed too (887 Điều 4 khoản 2: asking
    beyond a level).
    """
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.FORWARD_BEYOND_AUTHORITY)
        solution = text(cmd.proposed_solution, N_("the proposed solution"))
        route = dossier.route
        target = (cmd.to or route.escalation_to).strip()
        # ``to`` names a pack body (mapped like the route's) or, if it is already one of
        # the organisation's concrete bodies, that body.
        concrete = {b: rb for rb, b in dossier.bodies.items()}
        route_body = concrete.get(target, None if target in concrete else target)
        body = target if target in concrete else dossier.body(target)
        if body in {dossier.body(b) for b in (route.competent_body, *route.decision_bodies)}:
            raise ValidationError(
                N_("The dossier cannot be forwarded to the body that is considering it."))
        superior = dossier.body(route.escalation_to)
        skips = body != superior and body not in cmd.same_level
        now = now_of(clock)
        notify = [ev.Recipient(role=None, body=body, route_body=route_body),
                  *dossier.to_proposers()]
        if skips:
            notify.append(dossier.to(Role.SUPERIOR, route.escalation_to))
        dossier.forwarding = Forwarding(route_body, body, skips, solution,
                                        cmd.actor.person_id, now)
        # The report itself is a document: the office has it signed and records its number.
        duty = await new_obligation(uow, dossier, ObligationKind.REPORT_BEYOND_AUTHORITY,
                                    deciding_body(dossier), route_body or body, now)
        dossier.apply(step, cmd.actor.person_id, now, [ev.DossierForwarded(
            dossier_id=dossier.id, at=now, notify=tuple(notify), to_route_body=route_body,
            to_body=body, skips_level=skips, proposed_solution=solution), duty], solution)
        await uow.commit()
        return dossier
