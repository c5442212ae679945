"""The Zalo Bot API client against the fake server: envelopes checked (``ok: false`` is
a refusal even with HTTP 200), failures turned into the delivery errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.delivery import DeliveryError, RetryAfter, Transient, Unreachable
from bot.fakes.zalo import FakeZalo
from bot.zalo.client import FileTooLarge, ZaloApiError, ZaloClient
from tests.zalo.conftest import ZALO_TOKEN


@pytest.fixture
async def client(zalo: FakeZalo) -> AsyncIterator[ZaloClient]:
    made = ZaloClient(ZALO_TOKEN, zalo.base, timeout=5)
    try:
        yield made
    finally:
        await made.close()


async def test_get_me_checks_the_token(zalo: FakeZalo, client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["account_name"] == "bot.cadrebot"
    wrong = ZaloClient("1:not-the-token-at-all", zalo.base)
    try:
        with pytest.raises(ZaloApiError, match="Unauthorized") as refused:
            await wrong.get_me()
        assert refused.value.code == 401
        assert "not-the-token" not in str(refused.value)  # the token is never shown
    finally:
        await wrong.close()


async def test_a_long_poll_without_updates_is_empty_and_one_with_an_update_returns_it(
        zalo: FakeZalo, client: ZaloClient) -> None:
    assert await client.get_updates(timeout=1) == []  # Zalo answers 408 Request timeout
    sent = zalo.user_sends("u1", "xin chào", name="Lan")
    [update] = await client.get_updates(timeout=5)
    assert update["event_name"] == "message.text.received"
    assert update["message"]["text"] == "xin chào"
    assert update["message"]["message_id"] == sent["message"]["message_id"]


async def test_messages_photos_and_chat_actions(zalo: FakeZalo, client: ZaloClient) -> None:
    zalo.user_sends("u1", "hi")
    result = await client.send_message("u1", "Xin chào đồng chí")
    assert result["message_id"]
    await client.send_photo("u1", "https://example.org/a.jpg", caption="Ảnh")
    await client.send_chat_action("u1")
    assert zalo.texts("u1") == ["Xin chào đồng chí", "Ảnh"]
    assert [c.params for c in zalo.calls_to("sendChatAction")] == [
        {"chat_id": "u1", "action": "typing"}]


async def test_ok_false_is_a_refusal_even_with_http_200(zalo: FakeZalo,
                                                        client: ZaloClient) -> None:
    zalo.user_sends("u1", "hi")
    zalo.fail_next("sendMessage", 400, description="text is invalid", http_status=200)
    with pytest.raises(ZaloApiError, match="text is invalid") as refused:
        await client.send_message("u1", "x")
    assert refused.value.code == 400
    with pytest.raises(ZaloApiError):  # over 2,000 characters
        await client.send_message("u1", "x" * 2001)
    assert zalo.breaches and "2001 characters" in zalo.breaches[0]


@pytest.mark.parametrize(("inject", "error"), [
    (lambda f: f.fail_next("sendMessage", 429, retry_after=3), RetryAfter),
    (lambda f: f.fail_next("sendMessage", 429, http_status=200), RetryAfter),
    (lambda f: f.fail_next("sendMessage", 500), Transient),
    (lambda f: f.fail_next("sendMessage", 503, http_status=200), Transient),
    (lambda f: f.garble_next("sendMessage"), Transient),
    (lambda f: f.garble_next("sendMessage", http_status=200), Transient),
    (lambda f: f.fail_next("sendMessage", 403), Unreachable),
    (lambda f: f.fail_next("sendMessage", 400, description="User has blocked the bot"),
     Unreachable),
])
async def test_failures_become_the_delivery_errors(zalo: FakeZalo, client: ZaloClient,
                                                   inject: object,
                                                   error: type[DeliveryError]) -> None:
    zalo.user_sends("u1", "hi")
    inject(zalo)  # type: ignore[operator]
    with pytest.raises(error) as raised:
        await client.send_message("u1", "Xin chào")
    if isinstance(raised.value, RetryAfter):
        assert raised.value.seconds in (3.0, 5.0)  # what Zalo said, or 5 s when it did not


async def test_blocked_and_unknown_chats_are_unreachable(zalo: FakeZalo,
                                                         client: ZaloClient) -> None:
    zalo.user_sends("u1", "hi")
    zalo.user_blocks_bot("u1")
    with pytest.raises(Unreachable):
        await client.send_message("u1", "Xin chào")
    with pytest.raises(Unreachable):
        await client.send_message("never-wrote", "Xin chào")


async def test_timeouts_and_a_server_that_is_down_are_transient(zalo: FakeZalo) -> None:
    slow = ZaloClient(ZALO_TOKEN, zalo.base, timeout=0.3)
    down = ZaloClient(ZALO_TOKEN, "http://127.0.0.1:9")
    try:
        with pytest.raises(Transient, match="timed out"):
            await slow.call("getUpdates", {"timeout": "5"})
        with pytest.raises(Transient):
            await down.get_me()
    finally:
        await slow.close()
        await down.close()


async def test_webhook_set_read_and_removed(zalo: FakeZalo, client: ZaloClient) -> None:
    assert (await client.get_webhook_info())["url"] == ""
    await client.set_webhook("https://bot.example.org/zalo", "secret-token-1")
    assert (await client.get_webhook_info())["url"] == "https://bot.example.org/zalo"
    assert zalo.webhook is not None and zalo.webhook["secret_token"] == "secret-token-1"
    with pytest.raises(ZaloApiError):  # no long polling while a webhook is set
        await client.get_updates(timeout=1)
    with pytest.raises(ZaloApiError, match="8 to 256"):
        await client.set_webhook("https://bot.example.org/zalo", "short")
    await client.delete_webhook()
    assert zalo.webhook is None


async def test_a_photo_is_downloaded_within_the_limit(zalo: FakeZalo,
                                                      client: ZaloClient) -> None:
    update = zalo.user_sends_photo("u1", b"\xff\xd8" + b"x" * 5000)
    url = update["message"]["photo"]
    assert await client.download(url, 10_000) == b"\xff\xd8" + b"x" * 5000
    with pytest.raises(FileTooLarge):
        await client.download(url, 1000)
    with pytest.raises(DeliveryError):
        await client.download(f"{zalo.base}/photos/missing.jpg", 10_000)
