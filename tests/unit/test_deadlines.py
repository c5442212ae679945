"""Whose deadline is what: the dates /deadlines lists for each role, on the real calendar
(24/11/2026, Vietnamese Culture Day, is a day off)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.fakes import COMPLETE_PLAN, Scenario
from workflow import services as svc
from workflow.actors import Actor
from workflow.calendar import default_calendar
from workflow.commands import ReportIncident, ReportProgress
from workflow.deadlines import (
    Deadline,
    DeadlineKind,
    by_date,
    dossier_deadlines,
    duty_deadlines,
    next_progress_report,
)
from workflow.lifecycle import State
from workflow.reporting_duties import bundled_duties
from workflow.voting import Choice

CAL = default_calendar()
MONDAY = date(2026, 11, 23)
DUE = date(2027, 1, 6)  # 30 working days after Monday 23/11/2026


async def at(state: State, **plan: object) -> Scenario:
    s = Scenario(plan=replace(COMPLETE_PLAN, **plan))  # type: ignore[arg-type]
    s.calendar = CAL  # type: ignore[assignment]
    s.clock.set_date(MONDAY)
    await s.drive_to(state)
    return s


async def deadlines(s: Scenario, actor: Actor) -> list[Deadline]:
    dossier = s.dossier
    ballot = s.store.ballots.get(dossier.ballot_ids[-1]) if dossier.ballot_ids else None
    obligations = [o for o in s.store.obligations.values() if o.dossier_id == dossier.id]
    return dossier_deadlines(dossier, dossier.roles_of(actor), actor.person_id, CAL, ballot,
                             obligations)


def kinds(found: list[Deadline]) -> list[tuple[DeadlineKind, date | None]]:
    return [(d.kind, d.due_on) for d in found]


async def test_registered_the_office_and_head_owe_the_answer_the_proposer_awaits_it() -> None:
    s = await at(State.REGISTERED)
    assert kinds(await deadlines(s, s.office)) == [(DeadlineKind.ANSWER, DUE)]
    assert kinds(await deadlines(s, s.head)) == [(DeadlineKind.ANSWER, DUE)]
    assert kinds(await deadlines(s, s.proposer)) == [(DeadlineKind.ANSWER_AWAITED, DUE)]
    assert await deadlines(s, s.members[0]) == []
    assert await deadlines(s, s.outsider) == []


async def test_before_registration_the_office_has_a_dossier_to_register_without_a_date() -> None:
    s = await at(State.SUBMITTED)
    assert kinds(await deadlines(s, s.office)) == [(DeadlineKind.REGISTRATION, None)]
    assert await deadlines(s, s.proposer) == []  # the clock has not started


async def test_the_cell_has_five_working_days_the_holiday_not_counted() -> None:
    s = await at(State.AT_CELL)
    assert kinds(await deadlines(s, s.cell)) == [(DeadlineKind.CELL_REVIEW, date(2026, 12, 1))]


async def test_the_appraiser_works_by_the_appraisals_own_date_else_the_answers() -> None:
    s = await at(State.APPRAISAL_ASSIGNED)
    own = getattr(s.dossier, "appraisal_due_on", None)
    (found,) = await deadlines(s, s.appraiser)
    assert found.kind is DeadlineKind.APPRAISAL
    assert (found.due_on, found.by_answer) == ((own, False) if own else (DUE, True))
    s.dossier.appraisal_due_on = None  # type: ignore[attr-defined]  # none given
    (found,) = await deadlines(s, s.appraiser)
    assert (found.due_on, found.by_answer) == (DUE, True)


async def test_a_member_who_has_not_voted_sees_the_closing_time_until_voting() -> None:
    s = await at(State.BALLOT_OPEN)
    ballot = s.open_ballot_of()
    found = await deadlines(s, s.members[0])
    assert [(d.kind, d.closes_at) for d in found] == [(DeadlineKind.BALLOT, ballot.closes_at)]
    await s.vote(s.members[0], Choice.APPROVE)
    assert await deadlines(s, s.members[0]) == []
    # The head is a member too, and owes the answer.
    assert {d.kind for d in await deadlines(s, s.head)} == {DeadlineKind.ANSWER,
                                                           DeadlineKind.BALLOT}


async def test_the_pilot_owes_progress_reports_on_the_plans_cadence() -> None:
    s = await at(State.IMPLEMENTING, progress_every=10)
    started = s.clock.now().date()
    found = await deadlines(s, s.proposer)
    assert kinds(found) == [(DeadlineKind.PROGRESS_REPORT, CAL.add_working_days(started, 10))]
    assert found[0].every == 10
    s.clock.set_date(date(2026, 12, 3))
    await svc.report_progress(ReportProgress(actor=s.proposer, summary="Đã thí điểm",
                                             dossier_id=s.dossier_id), s.uow(), s.clock)
    # Counted from the last report: Thursday 3/12 + 10 working days.
    assert next_progress_report(s.dossier, CAL) == date(2026, 12, 17)
    default = await at(State.IMPLEMENTING)
    assert next_progress_report(default.dossier, CAL) == CAL.add_working_days(
        default.clock.now().date(), 20)


async def test_an_incident_leaves_the_committee_a_report_owed_at_once() -> None:
    s = await at(State.IMPLEMENTING)
    await svc.report_incident(ReportIncident(actor=s.proposer, summary="Sự cố",
                                             dossier_id=s.dossier_id), s.uow(), s.clock)
    found = await deadlines(s, s.office)
    owed = [d for d in found if d.kind is DeadlineKind.OBLIGATION]
    assert len(owed) == 1 and owed[0].due_on == s.clock.now().date()
    assert owed[0].obligation is not None and owed[0].obligation.is_open


async def test_after_completion_the_committee_evaluates_within_ten_working_days() -> None:
    s = await at(State.COMPLETED)
    done = s.clock.now().date()
    assert kinds(await deadlines(s, s.office)) == [
        (DeadlineKind.EVALUATION, CAL.add_working_days(done, 10))]
    assert await deadlines(s, s.proposer) == []


async def test_reporting_duties_go_to_the_office_and_head_of_the_bodies_that_owe_them() -> None:
    duties = bundled_duties()
    from workflow.actors import Role

    # Seed 002's reports were owed while the town existed (to 30/06/2025): 2024's.
    monday = date(2024, 11, 25)
    office = {"ubnd-thi-xa": ("town_peoples_committee", frozenset({Role.OFFICE}))}
    found = duty_deadlines(duties, office, monday, CAL)
    assert {(d.duty.id if d.duty else "", d.due_on, d.body) for d in found} == {
        ("review-unsuited-rules", date(2024, 11, 29), "ubnd-thi-xa"),
        ("inspection-results", date(2024, 11, 29), "ubnd-thi-xa")}
    # A commune People's Committee owes only the review report; another kind owes none.
    commune = {"ubnd-xa": ("commune_peoples_committee", frozenset({Role.HEAD}))}
    assert [d.duty.id for d in duty_deadlines(duties, commune, monday, CAL)
            if d.duty] == ["review-unsuited-rules"]
    other = {"vp": ("commune_party_office", frozenset({Role.OFFICE}))}
    assert duty_deadlines(duties, other, monday, CAL) == []
    # After the last day, next year's would fall after 30/06/2025, when the duties ended.
    assert duty_deadlines(duties, office, date(2024, 11, 30), CAL) == []
    assert duty_deadlines(duties, office, MONDAY, CAL) == []


def test_soonest_first_and_undated_last() -> None:
    a = Deadline(DeadlineKind.ANSWER, date(2027, 1, 6), 1)
    b = Deadline(DeadlineKind.REGISTRATION, None, 2)
    c = Deadline(DeadlineKind.CELL_REVIEW, date(2026, 12, 1), 3)
    d = Deadline(DeadlineKind.ANSWER, date(2026, 12, 1) + timedelta(days=1), 4)
    assert by_date([a, b, c, d]) == [c, d, a, b]
