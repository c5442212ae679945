"""``cadrebot reminders preview`` names the duty each "report still owed" reminder is about
(issue 16, item 5): two duties of one dossier never read alike."""

from __future__ import annotations

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
            " payload, status, attempts) VALUES (?, 'obligation_due', 5, NULL, ?, ?,"
            " 'unresolved', 0)", [
                ("obligation_due:1:1", "2026-11-25 01:00:00",
                 '{"obligation_id": "1", "obligation": "report_incident_to_superior"}'),
                ("obligation_due:2:1", "2026-11-25 01:00:00",
                 '{"obligation_id": "2", "obligation": "report_to_regulation_issuer"}')])
    return path


def test_each_duty_reminder_names_its_duty(database: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reminders", "preview", "--dossier", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) == 2 and lines[0] != lines[1]
    assert "rủi ro, sai sót" in lines[0] and "nơi ban hành quy định" in lines[1]
    assert main(["reminders", "preview", "--dossier", "5", "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert "report the risk or error upward" in english
    assert "report_incident" not in english
