"""Statistics from what the dossiers went through, checked against hand-counted figures:
outcomes, the written answer's timeliness in working days across Tết 2026, pilots,
incidents and protection requests, by unit and unit kind."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fakes import Scenario
from workflow import services as svc
from workflow.calendar import bundled_calendar
from workflow.commands import (
    DecideProtection,
    HeadDecide,
    MarkObligationDone,
    RecordVerification,
    ReportIncident,
    RequestProtection,
)
from workflow.dossier import EncouragementForm
from workflow.lifecycle import State
from workflow.obligations import ObligationKind, ProtectionOutcome
from workflow.statistics import PENDING, Period, Statistics, UnitOf, compute
from workflow.voting import Choice

CALENDAR = bundled_calendar()
YEAR_2026 = Period.year(2026)
SCHOOL = UnitOf("mn-pho-chau", "Trường Mầm non Phổ Châu", "commune_school")


async def filed(s: Scenario, on: date) -> None:
    """A new plan sent on ``on`` (through the cell) and registered the same day."""
    s.clock.set_date(on)
    await s.create()
    await s.to_office()
    await s.register()


async def answered(s: Scenario, choice: Choice, on: date) -> None:
    await s.appraise()
    await s.decide(choice)
    s.clock.set_date(on)
    await s.answer()


def obligation(s: Scenario, kind: ObligationKind) -> int:
    return next(o.id for o in s.store.obligations.values()
                if o.dossier_id == s.dossier_id and o.kind is kind and o.is_open)


async def fixture() -> tuple[Scenario, dict[str, int]]:
    s = Scenario()
    s.calendar = CALENDAR  # type: ignore[assignment]
    ids: dict[str, int] = {}
    # 1. Received Mon 12/1/2026: due 2/3 (30 working days; Tết 16–20/2 is off). Approved
    # and answered Fri 27/2: 29 working days, on time (Monday to Friday alone: 34, late).
    await filed(s, date(2026, 1, 12))
    ids["on_time"] = s.dossier_id
    await answered(s, Choice.APPROVE, date(2026, 2, 27))
    s.clock.set_date(date(2026, 3, 2))
    await s.start()
    s.clock.set_date(date(2026, 3, 10))
    await svc.report_incident(ReportIncident(actor=s.proposer, summary="Lỗi phần mềm",
                                             dossier_id=s.dossier_id), s.uow(), s.clock)
    await svc.mark_obligation_done(MarkObligationDone(
        actor=s.office, reference="3-BC/ĐU",
        obligation_id=obligation(s, ObligationKind.REPORT_INCIDENT_TO_SUPERIOR)),
        s.uow(), s.clock)
    await svc.record_verification(RecordVerification(
        actor=s.superior, conclusion="Đúng kế hoạch",
        obligation_id=obligation(s, ObligationKind.VERIFY_INCIDENT)), s.uow(), s.clock)
    await svc.request_protection(RequestProtection(actor=s.proposer, summary="Bị khiếu nại",
                                                   dossier_id=s.dossier_id), s.uow(), s.clock)
    await svc.decide_protection(DecideProtection(
        actor=s.office, outcome=ProtectionOutcome.PROTECT, measures="Xác nhận đúng kế hoạch",
        obligation_id=obligation(s, ObligationKind.ANSWER_PROTECTION_REQUEST)),
        s.uow(), s.clock)
    s.clock.set_date(date(2026, 6, 1))
    await s.complete()
    s.clock.set_date(date(2026, 6, 15))
    await s.evaluate()  # recognition (887 Điều 5 khoản 2 c)
    # 2. Received 12/1, not approved, answered Wed 4/3: 32 working days, 2 late.
    await filed(s, date(2026, 1, 12))
    ids["late"] = s.dossier_id
    await answered(s, Choice.REJECT, date(2026, 3, 4))
    # 3. Received Mon 2/2, re-prepare, answered Tue 10/2: 6 working days.
    await filed(s, date(2026, 2, 2))
    await answered(s, Choice.RE_PREPARE, date(2026, 2, 10))
    # 4. Received 2/3, forwarded beyond authority: not timed.
    await filed(s, date(2026, 3, 2))
    await s._step_forward()
    # 5. Received Mon 2/3, due Mon 13/4 (21 working days in March, 9 in April), never
    # answered: on 20/4 it is 5 working days overdue.
    await filed(s, date(2026, 3, 2))
    ids["waiting"] = s.dossier_id
    # 6. No consensus, the head orders implementation (not answered: in time until 13/4).
    await filed(s, date(2026, 3, 2))
    await s.appraise()
    await s.no_consensus()
    await svc.head_decide(HeadDecide(actor=s.head, proceed=True, reasoning="Cần thiết",
                                     dossier_id=s.dossier_id), s.uow(), s.clock)
    # 7. Found not feasible at appraisal; the notice is still owed.
    await filed(s, date(2026, 3, 2))
    await s.assign_appraisal()
    await s.file_appraisal(False)
    # 8. A draft and 9. a plan of 2025: not counted.
    s.clock.set_date(date(2026, 3, 2))
    await s.create()
    await filed(s, date(2025, 12, 1))
    return s, ids


def stats(s: Scenario, period: Period = YEAR_2026, as_of: date = date(2026, 4, 20)
          ) -> Statistics:
    return compute(s.store.dossiers.values(), s.store.obligations.values(), CALENDAR, period,
                   as_of=as_of, units={"cadre-1": SCHOOL})


@pytest.fixture
async def scenario() -> tuple[Scenario, dict[str, int]]:
    return await fixture()


async def test_outcomes_are_counted_once_per_plan_of_the_period(scenario) -> None:
    result = stats(scenario[0])
    f = result.figure
    assert f("filed") == 7 and f("registered") == 7
    assert (f("approved"), f("rejected"), f("re_prepared")) == (2, 1, 1)
    assert (f("head_override"), f("escalated"), f("not_feasible")) == (1, 1, 1)
    assert f("under_consideration") == 1  # the one left registered
    assert f("ballots") == 4  # three decided, one without consensus
    states = dict(result.by_state)
    assert states[State.EVALUATED] == 1 and states[State.CLOSED] == 2
    assert State.DRAFT not in states


async def test_working_days_run_across_tet_and_lateness_is_in_working_days(scenario) -> None:
    s, ids = scenario
    result = stats(s)
    by_id = {a.dossier_id: a for a in result.answers}
    on_time, late, waiting = by_id[ids["on_time"]], by_id[ids["late"]], by_id[ids["waiting"]]
    assert (on_time.due_on, on_time.working_days, on_time.late) == (date(2026, 3, 2), 29, False)
    assert (late.working_days, late.late_by) == (32, 2)
    assert (waiting.due_on, waiting.answered_on, waiting.late_by) == (date(2026, 4, 13), None, 5)
    assert (result.figure("answered_on_time"), result.figure("answered_late")) == (2, 1)
    # Waiting: the one left registered (overdue), the head's and the not-feasible notice.
    assert (result.figure("waiting_overdue"), result.figure("waiting_in_time")) == (3, 0)
    assert result.median_working_days == 29  # 6, 29, 32
    assert len(result.answers) == 6  # the forwarded plan is not timed


async def test_the_same_plans_before_their_due_dates_are_waiting_in_time(scenario) -> None:
    result = stats(scenario[0], as_of=date(2026, 4, 13))
    assert (result.figure("waiting_overdue"), result.figure("waiting_in_time")) == (0, 3)


async def test_pilots_incidents_and_protection_by_the_day_they_happened(scenario) -> None:
    result = stats(scenario[0])
    f = result.figure
    assert (f("pilots_started"), f("pilots_completed"), f("pilots_evaluated")) == (1, 1, 1)
    assert f("pilots_in_progress") == 0
    assert (f("incidents"), f("protection_requests")) == (1, 1)
    assert result.encouragement == ((EncouragementForm.RECOGNITION, 1),)
    assert result.matter_outcomes == {"incident": {"verified": 1},
                                      "protection": {"protect": 1}}
    first_half = stats(scenario[0], Period(date(2026, 1, 1), date(2026, 5, 31)))
    assert first_half.figure("pilots_in_progress") == 1
    assert first_half.figure("pilots_evaluated") == 0 and not first_half.encouragement


async def test_groups_by_unit_and_unit_kind(scenario) -> None:
    result = stats(scenario[0])
    (kind,) = result.by_unit_kind
    (unit,) = result.by_unit
    assert kind.key == "commune_school" and unit.name == SCHOOL.name
    assert (unit.filed, unit.approved, unit.rejected, unit.on_time, unit.late) == (7, 2, 1, 2, 1)


async def test_last_year_and_an_undecided_protection_request(scenario) -> None:
    s, ids = scenario
    assert stats(s, Period.year(2025)).figure("filed") == 1
    s.dossier_id = ids["on_time"]
    s.clock.set_date(date(2026, 7, 1))
    await svc.request_protection(RequestProtection(actor=s.proposer, summary="Lần hai",
                                                   dossier_id=s.dossier_id), s.uow(), s.clock)
    assert stats(s).matter_outcomes["protection"] == {"protect": 1, PENDING: 1}


def test_last_12_months_ends_today() -> None:
    assert Period.last_12_months(date(2026, 12, 4)) == Period(date(2025, 12, 5),
                                                              date(2026, 12, 4))
    assert Period.last_12_months(date(2028, 2, 29)).start == date(2027, 3, 1)
