"""The committee's side through the chat, the process itself: notifications with
buttons, the party cell, the office desk, appraisal and voting, the head's decision and
every outcome, each person in their own chat (people in ``committee_people``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.wiring import App
from handlers.messages import Attachment
from tests.conversation.committee_people import (
    HOA,
    MEMBERS,
    NAM,
    NGOC,
    THOA,
    close_vote,
    docx_text,
    linked,
    meeting_open,
    sign_paper,
    to_appraised,
    vote_all,
)
from tests.conversation.harness import Chat, SettableClock
from tests.conversation.test_dossiers import actions, file, stored
from workflow.dossier import ProblemKind
from workflow.lifecycle import State
from workflow.voting import BallotMode, Choice


async def test_the_commune_school_route_end_to_end_to_an_approval(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier = await file(app, State.AT_CELL)
    # The cell secretary is told, with the plan and the buttons to act.
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()
    assert f"số {dossier.id}" in thoa.text and "chi bộ" in thoa.text
    await thoa.press("Đồng ý")
    assert (await stored(app, dossier.id)).state is State.SUBMITTED
    await lan.notifications()
    assert "Chi bộ đã đồng ý" in lan.text
    # The office registers it: the due date on working days (Mon 23/11/2026 + 30,
    # skipping 24/11, Culture Day, and the New Year).
    nam = await linked(app, codes, NAM)
    await nam.notifications()
    await nam.press("Vào sổ")
    registered = await stored(app, dossier.id)
    assert registered.state is State.REGISTERED and registered.due_on is not None
    assert registered.due_on.strftime("%d/%m/%Y") in nam.text
    await lan.notifications()
    assert registered.registration_number in lan.text  # type: ignore[operator]
    # Appraisal by the standing board's appraisers, then the vote.
    await nam.press("Giao thẩm định")
    await nam.press("Tất cả")
    await nam.press("10 ngày làm việc")  # Mon 23/11 + 10, skipping Culture Day 24/11
    assigned = await stored(app, dossier.id)
    assert set(assigned.appraisers) == {HOA, "nguyen-thi-thanh-tam"}
    assert assigned.appraisal_due_on == date(2026, 12, 8) and "08/12/2026" in nam.text
    hoa = await linked(app, codes, HOA)
    await hoa.notifications()
    assert "Hạn gửi báo cáo thẩm định" in hoa.text and "08/12/2026" in hoa.text
    await hoa.press("Thẩm định: khả thi")
    await hoa.send(attachments=(Attachment("f-1", "bao-cao-tham-dinh.pdf", "application/pdf",
                                           120_000),))
    assert "Đã đính kèm vào báo cáo thẩm định" in hoa.text
    await hoa.send("Khả thi; tác động tích cực đến chất lượng chăm sóc trẻ.")
    appraised = await stored(app, dossier.id)
    assert appraised.state is State.APPRAISED and appraised.appraisal is not None
    assert appraised.appraisal.attachments == ("bao-cao-tham-dinh.pdf",)
    await nam.notifications()
    await nam.press("Mở biểu quyết")
    await nam.press("3 ngày làm việc")
    assert (await stored(app, dossier.id)).state is State.BALLOT_OPEN
    # The proposer is told the vote opened but cannot vote; the office is not a member.
    await lan.notifications()
    assert "biểu quyết" in lan.text
    await lan.action(f"k:vt:{dossier.id}:{(await stored(app, dossier.id)).ballot_ids[-1]}:a")
    assert "không biểu quyết" in lan.text
    ballot = (await stored(app, dossier.id)).ballot_ids[-1]
    await nam.action(f"k:vt:{dossier.id}:{ballot}:a")
    assert "không thuộc thành phần biểu quyết" in nam.text
    # Members vote; one changes their mind; the fifth approval makes it certain.
    chats = [hoa, *[await linked(app, codes, m) for m in MEMBERS[2:6]]]
    await chats[0].notifications()
    assert "Đề nghị đồng chí biểu quyết" in chats[0].text
    await chats[0].press("Không tán thành")
    await chats[0].press("Tán thành")
    assert "Tán thành" in chats[0].text
    for chat in chats[1:]:
        await chat.notifications()
        await chat.press("Tán thành")
    if await meeting_open(app, ballot):  # the committee's meeting ends when it is closed
        await close_vote(nam, dossier.id)
    decided = await stored(app, dossier.id)
    assert decided.state is State.APPROVED
    await lan.notifications()
    assert "được thông qua" in lan.text or "cho chủ trương" in lan.text.lower()
    # The written answer closes the loop for the proposer.
    await nam.notifications()
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Ghi nhận văn bản trả lời")
    draft = docx_text(nam)  # a draft to check, number and have signed
    assert "Dự thảo công văn trả lời" in nam.text and "ĐẢNG CỘNG SẢN VIỆT NAM" in draft
    assert "ĐẢNG ỦY XÃ PHỔ CHÂU" in draft and "T/M ĐẢNG ỦY" in draft
    assert "cho chủ trương thực hiện thí điểm" in draft and "Nguyễn Thị Lan" in draft
    await sign_paper(nam, "15")
    assert (await stored(app, dossier.id)).state is State.ANSWERED
    await lan.notifications()
    assert "15-CV/ĐU" in lan.text


async def test_the_cell_returns_a_plan_with_reasons_the_proposer_reads(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier = await file(app, State.AT_CELL)
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()
    await thoa.press("Trả lại")
    await thoa.send("Cần bổ sung dự toán kinh phí.")
    assert (await stored(app, dossier.id)).state is State.RETURNED_BY_CELL
    await lan.notifications()
    assert "Cần bổ sung dự toán kinh phí." in lan.text


async def test_not_feasible_closes_the_dossier_and_tells_the_proposer(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier = await file(app, State.REGISTERED)
    nam = await linked(app, codes, NAM)
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Giao thẩm định")
    [only] = [b for r in nam.replies for b in r.all_buttons() if b.label == "Lê Thị Hoa"]
    await nam.action(only.action)
    await nam.press("5 ngày làm việc")
    assert (await stored(app, dossier.id)).appraisers == (HOA,)
    hoa = await linked(app, codes, HOA)
    await hoa.notifications()
    await hoa.press("không khả thi")
    await hoa.send("Vượt quá nguồn lực của trường.")
    assert (await stored(app, dossier.id)).state is State.CLOSED
    await lan.notifications()
    assert "Vượt quá nguồn lực của trường." in lan.text
    # The dossier is closed but the notice is owed: the office's tasks and deadlines
    # still list it, and the task opens it.
    await nam.notifications()
    await nam.send("/viec")
    assert "1 hồ sơ đang chờ đồng chí" in nam.text, nam.text
    await nam.send("/hanchot")
    assert "gửi văn bản thông báo cho người đề xuất" in nam.text, nam.text
    # The office has the written notice drafted, signed and numbered.
    await nam.send("/viec")
    await nam.press(f"{dossier.id}.")
    assert "gửi văn bản thông báo cho người đề xuất" in nam.text
    await nam.press("Văn bản: thông báo kế hoạch không khả thi")
    draft = docx_text(nam)
    assert "Dự thảo thông báo" in nam.text and "THÔNG BÁO" in draft
    assert "Nguyễn Thị Lan" in draft and "Số …-TB/ĐU" in draft
    assert "ĐẢNG ỦY XÃ PHỔ CHÂU" in draft and "T/M BAN THƯỜNG VỤ" in draft
    assert "Vượt quá nguồn lực của trường." in draft
    await sign_paper(nam, "12, 23/11/2026")
    assert "Nhiệm vụ chưa thực hiện" not in nam.text
    await nam.send("/viec")
    assert "Hiện chưa có hồ sơ nào chờ đồng chí xử lý" in nam.text, nam.text
    await lan.notifications()
    assert "Văn bản thông báo 12-TB/ĐU, 23/11/2026" in lan.text


async def test_the_office_marks_complex_and_the_due_date_moves_to_60_days(
        app: App, codes: dict[str, str]) -> None:
    dossier = await file(app, State.REGISTERED)
    before = (await stored(app, dossier.id)).due_on
    nam = await linked(app, codes, NAM)
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("phức tạp")
    await nam.send("Liên quan nhiều ngành.")
    after = await stored(app, dossier.id)
    assert after.complexity is not None and before and after.due_on and after.due_on > before


async def test_wrong_role_stale_and_forged_buttons_change_nothing(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier = await file(app, State.AT_CELL)
    version = dossier.version
    # The proposer forging the cell's button.
    await lan.action(f"k:ca:{dossier.id}:{version}")
    assert "không được phép" in lan.text.lower() or "không có quyền" in lan.text.lower()
    assert (await stored(app, dossier.id)).version == version
    # Someone with no part in it learns nothing.
    stranger = await linked(app, codes, "nguyen-thanh-phong")
    await stranger.action(f"k:v:{dossier.id}")
    assert "Không tìm thấy" in stranger.text
    # The cell agrees; its old button, pressed again, is stale.
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()
    button = thoa.button("Đồng ý")
    await thoa.press("Đồng ý")
    after = await stored(app, dossier.id)
    await thoa.action(button.action)
    assert (await stored(app, dossier.id)).version == after.version
    # Forged ids, codes and picks.
    nam = await linked(app, codes, NAM)
    for forged in (f"k:rg:{dossier.id}:{after.version + 5}", "k:rg:99999:1", "k:zz:1:1",
                   f"k:as:{dossier.id}:{after.version}:99", "k:vt:1:1:q", "k:v:abc"):
        await nam.action(forged)
        assert (await stored(app, dossier.id)).version == after.version, forged
    assert all(a.startswith(("k:", "m:", "d:")) for a in actions(nam))


async def test_the_office_desk_lists_tasks_by_due_date_and_unreachable_people(
        app: App, codes: dict[str, str]) -> None:
    first = await file(app, State.SUBMITTED, title="Kế hoạch thứ nhất")
    await file(app, State.REGISTERED, title="Kế hoạch thứ hai")
    nam = await linked(app, codes, NAM)
    await nam.send("/viec")
    assert "Kế hoạch thứ nhất" in nam.text and "Kế hoạch thứ hai" in nam.text
    await nam.press("theo hạn")
    assert nam.text.index("Kế hoạch thứ hai") < nam.text.index("Kế hoạch thứ nhất")
    # Lan never linked in this test: her notifications wait, and the office sees it.
    await nam.press("Quay lại")
    await nam.press("không liên lạc được")
    assert f"số {first.id}" in nam.text and "Nguyễn Thị Lan" in nam.text


async def test_the_main_menu_offers_the_desk_to_committee_people_only(
        app: App, codes: dict[str, str]) -> None:
    nam = await linked(app, codes, NAM)
    await nam.send("/menu")
    assert "m:go:desk" in actions(nam)
    teacher = await linked(app, codes, "le-thi-ngoc-han")  # an ordinary cell member
    await teacher.send("/menu")
    assert "m:go:desk" not in actions(teacher)


async def test_no_consensus_the_head_lets_it_proceed_and_the_report_is_tracked(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaarrrrp")
    assert (await stored(app, dossier_id)).state is State.NO_CONSENSUS
    head = chats["nguyen-van-tam"]
    await head.notifications()
    assert "không thống nhất" in head.text
    # A member who is not the head cannot decide alone.
    version = (await stored(app, dossier_id)).version
    await chats["tran-thi-be"].action(f"k:hy:{dossier_id}:{version}")
    assert (await stored(app, dossier_id)).version == version
    await head.action(f"k:v:{dossier_id}")
    await head.press("Cho thực hiện")
    await head.send("Kế hoạch khả thi, cần triển khai trước năm học mới.")
    decided = await stored(app, dossier_id)
    assert decided.state is State.APPROVED and decided.decision and decided.decision.by_head
    assert "Nhiệm vụ chưa thực hiện" in head.text
    # The head's report to the superior.
    await head.press("Văn bản: báo cáo quyết định của người đứng đầu")
    report = docx_text(head)
    assert "BÁO CÁO" in report and "T/M" not in report and "trước năm học mới" in report
    await sign_paper(head, "5")
    assert "5-BC/ĐU" in head.text
    await head.action(f"k:v:{dossier_id}")
    assert "Nhiệm vụ chưa thực hiện" not in head.text
    await lan.notifications()
    assert "Người đứng đầu đã quyết định" in lan.text


async def test_no_consensus_the_head_declines_and_the_answer_closes_it(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaarrrrp")
    head = chats["nguyen-van-tam"]
    await head.action(f"k:v:{dossier_id}")
    await head.press("Không cho thực hiện")
    await head.send("Chưa bảo đảm nguồn lực.")
    assert (await stored(app, dossier_id)).state is State.REJECTED
    await nam.notifications()
    await nam.press("Ghi nhận văn bản trả lời")
    draft = docx_text(nam)  # the head's own decision: signed by the head, with reasons
    assert "T/M" not in draft and "BÍ THƯ" in draft and "Chưa bảo đảm nguồn lực." in draft
    await sign_paper(nam, "16")
    assert (await stored(app, dossier_id)).state is State.CLOSED
    await lan.notifications()
    assert "16-CV/ĐU" in lan.text


async def test_returned_for_re_preparation_the_proposer_revises_and_resubmits(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "ppppp")
    assert (await stored(app, dossier_id)).state is State.RETURNED_FOR_RE_PREPARATION
    await nam.notifications()
    await nam.press("Ghi nhận văn bản trả lời")
    assert "chuẩn bị lại" in docx_text(nam)
    await sign_paper(nam, "17")
    await lan.notifications()
    assert "chuẩn bị lại" in lan.text and "/draft" in lan.text
    await lan.send("/draft")
    await lan.press("Gửi kế hoạch")
    again = await stored(app, dossier_id)
    assert again.state is State.AT_CELL and again.round == 2
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()
    assert f"số {dossier_id}" in thoa.text


async def test_the_town_agency_route_through_the_cell_legal_review_and_the_standing_board(
        app: App, codes: dict[str, str]) -> None:
    """Point d: Phòng Nội vụ's cell, the town party office, the advisory agencies'
    appraisal, the inspection committee's legal-risk review, the standing board's vote;
    the People's Committee is informed. Ngọc reads English."""
    ngoc = await linked(app, codes, NGOC)
    dossier = await file(app, State.AT_CELL, person=NGOC)
    hoang = await linked(app, codes, "le-van-hoang")
    await hoang.notifications()
    await hoang.press("Đồng ý")
    ubnd = await linked(app, codes, "cao-thi-hong-nhung")
    await ubnd.notifications()
    assert "Để đồng chí biết" in ubnd.text
    await ngoc.notifications()
    assert "for information" in ngoc.text and "agreed" in ngoc.text
    office = await linked(app, codes, "bui-van-thanh")
    await office.notifications()
    await office.press("Vào sổ")
    await office.press("Giao thẩm định")
    await office.press("Trần Đình Khoa")
    await office.press("10 ngày làm việc")
    khoa = await linked(app, codes, "tran-dinh-khoa")
    await khoa.notifications()
    await khoa.press("Thẩm định: khả thi")
    await khoa.send("Khả thi.")
    await office.notifications()
    await office.press("rủi ro pháp lý")
    await office.press("5 ngày làm việc")
    assert "Hạn có ý kiến về rủi ro pháp lý" in office.text
    assert set((await stored(app, dossier.id)).legal_reviewers) == {"vo-thanh-son",
                                                                   "doan-van-loc"}
    loc = await linked(app, codes, "doan-van-loc")
    await loc.notifications()
    await loc.press("Gửi ý kiến rủi ro pháp lý")
    await loc.send("Không có rủi ro pháp lý đáng kể.")
    assert (await stored(app, dossier.id)).state is State.LEGAL_REVIEWED
    await office.notifications()
    await office.press("Mở biểu quyết")
    # Either deciding body of the route: the standing board or the full committee.
    assert any(b.label.startswith("Thị ủy Đức Phổ: Kết thúc")
               for r in office.replies for b in r.all_buttons())
    await office.press("Ban Thường vụ Thị ủy Đức Phổ: Kết thúc sau 5 ngày làm việc")
    ballot = (await stored(app, dossier.id)).ballot_ids[-1]
    for member in ("dang-ngoc-tuan", "huynh-thi-my-dung", "le-quang-vinh"):
        await (await linked(app, codes, member)).action(f"k:vt:{dossier.id}:{ballot}:a")
    await khoa.action(f"k:vt:{dossier.id}:{ballot}:a")
    if await meeting_open(app, ballot):  # the standing board's meeting ends when closed
        await close_vote(office, dossier.id)
    assert (await stored(app, dossier.id)).state is State.APPROVED
    await ngoc.notifications()
    assert "approved" in ngoc.text


