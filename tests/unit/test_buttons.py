"""Typed button data and its one codec (handlers.buttons, handlers.button_codec)."""

from __future__ import annotations

import ast
import dataclasses
import random
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest

from handlers import buttons as b
from handlers.buttons import MAX_ACTION_BYTES, MAX_INT, ButtonData, ButtonDataError, decode, encode
from handlers.flows.desk_view import CODES, VOTE_CODES
from handlers.flows.papers import CODES as PAPER_CODES
from handlers.flows.registry import all_flows
from handlers.messages import Button, Reply, reply_from_json, reply_to_json

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
# Strings as they really come: a flow's name, a unit kind id, a regulation's id, an article's
# number, a wizard token, a reporting duty's id; with ':' and '%' that must not forge fields.
STRINGS = ["vi", "commune_school", "887-QD-TW", "Điều 4", "a:b", "%3A", "50%", "x:%25:y", "ß"]


def _fields(kind: type[ButtonData]) -> list[tuple[str, Any, bool]]:
    hints = typing.get_type_hints(kind)
    out = []
    for field in dataclasses.fields(kind):
        hint = hints[field.name]
        optional = type(None) in get_args(hint)
        if optional:
            hint = next(a for a in get_args(hint) if a is not type(None))
        out.append((field.name, hint, optional))
    return out


def _values(hint: Any, rng: random.Random, largest: bool) -> Any:
    if get_origin(hint) is Literal:
        choices = [str(c) for c in get_args(hint)]
        return max(choices, key=len) if largest else rng.choice(choices)
    if hint is int:
        return MAX_INT if largest else rng.choice([0, 1, 7, 12345, rng.randrange(MAX_INT)])
    return rng.choice(STRINGS)


def _sample(kind: type[ButtonData], rng: random.Random, largest: bool = False) -> ButtonData:
    """``kind`` with plausible values; ``largest``: every int at its maximum and every
    optional field set (strings are left short: their size is the caller's to check)."""
    values: dict[str, Any] = {}
    for name, hint, optional in _fields(kind):
        if optional and not largest and rng.random() < 0.5:
            continue
        values[name] = _values(hint, rng, largest)
    return kind(**values)


KINDS = b.registered()


