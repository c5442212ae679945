"""workflow.desk_tasks: a role set has a task on a dossier exactly when the desk offers it
a step or a vote (what /viec listed when it filtered in Python), for every state, route
shape and complexity; so the per-role answer kept in storage can be counted in SQL."""

from __future__ import annotations

import hashlib
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


# Who has a task in each state, route shape and complexity, as stored in
# dossier_participants.task. A change here (a new row in the lifecycle table, a new desk
# step) leaves the rows of stored dossiers as they were until each is saved again: ship
# it with a migration that marks them again (as 0016 does), then record the new digest.
TASKS_DIGEST = "c9b48c281ca08295"


def tasks_digest() -> str:
    table = sorted(
        (state.value, str(i), complex_, sorted(r.value for r in task_roles(make(state, route,
                                                                                complex_))))
        for state in State for i, route in enumerate(ROUTES) for complex_ in (False, True))
    return hashlib.sha256(repr(table).encode()).hexdigest()[:16]


def test_who_has_a_task_changes_only_with_a_migration() -> None:
    assert tasks_digest() == TASKS_DIGEST, (
        "who has a task changed: add a migration that re-marks dossier_participants.task "
        "(see 0016), then record the new digest")
