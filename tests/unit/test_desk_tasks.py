"""workflow.desk_tasks: a role set has a task on a dossier exactly when the desk offers it
a step or a vote (what /viec listed when it filtered in Python), for every state, route
shape and complexity; so the per-role answer kept in storage can be counted in SQL."""

from __future__ import annotations

import itertools

from handlers.flows.desk_view import CODES, PROPOSER_CODES, may_vote, offered
from tests.unit.test_permissions import ROUTES, make
from workflow.actors import Role
from workflow.desk_tasks import DESK_ROLES, DESK_STEPS, PROPOSER_STEPS, VOTING, task_roles
from workflow.dossier import Dossier
from workflow.lifecycle import State

ROLES = sorted({*DESK_ROLES, Role.PROPOSER, Role.SUPERIOR, Role.ADMIN}, key=list(Role).index)


def on_the_desk(dossier: Dossier, roles: frozenset[Role]) -> bool:
    """The former /viec filter for one dossier (its owing duty aside)."""
    return bool(offered(dossier, roles)) or (dossier.state in VOTING and Role.MEMBER in roles)


def test_the_steps_are_the_desk_buttons() -> None:
    assert {a for c, (a, _, _) in CODES.items() if c not in PROPOSER_CODES} == DESK_STEPS
    assert {a for c, (a, _, _) in CODES.items() if c in PROPOSER_CODES} == PROPOSER_STEPS


def test_a_role_set_has_a_task_exactly_when_the_desk_offers_it_something() -> None:
    checked = listed = 0
    for state, route, complex_ in itertools.product(State, ROUTES, (False, True)):
        dossier = make(state, route, complex_)
        tasks = task_roles(dossier)
        for size in (1, 2, 3):
            for roles in map(frozenset, itertools.combinations(ROLES, size)):
                expected = on_the_desk(dossier, roles)
                assert bool(tasks & roles) == expected, (state, route, complex_, roles)
                checked += 1
                listed += expected
    assert listed and listed < checked  # both answers occur


def test_a_member_votes_while_a_ballot_is_open() -> None:
    for state in VOTING:
        dossier = make(state)
        assert Role.MEMBER in task_roles(dossier)
        assert may_vote(dossier, frozenset({Role.MEMBER}))
    assert Role.MEMBER not in task_roles(make(State.REGISTERED))
