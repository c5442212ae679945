"""The tamper-evident audit trail: a keyed hash chain over append-only records, anchored
outside the database.

Each record's hash is an HMAC-SHA256, under the server's key, of its own content and the
previous record's hash: editing, removing or reordering any record breaks every hash after
it, and without the key nobody can compute new ones (a rewrite "with the public formula"
fails). The head row (count, last hash) catches removal of the newest records; since a
database writer can adjust the head too, every commit that appends also writes the chain's
head to an append-only anchor file outside the database (and a log line): a truncation,
a wipe or a replaced trail no longer matches the last anchor.

The key and the anchor file are bound to the engine (``bind``, by the composition root):
every session on it seals and anchors what it appends, and one without fails loudly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from storage.models import AuditHead, AuditRecord, Person

log = logging.getLogger(__name__)

GENESIS = "0" * 64
KEY_FILE = "audit.key"
ANCHOR_FILE = "audit.anchors"
MIN_KEY_CHARS = 32
PENDING_INFO = "audit_pending"


class AuditKeyMissing(RuntimeError):
    """An engine without a bound seal was asked to append: a wiring mistake."""


@dataclass
class Seal:
    """The server's key and where the chain's head is anchored (None: nowhere)."""

    key: bytes
    anchors: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def digest(self, data: bytes) -> str:
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()

    def anchor(self, seq: int, last_hash: str) -> None:
        """Append the head (length, last hash) to the anchor file and the log."""
        log.info("audit anchor: %d records, last hash %s", seq, last_hash)
        if self.anchors is None:
            return
        line = f"{seq} {last_hash} {datetime.now(UTC).isoformat(timespec='seconds')}\n"
        with self._lock, self.anchors.open("a", encoding="ascii") as handle:
            handle.write(line)

    def last_anchor(self) -> tuple[int, str] | None:
        """The newest anchored head (the longest chain ever anchored), if any."""
        if self.anchors is None or not self.anchors.exists():
            return None
        best: tuple[int, str] | None = None
        with self.anchors.open(encoding="ascii", errors="replace") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and parts[0].isdigit():
                    seq = int(parts[0])
                    if best is None or seq >= best[0]:
                        best = (seq, parts[1])
        return best


def load_seal(folder: Path, key_text: str | None = None) -> Seal:
    """The seal of an installation: the configured key, else the key file in ``folder``
    (created with mode 0600 on first start), and the anchor file beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    if key_text:
        key = key_text.encode()
    else:
        path = folder / KEY_FILE
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes().strip()
        else:
            key = secrets.token_hex(32).encode()
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key + b"\n")
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"{path}: the audit key is too short (damaged file?)")
    return Seal(key, folder / ANCHOR_FILE)


_seals: weakref.WeakKeyDictionary[Any, Seal] = weakref.WeakKeyDictionary()


def bind(engine: AsyncEngine, seal: Seal) -> None:
    """Seal and anchor what sessions of ``engine`` append with ``seal``."""
    _seals[engine.sync_engine] = seal


def seal_of(engine: AsyncEngine) -> Seal | None:
    return _seals.get(engine.sync_engine)


def session_seal(session: AsyncSession) -> Seal:
    """The seal bound to the engine of ``session``."""
    bind = session.sync_session.get_bind()
    seal = _seals.get(getattr(bind, "engine", bind))
    if seal is None:
        raise AuditKeyMissing("this database engine has no audit key bound (storage.audit.bind)")
    return seal


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    # Anchored only once committed: a rolled-back append must not look like a truncation.
    pending = session.info.pop(PENDING_INFO, None)
    if pending:
        seal, seq, last_hash = pending
        try:
            seal.anchor(seq, last_hash)
        except OSError:  # the trail is committed; a missed anchor only weakens the check
            log.error("audit anchor could not be written to %s", seal.anchors)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_INFO, None)


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


def record_hash(record: AuditRecord, seal: Seal) -> str:
    return seal.digest(_canonical(record))


def legacy_hash(record: AuditRecord) -> str:
    """The unkeyed SHA-256 of trails written before the key existed."""
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
    """Add a record in the caller's transaction; it commits with the change it records,
    and the chain's new head is anchored once it has."""
    seal = session_seal(session)
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
    record.hash = record_hash(record, seal)
    session.add(record)
    head.count = record.seq
    head.last_hash = record.hash
    await session.flush()
    session.info[PENDING_INFO] = (seal, record.seq, record.hash)
    return record


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    anchored: int | None = None  # the length of the newest anchor, if any


