"""The reminder policy: which reminders a step plans and cancels."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from workflow.actors import Role
from workflow.events import (
    BallotClosed,
    BallotOpened,
    DeadlineSet,
    ObligationCreated,
    ObligationFulfilled,
    Recipient,
    VoteCast,
    WrittenAnswerSent,
)
from workflow.obligations import ObligationKind
from workflow.reminders import (
    VIETNAM,
    Cancel,
    PlannedReminder,
    ReminderKind,
    ReminderSettings,
    plan,
)
from workflow.voting import Choice, Outcome, Tally

AT = datetime(2026, 11, 23, 10, 0, tzinfo=VIETNAM)
OFFICE = Recipient(role=Role.OFFICE, body="vp-du-pho-chau")


def test_a_deadline_replaces_the_old_one_and_reminds_on_the_morning_it_is_due() -> None:
    steps = plan([DeadlineSet(dossier_id=7, at=AT, notify=(OFFICE,), deadline_id="answer",
                              working_days=30, received_on=date(2026, 11, 23),
                              due_on=date(2027, 1, 6))])
    assert steps[0] == Cancel("answer_due:7:")
    reminder = steps[1]
    assert isinstance(reminder, PlannedReminder)
    assert reminder.kind is ReminderKind.ANSWER_DUE and reminder.recipients == (OFFICE,)
    assert reminder.due_at == datetime(2027, 1, 6, 8, 0, tzinfo=VIETNAM)


def test_only_members_who_have_not_voted_are_reminded_24_and_2_hours_before_closing() -> None:
    closes = AT + timedelta(days=3)
    opened = BallotOpened(dossier_id=7, at=AT, ballot_id=2, route_body="b", body="b",
                          voters=("a", "b"), closes_at=closes)
    steps = plan([opened, VoteCast(dossier_id=7, at=AT, ballot_id=2, voter="a",
                                   choice=Choice.APPROVE, changed=False)])
    planned = {s.key: s.due_at for s in steps if isinstance(s, PlannedReminder)}
    assert planned == {"ballot_closing:2:a:24h": closes - timedelta(hours=24),
                       "ballot_closing:2:a:2h": closes - timedelta(hours=2),
                       "ballot_closing:2:b:24h": closes - timedelta(hours=24),
                       "ballot_closing:2:b:2h": closes - timedelta(hours=2)}
    # The trailing colon: voter "a" voting never cancels voter "ab"'s reminders.
    assert steps[-1] == Cancel("ballot_closing:2:a:")


def test_a_short_ballot_reminds_at_once_and_closing_cancels_everyone() -> None:
    opened = BallotOpened(dossier_id=7, at=AT, ballot_id=3, route_body="b", body="b",
                          voters=("a",), closes_at=AT + timedelta(hours=5))
    first = plan([opened])[0]
    assert isinstance(first, PlannedReminder) and first.due_at == AT
    closed = BallotClosed(dossier_id=7, at=AT, ballot_id=3, outcome=Outcome.APPROVED,
                          tally=Tally(), automatic=True)
    assert plan([closed]) == (Cancel("ballot_closing:3:"),)


def test_an_obligation_is_chased_every_working_day_until_fulfilled() -> None:
    created = ObligationCreated(dossier_id=7, at=AT, notify=(OFFICE,), obligation_id=4,
                                kind=ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR,
                                owner="head", owner_body="bt", to="btv")
    reminders = [s for s in plan([created]) if isinstance(s, PlannedReminder)]
    # 24/11/2026 is Vietnamese Culture Day: the first working morning after is the 25th.
    assert [r.due_at for r in reminders[:3]] == [
        datetime(2026, 11, d, 8, 0, tzinfo=VIETNAM) for d in (25, 26, 27)]
    assert len(reminders) == ReminderSettings().obligation_repeats
    fulfilled = ObligationFulfilled(dossier_id=7, at=AT, obligation_id=4,
                                    kind=ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR,
                                    reference="12-BC/ĐU")
    assert plan([created, fulfilled])[-1] == Cancel("obligation_due:4:")


def test_the_written_answer_ends_the_deadline_reminders() -> None:
    answered = WrittenAnswerSent(dossier_id=7, at=AT, reference="5-CV/ĐU",
                                 outcome=Outcome.APPROVED)
    assert plan([answered]) == (Cancel("answer_due:7:"),)


def test_each_appraiser_is_reminded_before_on_and_after_the_appraisal_due_date() -> None:
    from workflow.events import AppraisalAssigned, AppraisalFiled

    assigned = AppraisalAssigned(dossier_id=7, at=AT, notify=(), appraisers=("hoa", "tam"),
                                 route_body="standing", body="btv", due_on=date(2026, 12, 7),
                                 working_days=10)
    steps = plan([assigned])
    assert steps[0] == Cancel("appraisal_due:7:")  # a new assignment replaces the old
    reminders = [s for s in steps if isinstance(s, PlannedReminder)]
    hoa = [r for r in reminders if r.recipients[0].person == "hoa"]
    assert {r.recipients for r in reminders} == {
        (Recipient(role=Role.APPRAISER, person="hoa"),),
        (Recipient(role=Role.APPRAISER, person="tam"),)}
    days = [r.due_at.date() for r in hoa]
    # Two working days before Monday 7/12 is Thursday 3/12; then the day; then each
    # working day late (Saturday and Sunday skipped).
    assert days[:4] == [date(2026, 12, 3), date(2026, 12, 7), date(2026, 12, 8),
                        date(2026, 12, 9)]
    assert len(hoa) == 2 + ReminderSettings().task_overdue_repeats
    assert all(r.kind is ReminderKind.APPRAISAL_DUE for r in reminders)
    assert [r.about["working_days_left"] for r in hoa[:3]] == ["2", "0", "-1"]
    filed = AppraisalFiled(dossier_id=7, at=AT, feasible=True, summary="Khả thi")
    assert plan([filed]) == (Cancel("appraisal_due:7:"),)


def test_legal_review_reminders_go_to_the_reviewers_and_stop_when_filed() -> None:
    from workflow.events import LegalReviewAssigned, LegalReviewFiled

    assigned = LegalReviewAssigned(dossier_id=9, at=AT, notify=(), reviewers=("tu-phap",),
                                   route_body="legal", body="tu-phap-xa",
                                   due_on=date(2026, 11, 30), working_days=5)
    reminders = [s for s in plan([assigned]) if isinstance(s, PlannedReminder)]
    assert reminders and all(r.kind is ReminderKind.LEGAL_REVIEW_DUE for r in reminders)
    assert reminders[0].recipients == (Recipient(role=Role.LEGAL_REVIEWER, person="tu-phap"),)
    assert reminders[0].due_at == datetime(2026, 11, 26, 8, 0, tzinfo=VIETNAM)
    filed = LegalReviewFiled(dossier_id=9, at=AT, summary="Rủi ro thấp")
    assert plan([filed]) == (Cancel("legal_review_due:9:"),)
