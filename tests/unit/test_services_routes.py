"""The three route families of the default pack, end to end through the services."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fakes import Scenario
from workflow import events as ev
from workflow import services as svc
from workflow.actors import Actor, Grant, Role
from workflow.commands import CellAgree, OpenBallot, Resubmit
from workflow.errors import NotPermitted, ValidationError
from workflow.lifecycle import State
from workflow.voting import Choice, Outcome


async def test_commune_goes_straight_to_the_office_and_informs_cell_secretary_and_leadership():
    s = Scenario("commune")
    await s.create()
    dossier = await s.submit()
    assert dossier.state is State.SUBMITTED
    events = s.new_events()
    (sent,) = [e for e in events if isinstance(e, ev.DossierSubmitted)]
    assert sent.to_route_body == "commune_party_office"
    assert sent.notify[0].role is Role.OFFICE
    informed = sorted(e.route_body for e in events if isinstance(e, ev.InformationCopyDue))
    assert informed == ["party_cell_secretary", "unit_leadership"]
    # The proposer is reminded of the duty too: it is theirs (000 Điều 2 khoản 1 a).
    copy = next(e for e in events if isinstance(e, ev.InformationCopyDue))
    assert {r.person for r in copy.notify if r.role is Role.PROPOSER} == {"cadre-1", "cadre-2"}

    dossier = await s.register()
    assert dossier.received_on == date(2024, 3, 4) and dossier.due_on == date(2024, 4, 15)
    await s.appraise()
    ballot = await s.decide(Choice.APPROVE)
    assert ballot.body == "commune_party_committee" and ballot.outcome is Outcome.APPROVED
    assert s.dossier.state is State.APPROVED
    await s.answer()
    await s.start()
    await s.complete()
    await s.evaluate()
    assert s.dossier.state is State.EVALUATED


async def test_commune_school_goes_through_the_party_cell():
    s = Scenario("commune_school")
    await s.create()
    dossier = await s.submit()
    assert dossier.state is State.AT_CELL
    (sent,) = [e for e in s.new_events() if isinstance(e, ev.DossierSubmitted)]
    assert sent.to_route_body == "party_cell"
    assert sent.notify[0].role is Role.CELL_SECRETARY

    await s.cell_return()
    assert s.dossier.state is State.RETURNED_BY_CELL
    assert any(isinstance(e, ev.CellReturned) for e in s.new_events())
    dossier = await svc.resubmit(Resubmit(actor=s.proposer, dossier_id=s.dossier_id),
                                 s.uow(), s.clock)
    assert dossier.state is State.AT_CELL

    dossier = await s.cell_agree()
    assert dossier.state is State.SUBMITTED
    events = s.new_events()
    assert [type(e) for e in events] == [ev.CellAgreed, ev.DossierSubmitted]
    assert events[1].to_route_body == "commune_party_office"
    await s.register()
    await s.appraise()
    await s.decide(Choice.APPROVE)
    assert s.dossier.decision is not None
    assert s.dossier.decision.route_body == "commune_party_committee"


async def test_town_state_agency_informs_the_peoples_committee_and_may_have_legal_review():
    s = Scenario("town_state_agency")
    await s.create()
    await s.submit()
    await s.cell_agree()
    events = s.new_events()
    informed = [e.route_body for e in events if isinstance(e, ev.InformationCopyDue)]
    assert informed == ["town_peoples_committee"]
    sent = next(e for e in events if isinstance(e, ev.DossierSubmitted))
    assert sent.to_route_body == "town_party_office"

    await s.register()
    await s.appraise()
    dossier = await s.assign_legal_review()
    assert dossier.state is State.LEGAL_REVIEW_ASSIGNED
    (assigned,) = [e for e in s.new_events() if isinstance(e, ev.LegalReviewAssigned)]
    assert assigned.route_body == "town_inspection_committee"
    assert assigned.notify[0].person == "inspector-1"
    dossier = await s.file_legal_review()
    assert dossier.state is State.LEGAL_REVIEWED and dossier.legal_review is not None

    # Either deciding body of the route may be asked; here the full town committee.
    ballot = await s.open_ballot(body="town_party_committee")
    assert ballot.body == "town_party_committee"
    await s.closed(await s.votes(Choice.APPROVE, Choice.APPROVE, Choice.APPROVE))
    assert s.dossier.state is State.APPROVED
    assert s.dossier.decision is not None
    assert s.dossier.decision.route_body == "town_party_committee"


async def test_a_ballot_of_a_body_that_does_not_decide_is_refused():
    s = Scenario("town_state_agency")
    await s.drive_to(State.APPRAISED)
    with pytest.raises(ValidationError):
        await s.open_ballot(body="town_inspection_committee")
    assert s.dossier.state is State.APPRAISED


async def test_roles_follow_the_concrete_bodies_of_the_organisation():
    s = Scenario("commune_school")
    s.cell = Actor.of("secretary-a", Grant(Role.CELL_SECRETARY, "cell:school-a"))
    other_cell = Actor.of("secretary-b", Grant(Role.CELL_SECRETARY, "cell:school-b"))
    await s.create(bodies={"party_cell": "cell:school-a"})
    await s.submit()
    (sent,) = [e for e in s.new_events() if isinstance(e, ev.DossierSubmitted)]
    assert sent.to_body == "cell:school-a" and sent.notify[0].body == "cell:school-a"
    with pytest.raises(NotPermitted):
        await svc.cell_agree(CellAgree(actor=other_cell, dossier_id=s.dossier_id), s.uow(),
                             s.clock)
    assert s.dossier.state is State.AT_CELL
    await s.cell_agree()
    assert s.dossier.state is State.SUBMITTED


async def test_the_dossier_keeps_the_pack_and_route_it_was_routed_under():
    s = Scenario("town_state_agency")
    dossier = await s.create()
    assert (dossier.pack_id, dossier.pack_version) == ("duc-pho-2022", s.pack.version)
    assert dossier.route == s.pack.unit_kind("town_state_agency").route
    assert dossier.deadlines == {"answer": 30, "answer_complex": 60}
    assert set(dossier.voting_rules) == {"town_standing_board", "town_party_committee"}
    assert dossier.bodies == {}
    assert dossier.body("town_party_office") == "town_party_office"


async def test_open_ballot_snapshot_is_kept_even_if_the_members_change_later():
    s = Scenario("commune")
    await s.drive_to(State.APPRAISED)
    ballot = await svc.open_ballot(OpenBallot(
        actor=s.office, dossier_id=s.dossier_id, members=("secretary", "member-1", "member-2")),
        s.uow(), s.clock)
    assert ballot.voters.voters == {"secretary", "member-1", "member-2"}
    with pytest.raises(NotPermitted):
        await s.vote(s.members[3], Choice.APPROVE)  # a member, but not in this ballot
