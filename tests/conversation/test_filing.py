"""Filing a plan through the wizard: whole filings, routes, saving, resuming, editing."""

from __future__ import annotations

from pathlib import Path

from bot.wiring import App, build_app
from handlers.messages import Attachment
from tests.conversation.harness import Chat
from workflow.commands import CellReturn
from workflow.dossier import Dossier, ProblemKind
from workflow.lifecycle import State
from workflow.services import cell_return

TITLE = "Tuyển sinh trực tuyến tại Trường Mầm non Phổ Châu"
PROBLEM = ("Phụ huynh phải đến trường ba lần để làm thủ tục nhập học; năm học trước 40% tờ "
           "khai có sai sót và việc tuyển sinh kéo dài sáu tuần.")
APPROACH = ("Thí điểm tuyển sinh trực tuyến từ 01/3 đến 30/6/2026 tại điểm trường chính; hai "
            "giáo viên kiểm tra hồ sơ; kinh phí 15 triệu đồng.")
RESULTS = "Phụ huynh chỉ đến trường một lần; dưới 5% tờ khai có sai sót; xong trong hai tuần."
RISKS = ("Phụ huynh không có điện thoại thông minh: vẫn nhận hồ sơ giấy. Lộ dữ liệu: chỉ hai "
         "cán bộ được truy cập.")
PDF = Attachment("tg-file-1", "ke-hoach-chi-tiet.pdf", "application/pdf", 2 * 1024 * 1024,
                 "a" * 64)


async def answer_sections(chat: Chat) -> None:
    """Steps 3 to 6, each answered acceptably."""
    for text in (PROBLEM, APPROACH, RESULTS, RISKS):
        await chat.send(text)


async def dossiers(app: App, person: str) -> list[Dossier]:
    return await app.services.directory.dossiers_of(person)


async def test_a_school_head_files_a_group_plan_that_goes_to_her_party_cell(
        lan: Chat, app: App) -> None:
    await lan.press("Lập kế hoạch mới")
    assert "Bước 1/9" in lan.text and "Ví dụ:" in lan.text and "/draft" in lan.text
    await lan.send(TITLE)
    assert "Bước 2/9" in lan.text
    await lan.press("Chưa được quy định")
    assert "Bước 3/9" in lan.text
    await lan.send(PROBLEM)
    assert "Bước 4/9" in lan.text
    await lan.send(APPROACH)
    assert "Bước 5/9" in lan.text
    await lan.send(RESULTS)
    assert "Bước 6/9" in lan.text
    await lan.send(RISKS)
    assert "Bước 7/9" in lan.text
    await lan.send("Kim Thoa")  # a co-proposer found by name in the organisation
    await lan.press("Trần Thị Kim Thoa")
    assert "Đã thêm đồng chí Trần Thị Kim Thoa" in lan.text
    await lan.press("Tiếp tục")
    assert "Bước 8/9" in lan.text
    await lan.send(attachments=(PDF,))
    assert "Đã đính kèm: ke-hoach-chi-tiet.pdf" in lan.text and "(1/10)" in lan.text
    await lan.press("Tiếp tục")
    assert "Bước 9/9" in lan.text and "lợi ích nhóm" in lan.text
    await lan.press("Tôi xin cam kết")
    summary = lan.text  # short enough for a phone, the details a press away
    assert len(summary.splitlines()) <= 14 and len(lan.replies[-1].all_buttons()) <= 10
    for part in (TITLE, "Chưa được quy định", "Người cùng đề xuất: 1", "tài liệu: 1",
                 "đã cam kết"):
        assert part in summary
    # The route, with the organisation's own bodies.
    assert ("Chi bộ Trường Mầm non Phổ Châu → Văn phòng Đảng ủy xã Phổ Châu → "
            "Đảng ủy xã Phổ Châu") in summary
    await lan.press("Xem toàn văn")
    for part in (TITLE, PROBLEM, RISKS, "Trần Thị Kim Thoa", "ke-hoach-chi-tiet.pdf"):
        assert part in lan.text
    await lan.press("Đường đi chi tiết")
    assert "30 ngày làm việc" in lan.text
    await lan.press("Gửi kế hoạch")
    sent = lan.text
    assert "đã được gửi" in sent and "Chi bộ Trường Mầm non Phổ Châu" in sent
    assert "30 ngày làm việc" in sent and "không được triển khai" in sent
    assert "Đồng chí cần làm gì?" in sent  # back at the menu
    [dossier] = await dossiers(app, "nguyen-thi-lan")
    assert dossier.state is State.AT_CELL
    assert dossier.co_proposers == ("tran-thi-kim-thoa",)
    assert dossier.plan.title == TITLE and dossier.plan.problem_kind is ProblemKind.NOT_REGULATED
    assert dossier.plan.attachments == ("ke-hoach-chi-tiet.pdf",) and dossier.plan.common_good
    assert dossier.bodies["party_cell"] == "cb-mn-pho-chau"


