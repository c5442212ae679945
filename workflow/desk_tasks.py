"""Which roles find a dossier on their desk now: a step of theirs taken at the desk, or
a vote open to the deciding body's members.

``/viec`` lists the dossiers on which the person's acting roles (``conflicts.acting_roles``)
include one of these, or on which the office or head owes a written duty. Asking it per
role lets storage keep the answer with each participant row (``storage.desk_read``), so
that the list is counted and paged in SQL; since ``permissions.allowed`` is a union over
the roles it is given, a person's roles have a task exactly when one of them does.
The stored answers change only when a dossier is saved: a change to who has a task (a
row of the lifecycle table, a desk step) comes with a migration that marks the stored
rows again, as 0016 did (a digest in tests/unit/test_desk_tasks.py fails until then).
"""

from __future__ import annotations

from workflow.actors import Role
from workflow.dossier import Dossier
from workflow.lifecycle import Action, State
from workflow.permissions import allowed

# The committee's roles at the desk (the proposer's own steps live in "My dossiers").
DESK_ROLES = frozenset({Role.CELL_SECRETARY, Role.OFFICE, Role.APPRAISER,
                        Role.LEGAL_REVIEWER, Role.MEMBER, Role.HEAD})
# The committee's steps the desk offers as buttons (``handlers.flows.desk_view.CODES``).
DESK_STEPS = frozenset({
    Action.CELL_AGREE, Action.CELL_RETURN, Action.REGISTER, Action.RETURN_FOR_COMPLETION,
    Action.MARK_COMPLEX, Action.FORWARD_BEYOND_AUTHORITY, Action.ASSIGN_APPRAISAL,
    Action.FILE_APPRAISAL, Action.ASSIGN_LEGAL_REVIEW, Action.FILE_LEGAL_REVIEW,
    Action.OPEN_BALLOT, Action.CLOSE_BALLOT, Action.HEAD_DECIDE, Action.SEND_WRITTEN_ANSWER,
    Action.OPEN_EVALUATION, Action.RECORD_EVALUATION, Action.CLOSE,
    Action.CONCLUDE_EMERGENCY})
# Steps after approval, the proposer's (the office and head may report an incident too).
PROPOSER_STEPS = frozenset({Action.START_IMPLEMENTATION, Action.REPORT_PROGRESS,
                            Action.REPORT_INCIDENT, Action.REQUEST_PROTECTION,
                            Action.REPORT_COMPLETION})
VOTING = frozenset({State.BALLOT_OPEN, State.EVALUATION_OPEN})


def task_roles(dossier: Dossier) -> frozenset[Role]:
    """The roles that have something to do on ``dossier`` now at the desk: a desk step
    (a proposer only their own steps after approval), or a member's vote."""
    found: set[Role] = set()
    for role in (*sorted(DESK_ROLES, key=list(Role).index), Role.PROPOSER):
        steps = PROPOSER_STEPS if role is Role.PROPOSER else DESK_STEPS | PROPOSER_STEPS
        if any(step.action in steps for step in allowed(dossier, {role})):
            found.add(role)
    if dossier.state in VOTING:
        found.add(Role.MEMBER)
    return frozenset(found)
