"""Bad input never becomes a 5xx or a traceback: whatever is posted to the webhook server
with the right secret (random JSON, deep nesting, huge strings, wrong types, lone
surrogates), through the real adapters (aiogram, python-telegram-bot, Zalo) and cores to
the real assistant on a database; an update that cannot be read is logged in one line and
ignored, in webhook and in polling mode; texts reach the handlers cleaned."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from bot.console import ensure_demo
from bot.delivery import Keyboard
from bot.fakes.telegram import FakeTelegram
from bot.fakes.zalo import FakeZalo
from bot.ratelimit import Limits, RateLimiter
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.core import TelegramCore
from bot.telegram.ptb_adapter import PtbAdapter
from bot.webhook import MAX_BODY, MAX_DEPTH, Route, webhook_server
from bot.wiring import App, build_app
from bot.zalo.adapter import SECRET_HEADER as ZALO_HEADER
from bot.zalo.adapter import ZaloAdapter, wrapped_update
from handlers.app import Assistant
from handlers.messages import Inbound, Reply
from storage.models import ChatAccount
from tests.telegram.conftest import free_port

SECRET = "fuzz-Secret_0123456789"
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_TOKEN = "2233445566:zalo-test-token-for-the-fake-server"
FAST = Limits(per_second=1e6, burst=1e6, chat_per_second=1e6, chat_burst=1e6,
              group_per_minute=1e8, group_burst=1e6)
HEADERS = {"/aiogram": TELEGRAM_HEADER, "/ptb": TELEGRAM_HEADER, "/zalo": ZALO_HEADER}

USER = {"id": 1001, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn",
        "language_code": "vi"}
CHAT = {"id": 1001, "type": "private", "first_name": "Lan"}
TELEGRAM_TEMPLATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {"message_id": 7, "date": 1_700_000_000, "chat": CHAT,
                                 "from": USER, "text": "/start"}},
    {"update_id": 1, "message": {"message_id": 8, "date": 1_700_000_000, "chat": CHAT,
                                 "from": USER, "caption": "hồ sơ", "document": {
                                     "file_id": "DOC1", "file_unique_id": "U1",
                                     "file_name": "plan.pdf", "mime_type": "application/pdf",
                                     "file_size": 1234}}},
    {"update_id": 1, "message": {"message_id": 9, "date": 1_700_000_000, "chat": CHAT,
                                 "from": USER, "photo": [
                                     {"file_id": "P1", "file_unique_id": "S", "width": 90,
                                      "height": 68, "file_size": 10}]}},
    {"update_id": 1, "callback_query": {
        "id": "q1", "from": USER, "chat_instance": "ci", "data": "m:help",
        "message": {"message_id": 9, "date": 1_700_000_000, "chat": CHAT, "text": "Menu"}}},
]
ZALO_MESSAGE = {"from": {"id": "z1", "display_name": "Lan", "is_bot": False},
                "chat": {"id": "z1", "chat_type": "PRIVATE"}, "text": "/start",
                "message_id": "m1", "date": 1_766_619_597_466}
ZALO_TEMPLATES: list[dict[str, Any]] = [
    {"ok": True, "result": {"event_name": "message.text.received", "message": ZALO_MESSAGE}},
    {"event_name": "message.image.received",
     "message": {**ZALO_MESSAGE, "text": None, "photo": "https://f/p.jpg", "caption": "Ảnh"}},
]


class Recorder:
    """The real assistant, remembering what reached it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.seen: list[Inbound] = []

    async def handle(self, inbound: Inbound) -> list[Reply]:
        self.seen.append(inbound)
        return await self.assistant.handle(inbound)


class SilentOps:
    """``TelegramOps`` that posts nothing (random chats are nobody's), but keeps it."""

    channel, max_text = "telegram", 4096

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        self.sent.append((chat_id, text))

    async def edit_text(self, chat_id: str, message_id: int, text: str,
                        buttons: Keyboard) -> None:
        self.sent.append((chat_id, text))

    async def download(self, file_id: str, limit: int) -> bytes:
        return b"%PDF-1.7 fuzz"

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        self.sent.append((chat_id, caption))


class Counted:
    """A route's feed that counts the updates it finished, however they ended."""

    def __init__(self, feed: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self.feed, self.started, self.done = feed, 0, 0

    async def __call__(self, data: dict[str, Any]) -> None:
        self.started += 1
        try:
            await self.feed(data)
        finally:
            self.done += 1


@dataclass
class Bench:
    loop: asyncio.AbstractEventLoop
    port: int
    app: App
    feeds: dict[str, Counted]
    recorder: Recorder
    ops: SilentOps
    close: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    def post(self, path: str, body: bytes) -> int:
        """Post ``body`` to ``path`` with the secret; the status, once the update (if
        one was accepted) has been handled."""
        return self.loop.run_until_complete(self._post(path, body))

    async def _post(self, path: str, body: bytes) -> int:
        feed = self.feeds[path]
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{self.port}{path}", data=body,
                headers={HEADERS[path]: SECRET, "Content-Type": "application/json"}
        ) as response:
            status = response.status
            answer = await response.read()
        if status == 200 and json.loads(answer) == {"ok": True}:  # handled in the background
            for _ in range(6000):
                if feed.started and feed.done == feed.started:
                    break
                await asyncio.sleep(0.005)
            else:
                raise AssertionError(f"the update posted to {path} was not handled in 30 s")
            feed.started = feed.done = 0
        return status


