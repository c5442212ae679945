"""Posting a reply's files: by their id where the sender can, within the rate limits and
retries, after the text; listed as text where it cannot; a refused file does not stop
the others."""

from __future__ import annotations

import pytest

from bot.delivery import DeliveryError, FileSender, RetryAfter, Unreachable, deliver, file_line
from bot.ratelimit import RateLimiter, Ticket
from handlers.messages import Attachment, Reply
from tests.unit.test_delivery import Clock, Platform

PDF = Attachment("BQAC-1", "ke-hoach.pdf", "application/pdf", 2 * 1024 * 1024, "1" * 64)
PHOTO = Attachment("AgAC-2", "photo-AgAD2.jpg", "image/jpeg", 80_000, "2" * 64)


class FilePlatform(Platform):
    def __init__(self, file_errors: list[Exception] | None = None) -> None:
        super().__init__()
        self.file_errors = list(file_errors or [])
        self.order: list[str] = []

    async def send_text(self, chat_id: str, text: str, buttons: tuple[()]) -> None:
        await super().send_text(chat_id, text, buttons)
        self.order.append(f"text:{text}")

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        self.calls += 1
        if self.file_errors:
            raise self.file_errors.pop(0)
        self.order.append(f"file:{file_id}:{caption}")


class CountingLimiter(RateLimiter):
    def __init__(self, clock: Clock) -> None:
        super().__init__(now=clock.now, sleep=clock.sleep)
        self.acquired: list[tuple[str, bool]] = []

    async def acquire(self, chat_id: str, *, group: bool = False, interactive: bool = False,
                      in_flight: bool = False) -> Ticket:
        self.acquired.append((chat_id, interactive))
        return await super().acquire(chat_id, group=group, interactive=interactive,
                                     in_flight=in_flight)


@pytest.fixture
def limiter() -> CountingLimiter:
    return CountingLimiter(Clock())


async def test_files_follow_the_text_each_within_the_rate_limiter(
        limiter: CountingLimiter) -> None:
    platform = FilePlatform()
    assert isinstance(platform, FileSender)
    posted = await deliver(platform, limiter, "42", Reply("Tài liệu:", files=(PDF, PHOTO)),
                           interactive=True)
    assert posted == 3
    assert platform.order == ["text:Tài liệu:", "file:BQAC-1:ke-hoach.pdf",
                              "file:AgAC-2:photo-AgAD2.jpg"]
    assert limiter.acquired == [("42", True)] * 3


async def test_a_sender_without_files_lists_them_as_text(limiter: CountingLimiter) -> None:
    platform = Platform()
    assert not isinstance(platform, FileSender)
    posted = await deliver(platform, limiter, "42", Reply("Tài liệu:", files=(PDF, PHOTO)),
                           interactive=False)
    assert posted == 2
    assert platform.posted[1][1] == "📎 ke-hoach.pdf (2.0 MB)\n📎 photo-AgAD2.jpg (78 KB)"
    assert file_line(PDF) == "📎 ke-hoach.pdf (2.0 MB)"


async def test_a_refused_file_is_skipped_a_flood_wait_is_waited_out(
        limiter: CountingLimiter) -> None:
    platform = FilePlatform([DeliveryError("Bad Request: wrong file identifier"),
                             RetryAfter(1)])
    posted = await deliver(platform, limiter, "42", Reply("x", files=(PDF, PHOTO)),
                           interactive=True)
    assert posted == 2  # the text and the photo; the PDF's id was refused
    assert platform.order == ["text:x", "file:AgAC-2:photo-AgAD2.jpg"]


async def test_a_blocked_chat_stops_the_files(limiter: CountingLimiter) -> None:
    platform = FilePlatform([Unreachable("Forbidden: bot was blocked by the user")])
    with pytest.raises(Unreachable):
        await deliver(platform, limiter, "42", Reply("x", files=(PDF, PHOTO)),
                      interactive=True)
    assert platform.order == ["text:x"]
