"""The one configuration of cadrebot: environment variables, or a ``.env`` file beside it.

Every name starts with ``CADREBOT_`` and is a field here. The command line loads it once
(``load_settings``) and hands it down; nothing below reads the environment. A bad value
stops start-up with one line that names the variable and says what it should be; nothing
is half-configured. Files named by a setting (calendar overrides, reporting duties) are
read and checked here too, so a broken one stops start-up the same way.

Plain Python, no settings library: every command reads the settings first, and
pydantic-settings alone took longer to import than ``cadrebot deadline`` may take in all
(README, Benchmarks: start-up). The rules are those it applied: a variable's name in any
case; the environment over the ``.env`` file (read with python-dotenv, as before) over
the defaults; a blank optional value is unset; the fields are checked in the order below
and the first bad one is reported, then the rules between fields. The domain modules a
check needs are imported when a value asks for it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.pack_places import bundled_places, is_known_place
from workflow.reminder_settings import ReminderSettings

if TYPE_CHECKING:
    from workflow.calendar import CalendarOverrides, WorkingCalendar
    from workflow.quiet_hours import QuietHours
    from workflow.reporting_duties import ReportingDuty

ENV_PREFIX = "CADREBOT_"
TELEGRAM_API = "https://api.telegram.org"
ZALO_API = "https://bot-api.zaloplatforms.com"  # was https://bot-api.zapps.me: configurable
CHANNELS = ("telegram", "zalo")
# Telegram's rule for the webhook secret header: 1-256 of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ZALO_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,256}$")
REDIS_PREFIX_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
# The place an installation is in when it names none (workflow.rules.DEFAULT_JURISDICTION,
# kept equal by a test: importing the rules to read it would parse no pack, but would load
# the pack loader for nothing).
DEFAULT_JURISDICTION = "quang-ngai/xa-phuong"


class ConfigError(Exception):
    """One line for the person starting the bot."""


class Secret:
    """A value kept out of logs and tracebacks: shown as stars, read with
    ``get_secret_value()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


OPTIONAL = ("database_url", "data_dir", "redis_url", "webhook_url", "zalo_webhook_url",
            "calendar_overrides", "reporting_duties", "reminder_hours", "tell_superior_after",
            "training_date", "rules_date", "document_templates")
MAX_SUPERIOR_AFTER = ReminderSettings().overdue_repeats
MIN_AUDIT_KEY = 32


@dataclass(frozen=True)
class Settings:
    """Built by ``load_settings`` (the environment) or ``Settings.of`` (given values), which
    check every value; the constructor itself checks nothing."""

    telegram_token: Secret | None = None
    telegram_api_base: str = TELEGRAM_API
    database_url: str | None = None  # SQLite in data_dir when unset
    data_dir: Path = Path("data")
    redis_url: str | None = None
    redis_prefix: str = "cadrebot"
    webhook_url: str | None = None  # public https URL Telegram posts to; unset = polling
    webhook_secret: Secret | None = None
    webhook_host: str = "127.0.0.1"  # behind a reverse proxy; 0.0.0.0 to listen everywhere
    webhook_port: int = 8080
    webhook_path: str = "/telegram"
    # Updates Telegram posts at once (its max_connections, 1-100, its default 40): with
    # several workers behind the address, about 32 for each (each keeps 32 in hand).
    webhook_connections: int = 40
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    send_rate: float = 30.0  # messages a second, overall
    max_file_mb: int = 20  # the Bot API downloads ≤ 20 MB
    # Zalo (the Zalo Bot Platform): its own token, API base, webhook and sending rate. Its
    # webhook is served by the same server as Telegram's (host and port), on its own path.
    zalo_token: Secret | None = None
    zalo_api_base: str = ZALO_API
    zalo_webhook_url: str | None = None  # public https URL Zalo posts to; unset = polling
    zalo_webhook_secret: Secret | None = None
    zalo_webhook_path: str = "/zalo"
    zalo_send_rate: float = 10.0  # messages a second, overall
    # The working-day calendar, the reminders and the recurring reporting duties.
    calendar_overrides: Path | None = None  # an office's days off and make-up days (YAML)
    reporting_duties: Path | None = None  # the installation's own list (YAML)
    # A folder with the installation's own letterhead: party.docx and/or state.docx.
    document_templates: Path | None = None
    reminder_hours: str | None = None  # when messages may go out, e.g. "07:00-21:00"
    tell_superior_after: int | None = None
    # The key sealing the audit trail and invitation codes; unset: a key file created in
    # data_dir at first start. Keep it (and data_dir's audit.anchors) out of the database.
    audit_key: Secret | None = None
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

    @classmethod
    def of(cls, **values: Any) -> Settings:
        """Settings from these values and the defaults alone, not the environment (tests,
        and code that builds an app without a command line); checked like the
        environment's, a bad one raising ``ConfigError``."""
        unknown = sorted(set(values) - set(_CHECKS))
        if unknown:
            raise TypeError(f"Settings.of: no setting named {', '.join(unknown)}")
        return _checked(values)

    def clock_offset(self, today: date) -> timedelta:
        """How far the training clock is ahead of (or behind) the real ``today``."""
        return (self.training_date - today) if self.training_date else timedelta(0)

    def rules_day(self) -> date:
        """The day whose rules apply: the rules date, else the (training) clock's today."""
        if self.rules_date:
            return self.rules_date
        return self.training_date or datetime.now(self.zone).date()

    @property
    def database(self) -> str:
        """The database URL: the configured one, else SQLite in the data directory."""
        return self.database_url or sqlite_url(self.data_dir)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar: the bundled overrides, then the office's file."""
        from workflow.calendar import WorkingCalendar, bundled_overrides

        layers: list[CalendarOverrides] = [bundled_overrides()]
        if self.calendar_overrides is not None:
            layers.append(_read_overrides(self.calendar_overrides))
        return WorkingCalendar(layers)

    @cached_property
    def duties(self) -> tuple[ReportingDuty, ...]:
        """The recurring reporting duties: the installation's file if set, else the bundled."""
        if self.reporting_duties is None:
            from workflow.reporting_duties import bundled_duties

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


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'cadrebot.sqlite3'}"


