"""Read and validate routing packs (YAML) into :mod:`workflow.rules.model` values.

Errors name the key path and the line, so an office can fix a pack without a developer.
Parsing text is not I/O: callers hand in the text (``load_pack_text``); only the
bundled packs are read here, from the package itself.
"""

from __future__ import annotations

import itertools
from datetime import date
from fractions import Fraction
from importlib import resources
from typing import Any

import yaml

from workflow.rules.model import (
    LANGUAGES,
    ROUTE_FIELDS,
    ROUTE_LIST_FIELDS,
    ROUTE_REQUIRED_FIELDS,
    Body,
    Citation,
    Deadline,
    NotCovered,
    Pack,
    Route,
    Source,
    Text,
    UnitKind,
)
from workflow.voting import BallotMode, Basis, VotingRule
from workflow.yamltools import LineLoader, LineMap


class PackError(ValueError):
    """A pack is malformed; ``str()`` is one line naming where and what."""

    def __init__(self, message: str, *, where: str = "", line: int | None = None, origin: str = ""):
        self.message, self.where, self.line, self.origin = message, where, line, origin
        prefix = origin + (f":{line}" if line else "")
        location = f"{prefix}: " if prefix else ""
        key = f"{where}: " if where else ""
        super().__init__(f"{location}{key}{message}")


# The line-remembering mapping and loader are shared with the organisation file.
_Map = LineMap
_Loader = LineLoader


