"""Which chat app a person's notifications go to (``/kenh``): ``ChatAccount.preferred_at``.

The notifier sends to a person's reachable account, the chosen one first
(``storage.outbox_queue.accounts``), otherwise the one they used last. Choosing a
channel marks the person's accounts on it; the others lose their mark.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ports import LinkedChannel
from storage import audit
from storage.models import ChatAccount

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def linked_channels(session: AsyncSession, person_id: str) -> list[LinkedChannel]:
    rows = (await session.execute(select(
        ChatAccount.channel, ChatAccount.last_seen_at, ChatAccount.linked_at,
        ChatAccount.preferred_at, ChatAccount.unreachable_since,
    ).where(ChatAccount.person_id == person_id, ChatAccount.chat_id.is_not(None)))).all()
    rows = sorted(rows, key=lambda r: (r.last_seen_at or _EPOCH, r.linked_at or _EPOCH),
                  reverse=True)
    found: dict[str, LinkedChannel] = {}
    for r in rows:
        seen = found.get(r.channel)
        found[r.channel] = LinkedChannel(
            r.channel, preferred=r.preferred_at is not None or bool(seen and seen.preferred),
            reachable=r.unreachable_since is None or bool(seen and seen.reachable))
    return list(found.values())


async def prefer_channel(session: AsyncSession, person_id: str, channel: str | None,
                         now: datetime) -> bool:
    """Mark the person's accounts on ``channel`` as chosen (None: no choice); the caller
    commits. False, changing nothing, if they have no linked account on ``channel``."""
    mine = (ChatAccount.person_id == person_id) & ChatAccount.chat_id.is_not(None)
    if channel is not None and await session.scalar(
            select(ChatAccount.id).where(mine, ChatAccount.channel == channel).limit(1)) is None:
        return False
    await session.execute(update(ChatAccount).where(mine).values(preferred_at=None))
    if channel is not None:
        await session.execute(update(ChatAccount).where(mine, ChatAccount.channel == channel)
                              .values(preferred_at=now))
    await audit.append(session, action="channel_preferred", actor=person_id,
                       payload={"channel": channel}, at=now)
    return True
