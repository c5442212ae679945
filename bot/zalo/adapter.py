"""The Zalo adapter: long polling or webhook updates into ``ZaloCore``; its ``sender``
(``bot.zalo.sender``) serves the notifier too.

``ZaloAdapter`` checks the token, long-polls ``getUpdates``
(one update per call, as Zalo hands them out; the webhook is removed first, since Zalo
serves no updates while one is set) or registers the webhook, and closes the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import (
    DeliveryError,
    GivenUp,
    Handled,
    Keep,
    RetryAfter,
    Transient,
    one_line,
)
from bot.ratelimit import RateLimiter
from bot.zalo.choices import ChoiceBook
from bot.zalo.client import POLL_SECONDS, ZaloApiError, ZaloClient
from bot.zalo.core import CHANNEL, Claim, Seen, ZaloCore, reader_language
from bot.zalo.sender import ZaloSender
from handlers.app import Assistant
from handlers.context import Services
from handlers.ports import AccountLock

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
BACKOFF_FIRST, BACKOFF_CAP = 1.0, 60.0  # seconds between failed polls, doubling
DRAIN_SECONDS = 30.0  # how long a stop waits for the turns in progress

def wrapped_update(body: Any) -> dict[str, Any] | None:
    """A webhook body as an update (Zalo posts ``{"ok": true, "result": update}``)."""
    if not isinstance(body, dict):
        return None
    wrapped = body.get("result")
    update: dict[str, Any] = wrapped if isinstance(wrapped, dict) else body
    return update if isinstance(update.get("message"), dict) else None


class ZaloAdapter:
    """One Zalo bot: polling, or updates fed from the webhook server."""

    name = "zalo"

    def __init__(self, token: str, api_base: str, services: Services, engine: AsyncEngine,
                 *, default_language: str = "vi", poll_timeout: int = POLL_SECONDS) -> None:
        self.client = ZaloClient(token, api_base)
        self.services, self.default_language = services, default_language
        self.book = ChoiceBook(engine, CHANNEL)
        self.sender = ZaloSender(self.client, self.book, self._language)
        self.poll_timeout = poll_timeout
        self.core: ZaloCore | None = None
        self.keep: Keep | None = None  # polled updates made durable (storage.inbox)
        self._turns: set[asyncio.Task[None]] = set()

    async def _language(self, chat_id: str) -> str:
        # A private chat's id is its person's account id.
        return await reader_language(self.services, chat_id, default=self.default_language)

    def attach(self, assistant: Assistant, limiter: RateLimiter, *,
               max_file_bytes: int = 20 * 1024 * 1024, seen: Seen | None = None,
               after_turn: Callable[[], None] | None = None,
               claim: Claim | None = None, given_up: GivenUp | None = None,
               handled: Handled | None = None,
               chat_lock: AccountLock | None = None) -> ZaloCore:
        self.core = ZaloCore(assistant, self.services, self.sender, limiter, self.book,
                             download=self.client.download, max_file_bytes=max_file_bytes,
                             default_language=self.default_language, seen=seen,
                             after_turn=after_turn, claim=claim, given_up=given_up,
                             handled=handled, chat_lock=chat_lock)
        return self.core

    async def prepare(self) -> str:
        """Check the token; the bot's name."""
        me = await self.client.get_me()
        return str(me.get("account_name") or me.get("display_name") or me.get("name")
                   or me.get("id") or "zalo-bot")

    async def poll(self, stop: asyncio.Event) -> None:
        """Long-poll until ``stop``; each update handled in its own task."""
        assert self.core is not None, "attach() first"
        await self.client.delete_webhook()
        wait = BACKOFF_FIRST
        try:
            while not stop.is_set():
                try:
                    updates = await _until(stop, self.client.get_updates(self.poll_timeout))
                except (Transient, RetryAfter) as exc:
                    seconds = exc.seconds if isinstance(exc, RetryAfter) else wait
                    log.warning("zalo: getUpdates failed (%s); again in %.0f s", exc, seconds)
                    await _pause(stop, seconds)
                    wait = min(BACKOFF_CAP, wait * 2)
                    continue
                except ZaloApiError as exc:
                    if exc.code == 401:
                        raise  # a revoked token: nothing will work
                    log.warning("zalo: getUpdates refused (%s); again in %.0f s", exc, wait)
                    await _pause(stop, wait)
                    wait = min(BACKOFF_CAP, wait * 2)
                    continue
                if updates is None:
                    break  # stopped while waiting
                wait = BACKOFF_FIRST
                if self.keep is not None and updates:
                    try:  # Zalo will not give them again: durable before they are handled
                        await self.keep(updates)
                    except Exception as exc:
                        log.error("zalo: %d polled updates not kept (%s); handled anyway",
                                  len(updates), one_line(exc))
                for update in updates:
                    self._spawn(self.core.handle(update))
        finally:
            if self._turns:
                await asyncio.wait(set(self._turns), timeout=DRAIN_SECONDS)

    def _spawn(self, turn: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(_logged(turn))
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)

    async def feed(self, data: dict[str, Any]) -> None:
        assert self.core is not None, "attach() first"
        await self.core.handle(data)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.client.set_webhook(url, secret)

    async def close(self) -> None:
        await self.client.close()


async def _until(stop: asyncio.Event, request: Awaitable[list[dict[str, Any]]]
                 ) -> list[dict[str, Any]] | None:
    """The request's result, or None if ``stop`` was set first (the request cancelled)."""
    fetch = asyncio.ensure_future(request)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if fetch.done():
        return fetch.result()
    fetch.cancel()
    with contextlib.suppress(asyncio.CancelledError, DeliveryError):
        await fetch
    return None


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _logged(turn: Coroutine[Any, Any, None]) -> None:
    try:
        await turn
    except Exception:  # one bad update must not stop the others
        log.exception("zalo: an update failed")
