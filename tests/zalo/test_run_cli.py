"""``cadrebot run`` with Zalo: no token says how to get one for either app, a channel
without its token is named, a refused token is one line, and a real run against the fake
Zalo server answers and stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from bot.fakes.zalo import FakeZalo
from tests.cli.test_run_cli import CADREBOT, REPLY, _env, running_line, start_run, stop_run


def test_without_any_token_it_explains_both_apps(tmp_path: Path) -> None:
    done = subprocess.run([CADREBOT, "run"], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "CADREBOT_TELEGRAM_TOKEN" in done.stderr and "CADREBOT_ZALO_TOKEN" in done.stderr
    assert "Zalo Bot Manager" in done.stderr and "Traceback" not in done.stderr


def test_a_channel_without_its_token_is_named(tmp_path: Path) -> None:
    done = subprocess.run([CADREBOT, "run", "--channel", "both"], cwd=tmp_path,
                          env=_env(tmp_path, CADREBOT_ZALO_TOKEN="1234567890:abcdefghijkl"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == ("cadrebot: --channel both needs CADREBOT_TELEGRAM_TOKEN "
                                   "(from @BotFather in Telegram)")


async def test_a_refused_token_is_one_line(tmp_path: Path) -> None:
    fake = FakeZalo()
    base = await fake.start()
    try:
        process = await asyncio.create_subprocess_exec(
            CADREBOT, "run", cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
            env=_env(tmp_path, CADREBOT_ZALO_TOKEN="1234567890:not-the-right-token",
                     CADREBOT_ZALO_API_BASE=base))
        _out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    finally:
        await fake.stop()
    assert process.returncode == 2
    assert err.decode().strip().splitlines()[-1] == (
        "cadrebot: Zalo refused the token (Unauthorized): check CADREBOT_ZALO_TOKEN with "
        "Zalo Bot Manager")


async def test_it_runs_on_zalo_answers_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    fake = FakeZalo()
    base = await fake.start()
    process = await start_run(tmp_path, CADREBOT_ZALO_TOKEN=fake.token,
                              CADREBOT_ZALO_API_BASE=base)
    try:
        line = await running_line(process, tmp_path)
        assert b"the Zalo bot bot.cadrebot is running (polling)" in line
        fake.user_sends("zalo-1001", "/start")
        text = await fake.wait_for(lambda f: f.texts("zalo-1001") and f.texts("zalo-1001")[0],
                                   timeout=REPLY)
        assert "Chào mừng" in text
        await stop_run(process, tmp_path)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
