"""``cadrebot console``: a terminal chat on the real handlers and storage."""

from __future__ import annotations

import asyncio
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
    assert main(["console", "--as", "pham-thi-hong", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Chào đồng chí Phạm Thị Hồng." in out
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

    assert main(["org", "demo", "--pack", "duc-pho-2022"]) == 0

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


async def _until_prompt(stdout: asyncio.StreamReader) -> str:
    """What the console printed up to its next "> " prompt."""
    seen = b""
    while not seen.endswith(b"> "):
        chunk = await asyncio.wait_for(stdout.read(1), timeout=120)
        assert chunk, f"the console ended early:\n{seen.decode()}"
        seen += chunk
    return seen.decode()


async def test_the_console_honours_the_settings_calendar_and_data_dir(tmp_path: Path) -> None:
    """The office registers a plan in ``cadrebot console`` on a calendar with an office's
    own day off (the first working day after today): the deadline the dossier gets moves by
    that day. The data directory comes from the settings too."""
    import os
    import re
    import sys
    from datetime import datetime, timedelta

    from bot.console import ensure_demo
    from bot.wiring import build_app
    from tests.conversation.test_dossiers import file, stored
    from workflow.calendar import WorkingCalendar, bundled_overrides, parse_overrides
    from workflow.lifecycle import State
    from workflow.quiet_hours import VIETNAM

    data = tmp_path / "office-data"
    today = datetime.now(VIETNAM).date()
    bundled = WorkingCalendar(bundled_overrides())
    day_off = bundled.add_working_days(today + timedelta(days=1), 1)
    overrides = tmp_path / "days.yaml"
    overrides.write_text(f"days_off:\n  - date: {day_off.isoformat()}\n    reason: thử\n",
                         encoding="utf-8")
    expected = WorkingCalendar([bundled_overrides(), parse_overrides(overrides.read_text())]
                               ).add_working_days(today, 30)
    assert expected != bundled.add_working_days(today, 30)

    app = await build_app(f"sqlite+aiosqlite:///{data / 'cadrebot.sqlite3'}")
    try:
        await ensure_demo(app, "duc-pho-2022")
        dossier = await file(app, State.SUBMITTED)
    finally:
        await app.close()

    env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
    env.update(CADREBOT_I18N_STRICT="1", CADREBOT_DATA_DIR=str(data),
               CADREBOT_CALENDAR_OVERRIDES=str(overrides))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "console", "--as", "ho-van-nam", cwd=tmp_path,
        env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        shown = await _until_prompt(process.stdout)
        [number] = re.findall(r"\[(\d+)\] Vào sổ tiếp nhận", shown)
        process.stdin.write(f"{number}\n".encode())
        await process.stdin.drain()
        await _until_prompt(process.stdout)
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    app = await build_app(f"sqlite+aiosqlite:///{data / 'cadrebot.sqlite3'}")
    try:
        registered = await stored(app, dossier.id)
    finally:
        await app.close()
    assert registered.state is State.REGISTERED
    assert registered.due_on == expected


def test_a_guest_is_answered_in_the_configured_language(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CADREBOT_LANGUAGE", "en")
    script = tmp_path / "chat.txt"
    script.write_text("/help\n", encoding="utf-8")
    assert main(["console", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Welcome to cadrebot" in out and "Chào mừng" not in out
