"""Conversation state in the database (handlers.ports.ConversationStore)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.ports import Conversation
from storage.models import ConversationRow
from workflow.errors import StaleVersion


class SqlConversations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, channel: str, account: str) -> Conversation:
        async with self._sessions() as session:
            row = await session.get(ConversationRow, (channel, account))
        if row is None:
            return Conversation(channel=channel, account=account)
        return Conversation(channel=channel, account=account, flow=row.flow, step=row.step,
                            data=dict(row.data), language=row.language, version=row.version)

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