def load_settings(env_file: Path | str | None = ".env") -> Settings:
    """The settings, or ``ConfigError`` with one line naming the first bad variable."""
    return _checked(_read_environment(env_file))


# -- reading the environment ------------------------------------------------------------


def _read_environment(env_file: Path | str | None) -> dict[str, Any]:
    """The raw text of each field that is set: the environment over the ``.env`` file.

    Names are matched in any case. In the file, a name without a value is not set; in the
    environment, an empty value is a value (blank: unset for the optional fields)."""
    found: dict[str, Any] = {}
    for source in (_dotenv(env_file), os.environ):
        by_name = {name.lower(): value for name, value in source.items()}
        for field in _CHECKS:
            value = by_name.get(f"{ENV_PREFIX}{field}".lower())
            if value is not None:
                found[field] = value
    return found


def _dotenv(env_file: Path | str | None) -> Mapping[str, str | None]:
    if env_file is None:
        return {}
    path = Path(env_file).expanduser()
    if not (path.is_file() or path.is_fifo()):
        return {}
    # python-dotenv's parser (quotes, ``export``, ${VAR} expansion), imported only when
    # there is a file to read.
    from dotenv import dotenv_values

    return dotenv_values(path, encoding="utf-8")


# -- checking values --------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, field: str, given: Any, message: str):
        super().__init__(message)
        self.field, self.given, self.message = field, given, message  # field "": between


def _checked(raw: Mapping[str, Any]) -> Settings:
    try:
        values = {}
        for field in _CHECKS:  # in the order of the fields: the first bad one is reported
            if field in raw:
                given = raw[field]
                try:
                    values[field] = _CHECKS[field](given)
                except ValueError as exc:
                    raise _Invalid(field, given, str(exc)) from None
        settings = Settings(**values)
        _between_fields(settings)
    except _Invalid as bad:
        raise ConfigError(_one_line(bad)) from None
    return settings


def _one_line(bad: _Invalid) -> str:
    if not bad.field:
        return bad.message
    secret = any(word in bad.field for word in ("token", "secret", "key"))
    shown = "" if secret else f"={str(bad.given)!r}"
    return f"{ENV_PREFIX}{bad.field.upper()}{shown}: {bad.message}"


def _between_fields(settings: Settings) -> None:
    if settings.webhook_url and settings.webhook_secret is None:
        raise _Invalid("", None, f"{ENV_PREFIX}WEBHOOK_URL is set: set {ENV_PREFIX}"
                       "WEBHOOK_SECRET too, so that only Telegram can post updates")
    if settings.zalo_webhook_url and settings.zalo_webhook_secret is None:
        raise _Invalid("", None, f"{ENV_PREFIX}ZALO_WEBHOOK_URL is set: set {ENV_PREFIX}ZALO_"
                       "WEBHOOK_SECRET too, so that only Zalo can post updates")
    if settings.zalo_webhook_path == settings.webhook_path:
        raise _Invalid("", None, f"{ENV_PREFIX}ZALO_WEBHOOK_PATH and {ENV_PREFIX}"
                       "WEBHOOK_PATH must differ: both webhooks are served by one server")


