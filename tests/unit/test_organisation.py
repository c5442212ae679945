"""Route bodies resolution: the pack's general bodies mapped onto a real organisation."""

from __future__ import annotations

import pytest

from storage.organisation import demo_text, parse_org_text
from workflow.organisation import (
    OrgBody,
    OrgChart,
    OrgTree,
    OrgUnit,
    UnknownUnit,
    escalation_targets,
    resolve_route_bodies,
)
from workflow.rules import bundled_rulebook


@pytest.fixture(scope="module")
def demo() -> OrgChart:
    return parse_org_text(demo_text("duc-pho-2022"), "demo")


def _resolve(chart: OrgChart, unit_id: str) -> dict[str, str | None]:
    pack = bundled_rulebook().get(chart.organisation.pack)
    unit = next(u for u in chart.units if u.id == unit_id)
    route = pack.unit_kind(unit.unit_kind).route
    return resolve_route_bodies(OrgTree.of(chart), unit_id, route.body_ids()).as_dict()


def test_a_commune_school_goes_through_its_cell_to_its_commune(demo: OrgChart) -> None:
    assert _resolve(demo, "mn-pho-chau") == {
        "party_cell": "cb-mn-pho-chau",
        "commune_party_committee": "du-pho-chau",
        "commune_party_office": "vp-du-pho-chau",
        "commune_standing_board": "btv-du-pho-chau",
        "commune_party_secretary": "bi-thu-du-pho-chau",
        "town_standing_board": "btv-thi-uy",
    }


def test_each_commune_resolves_to_its_own_bodies_not_its_neighbours(demo: OrgChart) -> None:
    resolved = _resolve(demo, "th-nguyen-nghiem")
    assert resolved["commune_party_committee"] == "du-nguyen-nghiem"
    assert resolved["commune_party_office"] == "vp-du-nguyen-nghiem"
    assert resolved["party_cell"] == "cb-th-nguyen-nghiem"
    assert _resolve(demo, "qs-nguyen-nghiem")["party_cell"] == "cb-qs-nguyen-nghiem"


def test_commune_cadres_inform_their_cell_secretary_and_leave_unit_leadership_open(
        demo: OrgChart) -> None:
    resolved = _resolve(demo, "xa-pho-chau")
    assert resolved["party_cell_secretary"] == "bi-thu-cb-co-quan-pho-chau"
    assert resolved["unit_leadership"] is None  # not a body of the organisation: never guessed
    assert "party_cell" not in resolved  # point a has no first review by the cell


def test_a_town_state_agency_goes_to_the_town_bodies(demo: OrgChart) -> None:
    assert _resolve(demo, "phong-noi-vu") == {
        "party_cell": "cb-phong-noi-vu",
        "town_standing_committee": "tt-thi-uy",
        "town_party_office": "vp-thi-uy",
        "town_peoples_committee": "ubnd-thi-xa",
        "town_advisory_agencies": None,  # two agencies: the standing committee picks one
        "town_inspection_committee": "ubkt-thi-uy",
        "town_standing_board": "btv-thi-uy",
        "town_party_committee": "thi-uy",
        "town_party_secretary": "bi-thu-thi-uy",
        "provincial_standing_board": "btv-tinh-uy",
    }


def test_a_group_of_bodies_is_offered_as_candidates(demo: OrgChart) -> None:
    result = resolve_route_bodies(OrgTree.of(demo), "ttct-thi-xa", ["town_advisory_agencies"])
    assert result.body("town_advisory_agencies") is None
    assert result.candidates("town_advisory_agencies") == ("btc-thi-uy", "btg-thi-uy")


def test_a_vertical_agency_leaves_its_superior_agency_unresolved(demo: OrgChart) -> None:
    resolved = _resolve(demo, "kbnn-duc-pho")
    assert resolved["superior_agency"] is None
    assert resolved["party_cell"] == "cb-kbnn-duc-pho"
    assert resolved["town_party_office"] == "vp-thi-uy"


def test_every_demo_unit_resolves_all_but_the_bodies_outside_the_organisation(
        demo: OrgChart) -> None:
    outside = {"unit_leadership", "superior_agency", "town_advisory_agencies"}
    for unit in demo.units:
        resolved = _resolve(demo, unit.id)
        assert {k for k, v in resolved.items() if v is None} <= outside, unit.id


