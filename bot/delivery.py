"""Sending replies to a chat platform: the contract every channel's sender meets.

A sender posts one message of at most ``max_text`` characters and turns the platform's
failures into three errors the callers understand: wait and retry (429), try again
later (5xx, timeouts), or give up on this chat (the person blocked the bot). Splitting
long texts, rate limiting and retrying are done here, once, for every channel: by the
adapters for interactive replies and by the notifier for the outbox. A sender that can
also send a file by its platform id (``FileSender``) gets a reply's files as files;
another gets them listed as text. A reply given up (refused, or still failing after the
retries) is logged in one line and handed to the composition root (``give_up``).

What comes in from a platform is cleaned here too, the same for every channel
(``clean_text``): text that no encoder or database accepts never reaches the handlers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from bot.ratelimit import RateLimiter
from handlers.messages import Attachment, Button, Reply

log = logging.getLogger(__name__)

Keyboard = tuple[tuple[Button, ...], ...]


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryAfter(DeliveryError):
    """The platform asked us to slow down (HTTP 429) for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds:g} s")
        self.seconds = seconds


class Transient(DeliveryError):
    """A server error, a timeout or a dropped connection: worth trying again."""


class Unreachable(DeliveryError):
    """The person blocked the bot or the chat is gone: retrying will not help."""


GivenUp = Callable[[str, str, Reply], Awaitable[None]]  # (chat, error, reply) -> None
# A polled batch of raw updates, made durable before the platform is told it arrived.
Keep = Callable[[list[dict[str, Any]]], Awaitable[None]]
# An update's turn is over: its key ("u<update_id>", "m<message_id>") can be marked.
Handled = Callable[[str], Awaitable[None]]


def telegram_key(update_id: object) -> str:
    return f"u{update_id}"


def zalo_key(message_id: object) -> str:
    return f"m{message_id}"


class Sender(Protocol):
    channel: str
    max_text: int

    def is_group(self, chat_id: str) -> bool: ...

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        """Post one message (``len(text) <= max_text``), raising the errors above."""
        ...


@runtime_checkable
class FileSender(Protocol):
    """A sender that can also post a file the platform already holds."""

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        """Post the file ``file_id`` with a short caption, raising the errors above."""
        ...


@runtime_checkable
class UploadSender(Protocol):
    """A sender that can post a file the assistant made (a document), from its bytes."""

    async def send_upload(self, chat_id: str, name: str, content: bytes,
                          caption: str) -> None:
        """Post ``content`` as a file named ``name``, raising the errors above."""
        ...


def size_label(size: int) -> str:
    """A file's size in a few characters, the same in every language (KB, MB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def file_line(file: Attachment) -> str:
    """How a file is shown where it cannot be sent: "📎 name (size)", and for a document
    the assistant made, where the reader can get it."""
    line = f"📎 {file.name} ({size_label(file.size)})"
    return f"{line}\n{file.elsewhere}" if file.content is not None and file.elsewhere else line


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?…;])\s+"),
           re.compile(r"\s+"))


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at the largest natural
    boundary available: a paragraph, a line, a sentence, a word; a part with none
    (a very long token) is cut hard, but never between a letter and its combining
    accents (Vietnamese typed in decomposed form). Nothing is dropped but the whitespace
    at a cut; no part is blank (platforms refuse empty messages) unless ``text`` is."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit + 1]
        cut = None
        for pattern in _BREAKS:
            found = [m for m in pattern.finditer(window) if 0 < m.start() <= limit]
            if found and found[-1].start() >= limit // 3:
                cut = found[-1]
                break
        if cut is None:
            end = limit
            while end > 1 and unicodedata.combining(rest[end]):
                end -= 1  # keep the accents with their letter
            if unicodedata.combining(rest[end]):
                end = limit  # nothing but accents: cut anywhere
            head, rest = rest[:end], rest[end:]
        else:
            # The break may run on past the window: the next part starts at its text.
            head, rest = rest[:cut.start()].rstrip(), rest[cut.end():].lstrip()
        if head.strip():
            parts.append(head)
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


def clean_text(text: str) -> str:
    """``text`` as it can be kept: NULs removed (PostgreSQL refuses them) and lone
    surrogates (which no UTF-8 encoder accepts) replaced by U+FFFD."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a surrogate: a pair is joined, a lone one replaced
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


# What reading a malformed update raises: missing fields, wrong types, values out of range.
UNREADABLE = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError)


def one_line(error: BaseException, limit: int = 300) -> str:
    """An error as one short line of a log (a validation error spans many)."""
    return clean_text(" ".join(f"{type(error).__name__}: {error}".split()))[:limit]