# Types. A value comes as text (the environment) or as a Python value (Settings.of); the
# messages are the ones the settings library gave, which the README's users have seen.

def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("Input should be a valid string")


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return None if value is None else convert(value)
    return check


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool | int):
            number = int(value)
        elif isinstance(value, float):
            if not value.is_integer():
                raise ValueError("Input should be a valid integer, got a number with a "
                                 "fractional part")
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0*)?",
                                                     value.strip()):
            number = int(value.strip().partition(".")[0])
        elif isinstance(value, str):
            raise ValueError("Input should be a valid integer, unable to parse string as an "
                             "integer")
        else:
            raise ValueError("Input should be a valid integer")
        return int(_between(number, low, high, strict_low=False))
    return check


def _number(low: float, high: float) -> Callable[[Any], float]:
    """A number above ``low`` (strictly) and at most ``high``."""
    def check(value: Any) -> float:
        if isinstance(value, bool | int | float):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise ValueError("Input should be a valid number, unable to parse string as "
                                 "a number") from None
        else:
            raise ValueError("Input should be a valid number")
        if math.isnan(number):  # not above low, not at most high: the library said "high"
            raise ValueError(f"Input should be less than or equal to {_shown(high)}")
        return float(_between(number, low, high, strict_low=True))
    return check


def _shown(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else str(limit)


def _between(number: float, low: float, high: float, *, strict_low: bool) -> float:
    if strict_low and number <= low:
        raise ValueError(f"Input should be greater than {_shown(low)}")
    if not strict_low and number < low:
        raise ValueError(f"Input should be greater than or equal to {_shown(low)}")
    if number > high:
        raise ValueError(f"Input should be less than or equal to {_shown(high)}")
    return number


_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise ValueError("Input should be a valid boolean, unable to interpret input")


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                      r"(?:Z|[+-]\d{2}:\d{2})?)?")


def _day(value: Any) -> date:
    """YYYY-MM-DD, or a datetime at midnight (what the library took, less its reading of a
    bare number as seconds since 1970: "0" was 1/1/1970)."""
    if isinstance(value, str):
        if not _ISO_DAY.fullmatch(value):
            raise ValueError("Input should be a valid date or datetime, written YYYY-MM-DD "
                             "(e.g. 2025-06-02)")
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"Input should be a valid date or datetime, {exc}") from None
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError("Datetimes provided to dates should have zero time - e.g. be "
                             "exact dates")
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError("Input should be a valid date")


def _path(value: Any) -> Path:
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise ValueError("Input is not a valid path")


def _secret(value: Any) -> Secret:
    if isinstance(value, Secret):
        return value
    return Secret(_text(value))


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value in allowed:
            return cast(str, value)
        quoted = [f"'{a}'" for a in allowed]
        raise ValueError(f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}")
    return check


# The checks of each field, beyond its type.

def _token(value: Any) -> Secret | None:
    token = _secret(value).get_secret_value().strip()
    if not token:
        return None
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{10,}", token):
        raise ValueError("not a bot token: it looks like 123456789:AAE... (from @BotFather)")
    return Secret(token)


def _zalo_token(value: Any) -> Secret | None:
    token = _secret(value).get_secret_value().strip()
    if not token:
        return None
    if not re.fullmatch(r"\d+:\S{10,}", token):
        raise ValueError("not a Zalo bot token: it looks like 1234567890:AbCd... (sent "
                         "by Zalo Bot Manager when the bot was created)")
    return Secret(token)


def _url(value: Any) -> str | None:
    address = _text(value).strip()
    if not address:
        return None
    if not re.match(r"^https?://[^/\s]+", address):
        raise ValueError("must be an http:// or https:// address")
    return address.rstrip("/")


def _redis_prefix(value: Any) -> str:
    prefix = _text(value)
    if not re.search(REDIS_PREFIX_PATTERN, prefix):
        raise ValueError(f"String should match pattern '{REDIS_PREFIX_PATTERN}'")
    return prefix


def _webhook_secret(pattern: re.Pattern[str], rule: str) -> Callable[[Any], Secret]:
    def check(value: Any) -> Secret:
        secret = _secret(value)
        if not pattern.match(secret.get_secret_value()):
            raise ValueError(rule)
        return secret
    return check


