"""The organisation file (YAML): read and validated into an :class:`OrgChart`, and written.

The file describes the whole organisation: bodies, units, people and memberships, each
referring to the others by id, and every kind checked against the organisation's routing
pack. A problem is reported as one line naming the file, line and key, e.g.
``org.yaml:12: bodies[3].kind: unknown body kind 'commune_comittee' ...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import yaml

from workflow.organisation import (
    ROLES,
    Organisation,
    OrgBody,
    OrgChart,
    OrgMembership,
    OrgPerson,
    OrgUnit,
    counted_by_default,
)
from workflow.rules import RuleBook, UnknownPack, bundled_rulebook
from workflow.voting import BallotMode
from workflow.yamltools import LineMap, YamlSyntaxError, line_of, parse_yaml

LANGUAGES = ("vi", "en")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_MAX = 200  # the narrowest name column (people.name, people.title)


def N_(message: str) -> str:
    """Mark a message for extraction; the CLI translates it (storage imports no handlers)."""
    return message


class OrgFileError(ValueError):
    """A malformed organisation file. ``message`` is an English msgid with ``{params}``."""

    def __init__(self, message: str, *, where: str = "", line: int | None = None,
                 origin: str = "", **params: object):
        self.message, self.params = message, params
        self.where, self.line, self.origin = where, line, origin
        super().__init__(self.render())

    def render(self, translate: Callable[..., str] | None = None) -> str:
        """One line; ``translate`` is a ``Translator`` to show the message in its language."""
        text = translate(self.message, **self.params) if translate \
            else self.message.format(**self.params)
        prefix = self.origin + (f":{self.line}" if self.line else "")
        return "".join((f"{prefix}: " if prefix else "", f"{self.where}: " if self.where else "",
                        text))


class _Reader:
    """Walks the parsed tree; every failure names the key path and its line."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, message: str, where: str, line: int | None, **params: object) -> OrgFileError:
        return OrgFileError(message, where=where, line=line, origin=self.origin, **params)

    def mapping(self, node: Any, where: str, allowed: tuple[str, ...],
                line: int | None) -> LineMap:
        if not isinstance(node, LineMap):
            raise self.fail(N_("expected a mapping"), where, line_of(node) or line)
        for key in node:
            if key not in allowed:
                raise self.fail(N_("unknown key '{key}' (expected: {expected})"),
                                f"{where}.{key}" if where else str(key), line_of(node, key),
                                key=key, expected=", ".join(allowed))
        return node

    def items(self, tree: LineMap, key: str) -> list[tuple[str, LineMap]]:
        """The entries of a top-level list, each with its path, e.g. ``bodies[2]``."""
        value = tree.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(N_("expected a list"), key, line_of(tree, key))
        return [(f"{key}[{i}]", item) for i, item in enumerate(value)]

    def text(self, node: LineMap, key: str, where: str, *, required: bool = True,
             limit: int = NAME_MAX) -> str | None:
        if key not in node or node[key] is None:
            if required:
                raise self.fail(N_("missing key '{key}'"), where, line_of(node), key=key)
            return None
        value = node[key]
        path, line = f"{where}.{key}", line_of(node, key)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise self.fail(N_("expected a non-empty text"), path, line)
        if len(str(value)) > limit:
            raise self.fail(N_("at most {max} characters"), path, line, max=limit)
        return str(value).strip()

    def ident(self, node: LineMap, key: str, where: str, *, required: bool = True) -> str | None:
        value = self.text(node, key, where, required=required, limit=64)
        if value is not None and not ID_PATTERN.fullmatch(value):
            raise self.fail(N_("an id is letters, digits, '.', '_' or '-', "
                               "at most 64 characters"), f"{where}.{key}", line_of(node, key))
        return value

    def day(self, node: LineMap, key: str, where: str) -> date | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(N_("expected a date YYYY-MM-DD, got '{value}'"), f"{where}.{key}",
                            line_of(node, key), value=value) from None

    def known(self, value: str | None, known: set[str], message: str, node: LineMap, key: str,
              where: str) -> None:
        if value is not None and value not in known:
            raise self.fail(message, f"{where}.{key}", line_of(node, key), id=value)

    def unique(self, ids: list[tuple[str, str, LineMap]]) -> set[str]:
        seen: set[str] = set()
        for value, where, node in ids:
            if value in seen:
                raise self.fail(N_("duplicate id '{id}'"), f"{where}.id", line_of(node, "id"),
                                id=value)
            seen.add(value)
        return seen


