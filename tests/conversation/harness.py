"""Driving the assistant as a person would: messages in, replies out, real storage.

``Chat`` sends text, presses buttons by their label (or action) and keeps the last
replies; the database is a fresh SQLite file with the bundled demo organisation and
an invitation code for everyone in it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.console import deliver_pending
from bot.settings import Settings
from bot.wiring import App, build_app
from handlers.messages import Attachment, Button, Inbound, Reply
from tests.templates import DEMO_2022_RULES, demo_database

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
_accounts = itertools.count(1000)


@dataclass
class SettableClock:
    current: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)  # a Monday

    def now(self) -> datetime:
        return self.current


async def demo_app(folder: Path, clock: SettableClock | None = None) -> tuple[App, dict[str, str]]:
    """An app on a new SQLite database with the demo organisation; codes by person id."""
    codes = await demo_database(folder / "chat.sqlite3")
    app = await build_app(f"sqlite+aiosqlite:///{folder / 'chat.sqlite3'}",
                          settings=Settings.of(data_dir=folder, **DEMO_2022_RULES),
                          clock=clock or SettableClock())
    return app, codes


@dataclass
class Chat:
    """One chat account talking to the assistant."""

    app: App
    channel: str = "console"
    account: str = field(default_factory=lambda: f"user-{next(_accounts)}")
    language: str | None = None
    replies: list[Reply] = field(default_factory=list)

    async def send(self, text: str | None = None, *,
                   attachments: tuple[Attachment, ...] = ()) -> list[Reply]:
        return await self._handle(Inbound(self.channel, self.account, self.account, text=text,
                                          attachments=attachments, language=self.language))

    async def action(self, action: str) -> list[Reply]:
        return await self._handle(Inbound(self.channel, self.account, self.account,
                                          action=action, language=self.language))

    async def press(self, label: str) -> list[Reply]:
        """Press the button of the last replies whose label contains ``label``."""
        return await self.action(self.button(label).action)

    def button(self, label: str) -> Button:
        for reply in reversed(self.replies):
            for button in reply.all_buttons():
                if label.lower() in button.label.lower():
                    return button
        shown = [b.label for r in self.replies for b in r.all_buttons()]
        raise AssertionError(f"no button like {label!r}; buttons: {shown}")

    @property
    def text(self) -> str:
        """All text of the last replies."""
        return "\n\n".join(reply.text for reply in self.replies)

    async def notifications(self) -> list[Reply]:
        """What the outbox holds for this chat's person, rendered as the console shows it
        (and marked sent); they become the last replies, so their buttons can be pressed."""
        person = await self.app.services.directory.person_for_account(self.channel,
                                                                      self.account)
        assert person is not None, "notifications are for linked chats"
        self.replies = await deliver_pending(self.app, person.id)
        return self.replies

    async def _handle(self, inbound: Inbound) -> list[Reply]:
        self.replies = await self.app.assistant.handle(inbound)
        return self.replies
