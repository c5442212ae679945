"""Documents received with a dossier: kept with their file ids and checksums, and sent on
to those who read the dossier ("Tài liệu kèm theo (N)"), or listed with their checksum
where the reader's channel cannot send them.

Lan files on Telegram (the harness's channel names are only names: the file ids are the
platform's); her cell secretary Thoa reads on Telegram too, the office's Nam on Zalo.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.console import render
from bot.wiring import App
from handlers.messages import Attachment
from storage.db import session_factory
from storage.dossier_models import AttachmentRow
from storage.models import AuditRecord
from tests.conversation.harness import Chat
from tests.conversation.test_committee import HOA, NAM, THOA
from tests.conversation.test_dossiers import LAN, PHONG, actions, stored
from tests.conversation.test_filing import PDF, answer_sections
from workflow.dossier import Dossier
from workflow.lifecycle import State

PHOTO = Attachment("tg-photo-2", "photo-AgAD2.jpg", "image/jpeg", 80_000, "b" * 64)
REPORT = Attachment("tg-report-3", "bao-cao-tham-dinh.pdf", "application/pdf", 120_000,
                    "c" * 64)


async def on(app: App, codes: dict[str, str], person: str, channel: str) -> Chat:
    chat = Chat(app, channel=channel)
    await chat.send(f"/start {codes[person]}")
    return chat


async def files_with_documents(lan: Chat, app: App) -> Dossier:
    """Lan files a plan through the wizard with a PDF and a photo, and sends it."""
    await lan.press("Lập kế hoạch mới")
    await lan.send("Tuyển sinh trực tuyến tại Trường Mầm non Phổ Châu")
    await lan.press("Chưa được quy định")
    await answer_sections(lan)
    await lan.press("Bỏ qua")  # no co-proposers
    await lan.send(attachments=(PDF,))
    await lan.send(attachments=(PHOTO,))
    assert "Đã đính kèm: photo-AgAD2.jpg" in lan.text
    await lan.press("Tiếp tục")
    await lan.press("Tôi xin cam kết")
    await lan.press("Gửi kế hoạch")
    assert "đã được gửi" in lan.text
    [dossier] = await app.services.directory.dossiers_of(LAN)
    return dossier


async def rows_of(app: App, dossier_id: int) -> list[AttachmentRow]:
    async with session_factory(app.engine)() as session:
        return list((await session.execute(
            select(AttachmentRow).where(AttachmentRow.dossier_id == dossier_id)
            .order_by(AttachmentRow.id))).scalars())


async def audited(app: App, dossier_id: int, action: str) -> list[AuditRecord]:
    async with session_factory(app.engine)() as session:
        return list((await session.execute(
            select(AuditRecord).where(AuditRecord.dossier_id == dossier_id,
                                      AuditRecord.action == action))).scalars())


async def test_a_submitted_plan_keeps_its_files_ids_and_checksums_and_audits_them(
        app: App, codes: dict[str, str]) -> None:
    lan = await on(app, codes, LAN, "telegram")
    dossier = await files_with_documents(lan, app)
    assert dossier.state is State.AT_CELL
    assert dossier.plan.attachments == ("ke-hoach-chi-tiet.pdf", "photo-AgAD2.jpg")
    [pdf, photo] = dossier.plan.files
    assert (pdf.channel, pdf.file_id, pdf.size, pdf.sha256, pdf.by) == (
        "telegram", "tg-file-1", 2 * 1024 * 1024, "a" * 64, LAN)
    assert (photo.file_id, photo.mime_type) == ("tg-photo-2", "image/jpeg")
    rows = await rows_of(app, dossier.id)
    assert [(r.purpose, r.round, r.channel, r.file_id, r.name, r.mime_type, r.size, r.sha256,
             r.person_id) for r in rows] == [
        ("plan", 1, "telegram", "tg-file-1", "ke-hoach-chi-tiet.pdf", "application/pdf",
         2 * 1024 * 1024, "a" * 64, LAN),
        ("plan", 1, "telegram", "tg-photo-2", "photo-AgAD2.jpg", "image/jpeg", 80_000,
         "b" * 64, LAN)]
    [submitted] = await audited(app, dossier.id, "submit")
    assert [(f["name"], f["size"], f["sha256"]) for f in submitted.payload["files"]] == [
        ("ke-hoach-chi-tiet.pdf", 2 * 1024 * 1024, "a" * 64),
        ("photo-AgAD2.jpg", 80_000, "b" * 64)]
    # Saving the draft recorded nothing: only what went on with the dossier is kept.
    assert all("files" not in r.payload for r in await audited(app, dossier.id, "create_draft"))


async def test_the_cell_secretary_gets_the_documents_button_and_the_files(
        app: App, codes: dict[str, str]) -> None:
    lan = await on(app, codes, LAN, "telegram")
    dossier = await files_with_documents(lan, app)
    thoa = await on(app, codes, THOA, "telegram")
    await thoa.notifications()
    await thoa.action(f"k:v:{dossier.id}")
    button = thoa.button("Tài liệu kèm theo (2)")
    assert button.action == f"a:{dossier.id}"
    await thoa.press("Tài liệu kèm theo")
    [reply] = thoa.replies
    assert [(f.file_id, f.name, f.sha256) for f in reply.files] == [
        ("tg-file-1", "ke-hoach-chi-tiet.pdf", "a" * 64),
        ("tg-photo-2", "photo-AgAD2.jpg", "b" * 64)]
    assert "ke-hoach-chi-tiet.pdf (2,0 MB), kèm theo kế hoạch" in reply.text
    assert "được gửi kèm ngay sau đây" in reply.text
    await thoa.press("Quay lại hồ sơ")
    assert f"Hồ sơ số {dossier.id}" in thoa.text and thoa.button("Đồng ý")
    # On the console the files are shown by name and size.
    shown, _ = render([reply])
    assert "📎 ke-hoach-chi-tiet.pdf (2.0 MB)" in shown


async def test_a_reader_on_another_channel_gets_names_sizes_and_checksums(
        app: App, codes: dict[str, str]) -> None:
    lan = await on(app, codes, LAN, "telegram")
    dossier = await files_with_documents(lan, app)
    nam = await on(app, codes, NAM, "zalo")
    await nam.action(f"a:{dossier.id}")
    [reply] = nam.replies
    assert reply.files == ()
    assert "được tiếp nhận qua Telegram nên không thể gửi qua kênh này" in reply.text
    assert "a" * 64 in reply.text and "b" * 64 in reply.text
    assert "gửi kèm ngay sau đây" not in reply.text


async def test_the_appraisal_reports_file_is_kept_audited_and_sent_to_the_office(
        app: App, codes: dict[str, str]) -> None:
    lan = await on(app, codes, LAN, "telegram")
    dossier = await files_with_documents(lan, app)
    thoa = await on(app, codes, THOA, "telegram")
    await thoa.action(f"k:v:{dossier.id}")
    await thoa.press("Đồng ý")
    nam = await on(app, codes, NAM, "telegram")
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Vào sổ")
    await nam.press("Giao thẩm định")
    await nam.press("Tất cả")
    await nam.press("10 ngày làm việc")
    hoa = await on(app, codes, HOA, "telegram")
    await hoa.notifications()
    await hoa.press("Thẩm định: khả thi")
    await hoa.send(attachments=(REPORT,))
    await hoa.send("Khả thi; tác động tích cực đến chất lượng chăm sóc trẻ.")
    appraised = await stored(app, dossier.id)
    assert appraised.state is State.APPRAISED and appraised.appraisal is not None
    [report] = appraised.appraisal.files
    assert (report.file_id, report.sha256, report.by) == ("tg-report-3", "c" * 64, HOA)
    rows = await rows_of(app, dossier.id)
    assert [(r.purpose, r.file_id, r.person_id) for r in rows][-1] == (
        "appraisal", "tg-report-3", HOA)
    [filed] = await audited(app, dossier.id, "file_appraisal")
    assert filed.payload["files"][0]["sha256"] == "c" * 64
    # The office reads all three; so does the proposer, from "My dossiers".
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Tài liệu kèm theo (3)")
    assert [f.file_id for f in nam.replies[0].files] == ["tg-file-1", "tg-photo-2",
                                                          "tg-report-3"]
    assert "kèm theo báo cáo thẩm định" in nam.text
    await lan.action(f"d:v:{dossier.id}")
    assert f"a:{dossier.id}" in actions(lan)
    await lan.press("Tài liệu kèm theo (3)")
    assert len(lan.replies[0].files) == 3
    assert f"d:v:{dossier.id}" in actions(lan)  # back to her own view of the dossier


async def test_someone_without_a_part_in_the_dossier_gets_nothing(
        app: App, codes: dict[str, str]) -> None:
    lan = await on(app, codes, LAN, "telegram")
    dossier = await files_with_documents(lan, app)
    phong = await on(app, codes, PHONG, "telegram")
    await phong.action(f"a:{dossier.id}")
    assert "Không tìm thấy hồ sơ này" in phong.text
    assert all(reply.files == () for reply in phong.replies)
    await phong.action("a:x1")
    assert "không còn hiệu lực" in phong.text
