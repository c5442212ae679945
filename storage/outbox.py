"""Turning domain events into outbox rows, inside the transaction that caused them.

A recipient is a person, or whoever holds a role on a body; the memberships table
says who that is today. A recipient nobody answers to is not dropped: it becomes an
``unresolved`` row that the office's overview lists, so nobody is skipped silently.
The text is rendered later, in the reader's language, by whoever drains the outbox.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.codec import dump
from storage.models import ChatAccount, Membership, OutboxMessage, Person
from workflow.actors import Role
from workflow.events import Event, Recipient

# Commits in this process that added outbox rows: after a person's turn the notifier is
# woken only when this moved (``bot.runner``); a turn that only saved its conversation
# (a menu, a step of a form) need not take the database's write lock for an empty claim.
OUTBOX_COMMITS = [0]
_ADDED = "cadrebot_outbox_added"


@sa_event.listens_for(Session, "before_flush")
def _note_outbox_rows(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_ADDED) and any(
            isinstance(row, OutboxMessage) for row in session.new):
        session.info[_ADDED] = True


@sa_event.listens_for(Session, "after_commit")
def _count_outbox_commit(session: Session) -> None:
    if session.info.pop(_ADDED, False):
        OUTBOX_COMMITS[0] += 1


@sa_event.listens_for(Session, "after_rollback")
def _forget_outbox_rows(session: Session) -> None:
    session.info.pop(_ADDED, None)

# Which membership roles on the recipient's body stand for a role of the process.
MEMBERSHIP_ROLES: dict[Role | None, tuple[str, ...]] = {
    Role.OFFICE: ("office",),
    Role.MEMBER: ("member", "secretary", "deputy_secretary"),
    Role.HEAD: ("head", "secretary"),
    Role.CELL_SECRETARY: ("secretary", "head"),
    Role.SUPERIOR: ("head", "secretary", "office"),
    Role.APPRAISER: ("appraiser",),
    Role.LEGAL_REVIEWER: ("legal_reviewer",),
    None: ("office", "head", "secretary"),  # the body itself, e.g. a copy for information
}
# Interactive consequences of someone's action go before bulk reminders.
EVENT_PRIORITY = 3


class OutboxWriter:
    async def write(self, session: AsyncSession, events: Iterable[Event], now: datetime,
                    proposers: Mapping[int, Iterable[str]] | None = None) -> int:
        """Add one outbox row per event and resolved person; return how many.

        ``proposers`` (by dossier) are left out of a role's recipients: a proposer does
        not act on their own plan in another role (workflow.conflicts), so a duty of that
        role is for the others holding it; with nobody else, the row is ``unresolved``
        and the office's overview shows it. Their own notices name them as proposers.
        """
        own = {key: frozenset(people) for key, people in (proposers or {}).items()}
        written = 0
        keys: set[str] = set()  # this batch's keys: pending rows are not queryable yet
        for event in events:
            data = dump(event)
            notify = data.pop("notify", [])
            digest = hashlib.sha256(json.dumps([type(event).__name__, data], sort_keys=True,
                                               ensure_ascii=False).encode()).hexdigest()[:24]
            for recipient, raw in zip(event.notify, notify, strict=True):
                people = await self.resolve(session, recipient, now.date())
                if not recipient.person and recipient.role is not Role.PROPOSER:
                    people = [p for p in people if p not in own.get(event.dossier_id, ())]
                targets: list[str | None] = list(people) or [None]
                for person in targets:
                    key = (f"{type(event).__name__}:{event.dossier_id}:{digest}:"
                           f"{person or _describe(recipient)}")[:200]
                    if key in keys or await _exists(session, key):
                        continue  # the same event for the same person: once
                    keys.add(key)
                    session.add(OutboxMessage(
                        dedupe_key=key, person_id=person,
                        payload={"event": type(event).__name__, "data": data,
                                 "recipient": raw},
                        priority=EVENT_PRIORITY,
                        status="pending" if person else "unresolved",
                        attempts=0, created_at=now, next_attempt_at=now))
                    written += 1
        await session.flush()
        return written

    async def resolve(self, session: AsyncSession, recipient: Recipient, on: date) -> list[str]:
        """The people a recipient stands for on ``on`` (memberships valid that day)."""
        if recipient.person:
            found = await session.get(Person, recipient.person)
            return [recipient.person] if found else []
        if not recipient.body:
            return []
        roles = MEMBERSHIP_ROLES.get(recipient.role, ())
        rows = (await session.execute(
            select(Membership.person_id).where(
                Membership.body_id == recipient.body, Membership.role.in_(roles),
                or_(Membership.valid_from.is_(None), Membership.valid_from <= on),
                or_(Membership.valid_to.is_(None), Membership.valid_to >= on),
            ).order_by(Membership.person_id))).scalars().all()
        return list(dict.fromkeys(rows))


async def _exists(session: AsyncSession, key: str) -> bool:
    found = await session.execute(select(OutboxMessage.id).where(
        OutboxMessage.dedupe_key == key))
    return found.first() is not None


def _describe(recipient: Recipient) -> str:
    """An unresolved recipient's identity, so that two of them never share a key."""
    role = recipient.role.value if recipient.role else "body"
    if recipient.person:
        return f"{role}:person:{recipient.person}"
    return f"{role}@{recipient.body or recipient.route_body or '-'}"


async def pending_for(session: AsyncSession, person_id: str) -> list[OutboxMessage]:
    """The person's messages not yet delivered, oldest first (within priority)."""
    rows = await session.execute(select(OutboxMessage).where(
        OutboxMessage.person_id == person_id, OutboxMessage.status == "pending",
    ).order_by(OutboxMessage.priority, OutboxMessage.id))
    return list(rows.scalars().all())


async def mark_sent(session: AsyncSession, ids: Iterable[int], now: datetime) -> None:
    """Record messages as delivered (the caller commits)."""
    wanted = list(ids)
    if not wanted:
        return
    rows = await session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(wanted)))
    for row in rows.scalars():
        row.status, row.sent_at = "sent", now


async def unreachable(session: AsyncSession, limit: int = 50) -> list[OutboxMessage]:
    """Messages nobody can receive: no person holds the role, the person has no linked
    chat account (yet) or blocked the bot on every one (``unreachable``), or sending kept
    failing (``failed``). The office's desk lists them."""
    reachable = select(ChatAccount.person_id).where(ChatAccount.person_id.is_not(None),
                                                    ChatAccount.unreachable_since.is_(None))
    rows = await session.execute(select(OutboxMessage).where(or_(
        OutboxMessage.status.in_(("unresolved", "unreachable", "failed")),
        (OutboxMessage.status == "pending") & OutboxMessage.person_id.not_in(reachable),
    )).order_by(OutboxMessage.id.desc()).limit(limit))
    return list(rows.scalars().all())