_TOP = ("organisation", "bodies", "units", "people", "memberships")


def parse_org_text(text: str, origin: str = "<organisation>",
                   rulebook: RuleBook | None = None) -> OrgChart:
    """Parse and validate an organisation file; raises :class:`OrgFileError`."""
    r = _Reader(origin)
    try:
        tree = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise r.fail(N_("not valid YAML ({problem})"), "", exc.line, problem=exc.problem) \
            from None
    if not isinstance(tree, LineMap):
        raise r.fail(N_("an organisation file must be a YAML mapping"), "", 1)
    r.mapping(tree, "", _TOP, 1)
    if "organisation" not in tree:
        raise r.fail(N_("missing key '{key}'"), "(top)", 1, key="organisation")
    org_node = r.mapping(tree["organisation"], "organisation", ("id", "name", "pack"),
                         line_of(tree, "organisation"))
    pack_id = r.ident(org_node, "pack", "organisation") or ""
    book = rulebook or bundled_rulebook()
    try:
        pack = book.get(pack_id)
    except UnknownPack as exc:
        raise r.fail(N_("unknown pack '{pack}' (known: {known})"), "organisation.pack",
                     line_of(org_node, "pack"), pack=pack_id, known=", ".join(exc.known)) \
            from None
    organisation = Organisation(id=r.ident(org_node, "id", "organisation") or "",
                                name=r.text(org_node, "name", "organisation", limit=300) or "",
                                pack=pack.id)
    body_kinds = [b.id for b in pack.bodies]
    bodies = _bodies(r, tree, pack.id, body_kinds)
    units = _units(r, tree, pack.id, pack.unit_kind_ids(), bodies)
    people = _people(r, tree, {u.id for u in units})
    memberships = _memberships(r, tree, {p.id for p in people}, set(bodies))
    return OrgChart(organisation=organisation, bodies=tuple(bodies.values()), units=units,
                    people=people, memberships=memberships)


def _bodies(r: _Reader, tree: LineMap, pack_id: str,
            kinds: list[str]) -> dict[str, OrgBody]:
    bodies: dict[str, OrgBody] = {}
    nodes: dict[str, tuple[str, LineMap]] = {}
    entries = r.items(tree, "bodies")
    for where, node in entries:
        r.mapping(node, where, ("id", "name", "kind", "parent", "ballot"),
                  line_of(tree, "bodies"))
        body_id = r.ident(node, "id", where) or ""
        if body_id in bodies:
            raise r.fail(N_("duplicate id '{id}'"), f"{where}.id", line_of(node, "id"),
                         id=body_id)
        kind = r.text(node, "kind", where) or ""
        if kind not in kinds:
            raise r.fail(N_("unknown body kind '{kind}' for pack {pack} (known: {known})"),
                         f"{where}.kind", line_of(node, "kind"), kind=kind, pack=pack_id,
                         known=", ".join(kinds))
        bodies[body_id] = OrgBody(id=body_id, name=r.text(node, "name", where, limit=300) or "",
                                  kind=kind, parent=r.ident(node, "parent", where,
                                                            required=False),
                                  ballot=_ballot(r, node, where))
        nodes[body_id] = (where, node)
    for body in bodies.values():
        where, node = nodes[body.id]
        r.known(body.parent, set(bodies), N_("unknown body '{id}'"), node, "parent", where)
    for body in bodies.values():  # a parent chain must end at a root
        seen = [body.id]
        parent = body.parent
        while parent is not None:
            if parent in seen:
                where, node = nodes[body.id]
                raise r.fail(N_("bodies form a cycle: {cycle}"), f"{where}.parent",
                             line_of(node, "parent"), cycle=" -> ".join([*seen, parent]))
            seen.append(parent)
            parent = bodies[parent].parent
    return bodies


