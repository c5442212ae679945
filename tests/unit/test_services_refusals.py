"""Every forbidden transition and every wrong role is refused, and nothing changes.

For each state a dossier can reach on a route, the dossier is driven there through
the services; then every action that the table does not allow from that state is
tried (expecting TransitionNotAllowed), and every allowed action is tried by each
person who holds none of its roles (expecting NotPermitted). The store must be
exactly as before and no unit of work may have committed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest

from tests.fakes import Scenario
from workflow import services as svc
from workflow.actors import Actor, Role
from workflow.commands import (
    AssignAppraisal,
    AssignLegalReview,
    CastVote,
    CellAgree,
    CellReturn,
    Close,
    CloseBallot,
    ConcludeEmergency,
    FileAppraisal,
    FileLegalReview,
    ForwardBeyondAuthority,
    HeadDecide,
    MarkComplex,
    OpenBallot,
    OpenEvaluation,
    RecordEvaluation,
    Register,
    ReportCompletion,
    ReportIncident,
    ReportProgress,
    RequestProtection,
    Resubmit,
    ReturnForCompletion,
    SendWrittenAnswer,
    StartImplementation,
    Submit,
    UpdateDraft,
    Withdraw,
)
from workflow.dossier import EncouragementForm
from workflow.errors import NotPermitted, TransitionNotAllowed
from workflow.lifecycle import (
    TERMINAL_STATES,
    Action,
    Condition,
    State,
    Transition,
    transitions_for,
)
from workflow.voting import Choice

# Conditions that come from the command rather than from the route.
FROM_COMMAND = {Condition.FEASIBLE, Condition.NOT_FEASIBLE, Condition.APPROVED,
                Condition.REJECTED, Condition.RETURNED, Condition.NO_CONSENSUS,
                Condition.QUORUM_NOT_MET, Condition.OVERRIDE, Condition.DECLINE,
                Condition.NOT_ADOPTED}
# Actions that start a new dossier or are valid in every state are tested elsewhere
# (the protection matters in test_protection, publication in test_services_publishing).
ON_A_DOSSIER = [a for a in Action if a not in (
    Action.CREATE_DRAFT, Action.FILE_EMERGENCY_REPORT, Action.MARK_OBLIGATION_DONE,
    Action.RECORD_DOCUMENT, Action.DECIDE_PROTECTION, Action.RECORD_VERIFICATION,
    Action.PUBLISH_RESULTS, Action.WITHDRAW_PUBLICATION)]
NO_LEGAL_REVIEW = {State.LEGAL_REVIEW_ASSIGNED, State.LEGAL_REVIEWED}
NO_CELL = {State.AT_CELL, State.RETURNED_BY_CELL}
CASES = [
    *[("town_state_agency", s) for s in State],
    *[("commune", s) for s in State if s not in NO_LEGAL_REVIEW | NO_CELL],
]


def call(s: Scenario, action: Action, actor: Actor) -> Awaitable[Any]:
    """The service for ``action`` with a plausible command from ``actor``."""
    ids: dict[str, Any] = {"actor": actor, "dossier_id": s.dossier_id}
    uow, clock, calendar = s.uow(), s.clock, s.calendar
    summary: dict[str, Any] = {"summary": "Nội dung"}
    commands: dict[Action, Any] = {
        Action.UPDATE_DRAFT: lambda: svc.update_draft(UpdateDraft(plan=s.plan, **ids), uow, clock),
        Action.SUBMIT: lambda: svc.submit(Submit(**ids), uow, clock),
        Action.CELL_AGREE: lambda: svc.cell_agree(CellAgree(**ids), uow, clock),
        Action.CELL_RETURN: lambda: svc.cell_return(CellReturn(reason="Lý do", **ids), uow, clock),
        Action.RESUBMIT: lambda: svc.resubmit(Resubmit(**ids), uow, clock),
        Action.REGISTER: lambda: svc.register(Register(**ids), uow, clock, calendar),
        Action.RETURN_FOR_COMPLETION: lambda: svc.return_for_completion(
            ReturnForCompletion(missing=("dự toán",), **ids), uow, clock),
        Action.MARK_COMPLEX: lambda: svc.mark_complex(
            MarkComplex(reason="Phức tạp", **ids), uow, clock, calendar),
        Action.FORWARD_BEYOND_AUTHORITY: lambda: svc.forward_beyond_authority(
            ForwardBeyondAuthority(proposed_solution="Giải pháp", **ids), uow, clock),
        Action.ASSIGN_APPRAISAL: lambda: svc.assign_appraisal(
            AssignAppraisal(appraisers=(s.appraiser.person_id,), **ids), uow, clock, calendar),
        Action.FILE_APPRAISAL: lambda: svc.file_appraisal(
            FileAppraisal(feasible=True, **summary, **ids), uow, clock),
        Action.ASSIGN_LEGAL_REVIEW: lambda: svc.assign_legal_review(
            AssignLegalReview(reviewers=(s.legal.person_id,), **ids), uow, clock, calendar),
        Action.FILE_LEGAL_REVIEW: lambda: svc.file_legal_review(
            FileLegalReview(**summary, **ids), uow, clock),
        Action.OPEN_BALLOT: lambda: svc.open_ballot(OpenBallot(
            members=tuple(a.person_id for a in s.voters), head_person=s.head.person_id,
            closes_at=clock.now() + timedelta(days=2), **ids), uow, clock),
        Action.CAST_VOTE: lambda: svc.cast_vote(CastVote(choice=Choice.APPROVE, **ids), uow,
                                                clock),
        Action.CLOSE_BALLOT: lambda: svc.close_ballot(CloseBallot(**ids), uow, clock),
        Action.HEAD_DECIDE: lambda: svc.head_decide(
            HeadDecide(proceed=True, reasoning="Khả thi", **ids), uow, clock),
        Action.SEND_WRITTEN_ANSWER: lambda: svc.send_written_answer(
            SendWrittenAnswer(reference="01-CV", **ids), uow, clock),
        Action.START_IMPLEMENTATION: lambda: svc.start_implementation(
            StartImplementation(**ids), uow, clock),
        Action.REPORT_PROGRESS: lambda: svc.report_progress(
            ReportProgress(**summary, **ids), uow, clock),
        Action.REPORT_INCIDENT: lambda: svc.report_incident(
            ReportIncident(**summary, **ids), uow, clock),
        Action.REQUEST_PROTECTION: lambda: svc.request_protection(
            RequestProtection(**summary, **ids), uow, clock),
        Action.REPORT_COMPLETION: lambda: svc.report_completion(
            ReportCompletion(**summary, **ids), uow, clock),
        Action.RECORD_EVALUATION: lambda: svc.record_evaluation(RecordEvaluation(
            effective=True, forms=(EncouragementForm.REWARDS,), **ids), uow, clock),
        Action.OPEN_EVALUATION: lambda: svc.open_evaluation(OpenEvaluation(
            members=tuple(a.person_id for a in s.voters), effective=True,
            forms=(EncouragementForm.REWARDS,), closes_at=clock.now() + timedelta(days=2),
            **ids), uow, clock),
        Action.CLOSE: lambda: svc.close(Close(**ids), uow, clock),
        Action.WITHDRAW: lambda: svc.withdraw(Withdraw(**ids), uow, clock),
        Action.CONCLUDE_EMERGENCY: lambda: svc.conclude_emergency(
            ConcludeEmergency(conclusion="Kết luận", **ids), uow, clock),
    }
    return commands[action]()


def rows_from(s: Scenario, action: Action, state: State) -> list[Transition]:
    """The rows that could apply on this dossier's route (command facts aside)."""
    facts = s.dossier.route_conditions() | FROM_COMMAND
    return [t for t in transitions_for(action)
            if state in t.sources and (t.when is None or t.when in facts)]


