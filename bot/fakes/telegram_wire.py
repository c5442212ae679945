"""The wire format of the fake Bot API: decoding requests the way Telegram does, and
the small records the fake keeps (calls, uploads, errors).

Clients send parameters three ways and the fake accepts all of them: a JSON body
(nested values as objects), an url-encoded form, or multipart/form-data (every value a
string, nested values JSON-encoded, files as parts; aiogram names a file part with a
random key and passes ``"attach://key"`` as the parameter, python-telegram-bot names
the part after the parameter itself).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# Parameters whose string value is JSON (a form can carry nothing else).
JSON_FIELDS = frozenset({
    "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "media", "results", "menu_button",
})
INT_FIELDS = frozenset({
    "message_id", "offset", "limit", "timeout", "user_id", "message_thread_id",
    "reply_to_message_id", "max_connections", "from_chat_id", "cache_time", "duration",
    "width", "height",
})
_BOOL_PREFIXES = ("disable_", "is_", "has_", "can_", "show_", "allow_", "protect_", "drop_",
                  "supports_")
_INTEGER = re.compile(r"-?\d+")
_TAG = re.compile(r"<[^>]*>")


@dataclass
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str | None = None


@dataclass
class Call:
    """One request the bot made: ``params`` decoded, ``time`` from ``time.monotonic``."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = {key: (value if len(repr(value)) < 80 else repr(value)[:77] + "...")
                 for key, value in self.params.items()}
        outcome = "ok" if self.status == 200 else self.response.get("description", "")
        return f"{self.method} {shown} -> {self.status} {outcome}"


class ApiError(Exception):
    """Raised by a method handler; answered as ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status,
                                "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as error:
            raise bad_request(f"can't parse {name} JSON object") from error
    if name in INT_FIELDS or name == "chat_id":
        if _INTEGER.fullmatch(value.strip()):
            return int(value)
        if name != "chat_id":
            raise bad_request(f"invalid {name} specified")
    if name.startswith(_BOOL_PREFIXES) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """The request's parameters as Telegram understands them, files as ``Upload``."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise bad_request("can't parse JSON body") from error
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[name] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    raw[name] = value
    params = {name: _decode(name, value) for name, value in raw.items()}
    for name, value in list(params.items()):  # aiogram: "attach://key" names a file part
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.pop(value.removeprefix("attach://"), None)
            if isinstance(upload, Upload):
                params[name] = upload
    return params


def utf16_len(text: str) -> int:
    """Telegram's length of a text: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a reader sees (HTML tags removed, entities unescaped)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(_TAG.sub("", text))
    return text


def check_inline_keyboard(markup: Any) -> dict[str, Any] | None:
    """The inline keyboard of ``markup`` validated (``None`` if it has no buttons)."""
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButtons must "
                          "be an Array of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be "
                                  "non-empty")
            if len(button) == 1:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup if any(rows) else None