async def _start(folder: Path) -> Bench:
    app = await build_app(f"sqlite+aiosqlite:///{folder / 'fuzz.sqlite3'}")
    await ensure_demo(app, "duc-pho-2022")
    telegram, zalo_server = FakeTelegram(), FakeZalo(ZALO_TOKEN)
    await telegram.start()
    await zalo_server.start()
    recorder, ops = Recorder(app.assistant), SilentOps()
    aiogram, ptb = AiogramAdapter(telegram.token, telegram.base), PtbAdapter(
        telegram.token, telegram.base)

    async def first_time(_id: object) -> bool:  # examples repeat ids: handle them all
        return True

    for adapter in (aiogram, ptb):
        adapter.attach(TelegramCore(recorder, ops, RateLimiter(FAST),  # type: ignore[arg-type]
                                    claim=first_time))
    zalo = ZaloAdapter(ZALO_TOKEN, zalo_server.base, app.services, app.engine)
    core = zalo.attach(recorder, RateLimiter(FAST), claim=first_time)  # type: ignore[arg-type]

    async def photo(_url: str, _limit: int) -> bytes:
        return b"\xff\xd8 fuzz"

    core.download = photo
    feeds = {"/aiogram": Counted(aiogram.feed), "/ptb": Counted(ptb.feed),
             "/zalo": Counted(zalo.feed)}

    async def healthy() -> bool:
        return True

    server = web.AppRunner(webhook_server([
        Route("/aiogram", feeds["/aiogram"], SECRET), Route("/ptb", feeds["/ptb"], SECRET),
        Route("/zalo", feeds["/zalo"], SECRET, header=ZALO_HEADER, accept=wrapped_update),
    ], healthy))
    await server.setup()
    port = free_port()
    await web.TCPSite(server, "127.0.0.1", port).start()
    return Bench(asyncio.get_running_loop(), port, app, feeds, recorder, ops, close=[
        server.cleanup, aiogram.close, ptb.close, zalo.close, telegram.stop,
        zalo_server.stop, app.close])


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """One bot for the module's examples, on its own event loop (hypothesis runs each
    example as a plain call)."""
    loop = asyncio.new_event_loop()
    made = loop.run_until_complete(_start(tmp_path_factory.mktemp("fuzz")))
    try:
        yield made
    finally:
        for close in made.close:
            loop.run_until_complete(close())
        loop.close()


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:200]}" for r in records if r.exc_info is not None
            or r.exc_text or "Traceback" in r.getMessage()]


# --- what is posted ---------------------------------------------------------------------

KEYS = st.sampled_from(["update_id", "message", "text", "chat", "from", "id", "message_id",
                        "date", "callback_query", "data", "result", "event_name", "photo",
                        "caption", "ok", "document", "file_size"]) | st.text(max_size=8)
