"""Free text outside any step: answered as a routing question only when it reads as one;
a wrong number shows the menu again; answers and the guest's /help fit a phone."""

from __future__ import annotations

import pytest

from bot.wiring import App
from tests.conversation.harness import Chat
from workflow.recognizer import reads_as_routing_question
from workflow.rules import bundled_rulebook

MENU = "Đồng chí cần làm gì?"
MAX_ANSWER_LINES = 8


def _actions(chat: Chat) -> list[str]:
    return [b.action for r in chat.replies for b in r.all_buttons()]


def _lines(text: str) -> int:
    return len(text.splitlines())


async def test_a_vote_comment_mentioning_a_bank_gets_a_short_answer_and_the_menu(
        lan: Chat) -> None:
    await lan.send("Tôi đồng ý, nhưng cần làm rõ nguồn vốn vay ngân hàng")
    assert "Tôi chưa hiểu tin nhắn này." in lan.text
    assert "/trogiup" in lan.text
    assert MENU in lan.text and "m:go:filing" in _actions(lan)
    assert "Cấp có thẩm quyền" not in lan.text and "điểm đ" not in lan.text
    assert not any(action.startswith("c:") for action in _actions(lan))
    assert _lines(lan.replies[0].text) == 2


@pytest.mark.parametrize("typed", ["99", "-1", "0"])
async def test_a_number_not_in_the_menu_shows_the_menu_again(lan: Chat, typed: str) -> None:
    await lan.send("/menu")
    await lan.send(typed)
    assert lan.replies[0].text == "Số này không có trong danh sách. Xin đồng chí chọn một " \
                                  "nút dưới đây."
    assert "m:go:filing" in _actions(lan)
    assert "vị trí công tác" not in lan.text


async def test_a_wrong_number_after_a_list_shows_that_list_again(guest: Chat) -> None:
    await guest.send("Tôi là hiệu trưởng trường mầm non xã Tân Phước, gửi kế hoạch cho ai?")
    shown = _actions(guest)
    assert shown and "Chi tiết quy trình" in [b.label for b in guest.replies[-1].all_buttons()]
    await guest.send("42")
    assert "Số này không có trong danh sách" in guest.replies[0].text
    assert _actions(guest) == shown
    await guest.press("Chi tiết quy trình")  # and its buttons still work
    assert "Số này" not in guest.text


async def test_a_guest_typing_a_wrong_number_sees_the_guest_menu_again(guest: Chat) -> None:
    await guest.send("/start")
    await guest.send("99")
    assert "Số này không có trong danh sách" in guest.text
    assert "m:link" in _actions(guest) and "m:go:filing" not in _actions(guest)


async def test_a_real_question_gets_a_short_routing_answer_with_working_detail_buttons(
        guest: Chat) -> None:
    await guest.send("Tôi là hiệu trưởng trường mầm non xã Tân Phước, gửi kế hoạch cho ai?")
    answer = guest.replies[0].text
    assert "Cấp có thẩm quyền: Đảng ủy xã" in answer
    assert _lines(answer) <= MAX_ANSWER_LINES
    assert "m:link" in _actions(guest)
    await guest.press("Chi tiết quy trình")
    assert "Thẩm định:" in guest.text and "Căn cứ: Điều 2" in guest.text
    await guest.press("Điều 2")
    assert "Điều 2" in guest.text


async def test_a_linked_cadres_own_answer_is_short_too(lan: Chat) -> None:
    await lan.send("/who")
    assert _lines(lan.replies[0].text) <= MAX_ANSWER_LINES
    assert "c:x:commune_school" in _actions(lan)


async def test_the_english_answer_fits_a_phone(app: App) -> None:
    guest = Chat(app, language="en")
    await guest.send("I am the principal of the kindergarten in Pho Chau commune; whom do I "
                     "send my plan to?")
    assert "Competent body:" in guest.replies[0].text
    assert _lines(guest.replies[0].text) <= MAX_ANSWER_LINES
    await guest.press("Procedure details")
    assert "Legal basis:" in guest.text


async def test_a_guests_help_lists_only_what_a_guest_can_use(guest: Chat) -> None:
    await guest.send("/help")
    help_text = guest.replies[0].text
    for command in ("/who", "/quydinh", "/language", "/start", "/menu"):
        assert command in help_text
    for member_only in ("/plan", "/draft", "/dossiers", "/tasks", "/deadlines", "/timkiem",
                        "/khancap", "/kenh"):
        assert member_only not in help_text
    assert _lines(help_text) <= MAX_ANSWER_LINES


async def test_a_members_help_still_lists_the_member_commands(lan: Chat) -> None:
    await lan.send("/help")
    assert "/plan" in lan.text and "/dossiers" in lan.text


ROUTING = [
    "Tôi là hiệu trưởng trường mầm non xã Tân Phước, gửi kế hoạch cho ai?",
    "truong phong noi vu thi xa gui ke hoach dot pha cho ai",
    "Chủ tịch HĐND xã Phổ Cường có đề xuất đột phá thì ai có thẩm quyền?",
    "Phó trưởng phòng Lao động - Thương binh và Xã hội thị xã",
    "Who should I send my plan to?",
    "Tổ trưởng chuyên môn trường tiểu học Phổ Vinh có sáng kiến",
]
NOT_ROUTING = [
    "Tôi đồng ý, nhưng cần làm rõ nguồn vốn vay ngân hàng",
    "Đề nghị làm rõ vốn ngân hàng chính sách xã hội",
    "Kế hoạch tốt nhưng cần bổ sung ý kiến ngân hàng",
    "Không đồng ý vì trường mầm non chưa có kinh phí",
    "Đồng ý", "cảm ơn", "99", "-1",
]


@pytest.mark.parametrize("text", ROUTING)
def test_questions_about_where_to_send_read_as_such(text: str) -> None:
    assert reads_as_routing_question(text, bundled_rulebook().get("duc-pho-2022"))


@pytest.mark.parametrize("text", NOT_ROUTING)
def test_remarks_that_mention_an_organisation_do_not(text: str) -> None:
    assert not reads_as_routing_question(text, bundled_rulebook().get("duc-pho-2022"))
