"""Ballot rules and outcome (the collective decision of DOMAIN.md §6).

Only the rule's shape is defined here so far; the tally lives beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Basis(StrEnum):
    """What the approval threshold is a fraction of."""

    COUNTED_MEMBERS = "counted_members"  # party rule: members of the body, not those present
    VOTES_CAST = "votes_cast"  # state rule (ND 73): those voting


@dataclass(frozen=True)
class VotingRule:
    id: str
    basis: Basis
    # Approval needs strictly more than this share of the basis.
    more_than: Fraction = Fraction(1, 2)
    # Attendance quorum as a share of counted members (None: no quorum).
    quorum: Fraction | None = None
    # "head": on a tie the side the head voted for wins (ND 73).
    tie_breaker: str | None = None
    abstain_allowed: bool = True
    proposer_may_vote: bool = False
