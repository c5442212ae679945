"""Services after approval (implementation, incidents, protection, evaluation, closing)
and the exits outside the normal path (withdrawal, the emergency report)."""

from __future__ import annotations

from workflow import events as ev
from workflow import lifecycle
from workflow.actors import Role
from workflow.commands import (
    Close,
    ConcludeEmergency,
    CreateDraft,
    FileEmergencyReport,
    RecordEvaluation,
    ReportCompletion,
    ReportIncident,
    ReportProgress,
    RequestProtection,
    StartImplementation,
    Withdraw,
)
from workflow.dossier import (
    Dossier,
    DossierKind,
    Evaluation,
    Plan,
    Report,
)
from workflow.errors import ValidationError
from workflow.evaluating import encouragement
from workflow.i18n import N_
from workflow.intake import group, new_dossier, unit_kind_of
from workflow.lifecycle import Action, State
from workflow.obligations import OBLIGATION_SHORT_LABELS, ObligationKind
from workflow.ports import Clock, UnitOfWork
from workflow.protection import open_matters
from workflow.rules.model import Pack
from workflow.service_kit import (
    SUMMARY,
    committee,
    deciding_body,
    load,
    new_obligation,
    now_of,
    permit,
    text,
    today,
)


async def start_implementation(cmd: StartImplementation, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The proposer starts the pilot, which only an approval answered in writing allows."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.START_IMPLEMENTATION)
        now = now_of(clock)
        dossier.apply(step, cmd.actor.person_id, now, [ev.ImplementationStarted(
            dossier_id=dossier.id, at=now, notify=committee(dossier),
            reporters=dossier.to_proposers(), every=dossier.plan.progress_every)])
        await uow.commit()
        return dossier


async def _report(
    cmd: ReportProgress | ReportIncident | RequestProtection | ReportCompletion,
    uow: UnitOfWork,
    clock: Clock,
    action: Action,
    kind: str,
) -> Dossier:
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, action)
        summary = text(cmd.summary, SUMMARY)
        now = now_of(clock)
        i, told = dossier.id, committee(dossier)
        events: list[ev.Event]
        if action is Action.REPORT_INCIDENT:
            # 887 Điều 6 khoản 2 c: the collective that approved reports to its direct
            # superior at once; the superior has it verified.
            events = [
                ev.IncidentReported(dossier_id=i, at=now, summary=summary,
                                    notify=(*told, *dossier.to_proposers())),
                await new_obligation(uow, dossier, ObligationKind.REPORT_INCIDENT_TO_SUPERIOR,
                                     deciding_body(dossier), dossier.route.escalation_to, now),
            ]
        elif action is Action.REQUEST_PROTECTION:
            # 887 Điều 7 khoản 5: act at once, or ask the competent body above.
            events = [
                ev.ProtectionRequested(dossier_id=i, at=now, summary=summary, notify=told),
                await new_obligation(uow, dossier, ObligationKind.ANSWER_PROTECTION_REQUEST,
                                     deciding_body(dossier), dossier.proposer, now),
            ]
        elif action is Action.REPORT_COMPLETION:
            events = [ev.CompletionReported(dossier_id=i, at=now, summary=summary, notify=told)]
        else:
            events = [ev.ProgressReported(dossier_id=i, at=now, summary=summary,
                                          notify=(dossier.to_office(),),
                                          reporters=dossier.to_proposers(),
                                          every=dossier.plan.progress_every)]
        dossier.reports.append(Report(kind, summary, cmd.actor.person_id, now))
        dossier.apply(step, cmd.actor.person_id, now, events, summary)
        await uow.commit()
        return dossier


