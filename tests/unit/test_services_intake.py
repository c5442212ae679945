"""Services from the draft to the ballot: content checks, deadlines, appraisal, escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import (
    Close,
    CreateDraft,
    ForwardBeyondAuthority,
    MarkComplex,
    Register,
    Resubmit,
    ReturnForCompletion,
    UpdateDraft,
)
from workflow.dossier import Plan, ProblemKind
from workflow.errors import NotPermitted, StaleVersion, TransitionNotAllowed, ValidationError
from workflow.lifecycle import State


async def test_a_draft_records_its_proposer_and_group_without_repeats():
    s = Scenario()
    dossier = await s.create()
    assert dossier.state is State.DRAFT and dossier.version == 1
    assert dossier.proposers == ("cadre-1", "cadre-2")
    assert dossier.history[0].from_state is None and dossier.history[0].to_state is State.DRAFT
    again = await svc.create_draft(
        CreateDraft(actor=s.proposer, unit_kind="commune", co_proposers=("cadre-1", "x", "x")),
        s.uow(), s.clock, s.pack)
    assert again.co_proposers == ("x",)


async def test_an_unknown_unit_kind_is_refused():
    s = Scenario()
    with pytest.raises(ValidationError, match="kinds of post"):
        await svc.create_draft(CreateDraft(actor=s.proposer, unit_kind="thcs"), s.uow(), s.clock,
                               s.pack)
    assert s.store.dossiers == {}


async def test_an_incomplete_plan_cannot_be_submitted():
    s = Scenario(plan=replace(Scenario().plan, risks=" "))
    await s.create()
    with pytest.raises(ValidationError) as refused:
        await s.submit()
    assert refused.value.params["part"] == "risks and how they are contained"
    assert s.dossier.state is State.DRAFT and s.last_uow.commits == 0


async def test_a_regulation_unsuited_to_practice_must_be_named():
    plan = replace(Scenario().plan, problem_kind=ProblemKind.REGULATED_UNSUITED)
    assert plan.missing() == ("regulation",)
    assert replace(plan, regulation="Thông tư 01").missing() == ()
    assert Plan().missing()[0] == "title"


async def test_a_co_proposer_may_edit_and_submit_for_the_group():
    s = Scenario("commune")
    await s.create(plan=Plan(title="Chưa xong"))
    dossier = await svc.update_draft(
        UpdateDraft(actor=s.co_proposer, dossier_id=s.dossier_id, plan=s.plan,
                    co_proposers=("cadre-2", "cadre-3")), s.uow(), s.clock)
    assert dossier.plan == s.plan and dossier.co_proposers == ("cadre-2", "cadre-3")
    assert dossier.version == 2
    await s.submit()
    assert s.dossier.state is State.SUBMITTED


async def test_a_stale_version_is_refused_without_change():
    s = Scenario()
    await s.create()
    await s.submit()
    before = s.snapshot()
    with pytest.raises(StaleVersion):
        await svc.update_draft(UpdateDraft(actor=s.proposer, dossier_id=s.dossier_id,
                                           plan=Plan(), expected_version=1), s.uow(), s.clock)
    assert s.store == before


@pytest.mark.interleaved
async def test_two_offices_registering_at_once_cannot_both_win():
    s = Scenario("commune")
    await s.drive_to(State.SUBMITTED)
    first, second = s.uow(), s.uow()
    async with second:
        await second.dossiers.get(s.dossier_id)  # loads version n
        await svc.register(Register(actor=s.office, dossier_id=s.dossier_id), first, s.clock,
                           s.calendar)
        dossier = await second.dossiers.get(s.dossier_id)
        dossier.state = State.RETURNED_FOR_COMPLETION
        dossier.version += 1
        with pytest.raises(StaleVersion):
            await second.commit()
    assert s.dossier.state is State.REGISTERED


class TestRegistration:
    async def test_the_answer_is_due_30_working_days_after_receipt_which_is_not_counted(self):
        s = Scenario("commune")
        await s.drive_to(State.SUBMITTED)
        dossier = await s.register(received_on=date(2024, 3, 1))  # a Friday
        assert dossier.due_on == date(2024, 4, 12)
        assert dossier.registration_number == "001/2024"
        events = s.new_events()
        deadline = next(e for e in events if isinstance(e, ev.DeadlineSet))
        assert (deadline.deadline_id, deadline.working_days) == ("answer", 30)
        assert any(isinstance(e, ev.DossierRegistered) for e in events)

    async def test_registration_numbers_follow_each_other_in_the_office_register(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        other = Scenario("commune")
        other.store = s.store
        await other.drive_to(State.REGISTERED)
        assert other.dossier.registration_number == "002/2024"

    async def test_a_receipt_date_in_the_future_is_refused(self):
        s = Scenario("commune")
        await s.drive_to(State.SUBMITTED)
        with pytest.raises(ValidationError):
            await s.register(received_on=date(2024, 3, 5))
        assert s.dossier.state is State.SUBMITTED

    async def test_complexity_moves_the_due_date_to_60_working_days_and_is_recorded(self):
        s = Scenario("commune")
        await s.drive_to(State.APPRAISAL_ASSIGNED)
        s.clock.advance(days=2)
        dossier = await svc.mark_complex(
            MarkComplex(actor=s.office, dossier_id=s.dossier_id, reason="Phạm vi rộng"),
            s.uow(), s.clock, s.calendar)
        assert dossier.due_on == date(2024, 5, 27)  # 60 working days after Mon 4/3/2024
        assert dossier.complexity is not None
        assert (dossier.complexity.reason, dossier.complexity.by) == ("Phạm vi rộng",
                                                                       "office-clerk")
        assert dossier.complexity.at == s.clock.now()
        assert dossier.state is State.APPRAISAL_ASSIGNED
        kinds = [type(e) for e in s.new_events()]
        assert kinds == [ev.MarkedComplex, ev.DeadlineSet]
        with pytest.raises(ValidationError, match="already"):
            await svc.mark_complex(
                MarkComplex(actor=s.office, dossier_id=s.dossier_id, reason="Lần nữa"),
                s.uow(), s.clock, s.calendar)

    async def test_complexity_needs_a_reason(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        with pytest.raises(ValidationError) as refused:
            await svc.mark_complex(MarkComplex(actor=s.office, dossier_id=s.dossier_id,
                                               reason=""), s.uow(), s.clock, s.calendar)
        assert refused.value.params["what"] == "the reason"
        assert s.dossier.complexity is None


class TestReturnForCompletion:
    async def test_the_clock_starts_again_on_the_new_receipt_and_the_cell_is_not_asked_again(self):
        s = Scenario("commune_school")
        await s.drive_to(State.REGISTERED)
        dossier = await svc.return_for_completion(
            ReturnForCompletion(actor=s.office, dossier_id=s.dossier_id, missing=("dự toán",)),
            s.uow(), s.clock)
        assert dossier.state is State.RETURNED_FOR_COMPLETION
        assert dossier.received_on is None and dossier.due_on is None
        dossier = await svc.resubmit(Resubmit(actor=s.proposer, dossier_id=s.dossier_id),
                                     s.uow(), s.clock)
        assert dossier.state is State.SUBMITTED
        s.clock.advance(days=7)
        dossier = await s.register()
        assert dossier.received_on == date(2024, 3, 11)
        assert dossier.due_on == date(2024, 4, 22)

    async def test_the_office_must_say_what_is_missing(self):
        s = Scenario("commune")
        await s.drive_to(State.SUBMITTED)
        with pytest.raises(ValidationError):
            await svc.return_for_completion(
                ReturnForCompletion(actor=s.office, dossier_id=s.dossier_id), s.uow(), s.clock)


class TestBeyondAuthority:
    async def test_forwarded_to_the_direct_superior_by_default(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        dossier = await svc.forward_beyond_authority(
            ForwardBeyondAuthority(actor=s.head, dossier_id=s.dossier_id,
                                   proposed_solution="Đề nghị Ban Thường vụ Thị ủy"),
            s.uow(), s.clock)
        assert dossier.state is State.ESCALATED
        (forwarded,) = [e for e in s.new_events() if isinstance(e, ev.DossierForwarded)]
        assert forwarded.to_route_body == "town_standing_board"
        assert not forwarded.skips_level

    async def test_asking_beyond_a_level_also_informs_the_direct_superior(self):
        s = Scenario("commune")
        await s.drive_to(State.APPRAISED)
        await svc.forward_beyond_authority(
            ForwardBeyondAuthority(actor=s.office, dossier_id=s.dossier_id,
                                   proposed_solution="Xin chủ trương Tỉnh ủy",
                                   to="provincial_standing_board"), s.uow(), s.clock)
        (forwarded,) = [e for e in s.new_events() if isinstance(e, ev.DossierForwarded)]
        assert forwarded.skips_level
        told = {r.route_body for r in forwarded.notify}
        assert {"provincial_standing_board", "town_standing_board"} <= told
        assert s.dossier.forwarding is not None and s.dossier.forwarding.skips_level

    async def test_a_committee_at_the_direct_superior_s_level_is_not_beyond_a_level(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        await svc.forward_beyond_authority(
            ForwardBeyondAuthority(actor=s.office, dossier_id=s.dossier_id,
                                   proposed_solution="Xin chủ trương Thị ủy",
                                   to="town_party_committee",
                                   same_level=("town_standing_board", "town_party_committee")),
            s.uow(), s.clock)
        (forwarded,) = [e for e in s.new_events() if isinstance(e, ev.DossierForwarded)]
        assert forwarded.to_body == "town_party_committee" and not forwarded.skips_level
        assert "town_standing_board" not in {r.route_body for r in forwarded.notify}

    async def test_the_dossier_is_not_forwarded_to_the_body_considering_it(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        before = s.snapshot()
        with pytest.raises(ValidationError, match="considering it"):
            await svc.forward_beyond_authority(
                ForwardBeyondAuthority(actor=s.office, dossier_id=s.dossier_id,
                                       proposed_solution="Giải pháp",
                                       to="commune_party_committee"), s.uow(), s.clock)
        assert s.store == before

    async def test_an_escalated_dossier_is_closed_by_the_office(self):
        s = Scenario("commune")
        await s.drive_to(State.ESCALATED)
        dossier = await svc.close(Close(actor=s.office, dossier_id=s.dossier_id,
                                        reason="Cấp trên đã tiếp nhận"), s.uow(), s.clock)
        assert dossier.state is State.CLOSED


class TestAppraisal:
    async def test_an_infeasible_plan_is_answered_in_writing_and_closed(self):
        s = Scenario("commune")
        await s.drive_to(State.APPRAISAL_ASSIGNED)
        dossier = await s.file_appraisal(feasible=False)
        assert dossier.state is State.CLOSED and dossier.closed_reason == "not_feasible"
        events = s.new_events()
        assert [type(e) for e in events] == [ev.AppraisalFiled, ev.WrittenNoticeRequired,
                                             ev.ObligationCreated, ev.DossierClosed]
        notice = events[1]
        assert notice.issued_by_route_body == "commune_standing_board"
        assert {r.person for r in notice.notify} >= {"cadre-1", "cadre-2"}

    async def test_at_town_level_the_standing_committee_directs_the_notice(self):
        s = Scenario("town_party_agency")
        await s.drive_to(State.APPRAISAL_ASSIGNED)
        await s.file_appraisal(feasible=False)
        notice = next(e for e in s.new_events() if isinstance(e, ev.WrittenNoticeRequired))
        assert notice.issued_by_route_body == "town_standing_committee"

    async def test_only_the_assigned_appraiser_files(self):
        s = Scenario("commune")
        await s.drive_to(State.APPRAISAL_ASSIGNED)
        assert s.dossier.appraisers == ("appraiser-1",)
        s.appraiser = s.members[0]
        with pytest.raises(NotPermitted):
            await s.file_appraisal()

    async def test_a_route_without_legal_review_does_not_offer_it(self):
        s = Scenario("commune")
        await s.drive_to(State.APPRAISED)
        with pytest.raises(TransitionNotAllowed, match="route does not provide"):
            await s.assign_legal_review()

    async def test_a_route_with_appraisal_cannot_vote_before_it(self):
        s = Scenario("commune")
        await s.drive_to(State.REGISTERED)
        with pytest.raises(TransitionNotAllowed):
            await s.open_ballot()
        assert s.store.ballots == {}


async def test_the_real_working_calendar_fits_the_port_and_skips_holidays():
    from workflow.calendar import WorkingCalendar
    from workflow.ports import WorkingCalendar as WorkingCalendarPort

    real: WorkingCalendarPort = WorkingCalendar()
    s = Scenario("commune")
    await s.drive_to(State.SUBMITTED)
    s.clock.set_date(date(2024, 4, 26))
    dossier = await svc.register(Register(actor=s.office, dossier_id=s.dossier_id), s.uow(),
                                 s.clock, real)
    weekdays_only = s.calendar.add_working_days(date(2024, 4, 26), 30)
    assert dossier.due_on is not None and dossier.due_on > weekdays_only  # 30/4 and 1/5 off


async def test_a_run_of_draft_edits_is_one_history_line_and_each_a_new_version():
    s = Scenario()
    await s.create()
    versions = []
    for title in ("Một", "Hai", "Ba"):
        edited = await svc.update_draft(
            UpdateDraft(actor=s.proposer, dossier_id=s.dossier_id,
                        plan=replace(s.plan, title=title)), s.uow(), s.clock)
        versions.append(edited.version)
    assert versions == sorted(set(versions)) and edited.plan.title == "Ba"
    assert [e.action for e in edited.history] == ["create_draft", "update_draft"]
    # Another proposer's edit is a line of its own.
    other = await svc.update_draft(
        UpdateDraft(actor=s.co_proposer, dossier_id=s.dossier_id, plan=s.plan), s.uow(), s.clock)
    assert [e.action for e in other.history][-1] == "update_draft" and len(other.history) == 3
