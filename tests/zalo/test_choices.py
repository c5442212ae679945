"""Numbered choices where Zalo has no buttons, Zalo updates read, linking words, and the
channel a person chose for notifications: the parts, without a server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.console import ensure_demo
from bot.delivery import deliver
from bot.ratelimit import RateLimiter
from bot.wiring import App, build_app
from bot.zalo.choices import ChoiceBook, Kind, again, fold, interpret, numbered, render
from bot.zalo.core import ZaloCore, link_command, looks_like_code, parse_update
from bot.zalo.sender import ZaloSender
from handlers.i18n import Translator
from handlers.messages import Button, Reply, rows
from storage import outbox_queue
from storage.models import ChatAccount
from storage.shown_choices import Shown

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
VOTE = (("Tán thành", "k:vt:1:1:a"), ("Không tán thành", "k:vt:1:1:r"),
        ("Đề nghị chuẩn bị lại", "k:vt:1:1:p"))
SHOWN = Shown(VOTE, "vi", NOW - timedelta(minutes=1))


def test_choices_are_numbered_in_the_readers_language() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert render(VOTE, vi) == ("Đồng chí trả lời bằng một số để chọn:\n1. Tán thành\n"
                                "2. Không tán thành\n3. Đề nghị chuẩn bị lại")
    assert render(VOTE[:1], vi) == "Trả lời 1 để chọn “Tán thành”."
    assert render((("Approve", "x"),), en, start=4) == "Reply 4 to choose “Approve”."
    assert render((("A", "a"), ("B", "b")), en, start=3).splitlines()[1:] == ["3. A", "4. B"]
    keyboard = rows(Button("Tán thành", "a"), Button("Không", "r"), per_row=2)
    assert numbered(keyboard) == (("Tán thành", "a"), ("Không", "r"))


def test_a_number_or_the_options_words_become_its_action() -> None:
    for text in ("1", " 1 ", "1.", "1)", "số 1", "#1"):
        assert interpret(text, SHOWN, NOW).action == "k:vt:1:1:a", text
    for text in ("tán thành", "TAN THANH", "Tán thành!", "tan  thanh"):
        assert interpret(text, SHOWN, NOW).action == "k:vt:1:1:a", text
    # Whole labels only: "không tán thành" is the second option, not the first.
    assert interpret("khong tan thanh", SHOWN, NOW).action == "k:vt:1:1:r"
    assert interpret("3", SHOWN, NOW).action == "k:vt:1:1:p"
    assert fold("Đề nghị chuẩn bị lại.") == "de nghi chuan bi lai"


def test_anything_else_is_text_and_a_wrong_number_gets_the_list_again() -> None:
    for text in ("tán", "Tôi tán thành kế hoạch", "15-CV/ĐU", "1 2"):
        assert interpret(text, SHOWN, NOW).kind is Kind.TEXT, text
    assert interpret("1", None, NOW).kind is Kind.TEXT  # no list shown: the text goes on
    assert interpret("4", SHOWN, NOW).kind is Kind.OUT_OF_RANGE
    assert interpret("0", SHOWN, NOW).kind is Kind.OUT_OF_RANGE
    text = again(interpret("4", SHOWN, NOW), SHOWN)
    assert text.startswith("Số này không có trong danh sách")
    assert text.endswith("3. Đề nghị chuẩn bị lại")


def test_an_answer_to_a_list_no_longer_on_screen_is_stale() -> None:
    written_before = SHOWN.shown_at - timedelta(seconds=30)
    assert interpret("1", SHOWN, NOW, written_before).kind is Kind.STALE
    assert interpret("tán thành", SHOWN, NOW, written_before).kind is Kind.STALE
    # A second or two of difference between Zalo's clock and ours is not staleness.
    assert interpret("1", SHOWN, NOW, SHOWN.shown_at - timedelta(seconds=1)).action
    old = Shown(VOTE, "vi", NOW - timedelta(hours=25))
    assert interpret("1", old, NOW, NOW).kind is Kind.STALE
    assert "đã thay đổi hoặc đã cũ" in again(interpret("1", old, NOW), old)


def test_zalo_updates_are_read_whatever_their_envelope() -> None:
    message = {"from": {"id": "u1", "display_name": "Lan"},
               "chat": {"id": "u1", "chat_type": "PRIVATE"}, "text": "1",
               "message_id": "m1", "date": 1_766_619_597_466}
    update_ = {"event_name": "message.text.received", "message": message}
    for body in (update_, {"ok": True, "result": update_}):
        read = parse_update(body)
        assert read is not None and (read.user_id, read.chat_id, read.text) == ("u1", "u1", "1")
        assert read.name == "Lan" and read.written_at is not None
    photo = parse_update({"event_name": "message.image.received", "message": {
        **message, "text": None, "photo": "https://f/p.jpg", "caption": "Kế hoạch"}})
    assert photo is not None and photo.photo == "https://f/p.jpg" and photo.text == "Kế hoạch"
    sticker = parse_update({"event_name": "message.sticker.received",
                            "message": {**message, "text": None, "sticker": "x"}})
    assert sticker is not None and sticker.unsupported
    group = parse_update({"message": {**message, "chat": {"id": "g1", "chat_type": "GROUP"}}})
    assert group is not None and group.group and group.chat_id == "g1"
    assert parse_update({"event_name": "message.text.received"}) is None
    assert parse_update({"message": {"text": "no ids"}}) is None


def test_linking_words_and_a_code_alone() -> None:
    assert link_command("LIENKET K7PM-Q2XD") == "/start K7PM Q2XD"
    assert link_command("Liên kết k7pmq2xd") == "/start K7PMQ2XD"
    assert link_command("lien ket: 123456") == "/start 123456"
    assert link_command("liênkết") == "/start"
    assert link_command("Liên kết tài khoản của tôi với ai?") is None  # a question
    assert link_command("Tôi muốn liên kết") is None
    assert looks_like_code("K7PM-Q2XD") and looks_like_code("k7pmq2xd")
    assert not looks_like_code("xin chào") and not looks_like_code("K7PM-Q2X0")
    assert not looks_like_code("hello123")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    made = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'choices.sqlite3'}")
    await ensure_demo(made, "duc-pho-2022")
    try:
        yield made
    finally:
        await made.close()


async def test_the_last_list_of_a_chat_is_kept_in_the_database(app: App) -> None:
    clock = [NOW]
    book = ChoiceBook(app.engine, "zalo", wall=lambda: clock[0])
    assert await book.shown("chat-1") is None
    await book.show("chat-1", VOTE, "vi")
    await book.show("chat-2", VOTE[:1], "en")
    clock[0] = NOW + timedelta(minutes=1)
    await book.show("chat-1", VOTE[1:], "vi")  # a newer list replaces the older one
    # Another worker (or the same after a restart) reads the same.
    other = ChoiceBook(app.engine, "zalo")
    shown = await other.shown("chat-1")
    assert shown is not None and shown.choices == VOTE[1:] and shown.shown_at == clock[0]
    assert (await other.shown("chat-2")) == Shown(VOTE[:1], "en", NOW)
    answer, _ = await book.interpret("chat-1", "1", clock[0])
    assert answer.action == "k:vt:1:1:r"
    clock[0] = NOW + timedelta(days=2)
    answer, _ = await book.interpret("chat-1", "1", clock[0])
    assert answer.kind is Kind.STALE
    await book.shown_again("chat-1")
    answer, _ = await book.interpret("chat-1", "1", clock[0])
    assert answer.action == "k:vt:1:1:r"


async def test_the_notifier_honours_the_chosen_channel_then_the_one_used_last(
        app: App) -> None:
    person = "nguyen-thi-lan"
    async with app.engine.begin() as conn:
        await conn.execute(ChatAccount.__table__.insert(), [
            {"channel": "telegram", "external_id": "101", "chat_id": "101",
             "person_id": person, "linked_at": NOW, "last_seen_at": NOW},
            {"channel": "zalo", "external_id": "z1", "chat_id": "z1", "person_id": person,
             "linked_at": NOW, "last_seen_at": NOW - timedelta(hours=1)}])
    both = ("telegram", "zalo")

    async def order() -> list[str]:
        found = await outbox_queue.accounts(app.engine, [person], both)
        return [a.channel for a in found[person]]

    directory = app.services.directory
    assert await order() == ["telegram", "zalo"]  # used last
    linked = await directory.linked_channels(person)
    assert [c.channel for c in linked] == ["telegram", "zalo"]
    assert not any(c.preferred for c in linked)
    assert await directory.prefer_channel(person, "zalo")
    assert await order() == ["zalo", "telegram"]  # chosen, though used earlier
    assert [c.channel for c in await directory.linked_channels(person) if c.preferred] == [
        "zalo"]
    assert not await directory.prefer_channel(person, "console")  # no account there
    assert await order() == ["zalo", "telegram"]
    async with app.engine.begin() as conn:  # the chosen one blocked the bot
        await conn.execute(update(ChatAccount).where(ChatAccount.channel == "zalo")
                           .values(unreachable_since=NOW))
    assert await order() == ["telegram"]
    assert [c.reachable for c in await directory.linked_channels(person)] == [True, False]
    assert await directory.prefer_channel(person, None)
    async with app.engine.begin() as conn:
        await conn.execute(update(ChatAccount).values(unreachable_since=None))
    assert await order() == ["telegram", "zalo"]


class RecordingClient:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_message(self, chat_id: str, text: str) -> dict[str, str]:
        self.sent.append(text)
        return {}


async def test_a_long_notification_is_split_at_sentences_and_its_choices_recorded(
        app: App) -> None:
    client = RecordingClient()
    book = ChoiceBook(app.engine, "zalo")

    async def language(_chat: str) -> str:
        return "vi"

    sender = ZaloSender(client, book, language)  # type: ignore[arg-type]
    sentence = "Đề nghị đồng chí nghiên cứu hồ sơ và cho ý kiến trước thời hạn. "
    text = sentence * 70  # about 4,500 characters
    buttons = rows(Button("Tán thành", "k:vt:1:1:a"), Button("Không tán thành", "k:vt:1:1:r"))
    posted = await deliver(sender, RateLimiter(), "chat-9", Reply(text.strip(), buttons),
                           interactive=False)
    assert posted == len(client.sent) == 3
    assert all(len(part) <= 2000 for part in client.sent)
    assert all(part.rstrip().endswith(("hạn.", "2. Không tán thành")) for part in client.sent)
    assert client.sent[-1].endswith("1. Tán thành\n2. Không tán thành")
    shown = await book.shown("chat-9")
    assert shown is not None and shown.choices == (("Tán thành", "k:vt:1:1:a"),
                                                   ("Không tán thành", "k:vt:1:1:r"))


class HoldingClient(RecordingClient):
    """Posts at once but, when asked, answers the next post only once released: the
    message is on the person's screen before the bot knows it was delivered."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_next = False
        self.posted, self.release = asyncio.Event(), asyncio.Event()

    async def send_message(self, chat_id: str, text: str) -> dict[str, str]:
        await super().send_message(chat_id, text)
        if self.hold_next:
            self.hold_next = False
            self.posted.set()
            await self.release.wait()
        return {}


