"""Conflict of interest: a proposer acts on their own plan only as proposer (see
``workflow.conflicts``): refused with a clear message, and nothing changes."""

from __future__ import annotations

import pytest

from tests.fakes import Scenario
from workflow import services as svc
from workflow.actors import Actor, Grant, Role
from workflow.commands import (
    AssignAppraisal,
    AssignLegalReview,
    CastVote,
    CellAgree,
    CellReturn,
    HeadDecide,
    Register,
    Withdraw,
)
from workflow.conflicts import acting_roles
from workflow.errors import ConflictOfInterest, NotPermitted, ValidationError
from workflow.lifecycle import State
from workflow.voting import Choice

A, R = Choice.APPROVE, Choice.REJECT


async def with_co_proposer(person: str, unit_kind: str = "commune_school") -> Scenario:
    s = Scenario(unit_kind)
    await s.create(co_proposers=(person,))
    return s


async def test_a_co_proposer_who_is_the_cell_secretary_cannot_agree_to_her_own_plan():
    s = await with_co_proposer("cell-secretary")
    await s.submit()
    assert s.dossier.state is State.AT_CELL
    assert acting_roles(s.dossier, s.cell) == {Role.PROPOSER}
    before = s.snapshot()
    with pytest.raises(ConflictOfInterest, match="conflict of interest") as refused:
        await svc.cell_agree(CellAgree(actor=s.cell, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert "party cell secretary" in str(refused.value)
    with pytest.raises(ConflictOfInterest):
        await svc.cell_return(CellReturn(actor=s.cell, dossier_id=s.dossier_id, reason="Lý do"),
                              s.uow(), s.clock)
    assert s.store == before
    assert s.last_uow is not None and s.last_uow.commits == 0


async def test_a_proposer_in_the_office_does_not_register_her_own_dossier_another_clerk_does():
    s = await with_co_proposer("office-clerk", "commune")
    await s.to_office()
    before = s.snapshot()
    with pytest.raises(ConflictOfInterest):
        await s.register()
    assert s.store == before
    other = Actor.of("office-2", Grant(Role.OFFICE, s.route.via))
    await svc.register(Register(actor=other, dossier_id=s.dossier_id), s.uow(), s.clock,
                       s.calendar)
    assert s.dossier.state is State.REGISTERED


async def test_a_proposer_is_not_assigned_to_appraise_or_review_her_own_plan():
    s = await with_co_proposer("appraiser-1", "town_state_agency")
    await s.to_office()
    await s.register()
    before = s.snapshot()
    with pytest.raises(ValidationError, match="conflict of interest"):
        await svc.assign_appraisal(AssignAppraisal(
            actor=s.office, dossier_id=s.dossier_id, appraisers=("member-1", "appraiser-1"),
            council=True), s.uow(), s.clock, s.calendar)
    assert s.store == before
    await svc.assign_appraisal(AssignAppraisal(
        actor=s.office, dossier_id=s.dossier_id, appraisers=("member-1",)),
        s.uow(), s.clock, s.calendar)
    s.appraiser = s.members[0]
    await s.file_appraisal()
    before = s.snapshot()
    with pytest.raises(ValidationError, match="conflict of interest"):
        await svc.assign_legal_review(AssignLegalReview(
            actor=s.office, dossier_id=s.dossier_id, reviewers=("cadre-1",)),
            s.uow(), s.clock, s.calendar)
    assert s.store == before


async def test_a_proposer_who_is_a_counted_member_cannot_vote_but_stays_in_the_base():
    s = await with_co_proposer("member-1", "commune")
    await s.to_office()
    await s.register()
    await s.appraise()
    ballot = await s.open_ballot()
    assert "member-1" not in ballot.voters.voters and ballot.voters.base == 5
    before = s.snapshot()
    with pytest.raises(ConflictOfInterest):
        await svc.cast_vote(CastVote(actor=s.members[0], dossier_id=s.dossier_id, choice=A),
                            s.uow(), s.clock)
    assert s.store == before


async def test_a_head_who_proposed_the_plan_cannot_decide_it_alone():
    s = await with_co_proposer("secretary", "commune")
    await s.to_office()
    await s.register()
    await s.appraise()
    ballot = await s.open_ballot()
    assert "secretary" not in ballot.voters.voters
    for member, choice in zip(s.members, (A, A, R, R), strict=True):
        ballot = await s.vote(member, choice)  # the last vote makes "no consensus" certain
    await s.closed(ballot)
    assert s.dossier.state is State.NO_CONSENSUS
    before = s.snapshot()
    with pytest.raises(ConflictOfInterest, match="head of the committee"):
        await svc.head_decide(HeadDecide(actor=s.head, dossier_id=s.dossier_id, proceed=True,
                                         reasoning="Khả thi"), s.uow(), s.clock)
    assert s.store == before


async def test_a_proposer_keeps_the_proposer_s_own_steps():
    s = await with_co_proposer("office-clerk", "commune")
    await s.to_office()
    assert acting_roles(s.dossier, s.office) == {Role.PROPOSER}
    await svc.withdraw(Withdraw(actor=s.office, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert s.dossier.state is State.WITHDRAWN


async def test_someone_who_is_not_a_proposer_is_refused_as_before():
    s = await with_co_proposer("cadre-2")
    await s.submit()
    with pytest.raises(NotPermitted) as refused:
        await svc.cell_agree(CellAgree(actor=s.office, dossier_id=s.dossier_id), s.uow(),
                             s.clock)
    assert not isinstance(refused.value, ConflictOfInterest)
