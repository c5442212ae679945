"""The fake Bot API server, through real HTTP: raw requests, aiogram and python-telegram-bot."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiohttp import web

from bot.fakes.telegram import FakeTelegram
from bot.ratelimit import Limits

LAN = 1001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def api(fake: FakeTelegram, method: str, *, token: str | None = None,
              form: dict[str, str] | None = None, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST a method as JSON (or as a form with ``form``); (HTTP status, JSON answer)."""
    url = f"{fake.base}/bot{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session:
        request = (session.post(url, data=form) if form is not None
                   else session.post(url, json=params))
        async with request as response:
            return response.status, await response.json()


def aiogram_bot(fake: FakeTelegram) -> Bot:
    return Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base)))


KEYBOARD = {"inline_keyboard": [[{"text": "Có", "callback_data": "vote:yes"},
                                 {"text": "Không", "callback_data": "vote:no"}]]}


# --- raw HTTP -------------------------------------------------------------------------

async def test_get_me_wrong_token_and_unknown_method(fake: FakeTelegram) -> None:
    assert fake.base.startswith("http://127.0.0.1:")
    status, body = await api(fake, "getMe")
    assert status == 200
    assert body["result"]["id"] == 123456 and body["result"]["is_bot"] is True
    assert body["result"]["username"] == "cadrebot_test_bot"

    status, body = await api(fake, "getMe", token="999:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401,
                                    "description": "Unauthorized"})
    status, body = await api(fake, "sendSticker", chat_id=LAN)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [(c.method, c.status) for c in fake.calls] == [
        ("getMe", 200), ("getMe", 401), ("sendSticker", 404)]


async def test_send_message_as_a_form_with_json_encoded_markup(fake: FakeTelegram) -> None:
    fake.user_sends(LAN, "/start")  # user message takes id 1 in the chat
    status, body = await api(fake, "sendMessage", form={
        "chat_id": str(LAN), "text": "Bỏ phiếu?", "reply_markup": json.dumps(KEYBOARD)})
    assert status == 200, body
    message = body["result"]
    assert message["message_id"] == 2
    assert message["chat"] == {"id": LAN, "type": "private", "first_name": "Lan"}
    assert message["from"]["is_bot"] is True and message["reply_markup"] == KEYBOARD
    assert fake.calls[-1].params == {"chat_id": LAN, "text": "Bỏ phiếu?",
                                     "reply_markup": KEYBOARD}
    status, body = await api(fake, "sendMessage", chat_id=LAN, text="Hai")
    assert body["result"]["message_id"] == 3 and "reply_markup" not in body["result"]
    assert [m["text"] for m in fake.sent_to(LAN)] == ["Bỏ phiếu?", "Hai"]
    assert fake.buttons(fake.sent_to(LAN)[0]) == [("Có", "vote:yes"), ("Không", "vote:no")]
    assert fake.last_message(LAN)["text"] == "Hai"


