"""The aiogram 3 adapter: aiogram's updates into ``Incoming``, ``TelegramOps`` onto ``Bot``.

Nothing here decides anything; ``TelegramCore`` and the handlers do. Texts are sent
without a parse mode, so nothing a person typed can break the markup. An update aiogram
cannot read is logged in one line and ignored, whether posted to the webhook or polled
(``UpdatesSession``: otherwise the whole ``getUpdates`` answer would fail, again and
again).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)

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
    ignored,
    read_update,
    readable_updates,
)
from handlers.command_list import Audience

T = TypeVar("T")
UPDATE_KINDS = ("message", "callback_query")
POLL_SECONDS = 20  # a long poll's wait at Telegram


class UpdatesSession(AiohttpSession):
    """aiogram's session, but a ``getUpdates`` answer loses the updates aiogram cannot
    read (each logged in one line) instead of failing whole, and is handed to ``keep``
    (when set) before aiogram sees it: the next poll acknowledges these updates, so they
    must be durable by then. If keeping fails the poll fails, and aiogram asks again."""

    keep: Keep | None = None
    _polled: list[Any] | None = None

    def check_response(self, bot: Bot, method: TelegramMethod[TelegramType],
                       status_code: int, content: str) -> Response[TelegramType]:
        _hold_response_type(method.__returning__)
        polls = type(method) is GetUpdates
        if not polls:
            return super().check_response(bot, method, status_code, content)
        response: Response[TelegramType]
        try:  # nearly always every update is readable: the page is read once
            response = super().check_response(bot, method, status_code, content)
        except (ClientDecodeError, RecursionError):
            content = _readable_answer(content)  # without the updates aiogram cannot read
            response = super().check_response(bot, method, status_code, content)
        try:
            self._polled = json.loads(content).get("result")
        except (ValueError, AttributeError, RecursionError):
            self._polled = None
        return response

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, GetUpdates) and self.keep is not None:
            polled, self._polled = self._polled, None
            updates = [u for u in polled or () if isinstance(u, dict) and len(u) > 1]
            if updates:
                await self.keep(updates)
        return result


# aiogram reads every answer as ``Response[<the method's result type>]``. pydantic keeps
# such parametrised models only weakly: once the garbage collector takes one, the next
# answer builds it again (about 10 ms of CPU each, a third of a turn). Held here, each is
# built once per process.
_RESPONSE_TYPES: dict[Any, Any] = {}


def _hold_response_type(returning: Any) -> None:
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]


def _readable_answer(content: str) -> str:
    try:
        answer = json.loads(content)
    except (ValueError, RecursionError):
        return content  # aiogram says what is wrong with it
    if not isinstance(answer, dict) or not isinstance(answer.get("result"), list):
        return content
    answer["result"] = readable_updates(answer["result"], Update.model_validate)
    return json.dumps(answer)


def make_bot(token: str, api_base: str | None = None) -> Bot:
    """A ``Bot`` on Telegram, or on another Bot API server at ``api_base``."""
    if api_base:
        return Bot(token, session=UpdatesSession(api=TelegramAPIServer.from_base(api_base)))
    return Bot(token, session=UpdatesSession())


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b.label, callback_data=b.action) for b in row]
        for row in buttons])


async def call(request: Awaitable[T]) -> T:
    """Run one Bot API request, its failures turned into the delivery errors."""
    try:
        return await request
    except TelegramRetryAfter as exc:
        raise RetryAfter(float(exc.retry_after)) from exc
    except TelegramForbiddenError as exc:
        raise Unreachable(exc.message) from exc
    except (TimeoutError, TelegramServerError, TelegramNetworkError, ClientDecodeError) as exc:
        raise Transient(str(exc)) from exc
    except TelegramBadRequest as exc:
        if "chat not found" in exc.message.lower():
            raise Unreachable(exc.message) from exc
        raise DeliveryError(exc.message) from exc
    except TelegramAPIError as exc:
        raise DeliveryError(exc.message) from exc


class AiogramOps(BotOps):
    async def call(self, request: Awaitable[Any]) -> Any:
        return await call(request)

    def command_types(self) -> tuple[Any, Any]:
        return BotCommand, BotCommandScopeChat

    def markup(self, buttons: Keyboard) -> InlineKeyboardMarkup | None:
        return markup(buttons)

    def upload(self, name: str, content: bytes) -> BufferedInputFile:
        return BufferedInputFile(content, filename=name)

    async def fetch(self, info: Any) -> bytes:
        buffer = io.BytesIO()
        await call(self.bot.download_file(info.file_path, buffer))
        return buffer.getvalue()


def incoming_message(update_id: int, message: Message) -> Incoming:
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
    return Incoming(update_id=update_id, user_id=user.id if user else message.chat.id,
                    chat_id=message.chat.id, text=text, files=tuple(files),
                    language_code=user.language_code if user else None,
                    name=user.full_name if user else "",
                    unsupported=text is None and not files)


def incoming_press(update_id: int, query: CallbackQuery) -> Incoming:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    # An inaccessible (very old) message cannot be edited: answer with a new one.
    pressed = message.message_id if isinstance(message, Message) else None
    return Incoming(update_id=update_id, user_id=query.from_user.id, chat_id=chat_id,
                    data=query.data or "", message_id=pressed,
                    language_code=query.from_user.language_code,
                    name=query.from_user.full_name)


def build_dispatcher(core: TelegramCore) -> Dispatcher:
    router = Router(name="cadrebot")

    @router.message()
    async def on_message(message: Message, event_update: Any = None) -> None:
        update_id = event_update.update_id if event_update is not None else -message.message_id
        incoming = read_update(update_id, lambda: incoming_message(update_id, message))
        if incoming is not None:
            await core.handle(incoming)

    @router.callback_query()
    async def on_press(query: CallbackQuery, event_update: Any = None) -> None:
        update_id = event_update.update_id if event_update is not None else hash(query.id)
        incoming = read_update(update_id, lambda: incoming_press(update_id, query))
        if incoming is None:
            return
        # Answered at once, so the button stops spinning whatever the handling takes.
        with contextlib.suppress(DeliveryError):  # expired: the press is still handled
            await call(query.answer())
        await core.handle(incoming)

    async def only_known_kinds(
            handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
            update: TelegramObject, data: dict[str, Any]) -> Any:
        # An update of another kind (or one kept only for its id: ``UpdatesSession``)
        # is not ours: aiogram would warn of an unknown kind.
        if all(getattr(update, kind, None) is None for kind in UPDATE_KINDS):
            return UNHANDLED
        return await handler(update, data)

    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(only_known_kinds)
    dispatcher.include_router(router)
    return dispatcher


def update_chat(update: Update) -> str:
    """The chat an update belongs to: its updates are handled in order."""
    if update.message is not None:
        return str(update.message.chat.id)
    query = update.callback_query
    if query is not None:
        return str(query.message.chat.id if query.message is not None else query.from_user.id)
    return f"update:{update.update_id}"  # of no kind we handle: on a line of its own


async def register_commands(bot: Bot, commands: CommandsFor) -> None:
    """The default command menu (a guest's) in Vietnamese and in English."""
    for lang in ("vi", "en"):
        entries = [BotCommand(command=c, description=d[:256])
                   for c, d in commands(lang, Audience.GUEST)]
        await call(bot.set_my_commands(entries, scope=BotCommandScopeDefault(),
                                       language_code=None if lang == "vi" else lang))


class AiogramAdapter:
    """One bot on aiogram: polling, or updates fed from the webhook server."""

    name = "aiogram"

    def __init__(self, token: str, api_base: str | None = None, *,
                 bound: int = intake.DEFAULT_BOUND) -> None:
        self.bot = make_bot(token, api_base)
        self.ops = AiogramOps(self.bot)
        self.dispatcher: Dispatcher | None = None
        self.intake = intake.Intake(bound)  # polled updates in hand at most

    def attach(self, core: TelegramCore) -> None:
        self.dispatcher = build_dispatcher(core)

    def keep_polled(self, keep: Keep) -> None:
        """Make each polled batch durable before the next poll acknowledges it."""
        session = self.bot.session
        if isinstance(session, UpdatesSession):
            session.keep = keep

    async def prepare(self, commands: CommandsFor) -> str:
        """Check the token, register the command menu; the bot's username."""
        self.ops.commands_for = commands
        me = await call(self.bot.get_me())
        await register_commands(self.bot, commands)
        return me.username or str(me.id)

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling with backpressure (``intake``): updates handled concurrently up to
        ``self.intake.bound``, each chat's in order; aiogram's own polling would take
        every queued update at once."""
        dispatcher = self.dispatcher
        assert dispatcher is not None, "attach() first"
        await call(self.bot.delete_webhook(drop_pending_updates=False))
        wait = {"request_timeout": int(self.bot.session.timeout + POLL_SECONDS)}

        async def fetch(offset: int | None, limit: int) -> list[Update]:
            try:
                return await call(self.bot(GetUpdates(
                    offset=offset, limit=limit, timeout=POLL_SECONDS,
                    allowed_updates=list(UPDATE_KINDS)), **wait))
            except DeliveryError as error:
                if isinstance(error.__cause__, TelegramConflictError):
                    raise Transient(str(error)) from error  # another poller, for now
                raise

        async def handle(update: Update) -> None:
            await dispatcher.feed_update(self.bot, update)

        await intake.poll(fetch, lambda u: u.update_id, update_chat, handle, self.intake, stop)

    async def feed(self, data: dict[str, Any]) -> None:
        assert self.dispatcher is not None, "attach() first"
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except UNREADABLE as exc:
            ignored(data.get("update_id"), exc)
            return
        await self.dispatcher.feed_update(self.bot, update)

    async def set_webhook(self, url: str, secret: str, connections: int = 40) -> None:
        await call(self.bot.set_webhook(url, secret_token=secret, max_connections=connections,
                                        allowed_updates=list(UPDATE_KINDS)))

    async def close(self) -> None:
        await self.bot.session.close()
