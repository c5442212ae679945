"""People on Zalo, played against the fake Zalo Bot API server: they type, answer the
numbered choices the bot showed them with the number (or the option's words), send
photos, and read what arrived in their chat."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.fakes.zalo import FakeZalo
from bot.zalo.core import ZaloCore
from handlers.i18n import Translator

QUIET = 0.3  # seconds without any call from the bot: the turn is over


def _patterns(lang: str) -> tuple[str, re.Pattern[str]]:
    t = Translator(lang)
    lead = t("Reply with a number to choose:")
    single = re.escape(t("Reply {number} to choose “{label}”.", number="\0", label="\1"))
    single = single.replace("\\\0", "\0").replace("\0", r"(\d+)").replace("\1", "(.+?)")
    return lead, re.compile(single)


def choices_in(text: str, lang: str = "vi") -> dict[int, str]:
    """The numbered choices a message shows."""
    lead, single = _patterns(lang)
    found: dict[int, str] = {}
    if lead in text:
        block = text.split(lead, 1)[1]
        for number, label in re.findall(r"^(\d+)\. (.+)$", block, re.MULTILINE):
            found[int(number)] = label.strip()
    for number, label in single.findall(text):
        found[int(number)] = label
    return found


@dataclass
class ZaloPerson:
    fake: FakeZalo
    user_id: str
    name: str = "Lan"
    core: ZaloCore | None = None  # to know when the bot has finished a turn
    lang: str = "vi"
    read: int = field(default=0)  # messages already looked at
    # Waits until the bot has sent this person every notification it owes them. On Zalo
    # the newest list on screen is the one a number answers, and notifications come
    # asynchronously: a person reads what arrived before answering, and so do we.
    caught_up: Callable[[str], Awaitable[None]] | None = None

    def messages(self) -> list[str]:
        return self.fake.texts(self.user_id)

    @property
    def text(self) -> str:
        """Everything the bot sent this person since they last acted."""
        return "\n\n".join(self.messages()[self.read:])

    def current_choices(self) -> dict[int, str]:
        """The list now on screen: the newest messages' choices back to the one that
        starts at 1 (a turn numbers on across its messages)."""
        found: dict[int, str] = {}
        for text in reversed(self.messages()):
            shown = choices_in(text, self.lang)
            if shown:
                found = {**shown, **found}
                if 1 in shown:
                    break
        return found

    def number_of(self, label: str) -> int:
        shown = self.current_choices()
        wanted = label.casefold()
        for test in (lambda x: x == wanted, lambda x: x.startswith(wanted),
                     lambda x: wanted in x):
            for number, text in sorted(shown.items()):
                if test(text.casefold()):
                    return number
        recent = "\n---\n".join(self.messages()[-4:])
        raise AssertionError(f"{self.name}: no choice like {label!r}; shown: {shown}; "
                             f"the last messages:\n{recent}\n{self.fake.dump()}")

    async def choose(self, label: str) -> str:
        """Answer with the number of the choice whose label is (or contains) ``label``."""
        await self.catch_up()
        return await self.say(str(self.number_of(label)))

    async def catch_up(self) -> None:
        if self.caught_up is not None:
            await self.caught_up(self.name)

    async def say(self, text: str, *, date: int | None = None) -> str:
        await self.catch_up()
        self.read = len(self.messages())
        before = len(self.messages())
        self.fake.user_sends(self.user_id, text, name=self.name, date=date)
        await self.settle(before)
        return self.text

    async def send_photo(self, content: bytes, caption: str | None = None) -> str:
        await self.catch_up()
        self.read = len(self.messages())
        before = len(self.messages())
        self.fake.user_sends_photo(self.user_id, content, caption=caption, name=self.name)
        await self.settle(before)
        return self.text

    async def expect(self, *parts: str, timeout: float = 20.0) -> str:
        """Wait until one new message contains every one of ``parts``; return its text."""
        deadline = time.monotonic() + timeout
        while True:
            for text in self.messages()[self.read:]:
                if all(part in text for part in parts):
                    return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} never received {parts!r}; since their last "
                                     f"action:\n{self.text}\n{self.fake.dump()}")
            await asyncio.sleep(0.05)

    async def settle(self, before: int) -> None:
        """Until the bot answered, then went quiet."""
        await self.fake.wait_for(lambda _fake: len(self.messages()) > before, timeout=30)
        while True:
            await self.fake.wait_idle(quiet=QUIET, timeout=60)
            if self.core is None or not self.core.active:
                return
            await asyncio.sleep(0.05)
