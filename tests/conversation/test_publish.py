"""Publishing the results in the chat (887 Điều 5 khoản 3): on the desk's card of Lan's
evaluated plan the office of Đảng ủy xã Phổ Châu sees what would be made public, publishes
it, gets the page and the notice with /congbo, and withdraws it; Lan is told and is
refused the committee's files (2022 demo; people in ``committee_people``)."""

from __future__ import annotations

import io

import docx

from bot.wiring import App
from tests.conversation.committee_people import NAM, linked, to_appraised, vote_all
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import LAN, labels, stored
from workflow import services as svc
from workflow.commands import (
    RecordEvaluation,
    ReportCompletion,
    SendWrittenAnswer,
    StartImplementation,
)
from workflow.dossier import EncouragementForm
from workflow.lifecycle import State


async def _evaluated(app: App, codes: dict[str, str]) -> tuple[int, Chat]:
    """Lan's plan approved, carried out and evaluated (real results, recognition and
    replication); the office's chat."""
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaaaaaa")
    services, directory = app.services, app.services.directory
    office, lan = await directory.actor(NAM), await directory.actor(LAN)
    await svc.send_written_answer(SendWrittenAnswer(
        actor=office, dossier_id=dossier_id, reference="17-CV/ĐU"), services.uow(),
        services.clock)
    await svc.start_implementation(StartImplementation(actor=lan, dossier_id=dossier_id),
                                   services.uow(), services.clock)
    await svc.report_completion(ReportCompletion(actor=lan, dossier_id=dossier_id,
                                                 summary="Đã hoàn thành"),
                                services.uow(), services.clock)
    await svc.record_evaluation(RecordEvaluation(
        actor=office, dossier_id=dossier_id, effective=True, summary="Hiệu quả rõ rệt",
        forms=(EncouragementForm.RECOGNITION, EncouragementForm.REPLICATION)),
        services.uow(), services.clock)
    assert (await stored(app, dossier_id)).state is State.EVALUATED
    return dossier_id, nam


async def test_the_office_publishes_gets_the_files_and_withdraws(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam = await _evaluated(app, codes)
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Công bố kết quả / Thôi công bố")
    assert "Nội dung sẽ công khai" in nam.text and "không có thông tin cá nhân" in nam.text
    assert "Hình thức khuyến khích: c) " in nam.text and "g) " in nam.text
    assert "Mang lại hiệu quả thiết thực" in nam.text
    await nam.press("g) ghi nhận")  # the committee leaves this form out
    assert "Hình thức khuyến khích: c) tôn trọng, động viên, khích lệ\n" in f"{nam.text}\n"
    assert labels(nam)[0].startswith("✓ c) ") and labels(nam)[1].startswith("g) ghi nhận")
    await nam.press("Công bố kết quả")
    assert "Đã công bố kết quả" in nam.text and "Đã công bố ngày" in nam.text
    async with app.services.uow() as uow:  # read only
        published = await uow.publications.get(dossier_id)  # type: ignore[attr-defined]
    assert published.forms == (EncouragementForm.RECOGNITION,)
    assert published.unit == "Trường Mầm non Phổ Châu"
    assert [h.action for h in (await stored(app, dossier_id)).history][-1] == "publish_results"

    lan = await linked(app, codes, LAN)
    await lan.notifications()
    assert "Cấp ủy đã công khai kết quả kế hoạch" in lan.text

    await nam.press("Trang công khai và thông báo")  # the same as /congbo
    assert next(f.name for r in nam.replies for f in r.files) == "index.html"
    await nam.send("/congbo")
    (reply,) = [r for r in nam.replies if r.files]
    assert "Kết quả đã công bố:" in reply.text and "Đảng ủy xã Phổ Châu" in reply.text
    names = [f.name for f in reply.files]
    assert names[0] == "index.html" and names[1].startswith("thong-bao-")
    page_file, notice_file = reply.files[0].content, reply.files[1].content
    assert page_file is not None and notice_file is not None
    page = page_file.decode("utf-8")
    assert "Đảng ủy xã Phổ Châu" in page and "Nguyễn Thị Lan" not in page  # no person
    notice = docx.Document(io.BytesIO(notice_file))
    assert any("THÔNG BÁO" in p.text for p in notice.paragraphs)

    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Công bố kết quả / Thôi công bố")
    await nam.press("Thôi công bố")
    assert "Đã thôi công bố" in nam.text
    await nam.send("/congbo")
    assert "Cấp ủy chưa công bố kết quả nào" in nam.text


async def test_the_proposer_gets_no_button_and_no_files_and_a_stale_press_changes_nothing(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam = await _evaluated(app, codes)
    lan = await linked(app, codes, LAN)
    await lan.action(f"pub:s:{dossier_id}")
    assert "Chỉ Văn phòng và Bí thư cấp ủy" in lan.text
    version = (await stored(app, dossier_id)).version
    await lan.action(f"pub:p:{dossier_id}:{version}:1")  # a forged press: refused
    assert "không có quyền công bố kết quả" in lan.text
    assert (await stored(app, dossier_id)).version == version
    await lan.send("/congbo")
    assert "không giữ vai trò nào tại cấp ủy" in lan.text
    await nam.action(f"pub:p:{dossier_id}:{version - 1}:1")  # drawn for an older version
    assert (await stored(app, dossier_id)).version == version
    await nam.action("pub:p:x:1:1")
    assert "không còn hiệu lực" in nam.text
    await nam.action(f"pub:p:{dossier_id}:{version}:{1 << 12}")  # no such choice
    assert "không còn hiệu lực" in nam.text
    assert (await stored(app, dossier_id)).version == version
