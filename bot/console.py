"""The console channel: chat with the real handlers and storage in a terminal.

Buttons are shown as numbered choices; typing the number presses the button. ``/file
PATH`` sends a file; a file in a reply is shown as "📎 name (size)". A script replays
lines as if typed, for tests and demos.
"""

from __future__ import annotations

import hashlib
import mimetypes
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.delivery import file_line
from bot.wiring import App
from handlers.messages import Attachment, Button, Inbound, Reply
from handlers.notifications import render as render_notice
from storage import audit, outbox
from storage.db import session_factory
from storage.models import ChatAccount, Organisation, Person
from storage.organisation import (
    DEFAULT_DEMO_PACK,
    DEMO_FILES,
    demo_text,
    import_chart,
    parse_org_text,
)

CHANNEL = "console"


def render(replies: Iterable[Reply], save: Callable[[Attachment], Path] | None = None
           ) -> tuple[str, list[Button]]:
    """The replies as terminal text, and the buttons in the order they are numbered; a
    document the assistant made is saved (``save``) and its path shown."""
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines.append(reply.text)
        for file in reply.files:
            if file.content is not None and save is not None:
                lines.append(f"📄 {file.name} → {save(file)}")
            else:
                lines.append(file_line(file))
        for button in reply.all_buttons():
            buttons.append(button)
            lines.append(f"  [{len(buttons)}] {button.label}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n", buttons


async def ensure_demo(app: App, pack: str | None = None) -> bool:
    """Import a bundled demo organisation into an empty database; True if it did.

    ``pack`` names the demo (``storage.organisation.DEMO_FILES``). By default the one that
    fits the installation: the 2022 Đức Phổ town when the rules in force for its place on
    its rules date (or the clock's day) are duc-pho-2022 (place quang-ngai/duc-pho,
    12/12/2022 to 30/06/2025), else today's communes and wards (two-level-2025).
    """
    if pack is None:
        services = app.services
        chosen = services.rules_on(services.clock.now().date())
        pack = chosen.pack.id if chosen.in_force and chosen.pack.id in DEMO_FILES \
            else DEFAULT_DEMO_PACK
    text = demo_text(pack)
    async with session_factory(app.engine)() as session, session.begin():
        if await session.scalar(select(func.count()).select_from(Organisation)):
            return False
        await import_chart(session, parse_org_text(text, "demo"), actor="console")
    return True


async def person_exists(app: App, person_id: str) -> bool:
    async with session_factory(app.engine)() as session:
        return await session.get(Person, person_id) is not None


async def link_directly(app: App, account: str, person_id: str) -> None:
    """Link the console account to a person: whoever runs the console holds the database."""
    async with session_factory(app.engine)() as session, session.begin():
        row = (await session.execute(select(ChatAccount).where(
            ChatAccount.channel == CHANNEL, ChatAccount.external_id == account))
        ).scalar_one_or_none()
        if row is None:
            row = ChatAccount(channel=CHANNEL, external_id=account)
            session.add(row)
        row.person_id = person_id
        row.chat_id = account
        row.linked_at = datetime.now(UTC)
        await session.flush()
        await audit.append(session, action="account_linked", actor=person_id,
                           payload={"channel": CHANNEL, "by": "console"})


async def deliver_pending(app: App, person_id: str) -> list[Reply]:
    """The person's pending notifications rendered for them, then marked as sent.

    Stands in for the notifier (issue 6) on the console: what the others' actions
    caused is shown to whoever is at the terminal after each of their messages.
    """
    person = await app.services.directory.person(person_id)
    if person is None:
        return []
    async with session_factory(app.engine)() as session:
        rows = [(row.id, row.payload) for row in await outbox.pending_for(session, person_id)]
    replies = [await render_notice(app.services, person, payload) for _id, payload in rows]
    async with session_factory(app.engine)() as session, session.begin():
        await outbox.mark_sent(session, [row_id for row_id, _payload in rows],
                               datetime.now(UTC))
    return replies


def attachment_from(path_text: str) -> Attachment | None:
    path = Path(path_text.strip()).expanduser()
    if not path.is_file():
        return None
    data = path.read_bytes()
    mime, _ = mimetypes.guess_type(path.name)
    return Attachment(file_id=f"file://{path.resolve()}", name=path.name, mime_type=mime,
                      size=len(data), sha256=hashlib.sha256(data).hexdigest())


class ConsoleChat:
    """One person at the terminal."""

    def __init__(self, app: App, account: str, language: str | None = None,
                 write: Callable[[str], object] | None = None) -> None:
        self.app, self.account, self.language = app, account, language
        # Looked up when writing: tests and pipes may replace sys.stdout after import.
        self.write = write or (lambda text: sys.stdout.write(text))
        self.buttons: list[Button] = []

    async def say(self, line: str) -> None:
        """Send one typed line: a button number, ``/file PATH``, or text."""
        text = line.rstrip("\n")
        inbound = Inbound(CHANNEL, self.account, self.account, language=self.language)
        if text.strip().isdigit() and 1 <= int(text) <= len(self.buttons):
            inbound = Inbound(CHANNEL, self.account, self.account,
                              action=self.buttons[int(text) - 1].action, language=self.language)
        elif text.startswith("/file "):
            attachment = attachment_from(text[6:])
            if attachment is None:
                self.write(f"(no such file: {text[6:].strip()})\n")
                return
            inbound = Inbound(CHANNEL, self.account, self.account, attachments=(attachment,),
                              language=self.language)
        else:
            inbound = Inbound(CHANNEL, self.account, self.account, text=text,
                              language=self.language)
        replies = await self.app.assistant.handle(inbound)
        person = await self.app.services.directory.person_for_account(CHANNEL, self.account)
        if person is not None:
            notices = await deliver_pending(self.app, person.id)
            if notices:
                replies = [*replies, Reply("────────"), *notices]
        shown, self.buttons = render(replies, self.save)
        self.write(shown)

    def save(self, file: Attachment) -> Path:
        """Keep a made document in the data folder's ``documents`` folder (a terminal
        cannot receive files); the same name again is overwritten, as a new draft is."""
        folder = Path(self.app.settings.data_dir) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(file.name).name
        path.write_bytes(file.content or b"")
        return path
