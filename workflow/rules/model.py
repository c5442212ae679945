"""Routing packs as typed values: what a regulation says about who is competent.

A pack is data (YAML under ``workflow/rules/packs``); these classes are what the
rest of the domain sees once a pack has been loaded and validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from workflow.voting import VotingRule

LANGUAGES = ("vi", "en")

# The keys of a route, in the order they are shown and serialised.
ROUTE_FIELDS = (
    "preliminary_review",
    "competent_body",
    "via",
    "also_inform",
    "appraisal_lead",
    "appraisal_assigned_by",
    "legal_review",
    "decision_bodies",
    "head",
    "escalation_to",
)
ROUTE_LIST_FIELDS = ("also_inform", "decision_bodies")
ROUTE_REQUIRED_FIELDS = ("competent_body", "via", "decision_bodies", "head", "escalation_to")


@dataclass(frozen=True)
class Text:
    """A phrase in Vietnamese and English; Vietnamese is the fallback."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Source:
    """A legal document a pack rests on."""

    id: str
    title: Text
    short: Text


@dataclass(frozen=True)
class Citation:
    source: str
    ref: Text

    def render(self, pack: Pack, lang: str) -> str:
        return f"{self.ref.get(lang)}, {pack.source(self.source).short.get(lang)}"


def render_citations(pack: Pack, citations: tuple[Citation, ...], lang: str) -> str:
    """Citations grouped by source: "Điều 2 khoản 1 điểm a, Điều 2 khoản 3, <source>"."""
    groups: dict[str, list[str]] = {}
    for citation in citations:
        groups.setdefault(citation.source, []).append(citation.ref.get(lang))
    return "; ".join(
        f"{', '.join(refs)} ({pack.source(source).short.get(lang)})"
        for source, refs in groups.items()
    )


@dataclass(frozen=True)
class Body:
    """A body, office or office-holder named by the regulation (not a real organisation)."""

    id: str
    name: Text
    voting_rule: str | None = None


@dataclass(frozen=True)
class Route:
    """Who does what for one unit kind: the answer to "who is competent?"."""

    preliminary_review: str | None
    competent_body: str
    via: str
    also_inform: tuple[str, ...]
    appraisal_lead: str | None
    appraisal_assigned_by: str | None
    legal_review: str | None
    decision_bodies: tuple[str, ...]
    head: str
    escalation_to: str
    citations: tuple[Citation, ...]

    def body_ids(self) -> set[str]:
        ids: set[str] = set()
        for name in ROUTE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, tuple):
                ids.update(value)
            elif value:
                ids.add(value)
        return ids


@dataclass(frozen=True)
class UnitKind:
    """A category of posts the regulation routes one way (e.g. point b: commune schools)."""

    id: str
    point: str | None
    description: Text
    route: Route
    # Words people use for such posts and organisations, without diacritics,
    # used by the recogniser; weights say how telling a term is.
    terms: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class NotCovered:
    """A kind of post people ask about that the pack deliberately does not route."""

    id: str
    description: Text
    reason: Text
    terms: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Deadline:
    id: str
    working_days: int
    description: Text
    citation: Citation | None = None


@dataclass(frozen=True)
class Pack:
    id: str
    version: int
    title: Text
    jurisdiction: str
    effective_from: date
    effective_to: date | None
    sources: tuple[Source, ...]
    bodies: tuple[Body, ...]
    unit_kinds: tuple[UnitKind, ...]
    voting_rules: dict[str, VotingRule]
    deadlines: tuple[Deadline, ...]
    not_covered: tuple[NotCovered, ...] = ()
    notes: tuple[Text, ...] = field(default=())
    # What the head may do when the collective does not agree, with a {head} placeholder;
    # None: the party rule (decide if feasible, report to the superior at once).
    head_override: Text | None = None
    # Whether the rule lets a broad or complex matter go to an appraisal council.
    appraisal_council: bool = True
    # The pack that takes over this one's jurisdiction after it ends (a reform that
    # renamed the place: the town's communes and wards came under two-level-2025).
    superseded_by: str | None = None
    # Where the pack came from and the line of each top-level key, for error messages.
    origin: str = field(default="", compare=False)
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def body(self, body_id: str) -> Body:
        for body in self.bodies:
            if body.id == body_id:
                return body
        raise KeyError(body_id)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def unit_kind(self, kind_id: str) -> UnitKind:
        for kind in self.unit_kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(kind_id)

    def unit_kind_ids(self) -> list[str]:
        return [kind.id for kind in self.unit_kinds]

    def deadline(self, deadline_id: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.id == deadline_id), None)

    def voting_rule_for(self, body_id: str) -> VotingRule | None:
        rule_id = self.body(body_id).voting_rule
        return self.voting_rules[rule_id] if rule_id else None
