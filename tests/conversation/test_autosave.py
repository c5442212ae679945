"""Autosave: every answer of the plan wizard is kept as it is given, in a draft dossier
only its proposer sees, so that a restart, /cancel or a new plan loses nothing and
/draft continues the plan (issue 16, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from bot.wiring import build_app
from tests.conversation.harness import Chat, SettableClock, demo_app
from tests.conversation.test_filing import APPROACH, PROBLEM, RESULTS, TITLE
from tests.templates import DEMO_2022_RULES
from workflow.lifecycle import State


async def test_answers_never_saved_survive_a_restart_and_draft_resumes_at_the_step(
        tmp_path: Path) -> None:
    clock = SettableClock()
    app, codes = await demo_app(tmp_path, clock)
    try:
        lan = Chat(app)
        await lan.send(f"/start {codes['nguyen-thi-lan']}")
        await lan.send("/plan")
        await lan.send(TITLE)
        await lan.press("Chưa được quy định")
        await lan.send(PROBLEM)
        await lan.send(APPROACH)
        assert "Bước 5/9" in lan.text  # Save was never pressed
    finally:
        await app.close()
    fresh = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}",
                            settings=Settings.of(data_dir=tmp_path, **DEMO_2022_RULES),
                            clock=clock)
    try:
        again = Chat(fresh, account=lan.account)
        await again.send("/start")  # what the console sends when it starts again
        await again.send("/draft")
        assert "Tiếp tục kế hoạch số 1" in again.text and TITLE in again.text
        assert "Bước 5/9" in again.text  # the step the person was on
        [draft] = await fresh.services.directory.dossiers_of("nguyen-thi-lan")
        assert draft.state is State.DRAFT
        assert (draft.plan.title, draft.plan.problem, draft.plan.approach) == (
            TITLE, PROBLEM, APPROACH)
        await again.send(RESULTS)
        assert "Bước 6/9" in again.text
        [draft] = await fresh.services.directory.dossiers_of("nguyen-thi-lan")
        assert draft.plan.expected_results == RESULTS
    finally:
        await fresh.close()


async def test_leaving_by_the_menu_or_another_command_keeps_the_answers(
        lan: Chat, app: object) -> None:
    await lan.send("/plan")
    await lan.send(TITLE)
    await lan.press("Chưa được quy định")
    await lan.send(PROBLEM)
    await lan.send("/menu")
    await lan.press("Lập kế hoạch mới")  # a new wizard: the router drops the old one
    assert "Bước 1/9" in lan.text
    await lan.send("/draft")
    assert "Tiếp tục kế hoạch số 1" in lan.text and "Bước 4/9" in lan.text
    await lan.press("Hủy")
    assert "bản nháp số 1" in lan.text and "không được lưu" not in lan.text


async def test_a_draft_is_seen_by_its_proposer_only(lan: Chat, app: object,
                                                    codes: dict[str, str]) -> None:
    await lan.send("/plan")
    await lan.send(TITLE)
    office = Chat(lan.app)  # the office of the Đảng ủy xã Phổ Châu
    await office.send(f"/start {codes['ho-van-nam']}")
    await office.send("/dossiers")
    assert TITLE not in office.text
    await office.send("/tasks")
    assert TITLE not in office.text
    await office.send("/search Tuyển sinh trực tuyến")
    assert "Không tìm thấy hồ sơ nào" in office.text
    await lan.send("/dossiers")
    assert TITLE in lan.text


@pytest.fixture
def console_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CADREBOT_DATABASE_URL",
                       f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}")
    return tmp_path


def test_the_console_started_again_continues_the_plan(
        console_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = console_database / "first.txt", console_database / "second.txt"
    first.write_text("/plan\n" + TITLE + "\n1\n" + PROBLEM + "\n", encoding="utf-8")
    assert main(["console", "--as", "pham-thi-hong", "--script", str(first)]) == 0
    assert "Bước 4/9" in capsys.readouterr().out
    second.write_text("/draft\n", encoding="utf-8")
    assert main(["console", "--as", "pham-thi-hong", "--script", str(second)]) == 0
    out = capsys.readouterr().out.split("> /draft", 1)[1]
    assert "Tiếp tục kế hoạch số" in out and TITLE in out and "Bước 4/9" in out
