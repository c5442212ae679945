"""/quydinh: search the regulations, page through the results, read an article in full."""

from __future__ import annotations

from bot.wiring import App
from handlers.flows.regulations import LIMIT
from tests.conversation.harness import Chat


def _actions(chat: Chat) -> list[str]:
    return [b.action for r in chat.replies for b in r.all_buttons()]


async def test_a_keyword_finds_the_articles_with_their_citation(guest: Chat) -> None:
    await guest.send("/quydinh thẩm định")
    text = guest.text
    assert "Có 2 điều, mục nhắc đến “thẩm định”" in text
    assert "Điều 4, Quy định 887-QĐ/TU: Quy trình xem xét cho chủ trương" in text
    assert "Điều 2, Quy định cụ thể hóa Quy định 887" in text
    assert "hội đồng thẩm định" in text  # a matching paragraph is quoted
    assert {"q:a:qd887:4", "q:a:dp887:2"} <= set(_actions(guest))
    assert all(len(r.text) <= LIMIT for r in guest.replies)


async def test_keywords_without_diacritics_find_the_same(guest: Chat) -> None:
    await guest.send("/quydinh 30 ngay")
    assert "trong vòng 30 ngày làm việc" in guest.text
    assert "q:a:qd887:4" in _actions(guest)


async def test_without_a_keyword_it_asks_for_one_and_suggests_topics(guest: Chat) -> None:
    await guest.send("/quydinh")
    assert "từ khóa" in guest.text and "Kết luận số 14-KL/TW" in guest.text
    await guest.press("Bảo vệ cán bộ")
    assert "nhắc đến “bảo vệ”" in guest.text
    # A keyword typed in this flow is searched too.
    await guest.send("người đứng đầu")
    assert "nhắc đến “người đứng đầu”" in guest.text


async def test_the_menu_entry_opens_the_search(lan: Chat) -> None:
    await lan.action("m:go:regulations")
    assert "q:t:0" in _actions(lan)


async def test_many_results_are_paged_and_each_page_stays_short(guest: Chat) -> None:
    await guest.send("/quydinh bảo vệ")
    assert "(trang 1/" in guest.text
    first = [a for a in _actions(guest) if a.startswith("q:a:")]
    await guest.press("Xem tiếp")
    assert "(trang 2/" in guest.text
    second = [a for a in _actions(guest) if a.startswith("q:a:")]
    assert first and second and not set(first) & set(second)
    assert all(len(r.text) <= LIMIT for r in guest.replies)
    await guest.press("Trang trước")
    assert "(trang 1/" in guest.text


async def test_an_article_is_read_in_full_in_messages_under_the_limit(guest: Chat) -> None:
    await guest.send("/quydinh thẩm định")
    await guest.press("Điều 2 · QĐ cụ thể hóa")
    assert len(guest.replies) >= 2  # Điều 2 of the town rule is longer than one message
    assert all(len(r.text) <= LIMIT for r in guest.replies)
    assert guest.replies[0].text.startswith("Điều 2, Quy định cụ thể hóa Quy định 887")
    assert "đ) Cán bộ (hoặc nhóm cán bộ) lãnh đạo trong các cơ quan thuộc ngành dọc" in guest.text
    assert "[2] Hồ sơ đề nghị gồm" in guest.text
    assert not guest.replies[0].buttons  # the buttons come with the last part
    await guest.press("Quay lại kết quả")
    assert "nhắc đến “thẩm định”" in guest.text
    await guest.press("Điều 4 · QĐ 887")
    await guest.press("Điều 5 ▶")
    assert guest.text.startswith("Điều 5, Quy định 887-QĐ/TU: Các trường hợp được khuyến khích")


async def test_no_match_says_so_and_suggests_keywords(guest: Chat) -> None:
    await guest.send("/quydinh tàu vũ trụ")
    assert "Không tìm thấy" in guest.text and "thẩm định" in guest.text
    assert "q:t:0" in _actions(guest)


async def test_a_question_typed_in_the_search_is_answered_as_a_question(guest: Chat) -> None:
    await guest.send("/quydinh thẩm định")
    await guest.send("Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    assert "Cấp có thẩm quyền: Đảng ủy xã" in guest.text


async def test_english_readers_can_search_with_english_topic_words(app: App) -> None:
    chat = Chat(app, language="en")
    await chat.send("/regulations appraisal")
    assert "searching for “thẩm định” instead" in chat.text
    assert "Article 4, Rule 887-QĐ/TU" in chat.text
    await chat.press("Article 4")
    assert "(The text is in Vietnamese.)" in chat.text


async def test_forged_and_stale_buttons_are_refused(guest: Chat) -> None:
    await guest.action("q:m:1")  # no search in progress
    assert "không còn hiệu lực" in guest.text
    await guest.send("/quydinh thẩm định")
    for action in ("q:m:9", "q:m:-1", "q:m:x", "q:a:qd887:99", "q:a:nope:1", "q:a:qd887",
                   "q:t:99", "q:zz", "q:a:qd887:4:5"):
        await guest.action(action)
        assert "không còn hiệu lực" in guest.text, action
        assert "nhắc đến “thẩm định”" in guest.text, action  # the results again
    # Reading an article needs no search in progress: a route answer links to it.
    fresh = Chat(guest.app)
    await fresh.action("q:a:kl14:2.3")
    assert fresh.text.startswith("Mục 2.3, Kết luận 14-KL/TW")
