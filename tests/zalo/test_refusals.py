"""Zalo's refusals: a known code keeps its meaning, a code Zalo never documented (``ok:
false`` with HTTP 200, e.g. -32) is retried in place a bounded number of times, and a
reply finally given up is logged in one line (no traceback) and handed to the hook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.console import ensure_demo
from bot.delivery import TRANSIENT_RETRIES, DeliveryError, RetryAfter, Transient, Unreachable
from bot.fakes.zalo import FakeZalo
from bot.ratelimit import RateLimiter
from bot.wiring import build_app
from bot.zalo.adapter import ZaloAdapter
from bot.zalo.client import ZaloApiError, ZaloTransient, error_for
from handlers.messages import Reply
from tests.zalo.conftest import ZALO_TOKEN


@pytest.mark.parametrize(("status", "body", "expected"), [
    (200, {"ok": False, "error_code": 429, "description": "Too many requests"}, RetryAfter),
    (429, None, RetryAfter),
    (200, {"ok": False, "error_code": 503}, Transient),
    (502, None, Transient),
    (200, {"ok": False, "error_code": 403, "description": "Forbidden"}, Unreachable),
    (200, {"ok": False, "error_code": -201, "description": "User has blocked the bot"},
     Unreachable),
    (200, {"ok": False, "error_code": 404, "description": "chat not found"}, Unreachable),
    (200, {"ok": False, "error_code": 401, "description": "Unauthorized"}, ZaloApiError),
    (200, {"ok": False, "error_code": 400, "description": "text is invalid"}, ZaloApiError),
    (200, {"ok": False, "error_code": 413, "description": "too large"}, ZaloApiError),
    (404, {"ok": False, "description": "Method not found"}, ZaloApiError),
    (400, {"ok": False, "error_code": -32}, ZaloApiError),  # the status is known: refused
    (200, {"ok": False, "error_code": 408, "description": "Request timeout"}, ZaloTransient),
    (200, {"ok": False, "error_code": -32}, ZaloTransient),  # nobody documented it
    (200, {"ok": False, "error_code": 0, "description": "Unknown error"}, ZaloTransient),
    (200, {"ok": False}, ZaloTransient),
    (200, {"ok": False, "error_code": 1e400}, ZaloTransient),
    (200, {"ok": False, "error_code": 1001, "description": "Quota"}, ZaloTransient),
])
def test_each_refusal_has_its_class(status: int, body: dict[str, Any] | None,
                                    expected: type[DeliveryError]) -> None:
    error = error_for("sendMessage", status, body)
    assert type(error) is expected
    # An unknown code is retried like a server error, in place and by the notifier.
    assert isinstance(error, Transient) == (expected in (Transient, ZaloTransient))


@dataclass
class Bot:
    adapter: ZaloAdapter
    given_up: list[tuple[str, str, Reply]]


@pytest.fixture
async def bot(zalo: FakeZalo, tmp_path: Path) -> AsyncIterator[Bot]:
    """The Zalo adapter on the demo organisation, its given-up replies kept."""
    app = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'refusals.sqlite3'}")
    await ensure_demo(app, "duc-pho-2022")
    adapter = ZaloAdapter(ZALO_TOKEN, zalo.base, app.services, app.engine)
    given_up: list[tuple[str, str, Reply]] = []

    async def record(chat: str, error: str, reply: Reply) -> None:
        given_up.append((chat, error, reply))

    adapter.attach(app.assistant, RateLimiter(), given_up=record)
    try:
        yield Bot(adapter, given_up)
    finally:
        await adapter.close()
        await app.close()


def refusals(zalo: FakeZalo) -> list[Any]:
    return [c.response.get("error_code") for c in zalo.calls_to("sendMessage")
            if c.response.get("ok") is False]


def one_line_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in errors), errors
    return errors


async def test_a_reply_refused_once_with_an_unknown_code_is_retried_and_delivered(
        zalo: FakeZalo, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    zalo.fail_next("sendMessage", -32, http_status=200)
    await bot.adapter.feed(zalo.user_sends("z-1", "/start"))
    texts = zalo.texts("z-1")
    assert "Chào mừng" in texts[0]  # delivered after the refusal, in order
    assert "Ngôn ngữ / Language" in texts[-1]  # and the menu, with its numbered list
    assert refusals(zalo) == [-32]
    assert await bot.adapter.book.shown("z-1") is not None  # the list can be answered
    assert bot.given_up == []
    assert one_line_errors(caplog) == []


async def test_an_always_refused_reply_is_given_up_after_the_bound_in_one_line(
        zalo: FakeZalo, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    zalo.fail_next("sendMessage", -32, http_status=200, count=100)
    await bot.adapter.feed(zalo.user_sends("z-2", "/start"))
    # Each reply of the turn was tried 1 + TRANSIENT_RETRIES times, then given up.
    [(_, first_error, first), *others] = bot.given_up
    assert len(refusals(zalo)) == (1 + TRANSIENT_RETRIES) * len(bot.given_up)
    assert "Chào mừng" in first.text and first_error == "Zalo sendMessage: -32 Error -32"
    assert all(chat == "z-2" for chat, _, _ in bot.given_up)
    errors = one_line_errors(caplog)
    assert len(errors) == len(bot.given_up)
    assert "gave up a reply to chat z-2" in errors[0].getMessage()
    assert "-32" in errors[0].getMessage()
    assert zalo.texts("z-2") == []
    assert await bot.adapter.book.shown("z-2") is None  # no list it did not see
    assert others  # the menu was tried too, after the first was given up


async def test_a_known_refusal_is_not_retried_and_the_rest_of_the_turn_still_goes(
        zalo: FakeZalo, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    zalo.fail_next("sendMessage", 400, description="text is invalid", http_status=200)
    await bot.adapter.feed(zalo.user_sends("z-3", "/start"))
    assert refusals(zalo) == [400]  # tried once
    [(chat, error, reply)] = bot.given_up
    assert chat == "z-3" and "text is invalid" in error and "Chào mừng" in reply.text
    assert "Ngôn ngữ / Language" in zalo.texts("z-3")[-1]  # the menu arrived after it
    assert len(one_line_errors(caplog)) == 1


async def test_a_blocked_chat_is_not_given_up_to_the_operator(
        zalo: FakeZalo, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    update = zalo.user_sends("z-4", "/start")
    zalo.user_blocks_bot("z-4")
    await bot.adapter.feed(update)
    assert bot.given_up == []  # the notifier reports blocked people to their office
    assert len(zalo.calls_to("sendMessage")) == 1  # nothing more was tried
    assert one_line_errors(caplog) == []