def _tree(*bodies: OrgBody, units: tuple[OrgUnit, ...]) -> OrgTree:
    return OrgTree(bodies, units)


def test_a_unit_without_a_cell_does_not_borrow_a_neighbours_cell() -> None:
    tree = _tree(
        OrgBody("commune", "Đảng ủy xã", "commune_party_committee"),
        OrgBody("cell-a", "Chi bộ A", "party_cell", "commune"),
        units=(OrgUnit("a", "A", "commune_school", "commune", "cell-a"),
               OrgUnit("b", "B", "commune_school", "commune")),
    )
    assert resolve_route_bodies(tree, "b", ["party_cell"]).body("party_cell") is None
    assert resolve_route_bodies(tree, "a", ["party_cell"]).body("party_cell") == "cell-a"


def test_two_bodies_of_one_kind_at_the_same_level_are_not_guessed_between() -> None:
    tree = _tree(
        OrgBody("commune", "Đảng ủy xã", "commune_party_committee"),
        OrgBody("office-1", "Văn phòng 1", "commune_party_office", "commune"),
        OrgBody("office-2", "Văn phòng 2", "commune_party_office", "commune"),
        units=(OrgUnit("u", "U", "commune", "commune"),),
    )
    result = resolve_route_bodies(tree, "u", ["commune_party_office"])
    assert result.body("commune_party_office") is None
    assert result.candidates("commune_party_office") == ("office-1", "office-2")


def test_the_nearest_level_wins() -> None:
    tree = _tree(
        OrgBody("town", "Thị ủy", "town_party_committee"),
        OrgBody("town-office", "Văn phòng Thị ủy", "commune_party_office", "town"),
        OrgBody("commune", "Đảng ủy xã", "commune_party_committee", "town"),
        OrgBody("commune-office", "Văn phòng Đảng ủy xã", "commune_party_office", "commune"),
        units=(OrgUnit("u", "U", "commune", "commune"),),
    )
    result = resolve_route_bodies(tree, "u", ["commune_party_office", "town_party_committee"])
    assert result.as_dict() == {"commune_party_office": "commune-office",
                                "town_party_committee": "town"}


def test_a_cycle_in_the_tree_ends_the_walk() -> None:
    tree = _tree(
        OrgBody("a", "A", "commune_party_committee", "b"),
        OrgBody("b", "B", "town_party_committee", "a"),
        units=(OrgUnit("u", "U", "commune", "a"),),
    )
    assert resolve_route_bodies(tree, "u", ["provincial_standing_board"]).as_dict() == {
        "provincial_standing_board": None}


def test_an_unknown_unit_is_an_error(demo: OrgChart) -> None:
    with pytest.raises(UnknownUnit):
        resolve_route_bodies(OrgTree.of(demo), "nowhere", ["party_cell"])


DECIDING = ("commune_party_committee", "town_standing_board", "town_party_committee",
            "provincial_standing_board")


def test_escalation_targets_start_at_the_direct_superior_and_climb_level_by_level(
        demo: OrgChart) -> None:
    found = escalation_targets(OrgTree.of(demo), "btv-thi-uy", DECIDING)
    # The town's standing board and its committee are one level; the province is above.
    assert [(b.id, b.level) for b in found] == [("btv-thi-uy", 0), ("thi-uy", 0),
                                                ("btv-tinh-uy", 1)]
    assert found[0].name == "Ban Thường vụ Thị ủy Đức Phổ"
    # A commune committee under the town is another unit's home, not an organ of the town.
    assert "du-nguyen-nghiem" not in {b.id for b in found}


def test_escalation_targets_of_a_body_outside_the_chart_or_at_the_top(demo: OrgChart) -> None:
    tree = OrgTree.of(demo)
    assert [b.id for b in escalation_targets(tree, "btv-tinh-uy", DECIDING)] == ["btv-tinh-uy"]
    [only] = escalation_targets(tree, "town_standing_board", DECIDING)
    assert (only.id, only.level) == ("town_standing_board", 0)


def test_escalation_targets_end_on_a_cycle() -> None:
    tree = _tree(
        OrgBody("a", "A", "town_standing_board", "b"),
        OrgBody("b", "B", "town_party_committee", "a"),
        units=(OrgUnit("u", "U", "commune", "b"),),
    )
    assert [b.id for b in escalation_targets(tree, "a", DECIDING)] == ["a", "b"]
