"""Conversation state in the database (handlers.ports.ConversationStore).

Loading reads without the writer's lock (``storage.reads``): every turn loads, and on
SQLite a read that queued behind the writers would serialize all turns. Saving is the
assistant's to skip when the turn changed nothing (``handlers.app``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import String, and_, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.ports import Conversation, PersonInfo
from storage.models import (
    Body,
    ChatAccount,
    ConversationRow,
    Membership,
    Organisation,
    Person,
    Unit,
)
from storage.reads import TURN_ROLES, reading
from workflow.errors import StaleVersion
from workflow.permissions import is_committee_role


class SqlConversations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, channel: str, account: str) -> Conversation:
        async with reading(self._sessions) as session:
            row = await session.get(ConversationRow, (channel, account))
        return _conversation(channel, account, row)

    async def load_turn(self, channel: str, account: str
                        ) -> tuple[Conversation, PersonInfo | None]:
        """The conversation and the linked person, in one statement on one read-only
        connection; for a linked person also whether they hold a committee role (what
        the menu asks: ``storage.reads.TURN_ROLES``), on the same connection."""
        asked = select(literal(channel, String).label("channel"),
                       literal(account, String).label("account")).subquery()
        query = (
            select(ConversationRow, Person, Unit, Organisation.pack_id).select_from(asked)
            .outerjoin(ConversationRow, and_(ConversationRow.channel == asked.c.channel,
                                             ConversationRow.account == asked.c.account))
            .outerjoin(ChatAccount, and_(ChatAccount.channel == asked.c.channel,
                                         ChatAccount.external_id == asked.c.account))
            .outerjoin(Person, Person.id == ChatAccount.person_id)
            .outerjoin(Organisation, Organisation.id == Person.organisation_id)
            .outerjoin(Unit, Unit.id == Person.unit_id))
        async with reading(self._sessions) as session:
            row, person, unit, pack_id = (await session.execute(query)).one()
            roles = [] if person is None else (await session.execute(
                select(Membership.role, Body.kind).join(Body, Body.id == Membership.body_id)
                .where(Membership.person_id == person.id, _current(date.today())))).all()
        info = None
        if person is not None:
            info = PersonInfo(id=person.id, name=person.name, language=person.language or "vi",
                              title=person.title, unit_id=unit.id if unit else None,
                              unit_name=unit.name if unit else None,
                              unit_kind=unit.unit_kind if unit else None, pack_id=pack_id)
            TURN_ROLES.set((person.id, any(is_committee_role(r, k) for r, k in roles)))
        else:
            TURN_ROLES.set(None)
        return _conversation(channel, account, row), info

    async def save(self, conversation: Conversation) -> None:
        now = datetime.now(UTC)
        values = {"flow": conversation.flow, "step": conversation.step,
                  "data": conversation.data, "language": conversation.language,
                  "updated_at": now}
        async with self._sessions() as session, session.begin():
            if conversation.version == 0:
                exists = await session.get(ConversationRow, (conversation.channel,
                                                             conversation.account))
                if exists is not None:
                    raise StaleVersion()
                session.add(ConversationRow(channel=conversation.channel,
                                            account=conversation.account, version=1, **values))
            else:
                result = await session.execute(
                    update(ConversationRow)
                    .where(ConversationRow.channel == conversation.channel,
                           ConversationRow.account == conversation.account,
                           ConversationRow.version == conversation.version)
                    .values(version=ConversationRow.version + 1, **values))
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise StaleVersion()
        conversation.version += 1


def _conversation(channel: str, account: str, row: ConversationRow | None) -> Conversation:
    if row is None:
        return Conversation(channel=channel, account=account)
    return Conversation(channel=channel, account=account, flow=row.flow, step=row.step,
                        data=dict(row.data), language=row.language, version=row.version)


def _current(today: date):  # type: ignore[no-untyped-def]
    """A membership in force ``today`` (as ``storage.directory`` reads it)."""
    return (or_(Membership.valid_from.is_(None), Membership.valid_from <= today)
            & or_(Membership.valid_to.is_(None), Membership.valid_to >= today))
