"""Configuration of a running bot: environment variables, or a ``.env`` file beside it.

Every name starts with ``CADREBOT_``. A bad value stops start-up with one line that
names the variable and says what it should be; nothing is half-configured.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CADREBOT_"
TELEGRAM_API = "https://api.telegram.org"
ZALO_API = "https://bot-api.zaloplatforms.com"  # was https://bot-api.zapps.me: configurable
CHANNELS = ("telegram", "zalo")
# Telegram's rule for the webhook secret header: 1-256 of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ZALO_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


class ConfigError(Exception):
    """One line for the person starting the bot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    database_url: str | None = None  # SQLite in ./data when unset (storage.db)
    redis_url: str | None = None
    redis_prefix: str = Field(default="cadrebot", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    webhook_url: str | None = None  # public https URL Telegram posts to; unset = polling
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"  # behind a reverse proxy; 0.0.0.0 to listen everywhere
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    send_rate: float = Field(default=30.0, gt=0, le=1000)  # messages a second, overall
    max_file_mb: int = Field(default=20, ge=1, le=2000)  # the Bot API downloads ≤ 20 MB
    # Zalo (the Zalo Bot Platform): its own token, API base, webhook and sending rate. Its
    # webhook is served by the same server as Telegram's (host and port), on its own path.
    zalo_token: SecretStr | None = None
    zalo_api_base: str = ZALO_API
    zalo_webhook_url: str | None = None  # public https URL Zalo posts to; unset = polling
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_path: str = "/zalo"
    zalo_send_rate: float = Field(default=10.0, gt=0, le=1000)  # messages a second, overall

    @field_validator("telegram_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{10,}", value.get_secret_value().strip()):
            raise ValueError("not a bot token: it looks like 123456789:AAE... (from @BotFather)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None if value is None else value.strip() or None
        if not re.match(r"^https?://[^/\s]+", value.strip()):
            raise ValueError("must be an http:// or https:// address")
        return value.strip().rstrip("/")

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or " " in value:
            raise ValueError("must start with / (e.g. /telegram)")
        return value

    @field_validator("zalo_token")
    @classmethod
    def _zalo_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not re.fullmatch(r"\d+:\S{10,}", value.get_secret_value().strip()):
            raise ValueError("not a Zalo bot token: it looks like 1234567890:AbCd... (sent "
                             "by Zalo Bot Manager when the bot was created)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("zalo_api_base", "zalo_webhook_url")
    @classmethod
    def _zalo_url(cls, value: str | None) -> str | None:
        return cls._url(value)

    @field_validator("zalo_webhook_path")
    @classmethod
    def _zalo_path(cls, value: str) -> str:
        if not value.startswith("/") or " " in value:
            raise ValueError("must start with / (e.g. /zalo)")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Zalo's rule: 8 to 256 characters.
        if value is not None and not ZALO_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("8-256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a time zone name (e.g. Asia/Ho_Chi_Minh)") from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("1-256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(f"{ENV_PREFIX}WEBHOOK_URL is set: set {ENV_PREFIX}WEBHOOK_SECRET "
                             "too, so that only Telegram can post updates")
        if self.zalo_webhook_url and self.zalo_webhook_secret is None:
            raise ValueError(f"{ENV_PREFIX}ZALO_WEBHOOK_URL is set: set {ENV_PREFIX}ZALO_"
                             "WEBHOOK_SECRET too, so that only Zalo can post updates")
        if self.zalo_webhook_path == self.webhook_path:
            raise ValueError(f"{ENV_PREFIX}ZALO_WEBHOOK_PATH and {ENV_PREFIX}WEBHOOK_PATH "
                             "must differ: both webhooks are served by one server")
        return self

    @property
    def token(self) -> str | None:
        return self.telegram_token.get_secret_value() if self.telegram_token else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zalo_bot_token(self) -> str | None:
        return self.zalo_token.get_secret_value() if self.zalo_token else None

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels a token is configured for (what ``cadrebot run`` serves by default)."""
        return tuple(channel for channel, token in zip(
            CHANNELS, (self.token, self.zalo_bot_token), strict=True) if token)


def load_settings(env_file: Path | str | None = ".env") -> Settings:
    """The settings, or ``ConfigError`` with one line naming the first bad variable."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        if not field:
            raise ConfigError(message) from None
        shown = "" if "token" in field or "secret" in field else f"={error.get('input')!r}"
        raise ConfigError(f"{ENV_PREFIX}{field.upper()}{shown}: {message}") from None
