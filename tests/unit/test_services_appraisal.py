"""The appraisal and the legal-risk review: who is asked (the lead's people, named people,
an appraisal council), by when (working days, never after the answer), and what is filed."""

from __future__ import annotations

from datetime import date

import pytest

from tests import fakes
from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import AssignAppraisal, AssignLegalReview, FileAppraisal
from workflow.errors import NotPermitted, StaleVersion, ValidationError
from workflow.lifecycle import State


async def registered(unit_kind: str = "commune", received_on: date | None = None) -> Scenario:
    s = Scenario(unit_kind)
    await s.create()
    await s.to_office()
    await s.register(received_on)
    return s


async def assign(s: Scenario, **values: object) -> object:
    command = AssignAppraisal(actor=s.office, dossier_id=s.dossier_id,
                              appraisers=(s.appraiser.person_id,), **values)  # type: ignore[arg-type]
    return await svc.assign_appraisal(command, s.uow(), s.clock, s.calendar)


async def change_stored(s: Scenario, **values: object) -> None:
    """Set-up: change the committed dossier (as a pack or an older version would have)."""
    dossier = s.store.dossiers[s.dossier_id]
    for name, value in values.items():
        setattr(dossier, name, value)
    if fakes.SQL_ENGINE is not None:
        from tests.storage.sql_scenario import push_dossier

        await push_dossier(fakes.SQL_ENGINE, dossier)


class TestAppraisalDueDate:
    async def test_by_default_the_appraisal_is_due_in_ten_working_days(self):
        s = await registered()  # Monday 4 March 2024
        await assign(s)
        assert s.dossier.state is State.APPRAISAL_ASSIGNED
        assert s.dossier.appraisal_due_on == date(2024, 3, 18)
        [assigned] = [e for e in s.new_events() if isinstance(e, ev.AppraisalAssigned)]
        assert assigned.due_on == date(2024, 3, 18) and assigned.working_days == 10
        assert assigned.route_body == "commune_standing_board" and not assigned.council

    async def test_the_pack_may_name_the_appraisal_time(self):
        s = await registered()
        await change_stored(s, deadlines={**s.dossier.deadlines, "appraisal": 7})
        await assign(s)
        assert s.dossier.appraisal_due_on == date(2024, 3, 13)

    async def test_the_office_may_give_another_time(self):
        s = await registered()
        await assign(s, working_days=5)
        assert s.dossier.appraisal_due_on == date(2024, 3, 11)

    async def test_the_appraisal_is_never_due_after_the_written_answer(self):
        s = await registered(received_on=date(2024, 1, 29))  # answer due 11 March
        assert s.dossier.due_on == date(2024, 3, 11)
        await assign(s, working_days=20)
        assert s.dossier.appraisal_due_on == date(2024, 3, 11)

    @pytest.mark.parametrize("days", [0, -3, 61])
    async def test_an_impossible_time_is_refused_and_changes_nothing(self, days):
        s = await registered()
        before = s.snapshot()
        with pytest.raises(ValidationError):
            await assign(s, working_days=days)
        assert s.store == before

    async def test_a_new_round_forgets_the_appraisal_s_due_date_and_council(self):
        s = await registered()
        await svc.assign_appraisal(AssignAppraisal(
            actor=s.office, dossier_id=s.dossier_id, appraisers=("member-1", "member-2"),
            council=True), s.uow(), s.clock, s.calendar)
        dossier = s.dossier
        assert dossier.appraisal_council and dossier.appraisal_due_on is not None
        dossier.start_new_round()
        assert dossier.appraisal_due_on is None and not dossier.appraisal_council