async def test_send_message_is_refused_like_telegram(fake: FakeTelegram) -> None:
    status, body = await api(fake, "sendMessage", chat_id=LAN, text="hello")
    assert (status, body["description"]) == (
        403, "Forbidden: bot can't initiate conversation with a user")
    fake.user_sends(LAN, "chào")
    status, body = await api(fake, "sendMessage", chat_id=LAN, text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, _ = await api(fake, "sendMessage", chat_id=LAN, text="x" * 4096)
    assert status == 200
    status, body = await api(fake, "sendMessage", chat_id=LAN, text="")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    long_data = {"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]}
    status, body = await api(fake, "sendMessage", chat_id=LAN, text="a", reply_markup=long_data)
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert len(fake.sent_to(LAN)) == 1


async def test_edit_message_text(fake: FakeTelegram) -> None:
    fake.user_sends(LAN, "/start")
    _, body = await api(fake, "sendMessage", chat_id=LAN, text="Bỏ phiếu?",
                        reply_markup=KEYBOARD)
    message_id = body["result"]["message_id"]
    status, body = await api(fake, "editMessageText", chat_id=LAN, message_id=message_id,
                             text="Bỏ phiếu?", reply_markup=KEYBOARD)
    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified")
    status, body = await api(fake, "editMessageText", chat_id=LAN, message_id=99, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api(fake, "editMessageText", chat_id=LAN, message_id=message_id,
                             text="Đã bỏ phiếu")  # no reply_markup: the keyboard goes
    assert status == 200 and "reply_markup" not in body["result"]
    assert body["result"]["edit_date"] >= body["result"]["date"]
    assert fake.last_message(LAN)["text"] == "Đã bỏ phiếu"
    assert fake.buttons(fake.last_message(LAN)) == []
    status, body = await api(fake, "editMessageReplyMarkup", chat_id=LAN,
                             message_id=message_id, reply_markup=KEYBOARD)
    assert status == 200 and fake.buttons(fake.last_message(LAN))[0] == ("Có", "vote:yes")


async def test_get_updates_offset_limit_and_message_shape(fake: FakeTelegram) -> None:
    first = fake.user_sends(LAN, "/start abc", first_name="Lan", language_code="vi")
    second = fake.user_sends(2002, "chào nhóm", first_name="Minh", chat_id=-5005)
    third = fake.user_sends(LAN, "ba")
    assert first["update_id"] < second["update_id"] < third["update_id"]
    message = first["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"] == {"id": LAN, "is_bot": False, "first_name": "Lan",
                               "language_code": "vi"}
    assert second["message"]["chat"]["type"] == "group"
    assert "entities" not in second["message"]

    _, body = await api(fake, "getUpdates", limit=2)
    assert [u["update_id"] for u in body["result"]] == [first["update_id"],
                                                         second["update_id"]]
    _, body = await api(fake, "getUpdates")  # nothing confirmed yet: all three again
    assert len(body["result"]) == 3
    _, body = await api(fake, "getUpdates", offset=second["update_id"] + 1)
    assert [u["update_id"] for u in body["result"]] == [third["update_id"]]
    _, body = await api(fake, "getUpdates", offset=0)  # confirmed updates are gone
    assert [u["update_id"] for u in body["result"]] == [third["update_id"]]
    _, body = await api(fake, "getUpdates", offset=third["update_id"] + 1)
    assert body["result"] == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake: FakeTelegram) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(api(fake, "getUpdates", timeout=5))
    await asyncio.sleep(0.3)
    assert not poll.done()
    update = fake.user_sends(LAN, "xin chào")
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 200 and body["result"] == [update]
    assert time.monotonic() - started < 2

    started = time.monotonic()
    _, body = await api(fake, "getUpdates", offset=update["update_id"] + 1, timeout=1)
    assert body["result"] == [] and 0.9 < time.monotonic() - started < 3


async def test_callback_queries_must_be_answered(fake: FakeTelegram) -> None:
    fake.user_sends(LAN, "/vote")
    _, body = await api(fake, "sendMessage", chat_id=LAN, text="Bỏ phiếu?",
                        reply_markup=KEYBOARD)
    with pytest.raises(LookupError):
        fake.user_presses(LAN, 42, "vote:yes")
    with pytest.raises(LookupError):
        fake.user_presses(LAN, body["result"], "vote:maybe")
    update = fake.user_presses(LAN, body["result"], "vote:yes")
    query = update["callback_query"]
    assert query["data"] == "vote:yes" and query["message"]["text"] == "Bỏ phiếu?"
    assert query["from"]["id"] == LAN and query["chat_instance"]
    assert fake.unanswered_callbacks() == [query]

    status, body = await api(fake, "answerCallbackQuery", callback_query_id="nope")
    assert status == 400 and "query ID is invalid" in body["description"]
    status, _ = await api(fake, "answerCallbackQuery", callback_query_id=query["id"],
                          text="Đã ghi nhận")
    assert status == 200
    assert fake.unanswered_callbacks() == []
    assert fake.answer_to(query) == {"callback_query_id": query["id"], "text": "Đã ghi nhận"}
    status, _ = await api(fake, "answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400  # twice is refused


async def test_injected_faults_then_success(fake: FakeTelegram) -> None:
    fake.user_sends(LAN, "hi")
    fake.fail_next("sendMessage", 502, count=2)
    for _ in range(2):
        status, body = await api(fake, "sendMessage", chat_id=LAN, text="a")
        assert (status, body["description"]) == (502, "Bad Gateway")
    status, _ = await api(fake, "sendMessage", chat_id=LAN, text="a")
    assert status == 200
    assert [m["text"] for m in fake.sent_to(LAN)] == ["a"]


async def test_breach_detection() -> None:
    fake = FakeTelegram(limits=Limits(chat_per_second=10.0, chat_burst=3.0))
    await fake.start()
    try:
        fake.user_sends(LAN, "hi")
        fake.user_sends(2002, "hi")
        for _ in range(5):  # every 0.12 s: within 10 a second
            status, _ = await api(fake, "sendMessage", chat_id=LAN, text="paced")
            assert status == 200
            await asyncio.sleep(0.12)
        assert fake.breaches == []
        results = await asyncio.gather(*(api(fake, "sendMessage", chat_id=2002, text=str(n))
                                         for n in range(10)))
        assert all(status == 200 for status, _ in results)  # delivered, but reported
        assert 5 <= len(fake.breaches) <= 7
        assert all("to chat 2002" in b and "per-chat limit" in b for b in fake.breaches)
    finally:
        await fake.stop()


async def test_default_limits_and_enforcement() -> None:
    fake = FakeTelegram(enforce_limits=True)
    await fake.start()
    try:
        fake.user_sends(LAN, "hi")
        statuses = [(await api(fake, "sendMessage", chat_id=LAN, text="x"))[0]
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]  # a burst of 3, then one a second
        assert fake.calls[-1].response["parameters"] == {"retry_after": 1}
        assert len(fake.breaches) == 1 and len(fake.sent_to(LAN)) == 3
    finally:
        await fake.stop()


async def test_files_round_trip(fake: FakeTelegram) -> None:
    update = fake.user_sends_document(LAN, "ke-hoach.pdf", b"%PDF-1.4 plan", caption="Đề án")
    document = update["message"]["document"]
    assert document["file_name"] == "ke-hoach.pdf"
    assert document["mime_type"] == "application/pdf" and document["file_size"] == 13
    _, body = await api(fake, "getFile", file_id=document["file_id"])
    path = body["result"]["file_path"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake.base}/file/bot{fake.token}/{path}") as response:
            assert response.status == 200
            assert await response.read() == b"%PDF-1.4 plan"
        async with session.get(f"{fake.base}/file/bot{fake.token}/nope.pdf") as response:
            assert response.status == 404
    photo = fake.user_sends_photo(LAN, b"\xff\xd8jpeg")["message"]["photo"]
    assert len(photo) == 2 and photo[-1]["width"] > photo[0]["width"]
    assert fake.file_content(photo[-1]["file_id"]) == b"\xff\xd8jpeg"

    # the bot uploads as multipart (python-telegram-bot's way: the part is "document")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(LAN))
    form.add_field("caption", "Biên bản")
    form.add_field("document", b"minutes", filename="bien-ban.txt", content_type="text/plain")
    async with aiohttp.ClientSession() as session, session.post(
            f"{fake.base}/bot{fake.token}/sendDocument", data=form) as response:
        body = await response.json()
    assert body["ok"], body
    sent = body["result"]["document"]
    assert (sent["file_name"], sent["mime_type"]) == ("bien-ban.txt", "text/plain")
    assert fake.file_content(sent["file_id"]) == b"minutes"
    status, body = await api(fake, "sendDocument", chat_id=LAN, document=document["file_id"])
    assert status == 200 and body["result"]["document"]["file_id"] == document["file_id"]
    status, body = await api(fake, "sendDocument", chat_id=LAN, document="no-such-file")
    assert status == 400


async def test_webhook_post_with_secret_and_getupdates_conflict(fake: FakeTelegram) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if secret != "s3cret":
            return web.Response(status=403)
        received.append((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        url = f"http://{host}:{port}/hook"
        status, _ = await api(fake, "setWebhook", url=url, secret_token="s3cret")
        assert status == 200
        assert fake.webhook == {"url": url, "secret_token": "s3cret", "allowed_updates": None,
                                "max_connections": 40}
        _, info = await api(fake, "getWebhookInfo")
        assert info["result"]["url"] == url and "secret_token" not in info["result"]
        status, body = await api(fake, "getUpdates")
        assert status == 409 and body["description"].startswith("Conflict:")

        update = fake.user_sends(LAN, "qua webhook")
        assert await fake.post_update_to_webhook(update, "wrong") == 403
        assert await fake.post_update_to_webhook(update, "s3cret") == 200
        assert received == [("s3cret", update)]
        fake.user_sends(LAN, "thêm")
        assert await fake.deliver_to_webhook() == [200]
        assert [u["message"]["text"] for _, u in received] == ["qua webhook", "thêm"]

        status, _ = await api(fake, "deleteWebhook")
        assert status == 200 and fake.webhook is None
        status, body = await api(fake, "getUpdates")
        assert status == 200 and body["result"] == []  # delivered by the webhook already
    finally:
        await runner.cleanup()


async def test_wait_for_reports_recent_calls_and_wait_idle(fake: FakeTelegram) -> None:
    await api(fake, "getMe")
    with pytest.raises(AssertionError, match="getMe"):
        await fake.wait_for(lambda f: f.sent_to(LAN), timeout=0.1)
    await fake.wait_idle(quiet=0.1, timeout=2)
    fake.user_sends(LAN, "unfetched")
    with pytest.raises(AssertionError, match="updates waiting True"):
        await fake.wait_idle(quiet=0.1, timeout=0.3)


# --- aiogram --------------------------------------------------------------------------

async def test_aiogram_bot_against_the_fake(fake: FakeTelegram) -> None:
    bot = aiogram_bot(fake)
    try:
        me = await bot.get_me()
        assert (me.id, me.username) == (123456, "cadrebot_test_bot")
        first = fake.user_sends(LAN, "/start")
        updates = await bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [first["update_id"]]
        assert updates[0].message is not None and updates[0].message.text == "/start"

        markup = InlineKeyboardMarkup(inline_keyboard=[[
            InlineKeyboardButton(text="Có", callback_data="vote:yes"),
            InlineKeyboardButton(text="Không", callback_data="vote:no")]])
        sent = await bot.send_message(LAN, "Bỏ phiếu?", reply_markup=markup)
        assert sent.message_id == 2 and sent.reply_markup is not None
        assert [(b.text, b.callback_data) for row in sent.reply_markup.inline_keyboard
                for b in row] == [("Có", "vote:yes"), ("Không", "vote:no")]
        assert fake.buttons(fake.last_message(LAN)) == [("Có", "vote:yes"),
                                                       ("Không", "vote:no")]
        edited = await bot.edit_message_text("Đã bỏ phiếu", chat_id=LAN,
                                             message_id=sent.message_id)
        assert not isinstance(edited, bool) and edited.text == "Đã bỏ phiếu"
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_text("Đã bỏ phiếu", chat_id=LAN,
                                        message_id=sent.message_id)

        second = fake.user_presses(LAN, sent.message_id, "vote:no", strict=False)
        updates = await bot.get_updates(offset=first["update_id"] + 1, timeout=0)
        assert [u.update_id for u in updates] == [second["update_id"]]
        query = updates[0].callback_query
        assert query is not None and query.data == "vote:no"
        assert await bot.answer_callback_query(query.id, text="OK") is True
        assert fake.unanswered_callbacks() == []
        assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == []

        assert await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")],
                                         scope=BotCommandScopeAllPrivateChats(),
                                         language_code="vi")
        assert fake.commands == {("all_private_chats", "vi"): [
            {"command": "start", "description": "Bắt đầu"}]}
        commands = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(),
                                             language_code="vi")
        assert [c.command for c in commands] == ["start"]
        assert await bot.get_my_commands() == []

        doc = await bot.send_document(LAN, BufferedInputFile(b"%PDF plan", "plan.pdf"),
                                      caption="Đề án")
        assert doc.document is not None and doc.document.file_name == "plan.pdf"
        file = await bot.get_file(doc.document.file_id)
        assert file.file_path is not None
        downloaded = await bot.download_file(file.file_path)
        assert downloaded is not None and downloaded.read() == b"%PDF plan"
    finally:
        await bot.session.close()


async def test_aiogram_errors(fake: FakeTelegram) -> None:
    bot = aiogram_bot(fake)
    try:
        fake.user_sends(LAN, "hi")
        fake.fail_next("sendMessage", 429, retry_after=3)
        with pytest.raises(TelegramRetryAfter) as raised:
            await bot.send_message(LAN, "a")
        assert raised.value.retry_after == 3
        assert (await bot.send_message(LAN, "a")).text == "a"

        fake.user_blocks_bot(LAN)
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(LAN, "b")
        assert [m["text"] for m in fake.sent_to(LAN)] == ["a"]

        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
    finally:
        await bot.session.close()


async def test_aiogram_dispatcher_polls_and_replies(fake: FakeTelegram) -> None:
    bot, dispatcher = aiogram_bot(fake), Dispatcher()

    @dispatcher.message()
    async def echo(message: Any) -> None:
        await message.answer(f"echo: {message.text}")

    polling = asyncio.create_task(dispatcher.start_polling(
        bot, polling_timeout=1, handle_signals=False, close_bot_session=True))
    try:
        fake.user_sends(LAN, "xin chào")
        await fake.wait_for(lambda f: f.sent_to(LAN))
        assert fake.last_message(LAN)["text"] == "echo: xin chào"
        await fake.wait_idle(quiet=0.3, timeout=5)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 10)


# --- python-telegram-bot --------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_python_telegram_bot_against_the_fake(fake: FakeTelegram) -> None:
    import telegram

    bot = telegram.Bot(fake.token, base_url=f"{fake.base}/bot",
                       base_file_url=f"{fake.base}/file/bot")
    await bot.initialize()
    try:
        assert bot.username == "cadrebot_test_bot" and bot.id == 123456
        first = fake.user_sends(LAN, "/start")
        update_doc = fake.user_sends_document(LAN, "plan.pdf", b"%PDF ptb")
        updates = await bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [first["update_id"], update_doc["update_id"]]
        assert updates[0].message is not None and updates[0].message.text == "/start"

        markup = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Có", callback_data="vote:yes")]])
        sent = await bot.send_message(LAN, "Bỏ phiếu?", reply_markup=markup)
        assert sent.text == "Bỏ phiếu?" and sent.reply_markup == markup
        assert fake.calls[-1].params["reply_markup"] == {
            "inline_keyboard": [[{"text": "Có", "callback_data": "vote:yes"}]]}
        press = fake.user_presses(LAN, sent.message_id, "vote:yes")
        updates = await bot.get_updates(offset=update_doc["update_id"] + 1, timeout=0)
        assert [u.update_id for u in updates] == [press["update_id"]]
        query = updates[0].callback_query
        assert query is not None and query.data == "vote:yes"
        assert await bot.answer_callback_query(query.id)

        document = update_doc["message"]["document"]
        file = await bot.get_file(document["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"%PDF ptb"
        uploaded = await bot.send_document(LAN, b"ptb upload", filename="x.txt")
        assert uploaded.document is not None
        assert fake.file_content(uploaded.document.file_id) == b"ptb upload"

        fake.user_blocks_bot(LAN)
        with pytest.raises(telegram.error.Forbidden):
            await bot.send_message(LAN, "blocked")
        fake.fail_next("getMe", 429, retry_after=2)
        with pytest.raises(telegram.error.RetryAfter):
            await bot.get_me()
    finally:
        await bot.shutdown()


async def test_python_telegram_bot_application_polls_and_replies(fake: FakeTelegram) -> None:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    application = (Application.builder().token(fake.token).base_url(f"{fake.base}/bot")
                   .base_file_url(f"{fake.base}/file/bot").build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        assert application.updater is not None
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            fake.user_sends(LAN, "xin chào")
            await fake.wait_for(lambda f: f.sent_to(LAN))
            assert fake.last_message(LAN)["text"] == "echo: xin chào"
        finally:
            await application.updater.stop()
            await application.stop()
    assert "deleteWebhook" in [call.method for call in fake.calls]
