"""The notifier's side of the outbox: claiming due messages under a lease, and recording
what became of each one, every step in its own short transaction.

A claimed row has status ``sending``, the claim's token in ``claimed_by`` and the end
of its lease in ``next_attempt_at``. If the worker dies, the row is simply due again
when the lease ends and another worker takes it: a crash after a message was posted
but before it was marked sent leads to one resend, never to a lost message
(at-least-once). While a lease runs nobody else takes the row: PostgreSQL claims with
``FOR UPDATE SKIP LOCKED`` (two workers never claim one row, neither waits for the
other); SQLite has one process and one statement claims atomically.

Only messages whose person has a linked, reachable account on a channel the notifier
can send to are claimed; the others stay ``pending`` (listed to the office by
``storage.outbox.unreachable``) and go out by themselves once the person links an
account or writes to the bot again (``mark_seen``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from storage.db import session_factory
from storage.models import ChatAccount, OutboxMessage
from storage.outbox import EVENT_PRIORITY, OutboxWriter
from storage.reads import read, take_turn_seen
from storage.uow import SqlDossiers

SENDING = "sending"
UNREACHABLE = "unreachable"
FAILED = "failed"
# last_seen_at is rewritten at most this often: it orders a person's accounts, and a
# write on every incoming update would be wasted.
SEEN_GRANULARITY = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Claimed:
    id: int
    person_id: str
    payload: dict[str, Any]
    priority: int
    attempts: int


@dataclass(frozen=True)
class Account:
    id: int
    person_id: str
    channel: str
    chat_id: str


def _reachable(channels: Collection[str]) -> Select[str | None]:
    """The people with a linked, reachable account on one of ``channels``."""
    return select(ChatAccount.person_id).where(
        ChatAccount.person_id.is_not(None), ChatAccount.chat_id.is_not(None),
        ChatAccount.unreachable_since.is_(None), ChatAccount.channel.in_(list(channels)))


async def claim(engine: AsyncEngine, channels: Collection[str], token: str, now: datetime,
                lease_until: datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due messages (pending, or sending with an expired lease) for
    ``token`` until ``lease_until``; returned by priority, then id.

    Nothing is claimed for a person while another claim on one of their messages is
    alive (a worker sending, or one that died and whose lease has not run out): their
    messages keep their order across workers and restarts."""
    held = aliased(OutboxMessage)
    busy = select(held.person_id).where(held.status == SENDING, held.next_attempt_at > now,
                                        held.person_id.is_not(None))
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status.in_(("pending", SENDING)),
                  OutboxMessage.next_attempt_at <= now,
                  OutboxMessage.person_id.not_in(busy))
           .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit))
    if engine.dialect.name == "postgresql":  # its planner picks a semi-join by statistics
        due = (due.where(OutboxMessage.person_id.in_(_reachable(channels)))
               .with_for_update(skip_locked=True))
    else:
        # SQLite has no statistics (nobody runs ANALYZE): written this way it starts from
        # the reachable people instead of walking every pending row, those of people
        # nobody can reach included (1 ms instead of 130 ms with 100,000 of them).
        people = _reachable(channels).distinct().subquery("reachable")
        due = due.join(people, OutboxMessage.person_id == people.c.person_id)
    # A materialised CTE is evaluated once: the locked rows are exactly the ones updated.
    chosen = due.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    statement = (update(OutboxMessage).where(OutboxMessage.id.in_(select(chosen.c.id)))
                 .values(status=SENDING, claimed_by=token, next_attempt_at=lease_until)
                 .returning(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.payload,
                            OutboxMessage.priority, OutboxMessage.attempts))
    async with engine.begin() as conn:
        rows = (await conn.execute(statement)).all()
    found = [Claimed(r.id, r.person_id, dict(r.payload), r.priority, r.attempts) for r in rows]
    return sorted(found, key=lambda c: (c.priority, c.id))


async def renew(engine: AsyncEngine, ids: Iterable[int], token: str,
                lease_until: datetime) -> set[int]:
    """Extend the lease of the rows still claimed by ``token``; return their ids."""
    wanted = list(ids)
    if not wanted:
        return set()
    async with engine.begin() as conn:
        rows = await conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(wanted), OutboxMessage.claimed_by == token,
                   OutboxMessage.status == SENDING)
            .values(next_attempt_at=lease_until).returning(OutboxMessage.id))
        return set(rows.scalars())


