"""``cadrebot ask``: a sentence in, the competent body (or a question back) out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main
from workflow.rules import bundled_rulebook

TOWN_2022 = ("--jurisdiction", "quang-ngai/duc-pho", "--on", "2025-06-02")


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ask_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, _ = ask(capsys, *argv, "--json")
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def test_json_names_the_kind_and_the_rules_applied(capsys: pytest.CaptureFixture[str]) -> None:
    data = ask_json(capsys, "Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    assert list(data) == ["unit_kind", "confidence", "candidates", "answer", "pack",
                          "pack_version", "in_force", "on", "jurisdiction", "note"]
    assert (data["pack"], data["in_force"], data["note"]) == ("two-level-2025", True, None)
    assert data["unit_kind"] == "commune_school"
    assert data["candidates"] == ["commune_school"]
    assert 0.65 <= data["confidence"] <= 1  # type: ignore[operator]
    assert "Đảng ủy xã" in data["answer"]  # type: ignore[operator]


@pytest.mark.parametrize(("question", "expected"), [
    ("truong phong noi vu thi xa gui ke hoach dot pha cho ai", "town_state_agency"),
    ("Trưởng Công an xã có sáng kiến thì nộp hồ sơ qua đâu?", "commune_police_military"),
    ("I am deputy head of the town's finance office, who do I send my plan to?",
     "town_state_agency"),
])
def test_the_issues_examples(capsys: pytest.CaptureFixture[str], question: str,
                             expected: str) -> None:
    assert ask_json(capsys, question, *TOWN_2022)["unit_kind"] == expected


def test_the_answer_in_words_is_the_full_route(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "Trưởng Công an xã có sáng kiến thì nộp hồ sơ qua đâu?",
                         *TOWN_2022)
    assert code == 0 and err == ""
    assert "điểm a" in out and "Chi bộ nơi cán bộ sinh hoạt" in out
    assert "Đảng ủy xã (phường, thị trấn)" in out and "30 ngày làm việc" in out


def test_the_answer_says_when_the_rules_are_not_in_force_today(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = ask(capsys, "Trưởng phòng Nội vụ thị xã", "--pack", "duc-pho-2022")
    assert "30/06/2025" in out and "không phải ngày" in out  # the town level ended then
    _, out, _ = ask(capsys, "Trưởng phòng Kinh tế xã Phổ Châu", "--pack", "two-level-2025")
    assert "30/06/2025" not in out


def test_a_non_leader_is_told_so_and_still_routed(capsys: pytest.CaptureFixture[str]) -> None:
    data = ask_json(capsys, "Tôi là giáo viên trường mầm non Phổ Châu", "--lang", "en")
    assert data["unit_kind"] == "commune_school"
    assert "leadership or management post" in str(data["answer"])


def test_english_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, "Trưởng phòng Nội vụ thị xã", "--lang", "en", *TOWN_2022)
    assert code == 0
    assert out.startswith("From your description, this is your case:")
    assert "the Town Party Committee's standing members" in out


def test_not_covered_says_so_and_points_to_the_office(capsys: pytest.CaptureFixture[str]) -> None:
    data = ask_json(capsys, "Hiệu trưởng trường THCS Phổ Văn gửi kế hoạch cho ai?", *TOWN_2022)
    assert data["unit_kind"] is None and data["candidates"] == []
    answer = str(data["answer"])
    assert "không nêu trường hợp này" in answer
    assert "Điểm b chỉ nêu" in answer  # the pack's reason
    assert "Văn phòng Thị ủy" in answer


def test_an_unclear_question_is_asked_back(capsys: pytest.CaptureFixture[str]) -> None:
    data = ask_json(capsys, "Chủ tịch Hội Nông dân gửi kế hoạch cho ai?", "--lang", "en",
                    *TOWN_2022)
    assert data["unit_kind"] is None
    assert set(data["candidates"]) == {"commune", "town_party_agency"}  # type: ignore[arg-type]
    answer = str(data["answer"])
    assert "1. " in answer and "2. " in answer
    assert "--unit-kind commune" in answer and "cadrebot route" in answer


def test_a_question_without_a_post_says_what_is_needed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, "Gửi kế hoạch đột phá cho ai?")
    assert code == 0
    assert "chức vụ" in out and "Ví dụ" in out
    assert "Tôi là hiệu trưởng trường mầm non xã Phổ Châu" in out


def test_an_empty_question_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "   ")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "empty" in err


def test_an_unknown_pack_is_refused_listing_the_packs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "Trưởng Công an xã", "--pack", "nope")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    for pack_id in bundled_rulebook().ids():
        assert pack_id in err


@pytest.mark.parametrize("pack_id", bundled_rulebook().ids())
def test_every_pack_answers(capsys: pytest.CaptureFixture[str], pack_id: str) -> None:
    data = ask_json(capsys, "Tôi là phó chủ tịch UBND xã, gửi kế hoạch cho ai?", "--pack", pack_id)
    assert data["unit_kind"] in [None, *bundled_rulebook().get(pack_id).unit_kind_ids()]
    assert data["answer"]


def test_installed_command_runs_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "Chánh Văn phòng Thị ủy gửi kế hoạch cho ai",
         "--json", *TOWN_2022], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unit_kind"] == "town_party_agency"
