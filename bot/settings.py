"""The one configuration of cadrebot: environment variables, or a ``.env`` file beside it.

Every name starts with ``CADREBOT_`` and is a field here. The command line loads it once
(``load_settings``) and hands it down; nothing below reads the environment. A bad value
stops start-up with one line that names the variable and says what it should be; nothing
is half-configured. Files named by a setting (calendar overrides, reporting duties) are
read and checked here too, so a broken one stops start-up the same way.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from workflow.calendar import (
    CalendarOverrides,
    OverridesError,
    WorkingCalendar,
    bundled_overrides,
    parse_overrides,
)
from workflow.quiet_hours import QuietHours
from workflow.reminder_settings import ReminderSettings
from workflow.reporting_duties import ReportingDuty, bundled_duties, parse_duties
from workflow.rules import DEFAULT_JURISDICTION, UnknownJurisdiction, bundled_rulebook

ENV_PREFIX = "CADREBOT_"
TELEGRAM_API = "https://api.telegram.org"
ZALO_API = "https://bot-api.zaloplatforms.com"  # was https://bot-api.zapps.me: configurable
CHANNELS = ("telegram", "zalo")
# Telegram's rule for the webhook secret header: 1-256 of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ZALO_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


class ConfigError(Exception):
    """One line for the person starting the bot."""


OPTIONAL = ("database_url", "data_dir", "redis_url", "webhook_url", "zalo_webhook_url",
            "calendar_overrides", "reporting_duties", "reminder_hours", "tell_superior_after",
            "training_date", "rules_date", "document_templates")
MAX_SUPERIOR_AFTER = ReminderSettings().overdue_repeats
MIN_AUDIT_KEY = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    database_url: str | None = None  # SQLite in data_dir when unset
    data_dir: Path = Path("data")
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
    # The working-day calendar, the reminders and the recurring reporting duties.
    calendar_overrides: Path | None = None  # an office's days off and make-up days (YAML)
    reporting_duties: Path | None = None  # the installation's own list (YAML)
    # A folder with the installation's own letterhead: party.docx and/or state.docx.
    document_templates: Path | None = None
    reminder_hours: str | None = None  # when messages may go out, e.g. "07:00-21:00"
    tell_superior_after: int | None = Field(default=None, ge=1, le=MAX_SUPERIOR_AFTER)
    # The key sealing the audit trail and invitation codes; unset: a key file created in
    # data_dir at first start. Keep it (and data_dir's audit.anchors) out of the database.
    audit_key: SecretStr | None = None
    # Development: a user-visible string missing from a catalog raises (the tests set it).
    i18n_strict: bool = False
    # Where the installation is: a pack jurisdiction, e.g. quang-ngai/xa-phuong (today's
    # communes and wards) or quang-ngai/duc-pho (the former town); the pack in force
    # there on the day answers every question and routes every filing.
    jurisdiction: str = DEFAULT_JURISDICTION
    # Training: the assistant's clock starts on this day (and runs on from it), so the
    # rules of another period (e.g. the 2022 town procedure) can be played end to end.
    training_date: date | None = None
    # Or only the rules: those in force on this day apply while the clock and the
    # calendar stay today's (a replay, or training at today's dates); answers say so.
    rules_date: date | None = None

    @field_validator(*OPTIONAL, mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: Any) -> Any:
        return Path("data") if value is None else value

    @field_validator("audit_key")
    @classmethod
    def _audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value().strip()) < MIN_AUDIT_KEY:
            raise ValueError(f"at least {MIN_AUDIT_KEY} characters, e.g. the output of "
                             "`openssl rand -hex 32`")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("calendar_overrides")
    @classmethod
    def _overrides_file(cls, value: Path | None) -> Path | None:
        if value is not None:
            _read_overrides(value)
        return value

    @field_validator("reporting_duties")
    @classmethod
    def _duties_file(cls, value: Path | None) -> Path | None:
        if value is not None:
            _read_duties(value)
        return value

    @field_validator("document_templates")
    @classmethod
    def _templates_folder(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        found = [value / n for n in ("party.docx", "state.docx") if (value / n).is_file()]
        if not found:
            raise ValueError(f"{value} holds neither party.docx nor state.docx")
        for path in found:
            if not zipfile.is_zipfile(path):
                raise ValueError(f"{path} is not a .docx file")
        return value

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction(cls, value: str) -> str:
        value = value.strip() or DEFAULT_JURISDICTION
        try:
            bundled_rulebook().check_jurisdiction(value)
        except UnknownJurisdiction as exc:
            raise ValueError(f"unknown place; known: {', '.join(exc.known)} (or a place "
                             "within one, e.g. quang-ngai/duc-pho)") from None
        return value

    def clock_offset(self, today: date) -> timedelta:
        """How far the training clock is ahead of (or behind) the real ``today``."""
        return (self.training_date - today) if self.training_date else timedelta(0)

    def rules_day(self) -> date:
        """The day whose rules apply: the rules date, else the (training) clock's today."""
        if self.rules_date:
            return self.rules_date
        return self.training_date or datetime.now(self.zone).date()

    @field_validator("reminder_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            _quiet_hours(value)
        return value

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

    @classmethod
    def of(cls, **values: Any) -> Settings:
        """Settings from these values and the defaults alone, not the environment (tests,
        and code that builds an app without a command line)."""
        return _Given(**values)

    @property
    def database(self) -> str:
        """The database URL: the configured one, else SQLite in the data directory."""
        return self.database_url or sqlite_url(self.data_dir)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar: the bundled overrides, then the office's file."""
        layers: list[CalendarOverrides] = [bundled_overrides()]
        if self.calendar_overrides is not None:
            layers.append(_read_overrides(self.calendar_overrides))
        return WorkingCalendar(layers)

    @cached_property
    def duties(self) -> tuple[ReportingDuty, ...]:
        """The recurring reporting duties: the installation's file if set, else the bundled."""
        if self.reporting_duties is None:
            return bundled_duties()
        return _read_duties(self.reporting_duties)

    @property
    def reminders(self) -> ReminderSettings:
        """The reminder policy's settings, with what the installation overrides."""
        default = ReminderSettings()
        return ReminderSettings(
            quiet=_quiet_hours(self.reminder_hours) if self.reminder_hours else default.quiet,
            tell_superior_after=self.tell_superior_after or default.tell_superior_after)

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


class _Given(Settings):
    """Settings whose only source is the values given (see ``Settings.of``)."""

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'cadrebot.sqlite3'}"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None


def _read_overrides(path: Path) -> CalendarOverrides:
    try:
        return parse_overrides(_read_text(path), origin=str(path))
    except OverridesError as exc:
        raise ValueError(str(exc)) from None


def _read_duties(path: Path) -> tuple[ReportingDuty, ...]:
    return parse_duties(_read_text(path), origin=str(path))  # DutiesError is a ValueError


def _quiet_hours(text: str) -> QuietHours:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        return QuietHours(start, end)
    except ValueError:
        raise ValueError("write HH:MM-HH:MM, the start before the end, e.g. 07:00-21:00") \
            from None


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
        secret = any(word in field for word in ("token", "secret", "key"))
        shown = "" if secret else f"={str(error.get('input'))!r}"
        raise ConfigError(f"{ENV_PREFIX}{field.upper()}{shown}: {message}") from None
