"""What both Telegram adapters share: an update in, the assistant's replies out.

An adapter (aiogram or python-telegram-bot) only turns its library's update into an
``Incoming`` and implements ``TelegramOps`` (send, edit, download, send a file by its
id); everything else is here, once: files checked and fingerprinted, the assistant
asked, replies delivered within the flood limits (an edit of the pressed message where
the reply asks for one; a reply's files after its text), the notifier nudged, and a
redelivered update never handled twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.delivery import DeliveryError, Keyboard, Sender, Unreachable, deliver, deliver_files
from bot.ratelimit import RateLimiter
from handlers.app import Assistant
from handlers.i18n import LANGUAGES, Translator
from handlers.messages import Attachment, Inbound, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_TEXT = 4096
RECENT_UPDATES = 2048  # how many update ids to remember against redelivery


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


Seen = Callable[[str, str], Awaitable[None]]  # (channel, external id) -> None


class TelegramCore:
    def __init__(self, assistant: Assistant, ops: TelegramOps, limiter: RateLimiter, *,
                 max_file_bytes: int = 20 * 1024 * 1024, default_language: str = "vi",
                 seen: Seen | None = None, after_turn: Callable[[], None] | None = None,
                 claim: Callable[[int], Awaitable[bool]] | None = None) -> None:
        self.assistant, self.ops, self.limiter = assistant, ops, limiter
        self.max_file_bytes = max_file_bytes
        self.default_language = default_language
        self.seen, self.after_turn = seen, after_turn
        # ``claim(update_id)`` is True for the first worker to see an update (Redis when
        # several workers share the bot); otherwise a local memory of recent ids.
        self.claim = claim
        self._recent: OrderedDict[int, None] = OrderedDict()
        self.active = 0  # updates being handled now (health checks, tests)

    async def handle(self, incoming: Incoming) -> None:
        if not await self._first_time(incoming.update_id):
            return
        self.active += 1
        try:
            await self._handle(incoming)
        finally:
            self.active -= 1

    async def _handle(self, incoming: Incoming) -> None:
        account = str(incoming.user_id)
        if self.seen is not None:
            await self.seen(CHANNEL, account)
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
        await self.send_replies(chat, replies, incoming.message_id)
        if self.after_turn is not None:
            self.after_turn()

    async def send_replies(self, chat: str, replies: list[Reply],
                           pressed: int | None = None) -> None:
        """Deliver a turn's replies in order, each one's files after its text; the first
        ``edit`` one replaces ``pressed``."""
        try:
            for reply in replies:
                if reply.edit and pressed is not None and len(reply.text) <= self.ops.max_text:
                    await self.limiter.acquire(chat, group=self.ops.is_group(chat),
                                               interactive=True)
                    try:
                        await self.ops.edit_text(chat, pressed, reply.text, reply.buttons)
                    except DeliveryError:
                        pass  # too old to edit, deleted...: send it as a new message
                    else:
                        pressed = None  # one message replaced per press
                        await deliver_files(self.ops, self.limiter, chat, reply.files,
                                            interactive=True)
                        continue
                await deliver(self.ops, self.limiter, chat, reply, interactive=True)
        except Unreachable:
            log.info("chat %s blocked the bot while we answered", chat)
        except DeliveryError:
            log.exception("could not answer chat %s", chat)

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
