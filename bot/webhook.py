"""The webhook server (aiohttp): the chat platforms post updates here, a probe asks for
health.

An update is accepted only with the secret token the platform was given (Telegram's
header ``X-Telegram-Bot-Api-Secret-Token``, Zalo's ``X-Bot-Api-Secret-Token``), answered
at once and handled in the background, so a slow turn never makes the platform resend
it. One server may carry several platforms, each on its own path (``Route``).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/health"

Feed = Callable[[dict[str, Any]], Awaitable[None]]
Health = Callable[[], Awaitable[bool]]
# A posted body as the update to feed, or None when it is not one.
Accept = Callable[[Any], "dict[str, Any] | None"]


def telegram_update(body: Any) -> dict[str, Any] | None:
    return body if isinstance(body, dict) and "update_id" in body else None


@dataclass(frozen=True)
class Route:
    """One platform's webhook: where it posts, the secret and the header it carries."""

    path: str
    feed: Feed
    secret: str
    header: str = SECRET_HEADER
    accept: Accept = telegram_update


def webhook_app(feed: Feed, secret: str, path: str, health: Health) -> web.Application:
    """The server for Telegram alone."""
    return webhook_server([Route(path, feed, secret)], health)


def webhook_server(routes: Sequence[Route], health: Health) -> web.Application:
    tasks: set[asyncio.Task[None]] = set()

    def receiver(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(route.header, "")
            if not hmac.compare_digest(given.encode(), route.secret.encode()):
                log.warning("webhook call to %s with a wrong secret from %s", route.path,
                            request.remote)
                return web.json_response({"ok": False, "description": "wrong secret token"},
                                         status=401)
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "description": "not JSON"},
                                         status=400)
            update = route.accept(body)
            if update is None:
                return web.json_response({"ok": False, "description": "not an update"},
                                         status=400)
            task = asyncio.create_task(_handle(route.feed, update))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            return web.json_response({"ok": True})

        return receive

    async def healthy(_request: web.Request) -> web.Response:
        ok = await health()
        return web.json_response({"status": "ok" if ok else "degraded"},
                                 status=200 if ok else 503)

    async def drain(_app: web.Application) -> None:
        if tasks:
            await asyncio.wait(set(tasks), timeout=30)

    app = web.Application(client_max_size=1024 * 1024)
    for route in routes:
        app.router.add_post(route.path, receiver(route))
    app.router.add_get(HEALTH_PATH, healthy)
    app.on_shutdown.append(drain)
    return app


async def _handle(feed: Feed, update: dict[str, Any]) -> None:
    try:
        await feed(update)
    except Exception:  # one bad update must not take the server down
        log.exception("update %s failed", update.get("update_id")
                      or (update.get("message") or {}).get("message_id"))
