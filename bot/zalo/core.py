"""What happens to one Zalo update: an ``Inbound`` for the assistant, its replies sent back.

Everything Zalo-specific about the conversation is here, and nothing else is: a reply
"2" (or the option's words) becomes the action of the second choice shown; the words
``LIENKET CODE``, or an invitation code alone from an account not yet linked, become
``/start CODE`` (the linking the handlers already do); a photo is fetched and
fingerprinted; replies go out with their buttons as a numbered list, split at Zalo's
2,000 characters. Zalo has no update ids: a redelivered update is recognised by its
``message_id``. Messages of one chat are handled one at a time, in order.

An update is read defensively: one with a field missing or of the wrong type is logged in
one line and ignored, and its texts and ids are cleaned (``clean_text``) before anything
else sees them. A reply that cannot be delivered is logged in one line and handed to
``given_up``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.delivery import (
    UNREADABLE,
    DeliveryError,
    GivenUp,
    Handled,
    Unreachable,
    clean_text,
    deliver,
    give_up,
    one_line,
    zalo_key,
)
from bot.ratelimit import RateLimiter
from bot.zalo.choices import ChoiceBook, Kind, again, fold, numbered, render
from bot.zalo.client import FileTooLarge
from bot.zalo.sender import CHANNEL, MAX_TEXT, ZaloSender
from handlers.app import Assistant
from handlers.context import Services
from handlers.i18n import LANGUAGES, Translator, guess_language
from handlers.messages import Attachment, Inbound, Reply
from handlers.ports import AccountLock
from storage.invitations import ALPHABET, CODE_LENGTH, normalise_code

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "MAX_TEXT", "ZaloCore", "ZaloUpdate", "parse_update"]

TEXT_EVENT, IMAGE_EVENT = "message.text.received", "message.image.received"
RECENT_UPDATES = 2048  # how many message ids to remember against redelivery
LINK_WORDS = ("lienket", "lien ket")  # LIENKET CODE, Liên kết CODE...
MAX_ID = 64  # characters of an id we keep (the database's columns)

Seen = Callable[[str, str], Awaitable[None]]  # (channel, external id) -> None
Claim = Callable[[str], Awaitable[bool]]  # message id -> first worker to see it
Download = Callable[[str, int], Awaitable[bytes]]  # (url, limit) -> bytes


@dataclass(frozen=True)
class ZaloUpdate:
    """The parts of a Zalo update the assistant uses."""

    event: str
    message_id: str
    user_id: str
    chat_id: str
    group: bool = False
    name: str = ""
    text: str | None = None
    photo: str | None = None  # the image's URL
    written_at: datetime | None = None  # as Zalo stamped it

    @property
    def unsupported(self) -> bool:  # a sticker, a voice note...: nothing we can read
        return self.text is None and self.photo is None


def parse_update(data: Mapping[str, Any]) -> ZaloUpdate | None:
    """An update (the webhook may wrap it as ``{"ok": true, "result": {...}}``), its texts
    and ids cleaned; None when it is not a message we can answer (no message, or no
    usable sender or message id)."""
    wrapped = data.get("result")
    body: Mapping[str, Any] = wrapped if isinstance(wrapped, Mapping) else data
    message = body.get("message")
    if not isinstance(message, Mapping):
        return None
    event = _text(body.get("event_name")) or ""
    sender: Mapping[str, Any] = _mapping(message.get("from"))
    chat: Mapping[str, Any] = _mapping(message.get("chat"))
    user_id = _id(sender.get("id")) or _id(chat.get("id"))
    chat_id = _id(chat.get("id")) or user_id
    message_id = _id(message.get("message_id"))
    if not user_id or not message_id:
        return None
    text = _text(message.get("text"))
    photo = _text(message.get("photo")) or _text(message.get("photo_url")) or None
    if event == IMAGE_EVENT or photo:
        caption = _text(message.get("caption"))
        text = caption if caption is not None and caption.strip() else None
    elif event and event != TEXT_EVENT:
        text = None  # a sticker carries no text for us
    name = next((name for key in ("display_name", "first_name", "name")
                 if (name := _text(sender.get(key)))), "")
    return ZaloUpdate(event, message_id, user_id, chat_id,
                      group=str(chat.get("chat_type", "")).upper() == "GROUP", name=name,
                      text=text, photo=photo, written_at=_written_at(message.get("date")))


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return clean_text(value) if isinstance(value, str) else None


def _id(value: object) -> str:
    """An id as Zalo sends them (a string, sometimes a number); "" when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value)
    return text if text is not None and len(text) <= MAX_ID else ""


