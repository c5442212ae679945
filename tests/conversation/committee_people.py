"""People and steps the committee conversation tests share (demo organisation).

Commune school route (through the cell): Nguyễn Thị Lan proposes; Trần Thị Kim Thoa is
the secretary of her party cell; Hồ Văn Nam is the office of the Đảng ủy xã Phổ Châu,
whose nine counted members vote; Lê Thị Hoa and Nguyễn Thị Thanh Tâm appraise for its
standing board.
"""

from __future__ import annotations

from bot.wiring import App
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import file, stored
from tests.fakes import COMPLETE_PLAN
from workflow import services as svc
from workflow.commands import CreateDraft, Submit
from workflow.lifecycle import State
from workflow.voting import BallotMode

THOA, NAM, HOA = "tran-thi-kim-thoa", "ho-van-nam", "le-thi-hoa"
NGOC = "nguyen-thi-bich-ngoc"
MEMBERS = ("nguyen-van-tam", "le-thi-hoa", "vo-van-dung", "tran-thi-be", "pham-ngoc-lam",
           "huynh-van-phuoc", "nguyen-thi-thanh-tam", "dinh-van-quy", "luong-thi-my")


async def linked(app: App, codes: dict[str, str], person: str) -> Chat:
    chat = Chat(app)
    await chat.send(f"/start {codes[person]}")
    return chat


async def to_appraised(app: App, codes: dict[str, str]) -> tuple[int, Chat, Chat]:
    """A dossier registered and appraised as feasible through the chats; the office's and
    the appraiser's (a member too) chats."""
    dossier = await file(app, State.REGISTERED)
    nam = await linked(app, codes, NAM)
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Giao thẩm định")
    await nam.press("Tất cả")
    await nam.press("10 ngày làm việc")
    hoa = await linked(app, codes, HOA)
    await hoa.notifications()
    await hoa.press("khả thi")
    await hoa.send("Khả thi, hiệu quả; kinh phí trong dự toán.")
    assert (await stored(app, dossier.id)).state is State.APPRAISED
    return dossier.id, nam, hoa


async def vote_all(app: App, codes: dict[str, str], dossier_id: int, nam: Chat, hoa: Chat,
                   choices: str, *, close: bool = True) -> dict[str, Chat]:
    """The office opens the vote; the members vote ``choices`` (a/r/p/x) in MEMBERS order;
    then (``close``) the office ends the vote, as the committee's meeting does: the party
    packs' ballots stay open until they are closed."""
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Mở biểu quyết")
    await nam.press("1 ngày làm việc")
    ballot = (await stored(app, dossier_id)).ballot_ids[-1]
    chats = {m: hoa if m == HOA else await linked(app, codes, m) for m in MEMBERS}
    assert (await stored(app, dossier_id)).state is State.BALLOT_OPEN
    for member, choice in zip(MEMBERS, choices, strict=False):
        await chats[member].action(f"k:vt:{dossier_id}:{ballot}:{choice}")
    if close and await meeting_open(app, ballot):
        await close_vote(nam, dossier_id)
    return chats


async def meeting_open(app: App, ballot_id: int) -> bool:
    """Whether the ballot is open and ends when it is closed (not when certain)."""
    async with app.services.uow() as uow:  # read only
        ballot = await uow.ballots.get(ballot_id)
    return ballot is not None and ballot.is_open and ballot.rule.ballot is BallotMode.MEETING


async def close_vote(nam: Chat, dossier_id: int) -> None:
    """The office presses "Kết thúc biểu quyết" on the dossier's desk card."""
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc biểu quyết")


async def co_proposed(app: App, co: str) -> int:
    """Lan's plan with ``co`` in her group, sent to her party cell."""
    services, directory = app.services, app.services.directory
    pack = services.rulebook.get("duc-pho-2022")
    actor = await directory.actor("nguyen-thi-lan")
    dossier = await svc.create_draft(CreateDraft(
        actor=actor, unit_kind="commune_school", plan=COMPLETE_PLAN, co_proposers=(co,),
        bodies=await directory.route_bodies("nguyen-thi-lan", pack)), services.uow(),
        services.clock, pack)
    await svc.submit(Submit(actor=actor, dossier_id=dossier.id), services.uow(), services.clock)
    return dossier.id


def docx_text(chat: Chat) -> str:
    """The text (paragraphs and table cells) of the first .docx in the last replies."""
    import io

    from docx import Document

    for reply in chat.replies:
        for made in reply.files:
            if made.name.endswith(".docx") and made.content is not None:
                doc = Document(io.BytesIO(made.content))
                parts = [p.text for p in doc.paragraphs]
                parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
                return "\n".join(parts)
    raise AssertionError(f"no .docx in the last replies: {chat.text}")


async def sign_paper(chat: Chat, number: str, signer: str = "Nguyễn Văn Tâm") -> None:
    """The open draft recorded with ``number`` (and a date, if given), signed by ``signer``."""
    await chat.press("Ghi số, ngày và người ký")
    await chat.send(number)
    await chat.press(signer)
