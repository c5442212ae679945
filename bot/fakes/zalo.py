"""A fake Zalo Bot Platform API server on 127.0.0.1, for end-to-end tests and for trying
the real bot by hand (``python -m bot.fakes.zalo``).

It speaks real HTTP the way Zalo does: ``POST /bot<TOKEN>/<method>`` with a JSON body,
answered by ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}`` (refusals come with HTTP 200 unless a fault says otherwise, so a
client that trusts the status is caught). ``getUpdates`` hands out one update per call
and answers ``408 Request timeout`` when none came within its ``timeout``; while a
webhook is set it refuses, and ``deliver_to_webhook`` posts the queued updates with the
``X-Bot-Api-Secret-Token`` header instead. A text over 2,000 characters is refused and
recorded as a breach; so is a send above ``limits`` (checked as for Telegram).

The test plays the people (``user_sends``, ``user_sends_photo``, ``user_blocks_bot``),
reads what the bot did (``calls``, ``sent_to``, ``texts``) and injects faults
(``fail_next``, ``garble_next``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, web

from bot.fakes.telegram_limits import FloodWatch
from bot.fakes.telegram_wire import Call
from bot.fakes.watched import Watched
from bot.ratelimit import Limits

TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SENDS = ("sendMessage", "sendPhoto")


@dataclass
class Fault:
    code: int
    description: str
    http_status: int
    garbled: bool = False  # an answer that is not JSON (a proxy's error page)
    retry_after: int | None = None  # a 429's wait, as parameters.retry_after


class FakeZalo(Watched):
    def __init__(self, token: str = "1234567890:zalo-test-token-abcdefghijkl", *,
                 bot_name: str = "bot.cadrebot", limits: Limits | None = None,
                 wrap_webhook: bool = True) -> None:
        self.token, self.bot_name = token, bot_name
        self.wrap_webhook = wrap_webhook  # post {"ok": true, "result": update}, as Zalo does
        self.base = ""
        self.calls: list[Call] = []
        self.breaches: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.me = {"id": token.split(":")[0], "account_name": bot_name,
                   "account_type": "BASIC", "can_join_groups": False}
        self._watch = FloodWatch(limits or Limits(per_second=10.0, burst=10.0))
        self._ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []  # not yet handed out
        self._users: dict[str, dict[str, Any]] = {}
        self._sent: dict[str, list[dict[str, Any]]] = {}
        self._photos: dict[str, bytes] = {}
        self._blocked: set[str] = set()
        self._faults: dict[str, list[Fault]] = {}
        self._arrived = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._runner: web.AppRunner | None = None

    # --- server -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        app.router.add_get("/photos/{name}", self._photo)
        return await self._listen(app, port)

    async def stop(self) -> None:
        self._wake()
        await self._close()

    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, time.monotonic())
        self.calls.append(call)
        counted = method != "getUpdates"  # a long poll waiting is not the bot being busy
        self._in_flight += counted
        try:
            call.params = await _params(request)
            if request.match_info["token"] != self.token:
                return self._refuse(call, Fault(401, "Unauthorized", 401))
            faults = self._faults.get(method)
            if faults:
                return self._refuse(call, faults.pop(0))
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._refuse(call, Fault(404, "Method not found", 404))
            outcome = await handler(call.params)
            if isinstance(outcome, Fault):
                return self._refuse(call, outcome)
            call.status, call.response = 200, {"ok": True, "result": outcome}
            return web.json_response(call.response)
        finally:
            self._in_flight -= counted
            if counted or call.response.get("result"):
                self._last_activity = time.monotonic()

    def _refuse(self, call: Call, fault: Fault) -> web.Response:
        call.status = fault.http_status
        if fault.garbled:
            call.response = {"description": "not JSON"}
            return web.Response(status=fault.http_status, content_type="text/html",
                                text="<html><body>Bad Gateway</body></html>")
        call.response = {"ok": False, "error_code": fault.code,
                         "description": fault.description}
        if fault.retry_after is not None:
            call.response["parameters"] = {"retry_after": fault.retry_after}
        return web.json_response(call.response, status=fault.http_status)

    async def _photo(self, request: web.Request) -> web.Response:
        content = self._photos.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="image/jpeg")

    # --- the Bot API methods --------------------------------------------------------------

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return dict(self.me)

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            return Fault(400, "Webhook is active: delete it before calling getUpdates", 200)
        try:
            timeout = max(0.0, min(float(params.get("timeout") or 30), 60.0))
        except (TypeError, ValueError):
            return Fault(400, "timeout must be a number of seconds", 200)
        deadline = time.monotonic() + timeout
        while not self._updates:
            left = deadline - time.monotonic()
            if left <= 0 or self._runner is None:
                return Fault(408, "Request timeout", 200)
            arrived = self._arrived
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout=left)
        return self._updates.pop(0)

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            return Fault(400, "url must be an HTTPS address", 200)
        if not 8 <= len(secret) <= 256:
            return Fault(400, "secret_token must have 8 to 256 characters", 200)
        self.webhook = {"url": url, "secret_token": secret,
                        "updated_at": int(time.time() * 1000)}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        if self.webhook is None:
            return {"url": "", "updated_at": 0}
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return Fault(400, "text must not be empty", 200)
        chat = self._target(params, "sendMessage")
        if isinstance(chat, Fault):
            return chat
        if len(text) > TEXT_LIMIT:
            self.breaches.append(f"sendMessage to {chat}: {len(text)} characters")
            return Fault(400, f"text must have 1 to {TEXT_LIMIT} characters", 200)
        return self._deliver(chat, {"text": text})

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        photo, caption = params.get("photo"), params.get("caption")
        if not isinstance(photo, str) or not photo:
            return Fault(400, "photo must be a URL", 200)
        if caption is not None and len(str(caption)) > TEXT_LIMIT:
            return Fault(400, f"caption must have 1 to {TEXT_LIMIT} characters", 200)
        chat = self._target(params, "sendPhoto")
        if isinstance(chat, Fault):
            return chat
        return self._deliver(chat, {"photo": photo, "caption": caption or ""})

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        chat = self._target(params, None)
        if isinstance(chat, Fault):
            return chat
        if params.get("action") not in ("typing", "upload_photo"):
            return Fault(400, "action must be typing or upload_photo", 200)
        return None

    def _target(self, params: dict[str, Any], send: str | None) -> str | Fault:
        chat = str(params.get("chat_id") or "")
        if not chat:
            return Fault(400, "chat_id is required", 200)
        if chat in self._blocked:
            return Fault(403, "User has blocked the bot", 200)
        if chat not in self._users:
            return Fault(404, "chat not found: the user never wrote to the bot", 200)
        if send is not None:
            breach, _wait = self._watch.observe(send, chat)
            if breach:
                self.breaches.append(breach)
        return chat

    def _deliver(self, chat: str, content: dict[str, Any]) -> dict[str, Any]:
        message = {"message_id": secrets.token_hex(10), "date": int(time.time() * 1000),
                   **content}
        self._sent.setdefault(chat, []).append(message)
        return {"message_id": message["message_id"], "date": message["date"]}

    # --- simulating people --------------------------------------------------------------

    def user_sends(self, user_id: str, text: str, *, name: str = "Lan",
                   date: int | None = None) -> dict[str, Any]:
        """``date``: when it was written (ms since the epoch; default now), e.g. to play a
        message that crossed a newer one from the bot."""
        return self._queue(user_id, "message.text.received", {"text": text}, name, date)

    def user_sends_photo(self, user_id: str, content: bytes, *, caption: str | None = None,
                         name: str = "Lan") -> dict[str, Any]:
        photo = f"p{next(self._ids)}-{secrets.token_hex(4)}.jpg"
        self._photos[photo] = content
        extra: dict[str, Any] = {"photo": f"{self.base}/photos/{photo}"}
        if caption:
            extra["caption"] = caption
        return self._queue(user_id, "message.image.received", extra, name)

    def user_sends_sticker(self, user_id: str, *, name: str = "Lan") -> dict[str, Any]:
        return self._queue(user_id, "message.sticker.received",
                           {"sticker": "0e078a2fb66a5f34067b"}, name)

    def user_blocks_bot(self, user_id: str) -> None:
        self._blocked.add(user_id)

    def _queue(self, user_id: str, event: str, extra: dict[str, Any], name: str,
               date: int | None = None) -> dict[str, Any]:
        self._users[user_id] = {"id": user_id, "display_name": name, "is_bot": False}
        self._blocked.discard(user_id)  # writing to the bot again unblocks it
        update = {"event_name": event, "message": {
            "from": dict(self._users[user_id]), "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": secrets.token_hex(10),
            "date": int(time.time() * 1000) if date is None else date, **extra}}
        self._updates.append(update)
        self._wake()
        return copy.deepcopy(update)

    def queue_raw(self, update: Any) -> None:
        """Hand ``update`` out as it is (fields missing or of the wrong type), as a test
        needs it."""
        self._updates.append(copy.deepcopy(update))
        self._wake()

    def redeliver(self, update: dict[str, Any]) -> None:
        """Queue an update again, as a platform does when it thinks it was lost."""
        self._updates.append(copy.deepcopy(update))
        self._wake()

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    # --- inspecting what the bot did ----------------------------------------------------

    def sent_to(self, chat_id: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self._sent.get(chat_id, []))

    def texts(self, chat_id: str) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self._sent.get(chat_id, [])]

    def _updates_waiting(self) -> bool:
        return self.webhook is None and bool(self._updates)

    # --- fault injection and webhooks ---------------------------------------------------

    def fail_next(self, method: str, code: int, *, count: int = 1, description: str = "",
                  http_status: int | None = None, retry_after: int | None = None) -> None:
        """Refuse the next ``count`` calls of ``method`` with ``{"ok": false, "error_code":
        code}``; with HTTP ``http_status`` (by default the code itself, 200 for 403)."""
        description = description or {
            429: "Too many requests", 403: "User has blocked the bot", 400: "Bad request",
            401: "Unauthorized", 500: "Internal server error", 502: "Bad gateway",
            503: "Service unavailable"}.get(code, f"Error {code}")
        status = http_status if http_status is not None else (200 if code == 403 else code)
        self._faults.setdefault(method, []).extend(
            Fault(code, description, status, retry_after=retry_after) for _ in range(count))

    def pending_faults(self, method: str) -> int:
        """How many injected faults still wait for a call of ``method``."""
        return len(self._faults.get(method, []))

    def garble_next(self, method: str, *, http_status: int = 502, count: int = 1) -> None:
        """Answer the next ``count`` calls with an HTML page instead of JSON."""
        self._faults.setdefault(method, []).extend(
            Fault(http_status, "", http_status, garbled=True) for _ in range(count))

    async def post_update_to_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        headers = {} if secret is None else {SECRET_HEADER: secret}
        body = {"ok": True, "result": update} if self.wrap_webhook else update
        async with ClientSession() as session, session.post(
                self.webhook["url"], json=body, headers=headers) as response:
            status = response.status
        if 200 <= status < 300 and update in self._updates:
            self._updates.remove(update)
        return status

    async def deliver_to_webhook(self) -> list[int]:
        """Post every queued update to the webhook with its secret, as Zalo would."""
        assert self.webhook is not None, "no webhook is set"
        return [await self.post_update_to_webhook(u, self.webhook["secret_token"])
                for u in list(self._updates)]


async def _params(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query)
    raw = await request.read()
    if not raw:
        return dict(request.query)
    if request.content_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _console(port: int, user_id: str) -> None:
    """Play one person against a bot started by hand against this server."""
    fake = FakeZalo()
    base = await fake.start(port)
    print(f"fake Zalo Bot API on {base}, token {fake.token}: point the bot there "
          f"(CADREBOT_ZALO_API_BASE, CADREBOT_ZALO_TOKEN), then type as user {user_id}")
    shown = 0
    try:
        while True:
            for text in fake.texts(user_id)[shown:]:
                print(f"bot> {text}")
            shown = len(fake.texts(user_id))
            line = (await asyncio.to_thread(input, "you> ")).strip()
            if line:
                fake.user_sends(user_id, line)
            await asyncio.sleep(1.0)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await fake.stop()


if __name__ == "__main__":
    import sys

    asyncio.run(_console(int(sys.argv[1]) if len(sys.argv) > 1 else 8082, "zalo-user-1001"))