async def accounts(engine: AsyncEngine, person_ids: Iterable[str],
                   channels: Collection[str]) -> dict[str, list[Account]]:
    """Each person's reachable accounts on ``channels``, best first: the one they chose
    (``preferred_at``, /kenh), then the most recently seen, then the most recently linked."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    async with engine.connect() as conn:
        rows = (await conn.execute(select(
            ChatAccount.id, ChatAccount.person_id, ChatAccount.channel, ChatAccount.chat_id,
            ChatAccount.last_seen_at, ChatAccount.linked_at, ChatAccount.preferred_at,
        ).where(ChatAccount.person_id.in_(wanted), ChatAccount.chat_id.is_not(None),
                ChatAccount.unreachable_since.is_(None),
                ChatAccount.channel.in_(list(channels))))).all()
    rows = sorted(rows, key=lambda r: (r.preferred_at is not None, r.last_seen_at or _EPOCH,
                                       r.linked_at or _EPOCH, r.id), reverse=True)
    found: dict[str, list[Account]] = {}
    for r in rows:
        found.setdefault(r.person_id, []).append(Account(r.id, r.person_id, r.channel,
                                                         r.chat_id))
    return found


async def mark_sent(engine: AsyncEngine, row_id: int, account: Account, now: datetime) -> None:
    """Record a message as delivered through ``account``. Unconditional: once posted it
    is sent, even if this worker's lease ran out meanwhile."""
    await mark_sent_many(engine, [(row_id, account, now)])


_SENT = (update(OutboxMessage).where(OutboxMessage.id == bindparam("row_id"))
         .values(status="sent", sent_at=bindparam("sent_at_"), channel=bindparam("channel_"),
                 chat_id=bindparam("chat_id_"), claimed_by=None, last_error=None))


async def mark_sent_many(engine: AsyncEngine,
                         sent: Sequence[tuple[int, Account, datetime]]) -> None:
    """``mark_sent`` for several messages (id, account, when) in one transaction."""
    if not sent:
        return
    async with engine.begin() as conn:
        await conn.execute(_SENT, [
            {"row_id": row_id, "sent_at_": at, "channel_": account.channel,
             "chat_id_": account.chat_id} for row_id, account, at in sent])


async def reschedule(engine: AsyncEngine, row: Claimed, token: str, *, at: datetime,
                     error: str, count_attempt: bool, max_attempts: int) -> str | None:
    """Give a claimed row back for a later try (``failed`` once ``max_attempts`` counted
    attempts failed); the new status, or None if the claim was lost meanwhile."""
    attempts = row.attempts + (1 if count_attempt else 0)
    status = FAILED if count_attempt and attempts >= max_attempts else "pending"
    async with engine.begin() as conn:
        done = await conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == token,
                   OutboxMessage.status == SENDING)
            .values(status=status, attempts=attempts, next_attempt_at=at,
                    last_error=error[:2000], claimed_by=None))
    return status if done.rowcount else None


async def recover(engine: AsyncEngine, now: datetime) -> int:
    """At start-up on SQLite (one process, so no other worker can hold a claim): every
    row left claimed by a process that died is due again at once, in its place, instead
    of waiting for its lease. Returns how many."""
    if engine.dialect.name != "sqlite":
        return 0  # other workers may be alive: their leases decide
    async with engine.begin() as conn:
        result = await conn.execute(
            update(OutboxMessage).where(OutboxMessage.status == SENDING)
            .values(status="pending", next_attempt_at=now, claimed_by=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release(engine: AsyncEngine, ids: Iterable[int], token: str, now: datetime) -> None:
    """Give claimed rows back untried (due at once, no attempt counted)."""
    wanted = list(ids)
    if not wanted:
        return
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(wanted), OutboxMessage.claimed_by == token,
                   OutboxMessage.status == SENDING)
            .values(status="pending", next_attempt_at=now, claimed_by=None))


@dataclass(frozen=True)
class Blocked:
    rerouted: bool  # the person has another reachable account: the row is due again
    notices: int  # office notices written


async def account_unreachable(engine: AsyncEngine, row: Claimed, token: str, account: Account,
                              channels: Collection[str], now: datetime, error: str) -> Blocked:
    """The platform says ``account`` cannot be reached (blocked, left). The account is
    marked; the row goes to the person's next reachable account if they have one, else
    it becomes ``unreachable`` and the office of its dossier is told, once per person
    and dossier. One transaction."""
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(ChatAccount).where(
            ChatAccount.id == account.id, ChatAccount.unreachable_since.is_(None),
        ).values(unreachable_since=now))
        other = await session.scalar(_reachable(channels).where(
            ChatAccount.person_id == row.person_id).limit(1))
        mine = (OutboxMessage.id == row.id) & (OutboxMessage.claimed_by == token)
        if other is not None:
            await session.execute(update(OutboxMessage).where(mine).values(
                status="pending", next_attempt_at=now, claimed_by=None, last_error=error))
            return Blocked(rerouted=True, notices=0)
        done = await session.execute(update(OutboxMessage).where(mine).values(
            status=UNREACHABLE, claimed_by=None, last_error=error, channel=account.channel,
            chat_id=account.chat_id))
        if not done.rowcount:  # type: ignore[attr-defined]
            return Blocked(rerouted=False, notices=0)
        notices = await _tell_office(session, row, account.channel, now)
    return Blocked(rerouted=False, notices=notices)


