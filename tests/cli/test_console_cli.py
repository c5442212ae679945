"""``cadrebot console``: a terminal chat on the real handlers and storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}")
    return tmp_path


def test_a_script_plays_as_a_demo_cadre_with_buttons_as_numbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "chat.txt"
    # /language offers the languages as buttons: "2" presses the second (English).
    script.write_text("/language\n2\n/help\n", encoding="utf-8")
    assert main(["console", "--as", "nguyen-thi-lan", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Chào đồng chí Nguyễn Thị Lan." in out
    assert "[1] Lập kế hoạch mới" in out
    assert "I will answer in English from now on." in out
    assert "/plan: prepare a new plan" in out


def test_a_guest_and_a_wrong_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("/menu\n", encoding="utf-8")
    assert main(["console", "--as", "ZZZZ-ZZZZ", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Mã mời không hợp lệ" in out and "Liên kết tài khoản" in out


def test_a_missing_script_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console", "--script", "/nonexistent/chat.txt"]) == 2
    assert "no such script" in capsys.readouterr().err


def test_switching_people_shows_each_their_notifications_with_buttons(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The committee's side in the console: a plan waits at the cell; the secretary sees
    it after her first reply and agrees by number; then the office sees it arrive."""
    import asyncio

    from bot.wiring import build_app
    from tests.conversation.test_dossiers import file
    from workflow.lifecycle import State

    assert main(["org", "demo"]) == 0

    async def at_cell() -> None:
        app = await build_app(f"sqlite+aiosqlite:///{database / 'c.sqlite3'}")
        try:
            await file(app, State.AT_CELL)
        finally:
            await app.close()

    asyncio.run(at_cell())
    capsys.readouterr()
    script = database / "cell.txt"
    script.write_text("9\n", encoding="utf-8")  # the menu has 8 buttons; 9: agree
    assert main(["console", "--as", "tran-thi-kim-thoa", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "[9] Đồng ý, đề nghị lên cấp trên" in out
    assert "Đã ghi nhận ý kiến đồng ý của chi bộ" in out
    script.write_text("/menu\n", encoding="utf-8")
    assert main(["console", "--as", "ho-van-nam", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "đã được gửi đến Văn phòng Đảng ủy xã Phổ Châu" in out and "Vào sổ tiếp nhận" in out
