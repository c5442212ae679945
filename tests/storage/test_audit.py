"""The audit trail is a hash chain: any edited or removed record is found."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from storage.models import AuditRecord


async def _fill(engine: AsyncEngine, n: int = 6) -> None:
    async with session_factory(engine)() as session, session.begin():
        for i in range(n):
            await audit.append(session, action="dossier_submitted", actor="p-lan",
                               dossier_id=i, payload={"i": i, "title": "Số hóa hồ sơ"})


async def _verify(engine: AsyncEngine) -> audit.Verification:
    async with session_factory(engine)() as session:
        return await audit.verify(session)


async def test_an_intact_chain_verifies(engine: AsyncEngine) -> None:
    await _fill(engine)
    assert await _verify(engine) == audit.Verification(True, 6)


async def test_an_edited_record_is_named(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(AuditRecord).where(AuditRecord.seq == 3)
                              .values(payload={"i": 99}))
    result = await _verify(engine)
    assert not result.ok and result.first_bad_seq == 3 and result.checked == 2


async def test_a_removed_middle_record_is_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(AuditRecord).where(AuditRecord.seq == 4))
    result = await _verify(engine)
    assert not result.ok and result.first_bad_seq == 4


async def test_a_removed_last_record_is_found(engine: AsyncEngine) -> None:
    await _fill(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(AuditRecord).where(AuditRecord.seq == 6))
    result = await _verify(engine)
    assert not result.ok and result.first_bad_seq == 6


async def test_a_rolled_back_append_leaves_no_trace(engine: AsyncEngine) -> None:
    await _fill(engine, 2)
    session = session_factory(engine)()
    async with session:
        await session.begin()
        await audit.append(session, action="x")
        await session.rollback()
    assert await _verify(engine) == audit.Verification(True, 2)
