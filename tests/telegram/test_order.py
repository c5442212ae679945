"""Answers keep the order of the messages they answer, even when the first one is held
back by flood control (Telegram, aiogram and python-telegram-bot; Zalo: tests/zalo)."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import Start

FIRST, SECOND = "/help", "/hanchot"
FIRST_WORDS, SECOND_WORDS = "Trợ lý có thể giúp", "liên kết"  # /hanchot asks a guest to link


def _order(texts: list[str]) -> list[str]:
    """Which answer came first, by the words only that answer has."""
    seen: list[str] = []
    for text in texts:
        for name, words in (("first", FIRST_WORDS), ("second", SECOND_WORDS)):
            if words in text and name not in seen:
                seen.append(name)
    return seen


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_a_reply_held_by_a_429_is_not_overtaken_on_telegram(start_bot: Start,
                                                                  framework: str) -> None:
    run = await start_bot(framework, codes=False)
    fake, user = run.fake, 5151
    fake.user_sends(user, "/start")
    await fake.wait_for(lambda f: f.sent_to(user), timeout=60)
    await fake.wait_idle(quiet=0.5, timeout=60)
    before = len(fake.sent_to(user))
    fake.fail_next("sendMessage", 429, retry_after=2)
    fake.user_sends(user, FIRST)
    await fake.wait_for(lambda f: any(c.status == 429 for c in f.calls_to("sendMessage")),
                        timeout=60)
    fake.user_sends(user, SECOND)  # written while the first answer waits out the 429
    await fake.wait_for(lambda f: _order([m.get("text", "") for m in
                                          f.sent_to(user)[before:]]) and len(
        _order([m.get("text", "") for m in f.sent_to(user)[before:]])) == 2, timeout=60)
    assert _order([m.get("text", "") for m in fake.sent_to(user)[before:]]) == [
        "first", "second"]