TEXTS = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates
    st.sampled_from(["\ud800", "a\x00b", "x\udfffy\x00", "/start \ud800", "1", "LIENKET \x00",
                     "\ud83d\ude00", ""]),
    st.integers(1000, 150_000).map(lambda n: "ạ" * n),  # huge
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(),
                    st.integers(min_value=2 ** 63, max_value=2 ** 200), st.floats(), TEXTS)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS, inner, max_size=4), max_leaves=10)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = (value.items() if isinstance(value, dict)
             else enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        yield (*prefix, key)
        yield from _paths(item, (*prefix, key))


@st.composite
def mutated(draw: st.DrawFn, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """A real update with a few of its fields removed or replaced by anything."""
    update = copy.deepcopy(draw(st.sampled_from(templates)))
    count = draw(st.sampled_from([0, 0, 1, 1, 2, 3]))  # a third left whole
    for path in draw(st.lists(st.sampled_from(list(_paths(update))), min_size=count,
                              max_size=count)):
        parent: Any = update
        for key in path[:-1]:
            try:
                parent = parent[key]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        key = path[-1]  # an earlier change may have replaced what held it
        held = (key in parent if isinstance(parent, dict) else isinstance(parent, list)
                and isinstance(key, int) and key < len(parent))
        if not held:
            continue
        if draw(st.booleans()):
            del parent[key]
        else:
            parent[key] = draw(VALUES)
    return update


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()  # lone surrogates travel as \ud800 escapes


def _deep(levels: int) -> bytes:
    return b'{"update_id": 5, "message": ' + b"[" * levels + b"]" * levels + b"}"


HUGE = b'{"update_id": 6, "message": {"text": "' + b"a" * (MAX_BODY + 10) + b'"}}'
TELEGRAM_PATHS = st.sampled_from(["/aiogram", "/ptb"])
ANY_PATH = st.sampled_from(sorted(HEADERS))
TELEGRAM_POSTS = st.tuples(TELEGRAM_PATHS, mutated(TELEGRAM_TEMPLATES).map(_dump))
ZALO_POSTS = st.tuples(st.just("/zalo"), mutated(ZALO_TEMPLATES).map(_dump))
OTHER_POSTS = st.one_of(
    st.tuples(ANY_PATH, VALUES.map(_dump)),
    st.tuples(ANY_PATH, st.dictionaries(KEYS, VALUES, max_size=5).map(_dump)),
    st.tuples(ANY_PATH, st.integers(MAX_DEPTH - 2, 100_000).map(_deep)),
    st.tuples(ANY_PATH, st.binary(max_size=40)),
)
# Most of them updates nearly right: they go deepest.
POSTS = st.integers(0, 9).flatmap(
    lambda n: TELEGRAM_POSTS if n < 4 else ZALO_POSTS if n < 7 else OTHER_POSTS)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(post=POSTS)
@example(post=("/ptb", HUGE))
@example(post=("/zalo", _deep(100_000)))
@example(post=("/aiogram", b"[1, 2]"))
def test_whatever_is_posted_no_5xx_and_no_traceback(
        bench: Bench, caplog: pytest.LogCaptureFixture, post: tuple[str, bytes]) -> None:
    caplog.set_level(logging.INFO)
    path, body = post
    start, handled = len(caplog.records), len(bench.recorder.seen)
    status = bench.post(path, body)
    event(f"{path} {status}" + (", handled" if len(bench.recorder.seen) > handled else ""))
    assert status in (200, 400, 413)
    assert tracebacks(caplog.records[start:]) == []


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/aiogram", HUGE, 413),
    ("/zalo", b"<html>not json</html>", 400),
    ("/ptb", b"\xff\xfe\x00garbage", 400),
    ("/aiogram", b'"a string"', 400),
    ("/zalo", b"[]", 400),
    ("/ptb", _deep(MAX_DEPTH + 1), 400),
    ("/aiogram", _deep(200_000), 400),  # json itself would recurse too deeply
    ("/ptb", b'{"no": "update id"}', 200),  # ignored, in one line
    ("/aiogram", b'{"update_id": "x", "message": {"text": 5}}', 200),
    ("/ptb", b'{"update_id": 7, "message": {"message_id": 1}}', 200),
    ("/ptb", b'{"update_id": 8, "message": {"message_id": 1, "date": 0, '
             b'"chat": {"id": {"a": 1}, "type": "private"}, "text": "hi"}}', 200),
    ("/aiogram", b'{"update_id": 9, "callback_query": {"id": "q"}}', 200),
    ("/zalo", b'{"ok": true, "result": {"message": {"text": "no ids"}}}', 200),
    ("/zalo", b'{"message": {"from": {"id": ["z"]}, "message_id": {}, "date": 1e308}}', 200),
])
def test_bad_bodies_get_their_status_and_one_line(
        bench: Bench, caplog: pytest.LogCaptureFixture, path: str, body: bytes,
        status: int) -> None:
    caplog.set_level(logging.INFO)
    handled = len(bench.recorder.seen)
    assert bench.post(path, body) == status
    assert len(bench.recorder.seen) == handled  # nothing reached the handlers
    assert tracebacks(caplog.records) == []
    if status == 200:  # the platform stops sending it, and the log says why
        assert any("ignored" in r.getMessage() for r in caplog.records), caplog.records


