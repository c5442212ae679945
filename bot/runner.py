"""``cadrebot run``: the bot on Telegram, Zalo or both, with its notifier and reminders,
until stopped.

One process holds: the assistant (handlers on the database), the Telegram adapter
(aiogram, or python-telegram-bot) and/or the Zalo adapter, one notifier draining the
outbox to both (each platform under its own rate limits), and the reminder scheduler.
Each channel's updates arrive by long polling, or by webhook when its public URL is
set; both webhooks are served by one server, each on its own path. Several processes
may serve the bots by webhook when they share Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.console import ensure_demo
from bot.delivery import (
    DeliveryError,
    GivenUp,
    Handled,
    Keep,
    Sender,
    telegram_key,
    zalo_key,
)
from bot.notifier import Notifier
from bot.ratelimit import Limits, RateLimiter
from bot.settings import CHANNELS, Settings
from bot.telegram.bot_ops import CommandsFor
from bot.telegram.core import TelegramCore, TelegramOps
from bot.wiring import App, SystemClock, build_app
from handlers.command_list import command_list
from handlers.messages import Reply, reply_to_json
from storage import inbox
from storage.outbox import OUTBOX_COMMITS
from storage.outbox_queue import keep_reply, mark_seen

if TYPE_CHECKING:  # each imported only when configured: redis, aiohttp's server, Zalo
    from bot.redis_state import RedisCoordination
    from bot.webhook import Route
    from bot.zalo.adapter import ZaloAdapter

log = logging.getLogger(__name__)


FRAMEWORKS = ("aiogram", "ptb")
# Ctrl-C or SIGTERM: at most this long for each stage, 16 s in all: the channels stop
# taking updates (a long poll in flight is cut short), the turns already started finish
# and send their answers, and the notifier gives back what it has not sent.
CHANNELS_STOP_SECONDS = 4.0
TURNS_STOP_SECONDS = 4.0
NOTIFIER_STOP_SECONDS = 8.0


class Adapter(Protocol):
    """A Telegram library, seen from the runner."""

    name: str

    @property
    def ops(self) -> TelegramOps: ...

    def attach(self, core: TelegramCore) -> None: ...

    def keep_polled(self, keep: Keep) -> None: ...

    async def prepare(self, commands: CommandsFor) -> str:
        """Check the token; register the guests' command menu (the default), and keep
        ``commands`` for the menus of linked chats."""
        ...

    async def poll(self, stop: asyncio.Event) -> None: ...

    async def feed(self, data: dict[str, Any]) -> None: ...

    async def set_webhook(self, url: str, secret: str, connections: int = 40) -> None: ...

    async def close(self) -> None: ...


class ChannelError(Exception):
    """A platform other than Telegram refused to start its bot: which one, and why."""

    def __init__(self, channel: str, cause: Exception) -> None:
        super().__init__(f"{channel}: {cause}")
        self.channel, self.cause = channel, cause


def make_adapter(framework: str, token: str, api_base: str | None) -> Adapter:
    if framework == "ptb":
        from bot.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(token, api_base)
    from bot.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(token, api_base)


class Service:
    """A running bot: built by ``start``, served by ``serve``, ended by ``close``."""

    def __init__(self, settings: Settings, app: App, notifier: Notifier,
                 redis: RedisCoordination | None, *, adapter: Adapter | None = None,
                 core: TelegramCore | None = None, zalo: ZaloAdapter | None = None) -> None:
        self.settings, self.app, self.adapter = settings, app, adapter  # adapter: Telegram's
        self.core, self.notifier, self.redis = core, notifier, redis
        self.zalo = zalo
        self.username = ""  # the Telegram bot's
        self.zalo_name = ""
        self.done_marks: inbox.DoneMarks | None = None  # written before closing
        self._tasks: list[asyncio.Task[Any]] = []

    @classmethod
    async def start(cls, settings: Settings, *, framework: str = "aiogram",
                    channels: Sequence[str] | None = None, engine: AsyncEngine | None = None,
                    clock: object | None = None, reminders: bool = True) -> Service:
        """``channels``: "telegram", "zalo" or both; by default those with a token."""
        chosen = tuple(channels) if channels is not None else settings.channels
        if not chosen or set(chosen) - set(CHANNELS):
            raise ValueError(f"no channel to serve among {CHANNELS}: {chosen}")
        token = settings.token if "telegram" in chosen else None
        zalo_token = settings.zalo_bot_token if "zalo" in chosen else None
        if "telegram" in chosen and token is None:
            raise ValueError("no Telegram token")
        if "zalo" in chosen and zalo_token is None:
            raise ValueError("no Zalo token")
        redis = None
        if settings.redis_url:
            from bot.redis_state import RedisCoordination

            # Update ids are per bot: the namespace names the bot (its id, before the ":").
            bot = (f"telegram:{token.split(':')[0]}" if token
                   else f"zalo:{(zalo_token or '').split(':')[0]}")
            redis = RedisCoordination(settings.redis_url, bot, prefix=settings.redis_prefix)
            await redis.check()
        app = await build_app(settings=settings, engine=engine,
                              clock=clock or SystemClock.of(settings),
                              account_lock=redis.account_lock if redis else None)
        if await ensure_demo(app):
            log.warning("the demo organisation was loaded into the empty database")
        adapter = make_adapter(framework, token, settings.telegram_api_base) if token else None
        if zalo_token:
            from bot.zalo.adapter import ZaloAdapter
        zalo = (ZaloAdapter(zalo_token, settings.zalo_api_base, app.services, app.engine,
                            default_language=settings.language) if zalo_token else None)
        # One limiter per bot, shared by the replies to people and the notifier: the
        # platform's limit is per bot, whatever the kind of message (sliding windows:
        # never more than the rate within any second).
        limiter = RateLimiter(Limits(per_second=settings.send_rate))
        zalo_limiter = RateLimiter(Limits(per_second=settings.zalo_send_rate))
        senders: dict[str, Sender] = {}
        if adapter is not None:
            senders["telegram"] = adapter.ops
        if zalo is not None:
            senders["zalo"] = zalo.sender
        notifier = Notifier(app.services, app.engine, senders, limiter,
                            clock=app.services.clock.now, limiters={"zalo": zalo_limiter})

        async def seen(channel: str, account: str) -> None:
            if await mark_seen(app.engine, channel, account, app.services.clock.now()):
                notifier.wake()  # reachable again: what waited for them can go

        def keep(channel: str) -> GivenUp:
            async def kept(chat: str, error: str, reply: Reply) -> None:
                if await keep_reply(app.engine, channel, chat, reply_to_json(reply),
                                    app.services.clock.now()):
                    notifier.wake()
            return kept

        def keeper(channel: str) -> Keep:
            async def kept(updates: list[dict[str, Any]]) -> None:
                # Only what a turn will answer (and so mark): a Zalo event that is not
                # a message has no id and would wait in the inbox forever.
                await inbox.keep_all(app.engine, channel,
                                     [(key, u) for u in updates
                                      if not (key := update_key(u)).startswith("h")],
                                     app.services.clock.now())
            return kept

        done_marks = inbox.DoneMarks(app.engine)  # turns finishing together: one write
        committed = [OUTBOX_COMMITS[0]]

        def wake_if_written() -> None:
            # After turns that wrote no outbox rows (most: a menu, help, a step of a
            # form) the notifier is not woken for an empty claim, which would take the
            # database's write lock every time.
            if OUTBOX_COMMITS[0] != committed[0]:
                committed[0] = OUTBOX_COMMITS[0]
                notifier.wake()

        def marker(channel: str) -> Handled:
            async def mark(key: str) -> None:
                # Not awaited: the chat's next update need not wait for this write.
                done_marks.mark_soon(channel, key, app.services.clock.now())
            return mark

        core = None
        if adapter is not None:
            adapter.keep_polled(keeper("telegram"))
            core = TelegramCore(app.assistant, adapter.ops, limiter,
                                max_file_bytes=settings.max_file_mb * 1024 * 1024,
                                default_language=settings.language, seen=seen,
                                after_turn=wake_if_written, claim=redis.claim if redis else None,
                                given_up=keep("telegram"), handled=marker("telegram"),
                                chat_lock=redis.account_lock if redis else None)
            adapter.attach(core)
        if zalo is not None:
            zalo.attach(app.assistant, zalo_limiter,
                        max_file_bytes=settings.max_file_mb * 1024 * 1024, seen=seen,
                        after_turn=wake_if_written,
                        claim=_message_claim(redis, zalo_token or "") if redis else None,
                        given_up=keep("zalo"), handled=marker("zalo"),
                        chat_lock=redis.account_lock if redis else None)
            zalo.keep = keeper("zalo")
        service = cls(settings, app, notifier, redis, adapter=adapter, core=core, zalo=zalo)
        service.done_marks = done_marks
        try:
            if adapter is not None:
                known = app.assistant.commands
                service.username = await adapter.prepare(
                    lambda lang, audience: command_list(lang, known, audience))
            if zalo is not None:
                service.zalo_name = await _zalo_step(zalo.prepare())
        except BaseException:
            await service.close()
            raise
        if reminders:
            app.start_reminders()
        return service

    async def serve(self, stop: asyncio.Event) -> None:
        """Handle updates and drain the outbox until ``stop`` is set."""
        notifier = asyncio.create_task(self.notifier.run(stop))
        self._tasks.append(notifier)
        try:
            await self._serve_channels(stop)
        finally:
            stop.set()
            await self._turns_finished(TURNS_STOP_SECONDS)
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(notifier, timeout=NOTIFIER_STOP_SECONDS)

    async def _turns_finished(self, seconds: float) -> None:
        """Until no update is being handled (or ``seconds`` passed)."""
        cores = [c for c in (self.core, self.zalo.core if self.zalo else None) if c]
        deadline = asyncio.get_running_loop().time() + seconds
        while any(core.active for core in cores):
            if asyncio.get_running_loop().time() > deadline:
                log.warning("stopping with %d updates still being handled",
                            sum(core.active for core in cores))
                return
            await asyncio.sleep(0.05)

    async def _serve_channels(self, stop: asyncio.Event) -> None:
        """Each channel polls, or has a route on the webhook server; all until ``stop``."""
        settings = self.settings
        jobs: list[Coroutine[Any, Any, None]] = []
        routes: list[Route] = []
        hooks: list[Callable[[], Awaitable[None]]] = []  # once the server listens
        adapter, zalo = self.adapter, self.zalo
        if adapter is not None:
            if settings.webhook_url:
                from bot.webhook import Route

                secret = _secret(settings.webhook_secret)
                await self._replay("telegram", adapter.feed)
                routes.append(Route(settings.webhook_path, adapter.feed, secret,
                                    keep=self._keeper("telegram")))
                hooks.append(lambda: adapter.set_webhook(f"{settings.webhook_url}", secret,
                                                         settings.webhook_connections))
            else:
                await self._replay("telegram", adapter.feed)
                jobs.append(adapter.poll(stop))
        if zalo is not None:
            if settings.zalo_webhook_url:
                from bot.webhook import Route
                from bot.zalo.adapter import SECRET_HEADER as ZALO_SECRET_HEADER
                from bot.zalo.adapter import wrapped_update

                zalo_secret = _secret(settings.zalo_webhook_secret)
                await self._replay("zalo", zalo.feed)
                routes.append(Route(settings.zalo_webhook_path, zalo.feed, zalo_secret,
                                    header=ZALO_SECRET_HEADER, accept=wrapped_update,
                                    keep=self._keeper("zalo")))
                hooks.append(lambda: _zalo_step(zalo.set_webhook(
                    f"{settings.zalo_webhook_url}", zalo_secret)))
            else:
                await self._replay("zalo", zalo.feed)
                jobs.append(_zalo_step(zalo.poll(stop)))
        if routes:
            jobs.append(self._serve_webhook(stop, routes, hooks))
        await _together(jobs, stop)

    def _keeper(self, channel: str) -> Callable[[dict[str, Any]], Awaitable[bool]]:
        async def keep(update: dict[str, Any]) -> bool:
            return await inbox.keep(self.app.engine, channel, update_key(update), update,
                                    self.app.services.clock.now())
        return keep

    async def _replay(self, channel: str,
                      feed: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        """What a stopped process acknowledged but never handled, handled now, oldest
        first. (A turn marks its own update handled; marking here too covers an update
        its turn skipped, e.g. one another worker had claimed.)"""
        left = await inbox.waiting(self.app.engine, channel, self.app.services.clock.now())
        if left:
            log.warning("%s: %d updates acknowledged before a stop are handled now",
                        channel, len(left))
        for key, update in left:
            try:
                await feed(update)
                await inbox.done(self.app.engine, channel, key,
                                 self.app.services.clock.now())
            except Exception:
                log.exception("%s: a kept update could not be handled", channel)

    async def _serve_webhook(self, stop: asyncio.Event, routes: list[Route],
                             hooks: list[Callable[[], Awaitable[None]]]) -> None:
        from aiohttp import web

        from bot.webhook import webhook_server

        settings = self.settings
        server = web.AppRunner(webhook_server(routes, self.healthy))
        await server.setup()
        site = web.TCPSite(server, settings.webhook_host, settings.webhook_port)
        await site.start()
        try:
            for hook in hooks:
                await hook()
            log.info("webhook serving on %s:%s%s", settings.webhook_host,
                     settings.webhook_port, ", ".join(r.path for r in routes))
            await stop.wait()
        finally:
            await server.cleanup()

    async def healthy(self) -> bool:
        try:
            async with self.app.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            if self.redis is not None:
                await self.redis.check()
        except Exception:
            log.exception("health check failed")
            return False
        return True

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.done_marks is not None:
            await self.done_marks.flush()
        if self.adapter is not None:
            await self.adapter.close()
        if self.zalo is not None:
            await self.zalo.close()
        if self.redis is not None:
            await self.redis.close()
        await self.app.close()


async def _together(jobs: list[Coroutine[Any, Any, None]], stop: asyncio.Event) -> None:
    """Run ``jobs`` until ``stop`` or until all end; the first to fail stops the others,
    then is raised. Once stopping, a job gets ``CHANNELS_STOP_SECONDS`` to end by itself
    before it is cancelled (a long poll in flight would otherwise hold the exit)."""
    tasks = [asyncio.create_task(job) for job in jobs]
    stopping = asyncio.ensure_future(stop.wait())
    try:
        running: set[asyncio.Future[Any]] = set(tasks)
        while running and not stop.is_set():
            done, running = await asyncio.wait(running | {stopping},
                                               return_when=asyncio.FIRST_COMPLETED)
            running.discard(stopping)
            if any(not t.cancelled() and t.exception() is not None
                   for t in done if t is not stopping):
                break
    finally:
        stop.set()
        stopping.cancel()
        _, late = await asyncio.wait(tasks, timeout=CHANNELS_STOP_SECONDS)
        for task in late:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result,
                                                                asyncio.CancelledError):
            raise result


async def _zalo_step(step: Awaitable[Any]) -> Any:
    """A Zalo call at start-up or while serving: its refusal says it was Zalo's."""
    try:
        return await step
    except DeliveryError as exc:
        raise ChannelError("zalo", exc) from exc


