"""The letterhead read from the organisation chart: the issuing committee, the party
organisation above it, the code in the number and the place in the date line."""

from __future__ import annotations

from workflow.documents import Layout
from workflow.letterhead import letterhead
from workflow.organisation import OrgBody

PROVINCE = OrgBody("btv-tu", "Ban Thường vụ Tỉnh ủy Quảng Ngãi", "provincial_standing_board")
COMMUNE = OrgBody("du", "Đảng ủy xã Tân Phước", "commune_party_committee", "btv-tu")
BOARD = OrgBody("btv", "Ban Thường vụ Đảng ủy xã Tân Phước", "commune_standing_board", "du")
SECRETARY = OrgBody("bt", "Bí thư Đảng ủy xã Tân Phước", "commune_party_secretary", "du")
CELL = OrgBody("cb", "Chi bộ Trường Mầm non Tân Phước", "party_cell", "du")
TOWN = OrgBody("tu", "Thị ủy Đức Phổ", "town_party_committee", None)
WARD = OrgBody("dup", "Đảng ủy phường Nguyễn Nghiêm", "ward_party_committee", "tu")


def test_the_standing_board_issues_under_its_committee_with_the_province_above() -> None:
    head = letterhead([BOARD, COMMUNE, PROVINCE], "two-level-2025")
    assert head.layout is Layout.PARTY
    assert head.issuer == "ĐẢNG ỦY XÃ TÂN PHƯỚC"
    assert head.superior == "ĐẢNG BỘ TỈNH QUẢNG NGÃI"
    assert (head.issuer_code, head.place, head.collective) == ("ĐU", "Tân Phước", "ĐẢNG ỦY")


def test_the_secretary_post_and_the_committee_share_the_letterhead() -> None:
    assert letterhead([SECRETARY, COMMUNE, PROVINCE], "two-level-2025") == \
        letterhead([COMMUNE, PROVINCE], "two-level-2025")


def test_a_cell_is_under_its_commune_and_dated_there() -> None:
    head = letterhead([CELL, COMMUNE, PROVINCE], "two-level-2025")
    assert head.issuer == "CHI BỘ TRƯỜNG MẦM NON TÂN PHƯỚC"
    assert head.superior == "ĐẢNG BỘ XÃ TÂN PHƯỚC"
    assert (head.issuer_code, head.place, head.collective) == ("CB", "Tân Phước", "CHI BỘ")


def test_a_town_committee_and_a_ward_under_it() -> None:
    town = letterhead([TOWN], "duc-pho-2022")
    assert (town.issuer, town.superior, town.issuer_code) == ("THỊ ỦY ĐỨC PHỔ", "", "TU")
    ward = letterhead([WARD, TOWN], "duc-pho-2022")
    assert ward.superior == "ĐẢNG BỘ THỊ XÃ ĐỨC PHỔ" and ward.place == "Nguyễn Nghiêm"


def test_the_province_names_no_superior() -> None:
    head = letterhead([PROVINCE], "two-level-2025")
    assert (head.issuer, head.superior, head.issuer_code) == ("TỈNH ỦY QUẢNG NGÃI", "", "TU")


def test_the_state_track_uses_the_state_layout() -> None:
    agency = OrgBody("so", "Sở Tư pháp tỉnh Quảng Ngãi", "agency_head", None)
    head = letterhead([agency], "nd73-2023")
    assert head.layout is Layout.STATE and head.issuer == "SỞ TƯ PHÁP TỈNH QUẢNG NGÃI"


def test_a_state_signer_signs_as_the_post_and_a_deputy_for_the_head() -> None:
    from workflow.letterhead import state_signature

    assert state_signature("Giám đốc Sở Tư pháp tỉnh Quảng Ngãi") == ("", "GIÁM ĐỐC")
    assert state_signature("Phó Giám đốc Sở Tư pháp") == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    assert state_signature("Chủ tịch UBND xã Tân Phước") == ("", "CHỦ TỊCH")
    assert state_signature("") == ("", "THỦ TRƯỞNG CƠ QUAN")
