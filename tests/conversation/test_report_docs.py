"""The reminder of a reporting duty offers the committee's people the report it asks for:
the office of Đảng ủy xã Phổ Châu presses the button and gets the .docx of its yearly review
(887 Điều 7 khoản 8) with the same figures as /thongke; a cadre without a committee role
gets no button and a forged one is refused; a stale button is answered, not crashed on."""

from __future__ import annotations

import io
from datetime import date, datetime

import docx

from bot.wiring import App
from handlers.messages import Reply
from handlers.notifications import render
from tests.conversation.committee_people import NAM, linked
from tests.conversation.harness import VIETNAM, Chat, SettableClock
from tests.conversation.test_stats import _two_plans
from workflow.reminders import ReminderKind
from workflow.report_documents import occurrence
from workflow.reporting_duties import bundled_duties

DUTY = next(d for d in bundled_duties() if d.id == "commune-committee-yearly-review")
LAN = "nguyen-thi-lan"


async def reminder(app: App, person_id: str, body: str = "du-pho-chau") -> Reply:
    """The duty's reminder for 2026 (before 15/12, last working day Mon 14/12) as the
    dispatcher hands it over, rendered for the person."""
    about = {"duty": DUTY.id, "body": body, "before": "2026-12-15", "due_on": "2026-12-14",
             "days_before": "10", "source": DUTY.source,
             **{f"what_{k}": v for k, v in DUTY.what.items()},
             **{f"to_{k}": v for k, v in DUTY.to.items()}}
    person = await app.services.directory.person(person_id)
    assert person is not None
    return await render(app.services, person, {
        "reminder": ReminderKind.REPORTING_DUTY_DUE.value, "dossier_id": None,
        "about": about, "due_at": datetime(2026, 11, 30, 8, tzinfo=VIETNAM).isoformat(),
        "collapsed": 1})


def paragraphs_of(content: bytes | None) -> tuple[list[str], list[list[str]]]:
    assert content is not None
    word = docx.Document(io.BytesIO(content))
    return ([p.text for p in word.paragraphs if p.text.strip()],
            [[" | ".join(c.text for c in row.cells) for row in t.rows] for t in word.tables])


async def test_the_office_gets_its_yearly_review_from_the_reminder(
        app: App, codes: dict[str, str], clock: SettableClock) -> None:
    _rejected, _waiting, nam = await _two_plans(app, codes)
    clock.current = datetime(2026, 11, 30, 9, tzinfo=VIETNAM)
    shown = await reminder(app, NAM)
    assert "còn 10 ngày làm việc" in shown.text
    button = next(b for b in shown.all_buttons() if b.label == "Dự thảo báo cáo (.docx)")
    assert button.action == f"bc:y:{DUTY.id}:2026:du-pho-chau"
    nam.replies = [shown]
    await nam.press("Dự thảo báo cáo")
    (reply,) = nam.replies
    assert reply.text.startswith(f"Dự thảo “{DUTY.what['vi']}” của Đảng ủy xã Phổ Châu, lập "
                                 "từ dữ liệu: 2 kế hoạch, số liệu từ 15/12/2025 đến 30/11/2026")
    (file,) = reply.files
    assert file.name.endswith(".docx") and file.name.startswith("du-thao-bao-cao-so-ket-")
    paragraphs, tables = paragraphs_of(file.content)
    assert "ĐẢNG ỦY XÃ PHỔ CHÂU" in tables[0][0] and "Số …-BC/ĐU" in tables[0][0]
    assert paragraphs[:2] == ["BÁO CÁO", "sơ kết việc thực hiện chủ trương khuyến khích và bảo "
                              "vệ cán bộ năng động, sáng tạo vì lợi ích chung năm 2026"]
    # The same figures as /thongke over the duty's period.
    found = occurrence(DUTY, 2026, date(2026, 11, 30), app.services.calendar)  # type: ignore[arg-type]
    stats = await app.services.statistics.statistics(  # type: ignore[union-attr]
        ["du-pho-chau"], found.period, date(2026, 11, 30))
    f = stats.figure
    assert (f("filed"), f("rejected"), f("under_consideration")) == (2, 1, 1)
    assert any(p.startswith(f"Kế hoạch đã tiếp nhận: {f('filed')}, trong đó văn phòng đã vào "
                            f"sổ {f('registered')}; cho chủ trương: {f('approved')}")
               and f"không cho chủ trương: {f('rejected')};" in p for p in paragraphs)
    assert "Số liệu của Đảng ủy xã Phổ Châu và các tổ chức trực thuộc." in paragraphs
    assert "III. ĐÁNH GIÁ CHUNG" in paragraphs
    assert len(tables[1]) == 3  # the header and the two plans of Phổ Châu
    assert not any("Thư viện số" in row for row in tables[1])  # another commune's plan


async def test_no_button_for_a_cadre_and_a_forged_or_stale_one_is_refused(
        app: App, codes: dict[str, str], lan: Chat, clock: SettableClock) -> None:
    clock.current = datetime(2026, 11, 30, 9, tzinfo=VIETNAM)
    shown = await reminder(app, LAN)
    assert [b.action for b in shown.all_buttons()] == ["h:l"]
    await lan.action(f"bc:y:{DUTY.id}:2026:du-pho-chau")
    assert lan.text == ("Chức năng dự thảo báo cáo chỉ dành cho văn phòng, người đứng đầu và "
                        "ủy viên cấp ủy; đồng chí chưa được giao vai trò nào tại cấp ủy.")
    assert not lan.replies[0].files
    nam = await linked(app, codes, NAM)
    await nam.action("bc:y:khong-co:2026")
    assert "không còn trong danh sách" in nam.text
    await nam.action(f"bc:y:{DUTY.id}:2024")  # the duty began on 1/7/2025
    assert "không phải báo cáo vào năm 2024" in nam.text and not nam.replies[0].files
    await nam.action("bc:y")
    assert nam.text.startswith("Nút này không còn hiệu lực.")
