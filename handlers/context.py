"""One turn of the conversation: the inbound message, who sent it, and what to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from handlers.i18n import Translator
from handlers.messages import Attachment, Button, Inbound, Reply
from handlers.ports import (
    Conversation,
    ConversationStore,
    DeskReader,
    Directory,
    PersonInfo,
    RecordMaker,
    StatisticsReader,
    UnitOfWorkFactory,
)
from workflow.actors import Actor
from workflow.ports import Clock
from workflow.reporting_duties import ReportingDuty, bundled_duties
from workflow.rules import RuleBook, Selection
from workflow.rules.model import Pack


class Calendar(Protocol):
    """The working-day calendar as the conversation uses it."""

    def add_working_days(self, start: object, n: int, /) -> object: ...

    def working_days_between(self, start: object, end: object) -> int: ...


@dataclass
class Services:
    """What the composition root wires in: storage behind ports, clock, calendar, rules."""

    directory: Directory
    conversations: ConversationStore
    uow: UnitOfWorkFactory
    clock: Clock
    calendar: Calendar
    rulebook: RuleBook
    # Recurring reports owed by bodies (seed 002), for /deadlines; the bundled list unless
    # the installation has its own.
    duties: tuple[ReportingDuty, ...] = field(default_factory=bundled_duties)
    # The installation's place (a pack jurisdiction); None: the rulebook's default.
    jurisdiction: str | None = None
    # When set, the rules in force on this day apply whatever the clock says (training
    # on the 2022 procedure at today's calendar); answers then say so.
    rules_date: date | None = None
    # The installation's letterhead (party.docx, state.docx); None: the bundled ones.
    document_templates: Path | None = None
    # Makes a dossier's verifiable record (storage.record); None: not offered.
    records: RecordMaker | None = None
    # The statistics of /thongke (storage.statistics); None: not offered.
    statistics: StatisticsReader | None = None
    # The desk's reads (storage.desk_read); wired by bot.wiring, needed by /viec, /hanchot.
    desk: DeskReader | None = None

    def rules_on(self, on: date) -> Selection:
        """The one rule of selection: this installation's pack in force on ``on``."""
        return self.rulebook.select(self.rules_date or on, jurisdiction=self.jurisdiction)


@dataclass
class Turn:
    inbound: Inbound
    conversation: Conversation
    person: PersonInfo | None
    lang: str
    services: Services
    replies: list[Reply] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def say(self, text: str, buttons: tuple[tuple[Button, ...], ...] = (),
            edit: bool = False, files: tuple[Attachment, ...] = ()) -> None:
        self.replies.append(Reply(text=text, buttons=buttons, edit=edit, files=files))

    @property
    def rules(self) -> Selection:
        """The pack in force today for this installation, the same for guests, members,
        questions and filings (``cadrebot ask`` and ``route`` select the same way)."""
        return self.services.rules_on(self.services.clock.now().date())

    @property
    def pack(self) -> Pack:
        return self.rules.pack

    async def actor(self) -> Actor:
        assert self.person is not None, "only for linked people"
        return await self.services.directory.actor(self.person.id)

    def set_step(self, flow: str | None, step: str | None) -> None:
        self.conversation.flow, self.conversation.step = flow, step

    def clear(self) -> None:
        """Leave any flow; its answers so far are dropped."""
        self.conversation.flow = self.conversation.step = None
        self.conversation.data = {}
