"""The whole process over Telegram, as the people involved live it: shared by the
aiogram and python-telegram-bot runs, with and without injected Bot API failures.

Commune school route of the demo organisation: Nguyễn Thị Lan files a plan; her party
cell's secretary agrees; the office of the Đảng ủy xã Phổ Châu registers it and asks
for the appraisal; Lê Thị Hoa finds it feasible; five members vote by pressing buttons
(Hoa changes her vote), an outsider and the proposer try to vote and are refused; the
decision and then the written answer reach Lan.
"""

from __future__ import annotations

import asyncio
import time

from bot.fakes.telegram import FakeTelegram
from tests.telegram.conftest import Running
from tests.telegram.people import Person
from workflow.dossier import Dossier
from workflow.lifecycle import State

LAN, THOA, NAM, HOA = "nguyen-thi-lan", "tran-thi-kim-thoa", "ho-van-nam", "le-thi-hoa"
VOTERS = (HOA, "vo-van-dung", "tran-thi-be", "pham-ngoc-lam", "huynh-van-phuoc")
TITLE = "Tiếp nhận hồ sơ nhập học mầm non trực tuyến qua Zalo"
PROBLEM = ("Phụ huynh phải đến trường ba lần để nộp hồ sơ nhập học; quy định hiện hành chưa "
           "có hướng dẫn tiếp nhận trực tuyến.")
APPROACH = ("Nhận ảnh chụp giấy tờ qua nhóm Zalo của trường, giáo viên đối chiếu bản gốc "
            "trong buổi học đầu tiên.")
RESULTS = "Phụ huynh chỉ đến trường một lần; dưới 5% tờ khai có sai sót; xong trong hai tuần."
RISKS = ("Phụ huynh không có điện thoại thông minh: vẫn nhận hồ sơ giấy. Lộ dữ liệu: chỉ hai "
         "cán bộ được truy cập.")
PDF = b"%PDF-1.4\n% ke hoach chi tiet\n" + b"0" * 5000


async def stored(run: Running, dossier_id: int) -> Dossier:
    async with run.service.app.services.uow() as uow:
        found = await uow.dossiers.get(dossier_id)
    assert found is not None
    return found


async def lan_files_a_plan(lan: Person) -> None:
    await lan.press("Lập kế hoạch mới")
    assert "Bước 1/9" in lan.text, lan.text
    await lan.say(TITLE)
    await lan.press("Chưa được quy định")
    for text in (PROBLEM, APPROACH, RESULTS, RISKS):
        await lan.say(text)
    assert "Bước 7/9" in lan.text, lan.text
    await lan.press("Bỏ qua")  # no co-proposers
    assert "Bước 8/9" in lan.text, lan.text
    await lan.send_file("ke-hoach-chi-tiet.pdf", PDF)
    assert "Đã đính kèm: ke-hoach-chi-tiet.pdf" in lan.text, lan.text
    await lan.press("Tiếp tục")
    assert "Bước 9/9" in lan.text, lan.text
    await lan.press("Tôi xin cam kết")
    assert "Chi bộ Trường Mầm non Phổ Châu" in lan.text, lan.text
    await lan.press("Gửi kế hoạch")
    assert "đã được gửi" in lan.text and "không được triển khai" in lan.text


