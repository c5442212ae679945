"""My dossiers: the list, one dossier in full, withdrawing with confirmation.

Dossiers are made through the workflow services on the real storage (the filing
wizard is another flow), acting as the people of the demo organisation: Lan's cell
secretary is Trần Thị Kim Thoa and her committee's office is Hồ Văn Nam.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.wiring import App
from handlers.flows.dossier_view import Names, deadline, holder
from handlers.i18n import Translator
from handlers.messages import Attachment
from tests.conversation.harness import VIETNAM, Chat, SettableClock
from tests.fakes import COMPLETE_PLAN, Scenario
from workflow import services as svc
from workflow.commands import AssignAppraisal, CellAgree, CreateDraft, MarkComplex, Register, Submit
from workflow.dossier import Dossier
from workflow.lifecycle import State
from workflow.rules import bundled_rulebook

LAN = "nguyen-thi-lan"
NGOC = "nguyen-thi-bich-ngoc"  # Phòng Nội vụ (town route), reads English
PHONG = "nguyen-thanh-phong"  # head of Nguyễn Nghiêm primary school: someone else
CELL_SECRETARY = {LAN: "tran-thi-kim-thoa", NGOC: "le-van-hoang", PHONG: "nguyen-thanh-phong"}
OFFICE = {LAN: "ho-van-nam", NGOC: "bui-van-thanh", PHONG: "tran-thi-my-linh"}
UNIT_KIND = {LAN: "commune_school", NGOC: "town_state_agency", PHONG: "commune_school",
             "pham-thi-thu-suong": "commune"}  # a commune civil servant (point a)
STEPS = (State.DRAFT, State.AT_CELL, State.SUBMITTED, State.REGISTERED)


async def file(app: App, to: State = State.DRAFT, person: str = LAN,
               title: str = COMPLETE_PLAN.title) -> Dossier:
    """A dossier of ``person`` taken through the services up to ``to`` (at most registered)."""
    services, directory = app.services, app.services.directory
    pack = services.rulebook.get("duc-pho-2022")
    actor = await directory.actor(person)
    dossier = await svc.create_draft(
        CreateDraft(actor=actor, unit_kind=UNIT_KIND[person],
                    plan=replace(COMPLETE_PLAN, title=title),
                    bodies=await directory.route_bodies(person, pack)),
        services.uow(), services.clock, pack)
    reached = STEPS.index(to)
    if reached >= 1:
        dossier = await svc.submit(Submit(actor=actor, dossier_id=dossier.id),
                                   services.uow(), services.clock)
    if reached >= 2:
        cell = await directory.actor(CELL_SECRETARY[person])
        dossier = await svc.cell_agree(CellAgree(actor=cell, dossier_id=dossier.id),
                                       services.uow(), services.clock)
    if reached >= 3:
        office = await directory.actor(OFFICE[person])
        dossier = await svc.register(Register(actor=office, dossier_id=dossier.id),
                                     services.uow(), services.clock, services.calendar)
    assert dossier.state is to
    return dossier


async def stored(app: App, dossier_id: int) -> Dossier:
    async with app.services.uow() as uow:
        found = await uow.dossiers.get(dossier_id)
    assert found is not None
    return found


def labels(chat: Chat) -> list[str]:
    return [b.label for r in chat.replies for b in r.all_buttons()]


def actions(chat: Chat) -> list[str]:
    return [b.action for r in chat.replies for b in r.all_buttons()]


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM)


# The list -------------------------------------------------------------------------


async def test_with_no_dossiers_the_list_says_so_and_offers_the_menu(lan: Chat) -> None:
    await lan.send("/hoso")
    assert "chưa có hồ sơ nào" in lan.text
    assert labels(lan) == ["Trình đơn chính"]


async def test_the_menu_button_opens_the_list(app: App, lan: Chat) -> None:
    await file(app)
    await lan.action("m:go:dossiers")
    assert "Đồng chí có 1 hồ sơ" in lan.text


async def test_each_dossier_says_its_state_who_holds_it_and_the_clock(app: App,
                                                                      lan: Chat) -> None:
    registered = await file(app, State.REGISTERED, title="Tuyển sinh trực tuyến")
    await file(app, State.AT_CELL, title="Bếp ăn bán trú")
    await file(app, State.DRAFT, title="Vườn rau của bé")
    await lan.send("/dossiers")
    lines = lan.text.split("\n\n")
    assert lines[0] == "Đồng chí có 3 hồ sơ (mới nhất ở trên)."
    draft, at_cell, reg = lines[1:]
    # Each line carries the dossier's own number (the draft was filed third).
    assert draft.startswith("3. “Vườn rau của bé”: bản nháp; đồng chí chưa gửi; chưa vào sổ: "
                            "thời hạn 30 ngày làm việc")
    assert at_cell.startswith("2. “Bếp ăn bán trú”: đang chờ chi bộ cho ý kiến; hiện do Chi bộ "
                              "Trường Mầm non Phổ Châu xử lý; chưa vào sổ")
    # Registered on Monday 23/11/2026: 30 working days, the day of receipt not counted,
    # 24/11 (Vietnamese Culture Day) and the New Year holiday skipped.
    assert reg == ("1. “Tuyển sinh trực tuyến”: đã tiếp nhận, vào sổ; hiện do Văn phòng Đảng ủy "
                   "xã Phổ Châu xử lý; hạn trả lời: Thứ Tư, 06/01/2027 (còn 30 ngày làm việc).")
    assert actions(lan)[2] == f"d:v:{registered.id}"
    assert labels(lan)[:3] == ["3. Vườn rau của bé", "2. Bếp ăn bán trú",
                               "1. Tuyển sinh trực tuyến"]


async def test_working_days_left_skip_the_holiday_and_turn_overdue(
        app: App, lan: Chat, clock: SettableClock) -> None:
    await file(app, State.REGISTERED)
    clock.current = at(date(2026, 11, 25))  # 24/11 is a holiday: one working day has run
    await lan.send("/hoso")
    assert "còn 29 ngày làm việc" in lan.text
    clock.current = at(date(2027, 1, 5))
    await lan.send("/hoso")
    assert "còn 1 ngày làm việc" in lan.text
    clock.current = at(date(2027, 1, 6))
    await lan.send("/hoso")
    assert "hạn trả lời là hôm nay, Thứ Tư, 06/01/2027" in lan.text
    clock.current = at(date(2027, 1, 8))
    await lan.send("/hoso")
    assert "hạn trả lời: Thứ Tư, 06/01/2027 (đã quá hạn 2 ngày làm việc)" in lan.text


async def test_more_than_a_page_of_dossiers_pages_newest_first(app: App, lan: Chat) -> None:
    for number in range(1, 11):
        await file(app, title=f"Kế hoạch {number:02d}")
    await lan.send("/hoso")
    assert "Đồng chí có 10 hồ sơ (mới nhất ở trên). Trang 1/2." in lan.text
    assert "10. “Kế hoạch 10”" in lan.text and "3. “Kế hoạch 03”" in lan.text
    assert "Kế hoạch 02" not in lan.text
    assert "‹ Mới hơn" not in labels(lan)
    await lan.press("Cũ hơn")
    assert lan.replies[0].edit
    assert "Trang 2/2" in lan.text and "2. “Kế hoạch 02”" in lan.text
    assert "1. “Kế hoạch 01”" in lan.text and "Kế hoạch 03" not in lan.text
    assert "Cũ hơn ›" not in labels(lan)
    await lan.action("d:p:99")  # past the end: the last page
    assert "Trang 2/2" in lan.text


# One dossier ---------------------------------------------------------------------


async def test_a_dossier_in_full_with_route_complexity_and_history(
        app: App, lan: Chat, clock: SettableClock) -> None:
    dossier = await file(app, State.REGISTERED)
    clock.current = at(date(2026, 11, 25), 14)
    office = await app.services.directory.actor("ho-van-nam")
    await svc.mark_complex(MarkComplex(actor=office, dossier_id=dossier.id,
                                       reason="Cần lấy ý kiến phụ huynh"),
                           app.services.uow(), app.services.clock, app.services.calendar)
    await lan.send("/hoso")
    await lan.press("Số hóa hồ sơ")
    text = lan.text
    assert text.startswith(f"Hồ sơ số {dossier.id}: Số hóa hồ sơ một cửa tại trường")
    assert "Vấn đề: Hồ sơ giấy chậm, thất lạc" in text
    assert "Loại vấn đề: chưa được quy định" in text
    assert "Số vào sổ: 001/2026; ngày tiếp nhận: Thứ Hai, 23/11/2026." in text
    assert "không quá 60 ngày làm việc (lý do: Cần lấy ý kiến phụ huynh)" in text
    assert "Bước đầu: Chi bộ Trường Mầm non Phổ Châu xem xét, cho ý kiến." in text
    assert "Cấp có thẩm quyền: Đảng ủy xã Phổ Châu, qua Văn phòng Đảng ủy xã Phổ Châu." in text
    history = text.split("Quá trình xử lý:\n")[1].splitlines()
    assert history == [
        "• 23/11/2026 09:00: lập kế hoạch — đồng chí Nguyễn Thị Lan",
        "• 23/11/2026 09:00: gửi kế hoạch: đang chờ chi bộ cho ý kiến — đồng chí Nguyễn Thị Lan",
        "• 23/11/2026 09:00: chi bộ cho ý kiến thống nhất, gửi hồ sơ đề nghị — đồng chí "
        "Trần Thị Kim Thoa",
        "• 23/11/2026 09:00: tiếp nhận, vào sổ hồ sơ — đồng chí Hồ Văn Nam",
        "• 25/11/2026 14:00: xác định là vấn đề khó, phức tạp — đồng chí Hồ Văn Nam; ghi chú: "
        "“Cần lấy ý kiến phụ huynh”",
    ]
    assert labels(lan) == ["Văn bản", "Rút hồ sơ", "‹ Quay lại danh sách hồ sơ"]
    await lan.press("Quay lại")
    assert "Đồng chí có 1 hồ sơ" in lan.text


async def test_a_dossier_can_be_opened_by_number_with_the_command(app: App, lan: Chat) -> None:
    dossier = await file(app, State.AT_CELL)
    await lan.send(f"/hoso {dossier.id}")
    assert f"Hồ sơ số {dossier.id}" in lan.text
    assert "hiện do Chi bộ Trường Mầm non Phổ Châu xử lý" in lan.text


# Withdrawing ---------------------------------------------------------------------


async def test_withdrawing_asks_for_confirmation_takes_a_reason_and_withdraws(
        app: App, lan: Chat) -> None:
    dossier = await file(app, State.REGISTERED)
    await lan.action(f"d:v:{dossier.id}")
    await lan.press("Rút hồ sơ")
    assert "có chắc chắn muốn rút hồ sơ “Số hóa hồ sơ một cửa tại trường”" in lan.text
    assert (await stored(app, dossier.id)).state is State.REGISTERED  # nothing yet
    await lan.send("Trường đã được cấp phần mềm của ngành")
    assert "Đã ghi nhận lý do: “Trường đã được cấp phần mềm của ngành”" in lan.text
    await lan.press("Đồng ý rút")
    assert "Đã rút hồ sơ “Số hóa hồ sơ một cửa tại trường”" in lan.text
    assert "thông báo cho nơi đang xử lý" in lan.text
    after = await stored(app, dossier.id)
    assert after.state is State.WITHDRAWN
    assert after.history[-1].note == "Trường đã được cấp phần mềm của ngành"
    await lan.action(f"d:v:{dossier.id}")
    assert "Trạng thái: đã rút hồ sơ; không còn ai xử lý." in lan.text
    assert "Rút hồ sơ" not in labels(lan)  # nothing left to withdraw
    await lan.action(f"d:w:{dossier.id}:{after.version}")  # a forged button, all the same
    assert "Hiện không thể rút hồ sơ: hồ sơ đang ở trạng thái “đã rút hồ sơ”." in lan.text
    assert (await stored(app, dossier.id)).version == after.version


async def test_a_draft_is_withdrawn_without_a_reason_and_without_telling_anyone(
        app: App, lan: Chat) -> None:
    dossier = await file(app)
    await lan.action(f"d:w:{dossier.id}:{dossier.version}")
    await lan.press("Đồng ý rút")
    assert "Đã rút hồ sơ" in lan.text and "thông báo" not in lan.text
    assert (await stored(app, dossier.id)).history[-1].note == ""


async def test_cancelling_the_confirmation_keeps_the_dossier(app: App, lan: Chat) -> None:
    dossier = await file(app, State.SUBMITTED)
    await lan.action(f"d:v:{dossier.id}")
    await lan.press("Rút hồ sơ")
    await lan.press("Không, giữ lại")
    assert "Hồ sơ được giữ nguyên, chưa rút." in lan.text
    assert f"Hồ sơ số {dossier.id}" in lan.text
    assert (await stored(app, dossier.id)).state is State.SUBMITTED
    conversation = await app.services.conversations.load(lan.channel, lan.account)
    assert conversation.flow is None  # no longer confirming: later text is not a reason


async def test_cancel_command_and_a_file_while_confirming(app: App, lan: Chat) -> None:
    dossier = await file(app, State.AT_CELL)
    await lan.action(f"d:w:{dossier.id}:{dossier.version}")
    await lan.send(attachments=(Attachment("f1", "ly-do.pdf", "application/pdf", 100),))
    assert "không cần gửi kèm tệp" in lan.text and "có chắc chắn" in lan.text
    await lan.send(None)  # a sticker: neither a reason nor a confirmation
    assert "có chắc chắn" in lan.text
    await lan.send("/cancel")
    assert "Đã hủy" in lan.text
    assert (await stored(app, dossier.id)).state is State.AT_CELL


async def test_a_stale_confirmation_after_the_dossier_moved_on_is_refused(
        app: App, lan: Chat) -> None:
    dossier = await file(app, State.REGISTERED)
    await lan.action(f"d:v:{dossier.id}")
    await lan.press("Rút hồ sơ")
    office = await app.services.directory.actor("ho-van-nam")
    await svc.assign_appraisal(AssignAppraisal(actor=office, dossier_id=dossier.id,
                                               appraisers=("le-thi-hoa",)),
                               app.services.uow(), app.services.clock,
                               app.services.calendar)  # type: ignore[arg-type]
    await lan.press("Đồng ý rút")
    assert "Hồ sơ đã có thay đổi" in lan.text
    assert "Trạng thái: đang thẩm định; hiện do người được phân công thẩm định xử lý: Lê Thị Hoa." \
        in lan.text
    assert (await stored(app, dossier.id)).state is State.APPRAISAL_ASSIGNED
    await lan.action(f"d:w:{dossier.id}:{dossier.version}")  # the old withdraw button too
    assert "Hồ sơ đã có thay đổi" in lan.text
    assert (await stored(app, dossier.id)).state is State.APPRAISAL_ASSIGNED


# Refusals ------------------------------------------------------------------------


async def test_someone_elses_dossier_reveals_nothing_and_changes_nothing(
        app: App, lan: Chat) -> None:
    theirs = await file(app, State.AT_CELL, person=PHONG, title="Thư viện xanh Nguyễn Nghiêm")
    for action in (f"d:v:{theirs.id}", f"d:w:{theirs.id}:{theirs.version}",
                   f"d:wy:{theirs.id}:{theirs.version}", f"d:wn:{theirs.id}", "d:v:999"):
        await lan.action(action)
        assert "Không tìm thấy hồ sơ này trong số hồ sơ của đồng chí." in lan.text, action
        assert "Thư viện xanh" not in lan.text and "Nguyễn Nghiêm" not in lan.text
    await lan.send(f"/hoso {theirs.id}")
    assert "Không tìm thấy hồ sơ này" in lan.text
    after = await stored(app, theirs.id)
    assert (after.state, after.version) == (State.AT_CELL, theirs.version)


@pytest.mark.parametrize("action", ["d:v:abc", "d:v", "d:w:1", "d:wy:1", "d:zz:1", "d:v:1:2",
                                    "d:v:²", "d:v:-1", "d:p:x", "d:v:1234567890"])
async def test_malformed_actions_change_nothing_and_show_the_list(
        app: App, lan: Chat, action: str) -> None:
    dossier = await file(app, State.SUBMITTED)
    await lan.action(action)
    assert "Nút này không còn hiệu lực" in lan.text
    assert "Đồng chí có 1 hồ sơ" in lan.text
    assert (await stored(app, dossier.id)).version == dossier.version


async def test_a_guest_is_asked_to_link_first(app: App, guest: Chat) -> None:
    dossier = await file(app)
    for attempt in (guest.send("/hoso"), guest.action(f"d:v:{dossier.id}"),
                    guest.action(f"d:wy:{dossier.id}:{dossier.version}")):
        await attempt
        assert "liên kết tài khoản trước" in guest.text
        assert "Liên kết tài khoản" in labels(guest)
    assert (await stored(app, dossier.id)).state is State.DRAFT


# English and the holder in every state -------------------------------------------


async def test_english_on_the_town_route(app: App, codes: dict[str, str]) -> None:
    await file(app, State.REGISTERED, person=NGOC, title="One-stop digital filing")
    await file(app, State.AT_CELL, person=NGOC, title="Open data on permits")
    ngoc = Chat(app)
    await ngoc.send(f"/start {codes[NGOC]}")
    await ngoc.send("/dossiers")
    assert "You have 2 dossiers, newest first." in ngoc.text
    assert ("2. Open data on permits: awaiting the party cell's opinion; now with Chi bộ "
            "Phòng Nội vụ thị xã Đức Phổ; not registered yet: the 30-working-day clock starts "
            "when the office registers it.") in ngoc.text
    assert ("1. One-stop digital filing: received and registered; now with Văn phòng Thị ủy "
            "Đức Phổ; answer due Wednesday, 06/01/2027 (30 working days left).") in ngoc.text
    await ngoc.press("One-stop")
    assert "History:" in ngoc.text and "dossier received and registered — Bùi Văn Thành" \
        in ngoc.text
    assert "Competent body: Thường trực Thị ủy Đức Phổ, through Văn phòng Thị ủy Đức Phổ." \
        in ngoc.text
    await ngoc.press("Withdraw")
    assert "Are you sure you want to withdraw" in ngoc.text
    await ngoc.press("No, keep it")
    assert "The dossier was not withdrawn." in ngoc.text


HOLDERS = {
    State.DRAFT: "with you: not sent yet",
    State.AT_CELL: "now with the party cell the cadre belongs to",
    State.RETURNED_BY_CELL: "back with you to complete and send again",
    State.SUBMITTED: "now with the commune party committee's office",
    State.REGISTERED: "now with the commune party committee's office",
    State.ESCALATED: "now with the Town Standing Board",
    State.APPRAISAL_ASSIGNED: "now with the appraisers: appraiser-1",
    State.LEGAL_REVIEW_ASSIGNED: None,  # no legal review on this route
    State.BALLOT_OPEN: "now with the commune (ward, township) party committee",
    State.NO_CONSENSUS: "now with the commune party secretary",
    State.APPROVED: "now with the commune party committee's office: the written answer is "
                    "pending",
    State.REJECTED: "now with the commune party committee's office: the written answer is "
                    "pending",
    State.RETURNED_FOR_RE_PREPARATION: "back with you to complete and send again",
    State.ANSWERED: "with you: implementation",
    State.IMPLEMENTING: "with you: implementation",
    State.COMPLETED: "now with the commune party committee's office",
    State.CLOSED: "no longer with anyone",
    State.WITHDRAWN: "no longer with anyone",
}


@pytest.mark.parametrize("state", [s for s, text in HOLDERS.items() if text])
async def test_who_holds_the_dossier_in_each_state(state: State) -> None:
    # In memory, with the pack's names: the organisation has no names for these bodies.
    scenario = Scenario("commune_school")
    await scenario.drive_to(state)
    dossier = scenario.dossier
    names = Names({}, {}, bundled_rulebook(), "en")
    t = Translator("en")
    assert holder(dossier, names, t) == HOLDERS[state]


async def test_a_deadline_just_past_over_a_weekend_is_overdue_without_a_count() -> None:
    scenario = Scenario("commune_school")
    await scenario.drive_to(State.REGISTERED)
    dossier = replace(scenario.dossier, due_on=date(2024, 3, 8))  # a Friday
    t = Translator("en")
    assert deadline(dossier, date(2024, 3, 9), _Weekdays(), t) == (
        "answer was due Friday, 08/03/2024 (overdue)")
    assert deadline(dossier, date(2024, 3, 11), _Weekdays(), t) == (
        "answer was due Friday, 08/03/2024 (overdue by 1 working day)")


class _Weekdays:
    """Monday to Friday, no holidays: enough for the clause's arithmetic."""

    def add_working_days(self, start: object, n: int, /) -> object:
        raise NotImplementedError

    def working_days_between(self, start: object, end: object) -> int:
        assert isinstance(start, date) and isinstance(end, date)
        sign = 1 if end >= start else -1
        low, high = sorted((start, end))
        days = sum(1 for i in range(1, (high - low).days + 1)
                   if date.fromordinal(low.toordinal() + i).weekday() < 5)
        return sign * days