def _ballot(r: _Reader, node: LineMap, where: str) -> BallotMode | None:
    """A body's own ballot mode: its working rules may hold meetings or close when the
    result is certain, whatever the pack's default."""
    value = r.text(node, "ballot", where, required=False)
    if value is None:
        return None
    try:
        return BallotMode(value)
    except ValueError:
        raise r.fail(N_("unknown ballot mode '{mode}' (known: {known})"), f"{where}.ballot",
                     line_of(node, "ballot"), mode=value,
                     known=", ".join(m.value for m in BallotMode)) from None


def _ancestors(bodies: dict[str, OrgBody], body_id: str) -> list[str]:
    result, current = [], bodies[body_id].parent
    while current is not None:
        result.append(current)
        current = bodies[current].parent
    return result


def _units(r: _Reader, tree: LineMap, pack_id: str, kinds: list[str],
           bodies: dict[str, OrgBody]) -> tuple[OrgUnit, ...]:
    units: list[OrgUnit] = []
    entries = r.items(tree, "units")
    for where, node in entries:
        r.mapping(node, where, ("id", "name", "unit_kind", "body", "cell"),
                  line_of(tree, "units"))
        kind = r.text(node, "unit_kind", where) or ""
        if kind not in kinds:
            raise r.fail(N_("unknown unit kind '{kind}' for pack {pack} (known: {known})"),
                         f"{where}.unit_kind", line_of(node, "unit_kind"), kind=kind,
                         pack=pack_id, known=", ".join(kinds))
        body = r.ident(node, "body", where) or ""
        cell = r.ident(node, "cell", where, required=False)
        r.known(body, set(bodies), N_("unknown body '{id}'"), node, "body", where)
        r.known(cell, set(bodies), N_("unknown body '{id}'"), node, "cell", where)
        # The route is found by walking up from the cell, so it must lead to the body.
        if cell is not None and body not in _ancestors(bodies, cell):
            raise r.fail(N_("the cell '{cell}' is not under the body '{body}'"),
                         f"{where}.cell", line_of(node, "cell"), cell=cell, body=body)
        units.append(OrgUnit(id=r.ident(node, "id", where) or "",
                             name=r.text(node, "name", where, limit=300) or "",
                             unit_kind=kind, body=body, cell=cell))
    r.unique([(u.id, where, node) for u, (where, node) in zip(units, entries, strict=True)])
    return tuple(units)


def _people(r: _Reader, tree: LineMap, unit_ids: set[str]) -> tuple[OrgPerson, ...]:
    people: list[OrgPerson] = []
    entries = r.items(tree, "people")
    for where, node in entries:
        r.mapping(node, where, ("id", "name", "title", "unit", "language"),
                  line_of(tree, "people"))
        unit = r.ident(node, "unit", where, required=False)
        r.known(unit, unit_ids, N_("unknown unit '{id}'"), node, "unit", where)
        language = r.text(node, "language", where, required=False) or "vi"
        if language not in LANGUAGES:
            raise r.fail(N_("unknown language '{language}' (known: vi, en)"),
                         f"{where}.language", line_of(node, "language"), language=language)
        people.append(OrgPerson(id=r.ident(node, "id", where) or "",
                                name=r.text(node, "name", where) or "",
                                title=r.text(node, "title", where, required=False),
                                unit=unit, language=language))
    r.unique([(p.id, where, node) for p, (where, node) in zip(people, entries, strict=True)])
    return tuple(people)


