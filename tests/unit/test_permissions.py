"""workflow.permissions: the buttons and the services agree on who may do what, and the
membership rules give what they gave when storage held them."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime

import pytest

from handlers.flows.desk_view import CODES, DESK_ROLES, PROPOSER_CODES, may_vote, offered
from tests.fakes import COMPLETE_PLAN, VIETNAM
from workflow import lifecycle
from workflow.actors import Grant, Role
from workflow.dossier import Complexity, Dossier
from workflow.errors import DomainError
from workflow.lifecycle import Action, Condition, State
from workflow.permissions import (
    GRANTS,
    OUTCOMES,
    ROUTE_CONDITIONS,
    allowed,
    grants_of,
    is_committee_role,
    is_counted,
    may,
    roles_of_membership,
)
from workflow.rules import bundled_rulebook

BASE_ROUTE = bundled_rulebook().get("duc-pho-2022").unit_kind("commune_school").route
# Every shape of route the table distinguishes: with or without the cell, the appraisal
# and the legal-risk review.
ROUTES = [replace(BASE_ROUTE, preliminary_review=cell, appraisal_lead=lead,
                  legal_review=legal)
          for cell, lead, legal in itertools.product(
              (None, "party_cell"), (None, "appraisal_lead"), (None, "inspection"))]
# The role sets a desk shows: each desk role alone, the usual combinations, the proposer.
ROLE_SETS = [frozenset({r}) for r in (*DESK_ROLES, Role.PROPOSER)] + [
    frozenset({Role.MEMBER, Role.HEAD}), frozenset({Role.MEMBER, Role.CELL_SECRETARY}),
    frozenset({Role.OFFICE, Role.MEMBER}), frozenset(DESK_ROLES), frozenset(Role)]


def make(state: State, route=BASE_ROUTE, complex_: bool = False) -> Dossier:
    at = datetime(2026, 3, 2, 9, tzinfo=VIETNAM)
    return Dossier(id=1, pack_id="duc-pho-2022", pack_version=1, unit_kind="commune_school",
                   route=route, proposer="cadre-1", plan=COMPLETE_PLAN, created_at=at,
                   state=state, ballot_ids=[1],
                   complexity=Complexity("khó", "office-clerk", at) if complex_ else None)


def permitted(dossier: Dossier, roles: frozenset[Role], action: Action,
              chosen: Condition | None) -> lifecycle.Transition | None:
    """The row ``lifecycle.permit`` (what the services call) returns, or None."""
    facts = dossier.route_conditions() | ({chosen} if chosen else set())
    try:
        return lifecycle.permit(action, dossier.state, roles, facts)
    except DomainError:
        return None


def by_permit(dossier: Dossier, roles: frozenset[Role]) -> set[tuple[Action, Condition | None]]:
    """Every (action, row condition) the services accept, trying each outcome possible."""
    return {(action, row.when) for action in Action for chosen in choices(dossier, action)
            if (row := permitted(dossier, roles, action, chosen)) is not None}


def choices(dossier: Dossier, action: Action) -> list[Condition | None]:
    """No outcome, and each outcome of the action's rows from the dossier's state (trying
    others would only find the same rows again)."""
    rows = [t for t in lifecycle.transitions_for(action) if dossier.state in t.sources]
    return [None, *(t.when for t in rows if t.when in OUTCOMES)] if rows else []


# (a) buttons and services agree -----------------------------------------------------

@pytest.mark.parametrize("state", list(State))
def test_allowed_is_exactly_what_permit_accepts(state):
    for route, roles, complex_ in itertools.product(ROUTES, ROLE_SETS, (False, True)):
        dossier = make(state, route, complex_)
        steps = allowed(dossier, roles)
        for step in steps:
            assert permitted(dossier, roles, step.action, step.when) == step.row, step
        expected = by_permit(dossier, roles)
        if complex_:  # the service refuses marking complex twice (its own check)
            expected.discard((Action.MARK_COMPLEX, None))
        assert {(s.action, s.when) for s in steps} == expected, (route, roles)


@pytest.mark.parametrize("state", list(State))
def test_desk_buttons_are_what_the_services_accept(state):
    for route, roles, complex_ in itertools.product(ROUTES, ROLE_SETS, (False, True)):
        dossier = make(state, route, complex_)
        codes = offered(dossier, roles)
        for code, (action, chosen, _label) in CODES.items():
            held = roles & (DESK_ROLES | {Role.PROPOSER} if code in PROPOSER_CODES
                            else DESK_ROLES)
            # A button without a chosen outcome (closing a vote) leaves it to the service.
            tried = [chosen] if chosen else choices(dossier, action)
            accepted = any(permitted(dossier, held, action, c) for c in tried)
            if action is Action.MARK_COMPLEX and complex_:
                accepted = False
            assert (code in codes) == accepted, (code, route, roles)
        assert may_vote(dossier, roles) == (
            permitted(dossier, roles, Action.CAST_VOTE, None) is not None)


def test_route_conditions_are_facts_and_the_rest_outcomes():
    assert set(Condition) == ROUTE_CONDITIONS | OUTCOMES
    assert not ROUTE_CONDITIONS & OUTCOMES
    # Every route condition is one a dossier can state about its route.
    stated = set().union(*(make(State.DRAFT, r).route_conditions() for r in ROUTES))
    assert stated == ROUTE_CONDITIONS


# (b) membership rules, as storage applied them ---------------------------------------

def test_membership_roles_give_the_process_roles_they_gave():
    assert GRANTS == {
        "member": (Role.MEMBER,),
        "secretary": (Role.MEMBER, Role.CELL_SECRETARY, Role.SUPERIOR),
        "deputy_secretary": (Role.MEMBER, Role.SUPERIOR),
        "office": (Role.OFFICE, Role.SUPERIOR),
        "head": (Role.HEAD, Role.SUPERIOR),
        "appraiser": (),
        "legal_reviewer": (),
    }
    assert roles_of_membership("office") == (Role.OFFICE, Role.SUPERIOR)
    assert roles_of_membership("unknown") == ()


def test_only_members_and_secretaries_are_counted():
    assert {r for r in GRANTS if is_counted(r)} == {"member", "secretary", "deputy_secretary"}
    assert grants_of("secretary", "cell-1") == {
        Grant(Role.MEMBER, "cell-1", True), Grant(Role.CELL_SECRETARY, "cell-1", True),
        Grant(Role.SUPERIOR, "cell-1", True)}
    # A membership marked not counted (on leave) counts for nothing.
    assert {g.counted for g in grants_of("member", "committee", counted=False)} == {False}
    assert grants_of("office", "office-1") == {Grant(Role.OFFICE, "office-1", False),
                                               Grant(Role.SUPERIOR, "office-1", False)}
    assert grants_of("appraiser", "board") == frozenset()


def test_a_plain_party_cell_member_has_no_committee_role():
    assert not is_committee_role("member", "party_cell")
    assert is_committee_role("secretary", "party_cell")
    assert is_committee_role("member", "commune_party_committee")
    assert is_committee_role("appraiser", "party_building_board")
    assert is_committee_role("office", "commune_party_office")


# (c) concrete cases ----------------------------------------------------------------

OFFICE = frozenset({Role.OFFICE})


def test_the_office_registers_then_steers_the_dossier():
    assert may(make(State.SUBMITTED), OFFICE, Action.REGISTER)
    assert may(make(State.SUBMITTED), OFFICE, Action.RETURN_FOR_COMPLETION)
    registered = make(State.REGISTERED)
    for action in (Action.ASSIGN_APPRAISAL, Action.MARK_COMPLEX,
                   Action.FORWARD_BEYOND_AUTHORITY, Action.RETURN_FOR_COMPLETION):
        assert may(registered, OFFICE, action), action
    assert not may(registered, OFFICE, Action.REGISTER)
    assert not may(make(State.REGISTERED, complex_=True), OFFICE, Action.MARK_COMPLEX)
    assert not may(registered, frozenset({Role.MEMBER}), Action.ASSIGN_APPRAISAL)


def test_a_route_without_appraisal_goes_straight_to_the_vote():
    without = make(State.REGISTERED, replace(BASE_ROUTE, appraisal_lead=None))
    assert may(without, OFFICE, Action.OPEN_BALLOT)
    assert not may(make(State.REGISTERED, replace(BASE_ROUTE, appraisal_lead="x")), OFFICE,
                   Action.OPEN_BALLOT)


def test_members_vote_and_the_proposer_does_not():
    ballot = make(State.BALLOT_OPEN)
    assert may(ballot, {Role.MEMBER}, Action.CAST_VOTE)
    assert not may(ballot, {Role.PROPOSER}, Action.CAST_VOTE)
    assert not may_vote(ballot, frozenset({Role.PROPOSER}))
    assert may_vote(make(State.EVALUATION_OPEN), frozenset({Role.MEMBER}))


def test_outcomes_are_chosen_when_acting():
    steps = allowed(make(State.NO_CONSENSUS), {Role.HEAD})
    assert {s.when for s in steps if s.action is Action.HEAD_DECIDE} == {
        Condition.OVERRIDE, Condition.DECLINE}
    assert may(make(State.APPRAISAL_ASSIGNED), {Role.APPRAISER}, Action.FILE_APPRAISAL,
               Condition.NOT_FEASIBLE)
    assert not may(make(State.NO_CONSENSUS), {Role.OFFICE}, Action.HEAD_DECIDE)
    # Closing a vote: whichever outcome the ballot gives.
    assert may(make(State.BALLOT_OPEN), OFFICE, Action.CLOSE_BALLOT)


def test_the_submission_follows_the_route():
    with_cell = make(State.DRAFT, replace(BASE_ROUTE, preliminary_review="cell"))
    steps = [s for s in allowed(with_cell, {Role.PROPOSER}) if s.action is Action.SUBMIT]
    assert [s.when for s in steps] == [Condition.WITH_CELL]
    assert steps[0].row.target is State.AT_CELL
