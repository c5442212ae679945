"""Questions as cadres type them today (December 2026), answered under the rules in force:
the right unit kind or a decline, in the asker's language (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.ask_answer import answer_question
from handlers.i18n import guess_language
from workflow.recognizer import recognise
from workflow.rules import bundled_rulebook

TODAY = bundled_rulebook().select(date(2026, 12, 4)).pack


@pytest.mark.parametrize(("question", "expected"), [
    ("Tôi là hiệu trưởng trường THCS phường Trà Câu, gửi kế hoạch cho ai?", "commune_school"),
    ("hieu truong truong mam non xa gui ke hoach dot pha cho ai", "commune_school"),
    ("Trưởng Công an xã có sáng kiến thì nộp hồ sơ qua đâu?", "commune_police_military"),
    ("pho chu tich ubnd phuong muon de xuat cach lam moi", "commune"),
    ("Giám đốc Trung tâm phục vụ hành chính công xã gửi kế hoạch cho ai?", "commune_agency"),
    ("Trưởng phòng giao dịch Ngân hàng Chính sách xã hội gửi kế hoạch đi đâu", "vertical_agency"),
])
def test_today_s_posts_get_their_kind(question: str, expected: str) -> None:
    assert recognise(question, TODAY).unit_kind == expected


@pytest.mark.parametrize(("question", "case"), [
    ("Giám đốc chi nhánh ngân hàng Techcombank gửi kế hoạch cho ai?", "outside_cadre_definition"),
    ("toi la giam doc cong ty tnhh, muon de xuat sang kien", "outside_cadre_definition"),
    ("trưởng phòng Tài chính - Kế hoạch thị xã Đức Phổ gửi kế hoạch cho ai",
     "abolished_district_level"),
    ("Phó trưởng phòng Nội vụ huyện Mộ Đức nộp kế hoạch ở đâu", "abolished_district_level"),
    ("Giám đốc Sở Nội vụ tỉnh gửi kế hoạch cho ai", "provincial_level"),
])
def test_posts_outside_the_pack_are_declined_with_the_reason(question: str, case: str) -> None:
    recognition, answer = answer_question(question, TODAY, guess_language(question))
    assert recognition.not_covered is not None and recognition.not_covered.id == case
    assert "Văn phòng Đảng ủy xã, phường" in answer  # still told whom to ask


def test_an_abolished_body_is_named_as_such_never_remapped() -> None:
    _, answer = answer_question("truong phong tai chinh ke hoach thi xa duc pho", TODAY, "vi")
    assert "01/7/2025" in answer and "Ủy ban nhân dân xã, phường" not in answer


def test_the_private_sector_is_told_what_887_calls_a_cadre() -> None:
    _, answer = answer_question("Giám đốc chi nhánh ngân hàng Techcombank", TODAY, "vi")
    assert "Điều 2 khoản 3" in answer and "doanh nghiệp nhà nước" in answer


@pytest.mark.parametrize("question", [
    "cong an xa to chuc hoi nghi thi gui ke hoach cho ai",
    "chanh an toa an nhan dan khu vuc gui to trinh cho ai",
    "to truong to dan pho co sang kien",
    "pho chanh an phu trach to tung gui ke hoach",
    "bi thu chi bo an ninh to chuc the nao",
])
def test_vietnamese_without_diacritics_is_answered_in_vietnamese(question: str) -> None:
    assert guess_language(question) == "vi"


@pytest.mark.parametrize("question", [
    "I am the head of the commune police, who do I send my plan to?",
    "Who is competent for a plan of a kindergarten principal?",
    "deputy head of the ward office, where should I send my proposal",
])
def test_english_is_still_recognised(question: str) -> None:
    assert guess_language(question) == "en"
