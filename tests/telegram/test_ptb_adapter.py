"""The python-telegram-bot adapter: PTB's errors become the delivery errors, its updates
become ``Incoming``, and the adapter polls, answers and stops against the fake Bot API."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.error import RetryAfter as PtbRetryAfter

from bot.delivery import DeliveryError, RetryAfter, Transient, Unreachable
from bot.fakes import FakeTelegram
from bot.telegram.core import FileRef, FileTooLarge, Incoming
from bot.telegram.ptb_adapter import PtbAdapter, PtbOps, call, incoming_message, incoming_press
from bot.telegram.ptb_adapter import markup as ptb_markup
from handlers.messages import Button

LAN = 1001
USER = {"id": LAN, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn",
        "language_code": "en"}
CHAT = {"id": LAN, "type": "private", "first_name": "Lan"}


async def raising(exc: Exception) -> None:
    raise exc


# --- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("error", "expected"), [
    (Forbidden("Forbidden: bot was blocked by the user"), Unreachable),
    (BadRequest("Bad Request: chat not found"), Unreachable),
    (BadRequest("Bad Request: message is too long"), DeliveryError),
    (NetworkError("httpx.ConnectError: refused"), Transient),
    (NetworkError("Internal Server Error (500)"), Transient),
    (TimedOut(), Transient),
    (TimeoutError(), Transient),
    (InvalidToken("Unauthorized"), DeliveryError),
    (Conflict("Conflict: terminated by other getUpdates request"), DeliveryError),
    (ChatMigrated(-100123), DeliveryError),
    (TelegramError("something else"), DeliveryError),
])
async def test_ptb_errors_map_to_the_delivery_errors(error: Exception,
                                                     expected: type[DeliveryError]) -> None:
    with pytest.raises(DeliveryError) as raised:
        await call(raising(error))
    assert type(raised.value) is expected
    assert raised.value.__cause__ is error


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("retry_after", [7, dtm.timedelta(seconds=2.5)])
async def test_flood_control_becomes_retry_after_in_seconds(retry_after: Any) -> None:
    with pytest.raises(RetryAfter) as raised:
        await call(raising(PtbRetryAfter(retry_after)))
    assert raised.value.seconds == (7.0 if retry_after == 7 else 2.5)


async def serve(status: int, body: str | dict[str, Any]) -> web.AppRunner:
    """A Bot API server answering every method with one response."""
    async def answer(_request: web.Request) -> web.Response:
        if isinstance(body, dict):
            return web.json_response(body, status=status)
        return web.Response(text=body, status=status, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def failure(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # 429
@pytest.mark.parametrize(("status", "body", "expected"), [
    (500, "<html>Internal Server Error</html>", Transient),
    (502, failure(502, "Bad Gateway"), Transient),
    (503, "", Transient),
    (200, "<html>a captive portal</html>", Transient),  # not JSON
    (429, failure(429, "Too Many Requests: retry after 3", retry_after=3), RetryAfter),
    (403, failure(403, "Forbidden: bot was blocked by the user"), Unreachable),
    (400, failure(400, "Bad Request: chat not found"), Unreachable),
    (400, failure(400, "Bad Request: message is too long"), DeliveryError),
    (401, failure(401, "Unauthorized"), DeliveryError),
])
async def test_http_answers_through_ptb_become_the_delivery_errors(
        status: int, body: str | dict[str, Any], expected: type[DeliveryError]) -> None:
    runner = await serve(status, body)
    host, port = runner.addresses[0][:2]
    bot = Bot("1:T", base_url=f"http://{host}:{port}/bot")
    try:
        with pytest.raises(DeliveryError) as raised:
            await PtbOps(bot).send_text(str(LAN), "hello", ())
        assert type(raised.value) is expected
        if expected is RetryAfter:
            assert isinstance(raised.value, RetryAfter) and raised.value.seconds == 3
    finally:
        await bot.shutdown()
        await runner.cleanup()


async def test_an_edit_that_changes_nothing_is_not_an_error() -> None:
    runner = await serve(400, failure(400, "Bad Request: message is not modified: specified "
                                           "new message content and reply markup are exactly "
                                           "the same"))
    host, port = runner.addresses[0][:2]
    bot = Bot("1:T", base_url=f"http://{host}:{port}/bot")
    try:
        await PtbOps(bot).edit_text(str(LAN), 5, "same", ())
    finally:
        await bot.shutdown()
        await runner.cleanup()


# --- updates ----------------------------------------------------------------------------

def message_update(**extra: Any) -> Update:
    return Update.de_json({"update_id": 42, "message": {
        "message_id": 7, "date": 1_700_000_000, "chat": CHAT, "from": USER, **extra}}, None)


def test_a_text_message() -> None:
    incoming = incoming_message(message_update(text="/start"))
    assert incoming == Incoming(update_id=42, user_id=LAN, chat_id=LAN, text="/start",
                                language_code="en", name="Lan Nguyễn")


def test_a_document_with_its_caption_as_the_text() -> None:
    incoming = incoming_message(message_update(caption="hồ sơ", document={
        "file_id": "DOC1", "file_unique_id": "U1", "file_name": "plan.pdf",
        "mime_type": "application/pdf", "file_size": 1234}))
    assert incoming.text == "hồ sơ" and not incoming.unsupported
    assert incoming.files == (FileRef("DOC1", "plan.pdf", "application/pdf", 1234),)


def test_a_photo_is_its_largest_size() -> None:
    incoming = incoming_message(message_update(photo=[
        {"file_id": "SMALL", "file_unique_id": "S", "width": 90, "height": 68, "file_size": 10},
        {"file_id": "BIG", "file_unique_id": "B", "width": 1280, "height": 960,
         "file_size": 900}]))
    assert incoming.text is None and not incoming.unsupported
    assert incoming.files == (FileRef("BIG", "photo-B.jpg", "image/jpeg", 900),)


def test_a_sticker_is_unsupported() -> None:
    incoming = incoming_message(message_update(sticker={
        "file_id": "STK", "file_unique_id": "K", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False}))
    assert incoming.unsupported and incoming.text is None and incoming.files == ()


def test_a_press_on_a_message_carries_its_id() -> None:
    update = Update.de_json({"update_id": 43, "callback_query": {
        "id": "q1", "from": USER, "chat_instance": "ci", "data": "vote:yes",
        "message": {"message_id": 9, "date": 1_700_000_000, "chat": CHAT, "text": "Bỏ phiếu?"},
    }}, None)
    assert incoming_press(update) == Incoming(
        update_id=43, user_id=LAN, chat_id=LAN, data="vote:yes", message_id=9,
        language_code="en", name="Lan Nguyễn")


def test_a_press_on_an_inaccessible_message_is_answered_with_a_new_one() -> None:
    update = Update.de_json({"update_id": 44, "callback_query": {
        "id": "q2", "from": USER, "chat_instance": "ci", "data": "menu",
        "message": {"message_id": 3, "date": 0, "chat": CHAT}}}, None)
    incoming = incoming_press(update)
    assert (incoming.chat_id, incoming.data, incoming.message_id) == (LAN, "menu", None)


def test_the_keyboard_becomes_inline_buttons_with_the_action_as_data() -> None:
    assert ptb_markup(()) is None
    keyboard = ptb_markup(((Button("Có", "vote:yes"), Button("Không", "vote:no")),
                           (Button("Menu", "menu"),)))
    assert keyboard is not None
    assert keyboard.to_dict() == {"inline_keyboard": [
        [{"text": "Có", "callback_data": "vote:yes"},
         {"text": "Không", "callback_data": "vote:no"}],
        [{"text": "Menu", "callback_data": "menu"}]]}


# --- against the fake Bot API -----------------------------------------------------------

class EchoCore:
    """Records what arrives and answers each message through the adapter."""

    def __init__(self, adapter: PtbAdapter) -> None:
        self.adapter = adapter
        self.seen: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> None:
        self.seen.append(incoming)
        if incoming.data == "boom":
            raise RuntimeError("the core failed")
        buttons = ((Button("Lại", "again"),),) if incoming.data is None else ()
        await self.adapter.ops.send_text(str(incoming.chat_id),
                                         f"echo {incoming.text or incoming.data}", buttons)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def adapter(fake: FakeTelegram) -> AsyncIterator[PtbAdapter]:
    built = PtbAdapter(fake.token, fake.base)
    yield built
    await built.close()


def attach(adapter: PtbAdapter) -> EchoCore:
    core = EchoCore(adapter)
    adapter.attach(core)  # type: ignore[arg-type]  # a stand-in for TelegramCore
    return core


async def test_polls_answers_and_stops(fake: FakeTelegram, adapter: PtbAdapter) -> None:
    core = attach(adapter)
    username = await adapter.prepare(lambda lang, audience: [("start", f"begin ({lang})")])
    assert username == "cadrebot_test_bot"
    assert fake.commands[("default", None)] == [{"command": "start", "description": "begin (vi)"}]
    assert fake.commands[("default", "en")] == [{"command": "start", "description": "begin (en)"}]

    await adapter.set_webhook("https://example.org/hook", "s3cret")  # polling removes it

    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.poll(stop))
    fake.user_sends(LAN, "/start")
    first = await fake.wait_for(lambda f: f.sent_to(LAN))
    assert first[0]["text"] == "echo /start"
    fake.user_presses(LAN, first[0], "again")
    await fake.wait_for(lambda f: len(f.sent_to(LAN)) == 2)
    assert fake.last_message(LAN)["text"] == "echo again"
    assert fake.unanswered_callbacks() == []
    assert [(i.text, i.data, i.message_id) for i in core.seen] == [
        ("/start", None, None), (None, "again", first[0]["message_id"])]
    assert fake.calls_to("getUpdates")[0].params["allowed_updates"] == [
        "message", "callback_query"]

    assert fake.webhook is None
    stop.set()
    await asyncio.wait_for(polling, 10)
    assert not adapter.application.running


async def test_polling_that_dies_says_why(fake: FakeTelegram, adapter: PtbAdapter) -> None:
    core = attach(adapter)
    polling = asyncio.create_task(adapter.poll(asyncio.Event()))
    await fake.wait_for(lambda f: f.calls_to("getUpdates"))
    fake.token = "123456:REVOKED"  # every later request is refused: 401
    fake.user_sends(LAN, "hello")
    with pytest.raises(DeliveryError, match="Unauthorized"):
        await asyncio.wait_for(polling, 10)
    assert [i.text for i in core.seen] == ["hello"]


async def test_fed_updates_are_handled_and_failures_logged(
        fake: FakeTelegram, adapter: PtbAdapter, caplog: pytest.LogCaptureFixture) -> None:
    core = attach(adapter)
    await adapter.feed(fake.user_sends(LAN, "qua webhook"))
    assert fake.last_message(LAN)["text"] == "echo qua webhook"
    with caplog.at_level(logging.ERROR, logger="bot.telegram.ptb_adapter"):
        await adapter.feed(fake.user_presses(LAN, fake.last_message(LAN), "boom",
                                             strict=False))
    assert [i.data for i in core.seen] == [None, "boom"]
    assert any("failed" in r.message and r.exc_info for r in caplog.records)
    await adapter.set_webhook("https://example.org/hook", "s3cret")
    assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret"


async def test_download_refuses_a_file_over_the_limit(fake: FakeTelegram,
                                                      adapter: PtbAdapter) -> None:
    update = fake.user_sends_document(LAN, "plan.pdf", b"%PDF-1.7 0123456789")
    file_id = update["message"]["document"]["file_id"]
    assert await adapter.ops.download(file_id, 1000) == b"%PDF-1.7 0123456789"
    with pytest.raises(FileTooLarge):
        await adapter.ops.download(file_id, 5)
