"""Tables. Typed SQLAlchemy 2 models; every relationship is ``lazy="raise"`` so that a
forgotten eager load fails in tests instead of doing hidden I/O in production.

Dossier tables live in :mod:`storage.dossier_models`; this module holds the
organisation, accounts and the infrastructure tables (audit, outbox, reminders).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names: Alembic batch mode on SQLite needs them to alter tables.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored in UTC and read back aware on every database.

    SQLite keeps no zone: without this, 09:00+07:00 would come back as a naive 09:00.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, datetime: UTCDateTime()}


class Organisation(Base):
    """The installation's organisation: which rule pack it is routed under."""

    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    pack_id: Mapped[str] = mapped_column(String(64))


class Body(Base):
    """A real body (e.g. "Đảng ủy xã Phổ Châu"), an instance of a pack body id."""

    __tablename__ = "bodies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(64))  # pack body id, e.g. commune_party_committee
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    # The body's own ballot mode ("meeting" / "close_when_certain"); None: its pack's.
    ballot: Mapped[str | None] = mapped_column(String(32))


class Unit(Base):
    """A workplace whose cadres share one route (a school, an agency, a commune)."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(300))
    unit_kind: Mapped[str] = mapped_column(String(64))  # pack unit kind id
    # The body under which the unit sits (its commune committee, or the town committee).
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    # The unit's party cell, where a route starts (first review) and resolution walks up from.
    cell_id: Mapped[str | None] = mapped_column(ForeignKey("bodies.id"), index=True)


class Person(Base):
    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")


class Membership(Base):
    """A person's role in a body; ``counted`` says whether they count for the voting rule."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "body_id", "role", "valid_from", name="membership"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # member, secretary, deputy, office, ...
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class ChatAccount(Base):
    """A chat identity (Telegram user id, Zalo user id) linked to a person."""

    __tablename__ = "chat_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="account"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    linked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    unreachable_since: Mapped[datetime | None]
    # When the person chose this channel for their notifications (/kenh); None: the
    # account they used last is notified.
    preferred_at: Mapped[datetime | None]


class Invitation(Base):
    """A one-time code linking a chat account to a person; only its hash is stored."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))


class AuditRecord(Base):
    """Append-only; each record carries the hash of the previous one (see storage.audit)."""

    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    dossier_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the length and last hash of the chain, locked by every append.

    It serialises concurrent appends (``SELECT ... FOR UPDATE`` on PostgreSQL) and lets
    ``audit verify`` notice a removed last record.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "priority", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer, default=5)  # lower is sooner
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # The notifier's claim while it sends (status "sending"; the lease ends at
    # next_attempt_at): see storage.outbox_queue.
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class Reminder(Base):
    """A planned reminder; the table, not the scheduler, is the source of truth."""

    __tablename__ = "reminders"
    # Only the pending rows, in the dispatcher's claim order: a dispatched one leaves the
    # index (migration 0014, which gives PostgreSQL the same condition). Not declared
    # here for PostgreSQL: naming that option imports its whole dialect (~2 MiB) into
    # every process, SQLite ones included; the schema comes from the migrations.
    __table_args__ = (Index("ix_reminders_pending_due", "due_at", "id",
                            sqlite_where=text("status = 'pending'")),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Byte order on PostgreSQL too: cancelling by prefix is a range on this index.
    idempotency_key: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    dossier_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_at: Mapped[datetime | None]


class ConversationRow(Base):
    """Where a chat account is in the conversation, so a restart loses nothing."""

    __tablename__ = "conversations"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    language: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class ShownChoices(Base):
    """The numbered choices last shown in a chat of a channel without buttons (Zalo):
    a reply "2" means the second of these, on whichever worker receives it."""

    __tablename__ = "shown_choices"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list[Any]] = mapped_column(JSON)  # [[label, action], ...] in order
    language: Mapped[str] = mapped_column(String(8))
    shown_at: Mapped[datetime]


class LinkAttempt(Base):
    """A try at an invitation code, kept to slow down guessing."""

    __tablename__ = "link_attempts"
    __table_args__ = (Index("ix_link_attempts_account", "channel", "account", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class InboxUpdate(Base):
    """An update a platform posted to the webhook, kept before it was acknowledged: the
    acknowledgement promises it is not lost, so a crash before it was handled replays it
    at the next start. One row per platform update (its id): a redelivery is a no-op."""

    __tablename__ = "inbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    __table_args__ = (UniqueConstraint("channel", "update_key"),)
