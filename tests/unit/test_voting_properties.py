"""Properties of the voting rules, checked with hypothesis over small bodies."""

from __future__ import annotations

import itertools
from datetime import datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes import VIETNAM
from workflow.errors import NotPermitted
from workflow.voting import (
    Ballot,
    Basis,
    Choice,
    Electorate,
    Outcome,
    VotingRule,
    certain_outcome,
    electorate,
    final_outcome,
)

NOON = datetime(2024, 3, 4, 12, tzinfo=VIETNAM)
MEMBERS = [f"m{i}" for i in range(1, 6)]

rules = st.builds(
    VotingRule,
    id=st.just("rule"),
    basis=st.sampled_from(list(Basis)),
    more_than=st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(1, 3)]),
    quorum=st.sampled_from([None, Fraction(1, 2), Fraction(2, 3), Fraction(1)]),
    tie_breaker=st.sampled_from([None, "head"]),
    abstain_allowed=st.booleans(),
    proposer_may_vote=st.booleans(),
    proposer_in_base=st.booleans(),
    head_must_vote=st.booleans(),
)


@st.composite
def setups(draw: st.DrawFn) -> tuple[VotingRule, Electorate, dict[str, Choice]]:
    """A rule, an electorate of 1–5 members, and the votes cast so far."""
    rule = draw(rules)
    n = draw(st.integers(1, 5))
    members = MEMBERS[:n]
    proposers = draw(st.lists(st.sampled_from(MEMBERS), max_size=2, unique=True))
    head = draw(st.sampled_from([None, *members]))
    voters = electorate(rule, members, proposers, head)
    allowed = choices_of(rule)
    cast = draw(st.dictionaries(st.sampled_from(sorted(voters.voters) or ["none"]),
                                st.sampled_from(allowed)))
    cast = {k: v for k, v in cast.items() if k in voters.voters}
    return rule, voters, cast


def choices_of(rule: VotingRule) -> list[Choice]:
    return [c for c in Choice if rule.abstain_allowed or c is not Choice.ABSTAIN]


def completions(rule: VotingRule, voters: Electorate, cast: dict[str, Choice]):
    """Every way the voters who have not voted may vote, or not vote."""
    remaining = sorted(voters.voters - cast.keys())
    options: list[Choice | None] = [*choices_of(rule), None]
    for picks in itertools.product(options, repeat=len(remaining)):
        done = dict(cast)
        done.update({v: c for v, c in zip(remaining, picks, strict=True) if c is not None})
        yield done


@settings(max_examples=300, deadline=None)
@given(setups())
def test_an_early_certain_outcome_is_the_final_outcome_of_every_completion(setup):
    rule, voters, cast = setup
    early = certain_outcome(rule, voters, cast)
    finals = {final_outcome(rule, voters, done) for done in completions(rule, voters, cast)}
    if early is not None:
        assert finals == {early}
    else:
        # And it is decided as soon as it can no longer change: not earlier, not later.
        assert len(finals) > 1


@settings(max_examples=200, deadline=None)
@given(setups(), st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_the_order_of_the_votes(setup, random):
    rule, voters, cast = setup
    order = list(cast.items())
    random.shuffle(order)
    ballot = Ballot(id=1, dossier_id=1, body="b", rule=rule, voters=voters, opened_at=NOON)
    for person, choice in order:
        ballot.cast(person, choice, NOON)
    assert ballot.final_outcome() == final_outcome(rule, voters, cast)


@settings(max_examples=200, deadline=None)
@given(setups(), st.data())
def test_adding_a_yes_vote_never_turns_approved_into_something_else(setup, data):
    rule, voters, cast = setup
    remaining = sorted(voters.voters - cast.keys())
    if final_outcome(rule, voters, cast) is not Outcome.APPROVED or not remaining:
        return
    newcomer = data.draw(st.sampled_from(remaining))
    assert final_outcome(rule, voters, {**cast, newcomer: Choice.APPROVE}) is Outcome.APPROVED


@settings(max_examples=200, deadline=None)
@given(setups(), st.data())
def test_nobody_has_two_votes_a_change_replaces(setup, data):
    rule, voters, _ = setup
    if not voters.voters:
        return
    casts = data.draw(st.lists(st.tuples(st.sampled_from(sorted(voters.voters)),
                                         st.sampled_from(choices_of(rule))), max_size=12))
    ballot = Ballot(id=1, dossier_id=1, body="b", rule=rule, voters=voters, opened_at=NOON)
    for person, choice in casts:
        ballot.cast(person, choice, NOON)
    last = dict(casts)
    assert ballot.choices() == last
    assert ballot.tally().cast == len({person for person, _ in casts})


@settings(max_examples=200, deadline=None)
@given(setups(), st.sampled_from(list(Choice)))
def test_a_vote_from_a_proposer_or_a_non_member_is_refused_and_changes_nothing(setup, choice):
    rule, voters, cast = setup
    ballot = Ballot(id=1, dossier_id=1, body="b", rule=rule, voters=voters, opened_at=NOON)
    for person, c in cast.items():
        ballot.cast(person, c, NOON)
    before = (dict(ballot.votes), ballot.version)
    for outsider in [*(voters.members - voters.voters), "stranger"]:
        with pytest.raises(NotPermitted):
            ballot.cast(outsider, choice, NOON)
    assert (ballot.votes, ballot.version) == before