def _path_on_server(example: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        path = _text(value)
        if not path.startswith("/") or " " in path:
            raise ValueError(f"must start with / (e.g. {example})")
        return path
    return check


def _zone(value: Any) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a time zone name (e.g. Asia/Ho_Chi_Minh)") from None
    return name


def _overrides_file(value: Any) -> Path:
    path = _path(value)
    _read_overrides(path)
    return path


def _duties_file(value: Any) -> Path:
    path = _path(value)
    _read_duties(path)
    return path


def _templates_folder(value: Any) -> Path:
    import zipfile

    folder = _path(value)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    found = [folder / n for n in ("party.docx", "state.docx") if (folder / n).is_file()]
    if not found:
        raise ValueError(f"{folder} holds neither party.docx nor state.docx")
    for path in found:
        if not zipfile.is_zipfile(path):
            raise ValueError(f"{path} is not a .docx file")
    return folder


def _hours(value: Any) -> str:
    text = _text(value)
    _quiet_hours(text)
    return text


def _audit_key(value: Any) -> Secret | None:
    key = _secret(value).get_secret_value().strip()
    if not key:
        return None
    if len(key) < MIN_AUDIT_KEY:
        raise ValueError(f"at least {MIN_AUDIT_KEY} characters, e.g. the output of "
                         "`openssl rand -hex 32`")
    return Secret(key)


def _jurisdiction(value: Any) -> str:
    place = _text(value).strip() or DEFAULT_JURISDICTION
    known = bundled_places()  # from the packs' headers: no pack is parsed for this
    if not is_known_place(place, known):
        raise ValueError(f"unknown place; known: {', '.join(known)} (or a place within "
                         "one, e.g. quang-ngai/duc-pho)")
    return place


def _data_dir(value: Any) -> Path:
    return Path("data") if value is None else _path(value)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "telegram_token": _token,
    "telegram_api_base": _url,
    "database_url": _optional(_text),
    "data_dir": lambda value: _data_dir(_optional(_path)(value)),
    "redis_url": _optional(_text),
    "redis_prefix": _redis_prefix,
    "webhook_url": _optional(_url),
    "webhook_secret": _webhook_secret(SECRET_PATTERN,
                                      "1-256 characters among A-Z, a-z, 0-9, _ and -"),
    "webhook_host": _text,
    "webhook_port": _integer(1, 65535),
    "webhook_path": _path_on_server("/telegram"),
    "webhook_connections": _integer(1, 100),
    "language": _choice("vi", "en"),
    "timezone": _zone,
    "send_rate": _number(0, 1000),
    "max_file_mb": _integer(1, 2000),
    "zalo_token": _zalo_token,
    "zalo_api_base": _url,
    "zalo_webhook_url": _optional(_url),
    # Zalo's rule: 8 to 256 characters.
    "zalo_webhook_secret": _webhook_secret(ZALO_SECRET_PATTERN,
                                           "8-256 characters among A-Z, a-z, 0-9, _ and -"),
    "zalo_webhook_path": _path_on_server("/zalo"),
    "zalo_send_rate": _number(0, 1000),
    "calendar_overrides": _optional(_overrides_file),
    "reporting_duties": _optional(_duties_file),
    "document_templates": _optional(_templates_folder),
    "reminder_hours": _optional(_hours),
    "tell_superior_after": _optional(_integer(1, MAX_SUPERIOR_AFTER)),
    "audit_key": _audit_key,
    "i18n_strict": _boolean,
    "jurisdiction": _jurisdiction,
    "training_date": _optional(_day),
    "rules_date": _optional(_day),
}
assert list(_CHECKS) == [f.name for f in fields(Settings)], "a field without its check"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None


def _read_overrides(path: Path) -> CalendarOverrides:
    from workflow.calendar import OverridesError, parse_overrides

    try:
        return parse_overrides(_read_text(path), origin=str(path))
    except OverridesError as exc:
        raise ValueError(str(exc)) from None


def _read_duties(path: Path) -> tuple[ReportingDuty, ...]:
    from workflow.reporting_duties import parse_duties

    return parse_duties(_read_text(path), origin=str(path))  # DutiesError is a ValueError


def _quiet_hours(text: str) -> QuietHours:
    from workflow.quiet_hours import QuietHours

    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        return QuietHours(start, end)
    except ValueError:
        raise ValueError("write HH:MM-HH:MM, the start before the end, e.g. 07:00-21:00") \
            from None
