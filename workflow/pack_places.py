"""The places the bundled rule packs speak for, read from the packs' headers alone.

Checking the installation's place (``CADREBOT_JURISDICTION``) at start-up must not parse
every pack: a command that asks nothing of the rules (``cadrebot deadline``) would pay for
all of them. Each bundled pack names its place on one top-level line
(``jurisdiction: quang-ngai/xa-phuong``); that line is read here without YAML. A header
this reader cannot read plainly (quoted oddly, missing, written twice) falls back to the
full loader, so the answer is always the rule book's own (a test compares the two).
Imports nothing of ours: ``workflow.rules`` uses :func:`within` for its own check.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PACKS = Path(__file__).resolve().parent / "rules" / "packs"
_HEADER = re.compile(r"^jurisdiction:[ \t]*(.*?)(?:[ \t]+#.*)?[ \t]*$", re.MULTILINE)
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*")


def within(place: str, area: str) -> bool:
    """``place`` is ``area`` or lies inside it (``quang-ngai/duc-pho`` is in ``quang-ngai``)."""
    return place == area or place.startswith(area + "/")


def header_place(text: str) -> str | None:
    """The place named on a pack's top-level ``jurisdiction:`` line, when it is written
    plainly (optionally quoted) exactly once; None when only the loader can say."""
    found = _HEADER.findall(text)
    if len(found) != 1:
        return None
    value: str = found[0]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value if _PLAIN.fullmatch(value) else None


@cache
def bundled_places() -> tuple[str, ...]:
    """The places of the bundled packs, sorted, as ``RuleBook.jurisdictions()`` gives them."""
    places = set()
    for path in sorted(PACKS.glob("*.yaml")):
        place = header_place(path.read_text(encoding="utf-8"))
        if place is None:
            from workflow.rules import bundled_rulebook

            return tuple(bundled_rulebook().jurisdictions())
        places.add(place)
    return tuple(sorted(places))


def is_known_place(place: str, known: tuple[str, ...] | list[str]) -> bool:
    """A place is known when a pack speaks for it or for a place that contains it."""
    return any(within(place, area) for area in known)
