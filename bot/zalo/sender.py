"""Posting to Zalo: texts of at most 2,000 characters, buttons as a numbered list.

Given a reply's buttons (the notifier sends notifications through ``send_text``), the
sender adds them as a numbered list in the reader's language and records the list, so
that the answer "1" to a notification works like a button press. Posting a list and
recording it happen under the chat's lock, here and in ``ZaloCore``, which also reads an
answer under it: within a process the list recorded last is the one the person sees
last, and an answer typed while a list is being posted waits until it is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.delivery import Keyboard, split_text
from bot.zalo.choices import ChoiceBook, numbered, render
from bot.zalo.client import ZaloClient
from handlers.i18n import Translator

CHANNEL = "zalo"
MAX_TEXT = 2000

Language = Callable[[str], Awaitable[str]]  # chat id -> the reader's language


class ZaloSender:
    channel = CHANNEL
    max_text = MAX_TEXT

    def __init__(self, client: ZaloClient, book: ChoiceBook, language: Language) -> None:
        self.client, self.book, self.language = client, book, language
        self.groups: set[str] = set()  # group chats seen in updates (slower rate limits)
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, chat_id: str) -> asyncio.Lock:
        """Held while a list is posted and recorded in ``chat_id``."""
        return self._locks.setdefault(chat_id, asyncio.Lock())

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.groups

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        choices = numbered(buttons)
        if not choices:
            await self.client.send_message(chat_id, text)
            return
        async with self.lock(chat_id):
            language = await self.language(chat_id)
            block = render(choices, Translator(language))
            combined = f"{text}\n\n{block}" if text.strip() else block
            posted_at = self.book.wall()
            if len(combined) <= self.max_text:
                await self.client.send_message(chat_id, combined)
            else:
                await self.client.send_message(chat_id, text)
                for part in split_text(block, self.max_text):
                    await self.client.send_message(chat_id, part)
            await self.book.show(chat_id, choices, language, posted_at)