class _Reader:
    """Walks the parsed tree and raises PackError with path and line."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, message: str, where: str, line: int | None) -> PackError:
        return PackError(message, where=where, line=line, origin=self.origin)

    def get(self, node: _Map, key: str, where: str, *, required: bool = True) -> Any:
        if not isinstance(node, _Map):
            raise self.fail("expected a mapping", where, getattr(node, "line", None))
        if key not in node:
            if required:
                raise self.fail(f"missing key '{key}'", where or "(top)", node.line)
            return None
        return node[key]

    def only(self, node: Any, allowed: set[str], where: str) -> None:
        """Refuse keys the pack format does not know (often a typo or a stray comma)."""
        if not isinstance(node, _Map):
            raise self.fail("expected a mapping", where or "(top)", None)
        for key in node:
            if key not in allowed:
                raise self.fail(f"unknown key '{key}' (expected: {', '.join(sorted(allowed))})",
                                _join(where, str(key)), self.line(node, key))

    def line(self, node: Any, key: str | None = None) -> int | None:
        if isinstance(node, _Map):
            return node.lines.get(key, node.line) if key is not None else node.line
        return None

    def string(self, node: _Map, key: str, where: str, *, required: bool = True) -> str | None:
        value = self.get(node, key, where, required=required)
        if value is None:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
            raise self.fail("expected a non-empty text", _join(where, key), self.line(node, key))
        return str(value)

    def text(self, node: _Map, key: str, where: str) -> Text:
        value = self.get(node, key, where)
        path = _join(where, key)
        if not isinstance(value, _Map):
            raise self.fail("expected a mapping with 'vi' and 'en'", path, self.line(node, key))
        self.only(value, set(LANGUAGES), path)
        for lang in LANGUAGES:
            self.string(value, lang, path)
        return Text(vi=str(value["vi"]), en=str(value["en"]))

    def sequence(self, node: _Map, key: str, where: str, *, required: bool = True) -> list[Any]:
        value = self.get(node, key, where, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail("expected a list", _join(where, key), self.line(node, key))
        return value


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def load_pack_text(text: str, origin: str = "<pack>") -> Pack:
    """Parse and validate one pack; raises PackError naming the key and line."""
    reader = _Reader(origin)
    try:
        tree = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PackError(f"not valid YAML ({exc.problem})", line=line, origin=origin) from None
    except yaml.YAMLError as exc:
        raise PackError(f"not valid YAML ({exc})", origin=origin) from None
    if not isinstance(tree, _Map):
        raise PackError("a pack must be a YAML mapping", line=1, origin=origin)
    pack = _build_pack(reader, tree)
    if pack.superseded_by is not None and pack.effective_to is None:
        raise reader.fail("only a pack with an end date can be superseded", "superseded_by",
                          reader.line(tree, "superseded_by"))
    return pack


_TOP_KEYS = {"id", "version", "title", "jurisdiction", "effective", "sources", "voting_rules",
             "deadlines", "bodies", "unit_kinds", "not_covered", "notes", "head_override",
             "appraisal_council", "superseded_by"}


def _build_pack(r: _Reader, tree: _Map) -> Pack:
    r.only(tree, _TOP_KEYS, "")
    pack_id = r.string(tree, "id", "")
    assert pack_id is not None
    version = r.get(tree, "version", "")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise r.fail("expected a whole number >= 1", "version", r.line(tree, "version"))
    effective = r.get(tree, "effective", "")
    r.only(effective, {"from", "to"}, "effective")
    eff_from = _date(r, effective, "from", "effective", required=True)
    eff_to = _date(r, effective, "to", "effective", required=False)
    assert eff_from is not None
    if eff_to is not None and eff_to < eff_from:
        raise r.fail("ends before it starts", "effective.to", r.line(effective, "to"))

    sources = tuple(_source(r, node, f"sources[{i}]") for i, node in
                    enumerate(r.sequence(tree, "sources", "")))
    source_ids = _unique(r, [s.id for s in sources], tree, "sources")

    voting_rules = {}
    rules_node = r.get(tree, "voting_rules", "", required=False) or _Map()
    for rule_id, node in rules_node.items():
        voting_rules[str(rule_id)] = _voting_rule(r, str(rule_id), node, f"voting_rules.{rule_id}")

    bodies = tuple(_body(r, node, f"bodies[{i}]") for i, node in
                   enumerate(r.sequence(tree, "bodies", "")))
    body_ids = _unique(r, [b.id for b in bodies], tree, "bodies")
    for i, body in enumerate(bodies):
        if body.voting_rule and body.voting_rule not in voting_rules:
            node = tree["bodies"][i]
            raise r.fail(f"unknown voting rule '{body.voting_rule}' (known: "
                         f"{', '.join(voting_rules) or 'none'})", f"bodies[{i}].voting_rule",
                         r.line(node, "voting_rule"))

    deadlines = tuple(_deadline(r, node, f"deadlines[{i}]", source_ids) for i, node in
                      enumerate(r.sequence(tree, "deadlines", "")))
    _unique(r, [d.id for d in deadlines], tree, "deadlines")
    if not any(d.id == "answer" for d in deadlines):
        raise r.fail("an 'answer' deadline is required", "deadlines", r.line(tree, "deadlines"))

    kinds_nodes = r.sequence(tree, "unit_kinds", "")
    if not kinds_nodes:
        raise r.fail("a pack needs at least one unit kind", "unit_kinds",
                     r.line(tree, "unit_kinds"))
    unit_kinds = tuple(_unit_kind(r, node, f"unit_kinds[{i}]", body_ids, source_ids)
                       for i, node in enumerate(kinds_nodes))
    _unique(r, [k.id for k in unit_kinds], tree, "unit_kinds")
    for i, kind in enumerate(unit_kinds):
        for decider in kind.route.decision_bodies:
            if decider not in {b.id for b in bodies if b.voting_rule}:
                node = kinds_nodes[i]["route"]
                raise r.fail(f"decision body '{decider}' has no voting rule",
                             f"unit_kinds[{i}].route.decision_bodies",
                             r.line(node, "decision_bodies"))

    not_covered = tuple(_not_covered(r, node, f"not_covered[{i}]") for i, node in
                        enumerate(r.sequence(tree, "not_covered", "", required=False)))
    notes = tuple(r.text(_Map(note=n), "note", f"notes[{i}]") if not isinstance(n, _Map)
                  else _text_node(r, n, f"notes[{i}]")
                  for i, n in enumerate(r.sequence(tree, "notes", "", required=False)))
    head_override = r.text(tree, "head_override", "") if "head_override" in tree else None
    for lang in ("vi", "en"):
        if head_override and "{head}" not in head_override.get(lang):
            raise r.fail("must name the head with {head}", f"head_override.{lang}",
                         r.line(tree, "head_override"))
    council = r.get(tree, "appraisal_council", "", required=False)
    if council is not None and not isinstance(council, bool):
        raise r.fail("expected true or false", "appraisal_council",
                     r.line(tree, "appraisal_council"))
    return Pack(
        id=pack_id,
        version=version,
        title=r.text(tree, "title", ""),
        jurisdiction=r.string(tree, "jurisdiction", "") or "",
        effective_from=eff_from,
        effective_to=eff_to,
        sources=sources,
        bodies=bodies,
        unit_kinds=unit_kinds,
        voting_rules=voting_rules,
        deadlines=deadlines,
        not_covered=not_covered,
        notes=notes,
        origin=r.origin,
        lines=dict(tree.lines),
        head_override=head_override,
        appraisal_council=True if council is None else council,
        superseded_by=r.string(tree, "superseded_by", "", required=False),
    )


def _text_node(r: _Reader, node: _Map, where: str) -> Text:
    r.only(node, set(LANGUAGES), where)
    for lang in LANGUAGES:
        r.string(node, lang, where)
    return Text(vi=str(node["vi"]), en=str(node["en"]))


def _unique(r: _Reader, ids: list[str], tree: _Map, key: str) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise r.fail(f"duplicate id '{item}'", f"{key}[{i}].id", r.line(tree[key][i], "id"))
        seen.add(item)
    return seen


def _date(r: _Reader, node: _Map, key: str, where: str, *, required: bool) -> date | None:
    value = r.get(node, key, where, required=required)
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise r.fail(f"expected a date YYYY-MM-DD, got '{value}'", _join(where, key),
                     r.line(node, key)) from None


def _source(r: _Reader, node: _Map, where: str) -> Source:
    r.only(node, {"id", "title", "short"}, where)
    return Source(id=r.string(node, "id", where) or "", title=r.text(node, "title", where),
                  short=r.text(node, "short", where))


def _fraction(r: _Reader, node: _Map, key: str, where: str) -> Fraction | None:
    value = r.get(node, key, where, required=False)
    if value is None:
        return None
    try:
        result = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise r.fail(f"expected a fraction such as 1/2, got '{value}'", _join(where, key),
                     r.line(node, key)) from None
    if not 0 <= result < 1:
        raise r.fail("expected a fraction from 0 up to (not including) 1", _join(where, key),
                     r.line(node, key))
    return result


def _voting_rule(r: _Reader, rule_id: str, node: _Map, where: str) -> VotingRule:
    r.only(node, {"basis", "more_than", "quorum", "tie_breaker", "abstain_allowed",
                  "proposer_may_vote", "proposer_in_base", "head_must_vote", "ballot"}, where)
    basis = r.string(node, "basis", where)
    try:
        basis_value = Basis(basis or "")
    except ValueError:
        raise r.fail(f"unknown basis '{basis}' (known: {', '.join(b.value for b in Basis)})",
                     _join(where, "basis"), r.line(node, "basis")) from None
    tie = r.string(node, "tie_breaker", where, required=False)
    if tie not in (None, "head"):
        raise r.fail(f"unknown tie breaker '{tie}' (known: head)", _join(where, "tie_breaker"),
                     r.line(node, "tie_breaker"))
    flags = {}
    for flag in ("abstain_allowed", "proposer_may_vote", "proposer_in_base", "head_must_vote"):
        value = r.get(node, flag, where, required=False)
        if value is not None and not isinstance(value, bool):
            raise r.fail("expected true or false", _join(where, flag), r.line(node, flag))
        if value is not None:
            flags[flag] = value
    mode = r.string(node, "ballot", where, required=False)
    try:
        ballot = BallotMode(mode or BallotMode.MEETING)  # a committee meets unless told
    except ValueError:
        raise r.fail(f"unknown ballot mode '{mode}' (known: "
                     f"{', '.join(m.value for m in BallotMode)})", _join(where, "ballot"),
                     r.line(node, "ballot")) from None
    return VotingRule(
        id=rule_id,
        basis=basis_value,
        more_than=_fraction(r, node, "more_than", where) or Fraction(1, 2),
        quorum=_fraction(r, node, "quorum", where),
        tie_breaker=tie,
        ballot=ballot,
        **flags,
    )


def _body(r: _Reader, node: _Map, where: str) -> Body:
    r.only(node, {"id", "name", "voting_rule"}, where)
    return Body(id=r.string(node, "id", where) or "", name=r.text(node, "name", where),
                voting_rule=r.string(node, "voting_rule", where, required=False))


def _citation(r: _Reader, node: Any, where: str, source_ids: set[str]) -> Citation:
    if not isinstance(node, _Map):
        raise r.fail("expected a mapping with 'source' and 'ref'", where, None)
    r.only(node, {"source", "ref"}, where)
    source = r.string(node, "source", where) or ""
    if source not in source_ids:
        raise r.fail(f"unknown source '{source}' (known: {', '.join(sorted(source_ids))})",
                     _join(where, "source"), r.line(node, "source"))
    return Citation(source=source, ref=r.text(node, "ref", where))


def _deadline(r: _Reader, node: _Map, where: str, source_ids: set[str]) -> Deadline:
    r.only(node, {"id", "working_days", "description", "citation"}, where)
    days = r.get(node, "working_days", where)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise r.fail("expected a whole number of working days >= 1", _join(where, "working_days"),
                     r.line(node, "working_days"))
    citation_node = r.get(node, "citation", where, required=False)
    return Deadline(
        id=r.string(node, "id", where) or "",
        working_days=days,
        description=r.text(node, "description", where),
        citation=_citation(r, citation_node, _join(where, "citation"), source_ids)
        if citation_node is not None else None,
    )


def _terms(r: _Reader, node: _Map, where: str) -> tuple[tuple[str, float], ...]:
    """Terms are plain strings (weight 1) or ``{term: weight}`` one-entry mappings."""
    result = []
    for i, item in enumerate(r.sequence(node, "terms", where, required=False)):
        if isinstance(item, str):
            result.append((item, 1.0))
        elif isinstance(item, _Map) and len(item) == 1:
            (term, weight), = item.items()
            if not isinstance(weight, int | float) or isinstance(weight, bool):
                raise r.fail("a term's weight must be a number", f"{where}.terms[{i}]",
                             r.line(item))
            result.append((str(term), float(weight)))
        else:
            raise r.fail("a term is a text or {text: weight}", f"{where}.terms[{i}]",
                         r.line(node, "terms"))
    return tuple(result)


def _unit_kind(r: _Reader, node: _Map, where: str, body_ids: set[str],
               source_ids: set[str]) -> UnitKind:
    r.only(node, {"id", "point", "description", "route", "terms"}, where)
    kind_id = r.string(node, "id", where) or ""
    route_node = r.get(node, "route", where)
    route_where = _join(where, "route")
    if not isinstance(route_node, _Map):
        raise r.fail("expected a mapping", route_where, r.line(node, "route"))
    r.only(route_node, {*ROUTE_FIELDS, "citations"}, route_where)
    values: dict[str, Any] = {}
    for name in ROUTE_FIELDS:
        path = _join(route_where, name)
        if name not in route_node:
            raise r.fail(f"missing route field '{name}' (write null if it does not apply)",
                         route_where, route_node.line)
        value = route_node[name]
        if name in ROUTE_LIST_FIELDS:
            if not isinstance(value, list):
                raise r.fail("expected a list of body ids ([] if none)", path,
                             r.line(route_node, name))
            ids = tuple(str(v) for v in value)
        else:
            if value is None and name in ROUTE_REQUIRED_FIELDS:
                raise r.fail("this route field is required", path, r.line(route_node, name))
            ids = (str(value),) if value is not None else ()
        for body_id in ids:
            if body_id not in body_ids:
                raise r.fail(f"unknown body '{body_id}'", path, r.line(route_node, name))
        if name in ROUTE_LIST_FIELDS:
            values[name] = ids
        else:
            values[name] = ids[0] if ids else None
    if not values["decision_bodies"]:
        raise r.fail("at least one decision body is required",
                     _join(route_where, "decision_bodies"),
                     r.line(route_node, "decision_bodies"))
    citations = tuple(_citation(r, c, f"{route_where}.citations[{i}]", source_ids)
                      for i, c in enumerate(r.sequence(route_node, "citations", route_where)))
    if not citations:
        raise r.fail("a route must cite at least one article", _join(route_where, "citations"),
                     r.line(route_node, "citations"))
    point = r.get(node, "point", where, required=False)
    return UnitKind(
        id=kind_id,
        point=str(point) if point is not None else None,
        description=r.text(node, "description", where),
        route=Route(citations=citations, **values),
        terms=_terms(r, node, where),
    )


def _not_covered(r: _Reader, node: _Map, where: str) -> NotCovered:
    r.only(node, {"id", "description", "reason", "terms"}, where)
    return NotCovered(
        id=r.string(node, "id", where) or "",
        description=r.text(node, "description", where),
        reason=r.text(node, "reason", where),
        terms=_terms(r, node, where),
    )


def check_overlaps(packs: list[Pack]) -> None:
    """Refuse two packs of one jurisdiction in force on the same day."""
    by_jurisdiction: dict[str, list[Pack]] = {}
    for pack in packs:
        by_jurisdiction.setdefault(pack.jurisdiction, []).append(pack)
    for group in by_jurisdiction.values():
        group.sort(key=lambda p: p.effective_from)
        for earlier, later in itertools.pairwise(group):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                raise PackError(
                    f"'{later.id}' (from {later.effective_from}) overlaps '{earlier.id}' "
                    f"(until {earlier.effective_to or 'open-ended'}) in jurisdiction "
                    f"'{later.jurisdiction}'",
                    where="effective", line=later.lines.get("effective"), origin=later.origin,
                )


def bundled_pack_texts() -> dict[str, str]:
    """The packs shipped with the package, by file name."""
    folder = resources.files("workflow.rules") / "packs"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }
