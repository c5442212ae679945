"""Documents the office sends after a step: the written notice that a plan is not feasible
and the report of a dossier beyond authority are duties, fulfilled by their number."""

from __future__ import annotations

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import MarkObligationDone
from workflow.errors import NotPermitted, StaleVersion
from workflow.lifecycle import State
from workflow.obligations import ObligationKind


async def duty_of(s: Scenario, kind: ObligationKind):  # type: ignore[no-untyped-def]
    [found] = [o for o in s.store.obligations.values() if o.kind is kind]
    return found


async def test_an_infeasible_plan_leaves_the_duty_to_send_the_notice_to_the_proposer():
    s = Scenario("commune")
    await s.drive_to(State.APPRAISAL_ASSIGNED)
    await s.file_appraisal(feasible=False)
    duty = await duty_of(s, ObligationKind.SEND_NOT_FEASIBLE_NOTICE)
    assert duty.owner == "commune_standing_board" and duty.to == "cadre-1" and duty.is_open
    await svc.mark_obligation_done(MarkObligationDone(
        actor=s.office, obligation_id=duty.id, reference="12-TB/ĐU"), s.uow(), s.clock)
    done = s.store.obligations[duty.id]
    assert done.reference == "12-TB/ĐU" and not done.is_open
    [fulfilled] = [e for e in s.new_events() if isinstance(e, ev.ObligationFulfilled)]
    assert {"cadre-1", "cadre-2"} <= {r.person for r in fulfilled.notify}


async def test_forwarding_leaves_the_duty_to_report_to_the_competent_level():
    s = Scenario("commune")
    await s.drive_to(State.ESCALATED)
    duty = await duty_of(s, ObligationKind.REPORT_BEYOND_AUTHORITY)
    assert duty.owner == "commune_party_committee" and duty.to == "town_standing_board"


async def test_the_duty_is_refused_to_the_wrong_role_and_a_stale_version():
    s = Scenario("commune")
    await s.drive_to(State.ESCALATED)
    duty = await duty_of(s, ObligationKind.REPORT_BEYOND_AUTHORITY)
    before = s.snapshot()
    with pytest.raises(NotPermitted):
        await svc.mark_obligation_done(MarkObligationDone(
            actor=s.members[0], obligation_id=duty.id, reference="01-BC"), s.uow(), s.clock)
    with pytest.raises(StaleVersion):
        await svc.mark_obligation_done(MarkObligationDone(
            actor=s.office, obligation_id=duty.id, reference="01-BC",
            expected_version=duty.version + 1), s.uow(), s.clock)
    assert s.store == before
