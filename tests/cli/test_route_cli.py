"""``cadrebot route``: the DOMAIN.md §4 table (the 2022 town pack, on a day it was in
force) and today's two-level routes, in JSON and in words."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main

KEYS = ["pack", "unit_kind", "preliminary_review", "competent_body", "via", "also_inform",
        "appraisal_lead", "appraisal_assigned_by", "legal_review", "decision_bodies", "head",
        "escalation_to", "citations", "pack_version", "in_force", "on", "jurisdiction", "note"]
TOWN_2022 = ("--jurisdiction", "quang-ngai/duc-pho", "--on", "2025-06-02")

COMMUNE = {
    "competent_body": "commune_party_committee", "via": "commune_party_office",
    "appraisal_lead": "commune_standing_board", "appraisal_assigned_by": None,
    "legal_review": None, "decision_bodies": ["commune_party_committee"],
    "head": "commune_party_secretary", "escalation_to": "town_standing_board",
}
TOWN = {
    "preliminary_review": "party_cell", "competent_body": "town_standing_committee",
    "via": "town_party_office", "appraisal_lead": "town_advisory_agencies",
    "appraisal_assigned_by": "town_standing_committee",
    "legal_review": "town_inspection_committee",
    "decision_bodies": ["town_standing_board", "town_party_committee"],
    "head": "town_party_secretary", "escalation_to": "provincial_standing_board",
}
EXPECTED = {
    "commune": COMMUNE | {"preliminary_review": None,
                          "also_inform": ["party_cell_secretary", "unit_leadership"]},
    "commune_police_military": COMMUNE | {"preliminary_review": "party_cell", "also_inform": []},
    "commune_school": COMMUNE | {"preliminary_review": "party_cell", "also_inform": []},
    "town_party_agency": TOWN | {"also_inform": []},
    "town_state_agency": TOWN | {"also_inform": ["town_peoples_committee"]},
    "vertical_agency": TOWN | {"also_inform": ["superior_agency"]},
}


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_route_json_matches_the_regulation_table(kind: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "route", "--unit-kind", kind, *TOWN_2022, "--json")
    assert list(data) == KEYS
    assert data["pack"] == "duc-pho-2022" and data["unit_kind"] == kind
    assert data["in_force"] is True and data["note"] is None and data["pack_version"] == 1
    for key, value in EXPECTED[kind].items():
        assert data[key] == value, key
    assert data["citations"] and all("Điều" in c for c in data["citations"])


def test_route_in_words_names_bodies_articles_and_deadline(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--unit-kind", "commune_school", *TOWN_2022]) == 0
    out = capsys.readouterr().out
    for phrase in ("Chi bộ nơi cán bộ sinh hoạt", "Đảng ủy xã (phường, thị trấn)",
                   "Ban Thường vụ Đảng ủy xã", "30 ngày làm việc", "60 ngày làm việc",
                   "Điều 2 khoản 1 điểm b", "Bí thư Đảng ủy xã"):
        assert phrase in out, phrase


def test_route_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--unit-kind", "town_state_agency", "--lang", "en", *TOWN_2022]) == 0
    out = capsys.readouterr().out
    assert "the Town People's Committee" in out and "Article 2(1)(d)" in out
    assert "Competent body: the Town Party Committee's standing members" in out


def test_a_date_picks_the_pack_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    town = ("--jurisdiction", "quang-ngai/duc-pho")
    before = _json(capsys, "route", "--unit-kind", "commune", *town, "--on", "2025-06-30",
                   "--json")
    after = _json(capsys, "route", "--unit-kind", "commune", *town, "--on", "2025-07-01",
                  "--json")
    assert before["pack"] == "duc-pho-2022" and after["pack"] == "two-level-2025"
    assert after["escalation_to"] == "provincial_standing_board" and after["in_force"]


def test_today_the_default_place_gets_the_two_level_routes(
        capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "route", "--unit-kind", "commune_agency", "--json")
    assert (data["pack"], data["pack_version"], data["in_force"]) == ("two-level-2025", 2, True)
    assert data["jurisdiction"] == "quang-ngai/xa-phuong"
    assert data["appraisal_lead"] == "commune_party_building_board"
    assert data["decision_bodies"] == ["commune_standing_board", "commune_party_committee"]
    assert any("298-QĐ/TW" in c for c in data["citations"])
    school = _json(capsys, "route", "--unit-kind", "commune_school", "--json")
    assert school["competent_body"] == "commune_party_committee"
    assert any("vận dụng" in c for c in school["citations"])
    assert any("142/2025" in c for c in school["citations"])
    with pytest.raises(SystemExit):
        main(["route", "--unit-kind", "town_state_agency", "--jurisdiction"])


def test_an_expired_pack_named_explicitly_answers_with_a_note(
        capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "route", "--unit-kind", "commune", "--on", "2026-11-23",
                 "--pack", "duc-pho-2022", "--json")
    assert data["in_force"] is False and "30/06/2025" in str(data["note"])
    assert main(["route", "--unit-kind", "commune", "--on", "2026-11-23",
                 "--pack", "duc-pho-2022"]) == 0
    assert "không phải ngày 23/11/2026" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["route", "--unit-kind", "school"], "valid kinds: commune, commune_police_military"),
        (["route", "--unit-kind", "commune", "--jurisdiction", "ha-noi"],
         "known: quang-ngai, quang-ngai/duc-pho"),
        (["route", "--unit-kind", "commune", "--pack", "hanoi"], "valid packs: duc-pho-2022"),
    ],
)
def test_unknown_kind_or_pack_exits_2_with_the_valid_ones(
        argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_the_installed_command_runs_without_a_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "route", "--unit-kind", "x"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "bot.cli", "route", "--unit-kind", "commune",
                           "--on", "2025-02-30"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "is not a date" in done.stderr


def test_the_state_track_speaks_its_own_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--pack", "nd73-2023", "--unit-kind", "agency_staff"]) == 0
    out = capsys.readouterr().out
    assert "hội đồng thẩm định" not in out  # no appraisal council on the state track
    assert "chịu trách nhiệm về quyết định của mình" in out
    assert "báo cáo ngay bằng văn bản lên cấp trên trực tiếp" not in out
