"""The Bot API methods the fake serves, each ``async (fake, params) -> result``.

Errors are Telegram's own (status and description), so the libraries raise what they
would raise in production: 400 ``TelegramBadRequest``/``BadRequest``, 403 ``Forbidden``,
409 ``Conflict``, 429 with ``retry_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.fakes.telegram_wire import (
    ApiError,
    Upload,
    bad_request,
    check_inline_keyboard,
    plain_text,
    utf16_len,
)

if TYPE_CHECKING:
    from bot.fakes.telegram import FakeTelegram

Params = dict[str, Any]
Method = Callable[["FakeTelegram", Params], Awaitable[Any]]
METHODS: dict[str, Method] = {}

NOT_MODIFIED = ("message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[name] = function
        return function
    return register


async def _true(fake: FakeTelegram, params: Params) -> bool:
    return True


for _name in ("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
              "close", "logOut"):
    METHODS[_name] = _true


# --- helpers --------------------------------------------------------------------------

def _target(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    """The chat a method acts on; 403 if the person blocked the bot or never wrote."""
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    if chat_id in fake._blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    chat = fake._chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        if isinstance(chat_id, int) and chat_id > 0:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        raise bad_request("chat not found")
    return chat


def _count(fake: FakeTelegram, method_name: str, chat_id: int) -> None:
    """Count a send against the flood limits (429 for a breach if they are enforced)."""
    breach, retry_after = fake._watch.observe(method_name, chat_id,
                                              delivered=not fake.enforce_limits)
    if breach:
        fake.breaches.append(breach)
        if fake.enforce_limits:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                           retry_after=retry_after)


def _markup(params: Params) -> Any:
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return check_inline_keyboard(markup)
    return markup or None


def _text(params: Params, key: str = "text", limit: int = 4096) -> str:
    text = plain_text(str(params.get(key) or ""), params.get("parse_mode"))
    if key == "text" and not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise bad_request("message is too long" if key == "text"
                          else "message caption is too long")
    return text


def _deliver(fake: FakeTelegram, chat: dict[str, Any], markup: Any,
             content: dict[str, Any]) -> dict[str, Any]:
    message = {"message_id": fake._next_message_id(chat["id"]), "from": fake.me,
               "chat": chat, "date": int(time.time()), **content}
    if markup:
        message["reply_markup"] = markup
    fake._messages[(chat["id"], message["message_id"])] = message
    fake._sent.setdefault(chat["id"], []).append(message["message_id"])
    return fake._public(message)


def _media(fake: FakeTelegram, params: Params, key: str, folder: str) -> dict[str, Any]:
    value = params.get(key)
    if isinstance(value, Upload):
        mime = value.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(value.filename)[0] or mime
        return fake._store_file(value.content, folder, value.filename, mime)
    if isinstance(value, str) and value in fake._files:
        return fake._files[value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return fake._store_file(b"", folder, value.rsplit("/", 1)[-1], None)
    raise bad_request("wrong file identifier/HTTP URL specified" if value
                      else f"there is no {key} in the request")


def _own_message(fake: FakeTelegram, params: Params, action: str = "edit") -> dict[str, Any]:
    _target(fake, params)
    message = fake._messages.get((params["chat_id"], params.get("message_id") or 0))
    if message is None or (action == "edit" and message["from"]["id"] != fake.me["id"]):
        raise bad_request(f"message to {action} not found")
    return message


def _set_markup(message: dict[str, Any], markup: Any) -> None:
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
    message["edit_date"] = int(time.time())


# --- the methods ----------------------------------------------------------------------

@method("getMe")
async def get_me(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    return fake.me


@method("getUpdates")
async def get_updates(fake: FakeTelegram, params: Params) -> list[dict[str, Any]]:
    if fake.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    offset = params.get("offset") or 0
    if offset < 0:  # keep only the last -offset updates
        fake._updates = fake._updates[offset:]
    elif offset:
        fake._updates = [u for u in fake._updates if u["update_id"] >= offset]
    limit = min(max(params.get("limit") or 100, 1), 100)
    if "allowed_updates" in params:
        fake._allowed = set(params["allowed_updates"] or ()) or None
    deadline = time.monotonic() + max(params.get("timeout") or 0, 0)
    while True:
        batch = [u for u in fake._updates
                 if fake._allowed is None or set(u) & fake._allowed][:limit]
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0 or fake._closing:
            break
        arrived = fake._arrived
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), remaining)
    fake._delivered.update(u["update_id"] for u in batch)
    return copy.deepcopy(batch)


@method("sendMessage")
async def send_message(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = _target(fake, params)
    text, markup = _text(params), _markup(params)
    _count(fake, "sendMessage", chat["id"])
    return _deliver(fake, chat, markup, {"text": text})


@method("editMessageText")
async def edit_message_text(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    if params.get("inline_message_id"):
        raise bad_request("message to edit not found")
    message = _own_message(fake, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, markup = _text(params), _markup(params)
    if message["text"] == text and message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    message["text"] = text
    _set_markup(message, markup)  # an edit without reply_markup removes the keyboard
    return fake._public(message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    if params.get("inline_message_id"):
        raise bad_request("message to edit not found")
    message = _own_message(fake, params)
    markup = _markup(params)
    if message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    _set_markup(message, markup)
    return fake._public(message)


@method("deleteMessage")
async def delete_message(fake: FakeTelegram, params: Params) -> bool:
    message = _own_message(fake, params, "delete")
    del fake._messages[(message["chat"]["id"], message["message_id"])]
    return True


@method("answerCallbackQuery")
async def answer_callback_query(fake: FakeTelegram, params: Params) -> bool:
    record = fake._callbacks.get(str(params.get("callback_query_id")))
    if record is None or record["answered"] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is "
                          "invalid")
    if len(str(params.get("text") or "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record["answered"] = dict(params)
    return True


@method("sendDocument")
async def send_document(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = _target(fake, params)
    stored = _media(fake, params, "document", "documents")
    content: dict[str, Any] = {"document": fake._document(stored)}
    if params.get("caption"):
        content["caption"] = _text(params, "caption", 1024)
    markup = _markup(params)
    _count(fake, "sendDocument", chat["id"])
    return _deliver(fake, chat, markup, content)


@method("sendPhoto")
async def send_photo(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = _target(fake, params)
    stored = _media(fake, params, "photo", "photos")
    content: dict[str, Any] = {"photo": fake._photo_sizes(stored["content"])}
    if params.get("caption"):
        content["caption"] = _text(params, "caption", 1024)
    markup = _markup(params)
    _count(fake, "sendPhoto", chat["id"])
    return _deliver(fake, chat, markup, content)


@method("sendChatAction")
async def send_chat_action(fake: FakeTelegram, params: Params) -> bool:
    _target(fake, params)
    if not params.get("action"):
        raise bad_request("wrong parameter action in request")
    return True


@method("getFile")
async def get_file(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    stored = fake._files.get(str(params.get("file_id")))
    if stored is None:
        raise bad_request("invalid file_id")
    return {key: stored[key] for key in ("file_id", "file_unique_id", "file_size", "file_path")}


def _commands_key(params: Params) -> tuple[str, str | None]:
    scope = params.get("scope") or {}
    if isinstance(scope, str):  # sent as a JSON string in a form
        scope = json.loads(scope)
    kind = str(scope.get("type", "default"))
    if "chat_id" in scope:  # a chat's own menu: "chat:42"
        kind = f"{kind}:{scope['chat_id']}"
    return kind, params.get("language_code") or None


@method("setMyCommands")
async def set_my_commands(fake: FakeTelegram, params: Params) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", "")).lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _commands_key(params)
    if commands:
        fake.commands[key] = [{"command": str(c["command"]).lstrip("/"),
                               "description": c["description"]} for c in commands]
    else:
        fake.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(fake: FakeTelegram, params: Params) -> list[dict[str, Any]]:
    return fake.commands.get(_commands_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(fake: FakeTelegram, params: Params) -> bool:
    fake.commands.pop(_commands_key(params), None)
    return True


@method("setWebhook")
async def set_webhook(fake: FakeTelegram, params: Params) -> bool:
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        fake._updates.clear()
    url = params.get("url") or ""
    fake.webhook = {"url": url, "secret_token": secret,
                    "allowed_updates": params.get("allowed_updates"),
                    "max_connections": params.get("max_connections") or 40} if url else None
    fake._wake()
    return True


@method("deleteWebhook")
async def delete_webhook(fake: FakeTelegram, params: Params) -> bool:
    if params.get("drop_pending_updates"):
        fake._updates.clear()
    fake.webhook = None
    return True


@method("getWebhookInfo")
async def get_webhook_info(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    info: dict[str, Any] = {"url": "", "has_custom_certificate": False,
                            "pending_update_count": len(fake._updates)}
    if fake.webhook is not None:
        info.update({key: value for key, value in fake.webhook.items()
                     if key != "secret_token" and value is not None})
    return info
