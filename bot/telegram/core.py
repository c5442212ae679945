"""What both Telegram adapters share: an update in, the assistant's replies out.

An adapter (aiogram or python-telegram-bot) only turns its library's update into an
``Incoming`` and implements ``TelegramOps`` (send, edit, download, send a file by its
id); everything else is here, once: files checked and fingerprinted, the assistant
asked, replies delivered within the flood limits (an edit of the pressed message where
the reply asks for one; a reply's files after its text), the notifier nudged, and a
redelivered update never handled twice.

The adapters read updates through ``read_update``: one the library cannot parse, or
whose fields are missing or of the wrong type, is logged in one line and ignored; texts
and names are cleaned (``clean_text``) before the core sees them. A reply that cannot be
delivered is logged in one line and handed to ``given_up``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.delivery import (
    UNREADABLE,
    DeliveryError,
    GivenUp,
    Handled,
    Keyboard,
    Sender,
    Unreachable,
    clean_text,
    deliver,
    deliver_files,
    give_up,
    one_line,
    telegram_key,
)
from bot.ratelimit import RateLimiter
from handlers.app import Assistant
from handlers.command_list import Audience
from handlers.i18n import LANGUAGES, Translator
from handlers.messages import Attachment, Inbound, Reply
from handlers.ports import AccountLock

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_TEXT = 4096
RECENT_UPDATES = 2048  # how many update ids to remember against redelivery
RECENT_MENUS = 10_000  # chats whose command menu this process remembers having set


@dataclass(frozen=True)
class FileRef:
    file_id: str
    name: str
    mime_type: str | None
    size: int | None  # as Telegram announced it; None when it did not say


@dataclass(frozen=True)
class Incoming:
    """The parts of a Telegram update the assistant uses."""

    update_id: int
    user_id: int
    chat_id: int
    text: str | None = None
    data: str | None = None  # a pressed button's callback data
    message_id: int | None = None  # the message whose button was pressed
    language_code: str | None = None
    name: str = ""
    files: tuple[FileRef, ...] = field(default=())
    unsupported: bool = False  # a sticker, a voice note...: nothing we can read


class FileTooLarge(Exception):
    pass


MAX_ID = 2 ** 63  # Telegram's ids fit in 64 bits (52 significant bits, in fact)


def read_update(update_id: object, convert: Callable[[], Incoming]) -> Incoming | None:
    """The ``Incoming`` that ``convert`` reads from an update, checked and cleaned; None
    (logged in one line) when a field is missing or of the wrong type."""
    try:
        return checked(convert())
    except UNREADABLE as exc:
        ignored(update_id, exc)
        return None


def ignored(update_id: object, error: BaseException) -> None:
    """Say in one line that an update was ignored, and why."""
    shown = update_id if isinstance(update_id, int) else "without an id"
    log.warning("telegram: ignored an unreadable update %s: %s", shown, one_line(error))


def checked(incoming: Incoming) -> Incoming:
    """``incoming`` with the types the core relies on (python-telegram-bot does not check
    them: TypeError when one is wrong) and its texts cleaned."""
    for value in (incoming.update_id, incoming.user_id, incoming.chat_id):
        _id(value)
    if incoming.message_id is not None:
        _id(incoming.message_id)
    files = tuple(FileRef(_text(f.file_id), _text(f.name), _optional_text(f.mime_type),
                          None if f.size is None else _id(f.size)) for f in incoming.files)
    return replace(incoming, text=_optional_text(incoming.text),
                   data=_optional_text(incoming.data),
                   language_code=_optional_text(incoming.language_code),
                   name=_text(incoming.name), files=files,
                   unsupported=incoming.unsupported is True)


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID < value < MAX_ID:
        raise TypeError(f"{type(value).__name__} where a 64-bit integer belongs")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{type(value).__name__} where a text belongs")
    return clean_text(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def readable_updates(updates: Any, parse: Callable[[Any], object]) -> Any:
    """A ``getUpdates`` result without the updates ``parse`` (the library's reader)
    refuses, each logged in one line: one bad update would otherwise fail every poll and
    stop the bot. One refused is kept as its bare ``update_id`` (an update of no kind,
    which nothing handles), so that polling confirms it and moves on."""
    if not isinstance(updates, list):
        return updates
    kept: list[Any] = []
    for update in updates:
        try:
            parse(update)
        except UNREADABLE as exc:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            ignored(update_id, exc)
            if isinstance(update_id, int) and not isinstance(update_id, bool):
                kept.append({"update_id": update_id})
            continue
        kept.append(update)
    return kept


def is_photo_refused(error: DeliveryError) -> bool:
    """Telegram refused to send a photo's file id as a document ("can't use file of
    type Photo as Document"): it must go as a photo."""
    text = str(error).lower()
    return "photo" in text and "document" in text


class TelegramOps(Sender, Protocol):
    """What an adapter implements on top of sending a text (``Sender``)."""

    async def edit_text(self, chat_id: str, message_id: int, text: str,
                        buttons: Keyboard) -> None:
        """Replace a message's text and buttons; "not modified" is not an error."""
        ...

    async def download(self, file_id: str, limit: int) -> bytes:
        """The file's bytes, or ``FileTooLarge`` past ``limit`` bytes."""
        ...

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        """Post a file Telegram holds (a document, or a photo) by its file id."""
        ...

    async def send_upload(self, chat_id: str, name: str, content: bytes,
                          caption: str) -> None:
        """Post a document the assistant made, uploading its bytes."""
        ...


Seen = Callable[[str, str], Awaitable[None]]  # (channel, external id) -> None


class TelegramCore:
    def __init__(self, assistant: Assistant, ops: TelegramOps, limiter: RateLimiter, *,
                 max_file_bytes: int = 20 * 1024 * 1024, default_language: str = "vi",
                 seen: Seen | None = None, after_turn: Callable[[], None] | None = None,
                 claim: Callable[[int], Awaitable[bool]] | None = None,
                 given_up: GivenUp | None = None, handled: Handled | None = None,
                 chat_lock: AccountLock | None = None) -> None:
        """``given_up(chat, error, reply)`` hears of every reply that could not be
        delivered (refused, or still failing after the retries)."""
        self.assistant, self.ops, self.limiter = assistant, ops, limiter
        self.given_up = given_up
        self.handled = handled  # marks a kept update done (storage.inbox)
        # Several workers (Redis): the same one-turn-at-a-time per chat across them.
        self.chat_lock = chat_lock
        self.max_file_bytes = max_file_bytes
        self.default_language = default_language
        self.seen, self.after_turn = seen, after_turn
        # ``claim(update_id)`` is True for the first worker to see an update (Redis when
        # several workers share the bot); otherwise a local memory of recent ids.
        self.claim = claim
        self._recent: OrderedDict[int, None] = OrderedDict()
        # The command menu last set for each recent chat by this process.
        self._menus: OrderedDict[str, Audience] = OrderedDict()
        self.active = 0  # updates being handled now (health checks, tests)
        # One turn at a time per chat, its answer sent before the next turn starts: a
        # reply held back by a 429 is never overtaken by the answer to a later message.
        self._chats: dict[str, asyncio.Lock] = {}

    async def handle(self, incoming: Incoming) -> None:
        # Taken before anything else is awaited, so turns queue in the order they came.
        chat = str(incoming.chat_id)
        # A private chat is its person's: its lock is the account's own (which the
        # assistant takes again, re-entrantly), one lock instead of two across workers.
        scope = CHANNEL if incoming.chat_id == incoming.user_id else f"{CHANNEL}-chat"
        async with self._chats.setdefault(chat, asyncio.Lock()), (
                self.chat_lock(scope, chat) if self.chat_lock
                else contextlib.nullcontext()):
            if not await self._first_time(incoming.update_id):
                return
            self.active += 1
            try:
                await self._handle(incoming)
                if self.handled is not None:
                    await self.handled(telegram_key(incoming.update_id))
            finally:
                self.active -= 1

    async def _handle(self, incoming: Incoming) -> None:
        account = str(incoming.user_id)
        try:
            replies = await self._answers(incoming, account)
        finally:
            # After the turn, which read the account with its other lookups
            # (storage.reads.TURN_SEEN): usually nothing is read or written again.
            if self.seen is not None:
                await self.seen(CHANNEL, account)
        await self.send_replies(str(incoming.chat_id), replies, incoming.message_id)
        if self.after_turn is not None:
            self.after_turn()

    async def _answers(self, incoming: Incoming, account: str) -> list[Reply]:
        chat = str(incoming.chat_id)
        hint = (incoming.language_code or "")[:2]
        language = hint if hint in LANGUAGES else None
        notes: list[Reply] = []
        attachments: list[Attachment] = []
        for ref in incoming.files:
            attachment, note = await self._fetch(ref, language or self.default_language)
            if attachment is not None:
                attachments.append(attachment)
            if note is not None:
                notes.append(note)
        replies = list(notes)
        if incoming.data is not None:
            replies += await self.assistant.handle(Inbound(
                CHANNEL, account, chat, action=incoming.data, language=language,
                display_name=incoming.name))
        elif incoming.text is not None or attachments or (incoming.unsupported and not notes):
            replies += await self.assistant.handle(Inbound(
                CHANNEL, account, chat, text=incoming.text, attachments=tuple(attachments),
                language=language, display_name=incoming.name))
        return replies

    async def send_replies(self, chat: str, replies: list[Reply],
                           pressed: int | None = None) -> None:
        """Deliver a turn's replies in order, each one's files after its text; the first
        ``edit`` one replaces ``pressed``. One that cannot be delivered is given up (the
        others still go); nothing more goes to a chat that blocked the bot."""
        for reply in replies:
            try:
                if pressed is not None and await self._edit(chat, pressed, reply):
                    pressed = None  # one message replaced per press
                    await deliver_files(self.ops, self.limiter, chat, reply.files,
                                        interactive=True)
                else:
                    await deliver(self.ops, self.limiter, chat, reply, interactive=True)
                if reply.command_menu is not None:
                    await self._set_commands(chat, reply.command_menu)
            except Unreachable:
                log.info("chat %s blocked the bot while we answered", chat)
                return
            except DeliveryError as exc:
                await give_up(CHANNEL, chat, reply, exc, self.given_up)

    async def _set_commands(self, chat: str, audience: Audience) -> None:
        """The chat's command menu for what its person may use now. Not a message: a
        failure leaves the previous menu (every command still works when typed)."""
        setter = getattr(self.ops, "set_chat_commands", None)
        if setter is None or self._menus.get(chat) == audience:
            return  # already this chat's menu (Telegram keeps it): one request saved a turn
        try:
            await setter(chat, audience)
        except DeliveryError as exc:
            log.warning("the command menu of chat %s was not updated: %s", chat, exc)
            self._menus.pop(chat, None)
            return
        self._menus[chat] = audience
        self._menus.move_to_end(chat)
        if len(self._menus) > RECENT_MENUS:
            self._menus.popitem(last=False)

    async def _edit(self, chat: str, pressed: int, reply: Reply) -> bool:
        """Replace the pressed message with ``reply`` if it asks for that; False when it
        is to be sent as a new message (it does not ask, or the message is too old to
        edit, deleted...)."""
        if not reply.edit or len(reply.text) > self.ops.max_text:
            return False
        ticket = await self.limiter.acquire(chat, group=self.ops.is_group(chat),
                                            interactive=True, in_flight=True)
        try:
            await self.ops.edit_text(chat, pressed, reply.text, reply.buttons)
        except DeliveryError:
            return False
        finally:
            ticket.done()
        return True

    async def _first_time(self, update_id: int) -> bool:
        if self.claim is not None:
            return await self.claim(update_id)
        if update_id in self._recent:
            return False
        self._recent[update_id] = None
        if len(self._recent) > RECENT_UPDATES:
            self._recent.popitem(last=False)
        return True

    async def _fetch(self, ref: FileRef, lang: str) -> tuple[Attachment | None, Reply | None]:
        t = Translator(lang)
        limit_mb = self.max_file_bytes // (1024 * 1024)
        too_large = Reply(t("The file “{name}” is too large ({size} MB; at most {limit} MB). "
                            "Please send a smaller file, or a link to it in the text.",
                            name=ref.name, size=_mb(ref.size or 0, lang), limit=limit_mb))
        if ref.size is not None and ref.size > self.max_file_bytes:
            return None, too_large
        try:
            data = await self.ops.download(ref.file_id, self.max_file_bytes)
        except FileTooLarge:
            return None, too_large
        except DeliveryError:
            return None, Reply(t("I could not fetch the file “{name}” from Telegram. Please "
                                 "send it again.", name=ref.name))
        return Attachment(file_id=ref.file_id, name=ref.name, mime_type=ref.mime_type,
                          size=len(data), sha256=hashlib.sha256(data).hexdigest()), None


def _mb(size: int, lang: str) -> str:
    shown = f"{size / (1024 * 1024):.1f}"
    return shown.replace(".", ",") if lang == "vi" else shown
