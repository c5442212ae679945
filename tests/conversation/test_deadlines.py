"""/deadlines (/hanchot): each person's own deadlines, soonest first, with working days
left counted on the Vietnamese calendar, and a button to open each dossier.

Demo organisation; the clock starts on Monday 23/11/2026, the day before Vietnamese
Culture Day (24/11, a day off from 2026).
"""

from __future__ import annotations

from datetime import datetime

from bot.wiring import App
from tests.conversation.committee_people import NAM, THOA, linked
from tests.conversation.harness import VIETNAM, Chat, SettableClock
from tests.conversation.test_dossiers import actions, file, labels
from workflow.lifecycle import State

PC_OFFICE = "cao-thi-hong-nhung"  # office of the town People's Committee


async def test_a_proposer_sees_when_the_answer_to_each_registered_plan_is_due(
        app: App, clock: SettableClock, lan: Chat) -> None:
    first = await file(app, State.REGISTERED, title="Tuyển sinh trực tuyến")
    clock.current = datetime(2026, 11, 26, 9, tzinfo=VIETNAM)  # Thursday
    second = await file(app, State.REGISTERED, title="Bếp ăn bán trú")
    await file(app, State.AT_CELL, title="Vườn rau của bé")  # no clock yet: not listed
    clock.current = datetime(2026, 12, 1, 9, tzinfo=VIETNAM)
    await lan.send("/hanchot")
    lines = lan.text.split("\n")
    assert lines[0] == "Đồng chí có 2 hạn chót, gần nhất ở trên:"
    # Registered Monday 23/11: due Wednesday 06/01/2027; on Tuesday 01/12 there are 25
    # working days left (1/1/2027 is a holiday). The second, registered on 26/11, is due on
    # Friday 08/01/2027.
    assert lines[1] == ("• Thứ Tư, 06/01/2027 (còn 25 ngày làm việc): văn bản trả lời của cấp "
                        f"ủy về kế hoạch “Tuyển sinh trực tuyến” của đồng chí (hồ sơ số "
                        f"{first.id})")
    assert lines[2].startswith("• Thứ Sáu, 08/01/2027 (còn 27 ngày làm việc): văn bản trả lời")
    assert "Vườn rau" not in lan.text
    assert actions(lan)[:2] == [f"d:v:{first.id}", f"d:v:{second.id}"]
    assert "Trình đơn chính" in labels(lan)
    # The button opens the dossier in "My dossiers".
    await lan.press("Tuyển sinh trực tuyến")
    assert f"Hồ sơ số {first.id}: Tuyển sinh trực tuyến" in lan.text


async def test_the_menu_and_the_english_command_lead_there_too(app: App, lan: Chat) -> None:
    await file(app, State.REGISTERED, title="Tuyển sinh trực tuyến")
    await lan.send("/menu")
    await lan.press("Hạn chót của tôi")
    assert "Đồng chí có 1 hạn chót" in lan.text
    await lan.send("/language en")
    await lan.send("/deadlines")
    assert lan.text.startswith("You have 1 deadline, soonest first:\n• Wednesday, 06/01/2027 "
                               "(30 working days left): the committee's written answer")


async def test_nothing_due_says_so_and_a_guest_is_asked_to_link(app: App, lan: Chat,
                                                                guest: Chat) -> None:
    await lan.send("/hanchot")
    assert lan.text == "Hiện đồng chí không có hạn chót nào."
    await guest.send("/hanchot")
    assert "liên kết tài khoản" in guest.text
    assert "Liên kết tài khoản" in labels(guest)