def _memberships(r: _Reader, tree: LineMap, person_ids: set[str],
                 body_ids: set[str]) -> tuple[OrgMembership, ...]:
    result: list[OrgMembership] = []
    lines: dict[tuple[str, str, str, date | None], int | None] = {}
    for where, node in r.items(tree, "memberships"):
        r.mapping(node, where, ("person", "body", "role", "counted", "valid_from", "valid_to"),
                  line_of(tree, "memberships"))
        person = r.ident(node, "person", where) or ""
        body = r.ident(node, "body", where) or ""
        r.known(person, person_ids, N_("unknown person '{id}'"), node, "person", where)
        r.known(body, body_ids, N_("unknown body '{id}'"), node, "body", where)
        role = r.text(node, "role", where) or ""
        if role not in ROLES:
            raise r.fail(N_("unknown role '{role}' (known: {known})"), f"{where}.role",
                         line_of(node, "role"), role=role, known=", ".join(ROLES))
        counted = node.get("counted", counted_by_default(role))
        if not isinstance(counted, bool):
            raise r.fail(N_("expected true or false"), f"{where}.counted",
                         line_of(node, "counted"))
        start, end = r.day(node, "valid_from", where), r.day(node, "valid_to", where)
        if start and end and end < start:
            raise r.fail(N_("ends before it starts"), f"{where}.valid_to",
                         line_of(node, "valid_to"))
        membership = OrgMembership(person=person, body=body, role=role, counted=counted,
                                   valid_from=start, valid_to=end)
        if membership.key in lines:
            raise r.fail(N_("{person} is listed twice as {role} of {body} (first on line "
                            "{other})"), where, line_of(node), person=person, role=role,
                         body=body, other=lines[membership.key])
        # Counted twice in one body (e.g. as member and as secretary) would skew a vote.
        for other in result:
            if (other.counted and counted and other.person == person and other.body == body
                    and _overlap(other, membership)):
                raise r.fail(N_("{person} already counts as a member of {body} for this "
                                "period (line {other})"), where, line_of(node),
                             person=person, body=body, other=lines[other.key])
        lines[membership.key] = line_of(node)
        result.append(membership)
    return tuple(result)


def _overlap(a: OrgMembership, b: OrgMembership) -> bool:
    return ((a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to)
            and (b.valid_to is None or a.valid_from is None or a.valid_from <= b.valid_to))


def _ordered_bodies(bodies: tuple[OrgBody, ...]) -> list[OrgBody]:
    """Parents before children, each committee followed by its organs and cells."""
    children: dict[str | None, list[OrgBody]] = {}
    ids = {b.id for b in bodies}
    for body in bodies:
        children.setdefault(body.parent if body.parent in ids else None, []).append(body)
    ordered: list[OrgBody] = []

    def visit(parent: str | None) -> None:
        for body in sorted(children.get(parent, []), key=lambda b: b.id):
            ordered.append(body)
            visit(body.id)

    visit(None)
    return ordered


def dump_org_text(chart: OrgChart) -> str:
    """The file for ``chart``, one flow mapping per line; parsing it gives ``chart`` back."""
    def drop_none(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if v is not None}

    role_order = {role: i for i, role in enumerate(ROLES)}
    data = {
        "organisation": {"id": chart.organisation.id, "name": chart.organisation.name,
                         "pack": chart.organisation.pack},
        "bodies": [drop_none({"id": b.id, "name": b.name, "kind": b.kind, "parent": b.parent,
                              "ballot": b.ballot.value if b.ballot else None})
                   for b in _ordered_bodies(chart.bodies)],
        "units": [drop_none({"id": u.id, "name": u.name, "unit_kind": u.unit_kind,
                             "body": u.body, "cell": u.cell})
                  for u in sorted(chart.units, key=lambda u: u.id)],
        "people": [drop_none({"id": p.id, "name": p.name, "title": p.title, "unit": p.unit,
                              "language": p.language})
                   for p in sorted(chart.people, key=lambda p: p.id)],
        "memberships": [drop_none({
            "person": m.person, "body": m.body, "role": m.role,
            "counted": None if m.counted == counted_by_default(m.role) else m.counted,
            "valid_from": m.valid_from, "valid_to": m.valid_to})
            for m in sorted(chart.memberships, key=lambda m: (
                m.body, role_order.get(m.role, 99), m.person, m.valid_from or date.min))],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=4096)
