"""Around the vote: members' comments with their votes, and a vote without its quorum
(the body's rule asks for an attendance quorum; too few voted by the closing time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.commands import CastVote, OpenBallot
from workflow.errors import NotPermitted, StaleVersion, TransitionNotAllowed, ValidationError
from workflow.lifecycle import State
from workflow.voting import Choice, Outcome

A, R = Choice.APPROVE, Choice.REJECT


async def voting() -> Scenario:
    s = Scenario("commune")
    await s.drive_to(State.APPRAISED)
    await s.open_ballot()
    return s


async def comment(s: Scenario, actor, choice: Choice, text: str | None):  # type: ignore[no-untyped-def]
    return await svc.cast_vote(CastVote(actor=actor, dossier_id=s.dossier_id, choice=choice,
                                        comment=text), s.uow(), s.clock)


class TestComments:
    async def test_a_member_adds_a_comment_to_their_vote(self):
        s = await voting()
        await s.vote(s.members[0], A)
        ballot = await comment(s, s.members[0], A, "  Cần bổ sung dự toán chi tiết. ")
        vote = ballot.votes["member-1"]
        assert vote.choice is A and vote.comment == "Cần bổ sung dự toán chi tiết."
        [cast] = s.new_events()
        assert isinstance(cast, ev.VoteCast) and cast.comment == vote.comment and cast.changed

    async def test_the_comment_stays_with_the_same_choice_and_goes_with_another(self):
        s = await voting()
        await comment(s, s.members[0], A, "Đồng ý, đề nghị làm thí điểm 3 tháng.")
        ballot = await s.vote(s.members[0], A)  # pressed again: the comment stays
        assert ballot.votes["member-1"].comment == "Đồng ý, đề nghị làm thí điểm 3 tháng."
        ballot = await s.vote(s.members[0], R)  # another choice: the old comment misleads
        assert ballot.votes["member-1"].comment == ""

    async def test_comments_reach_the_committee_with_the_result(self):
        s = await voting()
        await comment(s, s.head, A, "Khả thi.")
        await s.vote(s.members[0], A)
        await s.closed(await comment(s, s.members[1], A, "Đề nghị báo cáo tiến độ hằng tháng."))
        closed = next(e for e in s.published(ev.BallotClosed))
        assert isinstance(closed, ev.BallotClosed)
        assert closed.comments == (("member-2", "approve", "Đề nghị báo cáo tiến độ hằng tháng."),
                                   ("secretary", "approve", "Khả thi."))
        stored = s.store.ballots[closed.ballot_id]
        assert stored.votes["member-2"].comment == "Đề nghị báo cáo tiến độ hằng tháng."

    @pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
    async def test_an_empty_or_too_long_comment_is_refused_and_changes_nothing(self, text):
        s = await voting()
        await s.vote(s.members[0], A)
        before = s.snapshot()
        with pytest.raises(ValidationError):
            await comment(s, s.members[0], A, text)
        assert s.store == before

    async def test_wrong_people_and_a_closed_ballot_cannot_comment(self):
        s = await voting()
        before = s.snapshot()
        for actor in (s.office, s.outsider, s.proposer):
            with pytest.raises(NotPermitted):
                await comment(s, actor, A, "Ý kiến")
        assert s.store == before
        await s.closed(await s.votes(A, A, A))  # certain, or the meeting is ended
        after = s.snapshot()
        with pytest.raises(TransitionNotAllowed):
            await comment(s, s.members[3], A, "Muộn")
        assert s.store == after


class TestQuorumNotMet:
    async def test_too_few_votes_at_closing_time_decide_nothing_and_say_how_many_were_needed(
            self):
        s = Scenario("commune")
        await s.drive_to(State.QUORUM_NOT_MET)  # quorum 2/3 of 5; one vote at closing time
        dossier = s.dossier
        assert dossier.decision is None and dossier.due_on is not None
        closed = s.published(ev.BallotClosed)[-1]
        assert isinstance(closed, ev.BallotClosed)
        assert closed.outcome.value == "quorum_not_met" and not closed.automatic
        assert (closed.tally.cast, closed.needed, closed.base) == (1, 4, 5)
        told = {r.route_body or r.person for r in closed.notify}
        assert {"commune_party_office", "commune_party_secretary", "member-1"} <= told
        assert not s.published(ev.DecisionMade)

    async def test_the_office_opens_the_vote_again_with_a_new_closing_time(self):
        s = Scenario("commune")
        await s.drive_to(State.QUORUM_NOT_MET)
        first = max(s.store.ballots)
        again = await s.open_ballot(closes_at=s.clock.now() + timedelta(days=2))
        assert again.id != first and again.votes == {} and again.is_open
        assert s.dossier.state is State.BALLOT_OPEN
        assert s.store.ballots[first].outcome is Outcome.QUORUM_NOT_MET  # kept as it was
        ballot = await s.votes(A, A, A)
        assert ballot.is_open  # three votes are below the quorum of four
        ballot = await s.vote(s.members[3], A)
        assert not ballot.is_open and s.dossier.state is State.APPROVED

    async def test_reopening_refuses_a_past_time_the_wrong_role_and_a_stale_version(self):
        s = Scenario("commune")
        await s.drive_to(State.QUORUM_NOT_MET)
        before = s.snapshot()
        with pytest.raises(ValidationError):
            await s.open_ballot(closes_at=s.clock.now() - timedelta(hours=1))
        members = tuple(a.person_id for a in s.voters)
        later = s.clock.now() + timedelta(days=2)
        with pytest.raises(NotPermitted):
            await svc.open_ballot(OpenBallot(actor=s.members[0], dossier_id=s.dossier_id,
                                             members=members, closes_at=later), s.uow(), s.clock)
        with pytest.raises(StaleVersion):
            await svc.open_ballot(OpenBallot(actor=s.office, dossier_id=s.dossier_id,
                                             expected_version=s.dossier.version - 1,
                                             members=members, closes_at=later), s.uow(), s.clock)
        assert s.store == before
