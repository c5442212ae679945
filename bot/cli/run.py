"""``cadrebot run``: the bot on Telegram, Zalo or both (configuration in the environment
or ``.env``)."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli.common import CliError
from bot.cli.db import with_database
from handlers.i18n import Translator

NO_TOKEN = """\
cadrebot: chưa có mã bot Telegram hay Zalo / no Telegram or Zalo bot token.

Telegram:
  1. Trong Telegram, nhắn @BotFather lệnh /newbot và làm theo hướng dẫn; BotFather
     trả về một mã dạng 123456789:AAE... (In Telegram, send /newbot to @BotFather.)
  2. Đặt mã vào biến môi trường hoặc tệp .env (put it in the environment or .env):
         CADREBOT_TELEGRAM_TOKEN=123456789:AAE...
Zalo:
  1. Trong Zalo, tìm "Zalo Bot Manager", chọn "Tạo bot" và làm theo hướng dẫn; mã bot
     được gửi trong tin nhắn, dạng 1234567890:AbCd... (In Zalo, open Zalo Bot Manager
     and create a bot; it sends you the token.)
  2. Đặt mã vào biến môi trường hoặc tệp .env (put it in the environment or .env):
         CADREBOT_ZALO_TOKEN=1234567890:AbCd...
Chạy lại / run again:  cadrebot run   (cả hai nếu có cả hai mã / both when both are set)

Muốn thử ngay, không cần Telegram hay Zalo / to try it now without a chat app:
    cadrebot console --as pham-thi-hong
"""
MISSING = {
    "telegram": "cadrebot: --channel {channel} needs CADREBOT_TELEGRAM_TOKEN (from @BotFather "
                "in Telegram)\n",
    "zalo": "cadrebot: --channel {channel} needs CADREBOT_ZALO_TOKEN (from Zalo Bot Manager "
            "in Zalo)\n",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "run", help="run the bot on Telegram, Zalo or both",
        description="Run the bot on Telegram, Zalo or both until Ctrl-C. Configuration "
                    "comes from CADREBOT_* environment variables or a .env file: "
                    "CADREBOT_TELEGRAM_TOKEN and/or CADREBOT_ZALO_TOKEN (one is required), "
                    "CADREBOT_TELEGRAM_API_BASE, CADREBOT_ZALO_API_BASE, "
                    "CADREBOT_ZALO_WEBHOOK_URL, CADREBOT_ZALO_WEBHOOK_SECRET, "
                    "CADREBOT_ZALO_SEND_RATE, "
                    "CADREBOT_DATABASE_URL (default: SQLite in ./data, with the demo "
                    "organisation when empty), CADREBOT_REDIS_URL, CADREBOT_WEBHOOK_URL, "
                    "CADREBOT_WEBHOOK_SECRET, CADREBOT_WEBHOOK_HOST, CADREBOT_WEBHOOK_PORT, "
                    "CADREBOT_LANGUAGE, CADREBOT_TIMEZONE, CADREBOT_SEND_RATE, "
                    "CADREBOT_MAX_FILE_MB. Without CADREBOT_WEBHOOK_URL (for Zalo: "
                    "CADREBOT_ZALO_WEBHOOK_URL) it long-polls.")
    parser.add_argument("--channel", choices=["telegram", "zalo", "both"], default=None,
                        help="the chat apps to serve (default: those with a token)")
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram",
                        help="the Telegram library: aiogram 3 (default) or "
                             "python-telegram-bot 22 (ptb: about 100 MiB less memory, "
                             "for small servers)")
    parser.add_argument("--env-file", default=".env", metavar="FILE",
                        help="read settings from FILE too (default: .env, if present)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = args.settings
    channels = (settings.channels if args.channel is None
                else ("telegram", "zalo") if args.channel == "both" else (args.channel,))
    if not channels:
        sys.stderr.write(NO_TOKEN)
        return 2
    missing = [c for c in channels if c not in settings.channels]
    if missing:
        sys.stderr.write(MISSING[missing[0]].format(channel=args.channel))
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    # aiohttp.access: a line for every update Telegram posts (7% of a worker's CPU at
    # 250 a second); the webhook logs what it refuses, and why, itself.
    for chatty in ("alembic", "aiogram.event", "httpx", "apscheduler", "aiohttp.access"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    from bot.runner import run_until_signal

    t = Translator(settings.language)
    try:
        # Migrated by a child process: the bot runs on without Alembic loaded.
        with_database(settings, t, lambda engine: run_until_signal(
            settings, args.framework, engine, channels), apart=True)
    except Exception as exc:
        reason = startup_error(exc, settings.telegram_api_base or "", settings.zalo_api_base)
        if reason is None:
            raise
        raise CliError(reason) from None
    return 0


def startup_error(exc: Exception, api_base: str, zalo_api_base: str = "") -> str | None:
    """One line for a failure to start that the person can fix; None for a bug."""
    from bot.delivery import DeliveryError, Transient
    from bot.redis_state import RedisUnavailable
    from bot.runner import ChannelError

    if isinstance(exc, ChannelError) and exc.channel == "zalo":
        cause = exc.cause
        if isinstance(cause, Transient):
            return f"cannot reach the Zalo Bot API at {zalo_api_base}: {cause}"
        if "unauthorized" in str(cause).lower() or " 401" in str(cause):
            return ("Zalo refused the token (Unauthorized): check CADREBOT_ZALO_TOKEN with "
                    "Zalo Bot Manager")
        return f"Zalo refused to start the bot: {cause}"
    if isinstance(exc, RedisUnavailable):
        return f"cannot reach Redis at CADREBOT_REDIS_URL: {exc}"
    if isinstance(exc, Transient):
        return f"cannot reach the Telegram Bot API at {api_base}: {exc}"
    if isinstance(exc, DeliveryError) and "unauthorized" in str(exc).lower():
        return ("Telegram refused the token (Unauthorized): check CADREBOT_TELEGRAM_TOKEN "
                "with @BotFather")
    if isinstance(exc, DeliveryError):
        return f"Telegram refused to start the bot: {exc}"
    if isinstance(exc, OSError):
        return f"cannot start the webhook server: {exc}"
    return None