async def the_whole_process(run: Running) -> int:
    """Play the scenario; the dossier's id."""
    fake, codes = run.fake, run.codes
    core = run.service.core
    people = {person: Person(fake, number, person, core=core)
              for number, person in enumerate((LAN, THOA, NAM, *VOTERS), start=101)}
    for person, chat in people.items():
        await chat.say(f"/start {codes[person]}")
        assert "liên kết" in chat.text, chat.text
    lan, thoa, nam, hoa = people[LAN], people[THOA], people[NAM], people[HOA]

    await lan_files_a_plan(lan)
    directory = run.service.app.services.directory
    [dossier] = await directory.dossiers_of(LAN)
    assert dossier.state is State.AT_CELL
    number = dossier.id
    assert dossier.plan.attachments == ("ke-hoach-chi-tiet.pdf",)

    # The party cell.
    await thoa.expect(f"số {number}", "chi bộ")
    await thoa.press("Đồng ý")
    await lan.expect("Chi bộ đã đồng ý")
    # The office registers it: 30 working days from Monday 23/11/2026.
    await nam.expect(f"số {number}")
    await nam.press("Vào sổ")
    registered = await stored(run, number)
    assert registered.state is State.REGISTERED and registered.due_on is not None
    await lan.expect(str(registered.registration_number))
    await nam.press("Giao thẩm định")
    await nam.press("Tất cả")
    await nam.press("10 ngày làm việc")  # the appraisal's own due date
    # The appraisal.
    await hoa.expect(f"số {number}")
    await hoa.press("Thẩm định: khả thi")
    await hoa.say("Khả thi; tác động tích cực đến chất lượng chăm sóc trẻ.")
    assert (await stored(run, number)).state is State.APPRAISED
    # The vote.
    await nam.expect("khả thi")
    await nam.press("Mở biểu quyết")
    await nam.press("3 ngày làm việc")
    opened = await stored(run, number)
    assert opened.state is State.BALLOT_OPEN
    ballot = opened.ballot_ids[-1]
    for voter in VOTERS:
        await people[voter].expect("Đề nghị đồng chí biểu quyết")
    # An outsider forges a vote on a message of theirs; the proposer tries too.
    outsider = Person(fake, 999, "outsider", core=core)
    await outsider.say("/start")
    assert "Chào mừng" in outsider.text, outsider.text
    await outsider.press_data(outsider.messages()[-1], f"k:vt:{number}:{ballot}:r",
                              strict=False)
    await lan.press_data(lan.messages()[-1], f"k:vt:{number}:{ballot}:r", strict=False)
    assert "không biểu quyết" in lan.text, lan.text
    assert outsider.text and (await stored(run, number)).state is State.BALLOT_OPEN
    # Hoa changes her mind; then four more approvals make the outcome certain.
    await hoa.press("Không tán thành")
    await hoa.press("Tán thành")
    for voter in VOTERS[1:]:
        await people[voter].press("Tán thành")
    if (await stored(run, number)).state is State.BALLOT_OPEN:
        # The committee's meeting: the office ends the vote, and it is counted then.
        await nam.press_data(nam.messages()[-1], f"k:v:{number}", strict=False)
        await nam.press("Kết thúc biểu quyết")
    decided = await stored(run, number)
    assert decided.state is State.APPROVED, decided.state
    await lan.expect("Kết quả xem xét", "được cho chủ trương")
    # The written answer.
    await nam.press_data(nam.messages()[-1], f"k:v:{number}", strict=False)
    await nam.press("Ghi nhận văn bản trả lời")
    # The draft arrives as a .docx the office can open and edit.
    assert "Dự thảo công văn trả lời" in nam.text, nam.text
    assert await docx_sent(nam, "du-thao-cong-van-tra-loi")
    await nam.press("Ghi số, ngày và người ký")
    await nam.say("15")
    await nam.press("Nguyễn Văn Tâm")
    assert (await stored(run, number)).state is State.ANSWERED
    # The proposer holds the answer itself: its text, and the signed file.
    await lan.expect("15-CV/ĐU", "Kính gửi")
    answer = await docx_sent(lan, "cong-van-tra-loi-15-CV-DU")
    assert b"word/document.xml" in answer
    return number


async def docx_sent(person: Person, prefix: str, timeout: float = 60.0) -> bytes:
    """The content of the newest .docx the bot uploaded to ``person`` whose name starts
    with ``prefix`` (waiting for it: the file may follow its message through the queue)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(person.messages()):
            document = message.get("document") or {}
            if str(document.get("file_name", "")).startswith(prefix):
                content = person.fake._files[document["file_id"]]["content"]
                assert isinstance(content, bytes)
                return content
        if time.monotonic() > deadline:
            raise AssertionError(f"no document {prefix}* sent to {person.user_id}")
        await asyncio.sleep(0.05)


def no_harm_done(fake: FakeTelegram) -> None:
    assert fake.breaches == [], fake.breaches
    assert fake.unanswered_callbacks() == []
