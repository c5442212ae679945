"""The python-telegram-bot 22 adapter: PTB's updates into ``Incoming``, ``TelegramOps``
onto its ``Bot``; the twin of ``aiogram_adapter``.

Nothing here decides anything; ``TelegramCore`` and the handlers do. PTB runs without
persistence, job queue or rate limiter (the core and the notifier own those), and
handles updates concurrently: the core serializes each account's turns itself. An update
PTB cannot read is logged in one line and ignored, whether posted to the webhook or
polled (``UpdatesRequest``: otherwise every ``getUpdates`` would fail on it, forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import (
    UNREADABLE,
    DeliveryError,
    Keep,
    Keyboard,
    RetryAfter,
    Transient,
    Unreachable,
)
from bot.telegram import intake
from bot.telegram.bot_ops import BotOps, CommandsFor
from bot.telegram.core import (
    FileRef,
    Incoming,
    TelegramCore,
    checked,
    ignored,
    read_update,
    readable_updates,
)
from handlers.command_list import Audience

log = logging.getLogger(__name__)

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT = dtm.timedelta(seconds=20)


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
        for row in buttons])


def retry_seconds(exc: PtbRetryAfter) -> float:
    with warnings.catch_warnings():  # an int until PTB_TIMEDELTA, a timedelta after
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def call(request: Awaitable[T]) -> T:
    """Run one Bot API request, its failures turned into the delivery errors."""
    try:
        return await request
    except PtbRetryAfter as exc:
        raise RetryAfter(retry_seconds(exc)) from exc
    except Forbidden as exc:
        raise Unreachable(exc.message) from exc
    except BadRequest as exc:  # before NetworkError: PTB makes it a subclass
        if "chat not found" in exc.message.lower():
            raise Unreachable(exc.message) from exc
        raise DeliveryError(exc.message) from exc
    except (TimeoutError, NetworkError) as exc:  # TimedOut, 5xx, dropped connections
        raise Transient(str(exc)) from exc
    except TelegramError as exc:
        if isinstance(exc.__cause__, ValueError):  # a body that is not JSON: a broken proxy
            raise Transient(exc.message) from exc
        raise DeliveryError(exc.message) from exc


class PtbOps(BotOps):
    async def call(self, request: Awaitable[Any]) -> Any:
        return await call(request)

    def command_types(self) -> tuple[Any, Any]:
        return BotCommand, BotCommandScopeChat

    def markup(self, buttons: Keyboard) -> InlineKeyboardMarkup | None:
        return markup(buttons)

    def upload(self, name: str, content: bytes) -> InputFile:
        return InputFile(content, filename=name)

    async def fetch(self, info: Any) -> bytes:
        return bytes(await call(info.download_as_bytearray()))


def incoming_message(update: Update) -> Incoming:
    message = update.message
    assert message is not None, "not a message update"
    files: list[FileRef] = []
    if message.document is not None:
        doc = message.document
        files.append(FileRef(doc.file_id, doc.file_name or "document", doc.mime_type,
                             doc.file_size))
    if message.photo:
        photo = max(message.photo, key=lambda size: size.width * size.height)
        files.append(FileRef(photo.file_id, f"photo-{photo.file_unique_id}.jpg", "image/jpeg",
                             photo.file_size))
    user = message.from_user
    text = message.text if message.text is not None else message.caption
    return Incoming(update_id=update.update_id, user_id=user.id if user else message.chat.id,
                    chat_id=message.chat.id, text=text, files=tuple(files),
                    language_code=user.language_code if user else None,
                    name=user.full_name if user else "",
                    unsupported=text is None and not files)


def incoming_press(update: Update) -> Incoming:
    query = update.callback_query
    assert query is not None, "not a callback query update"
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    # An inaccessible (very old) message cannot be edited: answer with a new one. PTB
    # parses it as a ``Message`` dated 0, so ask ``is_accessible``, not its class.
    pressed = message.message_id if message is not None and message.is_accessible else None
    return Incoming(update_id=update.update_id, user_id=query.from_user.id, chat_id=chat_id,
                    data=query.data or "", message_id=pressed,
                    language_code=query.from_user.language_code,
                    name=query.from_user.full_name)


def readable(data: Any, bot: Any = None) -> Update:
    """``data`` as PTB's ``Update``, if both PTB and the core can read it. PTB does not
    check types, and a wrong one (a chat id that is an object) would fail inside it,
    after our handlers."""
    update = Update.de_json(data, bot)
    if update is None:
        raise ValueError("not an update")
    if update.message is not None:
        checked(incoming_message(update))
    elif update.callback_query is not None:
        checked(incoming_press(update))
    return update


class UpdatesRequest(HTTPXRequest):
    """The connection ``getUpdates`` uses (one, as PTB's default), whose answers lose the
    updates PTB cannot read (each logged in one line) instead of failing whole."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        # A polled batch is handed to ``keep`` before PTB sees it: the next poll
        # acknowledges it. If keeping fails the poll fails and PTB asks again.
        self.keep: Keep | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        answer = HTTPXRequest.parse_json_payload(payload)
        if isinstance(answer, dict) and "result" in answer:
            answer["result"] = readable_updates(answer["result"], readable)
        return answer

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, *args, **kwargs)
        if self.keep is not None and code == 200 and url.endswith("/getUpdates"):
            try:
                result = self.parse_json_payload(payload).get("result")
            except Exception:  # PTB says what is wrong with it
                return code, payload
            updates = [u for u in result or () if isinstance(u, dict) and len(u) > 1]
            if updates:
                await self.keep(updates)
        return code, payload


