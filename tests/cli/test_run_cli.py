"""``cadrebot run`` as a newcomer meets it: no token, a bad setting, then a real run
against the fake Bot API server, stopped with Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bot.fakes.telegram import FakeTelegram

CADREBOT = shutil.which("cadrebot", path=str(Path(sys.executable).parent)) or "cadrebot"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
    env.update({"CADREBOT_I18N_STRICT": "1", "CADREBOT_DATA_DIR": str(tmp_path / "data")},
               **extra)
    return env


def test_without_a_token_it_says_how_to_get_one_and_how_to_try_the_console(
        tmp_path: Path) -> None:
    done = subprocess.run([CADREBOT, "run"], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "@BotFather" in done.stderr and "CADREBOT_TELEGRAM_TOKEN" in done.stderr
    assert "cadrebot console --as pham-thi-hong" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CADREBOT_TELEGRAM_TOKEN=123456:AAE-valid-looking-token\n"
                                   "CADREBOT_SEND_RATE=fast\n", encoding="utf-8")
    done = subprocess.run([CADREBOT, "run"], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "cadrebot: CADREBOT_SEND_RATE='fast': Input should be a valid number, unable to parse "
        "string as a number"]


# Generous limits: these wait for readiness (a line, a reply, the exit), never for a
# fixed time, so a busy machine makes them slower, not red.
READY, REPLY, EXIT = 180, 120, 60


async def start_run(tmp_path: Path, **extra: str) -> asyncio.subprocess.Process:
    """``cadrebot run`` in the background; its log goes to a file (a pipe nobody read
    could fill up and stall it)."""
    log = (tmp_path / "run.log").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            CADREBOT, "run", cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=log,
            env=_env(tmp_path, **extra))
    finally:
        log.close()


async def running_line(process: asyncio.subprocess.Process, tmp_path: Path) -> bytes:
    """The line ``cadrebot run`` prints once it serves, however long start-up takes."""
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=READY)
    assert line, (tmp_path / "run.log").read_text(errors="replace")
    return line


async def stop_run(process: asyncio.subprocess.Process, tmp_path: Path) -> None:
    """Ctrl-C: it must exit cleanly, without a traceback."""
    process.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(process.wait(), timeout=EXIT) == 0
    assert "Traceback" not in (tmp_path / "run.log").read_text(errors="replace")


async def test_it_runs_answers_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    fake = FakeTelegram()
    base = await fake.start()
    process = await start_run(tmp_path, CADREBOT_TELEGRAM_TOKEN=fake.token,
                              CADREBOT_TELEGRAM_API_BASE=base)
    try:
        line = await running_line(process, tmp_path)
        assert b"@cadrebot_test_bot is running (aiogram, polling)" in line
        fake.user_sends(1001, "/start")
        text = await fake.wait_for(lambda f: f.sent_to(1001) and f.sent_to(1001)[0]["text"],
                                   timeout=REPLY)
        assert "Chào mừng" in text  # the demo organisation and Vietnamese by default
        await stop_run(process, tmp_path)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
    assert (tmp_path / "data" / "cadrebot.sqlite3").exists()
