"""Conflict of interest: nobody acts on their own plan in another role.

DOMAIN.md §6: a proposer who is a member of the deciding body does not vote on their own
plan. The regulations (887, the Đức Phổ concretisation) say nothing of the other roles a
proposer may also hold; the product applies the same principle to all of them, since
each of those steps is a check on the plan: a proposer or co-proposer does not give the
party cell's opinion on it, does not register, steer or answer it for the office, is not
assigned to appraise it or to review its legal risk, does not vote on it and does not
decide it alone as head. Someone else holding the role must act. What a proposer may do
as proposer stays open to them (withdraw, report progress or an incident...), and a
proposer who is a counted member stays in the body's base (``VotingRule.proposer_in_base``).
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow import lifecycle
from workflow.actors import ROLE_LABELS, Actor, Role
from workflow.dossier import Dossier
from workflow.errors import ConflictOfInterest, TransitionNotAllowed, ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action, Condition

# Roles that are not a check on the plan: kept by a proposer.
OWN = frozenset({Role.PROPOSER, Role.ADMIN})


def acting_roles(dossier: Dossier, actor: Actor) -> frozenset[Role]:
    """The roles ``actor`` may act in on ``dossier``: a proposer acts only as proposer."""
    roles = dossier.roles_of(actor)
    return roles & OWN if Role.PROPOSER in roles else roles


def check(dossier: Dossier, roles: frozenset[Role], action: Action,
          facts: Iterable[Condition]) -> None:
    """Refuse a step that a proposer holding ``roles`` could take only in another role.

    Changes nothing; a step the state does not allow is left to ``lifecycle.permit``.
    """
    others = roles - OWN
    if Role.PROPOSER not in roles or not others:
        return
    try:
        found = lifecycle.row(action, dossier.state, facts)
    except TransitionNotAllowed:
        return
    held = sorted(found.roles & others, key=list(Role).index)
    if Role.PROPOSER not in found.roles and held:
        raise ConflictOfInterest(
            N_("You are a proposer of this plan, so you cannot {action} as {role} "
               "(conflict of interest): another person holding that role must do it."),
            labels=("action", "role"), action=lifecycle.ACTION_LABELS[action],
            role=ROLE_LABELS[held[0]])


def refuse_proposers(dossier: Dossier, people: Iterable[str], what: str) -> None:
    """Refuse assigning a proposer to appraise or review their own plan (``what``: a msgid)."""
    if set(people) & set(dossier.proposers):
        raise ValidationError(
            N_("A proposer of the plan cannot be asked to {what} it (conflict of interest); "
               "please choose other people."), labels=("what",), what=what)
