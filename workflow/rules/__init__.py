"""Routing packs: which body is competent for which unit kind, as data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from workflow.rules.loader import PackError, bundled_pack_texts, check_overlaps, load_pack_text
from workflow.rules.model import Pack, Route, Text, UnitKind

DEFAULT_PACK_ID = "duc-pho-2022"

__all__ = [
    "DEFAULT_PACK_ID",
    "Pack",
    "PackError",
    "Route",
    "RuleBook",
    "Text",
    "UnitKind",
    "UnknownPack",
    "UnknownUnitKind",
    "bundled_rulebook",
    "load_pack_text",
]


class UnknownPack(LookupError):
    def __init__(self, pack_id: str, known: list[str]):
        self.pack_id, self.known = pack_id, known
        super().__init__(f"unknown pack '{pack_id}'; known packs: {', '.join(known)}")


class UnknownUnitKind(LookupError):
    def __init__(self, kind: str, pack: Pack):
        self.kind, self.pack, self.known = kind, pack.id, pack.unit_kind_ids()
        super().__init__(
            f"unknown unit kind '{kind}' in pack '{pack.id}'; valid kinds: {', '.join(self.known)}"
        )


class RuleBook:
    """The packs an installation knows, validated together (no overlapping dates)."""

    def __init__(self, packs: list[Pack], default_id: str = DEFAULT_PACK_ID):
        ids = [p.id for p in packs]
        if len(set(ids)) != len(ids):
            raise PackError("two packs share an id")
        check_overlaps(list(packs))
        self._packs = {p.id: p for p in packs}
        if default_id not in self._packs:
            raise UnknownPack(default_id, ids)
        self.default_id = default_id

    def ids(self) -> list[str]:
        return list(self._packs)

    def packs(self) -> list[Pack]:
        return list(self._packs.values())

    def get(self, pack_id: str | None = None) -> Pack:
        key = pack_id or self.default_id
        try:
            return self._packs[key]
        except KeyError:
            raise UnknownPack(key, self.ids()) from None

    def successor_in_force(self, pack: Pack, on: date) -> Pack | None:
        """The pack of the same jurisdiction in force on ``on`` (e.g. after a reform)."""
        same_place = (p for p in self._packs.values() if p.jurisdiction == pack.jurisdiction)
        return next((p for p in same_place if p.in_force(on)), None)

    def route(self, unit_kind: str, pack_id: str | None = None) -> tuple[Pack, UnitKind]:
        pack = self.get(pack_id)
        try:
            return pack, pack.unit_kind(unit_kind)
        except KeyError:
            raise UnknownUnitKind(unit_kind, pack) from None


@lru_cache(maxsize=1)
def bundled_rulebook() -> RuleBook:
    """The packs shipped with cadrebot, parsed once per process."""
    return RuleBook([load_pack_text(text, name) for name, text in bundled_pack_texts().items()])
