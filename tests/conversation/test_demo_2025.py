"""The default demo (today's communes and wards, two-level-2025) played through the chat.

The app is built as ``cadrebot console`` builds it with nothing configured: today's place
(quang-ngai/xa-phuong), so the demo it loads into an empty database is the two-level one
and the pack in force is two-level-2025. The kindergarten head of xã Tân Phước files a
plan through the wizard; her cell agrees; the commune's office registers it, has it
appraised and opens the vote; the commune committee approves; the office answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console import ensure_demo
from bot.settings import Settings
from bot.wiring import App, build_app
from storage.db import session_factory
from storage.invitations import issue_invitations
from storage.models import Organisation
from tests.conversation.committee_people import close_vote, docx_text, meeting_open, sign_paper
from tests.conversation.harness import Chat, SettableClock
from tests.conversation.test_dossiers import stored
from tests.conversation.test_filing import answer_sections
from tests.templates import DEMO_2022_RULES, empty_database
from workflow.lifecycle import State

ORGANISATION = "quang-ngai-xa-phuong-demo"
HONG, MAI, ANH = "pham-thi-hong", "nguyen-thi-tuyet-mai", "bui-thi-ngoc-anh"
APPRAISERS = {"pham-thi-hang", "doan-thi-kim-lien"}  # Ban Xây dựng Đảng, on the board
MEMBERS = ("tran-van-minh", "nguyen-thi-hong-van", "le-van-quang", "pham-thi-hang",
           "vo-minh-tuan", "dang-thi-thu", "huynh-van-loi", "nguyen-van-binh",
           "truong-van-duc")  # Đảng ủy xã Tân Phước: nine counted
TITLE = "Tuyển sinh trực tuyến tại Trường Mầm non Tân Phước"


async def _app(folder: Path, clock: SettableClock | None = None, **settings: object) -> App:
    """An app on a new, migrated SQLite database, as the console builds it."""
    await empty_database(folder / "chat.sqlite3")
    return await build_app(f"sqlite+aiosqlite:///{folder / 'chat.sqlite3'}",
                           settings=Settings.of(data_dir=folder, **settings),
                           clock=clock or SettableClock())


async def _organisation(app: App) -> str:
    async with session_factory(app.engine)() as session:
        return (await session.scalars(select(Organisation.id))).one()


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[App, dict[str, str]]]:
    app = await _app(tmp_path)
    try:
        assert await ensure_demo(app)  # nothing configured: today's structure
        async with session_factory(app.engine)() as session, session.begin():
            issued = await issue_invitations(session, ORGANISATION)
        yield app, {i.person: i.code for i in issued}
    finally:
        await app.close()


async def _linked(app: App, codes: dict[str, str], person: str) -> Chat:
    chat = Chat(app)
    await chat.send(f"/start {codes[person]}")
    return chat


async def test_an_empty_database_gets_the_demo_that_fits_the_place_and_the_rules_date(
        tmp_path: Path) -> None:
    cases = (({}, ORGANISATION),
             (DEMO_2022_RULES, "duc-pho-demo"),
             # the former town after the reform: today's structure
             ({"jurisdiction": "quang-ngai/duc-pho"}, ORGANISATION),
             # the 2022 period, but today's communes and wards: no 2022 demo
             ({"rules_date": date(2024, 3, 1)}, ORGANISATION))
    for n, (settings, expected) in enumerate(cases):
        folder = tmp_path / str(n)
        folder.mkdir()
        app = await _app(folder, **settings)
        try:
            assert await ensure_demo(app)
            assert await _organisation(app) == expected, settings
            assert not await ensure_demo(app)  # only into an empty database
        finally:
            await app.close()
    # A training clock in the 2022 period plays the town too; a pack named explicitly wins.
    folder = tmp_path / "training"
    folder.mkdir()
    app = await _app(folder, SettableClock(SettableClock().current.replace(year=2024)),
                     jurisdiction="quang-ngai/duc-pho")
    try:
        assert await ensure_demo(app) and await _organisation(app) == "duc-pho-demo"
    finally:
        await app.close()
    folder = tmp_path / "explicit"
    folder.mkdir()
    app = await _app(folder)
    try:
        assert await ensure_demo(app, "duc-pho-2022")
        assert await _organisation(app) == "duc-pho-demo"
    finally:
        await app.close()


async def test_the_kindergarten_head_files_to_her_own_commune_under_two_level_rules(
        demo: tuple[App, dict[str, str]]) -> None:
    app, codes = demo
    hong = await _linked(app, codes, HONG)
    assert "Phạm Thị Hồng" in hong.text
    await hong.send("/plan")
    assert "Bước 1/9" in hong.text
    await hong.send(TITLE)
    await hong.press("Chưa được quy định")
    await answer_sections(hong)
    assert "Bước 7/9" in hong.text
    await hong.press("Bỏ qua: tôi đề xuất một mình")
    await hong.press("Bỏ qua: không có tài liệu")
    await hong.press("Tôi xin cam kết")
    summary = hong.text
    assert TITLE in summary
    # The route, with the commune's own bodies: her cell, then the commune committee
    # through its office; nothing of the former town, nothing of the neighbouring ward.
    assert "Chi bộ Trường Mầm non Tân Phước" in summary
    assert "Văn phòng Đảng ủy xã Tân Phước" in summary and "Đảng ủy xã Tân Phước" in summary
    assert "30 ngày làm việc" in summary
    for elsewhere in ("Ban Thường vụ Thị ủy", "xã Phổ Châu", "Hòa An"):
        assert elsewhere not in summary
    await hong.press("Gửi kế hoạch")
    assert "đã được gửi" in hong.text and "Chi bộ Trường Mầm non Tân Phước" in hong.text
    [dossier] = await app.services.directory.dossiers_of(HONG)
    assert dossier.state is State.AT_CELL
    assert dossier.pack_id == "two-level-2025"
    assert dossier.unit_kind == "commune_school"
    assert dossier.bodies["party_cell"] == "cb-mn-tan-phuoc"
    assert dossier.bodies["commune_party_committee"] == "du-tan-phuoc"
    assert dossier.bodies["commune_party_office"] == "vp-du-tan-phuoc"
    assert dossier.bodies["provincial_standing_board"] == "btv-tinh-uy-quang-ngai"

    # The README's walkthrough: the cell secretary agrees, the office registers and has
    # it appraised, the committee votes, the office records the written answer.
    mai = await _linked(app, codes, MAI)
    await mai.notifications()
    assert f"số {dossier.id}" in mai.text
    await mai.press("Đồng ý")
    assert (await stored(app, dossier.id)).state is State.SUBMITTED
    anh = await _linked(app, codes, ANH)
    await anh.notifications()
    assert "Văn phòng Đảng ủy xã Tân Phước" in anh.text
    await anh.press("Vào sổ")
    assert (await stored(app, dossier.id)).state is State.REGISTERED
    await anh.press("Giao thẩm định")
    await anh.press("Tất cả")
    await anh.press("10 ngày làm việc")
    assert set((await stored(app, dossier.id)).appraisers) == APPRAISERS
    lien = await _linked(app, codes, "doan-thi-kim-lien")
    await lien.notifications()
    await lien.press("Thẩm định: khả thi")
    await lien.send("Khả thi; giảm số lần phụ huynh phải đến trường.")
    assert (await stored(app, dossier.id)).state is State.APPRAISED
    await anh.notifications()
    await anh.press("Mở biểu quyết")
    await anh.press("3 ngày làm việc")
    ballot = (await stored(app, dossier.id)).ballot_ids[-1]
    for member in MEMBERS[:5]:  # five of nine: more than half
        chat = await _linked(app, codes, member)
        await chat.action(f"k:vt:{dossier.id}:{ballot}:a")
    if await meeting_open(app, ballot):  # the committee's meeting ends when it is closed
        await close_vote(anh, dossier.id)
    assert (await stored(app, dossier.id)).state is State.APPROVED
    await anh.notifications()
    await anh.action(f"k:v:{dossier.id}")
    await anh.press("Ghi nhận văn bản trả lời")
    draft = docx_text(anh)
    assert "ĐẢNG ỦY XÃ TÂN PHƯỚC" in draft and "ĐẢNG BỘ TỈNH QUẢNG NGÃI" in draft
    assert "Phạm Thị Hồng" in draft and "Tân Phước, ngày" in draft
    await sign_paper(anh, "7", "Trần Văn Minh")
    assert (await stored(app, dossier.id)).state is State.ANSWERED
    await hong.notifications()
    assert "7-CV/ĐU" in hong.text and "Kính gửi: đồng chí Phạm Thị Hồng" in hong.text
