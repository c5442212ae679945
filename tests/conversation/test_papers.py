"""From a decided dossier to a numbered, signed answer without retyping: the office gets
the draft as a .docx, adds the appraisal's conditions, records the number and the signer;
the proposer receives the answer itself; an override's answer and report are the head's;
the minutes of the vote; the signed scan; a stale or forged button changes nothing."""

from __future__ import annotations

import io
import zipfile

from docx import Document

from bot.wiring import App
from handlers.messages import Attachment, Reply
from tests.conversation.committee_people import linked, to_appraised, vote_all
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import stored
from workflow.documents import DocumentKind
from workflow.lifecycle import State


def docx_files(replies: list[Reply]) -> list[Attachment]:
    return [f for r in replies for f in r.files if f.name.endswith(".docx")]


def docx_text(file: Attachment) -> str:
    assert file.content is not None and zipfile.is_zipfile(io.BytesIO(file.content))
    doc = Document(io.BytesIO(file.content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


async def records(app: App, dossier_id: int) -> list:  # type: ignore[type-arg]
    async with app.services.uow() as uow:
        return await uow.documents.for_dossier(dossier_id)


async def test_the_office_numbers_and_signs_the_answer_and_the_proposer_holds_it(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaaaaaa")
    assert (await stored(app, dossier_id)).state is State.APPROVED
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    drafts = docx_files(nam.replies)
    assert len(drafts) == 1 and drafts[0].name.startswith("du-thao-cong-van-tra-loi")
    draft = docx_text(drafts[0])
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in draft and "Số …-CV/ĐU" in draft
    assert "T/M" in draft and "Nơi nhận:" in draft and "- Như trên," in draft
    # The appraisal's conditions are offered; one is carried into the body.
    assert "Điều kiện 1" in " ".join(b.label for r in nam.replies for b in r.all_buttons())
    await nam.press("Điều kiện 2")
    assert "☑ 2." in nam.text
    condition = "kinh phí trong dự toán"
    assert condition in docx_text(docx_files(nam.replies)[0])
    await nam.press("Ghi số, ngày và người ký")
    await nam.send("15")
    assert "Đồng chí nào ký?" in nam.text
    await nam.press("Nguyễn Văn Tâm")
    answered = await stored(app, dossier_id)
    assert answered.state is State.ANSWERED
    assert answered.answer_reference and answered.answer_reference.startswith("15-CV/ĐU")
    [record] = await records(app, dossier_id)
    assert record.kind is DocumentKind.ANSWER and record.signer_name == "Nguyễn Văn Tâm"
    assert condition in " ".join(record.conditions)
    # The proposer receives the answer itself: the file, and its text in the chat.
    await lan.notifications()
    [received] = docx_files(lan.replies)
    assert received.name == record.file_name and received.sha256 == record.sha256
    signed = docx_text(received)
    assert "Số 15-CV/ĐU" in signed and "Nguyễn Văn Tâm" in signed and condition in signed
    assert "Kính gửi: đồng chí" in lan.text and "Như trên" in lan.text
    # Anyone with a part in the dossier can fetch it again, exactly as recorded.
    await lan.action(f"p:l:{dossier_id}")
    await lan.press("15-CV/ĐU")
    assert docx_files(lan.replies)[0].sha256 == record.sha256


async def test_after_an_override_the_head_signs_in_the_heads_own_name(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaarrrrp")
    head = chats["nguyen-van-tam"]
    await head.action(f"k:v:{dossier_id}")
    await head.press("Cho thực hiện")
    await head.send("Kế hoạch khả thi, cần triển khai trước năm học mới.")
    # The head's report to the superior is drafted for the head and signed BÍ THƯ.
    await head.press("Văn bản: báo cáo quyết định của người đứng đầu")
    report = docx_text(docx_files(head.replies)[0])
    assert "BÁO CÁO" in report and "T/M" not in report and "BÍ THƯ" in report
    assert "cần triển khai trước năm học mới" in report
    # The answer too: signed by the head, on nobody's behalf, with the head's reasons.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    answer = docx_text(docx_files(nam.replies)[0])
    assert "T/M" not in answer and "BÍ THƯ" in answer
    assert "Lý do của người đứng đầu" in answer and "trước năm học mới" in answer


async def test_the_minutes_name_every_vote_and_who_did_not_vote(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    ballot = (await stored(app, dossier_id)).ballot_ids[-1]
    await nam.action(f"p:l:{dossier_id}")
    await nam.action(f"p:o:{dossier_id}:m:{ballot}")
    minutes = docx_text(docx_files(nam.replies)[0])
    assert "BIÊN BẢN" in minutes and "tán thành" in minutes and "Họ và tên" in minutes


async def test_stale_forged_and_foreign_buttons_change_nothing(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _hoa = await to_appraised(app, codes)
    # Nothing decided yet: there is no answer to draft.
    await nam.action(f"p:o:{dossier_id}:a:0")
    assert "không thuộc phần việc" in nam.text
    await nam.action("p:o:99999:a:0")
    await nam.action("p:s:0")  # a signer with no draft under way
    await nam.action("p:o:x:a:0")
    assert await records(app, dossier_id) == []
    # The proposer cannot draft the office's documents.
    await lan.action(f"p:o:{dossier_id}:a:0")
    assert "không thuộc phần việc" in lan.text
    assert await records(app, dossier_id) == []


async def test_the_proposer_takes_the_verifiable_record_and_it_checks_out(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    from storage.db import session_factory
    from storage.record import verify_record

    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaaaaaa")
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    await nam.press("Ghi số, ngày và người ký")
    await nam.send("16")
    await nam.press("Nguyễn Văn Tâm")
    await lan.action(f"p:l:{dossier_id}")
    await lan.press("Bản ghi kiểm chứng")
    [made] = [f for r in lan.replies for f in r.files]
    assert made.name.endswith(".zip") and made.content is not None
    with zipfile.ZipFile(io.BytesIO(made.content)) as archive:
        names = archive.namelist()
    assert any(n.startswith("documents/cong-van-tra-loi-16-CV-DU") for n in names)
    async with session_factory(app.engine)() as session:
        check = await verify_record(session, made.content)
    assert check.ok, check
    # Someone with no part in the dossier gets nothing.
    stranger = await linked(app, codes, "le-thi-ngoc-han")
    await stranger.action(f"p:r:{dossier_id}")
    assert not [f for r in stranger.replies for f in r.files]
