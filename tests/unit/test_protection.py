"""Protecting the cadre, decided: a protection request is decided by the committee (887
Điều 7 khoản 5), an incident is verified by the direct superior (Điều 6 khoản 2 c), and
a dossier does not close while such a matter is open."""

from __future__ import annotations

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import (
    Close,
    DecideProtection,
    MarkObligationDone,
    RecordVerification,
    ReportIncident,
    RequestProtection,
)
from workflow.errors import NotPermitted, TransitionNotAllowed, ValidationError
from workflow.lifecycle import State
from workflow.obligations import Obligation, ObligationKind, ProtectionOutcome
from workflow.protection import VERIFIED

MEASURES = "Đề nghị cơ quan chức năng xác minh khiếu nại; công khai kết quả thẩm định."


async def requested() -> tuple[Scenario, Obligation]:
    s = Scenario("town_state_agency")
    await s.drive_to(State.IMPLEMENTING)
    await s.complete()
    await svc.request_protection(RequestProtection(
        actor=s.proposer, dossier_id=s.dossier_id, summary="Bị khiếu nại sai sự thật"),
        s.uow(), s.clock)
    (obligation,) = s.store.obligations.values()
    s.new_events()
    return s, obligation


def decide(s: Scenario, obligation: Obligation, outcome: ProtectionOutcome,
           by: str = "office", measures: str = MEASURES) -> DecideProtection:
    actor = {"office": s.office, "head": s.head, "proposer": s.proposer,
             "member": s.members[0]}[by]
    return DecideProtection(actor=actor, obligation_id=obligation.id, outcome=outcome,
                            measures=measures, expected_version=obligation.version)


async def test_the_committee_decides_and_the_cadre_is_told() -> None:
    s, obligation = await requested()
    decided = await svc.decide_protection(decide(s, obligation, ProtectionOutcome.PROTECT),
                                          s.uow(), s.clock)
    assert not decided.is_open and decided.outcome == "protect" and decided.summary == MEASURES
    (event,) = s.new_events()
    assert isinstance(event, ev.ProtectionDecided) and event.measures == MEASURES
    assert "cadre-1" in {r.person for r in event.notify}  # the cadre hears the decision
    assert s.dossier.history[-1].action == "decide_protection"


async def test_beyond_its_authority_the_committee_asks_the_body_above() -> None:
    s, obligation = await requested()
    await svc.decide_protection(decide(s, obligation, ProtectionOutcome.REFER_UPWARD, "head"),
                                s.uow(), s.clock)
    above = [o for o in s.store.obligations.values() if o.is_open]
    assert [(o.kind, o.to) for o in above] == [
        (ObligationKind.ASK_PROTECTION_ABOVE, s.dossier.route.escalation_to)]
    kinds = [type(e) for e in s.new_events()]
    assert kinds == [ev.ProtectionDecided, ev.ObligationCreated]


@pytest.mark.parametrize("by", ["proposer", "member"])
async def test_only_the_committee_decides(by: str) -> None:
    s, obligation = await requested()
    with pytest.raises(NotPermitted):
        await svc.decide_protection(decide(s, obligation, ProtectionOutcome.PROTECT, by),
                                    s.uow(), s.clock)
    assert s.store.obligations[obligation.id].is_open


async def test_a_decision_needs_its_measures_or_reasons_and_is_taken_once() -> None:
    s, obligation = await requested()
    with pytest.raises(ValidationError):
        await svc.decide_protection(decide(s, obligation, ProtectionOutcome.NOT_NEEDED,
                                           measures="  "), s.uow(), s.clock)
    await svc.decide_protection(decide(s, obligation, ProtectionOutcome.NOT_NEEDED),
                                s.uow(), s.clock)
    again = DecideProtection(actor=s.office, obligation_id=obligation.id,
                             outcome=ProtectionOutcome.PROTECT, measures=MEASURES)
    with pytest.raises(TransitionNotAllowed):
        await svc.decide_protection(again, s.uow(), s.clock)


async def test_a_protection_request_is_not_merely_marked_done() -> None:
    s, obligation = await requested()
    with pytest.raises(ValidationError):
        await svc.mark_obligation_done(MarkObligationDone(
            actor=s.office, obligation_id=obligation.id, reference="12-BC/TU"),
            s.uow(), s.clock)


async def test_the_dossier_does_not_close_while_protection_is_pending() -> None:
    s, obligation = await requested()
    with pytest.raises(ValidationError) as refused:
        await svc.close(Close(actor=s.head, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert "answer the protection request" in refused.value.render()
    assert s.dossier.state is State.COMPLETED
    await svc.decide_protection(decide(s, obligation, ProtectionOutcome.PROTECT),
                                s.uow(), s.clock)
    closed = await svc.close(Close(actor=s.head, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert closed.state is State.CLOSED


async def test_an_incident_reported_upward_is_verified_by_the_superior() -> None:
    s = Scenario("town_state_agency")
    await s.drive_to(State.IMPLEMENTING)
    await svc.report_incident(ReportIncident(
        actor=s.proposer, dossier_id=s.dossier_id, summary="Sự cố mất dữ liệu"), s.uow(),
        s.clock)
    (report,) = s.store.obligations.values()
    await svc.mark_obligation_done(MarkObligationDone(
        actor=s.office, obligation_id=report.id, reference="15-BC/TU"), s.uow(), s.clock)
    [verify] = [o for o in s.store.obligations.values() if o.is_open]
    assert verify.kind is ObligationKind.VERIFY_INCIDENT
    assert verify.owner == s.dossier.route.escalation_to
    created = [e for e in s.new_events() if isinstance(e, ev.ObligationCreated)]
    assert created[-1].notify[-1].route_body == s.dossier.route.escalation_to  # told
    await s.complete()
    with pytest.raises(ValidationError):  # the verification is still open
        await svc.close(Close(actor=s.head, dossier_id=s.dossier_id), s.uow(), s.clock)
    with pytest.raises(NotPermitted):  # the committee does not verify itself
        await svc.record_verification(RecordVerification(
            actor=s.office, obligation_id=verify.id, conclusion="Không có sai phạm"),
            s.uow(), s.clock)
    done = await svc.record_verification(RecordVerification(
        actor=s.superior, obligation_id=verify.id, conclusion="Rủi ro khách quan; đủ điều "
        "kiện bảo vệ cán bộ.", expected_version=verify.version), s.uow(), s.clock)
    assert done.outcome == VERIFIED and not done.is_open
    (event,) = [e for e in s.new_events() if isinstance(e, ev.IncidentVerified)]
    assert "cadre-1" in {r.person for r in event.notify}
    closed = await svc.close(Close(actor=s.head, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert closed.state is State.CLOSED