def update_chat(update: Update) -> str:
    """The chat an update belongs to: its updates are handled in order."""
    chat = update.effective_chat
    if chat is not None:
        return str(chat.id)
    user = update.effective_user
    return str(user.id) if user is not None else f"update:{update.update_id}"


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update %s failed", getattr(update, "update_id", update), exc_info=context.error)


class PtbAdapter:
    """One bot on python-telegram-bot: polling, or updates fed from the webhook server."""

    name = "ptb"

    def __init__(self, token: str, api_base: str | None = None, *,
                 bound: int = intake.DEFAULT_BOUND) -> None:
        self.intake = intake.Intake(bound)  # polled updates in hand at most
        self.updates_request = UpdatesRequest()
        builder = (ApplicationBuilder().token(token).concurrent_updates(True).job_queue(None)
                   .get_updates_request(self.updates_request))
        if api_base:
            builder = builder.base_url(f"{api_base}/bot").base_file_url(f"{api_base}/file/bot")
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.ops = PtbOps(self.application.bot)
        self._init_lock = asyncio.Lock()
        self.application.add_error_handler(log_error)

    def keep_polled(self, keep: Keep) -> None:
        """Make each polled batch durable before the next poll acknowledges it."""
        self.updates_request.keep = keep

    def attach(self, core: TelegramCore) -> None:
        async def on_message(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            incoming = read_update(update.update_id, lambda: incoming_message(update))
            if incoming is not None:
                await core.handle(incoming)

        async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.callback_query is not None
            incoming = read_update(update.update_id, lambda: incoming_press(update))
            if incoming is None:
                return
            # Answered at once, so the button stops spinning whatever the handling takes.
            with contextlib.suppress(DeliveryError):  # expired: the press is still handled
                await call(update.callback_query.answer())
            await core.handle(incoming)

        # Every message, commands included: /start and the rest are the core's too.
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
        self.application.add_handler(CallbackQueryHandler(on_press))

    async def _initialize(self) -> None:
        async with self._init_lock:  # idempotent, but not safe to run twice at once
            await call(self.application.initialize())

    async def prepare(self, commands: CommandsFor) -> str:
        """Check the token, register the command menu; the bot's username."""
        self.ops.commands_for = commands
        await self._initialize()
        bot = self.application.bot
        me = await call(bot.get_me())
        for lang in ("vi", "en"):  # Vietnamese is the default menu
            entries = [BotCommand(c, d[:256]) for c, d in commands(lang, Audience.GUEST)]
            await call(bot.set_my_commands(entries, scope=BotCommandScopeDefault(),
                                           language_code=None if lang == "vi" else lang))
        return str(me.username or me.id)

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling with backpressure (``intake``): updates handled concurrently up to
        ``self.intake.bound``, each chat's in order; PTB's updater would fetch on into an
        unbounded queue whatever the handlers' pace."""
        await self._initialize()
        bot = self.application.bot
        await call(bot.delete_webhook(drop_pending_updates=False))

        async def fetch(offset: int | None, limit: int) -> tuple[Update, ...]:
            try:
                return await call(bot.get_updates(
                    offset=offset, limit=limit, timeout=POLL_TIMEOUT,
                    allowed_updates=ALLOWED_UPDATES))
            except DeliveryError as error:
                if isinstance(error.__cause__, Conflict):
                    raise Transient(str(error)) from error  # another poller, for now
                raise

        await intake.poll(fetch, lambda u: u.update_id, update_chat,
                          self.application.process_update, self.intake, stop)

    async def feed(self, data: dict[str, Any]) -> None:
        await self._initialize()
        try:
            update = readable(data, self.application.bot)
        except UNREADABLE as exc:
            ignored(data.get("update_id"), exc)
            return
        await self.application.process_update(update)

    async def set_webhook(self, url: str, secret: str, connections: int = 40) -> None:
        await self._initialize()
        await call(self.application.bot.set_webhook(url, secret_token=secret or None,
                                                    max_connections=connections,
                                                    allowed_updates=ALLOWED_UPDATES))

    async def close(self) -> None:
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
