"""Reminders as messages: every kind the policy plans, in Vietnamese and English, says
what is due, by when (the date, working days left or overdue, counted today), for which
dossier, and offers the button that does the thing.

The services run on the in-memory fakes; the directory is a stub that knows the
scenario's actors. The calendar is the real one (24/11/2026 is a holiday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from handlers.context import Services
from handlers.messages import Reply
from handlers.notifications import render
from handlers.ports import PersonInfo
from tests.fakes import Scenario
from workflow import services as svc
from workflow.actors import Actor
from workflow.calendar import default_calendar
from workflow.commands import ReportIncident
from workflow.lifecycle import State
from workflow.quiet_hours import working_days_before
from workflow.reminders import VIETNAM, ReminderKind
from workflow.reporting_duties import bundled_duties, plan_duties
from workflow.rules import bundled_rulebook

CAL = default_calendar()
REGISTERED_ON = date(2026, 11, 23)  # a Monday; the answer is due on 06/01/2027
DUE = date(2027, 1, 6)


@dataclass
class StubDirectory:
    scenario: Scenario

    async def actor(self, person_id: str) -> Actor:
        for actor in self.scenario.everyone():
            if actor.person_id == person_id:
                return actor
        return Actor(person_id)

    async def person(self, person_id: str) -> PersonInfo | None:
        return PersonInfo(person_id, {"cadre-1": "Nguyễn Thị Lan"}.get(person_id, person_id))

    async def body_names(self, body_ids: list[str]) -> dict[str, str]:
        names = {"commune_party_office": "Văn phòng Đảng ủy xã Phổ Châu",
                 "ubnd-thi-xa": "Ủy ban nhân dân thị xã Đức Phổ"}
        return {b: names[b] for b in body_ids if b in names}


def services_for(s: Scenario) -> Services:
    return Services(directory=StubDirectory(s),  # type: ignore[arg-type]
                    conversations=None,  # type: ignore[arg-type]
                    uow=s.uow, clock=s.clock, calendar=CAL,  # type: ignore[arg-type]
                    rulebook=bundled_rulebook())


def payload(kind: ReminderKind, dossier_id: int | None, about: dict[str, str],
            due_at: datetime, collapsed: int = 1) -> dict[str, Any]:
    return {"reminder": kind.value, "dossier_id": dossier_id, "about": about,
            "due_at": due_at.isoformat(), "collapsed": collapsed}


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM)


async def scenario_at(state: State) -> Scenario:
    s = Scenario()
    s.calendar = CAL  # type: ignore[assignment]
    s.clock.set_date(REGISTERED_ON)
    await s.drive_to(state)
    return s


async def message(s: Scenario, reader: Actor, lang: str, data: dict[str, Any]) -> Reply:
    return await render(services_for(s), PersonInfo(reader.person_id, reader.person_id, lang),
                        data)


def assert_complete(reply: Reply) -> None:
    """No placeholder left unfilled, and at least one button besides "My deadlines"."""
    assert not re.search(r"\{[a-z_]*\}", reply.text), reply.text
    assert "None" not in reply.text, reply.text
    actions = [b.action for b in reply.all_buttons()]
    assert "h:l" in actions and len(actions) >= 2, actions


# The written answer ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_answer_due_soon_names_the_dossier_the_date_and_working_days_left(
        lang: str) -> None:
    s = await scenario_at(State.REGISTERED)
    s.clock.set_date(date(2026, 12, 23), 8)
    about = {"due_on": DUE.isoformat(), "deadline": "answer", "working_days_left": "10"}
    reply = await message(s, s.office, lang, payload(ReminderKind.ANSWER_SOON, s.dossier_id,
                                                     about, at(date(2026, 12, 23))))
    assert_complete(reply)
    left = CAL.working_days_between(date(2026, 12, 23), DUE)  # 1/1/2027 is a holiday
    assert left == 9
    title = s.dossier.plan.title
    assert f"số {s.dossier_id}" in reply.text or f"no. {s.dossier_id}" in reply.text
    assert title in reply.text
    if lang == "vi":
        assert "Thứ Tư, 06/01/2027" in reply.text and "còn 9 ngày làm việc" in reply.text
    else:
        assert "Wednesday, 06/01/2027" in reply.text and "9 working days left" in reply.text
    actions = [b.action for b in reply.all_buttons()]
    assert f"k:v:{s.dossier_id}" in actions
    assert any(a.startswith(f"k:aa:{s.dossier_id}:") for a in actions)  # assign appraisal


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_answer_due_today_says_today(lang: str) -> None:
    s = await scenario_at(State.REGISTERED)
    s.clock.set_date(DUE, 8)
    about = {"due_on": DUE.isoformat(), "deadline": "answer", "working_days_left": "0"}
    reply = await message(s, s.head, lang, payload(ReminderKind.ANSWER_DUE, s.dossier_id,
                                                   about, at(DUE)))
    assert_complete(reply)
    assert ("hôm nay" in reply.text) if lang == "vi" else ("today" in reply.text)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_collapsed_overdue_repeats_read_as_overdue_by_n_working_days_today(
        lang: str) -> None:
    s = await scenario_at(State.REGISTERED)
    # Back after a downtime: three overdue mornings collapsed into one message.
    s.clock.set_date(date(2027, 1, 11), 10)  # Mon: 7, 8 and 11 January have passed
    about = {"due_on": DUE.isoformat(), "deadline": "answer", "working_days_left": "-3"}
    reply = await message(s, s.office, lang, payload(
        ReminderKind.ANSWER_OVERDUE, s.dossier_id, about, at(date(2027, 1, 11)), collapsed=3))
    assert_complete(reply)
    if lang == "vi":
        assert "đã quá hạn 3 ngày làm việc" in reply.text
    else:
        assert "overdue by 3 working days" in reply.text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_superior_is_told_whose_answer_is_overdue(lang: str) -> None:
    s = await scenario_at(State.REGISTERED)
    s.clock.set_date(date(2027, 1, 11), 8)
    about = {"due_on": DUE.isoformat(), "deadline": "answer", "working_days_left": "-3"}
    reply = await message(s, s.superior, lang, payload(
        ReminderKind.ANSWER_ESCALATED, s.dossier_id, about, at(date(2027, 1, 11))))
    assert_complete(reply)
    assert ("cấp trên trực tiếp" in reply.text) if lang == "vi" else (
        "direct superior" in reply.text)
    assert ("quá hạn 3 ngày" in reply.text) if lang == "vi" else ("by 3 working days"
                                                                  in reply.text)


async def test_an_answer_reminder_for_an_answered_dossier_asks_for_nothing() -> None:
    s = await scenario_at(State.ANSWERED)
    about = {"due_on": DUE.isoformat(), "deadline": "answer", "working_days_left": "1"}
    reply = await message(s, s.office, "en", payload(ReminderKind.ANSWER_SOON, s.dossier_id,
                                                     about, at(DUE)))
    assert "no written answer is due any more" in reply.text


# The vote, the cell, duties, the pilot -------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_ballot_closing_offers_the_vote_buttons_to_a_member_who_has_not_voted(
        lang: str) -> None:
    s = await scenario_at(State.BALLOT_OPEN)
    ballot = s.open_ballot_of()
    assert ballot.closes_at is not None
    s.clock.current = ballot.closes_at - timedelta(hours=24)
    about = {"ballot_id": str(ballot.id), "closes_at": ballot.closes_at.isoformat()}
    member = s.members[0]
    reply = await message(s, member, lang, payload(ReminderKind.BALLOT_CLOSING, s.dossier_id,
                                                   about, s.clock.now()))
    assert_complete(reply)
    assert ballot.closes_at.astimezone(VIETNAM).strftime("%H:%M") in reply.text
    assert ("chưa biểu quyết" in reply.text) if lang == "vi" else ("not voted" in reply.text)
    assert ("khoảng 24 giờ" in reply.text) if lang == "vi" else ("24 hours" in reply.text)
    assert any(b.action.startswith(f"k:vt:{s.dossier_id}:{ballot.id}:")
               for b in reply.all_buttons())


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_waiting_cell_review_offers_agree_and_return(lang: str) -> None:
    s = await scenario_at(State.AT_CELL)
    s.clock.set_date(date(2026, 12, 2), 8)
    about = {"submitted_on": REGISTERED_ON.isoformat(), "working_days": "5"}
    reply = await message(s, s.cell, lang, payload(ReminderKind.CELL_REVIEW_WAITING,
                                                   s.dossier_id, about, s.clock.now()))
    assert_complete(reply)
    waited = CAL.working_days_between(REGISTERED_ON, date(2026, 12, 2))
    assert waited == 6  # 24/11 is Vietnamese Culture Day
    assert ("6 ngày làm việc" in reply.text) if lang == "vi" else (
        "6 working days" in reply.text)
    actions = [b.action for b in reply.all_buttons()]
    assert any(a.startswith(f"k:ca:{s.dossier_id}:") for a in actions)
    assert any(a.startswith(f"k:cr:{s.dossier_id}:") for a in actions)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_an_owed_report_offers_to_mark_it_done(lang: str) -> None:
    s = await scenario_at(State.IMPLEMENTING)
    await svc.report_incident(ReportIncident(actor=s.proposer, summary="Lỗi phần mềm",
                                             dossier_id=s.dossier_id), s.uow(), s.clock)
    obligation = next(iter(s.store.obligations.values()))
    s.clock.advance(days=2)
    about = {"obligation_id": str(obligation.id), "obligation": obligation.kind.value}
    reply = await message(s, s.office, lang, payload(ReminderKind.OBLIGATION_DUE,
                                                     s.dossier_id, about, s.clock.now()))
    assert_complete(reply)
    assert ("cấp trên trực tiếp" in reply.text) if lang == "vi" else (
        "direct superior" in reply.text)
    assert f"k:od:{obligation.id}:{obligation.version}" in [
        b.action for b in reply.all_buttons()]


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_progress_report_due_offers_the_proposer_to_report(lang: str) -> None:
    s = await scenario_at(State.IMPLEMENTING)
    started = s.clock.now().date()
    due = CAL.add_working_days(started, 20)
    s.clock.set_date(due, 8)
    about = {"since": started.isoformat(), "every": "20"}
    reply = await message(s, s.proposer, lang, payload(ReminderKind.PROGRESS_REPORT_DUE,
                                                       s.dossier_id, about, at(due)))
    assert_complete(reply)
    assert ("20 ngày làm việc" in reply.text) if lang == "vi" else (
        "20 working days" in reply.text)
    actions = [b.action for b in reply.all_buttons()]
    assert any(a.startswith(f"k:pg:{s.dossier_id}:") for a in actions)
    assert f"d:v:{s.dossier_id}" in actions


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_an_evaluation_due_offers_the_committee_to_record_it(lang: str) -> None:
    s = await scenario_at(State.COMPLETED)
    done = s.clock.now().date()
    s.clock.set_date(CAL.add_working_days(done, 10), 8)
    about = {"completed_on": done.isoformat()}
    reply = await message(s, s.office, lang, payload(ReminderKind.EVALUATION_DUE,
                                                     s.dossier_id, about, s.clock.now()))
    assert_complete(reply)
    assert ("10 ngày làm việc" in reply.text) if lang == "vi" else (
        "10 working days" in reply.text)
    assert any(b.action.startswith(f"k:ev:{s.dossier_id}:") for b in reply.all_buttons())


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_reporting_duty_says_what_to_whom_and_the_last_working_day(lang: str) -> None:
    # Seed 002's reports were owed while the town existed (to 30/06/2025): 2024's.
    s = Scenario()
    s.clock.set_date(date(2024, 11, 15), 8)
    reminder = next(r for r in plan_duties(bundled_duties(), date(2024, 11, 15),
                                           date(2024, 11, 15), CAL)
                    if r.duty.id == "review-unsuited-rules")
    duty = reminder.duty
    about = {"duty": duty.id, "body": "ubnd-thi-xa", "before": "2024-11-30",
             "due_on": reminder.due_on.isoformat(), "days_before": "10",
             "source": duty.source, **{f"what_{k}": v for k, v in duty.what.items()},
             **{f"to_{k}": v for k, v in duty.to.items()}}
    reply = await message(s, s.office, lang, payload(ReminderKind.REPORTING_DUTY_DUE, None,
                                                     about, at(date(2024, 11, 15))))
    assert not re.search(r"\{[a-z_]*\}", reply.text), reply.text
    assert [b.action for b in reply.all_buttons()] == ["h:l"]
    assert "Ủy ban nhân dân thị xã Đức Phổ" in reply.text and duty.what[lang] in reply.text
    # Before Saturday 30/11/2024: the last working day is Friday 29/11, ten working days
    # after 15/11.
    if lang == "vi":
        assert "Thứ Sáu, 29/11/2024" in reply.text and "còn 10 ngày làm việc" in reply.text
    else:
        assert "Friday, 29/11/2024" in reply.text and "10 working days left" in reply.text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_an_appraisal_due_soon_then_late_offers_the_appraisal_buttons(lang: str) -> None:
    s = await scenario_at(State.APPRAISAL_ASSIGNED)
    due = s.dossier.appraisal_due_on
    assert due is not None
    before = working_days_before(due, 2, CAL)
    s.clock.set_date(before, 8)
    about = {"due_on": due.isoformat(), "working_days_left": "2"}
    soon = await message(s, s.appraiser, lang, payload(ReminderKind.APPRAISAL_DUE,
                                                       s.dossier_id, about, at(before)))
    assert_complete(soon)
    assert ("còn 2 ngày làm việc" in soon.text) if lang == "vi" else (
        "2 working days left" in soon.text)
    assert any(b.action.startswith(f"k:fy:{s.dossier_id}:") for b in soon.all_buttons())
    late_day = CAL.add_working_days(due, 3)
    s.clock.set_date(late_day, 8)
    late = await message(s, s.appraiser, lang, payload(ReminderKind.APPRAISAL_DUE,
                                                       s.dossier_id, about, at(late_day)))
    assert_complete(late)
    assert ("quá hạn 3 ngày làm việc" in late.text) if lang == "vi" else (
        "overdue by 3 working days" in late.text)
    await s.file_appraisal()
    done = await message(s, s.appraiser, lang, payload(ReminderKind.APPRAISAL_DUE,
                                                       s.dossier_id, about, at(late_day)))
    assert ("không còn chờ" in done.text) if lang == "vi" else "no longer awaited" in done.text


async def test_every_kind_the_policy_plans_has_its_own_message() -> None:
    """A new kind in the policy must get a message, not the generic fallback."""
    from handlers import reminder_notices

    handled = {*reminder_notices.ANSWER_KINDS, ReminderKind.BALLOT_CLOSING,
               ReminderKind.CELL_REVIEW_WAITING, ReminderKind.OBLIGATION_DUE,
               ReminderKind.PROGRESS_REPORT_DUE, ReminderKind.EVALUATION_DUE,
               ReminderKind.REPORTING_DUTY_DUE, ReminderKind.APPRAISAL_DUE,
               ReminderKind.LEGAL_REVIEW_DUE}
    assert set(ReminderKind) == handled