def test_every_action_on_a_dossier_has_a_call():
    s = Scenario()
    for action in ON_A_DOSSIER:
        call(s, action, s.proposer).close()  # built, never awaited


@pytest.mark.parametrize(("unit_kind", "state"), CASES, ids=[f"{k}-{s}" for k, s in CASES])
async def test_forbidden_transitions_are_refused_and_change_nothing(unit_kind, state):
    s = Scenario(unit_kind)
    await s.drive_to(state)
    before = s.snapshot()
    tried = 0
    for action in ON_A_DOSSIER:
        if rows_from(s, action, state):
            continue
        roles = sorted({r for t in transitions_for(action) for r in t.roles}, key=list(Role).index)
        with pytest.raises(TransitionNotAllowed):
            await call(s, action, s.actor_for(roles[0]))
        assert s.last_uow is not None and s.last_uow.commits == 0
        tried += 1
    assert s.store == before
    assert tried > 0


@pytest.mark.parametrize(("unit_kind", "state"), CASES, ids=[f"{k}-{s}" for k, s in CASES])
async def test_wrong_roles_are_refused_and_change_nothing(unit_kind, state):
    s = Scenario(unit_kind)
    await s.drive_to(state)
    before = s.snapshot()
    tried = 0
    for action in ON_A_DOSSIER:
        rows = rows_from(s, action, state)
        allowed = {r for t in rows for r in t.roles}
        for actor in s.everyone():
            if not rows or s.dossier.roles_of(actor) & allowed:
                continue
            with pytest.raises(NotPermitted):
                await call(s, action, actor)
            assert s.last_uow is not None and s.last_uow.commits == 0
            tried += 1
    assert s.store == before
    assert tried > 0 or state in TERMINAL_STATES
