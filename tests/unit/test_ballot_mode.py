"""When a ballot ends (issue 16): a meeting of the body, or as soon as the result is certain.

The fake scenario's deciding body has five counted members (the head and member-1..4):
three approvals make the result certain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from storage.codec import VERSION_KEY
from storage.uow import BALLOT_BLOB, DOSSIER_BLOB
from tests.fakes import Scenario
from tests.storage.test_codec_versions import OLD_BALLOT, OLD_DOSSIER, old
from workflow import events as ev
from workflow import services as svc
from workflow.commands import CastVote, CloseBallot, CloseExpiredBallot
from workflow.errors import TransitionNotAllowed, ValidationError
from workflow.lifecycle import State
from workflow.rules import bundled_rulebook
from workflow.rules.loader import PackError, load_pack_text
from workflow.voting import PARTY_MAJORITY, BallotMode, Choice, Outcome

A, R = Choice.APPROVE, Choice.REJECT
PACKS = Path(__file__).parents[2] / "workflow" / "rules" / "packs"


async def meeting() -> Scenario:
    """An appraised dossier whose deciding body votes in a meeting."""
    s = Scenario("commune")
    await s.drive_to(State.APPRAISED)
    body = s.route.decision_bodies[0]
    rule = s.dossier.voting_rule(body)
    await s.set_voting_rule(body, replace(rule, ballot=BallotMode.MEETING))
    return s


async def test_a_meeting_stays_open_when_the_result_is_certain_and_members_change_their_vote():
    s = await meeting()
    ballot = await s.open_ballot()
    assert ballot.rule.ballot is BallotMode.MEETING  # the ballot keeps the mode it opened with
    ballot = await s.votes(A, A, A)  # 3 of 5: certain, yet nobody is shut out
    assert ballot.is_open and s.dossier.state is State.BALLOT_OPEN
    assert ballot.certain_outcome() is Outcome.APPROVED
    ballot = await s.vote(s.members[2], R)  # the fourth votes too
    ballot = await s.vote(s.voters[0], R)  # and the first changes their mind
    assert ballot.is_open and ballot.choices()[s.voters[0].person_id] is R
    assert not any(isinstance(e, ev.BallotClosed) for e in s.new_events())
    closed = await s.close_ballot()  # the office ends the meeting before the closing time
    assert not closed.is_open and not closed.automatic
    assert closed.outcome is Outcome.NO_CONSENSUS  # 2 approvals, 2 against, 1 absent
    assert s.dossier.state is State.NO_CONSENSUS
    (closing,) = [e for e in s.new_events() if isinstance(e, ev.BallotClosed)]
    assert closing.outcome is Outcome.NO_CONSENSUS and closing.tally.cast == 4
    with pytest.raises(TransitionNotAllowed):  # after the close a vote changes nothing
        await s.vote(s.members[3], A)


async def test_the_result_of_a_meeting_is_announced_at_the_close_with_the_comments():
    s = await meeting()
    await s.open_ballot()
    await s.votes(A, A, A)
    await svc.cast_vote(CastVote(actor=s.voters[0], choice=A, comment="Đồng ý, làm thử 3 tháng",
                                 **s.ids()), s.uow(), s.clock)
    s.new_events()
    ballot = await s.close_ballot()
    assert ballot.outcome is Outcome.APPROVED and s.dossier.state is State.APPROVED
    kinds = [type(e) for e in s.new_events()]
    assert ev.BallotClosed in kinds and ev.DecisionMade in kinds
    assert ballot.pending_voters() == {s.voters[3].person_id, s.voters[4].person_id}


async def test_the_head_may_end_a_meeting_and_the_scheduler_ends_it_at_the_closing_time():
    s = await meeting()
    await s.open_ballot()
    await s.vote(s.voters[1], A)
    ballot = await svc.close_ballot(CloseBallot(actor=s.head, **s.ids()), s.uow(), s.clock)
    assert not ballot.is_open and ballot.outcome is Outcome.NO_CONSENSUS  # 1 of 5
    s = await meeting()
    ballot = await s.open_ballot()
    await s.votes(A, A, A)
    assert ballot.closes_at is not None
    s.clock.current = ballot.closes_at + timedelta(minutes=1)
    ballot = await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), s.uow(),
                                            s.clock)
    assert ballot.outcome is Outcome.APPROVED and not ballot.automatic


async def test_a_meeting_without_its_quorum_decides_nothing():
    s = await meeting()
    body = s.route.decision_bodies[0]
    await s.set_voting_rule(body, replace(s.dossier.voting_rule(body), quorum=Fraction(2, 3)))
    await s.open_ballot()
    await s.votes(A, A)
    ballot = await s.close_ballot()
    assert ballot.outcome is Outcome.QUORUM_NOT_MET and s.dossier.state is State.QUORUM_NOT_MET


async def test_close_when_certain_is_unchanged():
    s = Scenario("commune")
    await s.drive_to(State.APPRAISED)
    await s.close_when_certain()  # the packs hold meetings; the mode is still there
    ballot = await s.open_ballot()
    assert ballot.rule.ballot is BallotMode.CLOSE_WHEN_CERTAIN
    ballot = await s.votes(A, A)
    with pytest.raises(ValidationError):  # too early to close by hand with votes missing
        await s.close_ballot()
    ballot = await s.vote(s.members[1], A)
    assert not ballot.is_open and ballot.automatic and ballot.outcome is Outcome.APPROVED


def test_the_mode_is_a_key_of_the_voting_rule_in_the_pack():
    for pack in bundled_rulebook().packs():
        for rule in pack.voting_rules.values():
            assert isinstance(rule.ballot, BallotMode)
    # Every bundled pack holds meetings (887 Điều 4 khoản 3 b; ND 73 Điều 8 khoản 1).
    assert all(rule.ballot is BallotMode.MEETING for pack in bundled_rulebook().packs()
               for rule in pack.voting_rules.values())
    text = (PACKS / "duc-pho-2022.yaml").read_text(encoding="utf-8")
    assert "ballot: meeting" in text
    certain = load_pack_text(text.replace("ballot: meeting", "ballot: close_when_certain"))
    assert certain.voting_rules["party_majority"].ballot is BallotMode.CLOSE_WHEN_CERTAIN
    without = load_pack_text(text.replace("    ballot: meeting\n", ""))
    assert without.voting_rules["party_majority"].ballot is BallotMode.MEETING
    with pytest.raises(PackError, match="unknown ballot mode 'vote'"):
        load_pack_text(text.replace("ballot: meeting", "ballot: vote"))
    assert PARTY_MAJORITY.ballot is BallotMode.CLOSE_WHEN_CERTAIN


def test_ballots_and_dossiers_stored_before_the_mode_close_when_certain():
    assert BALLOT_BLOB.version == 4 and DOSSIER_BLOB.version == 3
    ballot = {**old(OLD_BALLOT), VERSION_KEY: 2}
    assert BALLOT_BLOB.load(ballot, 1).rule.ballot is BallotMode.CLOSE_WHEN_CERTAIN
    assert BALLOT_BLOB.load(old(OLD_BALLOT), 1).rule.ballot is BallotMode.CLOSE_WHEN_CERTAIN
    dossier = {**old(OLD_DOSSIER), VERSION_KEY: 1}
    dossier = DOSSIER_BLOB.load(dossier, 1, extra={"history": []})
    assert all(r.ballot is BallotMode.CLOSE_WHEN_CERTAIN for r in dossier.voting_rules.values())
