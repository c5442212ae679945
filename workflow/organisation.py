"""The organisation chart and which of its real bodies play the roles a route names.

A routing pack speaks of bodies in general ("the commune party committee", "its office");
an organisation has real ones ("Đảng ủy xã Phổ Châu", "Văn phòng Đảng ủy xã Phổ Châu").
:func:`resolve_route_bodies` maps the first onto the second for one unit, using only the
bodies' kinds and the parent tree. Pure: no I/O, no database.

Office-holders that a pack names as bodies (``commune_party_secretary``,
``party_cell_secretary``, ...) are modelled as *posts*: a body of that kind under the
committee or cell, whose holder has the ``head`` role. That keeps the resolution blind to
any one pack's vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from workflow.voting import BallotMode

# The roles a membership can carry. Counted roles count for a body's voting rule
# unless the membership says otherwise (``counted: false``, e.g. a member on leave).
ROLES: Mapping[str, str] = {
    "member": "a member of the body (ủy viên, đảng viên); counted",
    "secretary": "the body's secretary (bí thư); a counted member",
    "deputy_secretary": "a deputy secretary (phó bí thư); a counted member",
    "office": "office staff who register dossiers, check them and send answers; not counted",
    "appraiser": "may be assigned to appraise plans for the body; not counted",
    "legal_reviewer": "may be assigned the legal-risk review (inspection committee); not counted",
    "head": "holds the post the body stands for (a body such as Bí thư Đảng ủy xã); "
            "not counted",
}
COUNTED_ROLES = frozenset({"member", "secretary", "deputy_secretary"})


def counted_by_default(role: str) -> bool:
    """Whether a membership with ``role`` counts for the voting rule when not said."""
    return role in COUNTED_ROLES


@dataclass(frozen=True)
class Organisation:
    """The installation's organisation and the routing pack it works under."""

    id: str
    name: str
    pack: str


@dataclass(frozen=True)
class OrgBody:
    """A real body (committee, board, office, cell, post); ``kind`` is a pack body id."""

    id: str
    name: str
    kind: str
    parent: str | None = None
    # How this body's ballots end, when its working rules differ from the pack's default.
    ballot: BallotMode | None = None


@dataclass(frozen=True)
class OrgUnit:
    """A workplace whose cadres share one route; ``cell`` is its party cell, if any."""

    id: str
    name: str
    unit_kind: str
    body: str
    cell: str | None = None


@dataclass(frozen=True)
class OrgPerson:
    id: str
    name: str
    title: str | None = None
    unit: str | None = None
    language: str = "vi"


@dataclass(frozen=True)
class OrgMembership:
    """A person's role in a body over a period (open-ended when the dates are missing)."""

    person: str
    body: str
    role: str
    counted: bool
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def key(self) -> tuple[str, str, str, date | None]:
        """What identifies a membership across imports: a changed ``valid_to`` updates it."""
        return (self.person, self.body, self.role, self.valid_from)

    def active_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass(frozen=True)
class OrgChart:
    """A whole organisation as set up by its administrator."""

    organisation: Organisation
    bodies: tuple[OrgBody, ...] = ()
    units: tuple[OrgUnit, ...] = ()
    people: tuple[OrgPerson, ...] = ()
    memberships: tuple[OrgMembership, ...] = ()


@dataclass(frozen=True)
class RouteBodies:
    """For one unit, the real bodies found for each pack body id.

    ``found`` keeps every body found at the nearest level: one for most kinds, several
    for a group such as ``town_advisory_agencies`` (the standing committee picks one).
    """

    unit: str
    found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def body(self, pack_body_id: str) -> str | None:
        """The one real body, or None when none or several were found: never a guess."""
        bodies = self.found.get(pack_body_id, ())
        return bodies[0] if len(bodies) == 1 else None

    def candidates(self, pack_body_id: str) -> tuple[str, ...]:
        return self.found.get(pack_body_id, ())

    def as_dict(self) -> dict[str, str | None]:
        return {kind: self.body(kind) for kind in self.found}


class UnknownUnit(LookupError):
    def __init__(self, unit_id: str):
        self.unit_id = unit_id
        super().__init__(f"unknown unit '{unit_id}'")


