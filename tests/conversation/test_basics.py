"""Welcome, linking, help, menu, language and unexpected input."""

from __future__ import annotations

from pathlib import Path

from bot.wiring import App, build_app
from tests.conversation.harness import Chat


async def test_a_newcomer_is_welcomed_in_vietnamese_and_offered_what_needs_no_account(
        guest: Chat) -> None:
    await guest.send("/start")
    assert "Chào mừng" in guest.text
    labels = [b.label for r in guest.replies for b in r.all_buttons()]
    assert any("thẩm quyền" in label for label in labels)
    assert not any("kế hoạch mới" in label for label in labels)  # needs an account


async def test_an_invitation_code_links_the_account(app: App, codes: dict[str, str]) -> None:
    chat = Chat(app)
    await chat.send(f"/start {codes['nguyen-thi-lan'].lower().replace('-', '')}")
    assert "Nguyễn Thị Lan" in chat.text
    assert any("kế hoạch mới" in b.label for r in chat.replies for b in r.all_buttons())
    again = Chat(app)
    await again.send(f"/start {codes['nguyen-thi-lan']}")
    assert "đã được sử dụng" in again.text


async def test_wrong_codes_are_answered_and_then_rate_limited(guest: Chat) -> None:
    for _ in range(5):
        await guest.send("/start AAAA-BBBB")
        assert "không hợp lệ" in guest.text
    await guest.send("/start AAAA-BBBB")
    assert "quá nhiều" in guest.text.lower()


async def test_help_menu_language_and_cancel_work_from_anywhere(lan: Chat) -> None:
    await lan.send("/help")
    assert "/quydinh" in lan.text
    await lan.send("/language")
    await lan.press("English")
    assert "English" in lan.text
    await lan.send("/menu")
    assert "What would you like to do?" in lan.text
    await lan.send("/cancel")
    assert "nothing to cancel" in lan.text


async def test_unknown_commands_stale_buttons_and_stickers_get_a_helpful_answer(
        lan: Chat) -> None:
    await lan.send("/frobnicate")
    assert "/frobnicate" in lan.text and "/help" in lan.text
    await lan.action("zz:forged:999")
    assert "không còn hiệu lực" in lan.text
    await lan.action("m:lang:xx")
    assert "không còn hiệu lực" in lan.text
    await lan.send(None)  # a sticker: no text, no file
    assert "tin nhắn văn bản" in lan.text
    await lan.send("x" * 5000)
    assert "quá dài" in lan.text


async def test_the_conversation_survives_a_restart(app: App, codes: dict[str, str],
                                                   tmp_path: Path) -> None:
    chat = Chat(app)
    await chat.send(f"/start {codes['nguyen-thi-lan']}")
    await chat.send("/language en")
    fresh = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}")
    try:
        restarted = Chat(fresh, account=chat.account)
        await restarted.send("/menu")
        assert "What would you like to do?" in restarted.text
        assert any("My dossiers" in b.label for r in restarted.replies for b in r.all_buttons())
    finally:
        await fresh.close()


async def test_a_double_tap_is_handled_once_after_the_other(lan: Chat) -> None:
    import asyncio

    from handlers.messages import Inbound

    inbound = Inbound("console", lan.account, lan.account, text="/menu")
    first, second = await asyncio.gather(lan.app.assistant.handle(inbound),
                                         lan.app.assistant.handle(inbound))
    assert "Đồng chí cần làm gì?" in first[-1].text and "Đồng chí cần làm gì?" in second[-1].text
    saved = await lan.app.services.conversations.load("console", lan.account)
    # /start (with the menu it showed) was saved; showing the same menu again changed
    # nothing, so neither tap wrote (and neither met the other's save as a conflict).
    assert saved.version == 1 and saved.flow is None


async def test_a_greeting_gets_the_welcome_not_a_question_about_competence(
        guest: Chat) -> None:
    await guest.send("Xin chào ạ")
    assert "Chào mừng" in guest.text and "vị trí công tác" not in guest.text
    await guest.send("Chào, tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    assert "Chi bộ nơi cán bộ sinh hoạt" in guest.text  # a question is still answered
