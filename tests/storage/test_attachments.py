"""Files received with a dossier, on SQLite and PostgreSQL: stored in the attachments table
when they go on with the dossier (once per purpose, round and file), and their checksums
written into the tamper-evident audit trail with the step that sent them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from storage.dossier_models import AttachmentRow
from storage.models import AuditRecord
from tests import fakes
from tests.fakes import COMPLETE_PLAN, Scenario
from tests.storage.sql_scenario import seed
from workflow import services as svc
from workflow.attachments import AttachedFile
from workflow.commands import CellReturn, FileAppraisal, Resubmit, UpdateDraft

PDF = AttachedFile("telegram", "BQAC-plan-1", "ke-hoach.pdf", "application/pdf", 52_000,
                   "1" * 64, "cadre-1")
SHEET = AttachedFile("zalo", "zalo-file-9", "du-toan.xlsx", None, 9_000, "2" * 64, "cadre-2")
REPORT = AttachedFile("telegram", "BQAC-report-3", "bao-cao.pdf", "application/pdf", 70_000,
                      "3" * 64, "appraiser-1")
PLAN = replace(COMPLETE_PLAN, attachments=("ke-hoach.pdf", "du-toan.xlsx"), files=(PDF, SHEET))


@pytest.fixture(autouse=True)
async def sql_backend(engine: AsyncEngine) -> AsyncIterator[None]:
    await seed(engine)
    fakes.SQL_ENGINE = engine
    try:
        yield
    finally:
        fakes.SQL_ENGINE = None


async def stored_files(engine: AsyncEngine) -> list[tuple[object, ...]]:
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(AttachmentRow).order_by(AttachmentRow.id))
                ).scalars()
        return [(r.dossier_id, r.purpose, r.round, r.channel, r.file_id, r.name, r.size,
                 r.sha256, r.person_id) for r in rows]


async def records(engine: AsyncEngine, action: str) -> list[AuditRecord]:
    async with session_factory(engine)() as session:
        return list((await session.execute(select(AuditRecord).where(
            AuditRecord.action == action).order_by(AuditRecord.seq))).scalars())


async def test_a_submitted_plan_stores_its_files_and_audits_their_checksums(
        engine: AsyncEngine) -> None:
    s = Scenario(plan=PLAN)
    await s.create()
    assert await stored_files(engine) == []  # a draft's files are not yet the dossier's
    await s.submit()
    assert s.dossier.plan.files == (PDF, SHEET)  # the round trip keeps them whole
    assert await stored_files(engine) == [
        (s.dossier_id, "plan", 1, "telegram", "BQAC-plan-1", "ke-hoach.pdf", 52_000, "1" * 64,
         "cadre-1"),
        (s.dossier_id, "plan", 1, "zalo", "zalo-file-9", "du-toan.xlsx", 9_000, "2" * 64,
         "cadre-2")]
    [submitted] = await records(engine, "submit")
    assert [f["sha256"] for f in submitted.payload["files"]] == ["1" * 64, "2" * 64]
    async with session_factory(engine)() as session:
        assert (await audit.verify(session)).ok


async def test_a_changed_checksum_in_the_audit_trail_is_detected(engine: AsyncEngine) -> None:
    s = Scenario(plan=PLAN)
    await s.create()
    await s.submit()
    [submitted] = await records(engine, "submit")
    forged = dict(submitted.payload)
    forged["files"] = [dict(forged["files"][0], sha256="f" * 64), forged["files"][1]]
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(AuditRecord).where(AuditRecord.id == submitted.id)
                              .values(payload=forged))
    async with session_factory(engine)() as session:
        result = await audit.verify(session)
    assert not result.ok and result.first_bad_seq == submitted.seq


async def test_sending_again_records_only_the_new_files(engine: AsyncEngine) -> None:
    s = Scenario(plan=replace(PLAN, files=(PDF,), attachments=("ke-hoach.pdf",)))
    await s.create()
    await s.submit()
    await svc.cell_return(CellReturn(actor=s.cell, dossier_id=s.dossier_id,
                                     reason="Bổ sung dự toán"), s.uow(), s.clock)
    await svc.update_draft(UpdateDraft(actor=s.proposer, dossier_id=s.dossier_id, plan=PLAN),
                           s.uow(), s.clock)
    await svc.resubmit(Resubmit(actor=s.proposer, dossier_id=s.dossier_id), s.uow(), s.clock)
    assert [row[4] for row in await stored_files(engine)] == ["BQAC-plan-1", "zalo-file-9"]
    [again] = await records(engine, "resubmit")
    assert len(again.payload["files"]) == 2  # the audit says what was sent, all of it


async def test_the_appraisal_reports_files_are_stored_and_audited(engine: AsyncEngine) -> None:
    s = Scenario(plan=PLAN)
    await s.create()
    await s.to_office()
    await s.register()
    await s.assign_appraisal()
    await svc.file_appraisal(FileAppraisal(
        actor=s.appraiser, dossier_id=s.dossier_id, feasible=True, summary="Khả thi",
        files=(REPORT, REPORT)), s.uow(), s.clock)
    assert s.dossier.appraisal is not None and s.dossier.appraisal.files == (REPORT,)
    assert s.dossier.appraisal.attachments == ("bao-cao.pdf",)
    rows = await stored_files(engine)
    assert rows[-1] == (s.dossier_id, "appraisal", 1, "telegram", "BQAC-report-3",
                        "bao-cao.pdf", 70_000, "3" * 64, "appraiser-1")
    assert len(rows) == 3
    [filed] = await records(engine, "file_appraisal")
    assert filed.payload["files"] == [REPORT.fingerprint()]