def _written_at(stamp: object) -> datetime | None:
    """When Zalo stamped the message (milliseconds since the epoch), if it is a time."""
    if isinstance(stamp, bool) or not isinstance(stamp, int | float) or not stamp > 0:
        return None
    try:
        return datetime.fromtimestamp(stamp / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def link_command(text: str) -> str | None:
    """``LIENKET CODE`` (any case, with or without accents) as ``/start CODE``; the word
    alone as ``/start``. A sentence that merely begins with it is not a command."""
    folded = fold(text)
    for word in LINK_WORDS:
        if folded == word:
            return "/start"
        if folded.startswith(word + " "):
            code = folded[len(word):].strip()
            if len(code.split()) <= 2 and 4 <= len(normalise_code(code)) <= 16:
                return f"/start {code.upper()}"
    return None


def looks_like_code(text: str) -> bool:
    """An invitation code typed alone ("K7PM-Q2XD", "k7pmq2xd")."""
    stripped = text.strip()
    if len(stripped) > CODE_LENGTH + 2 or any(ch not in "- " and not ch.isalnum()
                                              for ch in stripped):
        return False
    code = normalise_code(stripped)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


async def reader_language(services: Services, account: str, text: str = "",
                          default: str = "vi") -> str:
    """The language the assistant answers ``account`` in (as ``Assistant`` picks it)."""
    conversation = await services.conversations.load(CHANNEL, account)
    if conversation.language in LANGUAGES:
        return conversation.language or default
    person = await services.directory.person_for_account(CHANNEL, account)
    if person is not None and person.language in LANGUAGES:
        return person.language
    return guess_language(text, default=default) if text else default


class ZaloCore:
    def __init__(self, assistant: Assistant, services: Services, sender: ZaloSender,
                 limiter: RateLimiter, book: ChoiceBook, *, download: Download,
                 max_file_bytes: int = 20 * 1024 * 1024, default_language: str = "vi",
                 seen: Seen | None = None, after_turn: Callable[[], None] | None = None,
                 claim: Claim | None = None, given_up: GivenUp | None = None,
                 handled: Handled | None = None, chat_lock: AccountLock | None = None
                 ) -> None:
        """``given_up(chat, error, reply)`` hears of every reply that could not be
        delivered (refused, or still failing after the retries)."""
        self.assistant, self.services, self.sender = assistant, services, sender
        self.limiter, self.book, self.download = limiter, book, download
        self.max_file_bytes, self.default_language = max_file_bytes, default_language
        self.seen, self.after_turn, self.claim = seen, after_turn, claim
        self.given_up = given_up
        self.handled = handled  # marks a kept update done (storage.inbox)
        self.chat_lock = chat_lock  # several workers (Redis): one turn per chat across them
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._chats: dict[str, asyncio.Lock] = {}
        self.active = 0  # updates being handled now (health checks, tests)

    async def handle(self, data: Mapping[str, Any]) -> None:
        try:
            update = parse_update(data)
        except UNREADABLE as exc:  # parse_update checks every field; this is a last guard
            log.warning("zalo: ignored an unreadable update: %s", one_line(exc))
            return
        if update is None:
            log.info("zalo: ignored an update that is not a message we can answer (%s)",
                     clean_text(str(data.get("event_name") or "no event"))[:80])
            return
        if not await self._first_time(update.message_id):
            return
        self.active += 1
        try:
            async with self._chats.setdefault(update.chat_id, asyncio.Lock()), (
                    self.chat_lock(f"{CHANNEL}-chat", update.chat_id) if self.chat_lock
                    else contextlib.nullcontext()):
                await self._handle(update)
            if self.handled is not None:
                await self.handled(zalo_key(update.message_id))
        finally:
            self.active -= 1

    async def _handle(self, update: ZaloUpdate) -> None:
        account, chat = update.user_id, update.chat_id
        if update.group:
            self.sender.groups.add(chat)
        if self.seen is not None:
            await self.seen(CHANNEL, account)
        language = await reader_language(self.services, account, update.text or "",
                                         self.default_language)
        replies: list[Reply] = []
        attachments: list[Attachment] = []
        if update.photo is not None:
            attachment, note = await self._fetch(update, language)
            if attachment is not None:
                attachments.append(attachment)
            if note is not None:
                replies.append(note)
        inbound = Inbound(CHANNEL, account, chat, text=update.text,
                          attachments=tuple(attachments), display_name=update.name)
        if update.text is not None and update.text.strip() and not attachments:
            text = update.text.strip()
            command = link_command(text)
            if command is None and looks_like_code(text) and \
                    await self.services.directory.person_for_account(CHANNEL, account) is None:
                command = f"/start {text}"
            if command is not None:
                inbound = replace(inbound, text=command)
            else:
                # A notification's list may be on screen but not yet recorded (the
                # notifier records it once Zalo confirms): wait for it under the lock.
                async with self.sender.lock(chat):
                    answer, shown = await self.book.interpret(chat, text, update.written_at)
                if answer.kind is Kind.CHOSEN:
                    inbound = replace(inbound, text=None, action=answer.action)
                elif shown is not None and answer.kind is not Kind.TEXT:
                    async with self.sender.lock(chat):
                        if await self._send(chat, Reply(again(answer, shown))):
                            await self.book.shown_again(chat)
                    return
        if update.text is not None or attachments or (update.unsupported and not replies):
            replies += await self.assistant.handle(inbound)
            language = await reader_language(self.services, account, update.text or "",
                                             self.default_language)
        await self.send_replies(chat, replies, language)
        if self.after_turn is not None:
            self.after_turn()

    async def send_replies(self, chat: str, replies: list[Reply], language: str) -> None:
        """Deliver a turn's replies in order, each one's buttons as choices numbered on
        from the previous one's; record the choices as they reach the chat."""
        t = Translator(language)
        shown: list[tuple[str, str]] = []
        for reply in replies:
            choices = numbered(reply.buttons)
            text = reply.text
            if choices:
                block = render(choices, t, start=len(shown) + 1)
                text = f"{text}\n\n{block}" if text.strip() else block
            async with self.sender.lock(chat):
                posted_at = self.book.wall()
                sent = await self._send(chat, replace(reply, text=text, buttons=(),
                                                      edit=False))
                if sent is None:
                    return  # the person blocked the bot: nothing more will arrive
                if sent and choices:
                    shown.extend(choices)
                    await self.book.show(chat, tuple(shown), language, posted_at)
        if replies and not shown and not any(r.buttons for r in replies):
            # A turn that offers no choice asks for text (a number, a date): an earlier
            # list is no longer on screen, and "15" is the person's words, not option 15.
            await self.book.show(chat, (), language, self.book.wall())

    async def _send(self, chat: str, reply: Reply) -> bool | None:
        """Post one reply: True when it arrived, False when it was given up (logged,
        ``given_up`` told), None when the chat is unreachable."""
        try:
            await deliver(self.sender, self.limiter, chat, reply, interactive=True)
        except Unreachable:
            log.info("zalo chat %s blocked the bot while we answered", chat)
            return None
        except DeliveryError as exc:
            await give_up(CHANNEL, chat, reply, exc, self.given_up)
            return False
        return True

    async def _first_time(self, message_id: str) -> bool:
        if self.claim is not None:
            return await self.claim(message_id)
        if message_id in self._recent:
            return False
        self._recent[message_id] = None
        if len(self._recent) > RECENT_UPDATES:
            self._recent.popitem(last=False)
        return True

    async def _fetch(self, update: ZaloUpdate, lang: str
                     ) -> tuple[Attachment | None, Reply | None]:
        assert update.photo is not None
        t = Translator(lang)
        name = f"photo-{update.message_id}.jpg"
        try:
            data = await self.download(update.photo, self.max_file_bytes)
        except FileTooLarge:
            return None, Reply(t("The photo is too large (at most {limit} MB). Please send "
                                 "a smaller one.",
                                 limit=self.max_file_bytes // (1024 * 1024)))
        except DeliveryError:
            return None, Reply(t("I could not fetch the photo from Zalo. Please send it "
                                 "again."))
        return Attachment(file_id=update.photo[:300], name=name, mime_type="image/jpeg",
                          size=len(data), sha256=hashlib.sha256(data).hexdigest()), None
