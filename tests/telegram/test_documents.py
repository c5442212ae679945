"""End to end on Telegram: documents received with a plan are kept with their file ids and
checksums and sent on (``sendDocument``, the same file id) to those who read the dossier;
a file over the size limit is refused in Vietnamese and nothing of it is kept."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery import DeliveryError
from bot.fakes.telegram import FakeTelegram
from bot.telegram.aiogram_adapter import AiogramOps, make_bot
from bot.telegram.ptb_adapter import PtbOps
from storage.db import session_factory
from storage.dossier_models import AttachmentRow
from tests.telegram.conftest import Running, Start
from tests.telegram.people import Person
from tests.telegram.scenario import LAN, PDF, PROBLEM, THOA, TITLE, lan_files_a_plan, no_harm_done

FRAMEWORKS = ["aiogram", "ptb"]
PHOTO_REFUSED = "Bad Request: can't use file of type Photo as Document"


async def linked(run: Running, person: str, user_id: int) -> Person:
    chat = Person(run.fake, user_id, person, core=run.service.core)
    await chat.say(f"/start {run.codes[person]}")
    assert "liên kết" in chat.text, chat.text
    return chat


async def stored_files(run: Running) -> list[AttachmentRow]:
    async with session_factory(run.service.app.engine)() as session:
        return list((await session.execute(select(AttachmentRow))).scalars())


def documents_sent_to(fake: FakeTelegram, user_id: int) -> list[dict[str, Any]]:
    return [call.params for call in fake.calls_to("sendDocument")
            if str(call.params.get("chat_id")) == str(user_id) and call.status == 200]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_cell_secretary_receives_the_plans_pdf_by_its_file_id(
        start_bot: Start, framework: str) -> None:
    run = await start_bot(framework)
    lan, thoa = await linked(run, LAN, 101), await linked(run, THOA, 102)
    await lan_files_a_plan(lan)
    [received] = [call.params["file_id"] for call in run.fake.calls_to("getFile")]
    assert run.fake.file_content(received) == PDF
    [dossier] = await run.service.app.services.directory.dossiers_of(LAN)
    [kept] = dossier.plan.files
    assert (kept.channel, kept.file_id, kept.size) == ("telegram", received, len(PDF))
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    [row] = await stored_files(run)
    assert (row.dossier_id, row.file_id, row.sha256) == (dossier.id, received, kept.sha256)

    await thoa.expect(f"số {dossier.id}", "chi bộ")
    await thoa.press("Xem hồ sơ")
    assert TITLE in thoa.text
    await thoa.press("Tài liệu kèm theo (1)")
    assert "ke-hoach-chi-tiet.pdf" in thoa.text and "kèm theo kế hoạch" in thoa.text
    [sent] = documents_sent_to(run.fake, 102)
    assert sent["document"] == received
    assert sent.get("caption") == "ke-hoach-chi-tiet.pdf"
    # The document arrived after the text, in Thoa's chat.
    last = thoa.messages()[-1]
    assert last["document"]["file_id"] == received
    no_harm_done(run.fake)


async def test_a_file_over_the_limit_is_refused_in_vietnamese_and_nothing_is_kept(
        start_bot: Start) -> None:
    run = await start_bot("aiogram", max_file_mb=1)
    lan = await linked(run, LAN, 101)
    await lan.press("Lập kế hoạch mới")
    await lan.say(TITLE)
    await lan.press("Chưa được quy định")
    for text in (PROBLEM, *[PROBLEM.replace("Phụ huynh", w) for w in ("Cha mẹ", "Gia đình",
                                                                       "Người dân")]):
        await lan.say(text)
    await lan.press("Bỏ qua")  # no co-proposers
    assert "Bước 8/9" in lan.text
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    said = await lan.send_file("ban-ve-lon.pdf", big)
    assert "Tệp “ban-ve-lon.pdf” quá lớn (1,0 MB; tối đa 1 MB)" in said
    assert "Đã đính kèm" not in said
    assert run.fake.calls_to("getFile") == []  # refused on its announced size, not fetched
    await lan.press("Lưu")
    [draft] = await run.service.app.services.directory.dossiers_of(LAN)
    assert draft.plan.files == () and draft.plan.attachments == ()
    assert await stored_files(run) == []
    no_harm_done(run.fake)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_photo_refused_as_a_document_is_sent_as_a_photo(
        fake: FakeTelegram, framework: str) -> None:
    fake.known_chat(101)
    photo = fake.user_sends_photo(101, b"\xff\xd8 a photo")["message"]["photo"][-1]["file_id"]
    if framework == "aiogram":
        bot = make_bot(fake.token, fake.base)
        ops: AiogramOps | PtbOps = AiogramOps(bot)
    else:
        import telegram

        ptb = telegram.Bot(fake.token, base_url=f"{fake.base}/bot",
                           base_file_url=f"{fake.base}/file/bot")
        await ptb.initialize()
        ops = PtbOps(ptb)
    try:
        fake.fail_next("sendDocument", 400, description=PHOTO_REFUSED)
        await ops.send_file("101", photo, "photo-1.jpg")
        [sent] = [c.params for c in fake.calls_to("sendPhoto")]
        assert sent["photo"] == photo and sent["caption"] == "photo-1.jpg"
        fake.fail_next("sendDocument", 400, description="Bad Request: wrong file identifier")
        with pytest.raises(DeliveryError):
            await ops.send_file("101", "no-such-file", "x.pdf")
    finally:
        if framework == "aiogram":
            await bot.session.close()
        else:
            await ptb.shutdown()