async def test_the_office_sees_every_open_dossier_of_its_body_by_due_date(
        app: App, codes: dict[str, str], clock: SettableClock) -> None:
    later = await file(app, State.REGISTERED, title="Tuyển sinh trực tuyến")
    waiting = await file(app, State.SUBMITTED, title="Bếp ăn bán trú")
    clock.current = datetime(2026, 11, 20, 9, tzinfo=VIETNAM)  # registered earlier
    sooner = await file(app, State.REGISTERED, title="Sổ liên lạc điện tử")
    clock.current = datetime(2026, 11, 23, 9, tzinfo=VIETNAM)
    await file(app, State.REGISTERED, title="Một cửa liên thông")
    nam = await linked(app, codes, NAM)
    await nam.send("/hanchot")
    lines = nam.text.split("\n")
    assert lines[0] == "Đồng chí có 4 hạn chót, gần nhất ở trên:"
    # Soonest first: registered Friday 20/11 -> due Tuesday 05/01/2027; then 06/01/2027
    # (two dossiers); the one waiting to be registered has no date yet and comes last.
    assert lines[1].startswith("• Thứ Ba, 05/01/2027 (còn 29 ngày làm việc): trả lời bằng "
                               f"văn bản đối với hồ sơ số {sooner.id} “Sổ liên lạc điện tử”")
    assert lines[2].startswith("• Thứ Tư, 06/01/2027 (còn 30 ngày làm việc): trả lời bằng "
                               f"văn bản đối với hồ sơ số {later.id}")
    assert "Một cửa liên thông" in lines[3]
    assert lines[4].startswith(f"• chưa có thời hạn: tiếp nhận, vào sổ hồ sơ số {waiting.id}")
    assert actions(nam)[:2] == [f"k:v:{sooner.id}", f"k:v:{later.id}"]
    assert "k:o" in actions(nam)  # the desk's overview of every open dossier
    # Another office (the town party office) does not see Phổ Châu's dossiers.
    town = await linked(app, codes, "bui-van-thanh")
    await town.send("/hanchot")
    assert town.text == "Hiện đồng chí không có hạn chót nào."


async def test_the_cell_secretary_sees_when_the_cells_opinion_is_due(
        app: App, codes: dict[str, str]) -> None:
    dossier = await file(app, State.AT_CELL, title="Tuyển sinh trực tuyến")
    thoa = await linked(app, codes, THOA)
    await thoa.send("/hanchot")
    # Sent Monday 23/11: five working days, 24/11 skipped, end on Tuesday 01/12.
    assert ("• Thứ Ba, 01/12/2026 (còn 5 ngày làm việc): ý kiến của chi bộ về hồ sơ số "
            f"{dossier.id} “Tuyển sinh trực tuyến” của Nguyễn Thị Lan") in thoa.text
    assert f"k:v:{dossier.id}" in actions(thoa)


async def test_the_peoples_committee_sees_its_yearly_reports_before_30_11(
        app: App, codes: dict[str, str], clock: SettableClock) -> None:
    office = await linked(app, codes, PC_OFFICE)
    # Seed 002's reports were owed by the town People's Committee until 30/06/2025: on
    # Monday 25/11/2024 those due before 30/11/2024.
    clock.current = datetime(2024, 11, 25, 9, tzinfo=VIETNAM)
    await office.send("/hanchot")
    lines = office.text.split("\n")
    assert lines[0] == "Đồng chí có 2 hạn chót, gần nhất ở trên:"
    # Before Saturday 30/11: the last working day is Friday 29/11; from Monday 25/11 that
    # is 4 working days.
    for line in lines[1:]:
        assert line.startswith("• Thứ Sáu, 29/11/2024 (còn 4 ngày làm việc): Ủy ban nhân dân "
                               "thị xã Đức Phổ: Báo cáo hằng năm")
    assert any("gửi Chủ tịch UBND cấp huyện" in line for line in lines)


async def test_after_30_06_2025_the_town_peoples_committee_owes_no_yearly_report(
        app: App, codes: dict[str, str]) -> None:
    """The district level ended on 1/7/2025: on 23/11/2026 nothing is owed to it."""
    office = await linked(app, codes, PC_OFFICE)
    await office.send("/hanchot")
    assert office.text.startswith("Hiện đồng chí không có hạn chót nào.")
    assert "UBND cấp huyện" not in office.text


async def test_the_commune_secretary_sees_the_committee_s_yearly_review_report(
        app: App, codes: dict[str, str]) -> None:
    """From 1/7/2025 the place's commune committees (two-level-2025) owe their review
    report to the Provincial Standing Board (887 Điều 7 khoản 8–9), on a date the office
    sets (the bundled list says before 15/12, and that no rule gives one). The reminders
    go to the committee's head or secretary; /hanchot shows the same person the date."""
    secretary = await linked(app, codes, "nguyen-van-tam")  # Bí thư Đảng ủy xã Phổ Châu
    await secretary.send("/hanchot")
    # Before Tuesday 15/12/2026: the last working day is Monday 14/12; from Monday 23/11,
    # 24/11 off, that is 14 working days.
    assert ("• Thứ Hai, 14/12/2026 (còn 14 ngày làm việc): Đảng ủy xã Phổ Châu: Báo cáo sơ "
            "kết hằng năm") in secretary.text
    assert "gửi Ban Thường vụ Tỉnh ủy (cấp ủy cấp trên trực tiếp)" in secretary.text
    assert "quy định không nêu ngày" in secretary.text
