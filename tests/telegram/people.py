"""People on Telegram, played against the fake Bot API server: they type, press the
buttons the bot showed them, send files, and read what arrived in their chat."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from bot.fakes.telegram import FakeTelegram
from bot.telegram.core import TelegramCore

QUIET = 0.3  # seconds without any call from the bot: the turn is over


@dataclass
class Person:
    fake: FakeTelegram
    user_id: int
    name: str = "Lan"
    language: str = "vi"
    core: TelegramCore | None = None  # to know when the bot has finished a turn
    read: int = field(default=0)  # messages already looked at

    def messages(self) -> list[dict[str, Any]]:
        return self.fake.sent_to(self.user_id)

    @property
    def text(self) -> str:
        """Everything the bot sent this person since they last acted."""
        return "\n\n".join(m.get("text", "") for m in self.messages()[self.read:])

    @property
    def everything(self) -> str:
        return "\n\n".join(m.get("text", "") for m in self.messages())

    async def say(self, text: str) -> str:
        self.read = len(self.messages())
        before = self.snapshot()
        self.fake.user_sends(self.user_id, text, first_name=self.name,
                             language_code=self.language)
        await self.settle(before)
        return self.text

    async def send_file(self, name: str, content: bytes, mime: str = "application/pdf") -> str:
        self.read = len(self.messages())
        before = self.snapshot()
        self.fake.user_sends_document(self.user_id, name, content, mime, first_name=self.name,
                                      language_code=self.language)
        await self.settle(before)
        return self.text

    def find(self, label: str) -> tuple[dict[str, Any], str]:
        """The newest message with a button whose label contains ``label``, and its data."""
        for message in reversed(self.messages()):
            for text, data in self.fake.buttons(message):
                if label.lower() in text.lower():
                    return message, data
        shown = [t for m in self.messages()[-5:] for t, _ in self.fake.buttons(m)]
        raise AssertionError(f"{self.name}: no button like {label!r}; recent buttons: {shown}")

    async def press(self, label: str, timeout: float = 20.0) -> str:
        """Press the newest button like ``label``, waiting for it a while: under flood
        control the message carrying it may still be on its way, as on a phone."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                message, data = self.find(label)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        return await self.press_data(message, data)

    async def press_data(self, message: dict[str, Any], data: str, *,
                         strict: bool = True) -> str:
        self.read = len(self.messages())
        before = self.snapshot()
        query = self.fake.user_presses(self.user_id, message, data, strict=strict,
                                       language_code=self.language)
        await self.settle(before)
        assert self.fake.answer_to(query["callback_query"]) is not None, "press not answered"
        edited = next((m for m in self.messages() if m["message_id"] == message["message_id"]),
                      None)
        if edited is not None and edited.get("text") != message.get("text"):
            self.read = min(self.read, self.messages().index(edited))
        return self.text

    async def expect(self, *parts: str, timeout: float = 20.0) -> str:
        """Wait until one new message contains every one of ``parts``; return its text."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages()[self.read:]:
                text = message.get("text", "")
                if all(part in text for part in parts):
                    return str(text)
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} never received {parts!r}; since their last "
                                     f"action:\n{self.text}\n{self.fake.dump()}")
            await asyncio.sleep(0.05)

    def snapshot(self) -> list[tuple[Any, Any]]:
        return [(m.get("text"), m.get("reply_markup")) for m in self.messages()]

    async def settle(self, before: list[tuple[Any, Any]]) -> None:
        """Until the bot answered (a new or edited message), then went quiet."""
        await self.fake.wait_for(lambda _fake: self.snapshot() != before, timeout=30)
        while True:
            await self.fake.wait_idle(quiet=QUIET, timeout=60)
            if self.core is None or not self.core.active:
                return
            await asyncio.sleep(0.05)