class TestWhoAppraises:
    async def test_named_people_may_sit_as_an_appraisal_council(self):
        s = await registered()
        command = AssignAppraisal(actor=s.office, dossier_id=s.dossier_id, council=True,
                                  appraisers=("appraiser-1", "member-1", "member-2"))
        await svc.assign_appraisal(command, s.uow(), s.clock, s.calendar)
        assert s.dossier.appraisal_council
        assert s.dossier.appraisers == ("appraiser-1", "member-1", "member-2")
        [assigned] = [e for e in s.new_events() if isinstance(e, ev.AppraisalAssigned)]
        assert assigned.council and assigned.route_body is None and assigned.body is None
        assert {r.person for r in assigned.notify} == {"appraiser-1", "member-1", "member-2"}

    async def test_a_council_is_refused_where_the_regulation_has_none(self):
        s = await registered()
        await change_stored(s, council_allowed=False)
        before = s.snapshot()
        with pytest.raises(ValidationError, match="council"):
            await assign(s, council=True)
        assert s.store == before

    @pytest.mark.parametrize("named", [(" ",), ("member-1",), ("member-1", "member-1")])
    async def test_a_council_needs_at_least_two_named_people(self, named):
        s = await registered()
        before = s.snapshot()
        with pytest.raises(ValidationError):
            await svc.assign_appraisal(AssignAppraisal(
                actor=s.office, dossier_id=s.dossier_id, appraisers=named, council=True),
                s.uow(), s.clock, s.calendar)
        assert s.store == before

    async def test_wrong_role_and_stale_version_are_refused_and_change_nothing(self):
        s = await registered()
        before = s.snapshot()
        with pytest.raises(NotPermitted):
            await svc.assign_appraisal(AssignAppraisal(
                actor=s.members[0], dossier_id=s.dossier_id, appraisers=("member-1",),
                council=True, working_days=5), s.uow(), s.clock, s.calendar)
        with pytest.raises(StaleVersion):
            await assign(s, expected_version=s.dossier.version - 1, working_days=5)
        assert s.store == before


class TestFiling:
    async def test_the_appraisal_report_keeps_its_files(self):
        s = await registered()
        await assign(s)
        await svc.file_appraisal(FileAppraisal(
            actor=s.appraiser, dossier_id=s.dossier_id, feasible=True, summary="Khả thi",
            attachments=("bao-cao-tham-dinh.pdf", "bao-cao-tham-dinh.pdf", " ")),
            s.uow(), s.clock)
        assert s.dossier.appraisal is not None
        assert s.dossier.appraisal.attachments == ("bao-cao-tham-dinh.pdf",)

    async def test_too_many_files_are_refused_and_change_nothing(self):
        s = await registered()
        await assign(s)
        before = s.snapshot()
        with pytest.raises(ValidationError):
            await svc.file_appraisal(FileAppraisal(
                actor=s.appraiser, dossier_id=s.dossier_id, feasible=True, summary="Khả thi",
                attachments=tuple(f"{i}.pdf" for i in range(11))), s.uow(), s.clock)
        assert s.store == before


class TestLegalReview:
    async def test_the_legal_review_is_due_in_five_working_days_or_as_chosen(self):
        s = Scenario("town_state_agency")
        await s.drive_to(State.APPRAISED)
        await svc.assign_legal_review(AssignLegalReview(
            actor=s.office, dossier_id=s.dossier_id, reviewers=(s.legal.person_id,)),
            s.uow(), s.clock, s.calendar)
        assert s.dossier.legal_review_due_on == date(2024, 3, 11)
        [assigned] = [e for e in s.new_events() if isinstance(e, ev.LegalReviewAssigned)]
        assert assigned.due_on == date(2024, 3, 11) and assigned.working_days == 5

    async def test_the_office_may_give_the_legal_review_another_time(self):
        s = Scenario("town_state_agency")
        await s.drive_to(State.APPRAISED)
        await svc.assign_legal_review(AssignLegalReview(
            actor=s.office, dossier_id=s.dossier_id, reviewers=(s.legal.person_id,),
            working_days=3), s.uow(), s.clock, s.calendar)
        assert s.dossier.legal_review_due_on == date(2024, 3, 7)