def test_a_lone_surrogate_and_a_nul_reach_the_handlers_cleaned(
        bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    text, name = "Xin chào \ud800đồng chí\x00!", "L\x00an\udfff"
    telegram = {"update_id": 77, "message": {
        "message_id": 70, "date": 1_700_000_000, "chat": CHAT, "text": text,
        "from": {**USER, "first_name": name, "last_name": "Ng\x00uyễn"}}}
    zalo = {"ok": True, "result": {"event_name": "message.text.received", "message": {
        **ZALO_MESSAGE, "message_id": "clean-1", "text": text,
        "from": {"id": "z\x00-7", "display_name": name}}}}
    for path, update in (("/aiogram", telegram), ("/ptb", {**telegram, "update_id": 78}),
                         ("/zalo", zalo)):
        sent = len(bench.ops.sent)
        assert bench.post(path, _dump(update)) == 200
        inbound = bench.recorder.seen[-1]
        assert inbound.text == "Xin chào \ufffdđồng chí!", path
        assert inbound.display_name.startswith("Lan\ufffd"), path
        if path == "/zalo":
            assert (inbound.account, inbound.chat) == ("z-7", "z1")
        else:
            assert inbound.display_name == "Lan\ufffd Nguyễn"
            assert len(bench.ops.sent) > sent  # and it was answered
    assert tracebacks(caplog.records) == []


def test_what_a_wizard_keeps_of_such_a_text_can_be_stored_anywhere(
        bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL refuses a NUL or a lone surrogate in text and JSON: a plan's title typed
    with them is kept cleaned."""
    caplog.set_level(logging.INFO)
    account = 2002

    async def link() -> None:
        now = datetime.now(UTC)
        async with bench.app.engine.begin() as conn:
            await conn.execute(insert(ChatAccount), [{
                "channel": "telegram", "external_id": str(account), "chat_id": str(account),
                "person_id": "nguyen-thi-lan", "linked_at": now, "last_seen_at": now}])

    bench.loop.run_until_complete(link())
    chat = {**CHAT, "id": account}
    for number, text in enumerate(["/kehoach", "Kế hoạch tuyển sinh \ud800 trực tuyến\x00"]):
        assert bench.post("/ptb", _dump({"update_id": 3000 + number, "message": {
            "message_id": 300 + number, "date": 1_700_000_000, "chat": chat,
            "from": {**USER, "id": account}, "text": text}})) == 200
    kept = bench.loop.run_until_complete(
        bench.app.services.conversations.load("telegram", str(account)))
    stored = json.dumps(kept.data, ensure_ascii=False)
    assert "Kế hoạch tuyển sinh \ufffd trực tuyến" in stored
    assert "\x00" not in stored and "\\u0000" not in stored
    stored.encode("utf-8")  # no lone surrogate left
    assert tracebacks(caplog.records) == []


# --- polling ----------------------------------------------------------------------------

class Seen:
    """A core stand-in: what the adapter handed over."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def handle(self, incoming: Any) -> None:
        self.seen.append(incoming)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


BROKEN = {"message": {"message_id": 1, "date": "yesterday", "chat": {"id": [1]}}}


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_polling_skips_an_update_the_library_cannot_read(
        fake: FakeTelegram, caplog: pytest.LogCaptureFixture, framework: str) -> None:
    adapter = (AiogramAdapter(fake.token, fake.base) if framework == "aiogram"
               else PtbAdapter(fake.token, fake.base))
    core = Seen()
    adapter.attach(core)  # type: ignore[arg-type]
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    fake.queue_raw(BROKEN)
    fake.user_sends(1001, "after the broken one")
    last = fake.queue_raw(BROKEN)  # last of its batch: polling must still move past it
    polling = asyncio.create_task(adapter.poll(stop))
    try:
        await fake.wait_for(lambda f: core.seen)
        fake.user_sends(1001, "and the next one")
        await fake.wait_for(lambda f: len(core.seen) == 2)
        assert [i.text for i in core.seen] == ["after the broken one", "and the next one"]
        offsets = [c.params.get("offset") or 0 for c in fake.calls_to("getUpdates")]
        assert max(offsets) > last["update_id"]  # confirmed, not fetched forever
    finally:
        stop.set()
        await asyncio.wait_for(polling, 10)
        await adapter.close()
    ignored = [r for r in caplog.records if "ignored an unreadable update" in r.getMessage()]
    assert len(ignored) >= 2 and all("\n" not in r.getMessage() for r in ignored)
    assert tracebacks(caplog.records) == []


async def test_zalo_polling_skips_an_update_it_cannot_read(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = FakeZalo(ZALO_TOKEN)
    await server.start()
    app = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'poll.sqlite3'}")
    zalo = ZaloAdapter(ZALO_TOKEN, server.base, app.services, app.engine, poll_timeout=1)
    recorder = Recorder(app.assistant)
    zalo.attach(recorder, RateLimiter(FAST))  # type: ignore[arg-type]
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    server.queue_raw({"event_name": "message.text.received",
                      "message": {"from": {"id": {"x": 1}}, "message_id": None, "date": "x"}})
    server.queue_raw(["not", "an", "update"])
    server.user_sends("z-poll", "xin chào \udfff")
    polling = asyncio.create_task(zalo.poll(stop))
    try:
        await server.wait_for(lambda f: recorder.seen and f.texts("z-poll"))
        assert [i.text for i in recorder.seen] == ["xin chào \ufffd"]
    finally:
        stop.set()
        await asyncio.wait_for(polling, 10)
        await zalo.close()
        await server.stop()
        await app.close()
    assert tracebacks(caplog.records) == []
