"""Routing packs: which body is competent for which unit kind, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from workflow.pack_places import within as _within
from workflow.rules.loader import PackError, bundled_pack_texts, check_overlaps, load_pack_text
from workflow.rules.model import Pack, Route, Text, UnitKind

# Where an installation is when it names nothing: the communes and wards of today's
# Quảng Ngãi province (two-level local government since 1/7/2025).
DEFAULT_JURISDICTION = "quang-ngai/xa-phuong"

__all__ = [
    "DEFAULT_JURISDICTION",
    "Pack",
    "PackError",
    "Route",
    "RuleBook",
    "Selection",
    "Text",
    "UnitKind",
    "UnknownJurisdiction",
    "UnknownPack",
    "UnknownUnitKind",
    "bundled_rulebook",
    "load_pack_text",
]


class UnknownPack(LookupError):
    def __init__(self, pack_id: str, known: list[str]):
        self.pack_id, self.known = pack_id, known
        super().__init__(f"unknown pack '{pack_id}'; known packs: {', '.join(known)}")


class UnknownJurisdiction(LookupError):
    def __init__(self, jurisdiction: str, known: list[str]):
        self.jurisdiction, self.known = jurisdiction, known
        super().__init__(f"unknown jurisdiction '{jurisdiction}'; known: {', '.join(known)}")


class UnknownUnitKind(LookupError):
    def __init__(self, kind: str, pack: Pack):
        self.kind, self.pack, self.known = kind, pack.id, pack.unit_kind_ids()
        super().__init__(
            f"unknown unit kind '{kind}' in pack '{pack.id}'; valid kinds: {', '.join(self.known)}"
        )


@dataclass(frozen=True)
class Selection:
    """The pack that answers for a place on a day, and whether it is in force then.

    ``in_force`` is False only when nothing is in force (a date before any pack, or a
    pack asked for by name outside its period): callers must say so, never apply it
    silently.
    """

    pack: Pack
    on: date
    in_force: bool
    jurisdiction: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"pack": self.pack.id, "pack_version": self.pack.version,
                "in_force": self.in_force, "on": self.on.isoformat(),
                "jurisdiction": self.jurisdiction or self.pack.jurisdiction}


class RuleBook:
    """The packs an installation knows, validated together (no overlapping dates).

    One rule of selection: a place (jurisdiction) and a day give one pack, the same
    for a question, a route and a filing (``select``).
    """

    def __init__(self, packs: list[Pack], default_jurisdiction: str = DEFAULT_JURISDICTION):
        ids = [p.id for p in packs]
        if len(set(ids)) != len(ids):
            raise PackError("two packs share an id")
        check_overlaps(list(packs))
        self._packs = {p.id: p for p in packs}
        for pack in packs:
            self._check_successor(pack)
        self.default_jurisdiction = default_jurisdiction
        self.check_jurisdiction(default_jurisdiction)

    def _check_successor(self, pack: Pack) -> None:
        if pack.superseded_by is None:
            return
        successor = self._packs.get(pack.superseded_by)
        if successor is None:
            raise PackError(f"superseded by unknown pack '{pack.superseded_by}'",
                            where="superseded_by", line=pack.lines.get("superseded_by"),
                            origin=pack.origin)
        assert pack.effective_to is not None  # the loader requires an end date
        if successor.effective_from <= pack.effective_to:
            raise PackError(f"'{successor.id}' starts before '{pack.id}' ends",
                            where="superseded_by", line=pack.lines.get("superseded_by"),
                            origin=pack.origin)

    def ids(self) -> list[str]:
        return list(self._packs)

    def packs(self) -> list[Pack]:
        return list(self._packs.values())

    def jurisdictions(self) -> list[str]:
        return sorted({p.jurisdiction for p in self._packs.values()})

    def check_jurisdiction(self, jurisdiction: str) -> None:
        """A place is known when a pack speaks for it or for a place that contains it."""
        if not any(_within(jurisdiction, known) for known in self.jurisdictions()):
            raise UnknownJurisdiction(jurisdiction, self.jurisdictions())

    def get(self, pack_id: str) -> Pack:
        try:
            return self._packs[pack_id]
        except KeyError:
            raise UnknownPack(pack_id, self.ids()) from None

    def in_force(self, jurisdiction: str, on: date) -> Pack | None:
        """The pack in force on ``on`` for a place: its own pack, else the pack that
        superseded it (a reform that abolished the place), else that of the place
        containing it ("quang-ngai/duc-pho" is within "quang-ngai")."""
        place: str | None = jurisdiction
        while place:
            own = [p for p in self._packs.values() if p.jurisdiction == place]
            found = next((p for p in own if p.in_force(on)), None)
            for pack in sorted(own, key=lambda p: p.effective_from, reverse=True):
                if found is not None:
                    break
                found = self._successor_in_force(pack, on)
            if found is not None:
                return found
            place = place.rpartition("/")[0]
        return None

    def _successor_in_force(self, pack: Pack, on: date) -> Pack | None:
        seen = {pack.id}
        while pack.superseded_by and pack.effective_to and pack.effective_to < on:
            pack = self._packs[pack.superseded_by]
            if pack.id in seen:
                return None
            seen.add(pack.id)
            if pack.in_force(on):
                return pack
        return None

    def select(self, on: date, *, jurisdiction: str | None = None,
               pack_id: str | None = None) -> Selection:
        """The one rule of selection. A pack named explicitly answers as itself (and says
        whether it is in force); otherwise the place's pack in force that day; when none
        is, the place's latest pack, marked not in force."""
        if pack_id:
            pack = self.get(pack_id)
            return Selection(pack, on, pack.in_force(on), jurisdiction)
        place = jurisdiction or self.default_jurisdiction
        self.check_jurisdiction(place)
        found = self.in_force(place, on)
        if found is not None:
            return Selection(found, on, True, place)
        candidates = [p for p in self._packs.values() if _within(place, p.jurisdiction)]
        nearest = max(candidates, key=lambda p: (len(p.jurisdiction), p.effective_from))
        return Selection(nearest, on, False, place)

    def route(self, unit_kind: str, pack_id: str) -> tuple[Pack, UnitKind]:
        pack = self.get(pack_id)
        try:
            return pack, pack.unit_kind(unit_kind)
        except KeyError:
            raise UnknownUnitKind(unit_kind, pack) from None


@lru_cache(maxsize=1)
def bundled_rulebook() -> RuleBook:
    """The packs shipped with cadrebot, parsed once per process."""
    return RuleBook([load_pack_text(text, name) for name, text in bundled_pack_texts().items()])
