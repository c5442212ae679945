"""The numbered choices last shown in a chat of a channel without buttons (Zalo).

A channel without buttons shows a reply's buttons as a numbered list; when the person
answers "2", whichever worker receives the answer reads here what "2" meant. One row per
chat, replaced by every new list (the newest list is the one the person reads), so the
mapping survives a restart and is shared by several workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import ShownChoices


@dataclass(frozen=True)
class Shown:
    choices: tuple[tuple[str, str], ...]  # (label, action), numbered from 1
    language: str
    shown_at: datetime


async def save_choices(engine: AsyncEngine, channel: str, chat_id: str,
                       choices: Sequence[tuple[str, str]], language: str,
                       now: datetime) -> None:
    """Record ``choices`` as the list now shown in the chat (replacing the previous one)."""
    values = {"choices": [[label, action] for label, action in choices],
              "language": language, "shown_at": now}
    where = (ShownChoices.channel == channel) & (ShownChoices.chat_id == chat_id)
    for _attempt in range(2):
        try:
            async with engine.begin() as conn:
                done = await conn.execute(update(ShownChoices).where(where).values(**values))
                if not done.rowcount:
                    await conn.execute(insert(ShownChoices).values(
                        channel=channel, chat_id=chat_id, **values))
            return
        except IntegrityError:  # another worker inserted it meanwhile: update it instead
            continue


async def load_choices(engine: AsyncEngine, channel: str, chat_id: str) -> Shown | None:
    """The list last shown in the chat, or None."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(
            ShownChoices.choices, ShownChoices.language, ShownChoices.shown_at,
        ).where(ShownChoices.channel == channel, ShownChoices.chat_id == chat_id))).first()
    if row is None:
        return None
    choices = tuple((str(item[0]), str(item[1])) for item in row.choices
                    if isinstance(item, list | tuple) and len(item) == 2)
    return Shown(choices, row.language, row.shown_at)


async def touch_choices(engine: AsyncEngine, channel: str, chat_id: str,
                        now: datetime) -> None:
    """The same list was shown again ``now``."""
    async with engine.begin() as conn:
        await conn.execute(update(ShownChoices).where(
            ShownChoices.channel == channel, ShownChoices.chat_id == chat_id,
        ).values(shown_at=now))
