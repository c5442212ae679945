"""The organisation file: every mistake is one line naming the key and the line."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.i18n import Translator
from storage.organisation import OrgFileError, demo_text, dump_org_text, parse_org_text
from workflow.organisation import OrgMembership

GOOD = """\
organisation: {id: duc-pho-demo, name: Đảng bộ thị xã Đức Phổ, pack: duc-pho-2022}
bodies:
  - {id: thi-uy, name: Thị ủy Đức Phổ, kind: town_party_committee}
  - {id: btv-thi-uy, name: Ban Thường vụ Thị ủy Đức Phổ, kind: town_standing_board, parent: thi-uy}
  - {id: du-pc, name: Đảng ủy xã Phổ Châu, kind: commune_party_committee, parent: thi-uy}
  - {id: cb-mn, name: Chi bộ Trường Mầm non Phổ Châu, kind: party_cell, parent: du-pc}
units:
  - {id: mn-pc, name: Trường Mầm non Phổ Châu, unit_kind: commune_school, body: du-pc, cell: cb-mn}
people:
  - {id: lan, name: Nguyễn Thị Lan, title: Hiệu trưởng, unit: mn-pc, language: vi}
  - {id: thoa, name: Trần Thị Kim Thoa, unit: mn-pc}
memberships:
  - {person: lan, body: cb-mn, role: member}
  - {person: thoa, body: cb-mn, role: secretary, valid_from: 2020-10-01}