async def test_a_commune_cadre_files_in_english_and_the_plan_goes_straight_to_the_office(
        app: App, codes: dict[str, str]) -> None:
    nam = Chat(app)
    await nam.send(f"/start {codes['ho-van-nam']}")
    await nam.send("/language en")
    await nam.send("/plan")
    assert "Step 1/9 · Title" in nam.text
    await nam.send("One-stop online records for the Phổ Châu commune party office")
    await nam.press("Regulated but unsuited")
    assert "Step 2/9" in nam.text and "Which regulation" in nam.text
    await nam.send("Article 7 of Decision No. 12/2019/QĐ-UBND: paper records only")
    assert "Which body issued" in nam.text
    await nam.send("The Provincial People's Committee")
    assert "Step 3/9" in nam.text
    await answer_sections(nam)
    await nam.press("Skip: I propose it alone")
    await nam.press("Skip: no documents")
    await nam.press("I declare this")
    assert "Summary of your plan" in nam.text and "Issued by: The Provincial" in nam.text
    assert "Văn phòng Đảng ủy xã Phổ Châu" in nam.text
    await nam.press("Send the plan")
    assert "It is now with Văn phòng Đảng ủy xã Phổ Châu" in nam.text
    assert "30 working days" in nam.text and "Please also report the plan to" in nam.text
    assert "nothing in the plan may be implemented" in nam.text
    [dossier] = await dossiers(app, "ho-van-nam")
    assert dossier.state is State.SUBMITTED
    assert dossier.plan.problem_kind is ProblemKind.REGULATED_UNSUITED
    assert dossier.plan.regulation.startswith("Article 7")
    assert dossier.plan.regulation_issuer == "The Provincial People's Committee"


async def test_the_wizard_survives_a_restart(app: App, codes: dict[str, str],
                                             tmp_path: Path) -> None:
    chat = Chat(app)
    await chat.send(f"/start {codes['nguyen-thi-lan']}")
    await chat.send("/plan")
    await chat.send(TITLE)
    await chat.press("Chưa được quy định")
    await chat.send(PROBLEM)
    assert "Bước 4/9" in chat.text
    fresh = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}")
    try:
        again = Chat(fresh, account=chat.account)
        await again.send(APPROACH)
        assert "Bước 5/9" in again.text
        await again.send(RESULTS)
        await again.send(RISKS)
        await again.press("Bỏ qua: tôi đề xuất một mình")
        await again.press("Bỏ qua: không có tài liệu")
        await again.press("Tôi xin cam kết")
        await again.press("Xem toàn văn")
        assert PROBLEM in again.text  # answered before the restart, kept
    finally:
        await fresh.close()


