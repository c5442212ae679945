"""The state track's vote (Nghị định 73/2023/NĐ-CP Điều 8 khoản 1), as the bundled pack says.

The leadership collective (the head and the deputies, less a deputy who made the
proposal) passes the plan with more than 50% of its members approving, not 50% of those
who voted; a tie follows the head's vote; the head chairs the meeting, so without the
head's vote nothing is decided (quorum not met: the vote is opened again).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.fakes import Scenario
from workflow import services as svc
from workflow.commands import CloseExpiredBallot
from workflow.errors import ValidationError
from workflow.lifecycle import State
from workflow.rules.loader import PackError, bundled_pack_texts, load_pack_text
from workflow.voting import (
    BallotMode,
    Basis,
    Choice,
    Electorate,
    Outcome,
    VotingRule,
    certain_outcome,
    electorate,
    final_outcome,
)

A, R, P = Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE
ND73_TEXT = bundled_pack_texts()["nd73-2023.yaml"]
ND73_PACK = load_pack_text(ND73_TEXT, "nd73-2023.yaml")
ND73 = ND73_PACK.voting_rules["state_majority"]
# The head and three deputies.
COLLECTIVE = ("head", "d1", "d2", "d3")


def collective(proposers: tuple[str, ...] = (), head: str | None = "head") -> Electorate:
    return electorate(ND73, COLLECTIVE, proposers, head)


def outcome(voters: Electorate, **votes: Choice) -> Outcome:
    return final_outcome(ND73, voters, votes)


def early(voters: Electorate, **votes: Choice) -> Outcome | None:
    return certain_outcome(ND73, voters, votes)


def test_the_pack_rule_is_the_collective_majority_with_the_head():
    expected = VotingRule(id="state_majority", basis=Basis.COUNTED_MEMBERS, tie_breaker="head",
                          abstain_allowed=False, proposer_may_vote=False,
                          proposer_in_base=False, head_must_vote=True,
                          ballot=BallotMode.MEETING)
    assert expected == ND73


class TestFinalOutcome:
    def test_one_deputy_of_four_with_the_head_absent_does_not_approve(self):
        # The measured fault: with the votes cast as the basis, 1 of 1 approved the plan.
        votes_cast = VotingRule(id="v1", basis=Basis.VOTES_CAST, tie_breaker="head")
        assert final_outcome(votes_cast, electorate(votes_cast, COLLECTIVE, (), "head"),
                             {"d1": A}) is Outcome.APPROVED
        assert outcome(collective(), d1=A) is Outcome.QUORUM_NOT_MET

    def test_three_of_four_with_the_head_approve(self):
        assert outcome(collective(), head=A, d1=A, d2=A, d3=R) is Outcome.APPROVED

    def test_two_of_four_with_the_head_approve_by_the_tie_rule(self):
        assert outcome(collective(), head=A, d1=A, d2=R, d3=R) is Outcome.APPROVED

    def test_two_of_four_without_the_head_do_not_approve(self):
        # The head voted no: the tie goes the head's way.
        assert outcome(collective(), head=R, d1=A, d2=A, d3=R) is Outcome.REJECTED

    def test_two_of_four_is_not_more_than_half_without_the_tie(self):
        assert outcome(collective(), head=A, d1=A, d2=R, d3=P) is Outcome.APPROVED
        assert outcome(collective(), head=P, d1=A, d2=A, d3=R) is Outcome.NO_CONSENSUS

    def test_a_proposing_deputy_is_left_out_of_the_count(self):
        voters = collective(proposers=("d3",))
        assert voters.voters == {"head", "d1", "d2"} and voters.base == 3
        # 2 of 3 is more than half: approved even against the head...
        assert outcome(voters, head=R, d1=A, d2=A) is Outcome.APPROVED
        # ...where 2 of 4, the proposer counted, would be a tie against the head: not approved.
        assert outcome(collective(), head=R, d1=A, d2=A) is Outcome.NO_CONSENSUS
        assert outcome(voters, head=A, d1=R, d2=R) is Outcome.REJECTED

    def test_without_the_head_s_vote_nothing_is_decided(self):
        assert outcome(collective(), d1=A, d2=A, d3=A) is Outcome.QUORUM_NOT_MET
        assert outcome(collective(), d1=R, d2=R, d3=R) is Outcome.QUORUM_NOT_MET
        assert outcome(collective()) is Outcome.QUORUM_NOT_MET

    def test_nothing_is_decided_when_the_head_is_unknown_or_not_a_voter(self):
        assert outcome(collective(head=None), d1=A, d2=A, d3=A) is Outcome.QUORUM_NOT_MET
        proposing_head = collective(proposers=("head",))
        assert outcome(proposing_head, d1=A, d2=A, d3=A) is Outcome.QUORUM_NOT_MET


class TestCertainOutcome:
    def test_the_measured_case_stays_open(self):
        assert early(collective(), d1=A) is None

    def test_a_majority_with_the_head_closes_before_the_last_deputy(self):
        assert early(collective(), head=A, d1=A) is Outcome.APPROVED  # half, with the head
        assert early(collective(), head=A, d1=A, d2=A) is Outcome.APPROVED
        assert early(collective(), head=R, d1=R) is Outcome.REJECTED

    def test_half_against_the_head_waits_for_the_last_vote(self):
        assert early(collective(), d1=A, d2=A) is None
        assert early(collective(), head=R, d1=A, d2=A) is None  # d3 may still approve
        assert early(collective(), head=R, d1=A, d2=A, d3=R) is Outcome.REJECTED

    def test_never_approved_while_the_head_has_not_voted(self):
        # Three of four deputies approve: a majority, but the head may still not vote.
        assert early(collective(), d1=A, d2=A, d3=A) is None
        assert early(collective(), d1=R, d2=R, d3=R) is None

    def test_no_majority_left_is_certain_once_the_head_voted(self):
        assert early(collective(), head=A, d1=R, d2=P) is None
        assert early(collective(), head=P, d1=A, d2=R, d3=R) is Outcome.NO_CONSENSUS

    def test_a_ballot_the_head_cannot_vote_in_is_certain_from_the_start(self):
        assert early(collective(head=None)) is Outcome.QUORUM_NOT_MET
        assert early(collective(head="someone-else")) is Outcome.QUORUM_NOT_MET
        assert early(collective(proposers=("head",))) is Outcome.QUORUM_NOT_MET

    @pytest.mark.parametrize("proposers", [(), ("d3",)])
    def test_the_early_outcome_is_the_outcome_of_every_way_the_rest_may_vote(self, proposers):
        # Every set of votes cast so far, against every way the others may vote or not.
        voters = collective(proposers=proposers)
        people = sorted(voters.voters)
        options: list[Choice | None] = [A, R, P, None]

        def completions(cast: dict[str, Choice]) -> set[Outcome]:
            rest = [p for p in people if p not in cast]
            return {final_outcome(ND73, voters, {**cast, **{p: c for p, c in zip(
                rest, picks, strict=True) if c is not None}})
                for picks in itertools.product(options, repeat=len(rest))}

        for picks in itertools.product(options, repeat=len(people)):
            cast = {p: c for p, c in zip(people, picks, strict=True) if c is not None}
            finals, found = completions(cast), certain_outcome(ND73, voters, cast)
            assert (found is None) == (len(finals) > 1), (cast, finals)
            assert found is None or finals == {found}
            if "head" not in cast:
                assert found is not Outcome.APPROVED


class TestBallots:
    """The deciding flow: a vote without the head is re-opened, and closes once the head votes."""

    async def appraised(self) -> Scenario:
        s = Scenario("agency_staff", pack=ND73_PACK)
        await s.drive_to(State.APPRAISED)
        return s

    async def test_a_vote_without_the_head_closes_without_quorum_and_is_opened_again(self):
        s = await self.appraised()
        ballot = await s.open_ballot()
        assert ballot.rule.head_must_vote and ballot.voters.base == 5
        for member in s.members[:3]:
            ballot = await s.vote(member, A)  # 3 of 5: a majority, but the head has not voted
        assert ballot.is_open
        assert ballot.closes_at is not None
        s.clock.current = ballot.closes_at + timedelta(minutes=1)
        await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), s.uow(), s.clock)
        assert s.store.ballots[ballot.id].outcome is Outcome.QUORUM_NOT_MET
        assert s.dossier.state is State.QUORUM_NOT_MET and s.dossier.decision is None
        again = await s.open_ballot()
        await s.vote(s.members[0], A)
        await s.vote(s.members[1], A)
        again = await s.vote(s.head, A)
        if again.is_open:  # a meeting: the office ends it
            again = await s.close_ballot()
        assert not again.is_open and again.outcome is Outcome.APPROVED
        assert s.dossier.state is State.APPROVED

    async def test_a_vote_the_head_cannot_take_part_in_is_not_opened(self):
        s = await self.appraised()
        with pytest.raises(ValidationError, match="head"):
            await s.open_ballot(head_person=None)
        with pytest.raises(ValidationError, match="head"):
            await s.open_ballot(members=tuple(m.person_id for m in s.members))
        assert s.store.ballots == {}


class TestPackFlag:
    def error(self, text: str) -> PackError:
        with pytest.raises(PackError) as caught:
            load_pack_text(text, "nd73-2023.yaml")
        return caught.value

    @pytest.mark.parametrize("value", ["1", '"true"', "often"])
    def test_head_must_vote_that_is_not_true_or_false_is_refused_with_key_and_line(self, value):
        old = "    head_must_vote: true\n"
        assert ND73_TEXT.count(old) == 1
        line = ND73_TEXT[:ND73_TEXT.index(old)].count("\n") + 1
        error = self.error(ND73_TEXT.replace(old, f"    head_must_vote: {value}\n"))
        assert str(error) == (f"nd73-2023.yaml:{line}: voting_rules.state_majority."
                              "head_must_vote: expected true or false")
        assert "\n" not in str(error) and error.line == line

    def test_proposer_in_base_is_checked_the_same_way(self):
        error = self.error(ND73_TEXT.replace("    proposer_in_base: false\n",
                                             "    proposer_in_base: no-one\n"))
        assert "voting_rules.state_majority.proposer_in_base: expected true or false" in str(error)

    def test_the_flag_is_off_unless_the_pack_sets_it(self):
        text = ND73_TEXT.replace("    head_must_vote: true\n", "")
        assert not load_pack_text(text, "x.yaml").voting_rules["state_majority"].head_must_vote

    def test_a_misspelt_flag_is_an_unknown_key(self):
        error = self.error(ND73_TEXT.replace("    head_must_vote: true\n",
                                             "    head_must_votes: true\n"))
        assert "unknown key" in str(error) and "head_must_votes" in str(error)
