"""Protecting the cadre, decided on the desk: the office records the committee's decision
on a protection request and signs its notice; the town standing board concludes on the
incident it was told of; the dossier does not close while either is open."""

from __future__ import annotations

from bot.wiring import App
from tests.conversation.committee_people import docx_text, linked, sign_paper
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import stored
from tests.conversation.test_words import to_implementing
from workflow.lifecycle import State

MEASURES = "Đề nghị Ủy ban Kiểm tra xác minh phản ánh; công khai kết quả trên trang thông tin xã."


async def test_the_office_records_the_decision_and_the_cadre_gets_it_signed(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _chats = await to_implementing(app, codes, lan)
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo hoàn thành")
    await lan.send("Đã nhận hồ sơ trực tuyến cho 120 trẻ.")
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Đề nghị bảo vệ")
    await lan.send("Bị phản ánh sai sự thật trên mạng xã hội về việc thu hồ sơ.")
    assert (await stored(app, dossier_id)).state is State.COMPLETED
    # The office cannot close the dossier while the request is undecided.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc hồ sơ")
    assert "Chưa thể kết thúc hồ sơ" in nam.text and "đề nghị bảo vệ" in nam.text
    assert (await stored(app, dossier_id)).state is State.COMPLETED
    # The committee decides.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Quyết định: xử lý đề nghị bảo vệ")
    assert "Bị phản ánh sai sự thật" in nam.text
    await nam.press("Áp dụng biện pháp bảo vệ")
    assert "biện pháp bảo vệ" in nam.text
    await nam.send(MEASURES)
    assert "Đã ghi nhận quyết định" in nam.text
    notice = docx_text(nam)
    assert "THÔNG BÁO" in notice and MEASURES in notice and "Nguyễn Thị Lan" in notice
    await lan.notifications()
    assert MEASURES in lan.text and "bảo vệ" in lan.text
    # The notice is numbered and signed; the cadre receives it.
    await nam.press("Ghi số và ký thông báo")
    await sign_paper(nam, "7")
    await lan.notifications()
    assert "7-TB/ĐU" in lan.text
    assert any(f.name.startswith("thong-bao-ve-de-nghi-bao-ve-7-TB") for r in lan.replies
               for f in r.files), [f.name for r in lan.replies for f in r.files]
    # Decided: the dossier may close now.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc hồ sơ")
    assert (await stored(app, dossier_id)).state is State.CLOSED


async def test_the_superior_concludes_on_the_incident_it_was_told_of(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _chats = await to_implementing(app, codes, lan)
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo rủi ro")
    await lan.send("Phần mềm lỗi làm mất dữ liệu một buổi.")
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Văn bản: báo cáo cấp trên về rủi ro, sai sót")
    await sign_paper(nam, "9")
    # The town standing board is told it owes a verification.
    hung = await linked(app, codes, "pham-van-hung")
    await hung.notifications()
    assert "xác minh" in hung.text, hung.text
    await hung.action(f"k:v:{dossier_id}")
    await hung.press("Quyết định: xác minh rủi ro, sai sót")
    await hung.send("Rủi ro khách quan do lỗi phần mềm; cán bộ thực hiện đúng kế hoạch.")
    assert "Đã ghi nhận kết luận" in hung.text
    await lan.notifications()
    assert "cán bộ thực hiện đúng kế hoạch" in lan.text
    await nam.notifications()
    assert "cán bộ thực hiện đúng kế hoạch" in nam.text