async def test_save_then_cancel_then_draft_resumes_with_every_answer(
        lan: Chat, app: App) -> None:
    await lan.send("/plan")
    await lan.press("Lưu")
    assert "nhập tên kế hoạch trước" in lan.text  # nothing to file a draft under yet
    await lan.send(TITLE)
    await lan.press("Chưa được quy định")
    await lan.send(PROBLEM)
    await lan.press("Lưu")
    assert "Đã lưu bản nháp số" in lan.text and "/draft" in lan.text
    assert "Bước 4/9" in lan.text  # saving keeps the wizard open
    [draft] = await dossiers(app, "nguyen-thi-lan")
    assert draft.state is State.DRAFT and draft.plan.problem == PROBLEM
    await lan.send(APPROACH)  # answered without pressing Save: kept all the same
    [draft] = await dossiers(app, "nguyen-thi-lan")
    assert draft.plan.approach == APPROACH
    await lan.send("/draft")  # the plan being prepared, where it was
    assert "Tiếp tục kế hoạch số" in lan.text and "Bước 5/9" in lan.text
    await lan.press("Hủy")
    assert "bản nháp số" in lan.text and "Hồ sơ của tôi" in lan.text
    await lan.send("/draft")
    assert "Tiếp tục kế hoạch số" in lan.text and TITLE in lan.text
    assert "Bước 5/9" in lan.text  # the first part still missing
    await lan.send(RESULTS)
    [draft] = await dossiers(app, "nguyen-thi-lan")
    assert draft.plan.expected_results == RESULTS and draft.plan.approach == APPROACH


async def test_with_two_drafts_draft_lists_them_to_choose_from(lan: Chat, app: App) -> None:
    for title in (TITLE, "Sổ liên lạc điện tử cho phụ huynh Trường Mầm non Phổ Châu"):
        await lan.send("/plan")
        await lan.send(title)
        await lan.press("Lưu")
        await lan.send("/cancel")
    await lan.send("/draft")
    assert "Các kế hoạch đồng chí đã lưu" in lan.text
    await lan.press("Sổ liên lạc")
    assert "Tiếp tục kế hoạch số" in lan.text and "Bước 2/9" in lan.text
    await lan.send("/cancel")
    await lan.send("/nhap")
    await lan.send("2")  # typed choice
    assert "Tiếp tục kế hoạch số" in lan.text


async def test_back_skip_and_edit_from_the_summary(lan: Chat, app: App) -> None:
    await lan.send("/kehoach")
    await lan.send(TITLE)
    await lan.press("Quay lại")
    assert "Bước 1/9" in lan.text and TITLE in lan.text  # the answer so far is shown
    await lan.press("Giữ nguyên")
    await lan.send("1")  # typed choice of kind
    assert "Bước 3/9" in lan.text
    await answer_sections(lan)
    await lan.press("Bỏ qua")
    await lan.press("Quay lại")
    assert "Bước 7/9" in lan.text
    await lan.press("Bỏ qua")
    await lan.press("Bỏ qua")
    await lan.send("đồng ý")  # the declaration typed
    assert "Tóm tắt kế hoạch" in lan.text
    await lan.press("✎ Sửa một phần")
    await lan.press("✎ Loại vấn đề")
    await lan.press("Có quy định nhưng không phù hợp")
    await lan.send("Điều 5 Quyết định 15/2021/QĐ-UBND của UBND tỉnh")
    await lan.press("Bỏ qua")
    assert "Tóm tắt kế hoạch" in lan.text and "Điều 5 Quyết định 15/2021" in lan.text
    await lan.press("✎ Sửa một phần")
    await lan.press("✎ Rủi ro")
    assert "Bước 6/9" in lan.text and lan.button("Về bản tóm tắt")
    await lan.send(RISKS + " Thêm: sao lưu dữ liệu hằng tuần.")
    assert "Tóm tắt kế hoạch" in lan.text
    await lan.press("Xem toàn văn")  # the short summary cuts long parts
    assert "sao lưu dữ liệu" in lan.text
    await lan.press("✎ Sửa một phần")
    await lan.press("✎ Tên kế hoạch")
    await lan.press("Về bản tóm tắt")
    assert "Tóm tắt kế hoạch" in lan.text
    await lan.send("gửi")  # typed at the summary
    [dossier] = await dossiers(app, "nguyen-thi-lan")
    assert dossier.state is State.AT_CELL
    assert "sao lưu dữ liệu" in dossier.plan.risks
    assert dossier.plan.problem_kind is ProblemKind.REGULATED_UNSUITED


