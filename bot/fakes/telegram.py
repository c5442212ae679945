"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and for trying the
real bot by hand (``python -m bot.fakes.telegram``).

It speaks real HTTP, so aiogram and python-telegram-bot run against it unchanged::

    fake = FakeTelegram(); base = await fake.start()
    aiogram: Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    PTB:     Application.builder().token(fake.token).base_url(f"{base}/bot")
                 .base_file_url(f"{base}/file/bot")

The test plays the people (``user_sends``, ``user_presses``, ...), reads what the bot
did (``calls``, ``sent_to``, ``last_message``, ``buttons``) and injects faults
(``fail_next``, ``user_blocks_bot``). Sends are checked against the flood limits
(``breaches``). A private chat the bot never heard from answers 403, as Telegram does:
let the person write first, or call ``known_chat``.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import mimetypes
import secrets
import time
from typing import Any

from aiohttp import ClientSession, web

from bot.fakes.telegram_limits import FloodWatch
from bot.fakes.telegram_methods import METHODS
from bot.fakes.telegram_wire import ApiError, Call, read_params, utf16_len
from bot.fakes.watched import Watched
from bot.ratelimit import Limits

_CANONICAL = {name.lower(): name for name in METHODS}  # Telegram ignores the case


class FakeTelegram(Watched):
    def __init__(self, token: str = "123456:TEST-TOKEN-FOR-FAKE", *,
                 bot_username: str = "cadrebot_test_bot",
                 limits: Limits | None = None, enforce_limits: bool = False,
                 latency: float = 0.0) -> None:
        self.token, self.bot_username = token, bot_username
        self.enforce_limits = enforce_limits  # answer breaching sends with 429
        # A round trip's seconds, as far from Telegram: half on the way in (before the
        # request is counted), half on the way back. Not for getUpdates (a long poll).
        self.latency = latency
        self.base = ""
        self.calls: list[Call] = []
        self.breaches: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.me: dict[str, Any] = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "Cadrebot",
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
        self._watch = FloodWatch(limits)
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(100_000_001)
        self._updates: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self._delivered: set[int] = set()
        self._allowed: set[str] | None = None
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent: dict[int, list[int]] = {}
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._faults: dict[str, list[ApiError]] = {}
        self._arrived = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None

    # --- server -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        return await self._listen(app, port)

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        await self._close()

    async def _serve(self, request: web.Request) -> web.Response:
        asked = request.match_info["method"]
        method = _CANONICAL.get(asked.lower(), asked)
        call = Call(method, {}, time.monotonic())
        self.calls.append(call)
        counted = method != "getUpdates"  # a long poll waiting is not the bot being busy
        self._in_flight += counted
        try:
            if counted and self.latency:
                await asyncio.sleep(self.latency / 2)
                call.time = time.monotonic()  # when it arrived
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            call.params = await read_params(request)
            faults = self._faults.get(method)
            if faults:
                raise faults.pop(0)
            handler = METHODS.get(method)
            if handler is None:
                raise ApiError(404, "Not Found")
            call.response = {"ok": True, "result": await handler(self, call.params)}
            call.status = 200
        except ApiError as error:
            call.status, call.response = error.status, error.body()
        except Exception as error:  # a bug in the fake: say so instead of a bare 500
            call.status, call.response = 500, ApiError(
                500, f"Internal Server Error: the fake failed: {error!r}").body()
        finally:
            if counted and self.latency:
                await asyncio.sleep(self.latency / 2)  # the answer's way back
            self._in_flight -= counted
            if counted or call.response.get("result"):
                self._last_activity = time.monotonic()
        return web.json_response(call.response, status=call.status)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self._files.values() if f["file_path"] == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored["content"],
                            content_type=stored.get("mime_type") or "application/octet-stream")

    # --- simulating people --------------------------------------------------------------

    def known_chat(self, user_id: int, *, first_name: str = "Lan", language_code: str = "vi",
                   chat_id: int | None = None) -> dict[str, Any]:
        """Register a person (and their chat) as if they had started the bot."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name,
                "language_code": language_code}
        self._users[user_id] = user
        chat_id = user_id if chat_id is None else chat_id
        if chat_id not in self._chats:
            self._chats[chat_id] = (
                {"id": chat_id, "type": "group", "title": f"Group {-chat_id}"} if chat_id < 0
                else {"id": chat_id, "type": "private", "first_name": first_name})
        return self._chats[chat_id]

    def user_sends(self, user_id: int, text: str, *, first_name: str = "Lan",
                   language_code: str = "vi", chat_id: int | None = None) -> dict[str, Any]:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            extra["entities"] = [{"type": "bot_command", "offset": 0,
                                  "length": utf16_len(text.split(maxsplit=1)[0])}]
        return self._user_message(user_id, extra, first_name, language_code, chat_id)

    def user_sends_document(self, user_id: int, name: str, content: bytes,
                            mime_type: str = "application/pdf", *, caption: str | None = None,
                            first_name: str = "Lan", language_code: str = "vi",
                            chat_id: int | None = None) -> dict[str, Any]:
        stored = self._store_file(content, "documents", name, mime_type)
        extra: dict[str, Any] = {"document": self._document(stored)}
        if caption:
            extra["caption"] = caption
        return self._user_message(user_id, extra, first_name, language_code, chat_id)

    def user_sends_photo(self, user_id: int, content: bytes, *, caption: str | None = None,
                         first_name: str = "Lan", language_code: str = "vi",
                         chat_id: int | None = None) -> dict[str, Any]:
        extra: dict[str, Any] = {"photo": self._photo_sizes(content)}
        if caption:
            extra["caption"] = caption
        return self._user_message(user_id, extra, first_name, language_code, chat_id)

    def user_presses(self, user_id: int, message: dict[str, Any] | int, callback_data: str, *,
                     language_code: str = "vi", chat_id: int | None = None,
                     strict: bool = True) -> dict[str, Any]:
        """Press a button of a message the bot sent (``strict``: the button must be on it)."""
        if isinstance(message, dict):
            key = (message["chat"]["id"], message["message_id"])
        else:
            key = (user_id if chat_id is None else chat_id, message)
        stored = self._messages.get(key)
        if stored is None or stored["from"]["id"] != self.me["id"]:
            raise LookupError(f"the bot sent no message {key[1]} to chat {key[0]}")
        if strict and callback_data not in [data for _, data in self.buttons(stored)]:
            raise LookupError(f"message {key[1]} has no button {callback_data!r}: "
                              f"{self.buttons(stored)}")
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Lan"}
        query: dict[str, Any] = {"id": str(next(self._ids) * 7919 + 4_000_000_000_000),
                 "from": {**user, "language_code": language_code},
                 "chat_instance": str(abs(hash((self.me["id"], key[0])))),
                 "data": callback_data, "message": self._public(stored)}
        self._callbacks[query["id"]] = {"query": query, "answered": None}
        return self._queue({"callback_query": query})

    def user_blocks_bot(self, user_id: int) -> None:
        self._blocked.add(user_id)

    def queue_raw(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue ``body`` as it is, with the next update id (unless it has one): an
        update with fields missing or of the wrong type, as a test needs it."""
        update = {"update_id": next(self._update_ids), **body}
        self._updates.append(update)
        self._wake()
        return update

    def _user_message(self, user_id: int, extra: dict[str, Any], first_name: str,
                      language_code: str, chat_id: int | None) -> dict[str, Any]:
        chat = self.known_chat(user_id, first_name=first_name, language_code=language_code,
                               chat_id=chat_id)
        self._blocked.discard(user_id)  # writing to the bot again unblocks it
        message = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                   "chat": chat, "from": self._users[user_id], **extra}
        self._messages[(chat["id"], message["message_id"])] = message
        return self._queue({"message": copy.deepcopy(message)})

    def _queue(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.queue_raw(body)

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    # --- inspecting what the bot did ----------------------------------------------------

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to ``chat_id``, oldest first, edits applied."""
        return [copy.deepcopy(self._messages[(chat_id, mid)])
                for mid in self._sent.get(chat_id, []) if (chat_id, mid) in self._messages]

    def peak(self, seconds: float = 1.0) -> int:
        """The most messages the bot sent within any window of ``seconds``."""
        return self._watch.peak(seconds)

    def last_message(self, chat_id: int) -> dict[str, Any]:
        sent = self.sent_to(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.dump()}")
        return sent[-1]

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
        markup = message.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data") or b.get("url") or "")
                for row in markup.get("inline_keyboard", []) for b in row]

    def unanswered_callbacks(self) -> list[dict[str, Any]]:
        return [c["query"] for c in self._callbacks.values() if c["answered"] is None]

    def answer_to(self, query: dict[str, Any]) -> dict[str, Any] | None:
        """The parameters of ``answerCallbackQuery`` for a query, ``None`` if unanswered."""
        answered: dict[str, Any] | None = self._callbacks[query["id"]]["answered"]
        return answered

    def file_content(self, file_id: str) -> bytes:
        content: bytes = self._files[file_id]["content"]
        return content

    def drop_pending(self) -> None:
        """Forget the updates not yet fetched, as if a bot had confirmed them (tests of a
        bot that acknowledged updates and stopped before handling them)."""
        self._updates.clear()

    def _updates_waiting(self) -> bool:
        return self.webhook is None and any(
            u["update_id"] not in self._delivered
            and (self._allowed is None or set(u) & self._allowed) for u in self._updates)

    # --- fault injection and webhooks ---------------------------------------------------

    def fail_next(self, method: str, status: int, *, count: int = 1,
                  retry_after: int | None = None, description: str = "") -> None:
        if not description:
            description = {429: f"Too Many Requests: retry after {retry_after or 1}",
                           400: "Bad Request", 403: "Forbidden", 409: "Conflict",
                           500: "Internal Server Error",
                           502: "Bad Gateway"}.get(status, f"Error {status}")
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.setdefault(_CANONICAL.get(method.lower(), method), []).extend(
            ApiError(status, description, retry_after=retry_after) for _ in range(count))

    async def post_update_to_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with ClientSession() as session, session.post(
                self.webhook["url"], json=update, headers=headers) as response:
            status = response.status
        if 200 <= status < 300:
            self._delivered.add(update["update_id"])
            self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
        return status

    async def deliver_to_webhook(self) -> list[int]:
        """Post every queued update to the webhook with its secret, as Telegram would."""
        assert self.webhook is not None, "no webhook is set"
        return [await self.post_update_to_webhook(u, self.webhook.get("secret_token"))
                for u in list(self._updates)]

    # --- storage helpers ----------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _store_file(self, content: bytes, folder: str, name: str | None,
                    mime_type: str | None) -> dict[str, Any]:
        n = next(self._ids)
        suffix = mimetypes.guess_extension(mime_type or "") or ""
        if name and "." in name:
            suffix = "." + name.rsplit(".", 1)[1]
        stored: dict[str, Any] = {"file_id": f"BQAC{n:06d}{secrets.token_hex(8)}",
                  "file_unique_id": f"AgAD{n:06d}", "file_size": len(content),
                  "file_path": f"{folder}/file_{n}{suffix}", "content": content,
                  "file_name": name, "mime_type": mime_type}
        self._files[stored["file_id"]] = stored
        return stored

    @staticmethod
    def _document(stored: dict[str, Any]) -> dict[str, Any]:
        document = {key: stored[key] for key in ("file_id", "file_unique_id", "file_size")}
        document.update({key: stored[key] for key in ("file_name", "mime_type") if stored[key]})
        return document

    def _photo_sizes(self, content: bytes) -> list[dict[str, Any]]:
        sizes = []
        for width, height in ((90, 68), (1280, 960)):
            stored = self._store_file(content, "photos", None, "image/jpeg")
            sizes.append({"file_id": stored["file_id"], "file_unique_id":
                          stored["file_unique_id"], "file_size": len(content),
                          "width": width, "height": height})
        return sizes

    @staticmethod
    def _public(message: dict[str, Any]) -> dict[str, Any]:
        """A stored message as Telegram returns it: only inline keyboards are echoed."""
        public = copy.deepcopy(message)
        markup = public.get("reply_markup")
        if not (isinstance(markup, dict) and "inline_keyboard" in markup):
            public.pop("reply_markup", None)
        return public


async def _console(port: int, user_id: int) -> None:
    """Play one person against a bot started by hand against this server."""
    fake = FakeTelegram()
    base = await fake.start(port)
    print(f"fake Bot API on {base}, token {fake.token}: point the bot there, then type "
          f"as user {user_id} ('!press DATA' presses a button of the last message)")
    shown = 0
    try:
        while True:
            for message in fake.sent_to(user_id)[shown:]:
                print(f"bot> {message.get('text') or message.get('caption') or message}")
                for text, data in fake.buttons(message):
                    print(f"     [{text}] {data}")
            shown = len(fake.sent_to(user_id))
            line = (await asyncio.to_thread(input, "you> ")).strip()
            if line.startswith("!press ") and shown:
                fake.user_presses(user_id, fake.last_message(user_id), line[7:], strict=False)
            elif line:
                fake.user_sends(user_id, line)
            await asyncio.sleep(1.0)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await fake.stop()


if __name__ == "__main__":
    import sys

    asyncio.run(_console(int(sys.argv[1]) if len(sys.argv) > 1 else 8081, 1001))
