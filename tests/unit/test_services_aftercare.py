"""After approval (implementation, incidents, protection, evaluation), withdrawal and
the emergency path; and the unit of work's events."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fakes import FakeUnitOfWork, Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import (
    Close,
    ConcludeEmergency,
    FileEmergencyReport,
    MarkObligationDone,
    RecordEvaluation,
    ReportIncident,
    ReportProgress,
    RequestProtection,
    Submit,
)
from workflow.dossier import DossierKind, EmergencyReport, EncouragementForm
from workflow.errors import NotPermitted, ValidationError
from workflow.lifecycle import State
from workflow.obligations import ObligationKind
from workflow.voting import Choice


async def implementing(unit_kind: str = "town_state_agency") -> Scenario:
    s = Scenario(unit_kind)
    await s.drive_to(State.IMPLEMENTING)
    return s


async def test_progress_reports_are_kept_and_the_office_is_told():
    s = await implementing()
    dossier = await svc.report_progress(ReportProgress(
        actor=s.co_proposer, dossier_id=s.dossier_id, summary="Xong giai đoạn 1"), s.uow(),
        s.clock)
    assert dossier.state is State.IMPLEMENTING
    assert [(r.kind, r.by) for r in dossier.reports] == [("progress", "cadre-2")]
    (reported,) = s.new_events()
    assert reported.notify[0].route_body == "town_party_office"


async def test_an_incident_obliges_the_deciding_body_to_report_to_its_superior_at_once():
    s = await implementing()
    await svc.report_incident(ReportIncident(
        actor=s.proposer, dossier_id=s.dossier_id, summary="Sự cố mất dữ liệu"), s.uow(),
        s.clock)
    (obligation,) = s.store.obligations.values()
    assert obligation.kind is ObligationKind.REPORT_INCIDENT_TO_SUPERIOR
    assert (obligation.owner, obligation.to) == ("town_standing_board",
                                                 "provincial_standing_board")
    kinds = [type(e) for e in s.new_events()]
    assert kinds == [ev.IncidentReported, ev.ObligationCreated]


async def test_the_committee_may_report_an_incident_too():
    s = await implementing("commune")
    await svc.report_incident(ReportIncident(actor=s.head, dossier_id=s.dossier_id,
                                             summary="Phát hiện sai sót"), s.uow(), s.clock)
    (obligation,) = s.store.obligations.values()
    assert (obligation.owner, obligation.to) == ("commune_party_committee", "town_standing_board")


async def test_a_protection_request_obliges_the_committee_to_act():
    s = await implementing()
    await s.complete()
    await svc.request_protection(RequestProtection(
        actor=s.proposer, dossier_id=s.dossier_id, summary="Bị khiếu nại sai"), s.uow(), s.clock)
    (obligation,) = s.store.obligations.values()
    assert obligation.kind is ObligationKind.ANSWER_PROTECTION_REQUEST
    assert obligation.to == "cadre-1"
    assert s.dossier.state is State.COMPLETED


class TestEvaluation:
    async def test_encouragement_forms_are_recorded_when_the_plan_was_effective(self):
        s = await implementing()
        await s.complete()
        dossier = await svc.record_evaluation(RecordEvaluation(
            actor=s.head, dossier_id=s.dossier_id, effective=True,
            forms=(EncouragementForm.HONOURS_AND_PROMOTION, EncouragementForm.REPLICATION),
            proposed_upward=True, summary="Hiệu quả rõ"), s.uow(), s.clock)
        assert dossier.state is State.EVALUATED
        assert dossier.evaluation is not None and dossier.evaluation.proposed_upward
        (recorded,) = s.new_events()
        assert recorded.forms == ("d", "g")
        dossier = await svc.close(Close(actor=s.office, dossier_id=s.dossier_id), s.uow(),
                                  s.clock)
        assert dossier.state is State.CLOSED

    @pytest.mark.parametrize(("effective", "forms"), [
        (False, (EncouragementForm.REWARDS,)),
        (True, ()),
    ])
    async def test_forms_go_with_real_results_only(self, effective, forms):
        s = await implementing()
        await s.complete()
        with pytest.raises(ValidationError):
            await svc.record_evaluation(RecordEvaluation(
                actor=s.office, dossier_id=s.dossier_id, effective=effective, forms=forms),
                s.uow(), s.clock)
        assert s.dossier.state is State.COMPLETED

    async def test_a_completed_dossier_may_close_without_encouragement(self):
        s = await implementing()
        await s.complete()
        dossier = await svc.close(Close(actor=s.head, dossier_id=s.dossier_id), s.uow(), s.clock)
        assert dossier.state is State.CLOSED and dossier.closed_reason == "completed"


class TestWithdrawal:
    async def test_a_draft_is_withdrawn_without_telling_anyone(self):
        s = Scenario()
        await s.create()
        dossier = await s.withdraw()
        assert dossier.state is State.WITHDRAWN
        (withdrawn,) = s.new_events()
        assert withdrawn.notify == ()

    async def test_a_registered_dossier_is_withdrawn_and_the_office_told(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        await s.withdraw()
        (withdrawn,) = s.new_events()
        assert withdrawn.notify[0].route_body == "commune_party_office"

    async def test_withdrawing_during_the_vote_cancels_the_ballot(self):
        s = Scenario("commune")
        await s.drive_to(State.BALLOT_OPEN)
        await s.vote(s.head, Choice.APPROVE)
        await s.withdraw()
        (ballot,) = s.store.ballots.values()
        assert ballot.cancelled and not ballot.is_open and ballot.outcome is None
        assert [type(e) for e in s.new_events()] == [ev.DossierWithdrawn, ev.BallotCancelled]

    async def test_only_a_proposer_withdraws(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        s.proposer = s.office
        with pytest.raises(NotPermitted):
            await s.withdraw()
        assert s.dossier.state is State.REGISTERED


class TestEmergency:
    async def test_an_emergency_report_obliges_the_collective_to_conclude(self):
        s = Scenario("commune")
        dossier = await s.emergency()
        assert dossier.state is State.EMERGENCY_REPORTED
        assert dossier.kind is DossierKind.EMERGENCY and dossier.emergency is not None
        assert dossier.plan.title == "Sơ tán dân khỏi vùng sạt lở"
        (obligation,) = s.store.obligations.values()
        assert obligation.kind is ObligationKind.CONCLUDE_EMERGENCY
        assert obligation.owner == "commune_party_committee"
        reported = next(e for e in s.new_events() if isinstance(e, ev.EmergencyReported))
        assert {r.route_body for r in reported.notify} == {"commune_party_office",
                                                          "commune_party_secretary"}

        with pytest.raises(ValidationError):  # fulfilled only by the conclusion
            await svc.mark_obligation_done(MarkObligationDone(
                actor=s.office, obligation_id=obligation.id, reference="x"), s.uow(), s.clock)
        dossier = await svc.conclude_emergency(ConcludeEmergency(
            actor=s.head, dossier_id=s.dossier_id, conclusion="Xử lý đúng, kịp thời"),
            s.uow(), s.clock)
        assert dossier.state is State.CLOSED
        assert not s.store.obligations[obligation.id].is_open
        kinds = [type(e) for e in s.new_events()]
        assert kinds == [ev.EmergencyConcluded, ev.ObligationFulfilled, ev.DossierClosed]

    @pytest.mark.parametrize("report", [
        EmergencyReport(action_taken="Sơ tán", taken_on=date(2024, 3, 5), why_no_plan="Lũ"),
        EmergencyReport(action_taken="Sơ tán", taken_on=date(2024, 3, 1), why_no_plan=""),
        EmergencyReport(action_taken="", taken_on=date(2024, 3, 1), why_no_plan="Lũ"),
    ])
    async def test_an_emergency_report_needs_what_when_and_why(self, report):
        s = Scenario("commune")
        with pytest.raises(ValidationError):
            await svc.file_emergency_report(FileEmergencyReport(
                actor=s.proposer, unit_kind="commune", report=report), s.uow(), s.clock, s.pack)
        assert s.store.dossiers == {} and s.store.obligations == {}


class TestUnitOfWork:
    async def test_events_are_handed_out_once_after_commit(self):
        s = Scenario()
        await s.create()
        uow = s.uow()
        dossier = await svc.submit(Submit(actor=s.proposer, dossier_id=s.dossier_id), uow,
                                   s.clock)
        first = list(uow.collect_new_events())
        assert [type(e) for e in first] == [ev.DossierSubmitted]
        assert list(uow.collect_new_events()) == []
        assert dossier.events == []

    async def test_a_refused_action_publishes_nothing(self):
        s = Scenario()
        await s.create()
        published = len(s.store.published)
        uow = FakeUnitOfWork(s.store)
        with pytest.raises(NotPermitted):
            await svc.submit(Submit(actor=s.office, dossier_id=s.dossier_id), uow, s.clock)
        assert uow.commits == 0 and uow.rollbacks == 1
        assert list(uow.collect_new_events()) == []
        assert len(s.store.published) == published
