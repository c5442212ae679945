"""Inbound throughput: updates handled a second by ``cadrebot run`` on SQLite, against a
bare aiogram bot fed the same updates in the same run.

    .venv/bin/python bench/bench_inbound.py [--updates 3000] [--people 1000]
                                             [--framework aiogram|ptb]

Each bot is a process of its own polling the project's fake Bot API (in this process,
answering instantly). The people first say /start (those with an invitation code link
their account, so they get the members' menu with its committee check); then all
``--updates`` are queued at once: menu commands, menu presses, a greeting and /help,
spread over ``--people`` chats. A bot's figure is updates / (time of its last answer -
time the updates were queued); every update must get an answer (a message or an edit).

The bare bot answers each message with one message and each press with an edit, as a
bot with no state does: the ceiling of the library on this machine. ``cadrebot run`` is
given the highest overall sending rate its settings allow (1000/s); the per-chat limit
(one a second, a burst of three) stays, as Telegram imposes it. An update is answered
with one or two messages, so with the default 1,000 people (three updates each, spread
over the run) that limit is not what gets measured up to about 400 updates a second;
with 300 people it would cap the figure near 190.

Figures only, no assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.fakes.telegram import FakeTelegram

TOKEN = "123456:AAE-bench-token-for-the-fake-server"
ANSWERS = ("sendMessage", "editMessageText", "sendDocument")
FIRST_USER = 500_000
ROOT = Path(__file__).resolve().parent.parent
CADREBOT = shutil.which("cadrebot", path=str(Path(sys.executable).parent)) or "cadrebot"


# --- the bare bot (a process of its own) ----------------------------------------------

async def bare_bot(base: str) -> None:
    """An aiogram bot with no state: a message gets one message, a press an edit."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import (
        CallbackQuery,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        Message,
    )

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dispatcher = Dispatcher()
    keys = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="Menu", callback_data="m:home")],
        [InlineKeyboardButton(text="Help", callback_data="m:help")]])

    @dispatcher.message()
    async def on_message(message: Message) -> None:
        await message.answer(f"Received: {message.text}", reply_markup=keys)

    @dispatcher.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Pressed: {query.data}", reply_markup=keys)

    print("bare bot: running", flush=True)
    await dispatcher.start_polling(bot, handle_signals=True, polling_timeout=20,
                                   allowed_updates=["message", "callback_query"])


# --- feeding and timing -----------------------------------------------------------------

def users(people: int) -> range:
    return range(FIRST_USER, FIRST_USER + people)


def answers(fake: FakeTelegram, since: int) -> list[Any]:
    return [c for c in fake.calls[since:] if c.method in ANSWERS and c.status == 200]


async def warm_up(fake: FakeTelegram, people: int, codes: list[str]) -> None:
    """Everyone says /start (the first ones with an invitation code) and is answered."""
    for n, user in enumerate(users(people)):
        code = f" {codes[n]}" if n < len(codes) else ""
        fake.user_sends(user, f"/start{code}", first_name=f"Người {n}")
    await fake.wait_for(lambda f: all(f.sent_to(u) for u in users(people)), timeout=600)
    await fake.wait_idle(quiet=1.0, timeout=600)


def feed(fake: FakeTelegram, updates: int, people: int) -> dict[int, int]:
    """Queue ``updates`` at once, round-robin over the people; how many each chat got."""
    per_chat: dict[int, int] = {}
    last = {user: fake.last_message(user) for user in users(people)}
    for n in range(updates):
        user = FIRST_USER + n % people
        kind = (n // people) % 5
        if kind == 0:
            fake.user_sends(user, "/menu")
        elif kind == 1:
            fake.user_presses(user, last[user], "m:home", strict=False)
        elif kind == 2:
            fake.user_sends(user, "Xin chào")
        elif kind == 3:
            fake.user_presses(user, last[user], "m:help", strict=False)
        else:
            fake.user_sends(user, "/help")
        per_chat[user] = per_chat.get(user, 0) + 1
    return per_chat


async def measure(fake: FakeTelegram, updates: int, people: int) -> tuple[float, bool]:
    """Updates a second, and whether every update got an answer."""
    since = len(fake.calls)
    started = time.monotonic()
    per_chat = feed(fake, updates, people)
    await fake.wait_idle(quiet=2.0, timeout=1800)
    done = answers(fake, since)
    if not done:
        return 0.0, False
    took = max(c.time for c in done) - started
    got: dict[int, int] = {}
    for call in done:
        chat = int(call.params.get("chat_id", 0))
        got[chat] = got.get(chat, 0) + 1
    complete = all(got.get(chat, 0) >= n for chat, n in per_chat.items())
    return updates / took, complete


async def run_bare(updates: int, people: int) -> tuple[float, bool]:
    fake = FakeTelegram(TOKEN)
    base = await fake.start()
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--bare-bot", base, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), timeout=120)
        await warm_up(fake, people, [])
        return await measure(fake, updates, people)
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()


async def run_cadrebot(updates: int, people: int, framework: str, folder: Path
                       ) -> tuple[float, bool]:
    from tests.templates import demo_database

    data = folder / "data"
    codes = await demo_database(data / "cadrebot.sqlite3")
    fake = FakeTelegram(TOKEN)
    base = await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
    env.update({"CADREBOT_TELEGRAM_TOKEN": TOKEN, "CADREBOT_TELEGRAM_API_BASE": base,
                "CADREBOT_DATA_DIR": str(data), "CADREBOT_SEND_RATE": "1000",
                "CADREBOT_JURISDICTION": "quang-ngai/duc-pho",
                "CADREBOT_RULES_DATE": "2025-06-02"})
    log = (folder / "run.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        CADREBOT, "run", "--framework", framework, cwd=folder, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=log)
    log.close()
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=300)
        if not line:
            raise SystemExit((folder / "run.log").read_text(errors="replace")[-3000:])
        await warm_up(fake, people, sorted(codes.values()))
        return await measure(fake, updates, people)
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram")
    parser.add_argument("--bare-bot", metavar="BASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_bot:
        await bare_bot(args.bare_bot)
        return
    print(f"{args.updates} updates from {args.people} people; load before: "
          f"{tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    bare, bare_ok = await run_bare(args.updates, args.people)
    print(f"bare aiogram:            {bare:8.1f} updates/s  (all answered: {bare_ok})",
          flush=True)
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-bench-inbound-"))
    try:
        full, full_ok = await run_cadrebot(args.updates, args.people, args.framework, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"cadrebot run ({args.framework}, SQLite): {full:8.1f} updates/s  "
          f"(all answered: {full_ok})")
    print(f"ratio to bare aiogram:   {full / bare if bare else 0:8.2f}")
    print(f"load average (1, 5, 15 min): {tuple(round(x, 2) for x in os.getloadavg())}")


if __name__ == "__main__":
    asyncio.run(main())
