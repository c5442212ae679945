"""Ballot rules and outcome (the collective decision of DOMAIN.md §6).

Two bases are supported:

* **Counted members** (``Basis.COUNTED_MEMBERS``): a choice carries when its votes are
  more than ``more_than`` (1/2) of the body's *counted members*, not of those present.
  The optional attendance quorum is a share of the counted members who voted (an
  abstention counts as present). The Party rule (Điều lệ Đảng Điều 9 khoản 5) is this
  basis alone. The state track (Nghị định 73/2023/NĐ-CP Điều 8 khoản 1: "trên 50% ý
  kiến biểu quyết tán thành" of the leadership collective, that is the head and the
  deputies less a deputy who made the proposal) is this basis with
  ``proposer_in_base=False``, ``tie_breaker="head"`` and ``head_must_vote=True``.
* **Votes cast** (``Basis.VOTES_CAST``): a choice carries when its votes are more than
  ``more_than`` of the votes cast. Abstentions are votes cast: a member who took part
  and did not approve has not approved. No bundled pack uses it.

With ``tie_breaker="head"`` a choice backed by exactly ``more_than`` of the basis
carries when the head voted for it (an exact tie goes the way the head voted). With
``head_must_vote`` the head chairs the meeting, so nothing is decided without the
head's vote (an abstention is taking part): a ballot the head has not voted in closes
as *quorum not met* and is re-opened, and a ballot in which the head cannot vote (no
head known, or the head is not a voter) can never carry.

Choices are approve, reject, re-prepare, and abstain where the rule allows it.
Approval is looked at first; rejected and returned need the same majority for their
own choice; when no choice carries the outcome is *no consensus* (the head may then
decide alone, 887 Điều 4 khoản 3 b). Below the quorum the outcome is *quorum not met*.

The proposer does not vote on their own plan. If they are a counted member, they
stay in the base by default (``VotingRule.proposer_in_base``): the Party Charter
counts the members of the body, and the proposer is still one of them.

When a ballot ends is the body's working rule (:class:`BallotMode`, the ``ballot`` key
of the pack's voting rule; the ballot keeps the mode it opened with). In a *meeting*
(meant for every bundled pack: a party committee "xem xét, thảo luận, quyết định", 887
Điều 4 khoản 3 b; ND 73 Điều 8 khoản 1 has the head chair a meeting of the collective)
every member may vote, change their vote and comment until the closing time or until
the office or the head closes the vote, which they may do at any time; the result is
counted then, not before. *Close when certain* ends the ballot
as soon as the result can no longer change, read as follows: votes cast so far stand,
and each voter who has not voted may still vote any choice or not vote at all. When
every such completion gives the same outcome, :func:`certain_outcome` returns it and
the service closes the ballot at once (so a standing vote cannot be changed
afterwards). Otherwise the ballot stays open; members may change their vote (the new
vote replaces the old); at closing time :func:`final_outcome` counts the votes
actually cast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from workflow.errors import NotPermitted, TransitionNotAllowed, ValidationError
from workflow.i18n import N_


class Basis(StrEnum):
    """What the approval threshold is a fraction of."""

    COUNTED_MEMBERS = "counted_members"  # members of the body, not those present (party, ND 73)
    VOTES_CAST = "votes_cast"  # those voting


class BallotMode(StrEnum):
    """When a ballot ends (the body's working rules decide)."""

    # Open until the closing time or until the office or the head closes it; members may
    # vote, change their vote and comment until then; the result is counted at the close.
    MEETING = "meeting"
    # Closed by itself as soon as the result can no longer change.
    CLOSE_WHEN_CERTAIN = "close_when_certain"


@dataclass(frozen=True)
class VotingRule:
    """How one deciding body decides (from a pack's ``voting_rules``)."""

    id: str
    basis: Basis
    # Approval needs strictly more than this share of the basis.
    more_than: Fraction = Fraction(1, 2)
    # Attendance quorum as a share of counted members (None: no quorum).
    quorum: Fraction | None = None
    # "head": on a tie the side the head voted for wins (ND 73 Điều 8 khoản 1).
    tie_breaker: str | None = None
    abstain_allowed: bool = True
    proposer_may_vote: bool = False
    # A proposer who is a counted member stays in the base (the Charter counts members)
    # even though they do not vote on their own plan.
    proposer_in_base: bool = True
    # The head chairs the meeting (ND 73 Điều 8 khoản 1): without the head's vote nothing
    # is decided (quorum not met), whatever the others voted.
    head_must_vote: bool = False
    # When the ballot ends: a meeting of the body or as soon as the result is certain
    # (the default for now: what every ballot did before the mode existed).
    ballot: BallotMode = BallotMode.CLOSE_WHEN_CERTAIN

    @property
    def closes_when_certain(self) -> bool:
        return self.ballot is BallotMode.CLOSE_WHEN_CERTAIN


# Used when a deciding body has no rule in its pack: the Party Charter's own rule.
PARTY_MAJORITY = VotingRule(id="party_majority", basis=Basis.COUNTED_MEMBERS)


class Choice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RE_PREPARE = "re_prepare"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # for re-preparation
    NO_CONSENSUS = "no_consensus"
    QUORUM_NOT_MET = "quorum_not_met"


CHOICE_LABELS: dict[Choice, str] = {
    Choice.APPROVE: N_("approve"),
    Choice.REJECT: N_("do not approve"),
    Choice.RE_PREPARE: N_("re-prepare"),
    Choice.ABSTAIN: N_("abstain"),
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.APPROVED: N_("approved"),
    Outcome.REJECTED: N_("not approved"),
    Outcome.RETURNED: N_("returned for re-preparation"),
    Outcome.NO_CONSENSUS: N_("no consensus"),
    Outcome.QUORUM_NOT_MET: N_("quorum not met"),
}

# Choices that can carry, in the order they are looked at.
DECISIVE: tuple[Choice, ...] = (Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE)
_OUTCOME_OF = {
    Choice.APPROVE: Outcome.APPROVED,
    Choice.REJECT: Outcome.REJECTED,
    Choice.RE_PREPARE: Outcome.RETURNED,
}


@dataclass(frozen=True)
class Electorate:
    """Who counts and who votes in one ballot, fixed when the ballot opens."""

    members: frozenset[str]  # the body's counted members
    voters: frozenset[str]  # those who may vote (members minus the proposers, usually)
    base: int  # denominator of the party rule and of the quorum
    head: str | None = None  # whose side wins a tie, when the rule says so


def electorate(
    rule: VotingRule,
    counted_members: Iterable[str],
    proposers: Iterable[str] = (),
    head: str | None = None,
) -> Electorate:
    """The electorate of a body for a dossier whose proposers are ``proposers``."""
    members = frozenset(counted_members)
    own = members & frozenset(proposers)
    voters = members if rule.proposer_may_vote else members - own
    base = len(members) if rule.proposer_may_vote or rule.proposer_in_base else len(voters)
    return Electorate(members=members, voters=voters, base=base, head=head)


@dataclass(frozen=True)
class Tally:
    """How many votes each choice has."""

    approve: int = 0
    reject: int = 0
    re_prepare: int = 0
    abstain: int = 0

    @classmethod
    def of(cls, choices: Iterable[Choice]) -> Tally:
        counts = dict.fromkeys(Choice, 0)
        for choice in choices:
            counts[choice] += 1
        return cls(*(counts[c] for c in Choice))

    def count(self, choice: Choice) -> int:
        return int(getattr(self, choice.value))

    @property
    def cast(self) -> int:
        return self.approve + self.reject + self.re_prepare + self.abstain


def quorum_needed(rule: VotingRule, base: int) -> int:
    """How many votes (abstentions included) must be cast for the result to stand."""
    return 0 if rule.quorum is None else math.ceil(rule.quorum * base)


def head_cannot_vote(rule: VotingRule, voters: Electorate) -> bool:
    """Whether the rule needs the head's vote and the head is not among the voters."""
    return rule.head_must_vote and (voters.head is None or voters.head not in voters.voters)


def _head_missing(rule: VotingRule, voters: Electorate, votes: Mapping[str, Choice]) -> bool:
    """Whether the rule needs the head's vote and the head has not voted (yet)."""
    return rule.head_must_vote and (voters.head is None or voters.head not in votes)


def _carries(rule: VotingRule, count: int, denominator: int, head_backs: bool) -> bool:
    """Whether ``count`` votes carry a choice out of ``denominator`` (strictly more than)."""
    threshold = rule.more_than * denominator
    if count > threshold:
        return True
    return rule.tie_breaker == "head" and head_backs and count == threshold


def final_outcome(rule: VotingRule, voters: Electorate, votes: Mapping[str, Choice]) -> Outcome:
    """The outcome from the votes actually cast (used when the ballot closes)."""
    tally = Tally.of(votes.values())
    if tally.cast < quorum_needed(rule, voters.base) or _head_missing(rule, voters, votes):
        return Outcome.QUORUM_NOT_MET
    denominator = voters.base if rule.basis is Basis.COUNTED_MEMBERS else tally.cast
    head_choice = votes.get(voters.head) if voters.head else None
    for choice in DECISIVE:
        if _carries(rule, tally.count(choice), denominator, head_choice == choice):
            return _OUTCOME_OF[choice]
    return Outcome.NO_CONSENSUS


def certain_outcome(
    rule: VotingRule, voters: Electorate, votes: Mapping[str, Choice]
) -> Outcome | None:
    """The outcome if no vote still to come (or not to come) can change it, else None.

    For each choice, in order, the best case is that every remaining voter votes for
    it and the worst case that every remaining voter votes otherwise (with the votes
    cast basis a vote against lowers the share; with the counted members basis only
    the choice's own votes matter). A choice impossible even in its best case is
    skipped; one that carries even in its worst case is certain; anything in between
    leaves the outcome open. The quorum is certain once enough votes are in, and
    certainly missed when too few voters remain. Where the head must vote, nothing is
    certain before the head has voted (the head may still not vote), and the quorum is
    certainly missed when the head cannot vote at all.
    """
    remaining = len(voters.voters - votes.keys())
    tally = Tally.of(votes.values())
    needed = quorum_needed(rule, voters.base)
    if tally.cast + remaining < needed:
        return Outcome.QUORUM_NOT_MET
    if _head_missing(rule, voters, votes) and head_cannot_vote(rule, voters):
        return Outcome.QUORUM_NOT_MET
    if tally.cast < needed or _head_missing(rule, voters, votes):
        return None
    head_choice = votes.get(voters.head) if voters.head else None
    head_pending = voters.head is not None and voters.head in voters.voters - votes.keys()
    by_members = rule.basis is Basis.COUNTED_MEMBERS
    # Both extremes have every remaining voter voting, so they share a denominator.
    denominator = voters.base if by_members else tally.cast + remaining
    for choice in DECISIVE:
        count = tally.count(choice)
        best = _carries(rule, count + remaining, denominator, head_choice == choice or head_pending)
        if not best:
            continue
        if _carries(rule, count, denominator, head_choice == choice):
            return _OUTCOME_OF[choice]
        return None
    return Outcome.NO_CONSENSUS


@dataclass(frozen=True)
class Vote:
    choice: Choice
    at: datetime
    comment: str = ""  # the member's remarks, kept with the vote and shown with the result


# What a ballot decides: the plan itself, or the collective's evaluation of its results.
DECISION, EVALUATION = "decision", "evaluation"


@dataclass
class Ballot:
    """One vote of a deciding body on a dossier; rule and members are a snapshot."""

    id: int
    dossier_id: int
    body: str  # route body id of the deciding body
    rule: VotingRule
    voters: Electorate
    opened_at: datetime
    closes_at: datetime | None = None
    votes: dict[str, Vote] = field(default_factory=dict)
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    automatic: bool = False  # closed because the outcome became certain
    cancelled: bool = False  # closed without outcome (the dossier was withdrawn)
    version: int = 0
    purpose: str = DECISION  # DECISION or EVALUATION (a proposal put to the vote)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def choices(self) -> dict[str, Choice]:
        return {person: vote.choice for person, vote in self.votes.items()}

    def tally(self) -> Tally:
        return Tally.of(vote.choice for vote in self.votes.values())

    def pending_voters(self) -> frozenset[str]:
        """Voters who have not voted yet (for "closing soon" reminders)."""
        return self.voters.voters - self.votes.keys()

    def check_vote(self, person: str, choice: Choice) -> None:
        """Refuse a vote that may not be cast; changes nothing."""
        if not self.is_open:
            raise TransitionNotAllowed(N_("Voting on this dossier has closed."))
        if person in self.voters.members and person not in self.voters.voters:
            raise NotPermitted(N_("You do not vote on a plan you proposed."))
        if person not in self.voters.voters:
            raise NotPermitted(N_("You are not a counted member of the body voting on this plan."))
        if choice is Choice.ABSTAIN and not self.rule.abstain_allowed:
            raise ValidationError(N_("This body's rules do not allow abstaining."))

    def cast(self, person: str, choice: Choice, at: datetime, comment: str | None = None) -> bool:
        """Record ``person``'s vote, replacing an earlier one; True if it was a change.

        ``comment`` None keeps the earlier comment if the choice is the same (a comment
        written for another choice would mislead, so a changed choice drops it).
        """
        self.check_vote(person, choice)
        before = self.votes.get(person)
        if comment is None:
            comment = before.comment if before is not None and before.choice is choice else ""
        self.votes[person] = Vote(choice, at, comment)
        self.version += 1
        return before is not None

    def certain_outcome(self) -> Outcome | None:
        """The outcome if it can no longer change (see :func:`certain_outcome`)."""
        return certain_outcome(self.rule, self.voters, self.choices())

    def final_outcome(self) -> Outcome:
        """The outcome from the votes cast so far (see :func:`final_outcome`)."""
        return final_outcome(self.rule, self.voters, self.choices())

    def may_close(self, now: datetime) -> bool:
        """Closing by hand: a meeting ends when the office or the head says so; a ballot
        that closes when certain waits for the closing time unless every voter has voted."""
        return (
            not self.rule.closes_when_certain or self.closes_at is None
            or now >= self.closes_at or not self.pending_voters()
        )

    def close(self, at: datetime, *, automatic: bool = False) -> Outcome:
        """Close the ballot and fix its outcome from the votes cast."""
        if not self.is_open:
            raise TransitionNotAllowed(N_("Voting on this dossier has closed."))
        self.outcome = self.final_outcome()
        self.closed_at = at
        self.automatic = automatic
        self.version += 1
        return self.outcome

    def cancel(self, at: datetime) -> None:
        """Close without an outcome (the proposer withdrew the dossier)."""
        self.closed_at = at
        self.cancelled = True
        self.version += 1
