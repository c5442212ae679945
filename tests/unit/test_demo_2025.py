"""The bundled demo on today's structure (two-level-2025): valid, routable, playable."""

from __future__ import annotations

from collections import Counter

import pytest

from storage.organisation import (
    DEFAULT_DEMO_PACK,
    DEMO_FILES,
    UnknownDemo,
    demo_text,
    parse_org_text,
)
from workflow.organisation import OrgChart, OrgTree, resolve_route_bodies
from workflow.rules import bundled_rulebook

PACK = "two-level-2025"
COMMUNES = ("du-hoa-an", "du-tan-phuoc")


@pytest.fixture(scope="module")
def demo() -> OrgChart:
    return parse_org_text(demo_text(), "demo_organisation_2025.yaml")


def _resolve(chart: OrgChart, unit_id: str) -> dict[str, str | None]:
    pack = bundled_rulebook().get(chart.organisation.pack)
    unit = next(u for u in chart.units if u.id == unit_id)
    route = pack.unit_kind(unit.unit_kind).route
    return resolve_route_bodies(OrgTree.of(chart), unit_id, route.body_ids()).as_dict()


def _holders(chart: OrgChart, body: str, role: str) -> set[str]:
    return {m.person for m in chart.memberships if m.body == body and m.role == role}


def test_the_default_demo_is_todays_structure_and_the_2022_one_is_asked_for_by_pack(
        demo: OrgChart) -> None:
    assert DEFAULT_DEMO_PACK == PACK and demo.organisation.pack == PACK
    assert demo_text() == demo_text(PACK)
    old = parse_org_text(demo_text("duc-pho-2022"), "demo")
    assert old.organisation.pack == "duc-pho-2022"
    assert set(DEMO_FILES) == {PACK, "duc-pho-2022"}
    with pytest.raises(UnknownDemo) as error:
        demo_text("duc-pho-2020")
    assert "'duc-pho-2020'" in str(error.value)
    assert "two-level-2025, duc-pho-2022" in str(error.value)


def test_the_demo_says_its_names_are_illustrative() -> None:
    header = demo_text().split("organisation:")[0]
    assert "ILLUSTRATIVE" in header and "cadrebot org import" in header


def test_the_province_is_the_top_and_no_district_level_is_left(demo: OrgChart) -> None:
    bodies = {b.id: b for b in demo.bodies}
    [root] = [b for b in demo.bodies if b.parent is None]
    assert root.kind == "provincial_standing_board" and "Quảng Ngãi" in root.name
    for committee in COMMUNES:  # directly under the province
        assert bodies[committee].kind == "commune_party_committee"
        assert bodies[committee].parent == root.id
    assert not any(b.kind.startswith("town_") for b in demo.bodies)
    assert {bodies[c].name for c in COMMUNES} == {"Đảng ủy phường Hòa An",
                                                  "Đảng ủy xã Tân Phước"}


def test_each_commune_and_ward_has_every_organ_of_the_pack(demo: OrgChart) -> None:
    organs = {"commune_standing_board", "commune_standing_committee", "commune_party_office",
              "commune_party_building_board", "commune_inspection_committee",
              "commune_party_secretary", "commune_peoples_committee"}
    for committee in COMMUNES:
        kinds = Counter(b.kind for b in demo.bodies if b.parent == committee)
        assert {k: kinds[k] for k in organs} == dict.fromkeys(organs, 1), committee


def test_every_unit_kind_of_the_pack_has_a_unit(demo: OrgChart) -> None:
    pack = bundled_rulebook().get(PACK)
    assert {u.unit_kind for u in demo.units} == set(pack.unit_kind_ids())
    names = {u.unit_kind: u.name for u in demo.units if u.unit_kind in (
        "commune_agency", "vertical_agency")}
    assert "Trung tâm Phục vụ hành chính công" in names["commune_agency"]
    assert "Thuế cơ sở" in names["vertical_agency"]
    units = {u.id: u for u in demo.units}
    assert units["thue-co-so-5"].body == "du-hoa-an"  # its cell is under the ward committee


def test_every_unit_resolves_its_route_and_only_bodies_outside_stay_open(
        demo: OrgChart) -> None:
    outside = {"unit_leadership", "superior_agency"}  # never guessed, see test_organisation
    for unit in demo.units:
        resolved = _resolve(demo, unit.id)
        unresolved = {k for k, v in resolved.items() if v is None}
        assert unresolved <= outside, unit.id
        if unit.unit_kind in ("commune_school", "commune_agency"):
            assert not unresolved, unit.id
        assert resolved["commune_party_committee"] == unit.body
        assert resolved["provincial_standing_board"] == "btv-tinh-uy-quang-ngai"


