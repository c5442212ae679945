"""Conversation state in the database (handlers.ports.ConversationStore).

Loading reads without the writer's lock (``storage.reads``): every turn loads, and on
SQLite a read that queued behind the writers would serialize all turns. Saving is the
assistant's to skip when the turn changed nothing (``handlers.app``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, Select, String, and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection
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
from storage.reads import TURN_ROLES, TURN_SEEN, SeenState, read, reading
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
        today = date.today()

        def work(connection: Connection
                 ) -> tuple[Conversation, PersonInfo | None, bool, SeenState]:
            row = connection.execute(_TURN, {"channel": channel, "account": account}).one()
            seen = SeenState(channel, account, row.account_id is not None,
                             row.unreachable_since, row.last_seen_at)
            conversation = (Conversation(channel=channel, account=account) if row.version
                            is None else Conversation(
                                channel=channel, account=account, flow=row.flow,
                                step=row.step, data=dict(row.data), language=row.language,
                                version=row.version))
            if row.person_id is None:
                return conversation, None, False, seen
            roles = connection.execute(_ROLES, {"person": row.person_id, "today": today})
            info = PersonInfo(id=row.person_id, name=row.person_name,
                              language=row.person_language or "vi", title=row.title,
                              unit_id=row.unit_id, unit_name=row.unit_name,
                              unit_kind=row.unit_kind, pack_id=row.pack_id)
            return (conversation, info, any(is_committee_role(r, k) for r, k in roles),
                    seen)

        conversation, info, committee, seen = await read(self._sessions, work)
        TURN_ROLES.set(None if info is None else (info.id, committee))
        TURN_SEEN.set(seen)
        return conversation, info

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


def _turn_statement() -> Select[Any]:
    """A turn's lookups as one statement, built once: core columns, no ORM objects (the
    statement and its cache key are made once, the rows are plain tuples)."""
    conv, account_, person, org, unit = (ConversationRow.__table__, ChatAccount.__table__,
                                         Person.__table__, Organisation.__table__,
                                         Unit.__table__)
    asked = select(bindparam("channel", type_=String).label("channel"),
                   bindparam("account", type_=String).label("account")).subquery()
    return (
        select(conv.c.flow, conv.c.step, conv.c.data, conv.c.language, conv.c.version,
               person.c.id.label("person_id"), person.c.name.label("person_name"),
               person.c.language.label("person_language"), person.c.title,
               unit.c.id.label("unit_id"), unit.c.name.label("unit_name"), unit.c.unit_kind,
               org.c.pack_id, account_.c.id.label("account_id"),
               account_.c.unreachable_since, account_.c.last_seen_at)
        .select_from(asked)
        .outerjoin(conv, and_(conv.c.channel == asked.c.channel,
                              conv.c.account == asked.c.account))
        .outerjoin(account_, and_(account_.c.channel == asked.c.channel,
                                  account_.c.external_id == asked.c.account))
        .outerjoin(person, person.c.id == account_.c.person_id)
        .outerjoin(org, org.c.id == person.c.organisation_id)
        .outerjoin(unit, unit.c.id == person.c.unit_id))


def _roles_statement() -> Select[Any]:
    membership, body = Membership.__table__, Body.__table__
    today = bindparam("today", type_=Date)
    return (select(membership.c.role, body.c.kind)
            .join(body, body.c.id == membership.c.body_id)
            .where(membership.c.person_id == bindparam("person", type_=String),
                   or_(membership.c.valid_from.is_(None), membership.c.valid_from <= today),
                   or_(membership.c.valid_to.is_(None), membership.c.valid_to >= today)))


_TURN = _turn_statement()
_ROLES = _roles_statement()