def update_key(update: dict[str, Any]) -> str:
    """An update's identity on its platform: Telegram's update id, Zalo's message id,
    else a digest of its content."""
    if "update_id" in update:
        return telegram_key(update["update_id"])
    message = update.get("message")
    if isinstance(message, dict) and message.get("message_id"):
        return zalo_key(message["message_id"])
    return "h" + hashlib.sha256(json.dumps(update, sort_keys=True, default=str).encode()
                                ).hexdigest()


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def _message_claim(redis: RedisCoordination, token: str) -> Callable[[str], Awaitable[bool]]:
    """Zalo has no update ids: the first worker to claim a message id handles it."""
    from bot.redis_state import CLAIM_SECONDS

    namespace = f"zalo:{token.split(':')[0]}"

    async def claim(message_id: str) -> bool:
        key = f"{redis.prefix}:{namespace}:message:{message_id}"
        return bool(await redis.redis.set(key, b"1", nx=True, ex=CLAIM_SECONDS))

    return claim


async def run_until_signal(settings: Settings, framework: str,
                           engine: AsyncEngine | None = None,
                           channels: Sequence[str] | None = None) -> None:
    """``cadrebot run``: serve until Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    service = await Service.start(settings, framework=framework, engine=engine,
                                  channels=channels)
    if service.adapter is not None:
        mode = "webhook" if settings.webhook_url else "polling"
        print(f"cadrebot: @{service.username} is running ({framework}, {mode}); "
              "Ctrl-C stops it.", flush=True)
    if service.zalo is not None:
        mode = "webhook" if settings.zalo_webhook_url else "polling"
        print(f"cadrebot: the Zalo bot {service.zalo_name} is running ({mode}); "
              "Ctrl-C stops it.", flush=True)
    try:
        await service.serve(stop)
    finally:
        await service.close()
