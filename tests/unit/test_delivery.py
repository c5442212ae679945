"""Posting a reply: splitting long texts, buttons, retries and the errors given back."""

from __future__ import annotations

import unicodedata

import pytest

from bot.delivery import (
    MAX_PAUSES,
    Keyboard,
    RetryAfter,
    Transient,
    Unreachable,
    clean_text,
    deliver,
    split_text,
)
from bot.ratelimit import RateLimiter
from handlers.messages import Button, Reply

PARAGRAPH = ("Đồng chí Nguyễn Thị Lan, Hiệu trưởng Trường Mầm non Phổ Châu, đề xuất tuyển sinh "
             "trực tuyến. Kế hoạch nêu rõ vấn đề, cách làm, kết quả dự kiến và rủi ro!")


def words(text: str) -> list[str]:
    return text.split()


def check(parts: list[str], text: str, limit: int) -> None:
    assert all(0 < len(p) <= limit for p in parts), [len(p) for p in parts]
    assert all(p.strip() for p in parts)
    assert "".join(words("".join(parts))) == "".join(words(text))  # nothing lost


def test_a_short_text_is_one_part_untouched() -> None:
    assert split_text(PARAGRAPH, 4096) == [PARAGRAPH]
    assert split_text("", 10) == [""]
    assert split_text("x" * 10, 10) == ["x" * 10]


def test_a_long_text_is_cut_between_paragraphs_first() -> None:
    text = "\n\n".join([PARAGRAPH] * 5)
    parts = split_text(text, len(PARAGRAPH) * 2 + 10)
    check(parts, text, len(PARAGRAPH) * 2 + 10)
    assert parts == ["\n\n".join([PARAGRAPH] * 2), "\n\n".join([PARAGRAPH] * 2), PARAGRAPH]


def test_then_between_lines_then_sentences_then_words() -> None:
    lines = "\n".join(["• Bước 1: đăng ký hồ sơ", "• Bước 2: thẩm định", "• Bước 3: biểu quyết"])
    assert split_text(lines, 45) == ["• Bước 1: đăng ký hồ sơ\n• Bước 2: thẩm định",
                                     "• Bước 3: biểu quyết"]
    sentences = "Hồ sơ đã được tiếp nhận. Thời hạn trả lời là 30 ngày làm việc… Xin cảm ơn!"
    assert split_text(sentences, 40) == ["Hồ sơ đã được tiếp nhận.",
                                         "Thời hạn trả lời là 30 ngày làm việc…",
                                         "Xin cảm ơn!"]
    parts = split_text(PARAGRAPH, 30)
    check(parts, PARAGRAPH, 30)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    assert all(w in words(PARAGRAPH) for p in parts for w in words(p))  # whole words


def test_a_very_long_token_is_cut_hard_but_never_between_a_letter_and_its_accents() -> None:
    token = unicodedata.normalize("NFD", "Nguyễn" * 40)  # decomposed: e + ̣ + ̂ + ̃
    parts = split_text(token, 7)
    check(parts, token, 7)
    assert "".join(parts) == token
    assert not any(unicodedata.combining(p[0]) for p in parts)
    assert split_text("https://example.vn/" + "a" * 30, 20)[0] == "https://example.vn/a"


def test_no_part_is_blank() -> None:
    text = "a" * 10 + " " * 30 + "b" * 10 + "\n\n\n\n\n\n"
    parts = split_text(text, 12)
    assert parts == ["a" * 10, "b" * 10]
    assert split_text("   " + "c" * 5, 3) == ["ccc", "cc"]
    with pytest.raises(ValueError):
        split_text("x", 0)


class Platform:
    channel = "test"

    def __init__(self, max_text: int = 4096, errors: list[Exception] | None = None,
                 groups: tuple[str, ...] = ()) -> None:
        self.max_text, self.errors, self.groups = max_text, list(errors or []), groups
        self.posted: list[tuple[str, str, Keyboard]] = []
        self.calls = 0

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.groups

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.posted.append((chat_id, text, buttons))


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock: Clock) -> RateLimiter:
    return RateLimiter(now=clock.now, sleep=clock.sleep)


BUTTONS = ((Button("Đồng ý", "c:ok:1"), Button("Trả lại", "c:back:1")),)


async def test_buttons_go_under_the_last_part_only(limiter: RateLimiter) -> None:
    platform = Platform(max_text=len(PARAGRAPH) + 5)
    text = "\n\n".join([PARAGRAPH] * 3)
    posted = await deliver(platform, limiter, "chat", Reply(text, BUTTONS), interactive=True)
    assert posted == 3
    assert [b for _, _, b in platform.posted] == [(), (), BUTTONS]
    assert [t for _, t, _ in platform.posted] == [PARAGRAPH] * 3


async def test_transient_errors_are_retried_then_given_back(limiter: RateLimiter) -> None:
    platform = Platform(errors=[Transient("502"), Transient("timeout")])
    assert await deliver(platform, limiter, "chat", Reply("xin chào"), interactive=False,
                         retries=3, backoff=0) == 1
    assert platform.calls == 3

    failing = Platform(errors=[Transient("502")] * 10)
    with pytest.raises(Transient):
        await deliver(failing, limiter, "chat", Reply("xin chào"), interactive=False,
                      retries=3, backoff=0)
    assert failing.calls == 4 and failing.posted == []


async def test_a_blocked_chat_is_given_back_at_once(limiter: RateLimiter) -> None:
    platform = Platform(errors=[Unreachable("403 Forbidden")])
    with pytest.raises(Unreachable):
        await deliver(platform, limiter, "chat", Reply("xin chào"), interactive=False,
                      backoff=0)
    assert platform.calls == 1


async def test_flood_control_pauses_and_retries_without_counting_a_failure(
        clock: Clock, limiter: RateLimiter) -> None:
    platform = Platform(errors=[RetryAfter(12), RetryAfter(3)])
    assert await deliver(platform, limiter, "chat", Reply("xin chào"), interactive=True,
                         retries=0) == 1
    assert clock.t == pytest.approx(15)

    endless = Platform(errors=[RetryAfter(1)] * (MAX_PAUSES + 1))
    with pytest.raises(RetryAfter):
        await deliver(endless, limiter, "chat", Reply("xin chào"), interactive=False)
    assert endless.calls == MAX_PAUSES + 1


async def test_a_group_chat_is_held_to_the_group_rate(clock: Clock,
                                                      limiter: RateLimiter) -> None:
    platform = Platform(groups=("group",))
    for _ in range(21):
        await deliver(platform, limiter, "group", Reply("thông báo"), interactive=False)
    # 20 at once, the 21st once the first is a minute old (never 21 within a minute)
    assert clock.t == pytest.approx(60.02)


@pytest.mark.parametrize(("raw", "kept"), [
    ("plain", "plain"),
    ("a\x00b", "ab"),
    ("\ud800", "\ufffd"),
    ("x\udfffy\ud800", "x\ufffdy\ufffd"),
    ("\ud83d\ude00", "😀"),  # a pair split in two code points is joined
    ("Tiếng Việt 😀", "Tiếng Việt 😀"),
])
def test_text_from_a_platform_is_cleaned_to_be_kept(raw: str, kept: str) -> None:
    assert clean_text(raw) == kept
    kept.encode("utf-8")
