"""The decision: ballots and their outcomes, the head's decision, obligations, re-preparation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import (
    CastVote,
    Close,
    CloseBallot,
    CloseExpiredBallot,
    HeadDecide,
    MarkObligationDone,
    OpenBallot,
    Resubmit,
    SendWrittenAnswer,
    UpdateDraft,
)
from workflow.dossier import ProblemKind
from workflow.errors import NotPermitted, TransitionNotAllowed, ValidationError
from workflow.lifecycle import State
from workflow.obligations import ObligationKind
from workflow.voting import Basis, Choice, Outcome, VotingRule

A, R, P = Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE


async def appraised(unit_kind: str = "commune", **kwargs) -> Scenario:
    s = Scenario(unit_kind, **kwargs)
    await s.drive_to(State.APPRAISED)
    return s


@pytest.mark.parametrize(("choice", "state", "outcome"), [
    (A, State.APPROVED, Outcome.APPROVED),
    (R, State.REJECTED, Outcome.REJECTED),
    (P, State.RETURNED_FOR_RE_PREPARATION, Outcome.RETURNED),
])
async def test_a_majority_of_counted_members_decides_as_soon_as_it_is_certain(
    choice, state, outcome
):
    s = await appraised()
    await s.close_when_certain()  # a meeting stays open: see test_ballot_mode
    await s.open_ballot()
    ballot = await s.votes(choice, choice)
    assert ballot.is_open and s.dossier.state is State.BALLOT_OPEN
    ballot = await s.vote(s.members[1], choice)  # the third of five
    assert not ballot.is_open and ballot.automatic and ballot.outcome is outcome
    assert s.dossier.state is state
    assert s.dossier.decision is not None and not s.dossier.decision.by_head
    kinds = [type(e) for e in s.new_events()]
    assert kinds == [ev.VoteCast, ev.BallotClosed, ev.DecisionMade]
    with pytest.raises(TransitionNotAllowed):  # too late to vote or change
        await s.vote(s.members[2], A)


async def test_a_member_may_change_their_vote_while_the_ballot_is_open():
    s = await appraised()
    await s.open_ballot()
    await s.vote(s.head, R)
    ballot = await s.vote(s.head, A)
    assert ballot.choices() == {"secretary": A}
    (cast,) = s.new_events()
    assert isinstance(cast, ev.VoteCast) and cast.changed


async def test_the_proposer_who_is_a_member_does_not_vote_but_counts_in_the_base():
    s = await appraised()
    members = ("secretary", "member-1", "member-2", "member-3", "cadre-1")
    ballot = await s.open_ballot(members=members)
    assert "cadre-1" not in ballot.voters.voters and ballot.voters.base == 5
    with pytest.raises(NotPermitted):
        await svc.cast_vote(CastVote(actor=s.proposer, dossier_id=s.dossier_id, choice=A),
                            s.uow(), s.clock)
    # Two of the four voters are not more than half of the five counted members.
    await s.votes(A, A)
    assert s.open_ballot_of().is_open


async def test_a_vote_on_an_older_ballot_is_refused():
    s = await appraised()
    ballot = await s.open_ballot()
    with pytest.raises(TransitionNotAllowed):
        await svc.cast_vote(CastVote(actor=s.head, dossier_id=s.dossier_id, choice=A,
                                     ballot_id=ballot.id + 1), s.uow(), s.clock)
    assert s.store.ballots[ballot.id].votes == {}


class TestClosing:
    async def test_the_office_cannot_close_before_the_closing_time(self):
        s = await appraised()
        await s.close_when_certain()  # a meeting may be ended at any time
        await s.open_ballot()
        await s.votes(A, A)
        with pytest.raises(ValidationError, match="closes at"):
            await svc.close_ballot(CloseBallot(actor=s.office, dossier_id=s.dossier_id),
                                   s.uow(), s.clock)
        assert s.dossier.state is State.BALLOT_OPEN

    async def test_at_closing_time_the_votes_cast_decide(self):
        s = await appraised()
        ballot = await s.open_ballot()
        await s.votes(A, A)
        s.clock.current = ballot.closes_at + timedelta(seconds=1)
        ballot = await svc.close_ballot(CloseBallot(actor=s.head, dossier_id=s.dossier_id),
                                        s.uow(), s.clock)
        assert ballot.outcome is Outcome.NO_CONSENSUS and not ballot.automatic
        assert s.dossier.state is State.NO_CONSENSUS
        closed = next(e for e in s.new_events() if isinstance(e, ev.BallotClosed))
        assert closed.tally.approve == 2
        assert any(r.route_body == "commune_party_secretary" for r in closed.notify)

    async def test_the_scheduler_closes_an_expired_ballot_only_when_its_time_has_come(self):
        s = await appraised()
        ballot = await s.open_ballot()
        with pytest.raises(ValidationError):
            await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), s.uow(),
                                           s.clock)
        s.clock.current = ballot.closes_at
        await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), s.uow(), s.clock)
        assert s.dossier.state is State.NO_CONSENSUS
        assert s.dossier.history[-1].by == "system"

    async def test_quorum_not_met_allows_a_new_ballot(self):
        s = Scenario("commune")
        await s.drive_to(State.QUORUM_NOT_MET)
        assert s.store.ballots[1].outcome is Outcome.QUORUM_NOT_MET
        ballot = await s.open_ballot()
        assert ballot.id == 2 and s.dossier.ballot_ids == [1, 2]

    async def test_a_ballot_whose_quorum_cannot_be_reached_is_not_opened(self):
        s = await appraised()
        rule = VotingRule(id="q", basis=Basis.COUNTED_MEMBERS, quorum=Fraction(2, 3))
        await s.set_voting_rule("commune_party_committee", rule)
        with pytest.raises(ValidationError, match="quorum"):
            await s.open_ballot(members=("secretary", "cadre-1"))
        assert s.store.ballots == {}

    async def test_the_closing_time_must_be_in_the_future(self):
        s = await appraised()
        with pytest.raises(ValidationError):
            await s.open_ballot(closes_at=s.clock.now())


class TestNoConsensus:
    async def test_no_consensus_is_decided_when_nobody_can_reach_a_majority(self):
        s = await appraised()
        await s.close_when_certain()  # certain after five votes: closes by itself
        ballot = await s.no_consensus()
        assert ballot.outcome is Outcome.NO_CONSENSUS and ballot.automatic
        assert s.dossier.state is State.NO_CONSENSUS and s.dossier.decision is None

    async def test_the_head_may_order_implementation_and_must_report_to_the_superior(self):
        s = await appraised("town_state_agency")
        await s.no_consensus()
        dossier = await svc.head_decide(
            HeadDecide(actor=s.head, dossier_id=s.dossier_id, proceed=True,
                       reasoning="Kế hoạch khả thi"), s.uow(), s.clock)
        assert dossier.state is State.APPROVED
        assert dossier.decision is not None and dossier.decision.by_head
        assert dossier.decision.route_body == "town_party_secretary"
        (obligation,) = s.store.obligations.values()
        assert obligation.kind is ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR
        assert (obligation.owner, obligation.to) == ("town_party_secretary",
                                                     "provincial_standing_board")
        assert obligation.is_open and obligation.due_on is None  # at once
        kinds = [type(e) for e in s.new_events()]
        assert kinds == [ev.DecisionMade, ev.ObligationCreated]

    async def test_the_head_may_decline(self):
        s = await appraised()
        await s.no_consensus()
        dossier = await svc.head_decide(
            HeadDecide(actor=s.head, dossier_id=s.dossier_id, proceed=False,
                       reasoning="Chưa đủ điều kiện"), s.uow(), s.clock)
        assert dossier.state is State.REJECTED and s.store.obligations == {}

    async def test_only_the_head_decides_alone(self):
        s = await appraised()
        await s.no_consensus()
        for actor in (s.office, s.members[0], s.proposer, s.superior):
            with pytest.raises(NotPermitted):
                await svc.head_decide(HeadDecide(actor=actor, dossier_id=s.dossier_id,
                                                 proceed=True, reasoning="x"), s.uow(), s.clock)
        assert s.dossier.state is State.NO_CONSENSUS

    async def test_the_collective_may_vote_again_or_forward(self):
        s = await appraised()
        await s.no_consensus()
        ballot = await s.open_ballot()
        assert ballot.is_open and s.dossier.state is State.BALLOT_OPEN


class TestObligations:
    async def test_approving_a_plan_about_an_unsuitable_regulation_obliges_a_report_to_its_issuer(
        self,
    ):
        plan = replace(Scenario().plan, problem_kind=ProblemKind.REGULATED_UNSUITED,
                       regulation="Quyết định 12/2020/QĐ-UBND",
                       regulation_issuer="UBND tỉnh Quảng Ngãi")
        s = await appraised(plan=plan)
        await s.decide(A)
        (obligation,) = s.store.obligations.values()
        assert obligation.kind is ObligationKind.REPORT_TO_REGULATION_ISSUER
        assert obligation.to == "UBND tỉnh Quảng Ngãi"
        assert obligation.owner == "commune_party_committee"
        created = next(e for e in s.new_events() if isinstance(e, ev.ObligationCreated))
        assert created.obligation_id == obligation.id

        with pytest.raises(NotPermitted):
            await svc.mark_obligation_done(MarkObligationDone(
                actor=s.proposer, obligation_id=obligation.id, reference="x"), s.uow(), s.clock)
        done = await svc.mark_obligation_done(MarkObligationDone(
            actor=s.office, obligation_id=obligation.id, reference="25-BC/ĐU"), s.uow(), s.clock)
        assert not done.is_open and done.reference == "25-BC/ĐU" and done.done_by == "office-clerk"
        assert [type(e) for e in s.new_events()] == [ev.ObligationFulfilled]
        with pytest.raises(TransitionNotAllowed):
            await svc.mark_obligation_done(MarkObligationDone(
                actor=s.office, obligation_id=obligation.id, reference="again"), s.uow(),
                s.clock)

    async def test_a_rejected_or_unregulated_plan_creates_no_such_obligation(self):
        s = await appraised()
        await s.decide(R)
        assert s.store.obligations == {}

    async def test_a_head_override_of_an_unsuitable_regulation_creates_both_duties(self):
        plan = replace(Scenario().plan, problem_kind=ProblemKind.REGULATED_UNSUITED,
                       regulation="Thông tư 05")
        s = await appraised(plan=plan)
        await s.no_consensus()
        await svc.head_decide(HeadDecide(actor=s.head, dossier_id=s.dossier_id, proceed=True,
                                         reasoning="Cấp thiết"), s.uow(), s.clock)
        kinds = sorted(o.kind.value for o in s.store.obligations.values())
        assert kinds == ["report_override_to_superior", "report_to_regulation_issuer"]
        issuer = next(o for o in s.store.obligations.values()
                      if o.kind is ObligationKind.REPORT_TO_REGULATION_ISSUER)
        assert issuer.to == "Thông tư 05"  # no issuer named: the regulation itself

    async def test_obligations_can_be_fulfilled_after_the_dossier_is_closed(self):
        s = await appraised()
        await s.no_consensus()
        await svc.head_decide(HeadDecide(actor=s.head, dossier_id=s.dossier_id, proceed=True,
                                         reasoning="Khả thi"), s.uow(), s.clock)
        await s.answer()
        await s.start()
        await s.complete()
        await svc.close(Close(actor=s.office, dossier_id=s.dossier_id), s.uow(), s.clock)
        (obligation,) = s.store.obligations.values()
        await svc.mark_obligation_done(MarkObligationDone(
            actor=s.head, obligation_id=obligation.id, reference="03-BC/ĐU"), s.uow(), s.clock)
        assert not s.store.obligations[obligation.id].is_open


class TestWrittenAnswer:
    async def test_an_approval_answered_in_writing_opens_implementation(self):
        s = await appraised()
        await s.decide(A)
        dossier = await s.answer()
        assert dossier.state is State.ANSWERED and dossier.answer_reference == "15-CV/ĐU"
        (sent,) = s.new_events()
        assert isinstance(sent, ev.WrittenAnswerSent) and sent.outcome is Outcome.APPROVED

    async def test_a_rejection_answered_in_writing_closes_the_dossier(self):
        s = await appraised()
        await s.decide(R)
        dossier = await s.answer()
        assert dossier.state is State.CLOSED and dossier.closed_reason == "rejected"

    async def test_the_answer_needs_its_document_number(self):
        s = await appraised()
        await s.decide(A)
        with pytest.raises(ValidationError):
            await svc.send_written_answer(SendWrittenAnswer(
                actor=s.office, dossier_id=s.dossier_id, reference=" "), s.uow(), s.clock)
        assert s.dossier.state is State.APPROVED


async def test_re_preparation_starts_a_new_round_through_the_cell_and_keeps_the_old_one():
    s = await appraised("commune_school")
    first_ballot = (await s.decide(P)).id
    await s.answer()  # the collective's direction, in writing
    assert s.dossier.state is State.RETURNED_FOR_RE_PREPARATION
    await svc.update_draft(UpdateDraft(actor=s.proposer, dossier_id=s.dossier_id,
                                       plan=replace(s.plan, risks="Rủi ro đã làm rõ")),
                           s.uow(), s.clock)
    dossier = await svc.resubmit(Resubmit(actor=s.proposer, dossier_id=s.dossier_id),
                                 s.uow(), s.clock)
    assert dossier.state is State.AT_CELL and dossier.round == 2
    (old,) = dossier.past_rounds
    assert old.number == 1 and old.decision is not None
    assert old.decision.outcome is Outcome.RETURNED and old.registration_number == "001/2024"
    assert dossier.decision is None and dossier.received_on is None
    (sent,) = [e for e in s.new_events() if isinstance(e, ev.DossierSubmitted)]
    assert sent.round == 2

    await s.cell_agree()
    s.clock.advance(days=1)
    await s.register()
    await s.appraise()
    await s.decide(A)
    assert s.dossier.state is State.APPROVED
    assert s.dossier.registration_number == "002/2024"
    assert s.dossier.ballot_ids == [first_ballot, first_ballot + 1]
    actions = [h.action for h in s.dossier.history]
    assert actions.count("resubmit") == 1 and actions.count("register") == 2


async def test_open_ballot_uses_the_snapshot_rule_of_the_body():
    s = await appraised("town_state_agency")
    ballot = await svc.open_ballot(OpenBallot(
        actor=s.head, dossier_id=s.dossier_id, body="town_standing_board",
        members=tuple(a.person_id for a in s.voters)), s.uow(), s.clock)
    assert ballot.rule == s.pack.voting_rules["party_majority"]
    assert ballot.closes_at is None
