"""Start-up configuration: good values load, each bad one is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings
from handlers.command_list import command_list

TOKEN = "123456:AAE-test_token_0123456789"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CADREBOT_") and name != "CADREBOT_I18N_STRICT":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_without_configuration() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.telegram_api_base == "https://api.telegram.org"
    assert settings.webhook_url is None and settings.language == "vi"
    assert str(settings.zone) == "Asia/Ho_Chi_Minh"


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"CADREBOT_TELEGRAM_TOKEN={TOKEN}\n"
                                   "CADREBOT_TELEGRAM_API_BASE=http://127.0.0.1:8081/\n"
                                   "CADREBOT_LANGUAGE=en\n", encoding="utf-8")
    settings = load_settings()
    assert settings.token == TOKEN
    assert settings.telegram_api_base == "http://127.0.0.1:8081"
    assert settings.language == "en"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("CADREBOT_WEBHOOK_PORT", "abc", "CADREBOT_WEBHOOK_PORT='abc': "),
    ("CADREBOT_WEBHOOK_PORT", "70000", "CADREBOT_WEBHOOK_PORT='70000': "),
    ("CADREBOT_TELEGRAM_TOKEN", "not-a-token", "CADREBOT_TELEGRAM_TOKEN: not a bot token"),
    ("CADREBOT_TIMEZONE", "Mars/Olympus", "not a time zone"),
    ("CADREBOT_LANGUAGE", "fr", "CADREBOT_LANGUAGE='fr'"),
    ("CADREBOT_TELEGRAM_API_BASE", "api.telegram.org", "http:// or https://"),
    ("CADREBOT_WEBHOOK_URL", "https://bot.example.vn/tg", "set CADREBOT_WEBHOOK_SECRET"),
    ("CADREBOT_WEBHOOK_SECRET", "has spaces!", "CADREBOT_WEBHOOK_SECRET: 1-256"),
    ("CADREBOT_REMINDER_HOURS", "7-21", "CADREBOT_REMINDER_HOURS='7-21': write HH:MM-HH:MM"),
    ("CADREBOT_TELL_SUPERIOR_AFTER", "many", "CADREBOT_TELL_SUPERIOR_AFTER='many'"),
    ("CADREBOT_CALENDAR_OVERRIDES", "/nowhere/days.yaml",
     "CADREBOT_CALENDAR_OVERRIDES='/nowhere/days.yaml': cannot read"),
    ("CADREBOT_REPORTING_DUTIES", "/nowhere/duties.yaml",
     "CADREBOT_REPORTING_DUTIES='/nowhere/duties.yaml': cannot read"),
    ("CADREBOT_SEND_RATE", "fast", "CADREBOT_SEND_RATE='fast'"),
    ("CADREBOT_MAX_FILE_MB", "0", "CADREBOT_MAX_FILE_MB='0'"),
    ("CADREBOT_I18N_STRICT", "perhaps", "CADREBOT_I18N_STRICT='perhaps'"),
])
def test_bad_value_is_one_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                               expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_secrets_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADREBOT_TELEGRAM_TOKEN", "leaky-secret-value")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "leaky-secret-value" not in str(caught.value)


def test_command_menu_in_each_language_lists_only_known_commands() -> None:
    vi = dict(command_list("vi", {"kehoach", "hoso"}))
    assert vi["kehoach"] == "Lập kế hoạch mới"
    assert "hanchot" not in vi  # not installed, not listed
    assert {"menu", "trogiup", "ngonngu", "huy"} <= set(vi)
    en = dict(command_list("en", {"plan", "dossiers", "tasks"}))
    assert en["plan"] == "Prepare a new plan" and "kehoach" not in en
    for command in [*vi, *en]:
        assert command.isascii() and command.islower() and len(command) <= 32
