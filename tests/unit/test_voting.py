"""The voting rules on examples: the party rule, the state rule, and the ballot."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from tests.fakes import VIETNAM
from workflow.errors import NotPermitted, TransitionNotAllowed, ValidationError
from workflow.voting import (
    Ballot,
    Basis,
    Choice,
    Outcome,
    Tally,
    VotingRule,
    certain_outcome,
    electorate,
    final_outcome,
    quorum_needed,
)

A, R, P, S = Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE, Choice.ABSTAIN
PARTY = VotingRule(id="party", basis=Basis.COUNTED_MEMBERS)
STATE = VotingRule(id="nd73", basis=Basis.VOTES_CAST, tie_breaker="head")
NOON = datetime(2024, 3, 4, 12, tzinfo=VIETNAM)


def members(n: int) -> list[str]:
    return [f"m{i}" for i in range(1, n + 1)]


def votes(*choices: Choice) -> dict[str, Choice]:
    return {f"m{i}": c for i, c in enumerate(choices, start=1)}


class TestPartyRule:
    def test_approval_needs_more_than_half_of_counted_members_not_of_those_present(self):
        voters = electorate(PARTY, members(9))
        # 4 of 5 present approve: a majority of those present, but not of the 9 members.
        assert final_outcome(PARTY, voters, votes(A, A, A, A, R)) is Outcome.NO_CONSENSUS
        assert final_outcome(PARTY, voters, votes(A, A, A, A, A)) is Outcome.APPROVED

    def test_exactly_half_is_not_more_than_half(self):
        voters = electorate(PARTY, members(8))
        assert final_outcome(PARTY, voters, votes(A, A, A, A, R, R, R, R)) is Outcome.NO_CONSENSUS

    def test_rejection_and_re_preparation_need_the_same_majority(self):
        voters = electorate(PARTY, members(5))
        assert final_outcome(PARTY, voters, votes(R, R, R, A)) is Outcome.REJECTED
        assert final_outcome(PARTY, voters, votes(P, P, P, A, R)) is Outcome.RETURNED
        assert final_outcome(PARTY, voters, votes(P, P, R, R, A)) is Outcome.NO_CONSENSUS

    def test_abstentions_count_for_the_quorum_but_not_for_approval(self):
        rule = VotingRule(id="q", basis=Basis.COUNTED_MEMBERS, quorum=Fraction(2, 3))
        voters = electorate(rule, members(6))
        assert quorum_needed(rule, 6) == 4
        assert final_outcome(rule, voters, votes(A, A, A)) is Outcome.QUORUM_NOT_MET
        assert final_outcome(rule, voters, votes(A, A, A, S)) is Outcome.NO_CONSENSUS
        assert final_outcome(rule, voters, votes(A, A, A, A)) is Outcome.APPROVED

    def test_the_proposer_does_not_vote_but_stays_in_the_base_by_default(self):
        voters = electorate(PARTY, members(5), proposers=["m5"])
        assert voters.voters == frozenset(members(4))
        assert voters.base == 5
        assert final_outcome(PARTY, voters, votes(A, A, R, R)) is Outcome.NO_CONSENSUS

    def test_the_proposer_can_be_left_out_of_the_base_by_the_body_s_rules(self):
        rule = VotingRule(id="p", basis=Basis.COUNTED_MEMBERS, proposer_in_base=False)
        voters = electorate(rule, members(5), proposers=["m5"])
        assert voters.base == 4
        assert final_outcome(rule, voters, votes(A, A, A, R)) is Outcome.APPROVED

    def test_a_rule_may_let_the_proposer_vote(self):
        rule = VotingRule(id="p", basis=Basis.COUNTED_MEMBERS, proposer_may_vote=True)
        voters = electorate(rule, members(3), proposers=["m3"])
        assert "m3" in voters.voters


class TestStateRule:
    def test_more_than_half_of_the_votes_cast(self):
        voters = electorate(STATE, members(7))
        assert final_outcome(STATE, voters, votes(A, A, R)) is Outcome.APPROVED

    def test_abstentions_are_votes_cast(self):
        voters = electorate(STATE, members(7))
        assert final_outcome(STATE, voters, votes(A, A, S, S)) is Outcome.NO_CONSENSUS

    def test_a_tie_goes_the_way_the_head_voted(self):
        with_head_for = electorate(STATE, members(4), head="m1")
        assert final_outcome(STATE, with_head_for, votes(A, A, R, R)) is Outcome.APPROVED
        with_head_against = electorate(STATE, members(4), head="m3")
        assert final_outcome(STATE, with_head_against, votes(A, A, R, R)) is Outcome.REJECTED

    def test_no_tie_breaker_without_the_rule(self):
        rule = VotingRule(id="s", basis=Basis.VOTES_CAST)
        voters = electorate(rule, members(4), head="m1")
        assert final_outcome(rule, voters, votes(A, A, R, R)) is Outcome.NO_CONSENSUS


class TestCertainty:
    def test_party_majority_reached_is_certain_before_everyone_voted(self):
        voters = electorate(PARTY, members(5))
        assert certain_outcome(PARTY, voters, votes(A, A)) is None
        assert certain_outcome(PARTY, voters, votes(A, A, A)) is Outcome.APPROVED

    def test_no_consensus_is_certain_once_no_choice_can_reach_the_majority(self):
        voters = electorate(PARTY, members(5))
        assert certain_outcome(PARTY, voters, votes(A, A, R, R)) is None
        assert certain_outcome(PARTY, voters, votes(A, A, R, R, P)) is Outcome.NO_CONSENSUS

    def test_state_rule_is_certain_once_the_rest_voting_against_cannot_change_it(self):
        voters = electorate(STATE, members(5), head="m5")
        assert certain_outcome(STATE, voters, votes(A, A)) is None
        assert certain_outcome(STATE, voters, votes(A, A, A)) is Outcome.APPROVED  # 3 of 5

    def test_state_rule_waits_for_the_head_who_would_break_a_tie(self):
        voters = electorate(STATE, members(4), head="m4")
        assert certain_outcome(STATE, voters, votes(A, A, R)) is None
        assert certain_outcome(STATE, voters, votes(A, A, R, R)) is Outcome.REJECTED

    def test_quorum_that_cannot_be_reached_is_certain(self):
        rule = VotingRule(id="q", basis=Basis.COUNTED_MEMBERS, quorum=Fraction(4, 5))
        voters = electorate(rule, members(4), proposers=["m4"])
        assert certain_outcome(rule, voters, {}) is Outcome.QUORUM_NOT_MET


class TestBallot:
    def ballot(self, rule: VotingRule = PARTY, n: int = 5, proposers: tuple[str, ...] = ()):
        return Ballot(id=1, dossier_id=1, body="commune_party_committee", rule=rule,
                      voters=electorate(rule, members(n), proposers), opened_at=NOON,
                      closes_at=NOON + timedelta(days=2))

    def test_a_member_may_change_their_vote_and_still_has_one_vote(self):
        ballot = self.ballot()
        assert ballot.cast("m1", A, NOON) is False
        assert ballot.cast("m1", R, NOON) is True
        assert ballot.tally() == Tally(reject=1)

    def test_the_proposer_is_refused(self):
        ballot = self.ballot(proposers=("m2",))
        with pytest.raises(NotPermitted) as refused:
            ballot.cast("m2", A, NOON)
        assert "own" in refused.value.msgid or "proposed" in refused.value.msgid
        assert ballot.votes == {}

    def test_a_non_member_is_refused(self):
        ballot = self.ballot()
        with pytest.raises(NotPermitted):
            ballot.cast("stranger", A, NOON)
        assert ballot.version == 0

    def test_abstaining_is_refused_where_the_rule_does_not_allow_it(self):
        rule = VotingRule(id="x", basis=Basis.COUNTED_MEMBERS, abstain_allowed=False)
        with pytest.raises(ValidationError):
            self.ballot(rule).cast("m1", S, NOON)

    def test_no_vote_after_closing(self):
        ballot = self.ballot()
        ballot.cast("m1", A, NOON)
        assert ballot.close(NOON) is Outcome.NO_CONSENSUS
        with pytest.raises(TransitionNotAllowed):
            ballot.cast("m2", A, NOON)
        with pytest.raises(TransitionNotAllowed):
            ballot.close(NOON)

    def test_closing_by_hand_waits_for_the_closing_time_unless_all_voted(self):
        ballot = self.ballot(n=2)
        assert not ballot.may_close(NOON)
        assert ballot.may_close(NOON + timedelta(days=2))
        ballot.cast("m1", A, NOON)
        ballot.cast("m2", A, NOON)
        assert ballot.may_close(NOON)

    def test_pending_voters_are_those_who_have_not_voted(self):
        ballot = self.ballot(n=3)
        ballot.cast("m2", A, NOON)
        assert ballot.pending_voters() == {"m1", "m3"}
