"""Who may do what: the one place the buttons, the views and the services ask.

Two questions, both answered here from data that lives elsewhere:

* what a membership of the organisation gives in the process (:func:`roles_of_membership`,
  :func:`is_counted`, :func:`is_committee_role`); storage only selects the memberships;
* what someone holding some roles on a dossier may do with it now (:func:`allowed`,
  :func:`may`), read from ``lifecycle.TRANSITIONS`` with the same row matching that
  ``lifecycle.permit`` applies for the services, so a button is never offered that the
  service would refuse on state, route or role.

Conflicts of interest are ``workflow.conflicts``' (callers pass its ``acting_roles``);
checks on a command's content stay in the services. Pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from workflow.actors import Grant, Role
from workflow.dossier import Dossier
from workflow.lifecycle import TRANSITIONS, Action, Condition, Transition, applies
from workflow.organisation import COUNTED_ROLES

# Membership roles ------------------------------------------------------------------

# The process roles a membership gives, on the membership's body.
GRANTS: dict[str, tuple[Role, ...]] = {
    "member": (Role.MEMBER,),
    "secretary": (Role.MEMBER, Role.CELL_SECRETARY, Role.SUPERIOR),
    "deputy_secretary": (Role.MEMBER, Role.SUPERIOR),
    "office": (Role.OFFICE, Role.SUPERIOR),
    "head": (Role.HEAD, Role.SUPERIOR),
    # Appraisers and legal reviewers act on the dossiers they are assigned, not by
    # membership (``Dossier.roles_of``).
    "appraiser": (),
    "legal_reviewer": (),
}
# Membership roles that count for a body's voting rule (the chart's own list).
COUNTED: frozenset[str] = COUNTED_ROLES
# A plain member of a party cell acts only as a cadre, never for a committee.
PARTY_CELL = "party_cell"


def roles_of_membership(role: str) -> tuple[Role, ...]:
    """The process roles a membership with ``role`` gives (none for an unknown role)."""
    return GRANTS.get(role, ())


def is_counted(role: str) -> bool:
    """Whether a membership with ``role`` may count among the body's members."""
    return role in COUNTED


def grants_of(role: str, body: str, counted: bool = True) -> frozenset[Grant]:
    """The grants of one membership; ``counted`` is the membership's own flag."""
    return frozenset(Grant(r, body, counted and is_counted(role))
                     for r in roles_of_membership(role))


def is_committee_role(membership_role: str, body_kind: str) -> bool:
    """Whether a membership acts for a committee (office, member of a committee, head,
    cell secretary, appraiser...): anything but an ordinary member of a party cell."""
    return not (membership_role == "member" and body_kind == PARTY_CELL)


# Steps on a dossier ----------------------------------------------------------------

# Facts about the route: a row under another route's condition is never open.
ROUTE_CONDITIONS = frozenset({Condition.WITH_CELL, Condition.WITHOUT_CELL,
                              Condition.WITHOUT_APPRAISAL, Condition.LEGAL_REVIEW})
# The others are outcomes, chosen when acting (by the person, or by the ballot's result).
OUTCOMES = frozenset(Condition) - ROUTE_CONDITIONS


@dataclass(frozen=True)
class Allowed:
    """One step open now: the action and, if its row has one, the row's condition
    (a route's fact, or the outcome that taking the step this way chooses)."""

    action: Action
    when: Condition | None
    row: Transition


def allowed(dossier: Dossier, roles: Collection[Role]) -> list[Allowed]:
    """Every step someone holding ``roles`` may take on ``dossier`` now, in table order.

    An action with several outcomes appears once per outcome, each as the row that
    ``lifecycle.permit`` returns when given the route's facts and that outcome.
    """
    held = frozenset(roles)
    facts = frozenset(dossier.route_conditions())
    found: list[Allowed] = []
    for t in TRANSITIONS:
        chosen = {t.when} if t.when in OUTCOMES else set()
        if (t.roles & held and applies(t, dossier.state, facts | chosen)
                and not _already_done(dossier, t.action)):
            found.append(Allowed(t.action, t.when, t))
    return found


def may(dossier: Dossier, roles: Collection[Role], action: Action,
        when: Condition | None = None) -> bool:
    """Whether ``roles`` may take ``action`` on ``dossier`` now; with ``when``, choosing
    that outcome (a row without a condition allows any)."""
    return includes(allowed(dossier, roles), action, when)


def includes(steps: Collection[Allowed], action: Action, when: Condition | None = None) -> bool:
    """Whether ``steps`` (from :func:`allowed`) include ``action``, choosing ``when``;
    for a screen that asks about many actions of one dossier."""
    return any(s.action is action and (when is None or s.when in (None, when)) for s in steps)


def _already_done(dossier: Dossier, action: Action) -> bool:
    """Steps the table allows again in the state but the dossier has already had."""
    # A dossier is marked complex once (the service refuses a second time).
    return action is Action.MARK_COMPLEX and dossier.complexity is not None
