"""Tables of the dossier aggregate, ballots, votes and obligations.

A dossier is stored as queryable columns (state, proposer, dates, version) plus the
rest of the aggregate as JSON (``storage.codec``); its history is a table of its
own, appended to and never rewritten. Votes are one row per member per ballot.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId


class Counter(Base):
    """Named counters: dossier and ballot ids, each office's yearly register."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class DossierRow(Base):
    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_open_due", "state", "due_on"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(40), index=True)
    proposer_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    pack_id: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[int] = mapped_column(Integer)
    unit_kind: Mapped[str] = mapped_column(String(64))
    office_body: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(Integer, default=1)
    registration_number: Mapped[str | None] = mapped_column(String(64))
    received_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    is_complex: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    data: Mapped[dict[str, Any]]
    # What /timkiem looks in, folded (workflow.text_fold): the plan's title and content,
    # the registration and answer numbers, the proposers' names and units. Rewritten with
    # every save of the dossier (storage.uow); storage.search reads it.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")


class ParticipantRow(Base):
    """Who takes part in a dossier: its proposers and assigned people (``party`` is a
    person id), and the concrete bodies its route puts a role on (``party`` is a body id).

    The same facts ``Dossier.roles_of`` reads, kept as rows so that the desk selects a
    person's dossiers in SQL (storage.desk_read); rewritten with every save of the
    dossier that changes them, in the same transaction (storage.uow).
    """

    __tablename__ = "dossier_participants"
    __table_args__ = (Index("ix_dossier_participants_party", "party", "role"),)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    party: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Whether the role has something to do on the dossier now (workflow.desk_tasks): what
    # /viec counts and pages in SQL.
    task: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DossierHistoryRow(Base):
    __tablename__ = "dossier_history"
    __table_args__ = (UniqueConstraint("dossier_id", "seq", name="dossier_step"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class AttachmentRow(Base):
    """A file a person sent (kept by the chat platform; we keep its id and checksum).

    Written when the file goes on with the dossier (the plan submitted, the appraisal
    report filed), once per dossier, purpose, round and file; never rewritten.
    """

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    # What it came with ("plan", "appraisal") and in which round of consideration.
    purpose: Mapped[str] = mapped_column(String(16), default="plan", server_default="plan")
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    channel: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class BallotRow(Base):
    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    body: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]  # the rule and the electorate, snapshotted at opening


class VoteRow(Base):
    """One vote per member per ballot; changing a vote updates the row."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("ballot_id", "person_id", name="one_vote"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    choice: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    # The member's remarks with the vote (shown to the office and the head with the result).
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")


class ObligationRow(Base):
    __tablename__ = "obligations"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_body: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
