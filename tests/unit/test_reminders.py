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
from workflow.reminders import VIETNAM, Cancel, PlannedReminder, ReminderKind, plan
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


def test_only_members_who_have_not_voted_are_reminded_before_closing() -> None:
    closes = AT + timedelta(days=3)
    opened = BallotOpened(dossier_id=7, at=AT, ballot_id=2, route_body="b", body="b",
                          voters=("a", "b"), closes_at=closes)
    steps = plan([opened, VoteCast(dossier_id=7, at=AT, ballot_id=2, voter="a",
                                   choice=Choice.APPROVE, changed=False)])
    assert [s.key for s in steps if isinstance(s, PlannedReminder)] == \
        ["ballot_closing:2:a", "ballot_closing:2:b"]
    assert all(s.due_at == closes - timedelta(hours=24) for s in steps
               if isinstance(s, PlannedReminder))
    assert steps[-1] == Cancel("ballot_closing:2:a")


def test_a_short_ballot_reminds_at_once_and_closing_cancels_everyone() -> None:
    opened = BallotOpened(dossier_id=7, at=AT, ballot_id=3, route_body="b", body="b",
                          voters=("a",), closes_at=AT + timedelta(hours=5))
    first = plan([opened])[0]
    assert isinstance(first, PlannedReminder) and first.due_at == AT
    closed = BallotClosed(dossier_id=7, at=AT, ballot_id=3, outcome=Outcome.APPROVED,
                          tally=Tally(), automatic=True)
    assert plan([closed]) == (Cancel("ballot_closing:3:"),)


def test_an_obligation_is_chased_the_next_morning_until_fulfilled() -> None:
    created = ObligationCreated(dossier_id=7, at=AT, notify=(OFFICE,), obligation_id=4,
                                kind=ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR,
                                owner="head", owner_body="bt", to="btv")
    (reminder,) = plan([created])
    assert isinstance(reminder, PlannedReminder)
    assert reminder.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=VIETNAM)
    fulfilled = ObligationFulfilled(dossier_id=7, at=AT, obligation_id=4,
                                    kind=ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR,
                                    reference="12-BC/ĐU")
    assert plan([created, fulfilled])[-1] == Cancel("obligation_due:4:")


def test_the_written_answer_ends_the_deadline_reminders() -> None:
    answered = WrittenAnswerSent(dossier_id=7, at=AT, reference="5-CV/ĐU",
                                 outcome=Outcome.APPROVED)
    assert plan([answered]) == (Cancel("answer_due:7:"),)
