"""/kenh (/channel) in the conversation: a person sees the chat apps they have linked and
chooses where their notifications go; the handlers know no app by name."""

from __future__ import annotations

from pathlib import Path

from tests.conversation.harness import Chat, demo_app


async def test_a_person_chooses_the_app_their_notifications_go_to(tmp_path: Path) -> None:
    app, codes = await demo_app(tmp_path)
    try:
        guest = Chat(app, channel="zalo")
        await guest.send("/kenh")
        assert "liên kết tài khoản trước" in guest.text

        lan = Chat(app, channel="telegram")
        await lan.send(f"/start {codes['nguyen-thi-lan']}")
        await lan.send("/kenh")
        assert "Tài khoản của đồng chí đã được liên kết trên: Telegram." in lan.text
        assert "mã mời mới" in lan.text  # how to add another app
        await lan.press("Nhận thông báo qua Telegram")
        assert "qua Telegram" in lan.text
        await lan.send("/channel")
        assert "Thông báo đang được gửi qua Telegram, theo lựa chọn của đồng chí." in lan.text
        await lan.press("Qua ứng dụng tôi dùng gần nhất")
        assert "sử dụng gần nhất" in lan.text
        # A forged or outdated action changes nothing.
        await lan.action("ch:p:zalo")
        assert "không còn hiệu lực" in lan.text
        assert not any(c.preferred for c in
                       await app.services.directory.linked_channels("nguyen-thi-lan"))
        await lan.send("/help")
        assert "/kenh" in lan.text
    finally:
        await app.close()