async def test_an_answer_typed_while_a_notification_is_posted_waits_for_its_list(
        app: App) -> None:
    """The person reads a notification's list and answers "2" before Zalo confirmed the
    post to the notifier: the answer is read against that list, not the one before."""
    client = HoldingClient()
    book = ChoiceBook(app.engine, "zalo")

    async def language(_chat: str) -> str:
        return "vi"

    sender = ZaloSender(client, book, language)  # type: ignore[arg-type]

    async def no_download(_url: str, _limit: int) -> bytes:
        raise AssertionError("no photo here")

    core = ZaloCore(app.assistant, app.services, sender, RateLimiter(), book,
                    download=no_download)
    chat = "z-guest-1"
    await sender.send_text(chat, "Thông báo cũ.", rows(Button("Trợ giúp", "m:help")))
    client.hold_next = True
    notice = asyncio.create_task(sender.send_text(chat, "Thông báo mới.", rows(
        Button("Trợ giúp", "m:help"), Button("Ngôn ngữ", "m:language"))))
    await client.posted.wait()
    message = {"from": {"id": chat, "display_name": "Khách"},
               "chat": {"id": chat, "chat_type": "PRIVATE"}, "text": "2",
               "message_id": "answer-1", "date": int(datetime.now(UTC).timestamp() * 1000)}
    turn = asyncio.create_task(core.handle({"event_name": "message.text.received",
                                            "message": message}))
    await asyncio.sleep(0.2)
    assert not turn.done()  # waiting for the list being posted
    client.release.set()
    await asyncio.gather(notice, turn)
    answer = client.sent[-1]
    assert "Số này không có trong danh sách" not in answer
    assert "English" in answer  # the language choice, the second of the new list
