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
    script.write_text("# pick the language menu, then English\n5\n2\n/help\n", encoding="utf-8")
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
