"""What the notifier tests share: a chat platform in memory, virtual time, planting rows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Keyboard
from bot.notifier import Notifier
from bot.ratelimit import Limits, RateLimiter
from bot.wiring import App
from storage.db import session_factory
from storage.models import ChatAccount, OutboxMessage

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)  # a Monday
LAN, THOA, NAM = "nguyen-thi-lan", "tran-thi-kim-thoa", "ho-van-nam"  # cadre, cell, office


@dataclass
class FakeTime:
    """One virtual clock for the app, the notifier and the rate limiter: the limiter's
    waits move it forward at once, so a 429 pause of a minute takes no real time."""

    current: datetime = START
    slept: float = 0.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return (self.current - START).total_seconds()

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        self.slept += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def catch_up(self) -> None:
        """Move to the real time if it is later: the unit of work stamps outbox rows
        with the real time, so rows written by a flow are due from then."""
        self.current = max(self.current, datetime.now(VIETNAM) + timedelta(seconds=1))


@dataclass
class Sent:
    chat_id: str
    text: str
    buttons: Keyboard
    at: datetime | None = None


@dataclass
class FakeSender:
    """A chat platform in memory: records what was posted; ``fail(chat, exc, ...)`` makes
    the next sends to that chat raise (``None`` in the list lets one through)."""

    channel: str = "telegram"
    max_text: int = 4096
    groups: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    calls: int = 0
    failures: dict[str, list[BaseException | None]] = field(default_factory=dict)
    pause: float = 0.0  # real seconds each send takes (to interleave workers)
    time: FakeTime | None = None  # records when each message was posted
    crash: BaseException | None = None  # raised once right after a message was posted
    on_send: Callable[[], Awaitable[None]] | None = None  # runs before each send

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.groups

    def fail(self, chat_id: str, *errors: BaseException | None) -> None:
        self.failures.setdefault(chat_id, []).extend(errors)

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        self.calls += 1
        if self.on_send is not None:
            await self.on_send()
        if self.pause:
            await asyncio.sleep(self.pause)
        queued = self.failures.get(chat_id)
        if queued:
            error = queued.pop(0)
            if error is not None:
                raise error
        self.sent.append(Sent(chat_id, text, buttons, self.time.now() if self.time else None))
        if self.crash is not None:
            crash, self.crash = self.crash, None
            raise crash

    def to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


def chat_of(person_id: str, channel: str = "telegram") -> str:
    return f"{channel}-chat-{person_id}"


async def link(engine: AsyncEngine, person_id: str, channel: str = "telegram", *,
               seen: datetime | None = None, linked: datetime = START) -> int:
    async with session_factory(engine)() as session, session.begin():
        account = ChatAccount(channel=channel, external_id=f"{channel}-user-{person_id}",
                              chat_id=chat_of(person_id, channel), person_id=person_id,
                              linked_at=linked, last_seen_at=seen)
        session.add(account)
        await session.flush()
        return account.id


async def plant(engine: AsyncEngine, person_id: str | None, payload: dict[str, Any], *,
                priority: int = 3, key: str | None = None, at: datetime = START,
                status: str = "pending") -> int:
    async with session_factory(engine)() as session, session.begin():
        row = OutboxMessage(dedupe_key=key or f"test:{person_id}:{payload}"[:200],
                            person_id=person_id, payload=payload, priority=priority,
                            status=status, attempts=0, created_at=at, next_attempt_at=at)
        session.add(row)
        await session.flush()
        return row.id


def note(label: str, person: str = LAN, dossier: int = 0) -> dict[str, Any]:
    """A payload that renders without a dossier: an unreachable notice about ``label``."""
    return {"notice": "unreachable", "person_id": person, "channel": label,
            "dossier_id": dossier}


async def rows(engine: AsyncEngine, **where: Any) -> list[OutboxMessage]:
    async with session_factory(engine)() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list((await session.execute(query)).scalars())


async def row(engine: AsyncEngine, row_id: int) -> OutboxMessage:
    async with session_factory(engine)() as session:
        found = await session.get(OutboxMessage, row_id)
    assert found is not None
    return found


async def account(engine: AsyncEngine, account_id: int) -> ChatAccount:
    async with session_factory(engine)() as session:
        found = await session.get(ChatAccount, account_id)
    assert found is not None
    return found


def limiter_for(time: FakeTime, limits: Limits | None = None) -> RateLimiter:
    return RateLimiter(limits, now=time.monotonic, sleep=time.sleep)


def notifier_for(app: App, time: FakeTime, *senders: FakeSender, **options: Any) -> Notifier:
    options.setdefault("retries", 0)  # deliver's quick retries are tested on their own
    options.setdefault("retry_backoff", 0.0)
    return Notifier(app.services, app.engine, {s.channel: s for s in senders},
                    limiter_for(time, options.pop("limits", None)), clock=time.now, **options)
