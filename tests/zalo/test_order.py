"""Answers keep the order of the messages they answer on Zalo too, even when the first
one is held back by flood control."""

from __future__ import annotations

import asyncio

from tests.telegram.test_order import FIRST, SECOND, _order
from tests.zalo.conftest import Start


async def test_a_reply_held_by_a_429_is_not_overtaken_on_zalo(start_bot: Start) -> None:
    run = await start_bot()
    fake, user = run.zalo, "zalo-order-1"
    fake.user_sends(user, "/start")
    await fake.wait_for(lambda f: f.texts(user), timeout=60)
    await fake.wait_idle(quiet=0.5, timeout=60)
    before = len(fake.texts(user))
    fake.fail_next("sendMessage", 429, retry_after=2)
    fake.user_sends(user, FIRST)
    await asyncio.sleep(0.3)  # the first answer is now waiting out the 429
    fake.user_sends(user, SECOND)
    await fake.wait_for(lambda f: len(_order(f.texts(user)[before:])) == 2, timeout=60)
    assert _order(fake.texts(user)[before:]) == ["first", "second"]