"""


def _error(old: str, new: str) -> OrgFileError:
    assert old in GOOD, old
    with pytest.raises(OrgFileError) as info:
        parse_org_text(GOOD.replace(old, new, 1), "org.yaml")
    message = str(info.value)
    assert "\n" not in message
    return info.value


def test_a_good_file_is_read_with_defaults() -> None:
    chart = parse_org_text(GOOD)
    assert [b.id for b in chart.bodies][-1] == "cb-mn"
    assert chart.people[1].language == "vi" and chart.people[1].title is None
    assert chart.memberships == (
        OrgMembership("lan", "cb-mn", "member", counted=True),
        OrgMembership("thoa", "cb-mn", "secretary", counted=True,
                      valid_from=date(2020, 10, 1)))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: town_standing_board", "kind: town_standing_bord",
         "org.yaml:4: bodies[1].kind: unknown body kind 'town_standing_bord' for pack "
         "duc-pho-2022 (known: party_cell, "),
        ("unit_kind: commune_school", "unit_kind: kindergarten",
         "org.yaml:8: units[0].unit_kind: unknown unit kind 'kindergarten' for pack "
         "duc-pho-2022 (known: commune, commune_police_military, "),
        ("parent: thi-uy}\n  - {id: du-pc", "parent: thi-ui}\n  - {id: du-pc",
         "org.yaml:4: bodies[1].parent: unknown body 'thi-ui'"),
        ("body: du-pc, cell", "body: dang-uy-pho-chua, cell",
         "org.yaml:8: units[0].body: unknown body 'dang-uy-pho-chua'"),
        ("unit: mn-pc, language", "unit: mn-pcx, language",
         "org.yaml:10: people[0].unit: unknown unit 'mn-pcx'"),
        ("{person: lan, body", "{person: lna, body",
         "org.yaml:13: memberships[0].person: unknown person 'lna'"),
        ("{person: lan, body: cb-mn", "{person: lan, body: chi-bo-mn",
         "org.yaml:13: memberships[0].body: unknown body 'chi-bo-mn'"),
        ("role: member", "role: chairman",
         "org.yaml:13: memberships[0].role: unknown role 'chairman' (known: member, secretary, "
         "deputy_secretary, office, appraiser, legal_reviewer, head)"),
        ("valid_from: 2020-10-01", "valid_from: 2020-13-01",
         "org.yaml:14: memberships[1].valid_from: expected a date YYYY-MM-DD, got '2020-13-01'"),
        ("valid_from: 2020-10-01", "valid_from: 1/10/2020",
         "org.yaml:14: memberships[1].valid_from: expected a date YYYY-MM-DD, got '1/10/2020'"),
        ("valid_from: 2020-10-01", "valid_from: 2020-10-01, valid_to: 2019-01-01",
         "org.yaml:14: memberships[1].valid_to: ends before it starts"),
        ("{id: thoa,", "{id: lan,", "org.yaml:11: people[1].id: duplicate id 'lan'"),
        ("{id: btv-thi-uy,", "{id: thi-uy,", "org.yaml:4: bodies[1].id: duplicate id 'thi-uy'"),
        ("title: Hiệu trưởng, unit", "title: Hiệu trưởng unit: x, unit",
         "org.yaml:10: not valid YAML ("),
        ("people:\n", "people:\n  - {id: a, name: A\n",
         "org.yaml:11: not valid YAML ("),
        ("language: vi}", "language: fr}",
         "org.yaml:10: people[0].language: unknown language 'fr' (known: vi, en)"),
        ("language: vi}", "langauge: vi}",
         "org.yaml:10: people[0].langauge: unknown key 'langauge' (expected: id, name, title, "
         "unit, language)"),
        ("language: vi}", "language: vi, name: Lan}",
         "org.yaml:10: not valid YAML (key 'name' is written twice)"),
        ("pack: duc-pho-2022}", "pack: duc-pho-2099}",
         "org.yaml:1: organisation.pack: unknown pack 'duc-pho-2099' (known: "),
        ("kind: town_party_committee}", "kind: town_party_committee, parent: btv-thi-uy}",
         "org.yaml:3: bodies[0].parent: bodies form a cycle: thi-uy -> btv-thi-uy -> thi-uy"),
        ("{id: lan,", "{id: Nguyễn Thị Lan,",
         "org.yaml:10: people[0].id: an id is letters, digits"),
        ("cell: cb-mn}", "cell: btv-thi-uy}",
         "org.yaml:8: units[0].cell: the cell 'btv-thi-uy' is not under the body "
         "'du-pc'"),
        ("role: member}", "role: member, counted: yes please}",
         "org.yaml:13: memberships[0].counted: expected true or false"),
        ("name: Nguyễn Thị Lan,", "name: '',",
         "org.yaml:10: people[0].name: expected a non-empty text"),
        ("{person: lan, body: cb-mn, role: member}",
         "{person: thoa, body: cb-mn, role: member}",
         "org.yaml:14: memberships[1]: thoa already counts as a member of cb-mn "
         "for this period (line 13)"),
    ],
)
def test_each_mistake_names_its_line_and_key(old: str, new: str, expected: str) -> None:
    assert str(_error(old, new)).startswith(expected)


def test_a_membership_listed_twice_is_refused() -> None:
    text = GOOD + "  - {person: lan, body: cb-mn, role: member}\n"
    with pytest.raises(OrgFileError, match=r"^org.yaml:15: memberships\[2\]: lan is listed twice "
                       r"as member of cb-mn \(first on line 13\)$"):
        parse_org_text(text, "org.yaml")


def test_non_counted_roles_may_sit_beside_a_counted_one() -> None:
    text = GOOD + "  - {person: lan, body: cb-mn, role: appraiser}\n"
    assert len(parse_org_text(text).memberships) == 3


def test_an_ended_membership_may_be_followed_by_a_new_one() -> None:
    text = GOOD.replace("role: member}", "role: member, valid_to: 2020-09-30}") + (
        "  - {person: lan, body: cb-mn, role: secretary, valid_from: 2020-10-01}\n")
    assert len(parse_org_text(text).memberships) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "<organisation>:1: an organisation file must be a YAML mapping"),
        ("bodies: []\n", "<organisation>:1: (top): missing key 'organisation'"),
        ("organisation: {id: x, name: X, pack: duc-pho-2022}\nbodies: {a: 1}\n",
         "<organisation>:2: bodies: expected a list"),
        ("organisation: {id: x, name: X, pack: duc-pho-2022}\nbodies: [x]\n",
         "<organisation>:2: bodies[0]: expected a mapping"),
        ("organisation: {id: x, name: X, pack: duc-pho-2022}\nmembers: []\n",
         "<organisation>:2: members: unknown key 'members'"),
        ("organisation: {id: x, pack: duc-pho-2022}\n",
         "<organisation>:1: organisation: missing key 'name'"),
    ],
)
def test_the_shape_of_the_file_is_checked(text: str, expected: str) -> None:
    with pytest.raises(OrgFileError) as info:
        parse_org_text(text)
    assert str(info.value).startswith(expected)


def test_errors_are_shown_in_the_readers_language() -> None:
    error = _error("role: member", "role: chairman")
    assert error.render(Translator("vi")).startswith(
        "org.yaml:13: memberships[0].role: vai trò 'chairman' không hợp lệ")


def test_the_demo_is_valid_and_survives_a_round_trip_through_the_file() -> None:
    chart = parse_org_text(demo_text("duc-pho-2022"), "demo")
    again = parse_org_text(dump_org_text(chart))
    assert again.organisation == chart.organisation
    for section in ("bodies", "units", "people", "memberships"):
        assert set(getattr(again, section)) == set(getattr(chart, section)), section
    assert dump_org_text(again) == dump_org_text(chart)


def test_the_demo_gives_every_deciding_body_five_to_nine_counted_members() -> None:
    chart = parse_org_text(demo_text("duc-pho-2022"), "demo")
    today = date(2025, 1, 1)
    for body in ("thi-uy", "btv-thi-uy", "du-pho-chau", "du-nguyen-nghiem"):
        counted = {m.person for m in chart.memberships
                   if m.body == body and m.counted and m.active_on(today)}
        assert 5 <= len(counted) <= 9, body
    kinds = {u.unit_kind for u in chart.units}
    assert kinds == {"commune", "commune_police_military", "commune_school",
                     "town_party_agency", "town_state_agency", "vertical_agency"}
    assert [p.id for p in chart.people if p.language == "en"] == ["nguyen-thi-bich-ngoc"]
