"""Who is acting: a person and the roles they hold on bodies of the organisation.

Roles are relative to a dossier. Some come from the dossier itself (its proposers,
the appraisers and legal reviewers assigned to it); the others from a :class:`Grant`
on the concrete body that a route body stands for in that dossier (see
``Dossier.bodies``): the office role on the route's ``via``, the member role on a
decision body, the head role on ``route.head``, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workflow.i18n import N_


class Role(StrEnum):
    PROPOSER = "proposer"  # the cadre, or a member of the proposing group
    CELL_SECRETARY = "cell_secretary"  # of the route's preliminary_review body
    OFFICE = "office"  # of the route's via body
    APPRAISER = "appraiser"  # a person assigned to appraise this dossier
    LEGAL_REVIEWER = "legal_reviewer"  # a person assigned to review legal risk
    MEMBER = "member"  # of a decision body
    HEAD = "head"  # route.head (the party secretary)
    SUPERIOR = "superior"  # of route.escalation_to
    ADMIN = "admin"  # sets up the organisation; takes no step in a dossier


ROLE_LABELS: dict[Role, str] = {
    Role.PROPOSER: N_("proposer"),
    Role.CELL_SECRETARY: N_("party cell secretary"),
    Role.OFFICE: N_("committee office"),
    Role.APPRAISER: N_("appraiser"),
    Role.LEGAL_REVIEWER: N_("legal reviewer"),
    Role.MEMBER: N_("committee member"),
    Role.HEAD: N_("head of the committee"),
    Role.SUPERIOR: N_("direct superior"),
    Role.ADMIN: N_("administrator"),
}


@dataclass(frozen=True)
class Grant:
    """A role held on a concrete body (``body`` is None for ADMIN).

    ``counted`` matters for MEMBER only: whether the person is among the body's
    counted members under its working rules (quy chế làm việc).
    """

    role: Role
    body: str | None = None
    counted: bool = True


@dataclass(frozen=True)
class Actor:
    """The person taking an action, with the grants the organisation gives them."""

    person_id: str
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @classmethod
    def of(cls, person_id: str, *grants: Grant) -> Actor:
        """Convenience constructor: ``Actor.of("p1", Grant(Role.OFFICE, "office"))``."""
        return cls(person_id, frozenset(grants))

    def bodies_with(self, role: Role) -> frozenset[str | None]:
        """The concrete bodies on which this actor holds ``role``."""
        return frozenset(g.body for g in self.grants if g.role is role)
