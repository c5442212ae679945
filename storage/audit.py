"""The tamper-evident audit trail: a hash chain over append-only records.

Each record's hash covers its own content and the previous record's hash, so editing
or removing any record breaks every hash after it; the head row (count, last hash)
also catches removal of the newest records.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditHead, AuditRecord

GENESIS = "0" * 64


def _canonical(record: AuditRecord) -> bytes:
    at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)
    body = {
        "seq": record.seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": record.actor,
        "action": record.action,
        "dossier_id": record.dossier_id,
        "payload": record.payload,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode()


def record_hash(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


async def _head(session: AsyncSession, *, lock: bool) -> AuditHead:
    query = select(AuditHead).where(AuditHead.id == 1)
    if lock:
        query = query.with_for_update()  # serialises appends on PostgreSQL
    head = (await session.execute(query)).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, count=0, last_hash=GENESIS)
        session.add(head)
        await session.flush()
    return head


async def append(session: AsyncSession, *, action: str, actor: str | None = None,
                 dossier_id: int | None = None, payload: dict[str, Any] | None = None,
                 at: datetime | None = None) -> AuditRecord:
    """Add a record in the caller's transaction; it commits with the change it records."""
    head = await _head(session, lock=True)
    record = AuditRecord(
        seq=head.count + 1,
        at=(at or datetime.now(UTC)).astimezone(UTC),
        actor=actor,
        action=action,
        dossier_id=dossier_id,
        # Round-trip through JSON so the stored payload hashes the same when read back.
        payload=json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str)),
        prev_hash=head.last_hash,
    )
    record.hash = record_hash(record)
    session.add(record)
    head.count = record.seq
    head.last_hash = record.hash
    await session.flush()
    return record


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


async def verify(session: AsyncSession, batch: int = 1000) -> Verification:
    """Walk the chain in order, in batches, and report the first broken record."""
    expected_prev, expected_seq, checked, last_id = GENESIS, 1, 0, 0
    while True:
        rows = (await session.execute(
            select(AuditRecord).where(AuditRecord.id > last_id)
            .order_by(AuditRecord.id).limit(batch))).scalars().all()
        if not rows:
            break
        for record in rows:
            if record.seq != expected_seq:
                return Verification(False, checked, expected_seq,
                                    f"record {expected_seq} is missing (found {record.seq})")
            if record.prev_hash != expected_prev:
                return Verification(False, checked, record.seq,
                                    f"record {record.seq} does not follow record {record.seq - 1}")
            if record_hash(record) != record.hash:
                return Verification(False, checked, record.seq,
                                    f"record {record.seq} was altered")
            expected_prev, expected_seq, last_id = record.hash, record.seq + 1, record.id
            checked += 1
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one_or_none()
    if head is not None and (head.count != checked or head.last_hash != expected_prev):
        return Verification(False, checked, checked + 1,
                            f"records after {checked} were removed (the chain had {head.count})")
    return Verification(True, checked)