async def test_a_commune_cadre_case_a_informs_the_cell_and_the_office_sees_who_is_unreached(
        app: App, codes: dict[str, str]) -> None:
    """Point a: no cell review; the plan goes straight to the office and the cell
    secretary is informed; a body nobody stands for is listed to the office."""
    dossier = await file(app, State.DRAFT, person="pham-thi-thu-suong")
    suong = await linked(app, codes, "pham-thi-thu-suong")
    await suong.send("/draft")
    await suong.press("Gửi kế hoạch")
    assert (await stored(app, dossier.id)).state is State.SUBMITTED
    dung = await linked(app, codes, "vo-van-dung")  # secretary of the commune offices' cell
    await dung.notifications()
    assert "Để đồng chí biết" in dung.text
    nam = await linked(app, codes, NAM)
    await nam.notifications()
    await nam.press("Vào sổ")
    await nam.press("Vượt thẩm quyền")
    await nam.press("(cấp trên trực tiếp)")
    await nam.send("Đề nghị Ban Thường vụ Thị ủy cho chủ trương.")
    forwarded = await stored(app, dossier.id)
    assert forwarded.state is State.ESCALATED and forwarded.forwarding is not None
    assert forwarded.forwarding.body == "btv-thi-uy" and not forwarded.forwarding.skips_level
    await nam.press("Văn bản: báo cáo cấp có thẩm quyền")  # the report to the competent level
    draft = docx_text(nam)
    assert "BÁO CÁO" in draft and "Kính gửi: Ban Thường vụ Thị ủy Đức Phổ" in draft
    assert "ĐẢNG ỦY XÃ PHỔ CHÂU" in draft and "T/M ĐẢNG ỦY" in draft
    assert "Phương án đề xuất: Đề nghị Ban Thường vụ Thị ủy cho chủ trương." in draft
    await sign_paper(nam, "3")
    await nam.send("/viec")
    await nam.press("không liên lạc được")
    assert "chưa có người đảm nhận" in nam.text