async def give_up(channel: str, chat: str, reply: Reply, error: DeliveryError,
                  given_up: GivenUp | None) -> None:
    """A reply that could not be delivered: one line in the log (the error says why; a
    traceback would add nothing), then ``given_up``, so the operator learns of it."""
    log.error("%s: gave up a reply to chat %s (%d characters): %s", channel, chat,
              len(reply.text), one_line(error))
    if given_up is not None:
        try:
            await given_up(chat, str(error), reply)
        except Exception:
            log.exception("%s: could not record the reply given up in chat %s", channel, chat)


TRANSIENT_RETRIES = 3
BACKOFF_SECONDS = 0.5
MAX_PAUSES = 10  # 429s in a row for one message before giving it back to the caller


async def deliver(sender: Sender, limiter: RateLimiter, chat_id: str, reply: Reply, *,
                  interactive: bool, retries: int = TRANSIENT_RETRIES,
                  backoff: float = BACKOFF_SECONDS) -> int:
    """Post ``reply`` (split to the platform's limit, buttons under the last part) within
    the rate limits; return how many messages were posted.

    A 429 pauses every sender sharing ``limiter`` for its ``retry_after`` and retries;
    transient errors are retried ``retries`` times with doubling backoff, then raised
    (the notifier reschedules the message); ``Unreachable`` is raised at once.
    """
    parts = split_text(reply.text, sender.max_text)
    group = sender.is_group(chat_id)
    for index, part in enumerate(parts):
        keyboard = reply.buttons if index == len(parts) - 1 else ()
        await send_with_retry(sender, limiter, chat_id, part, keyboard, group=group,
                              interactive=interactive, retries=retries, backoff=backoff)
    return len(parts) + await deliver_files(sender, limiter, chat_id, reply.files,
                                            interactive=interactive, retries=retries,
                                            backoff=backoff)


async def deliver_files(sender: Sender, limiter: RateLimiter, chat_id: str,
                        files: tuple[Attachment, ...], *, interactive: bool,
                        retries: int = TRANSIENT_RETRIES,
                        backoff: float = BACKOFF_SECONDS) -> int:
    """Post ``files`` after a reply's text; how many messages were posted.

    A sender without ``send_file`` gets one text listing them (and one that cannot upload
    gets the documents the assistant made listed with where to get them). A file the
    platform refuses (an unknown or expired id) is skipped, so the others still arrive.
    """
    if not files:
        return 0
    group = sender.is_group(chat_id)
    made = isinstance(sender, UploadSender)
    listed = [f for f in files if (f.content is not None and not made)
              or (f.content is None and not isinstance(sender, FileSender))]
    posted = 0
    if listed:
        parts = split_text("\n".join(file_line(f) for f in listed), sender.max_text)
        for part in parts:
            await send_with_retry(sender, limiter, chat_id, part, (), group=group,
                                  interactive=interactive, retries=retries, backoff=backoff)
        posted += len(parts)
    for file in files:
        if any(file is shown for shown in listed):
            continue

        async def send(file: Attachment = file) -> None:
            if file.content is not None:
                assert isinstance(sender, UploadSender)
                await sender.send_upload(chat_id, file.name, file.content, file.name[:1024])
            else:
                assert isinstance(sender, FileSender)
                await sender.send_file(chat_id, file.file_id, file.name[:1024])

        try:
            await _with_retry(limiter, chat_id, send, group=group, interactive=interactive,
                              retries=retries, backoff=backoff)
            posted += 1
        except (RetryAfter, Transient, Unreachable):
            raise
        except DeliveryError as exc:
            log.warning("could not send the file %s to chat %s: %s", file.name, chat_id, exc)
    return posted


async def send_with_retry(sender: Sender, limiter: RateLimiter, chat_id: str, text: str,
                          keyboard: Keyboard, *, group: bool, interactive: bool,
                          retries: int = TRANSIENT_RETRIES,
                          backoff: float = BACKOFF_SECONDS) -> None:
    await _with_retry(limiter, chat_id, lambda: sender.send_text(chat_id, text, keyboard),
                      group=group, interactive=interactive, retries=retries, backoff=backoff)


async def _with_retry(limiter: RateLimiter, chat_id: str, send: Callable[[], Awaitable[None]],
                      *, group: bool, interactive: bool, retries: int,
                      backoff: float) -> None:
    """One post within the rate limits: 429s pause and retry, transient errors back off."""
    failures = pauses = 0
    while True:
        ticket = await limiter.acquire(chat_id, group=group, interactive=interactive,
                                       in_flight=True)
        answered = False  # only a send answered says how long a round trip takes
        try:
            await send()
            answered = True
            return
        except RetryAfter as exc:
            pauses += 1
            if pauses > MAX_PAUSES:
                raise
            limiter.pause(exc.seconds)  # not a failure: the platform told us when
        except Transient:
            failures += 1
            if failures > retries:
                raise
            ticket.done(answered=False)
            await asyncio.sleep(backoff * 2 ** (failures - 1))
        finally:
            # Answered or failed: it reached the server by now, or never.
            ticket.done(answered=answered)
