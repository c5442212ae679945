"""The webhook server (aiohttp): the chat platforms post updates here, a probe asks for
health.

An update is accepted only with the secret token the platform was given (Telegram's
header ``X-Telegram-Bot-Api-Secret-Token``, Zalo's ``X-Bot-Api-Secret-Token``), answered
at once and handled in the background, so a slow turn never makes the platform resend
it; with ``IN_HAND`` updates in hand, the next post waits for one to finish. One server
may carry several platforms, each on its own path (``Route``).

Whatever is posted, nothing escapes a handler: a body over ``MAX_BODY`` is answered 413;
one that is not JSON, is nested deeper than ``MAX_DEPTH`` or is not an object, 400; an
object that is not an update the route accepts is logged in one line and answered 200
(an error would have the platform post it again and again). Reading a partial or
malformed update is the adapters' task: they log it in one line and ignore it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.delivery import clean_text, one_line

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/health"
MAX_BODY = 1024 * 1024  # bytes; Telegram's and Zalo's updates take a few kilobytes
MAX_DEPTH = 32  # nested objects and lists; an update has about ten levels
IN_HAND = 32  # updates kept and being handled at once (as polling's bound)

Feed = Callable[[dict[str, Any]], Awaitable[None]]
Health = Callable[[], Awaitable[bool]]
# A posted body as the update to feed, or None when it is not one.
Accept = Callable[[Any], "dict[str, Any] | None"]
# Makes an update durable before it is acknowledged; False: kept already (a redelivery).
Keep = Callable[[dict[str, Any]], Awaitable[bool]]


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
    keep: Keep | None = None


def webhook_app(feed: Feed, secret: str, path: str, health: Health) -> web.Application:
    """The server for Telegram alone."""
    return webhook_server([Route(path, feed, secret)], health)


def webhook_server(routes: Sequence[Route], health: Health,
                   bound: int = IN_HAND) -> web.Application:
    tasks: set[asyncio.Task[None]] = set()
    # Backpressure: at most ``bound`` updates in hand (kept and not yet handled); past
    # that a post waits for one to finish before its update is kept and acknowledged,
    # so a burst waits at the platform rather than as tasks in this process, and the
    # acknowledgements of what is taken are not queued behind hundreds of turns.
    slots = asyncio.Semaphore(bound)

    def receiver(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(route.header, "")
            if not hmac.compare_digest(given.encode(), route.secret.encode()):
                log.warning("webhook call to %s with a wrong secret from %s", route.path,
                            request.remote)
                return _refused(401, "wrong secret token")
            if (request.content_length or 0) > MAX_BODY:
                return _refused(413, "too large")
            try:
                raw = await request.read()
            except web.HTTPRequestEntityTooLarge:  # a body without its length announced
                return _refused(413, "too large")
            body, problem = parse_body(raw)
            if problem is not None:
                log.info("webhook call to %s refused: %s", route.path, problem)
                return _refused(400, problem)
            try:
                update = route.accept(body)
            except Exception as exc:  # a route's reader must not turn garbage into a 500
                log.warning("webhook call to %s: unreadable update: %s", route.path,
                            one_line(exc))
                update = None
            if update is None:
                log.warning("webhook call to %s ignored: not an update", route.path)
                return web.json_response({"ok": True, "description": "ignored"})
            await slots.acquire()
            task = None
            try:
                if route.keep is not None:
                    try:
                        new = await route.keep(update)
                    except Exception as exc:  # not kept: the platform must send it again
                        log.error("webhook call to %s not kept, asked to resend: %s",
                                  route.path, one_line(exc))
                        return _refused(503, "try again later")
                    if not new:
                        return web.json_response({"ok": True, "description": "duplicate"})
                task = asyncio.create_task(_handle(route.feed, update))
            finally:  # the slot is the task's until it ends; otherwise free at once
                if task is None:
                    slots.release()
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            task.add_done_callback(lambda _task: slots.release())
            return web.json_response({"ok": True})

        return receive

    async def healthy(_request: web.Request) -> web.Response:
        ok = await health()
        return web.json_response({"status": "ok" if ok else "degraded"},
                                 status=200 if ok else 503)

    async def drain(_app: web.Application) -> None:
        if tasks:
            await asyncio.wait(set(tasks), timeout=30)

    app = web.Application(client_max_size=MAX_BODY)
    for route in routes:
        app.router.add_post(route.path, receiver(route))
    app.router.add_get(HEALTH_PATH, healthy)
    app.on_shutdown.append(drain)
    return app


def parse_body(raw: bytes) -> tuple[dict[str, Any], None] | tuple[None, str]:
    """A posted body as a JSON object, or why it is not one."""
    try:
        body = json.loads(raw)
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:  # not JSON, not UTF-8, a number too long
        return None, "not JSON"
    if not isinstance(body, dict):
        return None, "not an object"
    if too_deep(body, MAX_DEPTH):
        return None, "nested too deeply"
    return body, None


def too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects and lists more than ``limit`` levels (counted
    without recursion: the readers after this one recurse)."""
    level: list[Any] = [value]
    for _ in range(limit):
        level = [item for container in level
                 for item in (container.values() if isinstance(container, dict)
                              else container if isinstance(container, list) else ())
                 if isinstance(item, dict | list)]
        if not level:
            return False
    return True


def _refused(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=status)


async def _handle(feed: Feed, update: dict[str, Any]) -> None:
    try:
        await feed(update)
    except Exception:  # one bad update must not take the server down
        log.exception("update %s failed", _update_id(update))


def _update_id(update: dict[str, Any]) -> str:
    """Which update it was, for the log: its id, or its message's."""
    message = update.get("message")
    found = update.get("update_id") or (message.get("message_id")
                                        if isinstance(message, dict) else None)
    return clean_text(str(found))[:64]
