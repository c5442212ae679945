"""A burst on the default SQLite: 200 people write three messages each at once, through
the fake Bot API, and every message is answered: nothing is lost to a locked database."""

from __future__ import annotations

import logging
import time

import pytest

from tests.telegram.conftest import Start

PEOPLE, MESSAGES = 200, 3
QUESTIONS = ("/help", "/quydinh", "/menu")
CONTROL = 69_999  # asks the same questions alone first: how many messages answer them


async def test_every_message_of_a_burst_is_answered(start_bot: Start,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    run = await start_bot("aiogram", codes=False)
    fake = run.fake
    users = range(70_000, 70_000 + PEOPLE)
    for user in users:  # everyone has spoken once, so the burst is all conversation turns
        fake.user_sends(user, "/start", first_name=f"Người {user}")
    await fake.wait_for(lambda f: all(f.sent_to(u) for u in users), timeout=300)
    await fake.wait_idle(quiet=1.0, timeout=300)
    before = {u: len(fake.sent_to(u)) for u in users}
    fake.user_sends(CONTROL, "/start")
    await fake.wait_for(lambda f: f.sent_to(CONTROL), timeout=60)
    await fake.wait_idle(quiet=0.5, timeout=60)
    expected = 0
    for question in QUESTIONS:
        count = len(fake.sent_to(CONTROL))
        fake.user_sends(CONTROL, question)
        await fake.wait_for(lambda f, c=count: len(f.sent_to(CONTROL)) > c, timeout=60)
        await fake.wait_idle(quiet=0.5, timeout=60)
        expected += len(fake.sent_to(CONTROL)) - count
    started = time.monotonic()
    for round_ in range(MESSAGES):
        for user in users:
            fake.user_sends(user, QUESTIONS[round_], first_name=f"Người {user}")
    await fake.wait_for(lambda f: all(len(f.sent_to(u)) >= before[u] + expected
                                      for u in users), timeout=600)
    await fake.wait_idle(quiet=0.5, timeout=120)
    elapsed = time.monotonic() - started
    answered = {u: len(fake.sent_to(u)) - before[u] for u in users}
    assert all(n == expected for n in answered.values()), answered
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not problems, problems[:3]
    print(f"{PEOPLE * MESSAGES} messages answered in {elapsed:.1f} s")
