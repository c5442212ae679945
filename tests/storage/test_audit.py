"""The audit trail is a keyed hash chain anchored outside the database: every way a
database writer could rewrite it unseen is found."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from storage.models import AuditHead, AuditRecord, Organisation, Person


async def _fill(engine: AsyncEngine, n: int = 6) -> None:
    for i in range(n):  # one commit each, as the application appends
        async with session_factory(engine)() as session, session.begin():
            await audit.append(session, action="dossier_submitted", actor="p-lan",
                               dossier_id=i, payload={"i": i, "title": "Số hóa hồ sơ"})


async def _verify(engine: AsyncEngine) -> audit.Verification:
    async with session_factory(engine)() as session:
        return await audit.verify(session)


async def _broken(engine: AsyncEngine) -> audit.Verification:
    result = await _verify(engine)
    assert not result.ok, result
    return result


async def test_an_intact_chain_verifies_and_each_commit_is_anchored(
        engine: AsyncEngine) -> None:
    await _fill(engine)
    assert await _verify(engine) == audit.Verification(True, 6, anchored=6)
    seal = audit.seal_of(engine)
    assert seal is not None and seal.anchors is not None
    assert len(seal.anchors.read_text().splitlines()) == 6


async def test_an_edited_record_is_named(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(AuditRecord).where(AuditRecord.seq == 3)
                              .values(payload={"i": 99}))
    result = await _broken(engine)
    assert result.first_bad_seq == 3 and result.checked == 2


async def test_a_removed_middle_record_is_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(AuditRecord).where(AuditRecord.seq == 4))
    assert (await _broken(engine)).first_bad_seq == 4


async def test_a_removed_last_record_is_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(AuditRecord).where(AuditRecord.seq == 6))
    assert (await _broken(engine)).first_bad_seq == 6


async def test_two_records_swapped_are_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        rows = {r.seq: r for r in (await session.execute(select(AuditRecord))).scalars()}
        # Swap every column but the ids: record 2 now stands where 3 was and back.
        fields = ("at", "actor", "action", "dossier_id", "payload", "prev_hash", "hash")
        two = {f: getattr(rows[2], f) for f in fields}
        three = {f: getattr(rows[3], f) for f in fields}
        await session.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(**three))
        await session.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(**two))
    assert (await _broken(engine)).first_bad_seq == 2


async def test_a_truncation_with_the_head_adjusted_is_found_by_the_anchor(
        engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        kept = (await session.execute(select(AuditRecord).where(AuditRecord.seq == 4))
                ).scalar_one()
        await session.execute(delete(AuditRecord).where(AuditRecord.seq > 4))
        await session.execute(update(AuditHead).values(count=4, last_hash=kept.hash))
    result = await _broken(engine)
    assert result.checked == 4 and result.first_bad_seq == 5 and "anchored" in str(
        result.problem)


async def test_a_wipe_of_records_and_head_is_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(AuditRecord))
        await session.execute(delete(AuditHead))
    assert (await _broken(engine)).checked == 0


async def test_an_empty_trail_beside_an_organisations_data_is_a_wipe(
        engine: AsyncEngine, tmp_path: Path) -> None:
    # No anchor file at all (it was lost too): the people in the database give it away.
    seal = audit.seal_of(engine)
    assert seal is not None and seal.anchors is not None
    seal.anchors.unlink(missing_ok=True)
    async with session_factory(engine)() as session, session.begin():
        session.add(Organisation(id="o", name="O", pack_id="duc-pho-2022"))
        await session.flush()
        session.add(Person(id="p", organisation_id="o", name="P", title=None, unit_id=None,
                           language="vi"))
    assert "wiped" in str((await _broken(engine)).problem)


async def test_a_chain_rehashed_without_the_key_is_found(engine: AsyncEngine) -> None:
    """The attacker edits a record and recomputes every hash and the head, with the
    formula but not the key (here: plain SHA-256, and HMAC under a guessed key)."""
    await _fill(engine)
    for digest in (lambda data: hashlib.sha256(data).hexdigest(),
                   lambda data: hmac.new(b"guess", data, hashlib.sha256).hexdigest()):
        async with session_factory(engine)() as session, session.begin():
            rows = list((await session.execute(
                select(AuditRecord).order_by(AuditRecord.seq))).scalars())
            rows[2].payload = {"i": 2, "title": "rewritten"}
            previous = audit.GENESIS
            for row in rows:
                row.prev_hash = previous
                row.hash = previous = digest(audit._canonical(row))
            await session.execute(update(AuditHead).values(last_hash=previous))
        assert (await _broken(engine)).first_bad_seq == 1


async def test_a_rolled_back_append_leaves_no_trace_and_no_anchor(engine: AsyncEngine) -> None:
    await _fill(engine, 2)
    session = session_factory(engine)()
    async with session:
        await session.begin()
        await audit.append(session, action="x")
        await session.rollback()
    assert await _verify(engine) == audit.Verification(True, 2, anchored=2)


async def test_a_trail_written_before_the_key_is_sealed_once(engine: AsyncEngine) -> None:
    """An installation upgrading from unkeyed hashes: its intact chain is rehashed with
    the key, a record says so, and from then on it is anchored."""
    seal = audit.seal_of(engine)
    assert seal is not None and seal.anchors is not None
    await _fill(engine, 3)
    async with session_factory(engine)() as session, session.begin():
        previous = audit.GENESIS
        for row in (await session.execute(
                select(AuditRecord).order_by(AuditRecord.seq))).scalars():
            row.prev_hash = previous
            row.hash = previous = audit.legacy_hash(row)
        await session.execute(update(AuditHead).values(last_hash=previous))
    seal.anchors.unlink()  # the old version wrote no anchors
    assert not (await _verify(engine)).ok
    assert await audit.adopt_legacy(engine) == 3
    result = await _verify(engine)
    assert result.ok and result.checked == 4 and result.anchored == 4
    assert await audit.adopt_legacy(engine) == 0  # once


async def test_a_rewritten_unkeyed_trail_is_not_laundered(engine: AsyncEngine) -> None:
    """Once anything was anchored, an unkeyed trail is never adopted: it is a forgery."""
    await _fill(engine, 3)
    async with session_factory(engine)() as session, session.begin():
        previous = audit.GENESIS
        for row in (await session.execute(
                select(AuditRecord).order_by(AuditRecord.seq))).scalars():
            row.payload = {"forged": True}
            row.prev_hash = previous
            row.hash = previous = audit.legacy_hash(row)
        await session.execute(update(AuditHead).values(last_hash=previous))
    assert await audit.adopt_legacy(engine) == 0
    assert (await _broken(engine)).first_bad_seq == 1