def test_a_kindergarten_goes_through_its_cell_to_its_own_commune(demo: OrgChart) -> None:
    assert _resolve(demo, "mn-tan-phuoc") == {
        "party_cell": "cb-mn-tan-phuoc",
        "commune_party_committee": "du-tan-phuoc",
        "commune_party_office": "vp-du-tan-phuoc",
        "commune_standing_board": "btv-du-tan-phuoc",
        "commune_party_secretary": "bi-thu-du-tan-phuoc",
        "provincial_standing_board": "btv-tinh-uy-quang-ngai",
    }
    school = _resolve(demo, "thcs-hoa-an")  # a lower-secondary school of the ward
    assert school["commune_party_committee"] == "du-hoa-an"
    assert school["party_cell"] == "cb-thcs-hoa-an"


def test_a_commune_agency_is_appraised_by_the_party_building_board(demo: OrgChart) -> None:
    assert _resolve(demo, "ttpvhcc-tan-phuoc") == {
        "party_cell": "cb-ttpvhcc-tan-phuoc",
        "commune_standing_committee": "tt-du-tan-phuoc",
        "commune_party_office": "vp-du-tan-phuoc",
        "commune_peoples_committee": "ubnd-tan-phuoc",
        "commune_party_building_board": "bxdd-du-tan-phuoc",
        "commune_standing_board": "btv-du-tan-phuoc",
        "commune_party_committee": "du-tan-phuoc",
        "commune_party_secretary": "bi-thu-du-tan-phuoc",
        "provincial_standing_board": "btv-tinh-uy-quang-ngai",
    }


def test_every_deciding_body_can_vote(demo: OrgChart) -> None:
    pack = bundled_rulebook().get(PACK)
    deciding = [b for b in demo.bodies if pack.voting_rule_for(b.kind) is not None]
    assert {b.kind for b in deciding} == {"commune_party_committee", "commune_standing_board"}
    for body in deciding:
        counted = {m.person for m in demo.memberships if m.body == body.id and m.counted}
        assert 5 <= len(counted) <= 9, body.id


def test_every_role_needed_to_play_a_plan_is_held(demo: OrgChart) -> None:
    by_kind = {(b.parent, b.kind): b.id for b in demo.bodies}
    for committee in COMMUNES:
        def organ(kind: str, parent: str = committee) -> str:
            return by_kind[(parent, kind)]

        assert _holders(demo, committee, "secretary")
        assert _holders(demo, organ("commune_party_office"), "office")
        assert _holders(demo, organ("commune_standing_board"), "appraiser")
        assert _holders(demo, organ("commune_party_building_board"), "appraiser")
        assert _holders(demo, organ("commune_inspection_committee"), "legal_reviewer")
        assert _holders(demo, organ("commune_peoples_committee"), "head")
        [head] = _holders(demo, organ("commune_party_secretary"), "head")
        assert head in _holders(demo, committee, "secretary")  # the secretary heads it
        assert _holders(demo, organ("commune_standing_committee"), "secretary") == {head}
    for cell in (b for b in demo.bodies if b.kind == "party_cell"):
        assert len(_holders(demo, cell.id, "secretary")) == 1, cell.id
        assert _holders(demo, cell.id, "member"), cell.id
    for post in (b for b in demo.bodies if b.kind == "party_cell_secretary"):
        assert _holders(demo, post.id, "head") == _holders(demo, post.parent or "", "secretary")


def test_the_kindergarten_head_is_a_plain_member_of_her_cell(demo: OrgChart) -> None:
    people = {p.id: p for p in demo.people}
    hong = people["pham-thi-hong"]
    assert hong.unit == "mn-tan-phuoc" and hong.title and "Hiệu trưởng" in hong.title
    assert {(m.body, m.role) for m in demo.memberships if m.person == hong.id} == {
        ("cb-mn-tan-phuoc", "member")}
    assert _holders(demo, "cb-mn-tan-phuoc", "secretary") == {"nguyen-thi-tuyet-mai"}
    assert any(p.language == "en" for p in demo.people)  # someone to try English with


def test_no_id_is_shared_with_the_2022_demo(demo: OrgChart) -> None:
    old = parse_org_text(demo_text("duc-pho-2022"), "demo")

    def ids(chart: OrgChart) -> set[str]:
        return {chart.organisation.id} | {x.id for x in (*chart.bodies, *chart.units,
                                                         *chart.people)}

    assert not ids(demo) & ids(old)
