"""Recording the documents the office numbers and has signed.

A document drafted here is recorded with the step it completes, in the same transaction:
the written answer with ``send_written_answer``, a duty's report with
``mark_obligation_done``; the others (the cell's proposal, the vote's minutes and
resolution, the evaluation's conclusion) with ``record_document``. The file is fixed from
then on; its SHA-256 goes into the audit trail with the record.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from workflow import events as ev
from workflow.actors import Actor, Role
from workflow.commands import AttachScan, RecordDocument
from workflow.documents import DocumentKind, DocumentRecord, Paper, reference
from workflow.dossier import Dossier
from workflow.errors import NotFound, NotPermitted, TransitionNotAllowed, ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action
from workflow.ports import Clock, UnitOfWork
from workflow.service_kit import load, now_of, permit

MAX_FILE = 5 * 1024 * 1024  # a generated .docx is tens of kilobytes
# Kinds recorded on their own; the others complete a step.
STANDALONE = frozenset({DocumentKind.CELL_PROPOSAL, DocumentKind.VOTE_MINUTES,
                        DocumentKind.VOTE_RESOLUTION, DocumentKind.EVALUATION_CONCLUSION,
                        DocumentKind.PROTECTION_DECISION})
# Recorded documents the cadre receives as signed (the decision on their protection).
TO_THE_CADRE = frozenset({DocumentKind.PROTECTION_DECISION})


def _check(paper: Paper) -> None:
    doc = paper.document
    if doc.is_draft or not doc.signature.name.strip():
        raise ValidationError(N_("A document is recorded with its number, date and signer."))
    if not paper.content or len(paper.content) > MAX_FILE:
        raise ValidationError(N_("The document's file is missing or too large."))


async def new_record(uow: UnitOfWork, dossier: Dossier, paper: Paper, actor: Actor,
                     now: datetime, obligation_id: int | None = None) -> DocumentRecord:
    """Track ``paper`` as a recorded document of ``dossier``, written on commit."""
    _check(paper)
    doc = paper.document
    assert doc.issued_on is not None  # checked above
    record = DocumentRecord(
        id=await uow.documents.next_id(), dossier_id=dossier.id, kind=doc.kind,
        round=dossier.round, reference=reference(doc), number=doc.number,
        issued_on=doc.issued_on, signer=paper.signer, signer_name=doc.signature.name,
        file_name=paper.file_name, sha256=hashlib.sha256(paper.content).hexdigest(),
        recorded_by=actor.person_id, recorded_at=now, text=paper.text,
        obligation_id=obligation_id or paper.obligation_id, ballot_id=paper.ballot_id,
        conditions=paper.conditions)
    await uow.documents.add(record, paper.content)
    return record


async def record_document(cmd: RecordDocument, uow: UnitOfWork, clock: Clock) -> DocumentRecord:
    """Number and keep a document no step waits for; the cell's proposal is the cell
    secretary's, the others the office's."""
    async with uow:
        dossier = await load(uow, cmd)
        kind = cmd.paper.document.kind
        if kind not in STANDALONE:
            raise ValidationError(N_("This document is recorded with the step it completes."))
        step = permit(dossier, cmd.actor, Action.RECORD_DOCUMENT)
        roles = dossier.roles_of(cmd.actor)
        wanted = Role.CELL_SECRETARY if kind is DocumentKind.CELL_PROPOSAL else Role.OFFICE
        if wanted not in roles:
            raise NotPermitted(N_("Only {role} records this document."),
                               labels=("role",), role=_ROLE_LABELS[wanted])
        now = now_of(clock)
        record = await new_record(uow, dossier, cmd.paper, cmd.actor, now)
        told = dossier.to_proposers() if kind in TO_THE_CADRE else ()
        dossier.emit(step, [ev.DocumentRecorded(
            dossier_id=dossier.id, at=now, notify=told, document_id=record.id,
            kind=kind.value, reference=record.reference)])
        await uow.commit()
        return record


_ROLE_LABELS = {Role.CELL_SECRETARY: N_("the party cell's secretary"),
                Role.OFFICE: N_("the committee office")}


async def attach_scan(cmd: AttachScan, uow: UnitOfWork, clock: Clock) -> DocumentRecord:
    """Keep the signed paper's scan with a recorded document (once; the office may not
    swap a signed copy for another)."""
    async with uow:
        dossier = await load(uow, cmd)
        record = await uow.documents.get(cmd.document_id)
        if record is None or record.dossier_id != dossier.id:
            raise NotFound(N_("There is no such document in this dossier."))
        step = permit(dossier, cmd.actor, Action.RECORD_DOCUMENT)
        if record.scan is not None:
            raise TransitionNotAllowed(N_("The signed copy of this document is attached "
                                          "already."))
        record.scan = cmd.scan
        now = now_of(clock)
        dossier.emit(step, [ev.DocumentRecorded(
            dossier_id=dossier.id, at=now, notify=(), document_id=record.id,
            kind=record.kind.value, reference=record.reference)])
        await uow.commit()
        return record
