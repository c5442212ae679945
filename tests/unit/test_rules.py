"""Routing packs: the bundled packs load, and broken packs are refused with key and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workflow.rules import (
    DEFAULT_JURISDICTION,
    PackError,
    RuleBook,
    UnknownJurisdiction,
    UnknownPack,
    UnknownUnitKind,
    bundled_rulebook,
    load_pack_text,
)
from workflow.rules.loader import bundled_pack_texts
from workflow.voting import Basis

DUC_PHO = bundled_pack_texts()["duc-pho-2022.yaml"]


def test_bundled_packs_all_load_and_the_default_place_is_today_s_communes() -> None:
    book = bundled_rulebook()
    assert set(book.ids()) == {"duc-pho-2022", "quang-ngai-887", "two-level-2025", "nd73-2023"}
    assert book.default_jurisdiction == DEFAULT_JURISDICTION == "quang-ngai/xa-phuong"
    assert book.select(date(2026, 12, 4)).pack.id == "two-level-2025"


def test_every_route_names_only_known_bodies_and_decision_bodies_vote() -> None:
    for pack in bundled_rulebook().packs():
        known = {b.id for b in pack.bodies}
        for kind in pack.unit_kinds:
            assert kind.route.body_ids() <= known
            for decider in kind.route.decision_bodies:
                assert pack.voting_rule_for(decider) is not None


def test_party_packs_answer_in_30_or_60_working_days() -> None:
    for pack_id in ("duc-pho-2022", "quang-ngai-887", "two-level-2025"):
        pack = bundled_rulebook().get(pack_id)
        assert pack.deadline("answer").working_days == 30
        assert pack.deadline("answer_complex").working_days == 60
        rule = pack.voting_rules["party_majority"]
        assert rule.basis is Basis.COUNTED_MEMBERS and not rule.proposer_may_vote


def test_state_track_counts_the_collective_breaks_ties_with_the_head_and_needs_the_head() -> None:
    # ND 73 Điều 8 khoản 1: more than 50% of the leadership collective (less a proposing
    # deputy), not of the votes cast; the head chairs the meeting.
    rule = bundled_rulebook().get("nd73-2023").voting_rules["state_majority"]
    assert rule.basis is Basis.COUNTED_MEMBERS and rule.tie_breaker == "head"
    assert rule.head_must_vote and not rule.proposer_in_base and not rule.proposer_may_vote


@pytest.mark.parametrize(("place", "on", "expected", "in_force"), [
    ("quang-ngai/duc-pho", date(2025, 6, 30), "duc-pho-2022", True),
    ("quang-ngai/duc-pho", date(2025, 7, 1), "two-level-2025", True),  # superseded
    ("quang-ngai/duc-pho", date(2022, 12, 12), "duc-pho-2022", True),
    ("quang-ngai/duc-pho", date(2022, 12, 11), "duc-pho-2022", False),  # nothing yet
    ("quang-ngai/xa-phuong", date(2026, 12, 4), "two-level-2025", True),
    ("quang-ngai/xa-phuong", date(2024, 3, 1), "quang-ngai-887", True),  # the province's
    ("quang-ngai/xa-phuong/pho-chau", date(2026, 1, 5), "two-level-2025", True),
    ("quang-ngai", date(2026, 12, 4), "quang-ngai-887", True),
    ("state/nd73", date(2026, 12, 4), "nd73-2023", True),
])
def test_one_rule_of_selection(place: str, on: date, expected: str, in_force: bool) -> None:
    chosen = bundled_rulebook().select(on, jurisdiction=place)
    assert (chosen.pack.id, chosen.in_force) == (expected, in_force)
    assert chosen.as_dict()["pack_version"] == chosen.pack.version


def test_a_pack_named_outside_its_period_says_so_and_unknown_places_are_refused() -> None:
    book = bundled_rulebook()
    chosen = book.select(date(2026, 12, 4), pack_id="duc-pho-2022")
    assert chosen.pack.id == "duc-pho-2022" and not chosen.in_force
    with pytest.raises(UnknownJurisdiction) as caught:
        book.select(date(2026, 12, 4), jurisdiction="ha-noi")
    assert "quang-ngai/xa-phuong" in str(caught.value)


def test_a_successor_must_exist_and_start_after_the_end() -> None:
    early = DUC_PHO.replace("superseded_by: two-level-2025", "superseded_by: nowhere")
    with pytest.raises(PackError, match="unknown pack 'nowhere'"):
        RuleBook([load_pack_text(early, "x.yaml")])
    open_ended = DUC_PHO.replace("  to: 2025-06-30\n", "")
    with pytest.raises(PackError, match="only a pack with an end date"):
        load_pack_text(open_ended, "x.yaml")


def test_two_level_reform_succeeds_the_town_pack_on_1_july_2025() -> None:
    two = bundled_rulebook().get("two-level-2025")
    assert two.unit_kind("commune").route.escalation_to == "provincial_standing_board"


def test_unknown_pack_and_kind_list_the_valid_ones() -> None:
    book = bundled_rulebook()
    with pytest.raises(UnknownPack) as pack_error:
        book.get("nope")
    assert "duc-pho-2022" in str(pack_error.value)
    with pytest.raises(UnknownUnitKind) as kind_error:
        book.route("school", "duc-pho-2022")
    assert "commune_school" in str(kind_error.value)


def _error(text: str) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack_text(text, "broken.yaml")
    return caught.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_body_in_a_route_names_key_and_line() -> None:
    text = DUC_PHO.replace("escalation_to: town_standing_board",
                           "escalation_to: town_standing_bord", 1)
    error = _error(text)
    assert "unknown body 'town_standing_bord'" in str(error)
    assert error.where == "unit_kinds[0].route.escalation_to"
    assert error.line == _line_of(text, "town_standing_bord")
    assert str(error).startswith(f"broken.yaml:{error.line}: ")


def test_missing_route_field_is_refused() -> None:
    text = DUC_PHO.replace("      legal_review: null\n", "", 1)
    error = _error(text)
    assert "missing route field 'legal_review'" in str(error)
    assert error.where == "unit_kinds[0].route"


def test_a_stray_comma_in_a_flow_mapping_is_caught_as_an_unknown_key() -> None:
    quoted = '{vi: "Đảng ủy xã (phường, thị trấn)"'
    text = DUC_PHO.replace(quoted, "{vi: Đảng ủy xã (phường, thị trấn)")
    error = _error(text)
    assert "unknown key" in str(error) and error.line is not None


def test_broken_yaml_gets_a_line_not_a_traceback() -> None:
    error = _error("id: x\nbodies: [a, b\n")
    assert "not valid YAML" in str(error) and error.line is not None


def test_a_key_written_twice_is_refused() -> None:
    error = _error(DUC_PHO.replace("version: 1\n", "version: 1\nversion: 2\n", 1))
    assert "written twice" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  to: 2025-06-30", "  to: 2021-01-01", "ends before it starts"),
        ("  from: 2022-12-12", "  from: 12/12/2022", "expected a date"),
        ("    working_days: 30", "    working_days: -3", "working days"),
        ("    basis: counted_members", "    basis: everybody", "unknown basis"),
        ("    voting_rule: party_majority\n  - id: commune_party_office",
         "    voting_rule: party_minority\n  - id: commune_party_office", "unknown voting rule"),
    ],
)
def test_invalid_values_are_refused(old: str, new: str, message: str) -> None:
    assert old in DUC_PHO
    assert message in str(_error(DUC_PHO.replace(old, new, 1)))


def test_overlapping_dates_in_one_jurisdiction_are_refused() -> None:
    packs = bundled_rulebook().packs()
    overlapping = load_pack_text(
        DUC_PHO.replace("id: duc-pho-2022", "id: duc-pho-2024").replace(
            "  from: 2022-12-12\n  to: 2025-06-30", "  from: 2024-01-01").replace(
            "superseded_by: two-level-2025\n", ""), "x.yaml")
    with pytest.raises(PackError) as caught:
        RuleBook([*packs, overlapping])
    assert "overlaps" in str(caught.value)


def test_bundled_pack_files_are_the_ones_in_the_source_tree() -> None:
    folder = Path(__file__).resolve().parents[2] / "workflow" / "rules" / "packs"
    assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(bundled_pack_texts())


def test_a_head_override_text_must_name_the_head() -> None:
    text = bundled_pack_texts()["nd73-2023.yaml"].replace("{head} vẫn", "người đứng đầu vẫn")
    assert "must name the head" in str(_error_of(text))


def _error_of(text: str) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack_text(text, "x.yaml")
    return caught.value
