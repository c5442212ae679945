"""A small asyncio client for the Zalo Bot Platform API, on aiohttp.

Every method is ``POST <base>/bot<TOKEN>/<method>`` with a JSON body, answered by an
envelope ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}``, sometimes with HTTP 200: ``ok`` decides, not the status.
Failures become the delivery errors every caller understands (``error_for``):

=============================================  ==========================================
Zalo's answer (``error_code``, or the status)   becomes
=============================================  ==========================================
429                                            ``RetryAfter`` (its ``retry_after``, or 5 s)
500-599, timeouts, dropped connections,        ``Transient``: retried with backoff
answers that are not JSON
403, or a description saying the person        ``Unreachable``: the chat is given up
blocked the bot, left or is unknown
401 (the token), 400, 404, 405, 409, 413,      ``ZaloApiError``: a refusal of this very
414, 415, 422 (the request itself is wrong)    request, which retrying will not change
408 (Zalo timed out)                           ``ZaloTransient``: retried
any other code (-32, 0, ...: Zalo documents    ``ZaloTransient``: retried a bounded number
none of its own)                               of times (``bot.delivery``), then given up
=============================================  ==========================================

A long poll that ends with no update (Zalo answers ``408 Request timeout``) is an empty
list.

The token is part of every URL: it never appears in an error or a log line.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.delivery import DeliveryError, RetryAfter, Transient, Unreachable

ZALO_API = "https://bot-api.zaloplatforms.com"  # earlier: https://bot-api.zapps.me
REQUEST_SECONDS = 30.0
POLL_SECONDS = 30  # getUpdates waits this long for an update
DEFAULT_RETRY_AFTER = 5.0  # when a 429 does not say how long to wait
NO_UPDATE = 408
# Descriptions that mean the person cannot be written to (they blocked the bot, left,
# or never followed it): retrying will not help.
UNREACHABLE_WORDS = ("block", "not allow", "unfollow", "chặn", "user not found",
                     "chat not found", "not a friend")


# Codes whose meaning is known: the request itself is wrong (bad parameters, an unknown
# method, a text too long...), the same request will be refused again.
REFUSED = frozenset({400, 401, 404, 405, 409, 413, 414, 415, 422})


class ZaloRefusal(DeliveryError):
    """Zalo answered a call with ``ok: false``: its code and description."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method}: {code} {description}".rstrip())
        self.method, self.code, self.description = method, code, description


class ZaloApiError(ZaloRefusal):
    """Zalo refused a call for a reason retrying will not change."""


class ZaloTransient(ZaloRefusal, Transient):
    """Zalo refused a call with a code it does not document (or timed out): it may go
    through if tried again, so it is, a bounded number of times."""


class FileTooLarge(DeliveryError):
    pass


def error_for(method: str, status: int, body: Any, retry_header: str | None = None
              ) -> DeliveryError:
    """The delivery error for a refused call (``status`` is the HTTP status)."""
    body = body if isinstance(body, dict) else {}
    try:
        code = int(body.get("error_code") or status)
    except (TypeError, ValueError, OverflowError):
        code = status
    description = str(body.get("description") or body.get("message") or "").strip()
    if status == 429 or code == 429:
        return RetryAfter(_retry_after(body, retry_header))
    if status >= 500 or 500 <= code <= 599:
        return Transient(f"Zalo {method}: {code} {description}".rstrip())
    lowered = description.lower()
    if status == 403 or code == 403 or any(word in lowered for word in UNREACHABLE_WORDS):
        return Unreachable(f"Zalo {method}: {code} {description}".rstrip())
    if status == 401 or code == 401:
        return ZaloApiError(method, code, description or "Unauthorized")
    if code in REFUSED or status in REFUSED:
        return ZaloApiError(method, code, description)
    return ZaloTransient(method, code, description)  # 408, or a code nobody documented


def _retry_after(body: dict[str, Any], header: str | None) -> float:
    for value in ((body.get("parameters") or {}).get("retry_after"), body.get("retry_after"),
                  header):
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return DEFAULT_RETRY_AFTER


class ZaloClient:
    def __init__(self, token: str, base: str = ZALO_API, *,
                 timeout: float = REQUEST_SECONDS) -> None:
        self._token, self.base, self.timeout = token, base.rstrip("/"), timeout
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   timeout: float | None = None) -> Any:
        """Call ``method``; its ``result``, or one of the delivery errors."""
        url = f"{self.base}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=timeout or self.timeout)
        try:
            async with self._http().post(url, json=params or {}, timeout=limit) as response:
                status, raw = response.status, await response.read()
                retry_header = response.headers.get("Retry-After")
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise Transient(f"Zalo {method}: timed out") from exc
        except aiohttp.ClientError as exc:
            raise Transient(f"Zalo {method}: {type(exc).__name__}") from exc
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or "ok" not in body:
            if status == 429 or 400 <= status < 500:
                raise error_for(method, status, body, retry_header)
            # A proxy's error page, a truncated answer: nothing Zalo decided.
            raise Transient(f"Zalo {method}: HTTP {status}, not a Bot API answer")
        if body.get("ok") is not True:
            raise error_for(method, status if status >= 400 else 200, body, retry_header)
        return body.get("result")

    # --- the Bot API ----------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        return _dict(await self.call("getMe"))

    async def get_updates(self, timeout: int = POLL_SECONDS) -> list[dict[str, Any]]:
        """Wait up to ``timeout`` seconds for updates (Zalo hands out one at a time)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)},
                                     timeout=timeout + 15)
        except ZaloRefusal as exc:
            if exc.code == NO_UPDATE:
                return []
            raise
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) and result else []

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return _dict(await self.call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        return _dict(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        return _dict(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return _dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None
                         ) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return _dict(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download(self, url: str, limit: int) -> bytes:
        """The bytes at ``url`` (a photo a person sent), ``FileTooLarge`` past ``limit``."""
        try:
            async with self._http().get(url, timeout=aiohttp.ClientTimeout(
                    total=self.timeout)) as response:
                if response.status >= 400:
                    raise error_for("download", response.status, None)
                if (response.content_length or 0) > limit:
                    raise FileTooLarge(url)
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise FileTooLarge(url)
                return bytes(data)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Transient(f"Zalo download: {type(exc).__name__}") from exc


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
