"""kill -9 during a fan-out: after a restart every message is sent, at most one twice;
SIGTERM with a backlog: the process ends within 20 s and gives back what it did not send.

``cadrebot run`` serves the fake Bot API on the default SQLite; thirty people of the
demo organisation have linked their accounts; sixty notices are written to the outbox
at once; the process is killed (SIGKILL, nothing to clean up) once some have gone out,
then started again.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.fakes.telegram import FakeTelegram
from bot.notifier import ACTIVE
from storage import audit
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage
from tests.cli.test_run_cli import REPLY, running_line, start_run
from tests.templates import demo_database

PEOPLE, PER_PERSON = 30, 2


async def _linked(fake: FakeTelegram, codes: dict[str, str], people: list[str],
                  first_user: int) -> None:
    """Each of ``people`` links their Telegram account through the running bot."""
    users = {person: first_user + i for i, person in enumerate(people)}
    for person, user in users.items():
        fake.user_sends(user, f"/start {codes[person]}")
    await fake.wait_for(lambda f: all(f.sent_to(u) for u in users.values()), timeout=REPLY)
    await fake.wait_idle(quiet=1.0, timeout=REPLY)


async def _notices_to(engine: AsyncEngine, prefix: str, people: list[str],
                      rounds: int) -> None:
    """``rounds`` notices for each person, due now ("someone cannot be reached")."""
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        for n in range(rounds):
            for i, person in enumerate(people):
                session.add(OutboxMessage(
                    dedupe_key=f"{prefix}:{n}:{person}", person_id=person, priority=3,
                    payload={"notice": "unreachable", "person_id": people[(i + 1) % len(people)],
                             "channel": "zalo", "dossier_id": 0},
                    status="pending", attempts=0, created_at=now, next_attempt_at=now))


def _notices(fake: FakeTelegram) -> int:
    """Notices the fake accepted (a 200 answer) since the people linked."""
    return sum(1 for call in fake.calls_to("sendMessage") if call.status == 200 and any(
        words in str(call.params.get("text")) for words in ("Không liên lạc được",
                                                            "cannot be reached")))


def _notices_per_chat(fake: FakeTelegram) -> dict[int, int]:
    counts: dict[int, int] = {}
    for call in fake.calls_to("sendMessage"):
        if call.status == 200 and any(words in str(call.params.get("text")) for words in (
                "Không liên lạc được", "cannot be reached")):
            chat = int(call.params.get("chat_id"))
            counts[chat] = counts.get(chat, 0) + 1
    return counts


async def test_a_kill_during_a_fan_out_loses_nothing_and_repeats_at_most_one(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    codes = await demo_database(data / "cadrebot.sqlite3")
    people = sorted(codes)[:PEOPLE]
    fake = FakeTelegram()
    base = await fake.start()
    env = {"CADREBOT_TELEGRAM_TOKEN": fake.token, "CADREBOT_TELEGRAM_API_BASE": base}
    engine = create_engine(f"sqlite+aiosqlite:///{data / 'cadrebot.sqlite3'}")
    audit.bind(engine, audit.load_seal(data))
    process = await start_run(tmp_path, **env)
    try:
        await running_line(process, tmp_path)
        await _linked(fake, codes, people, 80_000)
        await _notices_to(engine, "crash", people, PER_PERSON)
        total = PEOPLE * PER_PERSON
        await fake.wait_for(lambda f: _notices(f) >= total // 4, timeout=REPLY)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        sent_before = _notices(fake)
        assert sent_before < total, "the fan-out ended before the kill: nothing was tested"

        process = await start_run(tmp_path, **env)
        await running_line(process, tmp_path)

        async def all_sent() -> None:
            while True:
                async with session_factory(engine)() as session:
                    left = await session.scalar(select(func.count()).select_from(
                        OutboxMessage).where(OutboxMessage.dedupe_key.like("crash:%"),
                                             OutboxMessage.status != "sent"))
                if not left:
                    return
                await asyncio.sleep(0.2)

        await asyncio.wait_for(all_sent(), timeout=REPLY)
        await fake.wait_idle(quiet=1.0, timeout=REPLY)
        # One kill: nothing lost, and only what was in flight repeated, at most one a chat
        # (one message in flight per chat; concurrent lanes are what fill Telegram's cap).
        per_chat = _notices_per_chat(fake)
        assert set(per_chat) == {80_000 + i for i in range(len(people))}
        assert all(PER_PERSON <= n <= PER_PERSON + 1 for n in per_chat.values()), per_chat
        assert total <= _notices(fake) <= total + ACTIVE
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await engine.dispose()
        await fake.stop()


async def test_sigterm_with_a_backlog_stops_within_twenty_seconds(tmp_path: Path) -> None:
    """Three people, forty notices each: one a second per chat keeps the notifier busy
    for a long while. SIGTERM ends the process within 20 s, cleanly, and every notice it
    did not send is pending again (not held by a claim)."""
    data = tmp_path / "data"
    codes = await demo_database(data / "cadrebot.sqlite3")
    people = sorted(codes)[:3]
    fake = FakeTelegram()
    base = await fake.start()
    engine = create_engine(f"sqlite+aiosqlite:///{data / 'cadrebot.sqlite3'}")
    audit.bind(engine, audit.load_seal(data))
    process = await start_run(tmp_path, CADREBOT_TELEGRAM_TOKEN=fake.token,
                              CADREBOT_TELEGRAM_API_BASE=base)
    try:
        await running_line(process, tmp_path)
        await _linked(fake, codes, people, 90_000)
        await _notices_to(engine, "backlog", people, 40)
        await fake.wait_for(lambda f: _notices(f) >= 6, timeout=REPLY)
        loop = asyncio.get_running_loop()
        asked = loop.time()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
        took = loop.time() - asked
        assert took <= 20, took
        async with session_factory(engine)() as session:
            states = dict((await session.execute(
                select(OutboxMessage.status, func.count()).where(
                    OutboxMessage.dedupe_key.like("backlog:%"))
                .group_by(OutboxMessage.status))).all())
        assert "sending" not in states and states.get("pending", 0) > 0, states
        print(f"stopped {took:.1f} s after SIGTERM; {states}")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await engine.dispose()
        await fake.stop()
