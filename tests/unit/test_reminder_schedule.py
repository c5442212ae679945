"""The answer deadline's reminders over working days, cell review and quiet hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from workflow.actors import Role
from workflow.calendar import default_calendar
from workflow.events import (
    CellAgreed,
    CompletionReported,
    DeadlineSet,
    DossierSubmitted,
    EvaluationRecorded,
    ImplementationStarted,
    ProgressReported,
    Recipient,
)
from workflow.quiet_hours import QuietHours, deliver_at, working_days_before
from workflow.reminders import (
    VIETNAM,
    Cancel,
    PlannedReminder,
    ReminderKind,
    ReminderSettings,
    plan,
)

CAL = default_calendar()
OFFICE = Recipient(role=Role.OFFICE, body="vp")
HEAD = Recipient(role=Role.HEAD, body="bt")
SUPERIOR = Recipient(role=Role.SUPERIOR, body="btv")
REGISTERED = datetime(2026, 10, 14, 9, 30, tzinfo=VIETNAM)


def _deadline(due: date, at: datetime = REGISTERED, deadline: str = "answer") -> DeadlineSet:
    return DeadlineSet(dossier_id=7, at=at, notify=(OFFICE,), deadline_id=deadline,
                       working_days=30, received_on=at.date(), due_on=due,
                       head=HEAD, superior=SUPERIOR)


def _at(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=VIETNAM)


def test_the_office_and_head_are_warned_10_5_2_1_working_days_before_skipping_the_holiday(
        ) -> None:
    steps = plan([_deadline(date(2026, 11, 26))], CAL)
    soon = {s.about["working_days_left"]: s.due_at for s in steps
            if isinstance(s, PlannedReminder) and s.kind is ReminderKind.ANSWER_SOON}
    # 24/11/2026 (Vietnamese Culture Day) is not a working day: 2 days before is the 23rd.
    assert soon == {"10": _at(11, 11), "5": _at(11, 18), "2": _at(11, 23), "1": _at(11, 25)}
    due = [s for s in steps if isinstance(s, PlannedReminder)
           and s.kind is ReminderKind.ANSWER_DUE]
    assert [(d.due_at, d.recipients) for d in due] == [(_at(11, 26), (OFFICE, HEAD))]


def test_overdue_every_working_day_and_the_superior_told_after_the_configured_days() -> None:
    settings = ReminderSettings(overdue_repeats=5, tell_superior_after=3)
    steps = plan([_deadline(date(2026, 11, 26))], CAL, settings)
    overdue = [s.due_at for s in steps if isinstance(s, PlannedReminder)
               and s.kind is ReminderKind.ANSWER_OVERDUE]
    assert overdue == [_at(11, 27), _at(11, 30), _at(12, 1), _at(12, 2), _at(12, 3)]
    (told,) = [s for s in steps if isinstance(s, PlannedReminder)
               and s.kind is ReminderKind.ANSWER_ESCALATED]
    assert told.recipients == (SUPERIOR,) and told.due_at == _at(12, 1)
    assert told.about["working_days_left"] == "-3"


def test_marking_complex_cancels_and_replans_without_reminders_already_past() -> None:
    moved = _deadline(date(2027, 1, 11), at=_at(11, 25, 10), deadline="answer_complex")
    steps = plan([moved], CAL)
    assert steps[0] == Cancel("answer_due:7:")
    planned = [s for s in steps if isinstance(s, PlannedReminder)]
    assert all(s.key.startswith("answer_due:7:2027-01-11") for s in planned)
    assert min(s.due_at for s in planned) > moved.at


def test_no_reminder_lands_at_night_or_on_a_day_off() -> None:
    steps = plan([_deadline(date(2026, 11, 26))], CAL)
    for step in steps:
        if isinstance(step, PlannedReminder):
            local = step.due_at.astimezone(VIETNAM)
            assert time(7) <= local.time().replace(tzinfo=None) < time(21)
            assert CAL.is_working_day(local.date())


def test_a_cell_review_waiting_more_than_5_working_days_is_chased_until_the_cell_acts() -> None:
    cell = Recipient(role=Role.CELL_SECRETARY, body="chi-bo")
    submitted = DossierSubmitted(dossier_id=7, at=_at(11, 16, 15), notify=(cell,),
                                 to_route_body="cell", to_body="chi-bo", round=1)
    (chase,) = plan([submitted], CAL)
    assert isinstance(chase, PlannedReminder)
    # Mon 16/11: 5 working days end on Mon 23/11; the 24th is off, so Wed 25th.
    assert chase.kind is ReminderKind.CELL_REVIEW_WAITING and chase.due_at == _at(11, 25)
    assert plan([CellAgreed(dossier_id=7, at=_at(11, 17))], CAL) == (
        Cancel("cell_review_waiting:7:"),)
    office = DossierSubmitted(dossier_id=7, at=_at(11, 16), notify=(OFFICE,),
                              to_route_body="office", to_body="vp", round=1)
    assert plan([office], CAL) == ()


def test_quiet_hours_hold_non_urgent_reminders_to_the_next_working_morning() -> None:
    friday_night = _at(11, 20, 22)
    assert deliver_at(friday_night, False, CAL) == _at(11, 23, 7)
    monday_night = _at(11, 23, 23)  # Tuesday 24/11 is a holiday
    assert deliver_at(monday_night, False, CAL) == _at(11, 25, 7)
    assert deliver_at(_at(11, 23, 5), False, CAL) == _at(11, 23, 7)
    assert deliver_at(_at(11, 23, 14), False, CAL) == _at(11, 23, 14)


def test_urgent_reminders_wait_out_the_night_only() -> None:
    assert deliver_at(_at(11, 23, 23), True, CAL) == _at(11, 24, 7)  # holiday or not
    assert deliver_at(_at(11, 21, 3), True, CAL) == _at(11, 21, 7)  # Saturday morning
    assert deliver_at(_at(11, 21, 15), True, CAL) == _at(11, 21, 15)
    late = QuietHours(start=time(8), end=time(20))
    assert deliver_at(_at(11, 21, 20), True, CAL, late) == _at(11, 22, 8)


def test_working_days_before_counts_back_over_days_off() -> None:
    assert working_days_before(date(2026, 11, 25), 1, CAL) == date(2026, 11, 23)
    assert working_days_before(date(2026, 11, 23), 1, CAL) == date(2026, 11, 20)
    assert working_days_before(date(2026, 11, 26), 10, CAL) == date(2026, 11, 11)
    assert date(2026, 11, 26) - working_days_before(date(2026, 11, 26), 5, CAL) \
        == timedelta(days=8)


def test_progress_reports_are_due_every_20_working_days_counted_from_the_last_report() -> None:
    cadre = Recipient(role=Role.PROPOSER, person="cadre-1")
    started = ImplementationStarted(dossier_id=7, at=_at(11, 2, 10), notify=(OFFICE, HEAD),
                                    reporters=(cadre,))
    due = [s for s in plan([started], CAL) if isinstance(s, PlannedReminder)]
    assert {s.kind for s in due} == {ReminderKind.PROGRESS_REPORT_DUE}
    assert due[0].recipients == (cadre,)
    assert due[0].due_at == morning(CAL.add_working_days(date(2026, 11, 2), 20))
    report = ProgressReported(dossier_id=7, at=_at(11, 20, 10), notify=(OFFICE,),
                              summary="Đã thí điểm", reporters=(cadre,))
    steps = plan([report], CAL)
    assert steps[0] == Cancel("progress_report_due:7:")
    first = steps[1]
    assert isinstance(first, PlannedReminder)
    assert first.due_at == morning(CAL.add_working_days(date(2026, 11, 20), 20))


def test_a_plans_own_cadence_sets_the_progress_reports_days() -> None:
    cadre = Recipient(role=Role.PROPOSER, person="cadre-1")
    started = ImplementationStarted(dossier_id=7, at=_at(11, 2, 10), notify=(OFFICE, HEAD),
                                    reporters=(cadre,), every=10)
    due = [s.due_at for s in plan([started], CAL) if isinstance(s, PlannedReminder)]
    # Every 10 working days from Monday 2/11/2026; 24/11 (Culture Day) is skipped.
    assert due[:2] == [morning(date(2026, 11, 16)), morning(date(2026, 12, 1))]
    report = ProgressReported(dossier_id=7, at=_at(11, 20, 10), notify=(OFFICE,),
                              summary="Đã thí điểm", reporters=(cadre,), every=10)
    again = [s for s in plan([report], CAL) if isinstance(s, PlannedReminder)]
    assert again[0].due_at == morning(date(2026, 12, 7))
    assert again[0].about["every"] == "10"


async def test_the_plans_cadence_travels_with_the_pilots_events() -> None:
    from dataclasses import replace

    from tests.fakes import COMPLETE_PLAN, Scenario
    from workflow.lifecycle import State

    s = Scenario(plan=replace(COMPLETE_PLAN, progress_every=15))
    await s.drive_to(State.IMPLEMENTING)
    (started,) = s.published(ImplementationStarted)
    assert started.every == 15  # type: ignore[attr-defined]
    plain = Scenario()
    await plain.drive_to(State.IMPLEMENTING)
    assert plain.published(ImplementationStarted)[0].every is None  # type: ignore[attr-defined]


def test_completion_stops_progress_reminders_and_asks_the_committee_to_evaluate() -> None:
    done = CompletionReported(dossier_id=7, at=_at(11, 20, 10), notify=(OFFICE, HEAD),
                              summary="Xong")
    steps = plan([done], CAL)
    assert steps[0] == Cancel("progress_report_due:7:")
    evaluate = [s for s in steps if isinstance(s, PlannedReminder)]
    assert evaluate[0].kind is ReminderKind.EVALUATION_DUE
    assert evaluate[0].recipients == (OFFICE, HEAD)
    assert evaluate[0].due_at == morning(CAL.add_working_days(date(2026, 11, 20), 10))
    recorded = EvaluationRecorded(dossier_id=7, at=_at(12, 1), effective=True,
                                  forms=("a",), proposed_upward=False, summary="")
    assert Cancel("evaluation_due:7:") in plan([recorded], CAL)


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=VIETNAM)
