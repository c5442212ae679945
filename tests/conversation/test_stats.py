"""/thongke (/stats) in the chat: the office of Đảng ủy xã Phổ Châu picks a period and gets
a few lines, two PNG charts of a phone's size and the full tables as .xlsx, with the same
figures as its desk; a cadre without a committee role is refused in one sentence, a guest
is asked to link first (2022 demo; people in ``committee_people``)."""

from __future__ import annotations

import io
import struct
from datetime import datetime

import openpyxl

from bot.wiring import App
from tests.conversation.committee_people import NAM, linked, to_appraised, vote_all
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import PHONG, file, stored
from workflow import services as svc
from workflow.commands import SendWrittenAnswer
from workflow.lifecycle import State
from workflow.statistics import Period


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


async def _two_plans(app: App, codes: dict[str, str]) -> tuple[int, int, Chat]:
    """Lan's plan not approved and answered in writing; another of hers registered; a plan
    of another commune's school at its cell. The office's chat."""
    rejected, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, rejected, nam, hoa, "rrrrrrrrr")
    services = app.services
    await svc.send_written_answer(SendWrittenAnswer(
        actor=await services.directory.actor(NAM), dossier_id=rejected,
        reference="17-CV/ĐU"), services.uow(), services.clock)
    assert (await stored(app, rejected)).state is State.CLOSED
    waiting = await file(app, State.REGISTERED, title="Liên thông mầm non và tiểu học")
    await file(app, State.AT_CELL, person=PHONG, title="Thư viện số")  # not Phổ Châu's
    return rejected, waiting.id, nam


async def test_the_office_gets_the_summary_charts_and_workbook_of_its_commune(
        app: App, codes: dict[str, str]) -> None:
    rejected, waiting, nam = await _two_plans(app, codes)
    await nam.send("/thongke")
    assert "chọn kỳ thống kê" in nam.text
    await nam.press("Năm nay")
    (reply,) = nam.replies
    lines = reply.text.splitlines()
    assert lines[0] == ("Thống kê kế hoạch sáng tạo, đột phá: Đảng ủy xã Phổ Châu và các tổ "
                        "chức trực thuộc")
    assert lines[1].startswith("Kỳ thống kê: từ 01/01/2026 đến 31/12/2026 (kế hoạch tính "
                               "theo ngày gửi")
    assert "Kế hoạch đã tiếp nhận: 2; đang xem xét: 1." in lines
    assert "không cho chủ trương: 1" in reply.text
    assert "Trả lời đúng hạn: 1; trễ hạn: 0" in reply.text
    assert len(lines) <= 7
    assert [b.label for b in reply.all_buttons()][:3] == ["Năm nay", "12 tháng qua",
                                                          "Năm trước"]

    charts = [f for f in reply.files if f.mime_type == "image/png"]
    assert len(charts) == 2
    for chart in charts:
        assert png_size(chart.content) == (1000, 700)
        assert 10_000 < len(chart.content) < 400_000
    (sheet_file,) = [f for f in reply.files if f.name.endswith(".xlsx")]
    book = openpyxl.load_workbook(io.BytesIO(sheet_file.content))
    assert book.sheetnames[:3] == ["Tổng hợp", "Theo trạng thái", "Thời hạn trả lời"]
    summary = book["Tổng hợp"]
    assert summary["A1"].value == "Chỉ tiêu" and summary["A1"].font.bold
    figures = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)
               if row[1].value is not None}
    assert figures["Kế hoạch đã tiếp nhận"] == 2
    assert figures["Không cho chủ trương"] == 1
    assert figures["Trả lời đúng hạn"] == 1
    answers = book["Thời hạn trả lời"]
    assert [c.value for c in answers[1]][:2] == ["Hồ sơ số", "Tên kế hoạch"]
    by_id = {row[0].value: row for row in answers.iter_rows(min_row=2)}
    assert set(by_id) == {rejected, waiting}
    received = by_id[rejected][4]
    assert isinstance(received.value, datetime) and received.number_format == "DD/MM/YYYY"
    assert by_id[rejected][7].value == "Không cho chủ trương"
    assert answers.column_dimensions["B"].width > 20


async def test_the_figures_agree_with_the_desk(app: App, codes: dict[str, str]) -> None:
    _rejected, waiting, nam = await _two_plans(app, codes)
    await nam.send("/viec")
    desk = nam.text
    assert f"{waiting}" in desk
    stats = await app.services.statistics.statistics(  # type: ignore[union-attr]
        ["du-pho-chau"], Period.year(2026), app.services.clock.now().date())
    assert stats.figure("under_consideration") == 1  # the one dossier open at the desk
    assert [a.dossier_id for a in stats.answers if a.answered_on is None] == [waiting]


async def test_a_cadre_without_a_committee_role_is_refused_in_one_sentence(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    await lan.send("/thongke")
    assert lan.text == ("Chức năng thống kê chỉ dành cho văn phòng, người đứng đầu và ủy viên "
                        "cấp ủy; đồng chí chưa được giao vai trò nào tại cấp ủy.")
    await lan.action("tk:y")  # a forged button changes nothing
    assert "chỉ dành cho văn phòng" in lan.text and not lan.replies[0].files
    guest = Chat(app)
    await guest.send("/stats")
    assert "liên kết tài khoản" in guest.text


async def test_a_year_typed_and_a_stale_button(app: App, codes: dict[str, str]) -> None:
    nam = await linked(app, codes, NAM)
    await nam.send("/thongke 2025")
    assert "từ 01/01/2025 đến 31/12/2025" in nam.text
    assert "Trong kỳ không có kế hoạch nào được gửi." in nam.text
    assert [f.name for f in nam.replies[-1].files] == ["thong-ke-20250101-20251231.xlsx"]
    await nam.action("tk:zz")
    assert "chọn kỳ thống kê" in nam.text
