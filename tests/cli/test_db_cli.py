"""``cadrebot db upgrade`` and how every command opens the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from storage.migrate import head_revision


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'cadrebot.sqlite3'}"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", url)
    return url


def test_upgrade_creates_then_reports_up_to_date(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--lang", "en"]) == 0
    assert f"created: revision {head_revision()}." in capsys.readouterr().out
    assert main(["db", "upgrade", "--lang", "en"]) == 0
    assert f"is up to date: revision {head_revision()}." in capsys.readouterr().out
    assert main(["db", "upgrade", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"database": sqlite_url, "from": head_revision(),
                    "revision": head_revision(), "head": head_revision()}


def test_the_default_database_is_created_on_first_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CADREBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CADREBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["audit", "verify", "--lang", "en"]) == 0
    assert (tmp_path / "data" / "cadrebot.sqlite3").is_file()
    assert "Records checked: 0." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("not a url", "CADREBOT_DATABASE_URL is not a usable database URL"),
        ("nosuchdb://x/y", "CADREBOT_DATABASE_URL is not a usable database URL"),
        ("postgresql+asyncpg://cadrebot:s3cret@127.0.0.1:1/cadrebot",
         "Cannot use the database postgresql+asyncpg://cadrebot:***@127.0.0.1:1/cadrebot"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["audit", "verify"], ["org", "demo"],
                                     ["org", "invites"]])
def test_a_broken_database_url_is_one_line_and_exit_2(
        url: str, needle: str, command: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CADREBOT_DATABASE_URL", url)
    assert main([*command, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cadrebot: {needle}") and err.count("\n") == 1
    assert "s3cret" not in err


def test_a_database_written_by_a_newer_version_is_refused(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    assert main(["db", "upgrade"]) == 0
    path = sqlite_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    assert main(["audit", "verify", "--lang", "en"]) == 2
    assert "Cannot migrate the database" in capsys.readouterr().err


def test_a_database_migrated_apart_is_at_the_head_or_refused_in_one_line(
        sqlite_url: str) -> None:
    # How ``cadrebot run`` opens its database: a child process migrates it.
    import sqlite3

    from bot.cli.common import CliError
    from bot.cli.db import with_database
    from bot.settings import load_settings
    from handlers.i18n import Translator
    from storage.migrate import current_revision

    settings, t = load_settings(None), Translator("en")
    assert with_database(settings, t, current_revision, apart=True) == head_revision()
    path = sqlite_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(CliError) as refused:
        with_database(settings, t, current_revision, apart=True)
    assert str(refused.value).startswith("Cannot migrate the database")
    assert "9999" in str(refused.value) and "\n" not in str(refused.value)
