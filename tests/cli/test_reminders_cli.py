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


def test_duties_shows_each_reporting_duty_with_its_next_dates(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CADREBOT_REPORTING_DUTIES", raising=False)
    assert main(["reminders", "duties", "--on", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert out.count("trước Thứ Hai, 30/11/2026: ngày làm việc cuối cùng là Thứ Sáu, "
                     "27/11/2026; nhắc vào các ngày 12/11/2026, 25/11/2026, 27/11/2026") == 2
    assert "review-unsuited-rules: Báo cáo hằng năm" in out
    assert main(["reminders", "duties", "--on", "2026-11-01", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [d["last_day"] for d in shown] == ["2026-11-27", "2026-11-27"]


def test_duties_checks_a_file_and_names_the_line_of_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "duties.yaml"
    own.write_text("duties:\n  - id: yearly\n    what: {vi: a, en: a}\n    to: {vi: b, en: b}\n"
                   "    bodies: [town_peoples_committee]\n    before: 31/11\n", encoding="utf-8")
    assert main(["reminders", "duties", "--file", str(own)]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "duties.yaml:6: duties[0].before: '31/11' is not a date")
    assert main(["reminders", "duties", "--file", str(own) + ".missing"]) == 2