class OrgTree:
    """Bodies indexed by parent, for resolving routes of many units."""

    def __init__(self, bodies: Iterable[OrgBody], units: Iterable[OrgUnit]):
        self.bodies = {b.id: b for b in bodies}
        self.units = {u.id: u for u in units}
        self.children: dict[str, list[OrgBody]] = {}
        for body in self.bodies.values():
            if body.parent is not None:
                self.children.setdefault(body.parent, []).append(body)
        # A unit's own cell or committee is reached from that unit only: searching
        # "a child of an ancestor" must not land on a neighbour's cell or commune.
        self.anchors = {u.cell for u in self.units.values() if u.cell} | {
            u.body for u in self.units.values()}

    @classmethod
    def of(cls, chart: OrgChart) -> OrgTree:
        return cls(chart.bodies, chart.units)

    def chain(self, unit: OrgUnit) -> list[OrgBody]:
        """The unit's cell (if any), its body, then the body's ancestors up to the root."""
        chain: list[OrgBody] = []
        if unit.cell and unit.cell in self.bodies:
            chain.append(self.bodies[unit.cell])
        current = self.bodies.get(unit.body)
        seen: set[str] = {b.id for b in chain}
        while current is not None and current.id not in seen:  # a cycle stops the walk
            chain.append(current)
            seen.add(current.id)
            current = self.bodies.get(current.parent) if current.parent else None
        return chain

    def find(self, unit: OrgUnit, kind: str) -> tuple[str, ...]:
        """The nearest body of ``kind``: a body on the chain, or an organ of one."""
        for node in self.chain(unit):
            if node.kind == kind:
                return (node.id,)
            organs = tuple(sorted(child.id for child in self.children.get(node.id, ())
                                  if child.kind == kind and child.id not in self.anchors))
            if organs:
                return organs
        return ()


def resolve_route_bodies(tree: OrgTree, unit_id: str,
                         pack_body_ids: Iterable[str]) -> RouteBodies:
    """Map each pack body id (e.g. a route's ``body_ids()``) to the unit's real bodies.

    Walks up from the unit's cell through its committee to the root; at each level the
    body itself or one of its direct children (its office, standing board, posts,
    advisory agencies) may have the kind sought. The nearest level wins. Kinds found
    nowhere (``unit_leadership``, ``superior_agency`` unless the organisation has one)
    are left unresolved.
    """
    unit = tree.units.get(unit_id)
    if unit is None:
        raise UnknownUnit(unit_id)
    return RouteBodies(unit=unit_id,
                       found={kind: tree.find(unit, kind) for kind in sorted(set(pack_body_ids))})


@dataclass(frozen=True)
class HigherBody:
    """A body a matter beyond authority may be reported to; ``level`` 0 is the direct
    superior's level (its committee and that committee's organs), 1 the level above..."""

    id: str
    name: str
    level: int


def escalation_targets(tree: OrgTree, superior: str, kinds: Iterable[str]) -> list[HigherBody]:
    """The bodies of ``kinds`` at the direct superior's level and above, nearest first,
    the direct superior itself first (887 Điều 4 khoản 2: the receiving body identifies
    the competent committee; asking beyond a level also informs the direct superior).

    A level is a committee that is the home body of some unit (an anchor) or the root of
    the tree, with its organs: its children that are no unit's home (standing board,
    standing committee...). An organ belongs to its parent's level.
    """
    wanted = frozenset(kinds)
    first = tree.bodies.get(superior)
    if first is None:
        return [HigherBody(superior, superior, 0)]
    found: list[HigherBody] = [HigherBody(first.id, first.name, 0)]
    homes: set[str] = set()  # levels walked (a cycle in the tree stops the walk)
    home: OrgBody | None = _level_of(tree, first)
    level = 0
    while home is not None and home.id not in homes:
        homes.add(home.id)
        organs = sorted((c for c in tree.children.get(home.id, ()) if c.id not in tree.anchors),
                        key=lambda b: b.name)
        for body in (home, *organs):
            if body.kind in wanted and all(f.id != body.id for f in found):
                found.append(HigherBody(body.id, body.name, level))
        parent = tree.bodies.get(home.parent) if home.parent else None
        home = _level_of(tree, parent) if parent is not None else None
        level += 1
    return found


def _level_of(tree: OrgTree, body: OrgBody) -> OrgBody:
    """The committee whose level ``body`` is on: itself if it is a unit's home or the root,
    else (an organ) its parent's."""
    current, seen = body, {body.id}
    while current.id not in tree.anchors and current.parent in tree.bodies:
        current = tree.bodies[current.parent or ""]
        if current.id in seen:
            break
        seen.add(current.id)
    return current
