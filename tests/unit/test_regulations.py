"""The bundled regulation texts: parsed article by article, noise removed, searchable."""

from __future__ import annotations

import pytest

from workflow.regulations import (
    Document,
    Library,
    bundled_library,
    excerpt,
    fold,
    parse_text,
)
from workflow.rules.model import Text

QD887_TITLES = {
    "1": "Phạm vi, đối tượng áp dụng",
    "2": "Giải thích từ ngữ",
    "3": "Nguyên tắc khuyến khích và bảo vệ",
    "4": "Quy trình xem xét cho chủ trương về kế hoạch thực hiện sáng tạo, dám làm, dám "
         "đột phá",
    "5": "Các trường hợp được khuyến khích và hình thức khuyến khích",
    "6": "Các trường hợp được bảo vệ và hình thức bảo vệ",
    "7": "Trách nhiệm của cấp ủy, tổ chức đảng, người đứng đầu",
    "8": "Trách nhiệm của cán bộ",
    "9": "Trách nhiệm của các cơ quan, tổ chức liên quan",
    "10": "Tổ chức thực hiện",
    "11": "Sửa đổi, bổ sung quy định",
}


@pytest.fixture(scope="module")
def library() -> Library:
    return bundled_library()


def _articles(library: Library, document: str) -> dict[str, list[str]]:
    return {a.number: list(a.paragraphs) for a in library.articles
            if a.document.id == document}


def test_every_article_of_887_is_found_with_its_title(library: Library) -> None:
    found = {a.number: a.title for a in library.articles if a.document.id == "qd887"}
    assert found == QD887_TITLES


def test_887_article_4_keeps_its_clauses_and_wording(library: Library) -> None:
    article = library.article("qd887", "4")
    assert article is not None
    starts = [p.split(" ", 1)[0] for p in article.paragraphs]
    assert starts[:3] == ["1.", "2.", "3."] and "4." in starts and "5." in starts
    assert any("trong vòng 30 ngày làm việc" in p and "không quá 60 ngày làm việc" in p
               for p in article.paragraphs)
    # The page break inside the head's override does not split the sentence.
    assert any(p.startswith("- Trong trường hợp tập thể lãnh đạo đã xem xét thấu đáo nhưng "
                            "không thống nhất về việc cho chủ trương") for p in article.paragraphs)


def test_markdown_chapters_and_signatures_are_not_part_of_any_article(
        library: Library) -> None:
    text = "\n".join(p for a in library.articles for p in a.paragraphs)
    for noise in ("**", "#", "CHƯƠNG", "QUY ĐỊNH CHUNG", "T/M BAN THƯỜNG VỤ", "Nơi nhận",
                  "Bùi Thị Quỳnh Vân", "Sao lục", "ĐẾN Số"):
        assert noise not in text, noise
    last = library.article("qd887", "11")
    assert last is not None and last.paragraphs[-1].endswith("xem xét, quyết định.")


def test_a_markdown_list_point_is_read_as_the_lettered_point(library: Library) -> None:
    article = library.article("qd887", "5")
    assert article is not None
    assert any(p.startswith("g) Ghi nhận, nhân rộng") for p in article.paragraphs)
    assert any(p == "1. Các trường hợp được khuyến khích" for p in article.paragraphs)


def test_the_wrapped_town_rule_is_joined_into_paragraphs_and_footnotes_kept(
        library: Library) -> None:
    articles = _articles(library, "dp887")
    assert list(articles) == ["1", "2", "3"]
    article_2 = library.article("dp887", "2")
    assert article_2 is not None
    assert article_2.title == "Cụ thể hóa khoản 1, 2, 3 Điều 4 Quy định 887 như sau"
    points = [p[:2] for p in article_2.paragraphs if p[1:2] == ")"]
    assert points[:5] == ["a)", "b)", "c)", "d)", "đ)"]
    point_a = next(p for p in article_2.paragraphs if p.startswith("a) Cán bộ"))
    assert "cán bộ văn phòng cấp ủy); đồng thời phải báo cáo với bí thư chi bộ" in point_a
    assert "hồ sơ đề nghị[2] đến đảng ủy cấp xã" in point_a
    assert article_2.paragraphs[-1].startswith("[2] Hồ sơ đề nghị gồm: văn bản đề nghị của chi bộ")
    # The page number "4" between two halves of a sentence is gone.
    assert any("báo cáo lên cấp trên trực tiếp và kèm theo đề xuất giải pháp" in p
               for p in article_2.paragraphs)
    # An article without a title starts with its text.
    article_1 = library.article("dp887", "1")
    assert article_1 is not None and article_1.title is None
    assert article_1.paragraphs[0].startswith("Các cấp ủy, tổ chức đảng, lãnh đạo các cơ quan, "
                                              "đơn vị, địa phương quán triệt")


