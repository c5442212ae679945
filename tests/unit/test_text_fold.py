"""Folding text for search: with or without diacritics, in any case, the same words."""

from __future__ import annotations

import unicodedata

import pytest

from handlers.flows.search import parse
from workflow.text_fold import fold, fold_words, search_text


@pytest.mark.parametrize("text", [
    "Trường Mầm non Tân Phước", "truong mam non tan phuoc", "TRƯỜNG MẦM NON TÂN PHƯỚC",
    "  Trường\tMầm  non\nTân Phước ", "Ｔｒường Mầm non Tân Phước",  # full-width letters
])
def test_written_with_or_without_diacritics_in_any_case_it_folds_the_same(text: str) -> None:
    assert fold(text) == "truong mam non tan phuoc"


def test_d_with_stroke_and_decomposed_input_fold_to_plain_letters() -> None:
    assert fold("Đảng ủy xã Đức Phổ") == "dang uy xa duc pho"
    decomposed = unicodedata.normalize("NFD", "Phước Hòa")
    assert decomposed != "Phước Hòa" and fold(decomposed) == "phuoc hoa"
    assert fold("") == "" and fold("   ") == ""


def test_punctuation_stands_apart_as_words_of_its_own() -> None:
    assert fold_words("15-CV/ĐU ngày 25/11/2026") == [
        "15", "-", "cv", "/", "du", "ngay", "25", "/", "11", "/", "2026"]
    assert fold_words("50% a_b") == ["50", "%", "a", "_", "b"]
    assert search_text("Mầm non (Phổ Châu)", None, "", "Số 12") == \
        "mam non ( pho chau ) so 12"


@pytest.mark.parametrize(("typed", "expected"), [
    ("mầm non 2026", ("mầm non", 2026)),
    ("mầm non năm 2026", ("mầm non", 2026)),
    ("2025", ("", 2025)),
    ("15-CV/ĐU 1999", ("15-CV/ĐU 1999", None)),  # not a year of the product's time
    ("trường 12345", ("trường 12345", None)),
    ("Hồ Văn Nam", ("Hồ Văn Nam", None)),
])
def test_a_year_among_the_words_becomes_the_year_filter(
        typed: str, expected: tuple[str, int | None]) -> None:
    assert parse(typed) == expected
