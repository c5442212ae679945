"""``cadrebot reminders preview``: a dossier's planned reminders with Vietnamese dates."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO reminders (idempotency_key, kind, dossier_id, person_id, due_at,"
            " payload, status, attempts) VALUES (?, ?, 5, NULL, ?, ?, ?, 0)", [
                ("answer_due:5:2026-11-26:w1:nobody", "answer_soon", "2026-11-25 01:00:00",
                 '{"working_days_left": "1"}', "unresolved"),
                ("answer_due:5:2026-11-26:nobody", "answer_due", "2026-11-26 01:00:00",
                 '{"working_days_left": "0"}', "unresolved"),
                ("answer_due:5:2026-11-20:nobody", "answer_due", "2026-11-20 01:00:00",
                 "{}", "cancelled")])
    return path


def test_preview_lists_the_planned_reminders_in_order_with_vietnamese_dates(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reminders", "preview", "--dossier", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Nhắc việc của hồ sơ 5:"
    assert "thứ tư, 25/11/2026 08:00" in lines[1].lower()
    assert "sắp đến hạn trả lời" in lines[1] and "còn 1 ngày làm việc" in lines[1]
    assert "26/11/2026 08:00" in lines[2] and len(lines) == 3


def test_preview_all_and_json_include_what_was_cancelled(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reminders", "preview", "--dossier", "5", "--all", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["cancelled", "unresolved", "unresolved"]
    assert rows[1]["due_at"] == "2026-11-25T08:00:00+07:00"


def test_a_dossier_without_reminders_says_so_and_exits_1(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "preview", "--dossier", "9", "--lang", "en"]) == 1
    assert "No reminders planned for dossier 9." in capsys.readouterr().err