async def report_progress(cmd: ReportProgress, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The proposer reports progress (887 Điều 8 khoản 3)."""
    return await _report(cmd, uow, clock, Action.REPORT_PROGRESS, "progress")


async def report_incident(cmd: ReportIncident, uow: UnitOfWork, clock: Clock) -> Dossier:
    """A risk or error occurred: recorded, and the deciding body owes its superior a report."""
    return await _report(cmd, uow, clock, Action.REPORT_INCIDENT, "incident")


async def request_protection(cmd: RequestProtection, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The proposer asks for protection; the committee owes an answer (887 Điều 7 khoản 5)."""
    return await _report(cmd, uow, clock, Action.REQUEST_PROTECTION, "protection")


async def report_completion(cmd: ReportCompletion, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The proposer reports that the plan has been carried out."""
    return await _report(cmd, uow, clock, Action.REPORT_COMPLETION, "completion")


async def record_evaluation(cmd: RecordEvaluation, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The collective's evaluation and, when the plan brought real results, the forms of
    encouragement (887 Điều 5 khoản 2 a–h); results are made public (khoản 3)."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.RECORD_EVALUATION)
        forms = encouragement(cmd.effective, cmd.forms)
        now = now_of(clock)
        summary = cmd.summary.strip()
        dossier.evaluation = Evaluation(cmd.effective, forms, cmd.proposed_upward, summary,
                                        cmd.actor.person_id, now)
        dossier.apply(step, cmd.actor.person_id, now, [ev.EvaluationRecorded(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers(),
            effective=cmd.effective, forms=tuple(f.value for f in forms),
            proposed_upward=cmd.proposed_upward, summary=summary)], summary)
        await uow.commit()
        return dossier


async def close(cmd: Close, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Close a dossier whose course is over (completed, evaluated, or forwarded)."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.CLOSE)
        matters = open_matters(await uow.obligations.for_dossier(dossier.id))
        if matters:
            # 887 Điều 7 khoản 6: protecting the cadre is never left behind.
            raise ValidationError(
                N_("The dossier cannot be closed while a matter of the cadre's protection "
                   "is open: {matter}."),
                labels=("matter",), matter=OBLIGATION_SHORT_LABELS[matters[0].kind])
        now = now_of(clock)
        reason = cmd.reason.strip() or dossier.state.value
        dossier.closed_reason = reason
        dossier.apply(step, cmd.actor.person_id, now, [ev.DossierClosed(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers(), reason=reason)],
            reason)
        await uow.commit()
        return dossier


async def withdraw(cmd: Withdraw, uow: UnitOfWork, clock: Clock) -> Dossier:
    """The proposer withdraws the dossier before a decision; an open vote is cancelled."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.WITHDRAW)
        now = now_of(clock)
        reason = cmd.reason.strip()
        events: list[ev.Event] = []
        if dossier.state is State.BALLOT_OPEN:
            ballot = await uow.ballots.open_for(dossier.id)
            if ballot is not None:
                ballot.cancel(now)
                events.append(ev.BallotCancelled(
                    dossier_id=dossier.id, at=now, ballot_id=ballot.id,
                    notify=dossier.to_persons(Role.MEMBER, sorted(ballot.voters.voters))))
        notify: list[ev.Recipient] = []
        route = dossier.route
        if dossier.state in (State.AT_CELL, State.RETURNED_BY_CELL) and route.preliminary_review:
            notify.append(dossier.to(Role.CELL_SECRETARY, route.preliminary_review))
        elif dossier.state is not State.DRAFT:
            notify.append(dossier.to_office())
        events.insert(0, ev.DossierWithdrawn(dossier_id=dossier.id, at=now, notify=tuple(notify),
                                             reason=reason))
        dossier.closed_reason = "withdrawn"
        dossier.apply(step, cmd.actor.person_id, now, events, reason)
        await uow.commit()
        return dossier


async def file_emergency_report(
    cmd: FileEmergencyReport, uow: UnitOfWork, clock: Clock, pack: Pack
) -> Dossier:
    """887 Điều 4 khoản 4: a cadre reports in writing an urgent action taken without a
    plan; the collective must then discuss, evaluate and conclude (an obligation)."""
    async with uow:
        kind = unit_kind_of(pack, cmd.unit_kind)
        step = lifecycle.permit(Action.FILE_EMERGENCY_REPORT, None, {Role.PROPOSER})
        report = cmd.report
        action_taken = text(report.action_taken, N_("what was done"))
        text(report.why_no_plan, N_("why there was no time to file a plan"))
        if report.taken_on > today(clock):
            raise ValidationError(N_("The date of the action cannot be in the future."))
        draft = CreateDraft(actor=cmd.actor, unit_kind=kind.id, bodies=cmd.bodies,
                            ballots=cmd.ballots, plan=Plan(title=cmd.title.strip() or action_taken))
        co = group(cmd.actor.person_id, cmd.co_proposers)
        dossier = new_dossier(draft, await uow.dossiers.next_id(), pack, kind, clock, co)
        dossier.kind, dossier.emergency = DossierKind.EMERGENCY, report
        await uow.dossiers.add(dossier)
        now = dossier.created_at
        dossier.apply(step, cmd.actor.person_id, now, [
            ev.EmergencyReported(dossier_id=dossier.id, at=now, notify=committee(dossier),
                                 summary=action_taken),
            await new_obligation(uow, dossier, ObligationKind.CONCLUDE_EMERGENCY,
                                 dossier.route.decision_bodies[0], dossier.proposer, now),
        ])
        await uow.commit()
        return dossier


async def conclude_emergency(cmd: ConcludeEmergency, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Record the collective's conclusion on an emergency action; the dossier closes."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.CONCLUDE_EMERGENCY)
        conclusion = text(cmd.conclusion, N_("the collective's conclusion"))
        now = now_of(clock)
        events: list[ev.Event] = [ev.EmergencyConcluded(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers(), conclusion=conclusion)]
        for obligation in await uow.obligations.for_dossier(dossier.id):
            if obligation.kind is ObligationKind.CONCLUDE_EMERGENCY and obligation.is_open:
                obligation.done_at, obligation.done_by = now, cmd.actor.person_id
                obligation.version += 1
                events.append(ev.ObligationFulfilled(
                    dossier_id=dossier.id, at=now, obligation_id=obligation.id,
                    kind=obligation.kind, reference=None))
        dossier.closed_reason = "emergency_concluded"
        events.append(ev.DossierClosed(dossier_id=dossier.id, at=now,
                                       reason="emergency_concluded"))
        dossier.apply(step, cmd.actor.person_id, now, events, conclusion)
        await uow.commit()
        return dossier