def dossier_of(payload: dict[str, Any]) -> int:
    """The dossier an outbox payload is about (events keep it in ``data``), or 0."""
    value = payload.get("dossier_id") or (payload.get("data") or {}).get("dossier_id") or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


async def _tell_office(session: AsyncSession, row: Claimed, channel: str,
                       now: datetime) -> int:
    if "notice" in row.payload:  # never a notice about a notice
        return 0
    dossier_id = dossier_of(row.payload)
    dossier = await SqlDossiers(session).get(dossier_id) if dossier_id else None
    if dossier is None:
        return 0
    office = await OutboxWriter().resolve(session, dossier.to_office(), now.date())
    written = 0
    for person in office:
        if person == row.person_id:
            continue
        key = f"notice:unreachable:{dossier_id}:{row.person_id}:{person}"[:200]
        if await session.scalar(select(OutboxMessage.id).where(
                OutboxMessage.dedupe_key == key)) is not None:
            continue
        try:  # a savepoint: another worker may write the same notice at the same moment
            async with session.begin_nested():
                session.add(OutboxMessage(
                    dedupe_key=key, person_id=person, priority=EVENT_PRIORITY,
                    payload={"notice": "unreachable", "person_id": row.person_id,
                             "channel": channel, "dossier_id": dossier_id},
                    status="pending", attempts=0, created_at=now, next_attempt_at=now))
            written += 1
        except IntegrityError:
            continue
    return written


REPLY_PRIORITY = 1  # a person's own answer, kept for them after it could not be sent


async def keep_reply(engine: AsyncEngine, channel: str, chat: str, reply: dict[str, Any],
                     now: datetime) -> bool:
    """An answer the platform refused to take after every quick retry: written to the
    outbox for the person of that chat, so the notifier tries again with its back-off and
    lists it to the office as failed if it never goes. False for a chat nobody linked
    (then only the log knows)."""
    async with engine.begin() as conn:
        person = await conn.scalar(select(ChatAccount.person_id).where(
            ChatAccount.channel == channel,
            (ChatAccount.chat_id == chat) | (ChatAccount.external_id == chat)).limit(1))
        if person is None:
            return False
        await conn.execute(insert(OutboxMessage).values(
            dedupe_key=f"reply:{channel}:{chat}:{now.isoformat()}:{id(reply)}"[:200],
            person_id=person, priority=REPLY_PRIORITY, payload={"reply": reply},
            status="pending", attempts=0, created_at=now, next_attempt_at=now))
    return True


# Built once: every incoming update asks it.
_SEEN = select(ChatAccount.__table__.c.unreachable_since,
               ChatAccount.__table__.c.last_seen_at).where(
    ChatAccount.__table__.c.channel == bindparam("channel", type_=String),
    ChatAccount.__table__.c.external_id == bindparam("external_id", type_=String))


async def mark_seen(target: AsyncEngine | AsyncSession, channel: str, external_id: str,
                    now: datetime) -> bool:
    """A person wrote from this account: it is reachable again and was seen ``now``.

    Call it on every incoming update (it writes at most once a minute per account).
    Returns True when the account had been unreachable: what could not reach the person
    meanwhile (pending, or marked ``unreachable``) is due again, so wake the notifier.
    With a session, the caller commits.
    """
    if isinstance(target, AsyncSession):
        return await _seen(target, channel, external_id, now)
    # Nearly always there is nothing to write (seen within the minute, reachable): find
    # out with a read, which on SQLite does not queue for the writer's lock.
    row: Any
    if (known := take_turn_seen(channel, external_id)) is not None:
        row = known if known.exists else None  # read with the turn: not read again
    else:
        asked = {"channel": channel, "external_id": external_id}
        row = await read(target, lambda connection: connection.execute(_SEEN, asked).first())
    if row is None or (row.unreachable_since is None and row.last_seen_at is not None
                       and _aware(row.last_seen_at) >= now - SEEN_GRANULARITY):
        return False
    async with target.begin() as conn:
        return await _seen(conn, channel, external_id, now)


def _aware(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _seen(db: AsyncSession | AsyncConnection, channel: str, external_id: str,
                now: datetime) -> bool:
    account = (ChatAccount.channel == channel) & (ChatAccount.external_id == external_id)
    back = (await db.execute(
        update(ChatAccount).where(account, ChatAccount.unreachable_since.is_not(None))
        .values(unreachable_since=None, last_seen_at=now)
        .returning(ChatAccount.person_id))).scalars().all()
    await db.execute(update(ChatAccount).where(
        account, ChatAccount.last_seen_at.is_(None)
        | (ChatAccount.last_seen_at < now - SEEN_GRANULARITY)).values(last_seen_at=now))
    people = [person for person in back if person]
    if people:  # the messages that found nobody while the bot was blocked
        await db.execute(update(OutboxMessage).where(
            OutboxMessage.person_id.in_(people), OutboxMessage.status == UNREACHABLE)
            .values(status="pending", next_attempt_at=now)
            .execution_options(synchronize_session=False))
    return bool(back)