async def verify(session: AsyncSession, batch: int = 1000) -> Verification:
    """Walk the chain in order, in batches; compare its end with the head row and the
    newest anchor; report the first problem."""
    seal = session_seal(session)
    anchor = seal.last_anchor()
    anchored = anchor[0] if anchor else None
    expected_prev, expected_seq, checked, last_id = GENESIS, 1, 0, 0
    hashes_at_anchor: str | None = None
    while True:
        rows = (await session.execute(
            select(AuditRecord).where(AuditRecord.id > last_id)
            .order_by(AuditRecord.id).limit(batch))).scalars().all()
        if not rows:
            break
        for record in rows:
            if record.seq != expected_seq:
                return Verification(False, checked, expected_seq,
                                    f"record {expected_seq} is missing or out of order "
                                    f"(found {record.seq})", anchored)
            if record.prev_hash != expected_prev:
                return Verification(False, checked, record.seq,
                                    f"record {record.seq} does not follow record "
                                    f"{record.seq - 1}", anchored)
            if not hmac.compare_digest(record_hash(record, seal), record.hash):
                return Verification(False, checked, record.seq,
                                    f"record {record.seq} was altered", anchored)
            if anchor is not None and record.seq == anchor[0]:
                hashes_at_anchor = record.hash
            expected_prev, expected_seq, last_id = record.hash, record.seq + 1, record.id
            checked += 1
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one_or_none()
    if head is not None and (head.count != checked or head.last_hash != expected_prev):
        return Verification(False, checked, checked + 1,
                            f"records after {checked} were removed (the chain had "
                            f"{head.count})", anchored)
    if anchor is not None:
        if checked < anchor[0]:
            return Verification(False, checked, checked + 1,
                                f"records after {checked} were removed: {anchor[0]} were "
                                "anchored", anchored)
        if hashes_at_anchor != anchor[1]:
            return Verification(False, checked, anchor[0],
                                f"record {anchor[0]} differs from its anchor: the trail "
                                "was replaced", anchored)
    if checked == 0 and await _has_records(session):
        return Verification(False, 0, 1, "the trail is empty but the database holds an "
                            "organisation's data: it was wiped", anchored)
    return Verification(True, checked, anchored=anchored)


async def _has_records(session: AsyncSession) -> bool:
    from storage.dossier_models import DossierRow

    for model in (Person, DossierRow):
        if await session.scalar(select(func.count()).select_from(model)):
            return True
    return False


async def adopt_legacy(engine: AsyncEngine) -> int:
    """Seal a trail written before the key existed (unkeyed SHA-256), once.

    Only when nothing was ever anchored with this key and the whole legacy chain is
    intact: each record is rehashed with the key in order, and a record saying so is
    appended. A damaged legacy trail is left as it is for ``verify`` to report. Returns
    the number of records adopted (0 when there was nothing to do).
    """
    from storage.db import session_factory

    seal = seal_of(engine)
    if seal is None or seal.last_anchor() is not None:
        return 0
    async with session_factory(engine)() as session, session.begin():
        head = (await session.execute(select(AuditHead).where(AuditHead.id == 1)
                                      .with_for_update())).scalar_one_or_none()
        if head is None or head.count == 0:
            return 0
        last = (await session.execute(select(AuditRecord).where(
            AuditRecord.seq == head.count))).scalar_one_or_none()
        if last is None or hmac.compare_digest(record_hash(last, seal), last.hash):
            return 0  # already sealed (anchors lost or kept elsewhere): nothing to adopt
        records = list((await session.execute(
            select(AuditRecord).order_by(AuditRecord.seq))).scalars())
        previous = GENESIS
        for expected, record in enumerate(records, start=1):
            if (record.seq != expected or record.prev_hash != previous
                    or legacy_hash(record) != record.hash):
                log.error("audit: the unkeyed trail is broken at record %d; not sealed",
                          expected)
                return 0
            previous = record.hash
        legacy_head, previous = previous, GENESIS
        for record in records:
            record.prev_hash = previous
            record.hash = record_hash(record, seal)
            previous = record.hash
        head.last_hash = previous
        await session.flush()
        await append(session, action="audit_sealed", actor=None,
                     payload={"legacy_records": len(records), "legacy_head": legacy_head})
    log.warning("audit: %d records written before the audit key were sealed with it",
                len(records))
    return len(records)
