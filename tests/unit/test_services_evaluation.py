"""The collective's evaluation of the results as a ballot (887 Điều 5; workflow.evaluating):
the office proposes the verdict and the forms of encouragement, the collective votes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import CloseBallot, HeadDecide, OpenEvaluation
from workflow.dossier import EncouragementForm
from workflow.errors import NotPermitted, StaleVersion, ValidationError
from workflow.lifecycle import State
from workflow.voting import EVALUATION, Choice

A, R, P = Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE
FORMS = (EncouragementForm.RECOGNITION, EncouragementForm.REWARDS)


async def completed() -> Scenario:
    s = Scenario("commune")
    await s.drive_to(State.COMPLETED)
    return s


async def test_the_office_puts_its_proposed_evaluation_to_the_collective():
    s = await completed()
    ballot = await s.open_evaluation(forms=FORMS, proposed_upward=True)
    assert ballot.purpose == EVALUATION and ballot.body == "commune_party_committee"
    dossier = s.dossier
    assert dossier.state is State.EVALUATION_OPEN and dossier.evaluation is None
    proposal = dossier.evaluation_proposal
    assert proposal is not None and proposal.forms == FORMS and proposal.proposed_upward
    [opened] = [e for e in s.new_events() if isinstance(e, ev.BallotOpened)]
    assert opened.purpose == EVALUATION and opened.closes_at is not None
    assert {r.person for r in opened.notify} >= {"secretary", "member-1", "cadre-1", "cadre-2"}


async def test_adopted_the_evaluation_is_recorded_and_announced_to_proposer_and_collective():
    s = await completed()
    await s.open_evaluation(forms=FORMS)
    ballot = await s.closed(await s.votes(A, A, A))
    assert not ballot.is_open and s.dossier.state is State.EVALUATED
    evaluation = s.dossier.evaluation
    assert evaluation is not None and evaluation.effective and evaluation.forms == FORMS
    assert evaluation.by == "office-clerk" and s.dossier.evaluation_proposal is None
    [recorded] = s.published(ev.EvaluationRecorded)
    assert isinstance(recorded, ev.EvaluationRecorded) and recorded.forms == ("c", "e")
    told = {r.person or r.route_body for r in recorded.notify}
    assert {"cadre-1", "cadre-2", "secretary", "member-4", "commune_party_office"} <= told


async def test_not_adopted_the_dossier_waits_for_a_revised_proposal():
    s = await completed()
    await s.open_evaluation(forms=FORMS)
    await s.closed(await s.votes(R, R, R))
    dossier = s.dossier
    assert dossier.state is State.COMPLETED and dossier.evaluation is None
    assert dossier.evaluation_proposal is None
    assert not s.published(ev.EvaluationRecorded)
    await s.open_evaluation(effective=False, forms=(), summary="Chưa mang lại hiệu quả")
    await s.closed(await s.votes(A, A, A))
    assert s.dossier.state is State.EVALUATED and not s.dossier.evaluation.effective  # type: ignore[union-attr]


async def test_at_closing_time_without_a_majority_the_proposal_is_not_adopted():
    s = await completed()
    ballot = await s.open_evaluation()
    await s.votes(A, A)
    assert ballot.closes_at is not None
    s.clock.current = ballot.closes_at + timedelta(minutes=1)
    await svc.close_ballot(CloseBallot(actor=s.office, dossier_id=s.dossier_id), s.uow(),
                           s.clock)
    assert s.dossier.state is State.COMPLETED


async def test_there_is_no_re_preparation_in_the_evaluation_vote():
    s = await completed()
    await s.open_evaluation()
    before = s.snapshot()
    with pytest.raises(ValidationError):
        await s.vote(s.members[0], P)
    assert s.store == before


@pytest.mark.parametrize(("effective", "forms"), [(False, FORMS), (True, ())])
async def test_the_forms_must_fit_the_verdict(effective, forms):
    s = await completed()
    before = s.snapshot()
    with pytest.raises(ValidationError):
        await s.open_evaluation(effective=effective, forms=forms)
    assert s.store == before


async def test_wrong_role_stale_version_and_past_time_are_refused_and_change_nothing():
    s = await completed()
    before = s.snapshot()
    members = tuple(a.person_id for a in s.voters)
    with pytest.raises(NotPermitted):
        await svc.open_evaluation(OpenEvaluation(
            actor=s.members[0], dossier_id=s.dossier_id, members=members, effective=True,
            forms=FORMS), s.uow(), s.clock)
    with pytest.raises(NotPermitted):
        await svc.open_evaluation(OpenEvaluation(
            actor=s.proposer, dossier_id=s.dossier_id, members=members, effective=True,
            forms=FORMS), s.uow(), s.clock)
    with pytest.raises(StaleVersion):
        await s.open_evaluation(expected_version=s.dossier.version - 1)
    with pytest.raises(ValidationError):
        await s.open_evaluation(closes_at=s.clock.now() - timedelta(hours=1))
    assert s.store == before


async def test_after_the_head_decided_alone_the_deciding_body_evaluates():
    s = Scenario("commune")
    await s.drive_to(State.NO_CONSENSUS)
    await svc.head_decide(HeadDecide(
        actor=s.head, dossier_id=s.dossier_id, proceed=True, reasoning="Khả thi"),
        s.uow(), s.clock)
    await s.answer()
    await s.start()
    await s.complete()
    ballot = await s.open_evaluation()
    assert ballot.body == "commune_party_committee"
