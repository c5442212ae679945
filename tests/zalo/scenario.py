"""The whole process over Zalo, where there are no buttons: people answer the numbered
choices with a number (once with the option's words), as they would on a phone.

The commune school route of the demo organisation, as in ``tests/telegram/scenario.py``:
Nguyễn Thị Lan links with ``LIENKET CODE`` and files a plan (a photo of the detailed
plan attached); her party cell's secretary agrees; the office of the Đảng ủy xã Phổ
Châu registers it and asks for the appraisal; Lê Thị Hoa finds it feasible; five members
vote by number (Hoa changes her vote, one member types "tán thành"); the decision and
the written answer reach Lan. ``people`` says who is on which app, so that the same
story runs with some of them on Telegram.
"""

from __future__ import annotations

from typing import Protocol

from tests.telegram.people import Person
from tests.telegram.scenario import (
    APPROACH,
    HOA,
    LAN,
    NAM,
    PROBLEM,
    RESULTS,
    RISKS,
    THOA,
    TITLE,
    VOTERS,
    stored,
)
from tests.zalo.conftest import Running
from tests.zalo.people import ZaloPerson
from workflow.lifecycle import State

PHOTO = b"\xff\xd8\xff\xe0" + b"ke hoach chi tiet" * 300


class Someone(Protocol):
    @property
    def text(self) -> str: ...

    async def say(self, text: str) -> str: ...

    async def expect(self, *parts: str, timeout: float = 20.0) -> str: ...


async def choose(person: Someone, label: str) -> str:
    """A number on Zalo, a button on Telegram."""
    if isinstance(person, ZaloPerson):
        return await person.choose(label)
    assert isinstance(person, Person)
    return await person.press(label)


async def lan_files_a_plan_on_zalo(lan: ZaloPerson) -> None:
    await lan.choose("Lập kế hoạch mới")
    assert "Bước 1/9" in lan.text
    await lan.say(TITLE)
    await lan.choose("Chưa được quy định")
    for text in (PROBLEM, APPROACH, RESULTS, RISKS):
        await lan.say(text)
    assert "Bước 7/9" in lan.text
    await lan.choose("Bỏ qua")  # no co-proposers
    assert "Bước 8/9" in lan.text
    await lan.send_photo(PHOTO)
    assert "Đã đính kèm: photo-" in lan.text
    await lan.choose("Tiếp tục")
    assert "Bước 9/9" in lan.text
    await lan.choose("Tôi xin cam kết")
    assert "Chi bộ Trường Mầm non Phổ Châu" in lan.text
    await lan.choose("Gửi kế hoạch")
    assert "đã được gửi" in lan.text and "không được triển khai" in lan.text


async def the_whole_process(run: Running, people: dict[str, Someone]) -> int:
    """Play the scenario with ``people`` (linked already); the dossier's id."""
    lan, thoa, nam, hoa = people[LAN], people[THOA], people[NAM], people[HOA]
    assert isinstance(lan, ZaloPerson)
    await lan_files_a_plan_on_zalo(lan)
    [dossier] = await run.service.app.services.directory.dossiers_of(LAN)
    assert dossier.state is State.AT_CELL
    number = dossier.id
    assert dossier.plan.attachments and dossier.plan.attachments[0].startswith("photo-")

    # The party cell.
    await thoa.expect(f"số {number}", "chi bộ")
    await choose(thoa, "Đồng ý")
    await lan.expect("Chi bộ đã đồng ý")
    # The office registers it.
    await nam.expect(f"số {number}")
    await choose(nam, "Vào sổ")
    registered = await stored(run, number)  # type: ignore[arg-type]
    assert registered.state is State.REGISTERED and registered.due_on is not None
    await lan.expect(str(registered.registration_number))
    await choose(nam, "Giao thẩm định")
    await choose(nam, "Tất cả")
    await choose(nam, "10 ngày làm việc")
    # The appraisal.
    await hoa.expect(f"số {number}")
    await choose(hoa, "Thẩm định: khả thi")
    await hoa.say("Khả thi; tác động tích cực đến chất lượng chăm sóc trẻ.")
    assert (await stored(run, number)).state is State.APPRAISED  # type: ignore[arg-type]
    # The vote.
    await nam.expect("khả thi")
    await choose(nam, "Mở biểu quyết")
    await choose(nam, "3 ngày làm việc")
    assert (await stored(run, number)).state is State.BALLOT_OPEN  # type: ignore[arg-type]
    for voter in VOTERS:
        await people[voter].expect("Đề nghị đồng chí biểu quyết")
    # Hoa changes her mind; one member types the option's words; the others answer
    # with its number, which makes the outcome certain.
    await choose(hoa, "Không tán thành")
    await choose(hoa, "Tán thành")
    second = people[VOTERS[1]]
    if isinstance(second, ZaloPerson):
        await second.say("tan thanh")
        assert "Không tán thành" not in second.text.split("\n")[0]
    else:
        await choose(second, "Tán thành")
    for voter in VOTERS[2:]:
        await choose(people[voter], "Tán thành")
    if (await stored(run, number)).state is State.BALLOT_OPEN:  # type: ignore[arg-type]
        # The committee's meeting: the office ends the vote, and it is counted then.
        await nam.say("/viec")
        await choose(nam, f"{number}.")
        await choose(nam, "Kết thúc biểu quyết")
    decided = await stored(run, number)  # type: ignore[arg-type]
    assert decided.state is State.APPROVED, decided.state
    await lan.expect("Kết quả xem xét", "được cho chủ trương")
    # The written answer: the office opens its tasks and the dossier.
    await nam.say("/viec")
    await choose(nam, f"{number}.")
    await choose(nam, "Ghi nhận văn bản trả lời")
    assert "Dự thảo công văn trả lời" in nam.text
    await choose(nam, "Ghi số, ngày và người ký")
    await nam.say("15")
    await choose(nam, "Nguyễn Văn Tâm")
    assert (await stored(run, number)).state is State.ANSWERED  # type: ignore[arg-type]
    # The proposer reads the answer; a file cannot come over this app, so it says where.
    await lan.expect("15-CV/ĐU", "được cho chủ trương")
    await lan.expect("Kính gửi: đồng chí Nguyễn Thị Lan")
    await lan.expect("cong-van-tra-loi-15-CV-DU", "không nhận được tệp")
    return number
