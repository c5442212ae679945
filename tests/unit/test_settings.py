"""Start-up configuration: good values load, each bad one is one clear line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import bot.settings as bot_settings
from bot.settings import ConfigError, Settings, load_settings
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


# The settings are plain Python (no settings library): the rules it applied, kept.

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("CADREBOT_WEBHOOK_PORT", "80.5", "CADREBOT_WEBHOOK_PORT='80.5': Input should be a valid "
     "integer"),
    ("CADREBOT_SEND_RATE", "0", "CADREBOT_SEND_RATE='0': Input should be greater than 0"),
    ("CADREBOT_SEND_RATE", "nan", "CADREBOT_SEND_RATE='nan': Input should be less than or "
     "equal to 1000"),
    ("CADREBOT_ZALO_SEND_RATE", "1001", "CADREBOT_ZALO_SEND_RATE='1001': Input should be less "
     "than or equal to 1000"),
    ("CADREBOT_I18N_STRICT", " on ", "CADREBOT_I18N_STRICT=' on ': Input should be a valid "
     "boolean"),
    ("CADREBOT_LANGUAGE", "EN", "CADREBOT_LANGUAGE='EN': Input should be 'vi' or 'en'"),
    ("CADREBOT_TRAINING_DATE", "0", "CADREBOT_TRAINING_DATE='0': Input should be a valid date "
     "or datetime, written YYYY-MM-DD"),
    ("CADREBOT_RULES_DATE", "2025-02-30", "CADREBOT_RULES_DATE='2025-02-30': Input should be a "
     "valid date or datetime, day is out of range for month"),
    ("CADREBOT_RULES_DATE", "2025-06-02T08:00", "CADREBOT_RULES_DATE='2025-06-02T08:00': "
     "Datetimes provided to dates should have zero time"),
    ("CADREBOT_REDIS_PREFIX", "two words", "CADREBOT_REDIS_PREFIX='two words': String should "
     "match pattern"),
    ("CADREBOT_TELL_SUPERIOR_AFTER", "31", "CADREBOT_TELL_SUPERIOR_AFTER='31': Input should be "
     "less than or equal to 30"),
    ("CADREBOT_JURISDICTION", "ha-noi", "CADREBOT_JURISDICTION='ha-noi': unknown place; known: "
     "quang-ngai, quang-ngai/duc-pho, quang-ngai/xa-phuong, state/nd73"),
    ("CADREBOT_DOCUMENT_TEMPLATES", "/nowhere", "CADREBOT_DOCUMENT_TEMPLATES='/nowhere': "
     "/nowhere is not a folder"),
    ("CADREBOT_ZALO_WEBHOOK_PATH", "zalo", "CADREBOT_ZALO_WEBHOOK_PATH='zalo': must start with /"),
    ("CADREBOT_WEBHOOK_CONNECTIONS", "101", "CADREBOT_WEBHOOK_CONNECTIONS='101': Input should be "
     "less than or equal to 100"),
    ("CADREBOT_WEBHOOK_CONNECTIONS", "0", "CADREBOT_WEBHOOK_CONNECTIONS='0': Input should be "
     "greater than or equal to 1"),
])
def test_a_wrong_type_or_range_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str,
                                                  value: str, expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert str(caught.value).startswith(expected), str(caught.value)
    assert "\n" not in str(caught.value)


def test_values_are_read_as_the_library_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WEBHOOK_PORT": " 8443 ", "MAX_FILE_MB": "1_0", "SEND_RATE": "2.5",
                        "I18N_STRICT": "YES", "RULES_DATE": "2025-06-02T00:00:00",
                        "TRAINING_DATE": "2025-06-03", "JURISDICTION": " quang-ngai/duc-pho ",
                        "TELL_SUPERIOR_AFTER": "5"}.items():
        monkeypatch.setenv(f"CADREBOT_{name}", value)
    monkeypatch.setenv("cadrebot_language", "en")  # a name in any case
    settings = load_settings(None)
    assert (settings.webhook_port, settings.max_file_mb, settings.send_rate) == (8443, 10, 2.5)
    assert settings.i18n_strict is True and settings.language == "en"
    assert (settings.rules_date, settings.training_date) == (date(2025, 6, 2), date(2025, 6, 3))
    assert settings.jurisdiction == "quang-ngai/duc-pho"
    assert settings.reminders.tell_superior_after == 5


def test_a_blank_optional_value_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "DATABASE_URL", "REMINDER_HOURS", "TRAINING_DATE",
                 "TELL_SUPERIOR_AFTER", "TELEGRAM_TOKEN", "AUDIT_KEY", "JURISDICTION"):
        monkeypatch.setenv(f"CADREBOT_{name}", "  ")
    settings = load_settings(None)
    assert settings.data_dir == Path("data") and settings.database_url is None
    assert settings.reminder_hours is None and settings.training_date is None
    assert settings.tell_superior_after is None and settings.token is None
    assert settings.audit_key is None and settings.jurisdiction == "quang-ngai/xa-phuong"


def test_the_environment_wins_over_the_env_file(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("CADREBOT_LANGUAGE", "vi")
    monkeypatch.setenv("PORT_FROM_ENV", "9001")
    (tmp_path / ".env").write_text(
        "# the office's settings\n"
        "export CADREBOT_LANGUAGE='en'\n"
        'CADREBOT_TIMEZONE="Asia/Bangkok"  # a comment\n'
        "CADREBOT_WEBHOOK_PORT=${PORT_FROM_ENV}\n"
        "CADREBOT_MAX_FILE_MB\n"  # a name without a value sets nothing
        "CADREBOT_NOT_A_SETTING=1\nOTHER=2\n", encoding="utf-8")
    settings = load_settings()
    assert settings.language == "vi" and settings.timezone == "Asia/Bangkok"
    assert settings.webhook_port == 9001 and settings.max_file_mb == 20
    assert load_settings(None).timezone == "Asia/Ho_Chi_Minh"  # no file: not read


def test_a_bad_value_in_the_env_file_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CADREBOT_WEBHOOK_PORT=eighty\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^CADREBOT_WEBHOOK_PORT='eighty': Input should be a "
                                          r"valid integer"):
        load_settings()


def test_the_first_bad_field_is_reported_then_the_rules_between_fields(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADREBOT_WEBHOOK_URL", "https://bot.example.vn/tg")  # no secret
    monkeypatch.setenv("CADREBOT_LANGUAGE", "fr")
    monkeypatch.setenv("CADREBOT_WEBHOOK_PORT", "x")
    with pytest.raises(ConfigError, match=r"^CADREBOT_WEBHOOK_PORT="):  # before LANGUAGE
        load_settings(None)
    monkeypatch.delenv("CADREBOT_WEBHOOK_PORT")
    monkeypatch.delenv("CADREBOT_LANGUAGE")
    with pytest.raises(ConfigError, match=r"^CADREBOT_WEBHOOK_URL is set: set "):
        load_settings(None)


def test_secrets_are_kept_out_of_messages_and_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "k" * 20
    monkeypatch.setenv("CADREBOT_AUDIT_KEY", key)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert str(caught.value).startswith("CADREBOT_AUDIT_KEY: at least 32 characters")
    assert key not in str(caught.value)
    settings = Settings.of(telegram_token=f" {TOKEN} ", audit_key="a" * 40)
    assert settings.token == TOKEN  # trimmed
    assert TOKEN not in repr(settings) and "a" * 40 not in repr(settings)
    assert settings.audit_key is not None and settings.audit_key.get_secret_value() == "a" * 40


def test_given_values_are_checked_like_the_environments() -> None:
    settings = Settings.of(data_dir="/srv/office", webhook_port=8081.0, rules_date="2025-06-02")
    assert settings.data_dir == Path("/srv/office") and settings.webhook_port == 8081
    assert settings.rules_date == date(2025, 6, 2)
    with pytest.raises(ConfigError, match=r"^CADREBOT_SEND_RATE='0': Input should be greater"):
        Settings.of(send_rate=0)
    with pytest.raises(TypeError, match="no setting named send_rates"):
        Settings.of(send_rates=3)  # a typo is not silently ignored


def test_the_place_is_checked_without_parsing_a_pack() -> None:
    from workflow.pack_places import bundled_places, header_place
    from workflow.rules import DEFAULT_JURISDICTION, bundled_rulebook

    assert list(bundled_places()) == bundled_rulebook().jurisdictions()
    assert bot_settings.DEFAULT_JURISDICTION == DEFAULT_JURISDICTION
    assert header_place("id: x\njurisdiction: 'a/b'  # where\n") == "a/b"
    # What a plain reading cannot be sure of is left to the loader.
    for unsure in ("jurisdiction: a#b\n", "jurisdiction: [a]\n", "id: x\n",
                   "jurisdiction: a\njurisdiction: b\n", "jurisdiction: 'a\n"):
        assert header_place(unsure) is None, unsure