def test_every_kind_of_press_is_registered_once_with_its_own_tag() -> None:
    assert len(KINDS) > 60
    tags: set[tuple[str, str]] = set()
    for kind in KINDS:
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
        first = _fields(kind)[0][1] if _fields(kind) else None
        own = [str(c) for c in get_args(first)] if kind.coded else [kind.tag]
        for tag in own:
            assert (kind.prefix, tag) not in tags, f"{kind.__name__}: {kind.prefix}:{tag} twice"
            tags.add((kind.prefix, tag))
    # A tagless kind is the only one of its prefix: nothing else could be told from it.
    for kind in KINDS:
        if not kind.tag and not kind.coded:
            assert [t for p, t in tags if p == kind.prefix] == [""]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_round_trips(kind: type[ButtonData]) -> None:
    rng = random.Random(kind.__name__)
    for _ in range(40):
        try:
            data = _sample(kind, rng)
        except ButtonDataError:
            continue  # two long strings together: too long for a button, refused at once
        action = encode(data)
        assert len(action.encode()) <= MAX_ACTION_BYTES
        assert decode(action) == data
        assert Button("x", data).action == action and Button("x", action).data == data


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_fits_a_button_at_its_largest_plausible_size(kind: type[ButtonData]) -> None:
    """Ints at nine digits, every optional field set, Literal codes at their longest, and a
    string field 16 bytes long (ids, codes and tokens are shorter), or 8 each for two."""
    strings = [name for name, hint, _ in _fields(kind) if hint is str]
    rng = random.Random(0)
    data = _sample(kind, rng, largest=True)
    if strings:
        data = dataclasses.replace(data, **{name: "é" * (8 // len(strings))
                                            for name in strings})
    action = encode(data)
    assert len(action.encode()) <= MAX_ACTION_BYTES, action
    assert decode(action) == data


def test_the_actions_keep_the_form_older_messages_carry() -> None:
    assert encode(b.OpenDossier(12)) == "k:v:12"
    assert encode(b.DeskStep("rg", 12, 3)) == "k:rg:12:3"
    assert encode(b.Vote(12, 4, "a")) == "k:vt:12:4:a"
    assert encode(b.BallotClosing(12, 3, 5, 0)) == "k:oc:12:3:5:0"
    assert encode(b.OpenOwnDossier(7)) == "d:v:7"
    assert encode(b.OpenPaper(7, "m", 2)) == "p:o:7:m:2"
    assert encode(b.DossierDocuments(7)) == "a:7"
    assert encode(b.FilingPress("ab12-3", "kind", "nr")) == "f:ab12-3:kind:nr"
    assert encode(b.FilingPress("ab12-3", "save")) == "f:ab12-3:save"
    assert encode(b.StatsLast12Months()) == "tk:12"
    assert encode(b.StartFlow("desk")) == "m:go:desk"
    assert encode(b.Home()) == "m:home"


def test_strings_are_escaped_so_a_value_cannot_forge_fields() -> None:
    data = b.RegulationArticle("887:1", "4:x%")
    action = encode(data)
    assert action == "q:a:887%3A1:4%3Ax%25"
    assert decode(action) == data
    assert decode("q:a:887:1:4") is None  # the unescaped form has a field too many
    article = b.RegulationArticle("Quy định", "Điều 4")
    assert decode(encode(article)) == article
    # A ':' in an optional string does not make a longer press out of a shorter one.
    press = b.FilingPress("t-1", "edit", "title:x")
    assert decode(encode(press)) == press


@pytest.mark.parametrize("action", [
    "", ":", "k", "k:", "k:v", "k:v:", "k:v:1:2", "k:v:x", "k:v:-1", "k:v:+1", "k:v: 1",
    "k:v:01", "k:v:1.0", "k:v:²", "k:v:١", "k:v:1000000000", "k:v:99999999999999999999",
    "k:zz:1:2", "k:rg:1", "k:rg:1:2:3", "k:vt:1:2:z", "k:vt:1:2", "k:oc:1:2:3", "zz:v:1",
    "d:p:-2", "m:lang", "m:home:x", "m:go:", "q:a:887%3a1:4", "q:a:887%1:4", "q:a::4",
    "f:tok", "f:tok:verb:arg:more", "f::save", "a:", "a:1:2", "tk:n:twenty", "s:u:a",
    "s:st:x", "p:o:1:zz:0", "k:v:1\n", "K:V:1", "k:v:" + "1" * 70,
])
def test_malformed_or_forged_actions_decode_to_none(action: str) -> None:
    assert decode(action) is None


def test_decoding_never_crashes_on_noise() -> None:
    rng = random.Random(7)
    alphabet = "kvdmpfaq0123456789:%3A25-é "
    for _ in range(3000):
        action = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
        data = decode(action)
        assert data is None or encode(data) == action  # only the canonical form decodes


def test_a_mistake_in_the_code_is_refused_when_the_data_is_made() -> None:
    with pytest.raises(ButtonDataError, match="longer than 64 bytes"):
        b.RegulationArticle("x" * 40, "y" * 30)
    with pytest.raises(ButtonDataError, match="from 0 to"):
        b.OpenDossier(-1)
    with pytest.raises(ButtonDataError, match="from 0 to"):
        b.OpenDossier(MAX_INT + 1)
    with pytest.raises(ButtonDataError, match="non-empty string"):
        b.StartFlow("")
    with pytest.raises(ButtonDataError, match="one of"):
        b.DeskStep("zz", 1, 2)  # type: ignore[arg-type]
    with pytest.raises(ButtonDataError, match="int"):
        b.OpenDossier("12")  # type: ignore[arg-type]
    with pytest.raises(ButtonDataError, match="int"):
        b.OpenDossier(True)
    with pytest.raises(ValueError, match="too long"):
        Button("x", "k:v:" + "1" * 70)

    class Loose(ButtonData):
        pass

    with pytest.raises(ButtonDataError, match="not a registered"):
        encode(Loose())


def test_a_kind_is_registered_only_in_a_shape_the_codec_can_carry() -> None:
    from handlers.button_codec import kind

    @dataclasses.dataclass(frozen=True)
    class Taken(ButtonData):
        dossier_id: int

    with pytest.raises(TypeError, match="taken"):
        kind("k", "v")(Taken)

    @dataclasses.dataclass(frozen=True)
    class Floaty(ButtonData):
        share: float

    with pytest.raises(TypeError, match="int, str or Literal"):
        kind("zz", "f")(Floaty)

    @dataclasses.dataclass
    class Mutable(ButtonData):
        pass

    with pytest.raises(TypeError, match="frozen"):
        kind("zz", "m")(Mutable)


def test_the_codes_match_the_flows_that_read_them() -> None:
    assert set(get_args(b.DeskCode)) == set(CODES)
    assert set(get_args(b.VoteCode)) == set(VOTE_CODES)
    assert set(get_args(b.PaperCode)) == set(PAPER_CODES)


def test_every_flow_has_kinds_under_its_prefix() -> None:
    prefixes = {kind.prefix for kind in KINDS}
    flows = all_flows()
    for flow in flows:
        assert flow.prefix in prefixes, f"{flow.name}: no button kind under {flow.prefix!r}"
    assert prefixes <= {flow.prefix for flow in flows} | {b.Home.prefix}


def test_kept_replies_keep_their_buttons() -> None:
    reply = Reply("x", ((Button("Mở", b.OpenDossier(3)), Button("Menu", b.Home())),))
    back = reply_from_json(reply_to_json(reply))
    assert back == reply and back.buttons[0][0].data == b.OpenDossier(3)


def test_no_handler_writes_an_action_string_by_hand() -> None:
    """Every Button in handlers/ gets typed data: no literal or f-string action."""
    found = []
    for path in sorted(HANDLERS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button"
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant | ast.JoinedStr)):
                found.append(f"{path.name}:{node.lineno}")
    assert not found, found
