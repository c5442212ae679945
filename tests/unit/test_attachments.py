"""Files received with a dossier, in the domain: kept whole with the plan and the
appraisal report, named by the step that sends them on, never counted twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.fakes import COMPLETE_PLAN, Scenario
from workflow import services as svc
from workflow.appraising import MAX_FILES
from workflow.attachments import APPRAISAL, PLAN, AttachedFile, unique
from workflow.commands import FileAppraisal
from workflow.errors import ValidationError
from workflow.lifecycle import Action

PDF = AttachedFile("telegram", "BQAC-1", "ke-hoach.pdf", "application/pdf", 1000, "1" * 64)
COPY = replace(PDF, file_id="BQAC-2", name="ke-hoach (1).pdf")  # same content, sent twice
PHOTO = AttachedFile("telegram", "AgAC-3", "photo.jpg", "image/jpeg", 500, "3" * 64)


def test_a_file_sent_twice_counts_once_by_id_or_by_content() -> None:
    assert unique([PDF, PHOTO, PDF, COPY]) == (PDF, PHOTO)
    unknown = replace(PHOTO, sha256=None)
    assert unique([unknown, replace(unknown, name="again")]) == (unknown,)


async def test_the_plans_files_go_on_with_the_submission() -> None:
    s = Scenario(plan=replace(COMPLETE_PLAN, files=(PDF, PHOTO)))
    await s.create()
    await s.submit()
    dossier = s.dossier
    assert dossier.plan.files == (PDF, PHOTO)
    assert dossier.files() == ((PLAN, PDF), (PLAN, PHOTO))
    assert dossier.files_sent_by(Action.SUBMIT) == (PLAN, (PDF, PHOTO))
    assert dossier.files_sent_by(Action.CELL_AGREE) == ("", ())


async def test_the_appraisal_reports_files_are_kept_without_repeats() -> None:
    s = Scenario(plan=replace(COMPLETE_PLAN, files=(PDF,)))
    await s.create()
    await s.to_office()
    await s.register()
    await s.assign_appraisal()
    report = replace(PHOTO, name="bao-cao.jpg")
    await svc.file_appraisal(FileAppraisal(
        actor=s.appraiser, dossier_id=s.dossier_id, feasible=True, summary="Khả thi",
        attachments=("phu-luc.docx",), files=(report, report)), s.uow(), s.clock)
    appraisal = s.dossier.appraisal
    assert appraisal is not None and appraisal.files == (report,)
    assert appraisal.attachments == ("bao-cao.jpg", "phu-luc.docx")
    assert s.dossier.files() == ((PLAN, PDF), (APPRAISAL, report))
    assert s.dossier.files_sent_by(Action.FILE_APPRAISAL) == (APPRAISAL, (report,))


async def test_too_many_files_with_the_appraisal_are_refused() -> None:
    s = Scenario()
    await s.create()
    await s.to_office()
    await s.register()
    await s.assign_appraisal()
    many = tuple(replace(PDF, file_id=f"f-{i}", name=f"{i}.pdf", sha256=f"{i:064d}")
                 for i in range(MAX_FILES + 1))
    with pytest.raises(ValidationError):
        await svc.file_appraisal(FileAppraisal(
            actor=s.appraiser, dossier_id=s.dossier_id, feasible=True, summary="Khả thi",
            files=many), s.uow(), s.clock)
    assert s.dossier.appraisal is None