async def test_after_approval_the_proposer_reports_and_the_collective_evaluates(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    await nam.notifications()
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    await sign_paper(nam, "18")
    # The proposer acts from the notification and from "My dossiers".
    await lan.notifications()
    await lan.press("Bắt đầu thực hiện")
    assert (await stored(app, dossier_id)).state is State.IMPLEMENTING
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo rủi ro")
    await lan.send("Phần mềm lỗi làm mất dữ liệu một buổi.")
    await nam.notifications()
    assert "Phần mềm lỗi" in nam.text and "cấp trên trực tiếp" in nam.text
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo hoàn thành")
    await lan.send("Đã số hóa toàn bộ hồ sơ năm học.")
    assert (await stored(app, dossier_id)).state is State.COMPLETED
    # The office records the collective's evaluation and the form of encouragement.
    await nam.notifications()
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận kết quả đánh giá")
    await nam.press("e)")
    await nam.send("Hiệu quả rõ rệt; đề nghị khen thưởng.")
    evaluated = await stored(app, dossier_id)
    assert evaluated.state is State.EVALUATED and evaluated.evaluation is not None
    assert [f.value for f in evaluated.evaluation.forms] == ["e"]
    await lan.notifications()
    assert "Hình thức khuyến khích" in lan.text
    # The proposer cannot evaluate their own plan, even by forging the button.
    version = (await stored(app, dossier_id)).version
    await lan.action(f"k:cl:{dossier_id}:{version}")
    assert (await stored(app, dossier_id)).state is State.EVALUATED
    # The incident is not settled: reported upward, verified by the superior first.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc hồ sơ")
    assert "Chưa thể kết thúc hồ sơ" in nam.text
    assert (await stored(app, dossier_id)).state is State.EVALUATED
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Văn bản: báo cáo cấp trên về rủi ro, sai sót")
    await sign_paper(nam, "19")
    hung = await linked(app, codes, "pham-van-hung")  # the town standing board's secretary
    await hung.action(f"k:v:{dossier_id}")
    await hung.press("Quyết định: xác minh rủi ro, sai sót")
    await hung.send("Lỗi phần mềm khách quan; cán bộ thực hiện đúng kế hoạch.")
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc hồ sơ")
    assert (await stored(app, dossier_id)).state is State.CLOSED


async def test_the_vote_is_closed_by_the_office_at_its_closing_time(
        app: App, codes: dict[str, str], clock: SettableClock) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaar", close=False)
    assert (await stored(app, dossier_id)).state is State.BALLOT_OPEN
    clock.current += timedelta(days=3)
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc biểu quyết")
    assert (await stored(app, dossier_id)).state is State.NO_CONSENSUS
    assert "không thống nhất" in nam.text


async def test_before_its_closing_time_the_office_may_end_a_meeting_only(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "aaar", close=False)
    meeting = await meeting_open(app, (await stored(app, dossier_id)).ballot_ids[-1])
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc biểu quyết")
    if meeting:  # the committee's meeting ends when the office says so: counted now
        assert (await stored(app, dossier_id)).state is State.NO_CONSENSUS
        assert "không thống nhất" in nam.text
    else:  # a ballot that closes when certain waits for its closing time
        assert (await stored(app, dossier_id)).state is State.BALLOT_OPEN
        assert "17:00 25/11/2026" in nam.replies[0].text  # the closing time, in Vietnam


async def test_in_a_meeting_every_member_votes_and_the_result_is_announced_at_the_close(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    """A party committee "xem xét, thảo luận, quyết định" (887 Điều 4 khoản 3 b): five of
    nine approvals make the result certain, yet the sixth still votes and comments; the
    result is counted and announced when the office ends the meeting."""
    dossier_id, nam, hoa = await to_appraised(app, codes)
    async with app.services.uow() as uow:  # a meeting, whatever the pack's default
        dossier = await uow.dossiers.get(dossier_id)
        assert dossier is not None
        body = "commune_party_committee"
        dossier.voting_rules[body] = replace(dossier.voting_rule(body),
                                             ballot=BallotMode.MEETING)
        dossier.version += 1
        await uow.commit()
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa", close=False)
    ballot = (await stored(app, dossier_id)).ballot_ids[-1]
    assert (await stored(app, dossier_id)).state is State.BALLOT_OPEN  # certain, still open
    await lan.notifications()
    assert "Đã kết thúc biểu quyết" not in lan.text  # nothing announced before the close
    phuoc = chats["huynh-van-phuoc"]  # the sixth member
    await phuoc.notifications()
    await phuoc.press("Không tán thành")
    await phuoc.press("Ghi ý kiến")
    await phuoc.send("Đề nghị làm rõ nguồn kinh phí trước khi triển khai.")
    assert "đã được lưu kèm biểu quyết" in phuoc.text
    async with app.services.uow() as uow:  # read only
        open_ballot = await uow.ballots.get(ballot)
    assert open_ballot is not None and open_ballot.is_open
    assert open_ballot.votes["huynh-van-phuoc"].choice is Choice.REJECT
    for member in (MEMBERS[0], "huynh-van-phuoc"):
        await chats[member].notifications()
        assert "Đã kết thúc biểu quyết" not in chats[member].text
    await close_vote(nam, dossier_id)  # the office ends the meeting
    closed = await stored(app, dossier_id)
    assert closed.state is State.APPROVED
    assert "Đã kết thúc biểu quyết" in nam.text
    await nam.notifications()
    assert "Đề nghị làm rõ nguồn kinh phí" in nam.text  # the comment, with the result
    # The minutes of the count come with it, drafted, for the office to number and sign.
    minutes = docx_text(nam)
    assert "BIÊN BẢN" in minutes and "Huỳnh Văn Phước" in minutes
    assert "Đề nghị làm rõ nguồn kinh phí" in minutes and "Chưa biểu quyết: Lương Thị Mỹ" in minutes
    await nam.press("Ghi số và ký biên bản kiểm phiếu")
    assert "Dự thảo biên bản kiểm phiếu" in nam.text
    await sign_paper(nam, "21")
    async with app.services.uow() as uow:  # read only
        [recorded] = [d for d in await uow.documents.for_dossier(dossier_id)
                      if d.kind.value == "vote_minutes"]
    assert recorded.number == "21"
    await lan.notifications()
    assert "cho chủ trương" in lan.text.lower() or "được thông qua" in lan.text
    for member in (MEMBERS[0], "huynh-van-phuoc", "luong-thi-my"):  # voted or not
        await chats[member].notifications()
        assert "Đã kết thúc biểu quyết" in chats[member].text, member


async def test_another_office_does_not_see_this_office_s_unreachable_people(
        app: App, codes: dict[str, str]) -> None:
    await file(app, State.SUBMITTED)  # Lan is not linked: her notices wait
    linh = await linked(app, codes, "tran-thi-my-linh")  # the ward's office
    await linh.send("/viec")
    await linh.press("không liên lạc được")
    assert "Nguyễn Thị Lan" not in linh.text


async def test_an_emergency_report_is_concluded_by_the_collective(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    await lan.send("/khancap")
    await lan.send("Cho trẻ nghỉ học và sơ tán sang trụ sở xã khi nước lũ dâng, 22/11/2026.")
    await lan.send("Nước dâng trong đêm; đã báo bí thư Đảng ủy qua điện thoại.")
    assert "hồ sơ số" in lan.text
    [dossier] = await app.services.directory.dossiers_of("nguyen-thi-lan")
    assert dossier.state is State.EMERGENCY_REPORTED
    nam = await linked(app, codes, NAM)
    await nam.notifications()
    assert "tình huống khẩn cấp" in nam.text
    await nam.press("Ghi nhận kết luận")
    await nam.send("Thống nhất với việc sơ tán; Thông báo kết luận số 20-TB/ĐU.")
    assert (await stored(app, dossier.id)).state is State.CLOSED
    await lan.notifications()
    assert "20-TB/ĐU" in lan.text


async def test_approving_a_plan_about_an_unsuitable_rule_creates_the_report_to_its_issuer(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    async with app.services.uow() as uow:  # the plan is about an unsuitable regulation
        dossier = await uow.dossiers.get(dossier_id)
        assert dossier is not None
        dossier.plan = replace(dossier.plan, problem_kind=ProblemKind.REGULATED_UNSUITED,
                               regulation="Quyết định 15/2021/QĐ-UBND",
                               regulation_issuer="UBND tỉnh Quảng Ngãi")
        dossier.version += 1
        await uow.commit()
    await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    assert (await stored(app, dossier_id)).state is State.APPROVED
    await nam.action(f"k:v:{dossier_id}")
    assert "Nhiệm vụ chưa thực hiện" in nam.text
    await nam.press("Văn bản: báo cáo nơi ban hành quy định")
    report = docx_text(nam)
    assert "Kính gửi: UBND tỉnh Quảng Ngãi" in report
    assert "Quyết định 15/2021/QĐ-UBND" in report
    await sign_paper(nam, "7")
    await nam.action(f"k:v:{dossier_id}")
    assert "Nhiệm vụ chưa thực hiện" not in nam.text


async def test_a_vote_button_pressed_after_the_vote_closed_changes_nothing(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    decided = await stored(app, dossier_id)
    assert decided.state is State.APPROVED
    late = chats["luong-thi-my"]  # had not voted; presses the button from her message
    await late.action(f"k:vt:{dossier_id}:{decided.ballot_ids[-1]}:r")
    assert "Hiện không thể biểu quyết" in late.replies[0].text
    after = await stored(app, dossier_id)
    assert after.state is State.APPROVED and after.version == decided.version
