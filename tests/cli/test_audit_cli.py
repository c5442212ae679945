"""``cadrebot audit verify``: exit 0 with the count when intact, 1 naming the bad record."""

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
    # Three records: the demo import, then two rounds of invitations.
    assert main(["org", "demo"]) == 0
    assert main(["org", "invites", "--json"]) == 0
    assert main(["org", "invites", "--json"]) == 0
    return path


def test_an_intact_trail_says_how_many_records_it_checked(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["audit", "verify", "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == "The audit trail is intact. Records checked: 3."
    assert main(["audit", "verify"]) == 0
    assert "Số bản ghi đã kiểm tra: 3" in capsys.readouterr().out


def test_an_edited_record_is_named_and_exit_1(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE audit_records SET actor = 'someone' WHERE seq = 2")
    capsys.readouterr()
    assert main(["audit", "verify", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cadrebot: The audit trail is broken at record 2 (record 2 was "
                          "altered). Records checked before it: 1.")
    assert main(["audit", "verify", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False, "checked": 1, "first_bad_record": 2, "problem": "record 2 was altered",
        "anchored": 3}


def test_a_removed_record_is_named(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM audit_records WHERE seq = 3")
    capsys.readouterr()
    assert main(["audit", "verify", "--lang", "en"]) == 1
    assert "broken at record 3" in capsys.readouterr().err


def test_a_trail_wiped_with_its_head_is_found_by_the_anchors(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM audit_records")
        connection.execute("DELETE FROM audit_head")
    capsys.readouterr()
    assert main(["audit", "verify", "--lang", "en"]) == 1
    assert "3 were anchored" in capsys.readouterr().err


def test_the_key_never_leaves_its_file(database: Path, tmp_path: Path) -> None:
    key = (tmp_path / "data" / "audit.key")
    assert key.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(database) as connection:
        dumped = "\n".join(connection.iterdump())
    assert key.read_text().strip() not in dumped