async def test_cancelling_before_the_title_says_nothing_was_kept(lan: Chat, app: App) -> None:
    await lan.send("/plan")
    await lan.press("Hủy")  # nothing answered yet: no draft
    assert "không được lưu" in lan.text and "Đồng chí cần làm gì?" in lan.text
    assert await dossiers(app, "nguyen-thi-lan") == []
    await lan.send("/plan " + TITLE)  # the title given with the command
    assert "Bước 2/9" in lan.text
    await lan.send("/plan")
    assert "đang lập dở" in lan.text and "Bước 2/9" in lan.text


async def test_a_guest_is_asked_to_link_and_an_unknown_unit_to_ask_the_office(
        guest: Chat, app: App, codes: dict[str, str]) -> None:
    await guest.send("/plan")
    assert "liên kết tài khoản trước" in guest.text and "/start" in guest.text
    assert "Đồng chí cần làm gì?" in guest.text
    await guest.send("/draft")
    assert "liên kết tài khoản trước" in guest.text
    hieu = Chat(app)  # moved away: no unit on record
    await hieu.send(f"/start {codes['tran-van-hieu']}")
    await hieu.send("/plan")
    assert "văn phòng cấp ủy" in hieu.text and "Bước" not in hieu.text
    await hieu.send("/draft")
    assert "văn phòng cấp ủy" in hieu.text


async def test_a_plan_returned_by_the_cell_is_reopened_with_its_reason_and_sent_again(
        lan: Chat, app: App) -> None:
    await lan.send("/plan " + TITLE)
    await lan.press("Chưa được quy định")
    await answer_sections(lan)
    await lan.press("Bỏ qua: tôi đề xuất một mình")
    await lan.press("Bỏ qua: không có tài liệu")
    await lan.press("Tôi xin cam kết")
    await lan.press("Gửi kế hoạch")
    [sent] = await dossiers(app, "nguyen-thi-lan")
    services = app.services
    secretary = await services.directory.actor("tran-thi-kim-thoa")  # the cell's secretary
    await cell_return(CellReturn(actor=secretary, dossier_id=sent.id,
                                 reason="Cần nêu rõ nguồn kinh phí."), services.uow(),
                      services.clock)
    await lan.send("/draft")
    assert "Tiếp tục kế hoạch số" in lan.text and "Cần nêu rõ nguồn kinh phí." in lan.text
    assert "Tóm tắt kế hoạch" in lan.text  # nothing missing: straight to the summary
    await lan.press("✎ Sửa một phần")
    await lan.press("✎ Cách thức thực hiện")
    await lan.send(APPROACH + " Nguồn kinh phí: ngân sách tự chủ của trường.")
    await lan.press("Gửi kế hoạch")
    assert "đã được gửi" in lan.text
    [again] = await dossiers(app, "nguyen-thi-lan")
    assert again.id == sent.id and again.state is State.AT_CELL
    assert "ngân sách tự chủ" in again.plan.approach


async def test_the_summary_lets_the_proposer_choose_the_rhythm_of_progress_reports(
        lan: Chat, app: App) -> None:
    await lan.send("/kehoach")
    await lan.send(TITLE)
    await lan.send("1")
    await answer_sections(lan)
    await lan.press("Bỏ qua")
    await lan.press("Bỏ qua")
    await lan.send("đồng ý")
    assert "Báo cáo tiến độ: mỗi 20 ngày làm việc" in lan.text
    assert len(lan.text.splitlines()) <= 14  # fits a phone screen
    await lan.press("Nhịp báo cáo")
    assert lan.button("✓ 20 ngày làm việc")  # the default, marked
    await lan.press("10 ngày làm việc")
    assert "Tóm tắt kế hoạch" in lan.text
    assert "Báo cáo tiến độ: mỗi 10 ngày làm việc" in lan.text
    await lan.press("Nhịp báo cáo")
    assert lan.button("✓ 10 ngày làm việc")
    await lan.press("Về bản tóm tắt")
    await lan.press("Lưu")  # kept in the saved draft too
    [draft] = await dossiers(app, "nguyen-thi-lan")
    assert draft.plan.progress_every == 10
    await lan.send("/draft")
    await lan.press("Gửi kế hoạch")
    [dossier] = await dossiers(app, "nguyen-thi-lan")
    assert dossier.state is State.AT_CELL and dossier.plan.progress_every == 10