def test_the_politburo_conclusion_is_divided_into_its_numbered_sections(
        library: Library) -> None:
    sections = list(_articles(library, "kl14"))
    assert sections[:3] == ["1", "2", "2.1"] and "2.5" in sections and "3.2" in sections
    section = library.article("kl14", "2.3")
    assert section is not None and section.citation() == "Mục 2.3, Kết luận 14-KL/TW"
    assert section.paragraphs[0].startswith("Đề xuất đổi mới, sáng tạo của cán bộ phải báo cáo")


def test_citations_in_both_languages(library: Library) -> None:
    article = library.article("qd887", "4")
    assert article is not None
    assert article.citation() == "Điều 4, Quy định 887-QĐ/TU"
    assert article.citation("en") == "Article 4, Rule 887-QĐ/TU"


def test_search_is_diacritics_and_case_insensitive(library: Library) -> None:
    keys = [m.article.key for m in library.search("thẩm định")]
    assert keys == [m.article.key for m in library.search("tham dinh")]
    assert keys == [m.article.key for m in library.search("THẨM ĐỊNH")]
    assert set(keys) == {("qd887", "4"), ("dp887", "2")}


def test_search_finds_the_answer_deadline_in_both_rules(library: Library) -> None:
    matches = library.search("30 ngày")
    assert {m.article.key for m in matches} == {("qd887", "4"), ("dp887", "2")}
    for match in matches:
        best = match.article.paragraphs[match.paragraphs[0]]
        assert "30 ngày làm việc" in best


def test_every_keyword_must_match(library: Library) -> None:
    both = library.search("thẩm định hội đồng")
    assert both and all(
        {"tham", "dinh", "hoi", "dong"} <= set(fold(m.article.text()).split()) for m in both)
    assert library.search("thẩm định xyzzy") == []
    assert library.search("   ") == []


def test_articles_titled_with_the_keyword_rank_first(library: Library) -> None:
    ranked = [m.article.key for m in library.search("bảo vệ")]
    # Điều 3 "Nguyên tắc khuyến khích và bảo vệ", Điều 6 "... được bảo vệ ...".
    assert set(ranked[:2]) == {("qd887", "3"), ("qd887", "6")}
    scores = [m.score for m in library.search("bảo vệ")]
    assert scores == sorted(scores, reverse=True)


def test_a_phrase_beats_its_words_scattered(library: Library) -> None:
    # "bao" and "ve" occur almost everywhere ("báo cáo", "về"); the phrase does not.
    matches = library.search("bao ve")
    assert all("bao ve" in fold(m.article.text()) for m in matches)


def test_english_topic_words_map_to_vietnamese_keywords(library: Library) -> None:
    assert library.translate("Appraisal") == "thẩm định"
    assert library.translate("party cell") == "chi bộ"
    assert library.translate("thẩm định") is None


def test_an_excerpt_is_cut_around_the_hit_at_word_boundaries(library: Library) -> None:
    article = library.article("dp887", "2")
    assert article is not None
    long = max(article.paragraphs, key=len)
    cut = excerpt(long, "hội đồng thẩm định", width=200)
    assert len(cut) <= 202 and "hội đồng thẩm định" in cut
    assert cut.startswith("…") or long.startswith(cut.rstrip("…"))
    assert excerpt("ngắn", "x") == "ngắn"


def test_a_small_text_is_parsed_without_the_bundle() -> None:
    document = Document("t", "t.txt", "article", Text("Điều", "Article"), Text("T", "T"),
                        Text("T", "T"), Text("T", "T"))
    text = ("QUY ĐỊNH\n\nĐiều 1. Phạm vi\n\n1. Dòng một bị ngắt\n\ngiữa câu.\n\n"
            "**Điều 2. Hiệu lực**\n\nCó hiệu lực.\n\nT/M BAN THƯỜNG VỤ\n")
    articles = parse_text(text, document)
    assert [(a.number, a.title, a.paragraphs) for a in articles] == [
        ("1", "Phạm vi", ("1. Dòng một bị ngắt giữa câu.",)),
        ("2", "Hiệu lực", ("Có hiệu lực.",)),
    ]
