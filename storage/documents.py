"""Recorded documents: the repository the unit of work hands out as ``uow.documents``.

A document is written once with its file; a later change (the signed scan attached) is
a new version of the row, checked like every other aggregate's. What the file is, and its
SHA-256, go into the audit trail when the row is first written (``storage.uow``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.codec import Schema
from storage.document_models import DocumentRow
from workflow.documents import DocumentRecord
from workflow.errors import StaleVersion

DOCUMENT_BLOB = Schema("document", DocumentRecord, version=1)
# Kept in their own columns, not repeated in the blob.
_APART = ("text",)


async def _next_id(session: AsyncSession) -> int:
    from storage.uow import next_counter  # one counter; uow imports this module

    return await next_counter(session, "document")


class SqlDocuments:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.seen: dict[int, DocumentRecord] = {}
        self.loaded: dict[int, dict[str, Any]] = {}
        self.new: dict[int, bytes] = {}  # id -> the file, for rows not yet written

    def _load(self, row: DocumentRow) -> DocumentRecord:
        if row.id in self.seen:
            return self.seen[row.id]
        record = DOCUMENT_BLOB.load(row.data, row.id, extra={"text": row.text})
        self.seen[row.id] = record
        self.loaded[row.id] = self._dump(record)
        return record

    @staticmethod
    def _dump(record: DocumentRecord) -> dict[str, Any]:
        data = DOCUMENT_BLOB.dump(record)
        for key in _APART:
            data.pop(key, None)
        return data

    async def get(self, document_id: int, /) -> DocumentRecord | None:
        if document_id in self.seen:
            return self.seen[document_id]
        row = await self.session.get(DocumentRow, document_id)
        return None if row is None else self._load(row)

    async def add(self, record: DocumentRecord, content: bytes, /) -> None:
        self.seen[record.id] = record
        self.new[record.id] = content

    async def next_id(self) -> int:
        return await _next_id(self.session)

    async def for_dossier(self, dossier_id: int, /) -> list[DocumentRecord]:
        rows = (await self.session.execute(
            select(DocumentRow).where(DocumentRow.dossier_id == dossier_id)
            .order_by(DocumentRow.id))).scalars().all()
        for row in rows:
            self._load(row)
        return sorted((r for r in self.seen.values() if r.dossier_id == dossier_id),
                      key=lambda r: r.id)

    async def content(self, document_id: int, /) -> bytes | None:
        if document_id in self.new:
            return self.new[document_id]
        return (await self.session.execute(
            select(DocumentRow.content).where(DocumentRow.id == document_id))).scalar()

    async def save(self) -> tuple[list[DocumentRecord], list[DocumentRecord]]:
        """Write what changed: (the documents written for the first time, the others
        changed, i.e. given their signed scan)."""
        added: list[DocumentRecord] = []
        changed: list[DocumentRecord] = []
        for document_id, record in self.seen.items():
            data = self._dump(record)
            if document_id in self.new:
                record.version = 1
                data = self._dump(record)
                self.session.add(DocumentRow(
                    id=record.id, dossier_id=record.dossier_id, kind=record.kind.value,
                    reference=record.reference, issued_on=record.issued_on,
                    sha256=record.sha256, text=record.text, content=self.new[document_id],
                    recorded_at=record.recorded_at, version=1, data=data))
                added.append(record)
                continue
            if data == self.loaded.get(document_id):
                continue
            before = record.version
            record.version = before + 1
            result = await self.session.execute(
                update(DocumentRow).where(DocumentRow.id == document_id,
                                          DocumentRow.version == before)
                .values(version=record.version, data=self._dump(record)))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion()
            changed.append(record)
        await self.session.flush()
        return added, changed



async def audit_documents(session: AsyncSession, added: list[DocumentRecord],
                          rescanned: list[DocumentRecord], now: datetime) -> None:
    """The documents' checksums into the hash chain: a copy shown later that differs from
    what was recorded, or from the signed scan, can be told apart."""
    for record in added:
        await audit.append(session, action="document_recorded", actor=record.recorded_by,
                           dossier_id=record.dossier_id, at=record.recorded_at, payload={
                               "document": record.id, "kind": record.kind.value,
                               "reference": record.reference,
                               "issued_on": record.issued_on.isoformat(),
                               "signer": record.signer, "file": record.file_name,
                               "sha256": record.sha256})
    for record in rescanned:
        if record.scan is not None:
            await audit.append(session, action="document_scan_attached",
                               actor=record.scan.by or record.recorded_by,
                               dossier_id=record.dossier_id, at=now, payload={
                                   "document": record.id, "file": record.scan.name,
                                   "sha256": record.scan.sha256})
