"""A Telegram reply that cannot be delivered (refused, or still failing after the bounded
retries) is logged in one line, without a traceback, and handed to the ``given_up`` hook;
the rest of the turn still goes, except to a chat that blocked the bot."""

from __future__ import annotations

import logging

import pytest

from bot.delivery import (
    TRANSIENT_RETRIES,
    DeliveryError,
    Keyboard,
    Transient,
    Unreachable,
)
from bot.ratelimit import RateLimiter
from bot.telegram.core import Incoming, TelegramCore
from handlers.messages import Inbound, Reply


class Replies:
    """An assistant that answers every message with the same replies."""

    def __init__(self, *texts: str) -> None:
        self.replies = [Reply(text) for text in texts]

    async def handle(self, inbound: Inbound) -> list[Reply]:
        return list(self.replies)


class RefusingOps:
    """Posts what it is given, but fails the texts it was told to with ``errors``."""

    channel, max_text = "telegram", 4096

    def __init__(self, errors: dict[str, DeliveryError]) -> None:
        self.errors = errors
        self.sent: list[str] = []
        self.tries: dict[str, int] = {}

    def is_group(self, chat_id: str) -> bool:
        return False

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        self.tries[text] = self.tries.get(text, 0) + 1
        if text in self.errors:
            raise self.errors[text]
        self.sent.append(text)

    async def edit_text(self, chat_id: str, message_id: int, text: str,
                        buttons: Keyboard) -> None:
        raise AssertionError("no button was pressed")

    async def download(self, file_id: str, limit: int) -> bytes:
        raise AssertionError("no file was sent")

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        raise AssertionError("no file was sent")


async def turn(ops: RefusingOps, *texts: str) -> list[tuple[str, str, Reply]]:
    given_up: list[tuple[str, str, Reply]] = []

    async def record(chat: str, error: str, reply: Reply) -> None:
        given_up.append((chat, error, reply))

    core = TelegramCore(Replies(*texts), ops, RateLimiter(),  # type: ignore[arg-type]
                        given_up=record)
    await core.handle(Incoming(update_id=1, user_id=1001, chat_id=1001, text="/start"))
    return given_up


def one_line_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in errors), errors
    return [r.getMessage() for r in errors]


async def test_a_refused_reply_is_given_up_in_one_line_and_the_next_still_goes(
        caplog: pytest.LogCaptureFixture) -> None:
    ops = RefusingOps({"one": DeliveryError("Bad Request: can't parse entities")})
    given_up = await turn(ops, "one", "two")
    assert given_up == [("1001", "Bad Request: can't parse entities", Reply("one"))]
    assert ops.tries["one"] == 1 and ops.sent == ["two"]
    assert one_line_errors(caplog) == [
        "telegram: gave up a reply to chat 1001 (3 characters): DeliveryError: Bad Request: "
        "can't parse entities"]


async def test_a_reply_failing_every_time_is_given_up_after_the_bounded_retries(
        caplog: pytest.LogCaptureFixture) -> None:
    ops = RefusingOps({"one": Transient("Internal Server Error (500)")})
    given_up = await turn(ops, "one")
    assert ops.tries["one"] == 1 + TRANSIENT_RETRIES
    assert [(chat, reply.text) for chat, _, reply in given_up] == [("1001", "one")]
    assert len(one_line_errors(caplog)) == 1


async def test_a_chat_that_blocked_the_bot_gets_nothing_more_and_is_no_operator_matter(
        caplog: pytest.LogCaptureFixture) -> None:
    ops = RefusingOps({"one": Unreachable("Forbidden: bot was blocked by the user")})
    assert await turn(ops, "one", "two") == []
    assert ops.sent == [] and "two" not in ops.tries
    assert one_line_errors(caplog) == []


async def test_the_running_bot_keeps_a_given_up_reply_and_sends_it_later(start_bot) -> None:  # type: ignore[no-untyped-def]
    """The Bot API fails every try of a linked person's answer: the answer is kept in the
    outbox for her, and the notifier sends it once the API is back."""
    from tests.telegram.people import Person

    run = await start_bot("aiogram")
    lan = Person(run.fake, 4242, "Lan", core=run.service.core)
    await lan.say(f"/start {run.codes['nguyen-thi-lan']}")
    run.fake.fail_next("sendMessage", 502, count=TRANSIENT_RETRIES + 1)
    run.fake.user_sends(4242, "/help")
    # Kept, then sent by the notifier after its back-off (10 s).
    assert await lan.expect("Trợ lý có thể giúp đồng chí", timeout=60)
    refused = [c for c in run.fake.calls_to("sendMessage") if c.status == 502]
    assert len(refused) == TRANSIENT_RETRIES + 1
