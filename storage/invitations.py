"""Invitation codes: how a person links a chat account (Telegram, Zalo) to themselves.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
``ABCD-EFGH`` and accepted in any case, with or without spaces and dashes: easy to type
on a phone. Only its HMAC under the server's key is stored (storage.audit's seal), with an
expiry (30 days by default), so the plain code exists only in the output of the run that
issued it, and someone who can read the database cannot try the 31^8 codes offline
without the key. Hence issuing is also
re-issuing: a person who already has an open code gets a new one and the old one is
expired at once — the administrator always has one usable code per person to hand out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import ChatAccount, Invitation, Membership, Person

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
VALID_FOR = timedelta(days=30)


def normalise_code(text: str) -> str:
    """What the person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def hash_code(text: str, seal: audit.Seal) -> str:
    return seal.digest(b"invitation:" + normalise_code(text).encode("ascii", "ignore"))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _utc(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class IssuedInvitation:
    """A code just issued; ``code`` is the only copy of the plain text."""

    person: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (role, body id), current memberships
    code: str
    expires_at: datetime


class UnknownPeople(LookupError):
    def __init__(self, ids: list[str]):
        self.ids = ids
        super().__init__(f"unknown people: {', '.join(ids)}")


async def issue_invitations(session: AsyncSession, organisation_id: str, *,
                            person_ids: list[str] | None = None, now: datetime | None = None,
                            valid_for: timedelta = VALID_FOR,
                            actor: str | None = None) -> list[IssuedInvitation]:
    """A fresh code for each person of the organisation (or each of ``person_ids``).

    Open codes of those people are expired first: their plain text is gone, so they could
    not be listed anyway, and one live code per person is easier to reason about.
    """
    # UTC throughout: SQLite keeps these columns as text and compares them as text.
    now = (now or datetime.now(UTC)).astimezone(UTC)
    query = select(Person).where(Person.organisation_id == organisation_id).order_by(Person.id)
    if person_ids is not None:
        query = query.where(Person.id.in_(person_ids))
    people = list((await session.execute(query)).scalars())
    if person_ids is not None:
        missing = sorted(set(person_ids) - {p.id for p in people})
        if missing:
            raise UnknownPeople(missing)
    if not people:
        return []
    ids = [p.id for p in people]
    await session.execute(
        update(Invitation)
        .where(Invitation.person_id.in_(ids), Invitation.used_at.is_(None),
               Invitation.expires_at > now)
        .values(expires_at=now))
    roles = await _current_roles(session, ids, now.date())
    issued: list[IssuedInvitation] = []
    for person in people:
        code = await _unused_code(session)
        session.add(Invitation(person_id=person.id,
                               code_hash=hash_code(code, audit.session_seal(session)),
                               created_at=now,
                               expires_at=now + valid_for))
        issued.append(IssuedInvitation(person=person.id, name=person.name,
                                       roles=roles.get(person.id, ()), code=format_code(code),
                                       expires_at=now + valid_for))
    await session.flush()
    await audit.append(session, action="invitations_issued", actor=actor,
                       payload={"organisation": organisation_id, "people": ids,
                                "expires_at": (now + valid_for).isoformat()})
    return issued


async def _unused_code(session: AsyncSession) -> str:
    while True:  # 31^8 codes: a clash is rare, but the hash column is unique
        code = new_code()
        clash = (await session.execute(
            select(Invitation.id).where(Invitation.code_hash == hash_code(
                code, audit.session_seal(session))))).first()
        if clash is None:
            return code


async def _current_roles(session: AsyncSession, person_ids: list[str],
                         today: date) -> dict[str, tuple[tuple[str, str], ...]]:
    rows = (await session.execute(
        select(Membership).where(Membership.person_id.in_(person_ids))
        .order_by(Membership.body_id, Membership.role))).scalars()
    roles: dict[str, list[tuple[str, str]]] = {}
    for m in rows:
        if (m.valid_from is None or m.valid_from <= today) and (
                m.valid_to is None or today <= m.valid_to):
            roles.setdefault(m.person_id, []).append((m.role, m.body_id))
    return {person: tuple(items) for person, items in roles.items()}


class RedeemStatus(StrEnum):
    LINKED = "linked"  # the account now belongs to the code's person
    UNKNOWN = "unknown"  # no such code (a typo, or never issued)
    USED = "used"  # the code has been used already
    EXPIRED = "expired"  # past its expiry, or replaced by a newer code
    ACCOUNT_TAKEN = "account_taken"  # the chat account is linked to someone else


@dataclass(frozen=True)
class Redemption:
    """The outcome of :func:`redeem`; the conversation layer turns it into a message."""

    status: RedeemStatus
    person_id: str | None = None
    account_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is RedeemStatus.LINKED


async def redeem(session: AsyncSession, code: str, *, channel: str, external_id: str,
                 chat_id: str | None = None, now: datetime | None = None) -> Redemption:
    """Link the chat account ``(channel, external_id)`` to the person the code was issued to.

    Runs in the caller's transaction; the invitation row is locked so that two accounts
    racing with one code cannot both win. A failed attempt changes nothing. Limiting the
    number of attempts per account is the caller's business.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if len(normalise_code(code)) != CODE_LENGTH:
        return Redemption(RedeemStatus.UNKNOWN)
    invitation = (await session.execute(
        select(Invitation).where(Invitation.code_hash == hash_code(
            code, audit.session_seal(session)))
        .with_for_update())).scalar_one_or_none()
    if invitation is None:
        return Redemption(RedeemStatus.UNKNOWN)
    if invitation.used_at is not None:
        return Redemption(RedeemStatus.USED, invitation.person_id)
    if _utc(invitation.expires_at) <= now:
        return Redemption(RedeemStatus.EXPIRED, invitation.person_id)
    account = (await session.execute(
        select(ChatAccount).where(ChatAccount.channel == channel,
                                  ChatAccount.external_id == external_id)
        .with_for_update())).scalar_one_or_none()
    if account is not None and account.person_id not in (None, invitation.person_id):
        return Redemption(RedeemStatus.ACCOUNT_TAKEN, account.person_id, account.id)
    # Claim the code before touching the account, so that losing a race changes nothing.
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return Redemption(RedeemStatus.USED, invitation.person_id)
    if account is None:
        account = ChatAccount(channel=channel, external_id=external_id)
        session.add(account)
    account.person_id = invitation.person_id
    account.linked_at = now
    if chat_id is not None:
        account.chat_id = chat_id
    await session.flush()
    await session.execute(
        update(Invitation).where(Invitation.id == invitation.id)
        .values(used_by_account_id=account.id)
        .execution_options(synchronize_session=False))
    await audit.append(session, action="account_linked", actor=invitation.person_id,
                       payload={"person": invitation.person_id, "channel": channel,
                                "account": account.id, "invitation": invitation.id}, at=now)
    return Redemption(RedeemStatus.LINKED, invitation.person_id, account.id)
