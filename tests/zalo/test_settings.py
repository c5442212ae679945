"""Zalo's settings: which channels run by default, and bad values named in one line."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, Settings, load_settings

ZALO = "1234567890:AbCdEfGhIjKlMnOp"
TELEGRAM = "123456:AAE-valid-looking-token"


def test_the_channels_are_those_with_a_token() -> None:
    assert Settings.of().channels == ()
    assert Settings.of(zalo_token=ZALO).channels == ("zalo",)
    both = Settings.of(zalo_token=ZALO, telegram_token=TELEGRAM)
    assert both.channels == ("telegram", "zalo")
    assert both.zalo_api_base == "https://bot-api.zaloplatforms.com"
    assert both.zalo_bot_token == ZALO and both.zalo_send_rate == 10.0


@pytest.mark.parametrize(("env", "line"), [
    ({"CADREBOT_ZALO_TOKEN": "not-a-token"}, "CADREBOT_ZALO_TOKEN: not a Zalo bot token"),
    ({"CADREBOT_ZALO_API_BASE": "bot-api.zapps.me"},
     "CADREBOT_ZALO_API_BASE='bot-api.zapps.me': must be an http:// or https:// address"),
    ({"CADREBOT_ZALO_WEBHOOK_URL": "https://bot.example.org/zalo"},
     "CADREBOT_ZALO_WEBHOOK_URL is set: set CADREBOT_ZALO_WEBHOOK_SECRET too"),
    ({"CADREBOT_ZALO_WEBHOOK_SECRET": "short"}, "CADREBOT_ZALO_WEBHOOK_SECRET: 8-256"),
    ({"CADREBOT_ZALO_WEBHOOK_PATH": "/telegram"}, "must differ"),
    ({"CADREBOT_ZALO_SEND_RATE": "0"}, "CADREBOT_ZALO_SEND_RATE='0'"),
])
def test_a_bad_zalo_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                        line: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as error:
        load_settings(None)
    assert line in str(error.value) and "\n" not in str(error.value)
    assert "not-a-token" not in str(error.value)  # secrets are never echoed


def test_the_base_url_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADREBOT_ZALO_API_BASE", "https://bot-api.zapps.me/")
    assert load_settings(None).zalo_api_base == "https://bot-api.zapps.me"
