"""Memory of an idle ``cadrebot run`` (aiogram and python-telegram-bot), beside bare bots.

    .venv/bin/python bench/bench_memory.py [--idle SECONDS] [--before REV]

In one run, each against its own fake Telegram Bot API server (bot/fakes/telegram.py),
it starts four processes one after the other:
  cadrebot run                   - SQLite in a temporary folder, the demo organisation;
  cadrebot run --framework ptb   - the same with python-telegram-bot;
  bare aiogram                   - only aiogram: a Dispatcher long-polling, echoing text;
  bare ptb                       - only python-telegram-bot, the same.
Each gets one message and must answer it (so a turn's code is loaded), then idles for
``--idle`` seconds; its resident memory (VmRSS) and peak (VmHWM) are read from
/proc/PID/status. Each ``cadrebot run`` is measured twice: at its first start (it creates
the database and loads the demo) and restarted on that database, the usual case, which
the goals are read against. Printed with the goals of issue 18: cadrebot run (aiogram) within
bare aiogram + 40 MiB; with --framework ptb at most 110 MiB. With ``--before REV`` the
same run also starts ``cadrebot run`` (aiogram, first start and restarted) from that
commit's tree (exported with ``git archive``, run as ``python -m bot.cli`` with it first
on the path, in this virtualenv), to compare under the same conditions. Figures only, no
assertions; not run by the test suite. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from git_tree import export  # noqa: E402  (this folder, first on the path)

from bot.fakes.telegram import FakeTelegram  # noqa: E402

CADREBOT = shutil.which("cadrebot", path=str(Path(sys.executable).parent)) or "cadrebot"
AIOGRAM_GOAL_MIB = 40.0  # over the bare aiogram bot
PTB_GOAL_MIB = 110.0
READY_SECONDS, REPLY_SECONDS = 180.0, 120.0
USER = 1001

BARE_AIOGRAM = """\
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

async def main() -> None:
    token, base = sys.argv[1], sys.argv[2]
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    print("ready", flush=True)
    await dp.start_polling(bot, handle_signals=False, polling_timeout=1)

asyncio.run(main())
"""

BARE_PTB = """\
import sys
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text or "?")

token, base = sys.argv[1], sys.argv[2]
app = (Application.builder().token(token).base_url(f"{base}/bot")
       .base_file_url(f"{base}/file/bot").build())
app.add_handler(MessageHandler(filters.TEXT, echo))
print("ready", flush=True)
app.run_polling(poll_interval=0.0, timeout=1)
"""


@dataclass
class Memory:
    name: str
    rss_mib: float
    peak_mib: float


def memory_of(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def measure(name: str, argv: list[str], env: dict[str, str], fake: FakeTelegram,
                  folder: Path, idle: float) -> Memory:
    """Start ``argv``, wait for its first line, have it answer one message, let it idle,
    read its memory, stop it with Ctrl-C."""
    log_path = folder / f"{name.replace(' ', '-')}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=folder, env=env, stdout=asyncio.subprocess.PIPE, stderr=log)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=READY_SECONDS)
        if not line:
            raise RuntimeError(f"{name} stopped before serving:\n"
                               f"{log_path.read_text(errors='replace')[-3000:]}")
        fake.user_sends(USER, "/start")
        await fake.wait_for(lambda f: f.sent_to(USER), timeout=REPLY_SECONDS)
        await asyncio.sleep(idle)
        rss, peak = memory_of(process.pid)
        return Memory(name, rss, peak)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def main(idle: float, before: str | None) -> None:
    runs: list[Memory] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cadrebot-bench-memory-") as tmp:
        folder = Path(tmp)
        plain = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
        tree = export(before, folder) if before else None
        cases: list[tuple[str, list[str] | None]] = [
            ("cadrebot run (aiogram), first start", None),
            ("cadrebot run (aiogram)", None),
            ("cadrebot run --framework ptb, first start", ["--framework", "ptb"]),
            ("cadrebot run --framework ptb", ["--framework", "ptb"]),
            ("bare aiogram bot", [sys.executable, "-c", BARE_AIOGRAM]),
            ("bare ptb bot", [sys.executable, "-c", BARE_PTB]),
        ]
        if before:
            cases += [(f"cadrebot run (aiogram) at {before}, first start", None),
                      (f"cadrebot run (aiogram) at {before}", None)]
        for index, (name, extra) in enumerate(cases):
            fake = FakeTelegram()
            base = await fake.start()
            try:
                if name.startswith("cadrebot"):
                    # Its own SQLite file and demo; the restart reuses the first start's.
                    data = folder / f"data-{index - index % 2}"
                    env = plain | {"CADREBOT_TELEGRAM_TOKEN": fake.token,
                                   "CADREBOT_TELEGRAM_API_BASE": base,
                                   "CADREBOT_DATA_DIR": str(data)}
                    argv = [CADREBOT, "run", *(extra or [])]
                    if before and tree and f" at {before}" in name:
                        env["PYTHONPATH"] = str(tree)
                        argv = [sys.executable, "-m", "bot.cli", "run"]
                else:
                    env, argv = plain, [*(extra or []), fake.token, base]
                runs.append(await measure(name, argv, env, fake, folder, idle))
            finally:
                await fake.stop()

    by_name = {m.name: m for m in runs}
    print(f"load average (1, 5, 15 min): {load_before} before, {os.getloadavg()} after; "
          f"{os.cpu_count()} CPUs")
    print(f"idle {idle:.0f} s after answering one message; MiB")
    print(f"{'process':42s} {'VmRSS':>8s} {'VmHWM':>8s}")
    for m in runs:
        print(f"{m.name:42s} {m.rss_mib:8.1f} {m.peak_mib:8.1f}")
    ours, bare = by_name["cadrebot run (aiogram)"], by_name["bare aiogram bot"]
    ptb, bare_ptb = by_name["cadrebot run --framework ptb"], by_name["bare ptb bot"]
    over = ours.rss_mib - bare.rss_mib
    first = by_name["cadrebot run (aiogram), first start"].rss_mib - bare.rss_mib
    print(f"cadrebot run (aiogram), restarted - bare aiogram: {over:+.1f} MiB "
          f"(goal <= +{AIOGRAM_GOAL_MIB:.0f}: {'met' if over <= AIOGRAM_GOAL_MIB else 'NOT met'}); "
          f"first start {first:+.1f} MiB")
    print(f"cadrebot run --framework ptb, restarted: {ptb.rss_mib:.1f} MiB "
          f"(goal <= {PTB_GOAL_MIB:.0f}: {'met' if ptb.rss_mib <= PTB_GOAL_MIB else 'NOT met'}); "
          f"{ptb.rss_mib - bare_ptb.rss_mib:+.1f} MiB over bare ptb, "
          f"{ptb.rss_mib - ours.rss_mib:+.1f} MiB against cadrebot run with aiogram; first "
          f"start {by_name['cadrebot run --framework ptb, first start'].rss_mib:.1f} MiB")
    if before:
        then = by_name[f"cadrebot run (aiogram) at {before}"].rss_mib - bare.rss_mib
        print(f"cadrebot run (aiogram) at {before}, restarted - bare aiogram: {then:+.1f} MiB "
              f"(now {over:+.1f} MiB)")


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--idle", type=float, default=5.0,
                         help="seconds to idle after the answer before reading (default 5)")
    options.add_argument("--before", metavar="REV",
                         help="also run cadrebot run (aiogram) from this commit")
    parsed = options.parse_args()
    asyncio.run(main(parsed.idle, parsed.before))
