"""What a turn costs the database: who is writing and where their conversation stands
in one read-only round trip, nothing written when the turn changed nothing, and the
handled-marks of turns finishing together written in one transaction."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import inbox, outbox_queue
from storage.conversations import SqlConversations
from storage.db import local_reader, session_factory
from storage.models import ChatAccount, ConversationRow, InboxUpdate, OutboxMessage
from storage.outbox import OUTBOX_COMMITS
from storage.reads import TURN_ROLES, TURN_SEEN, read
from tests.conversation.harness import Chat, demo_app

NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    # The reads of a turn go to the SQLite file on this thread (storage.db.local_reader).
    engines = [engine.sync_engine, *filter(None, [local_reader(engine)])]
    for one in engines:
        event.listen(one, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for one in engines:
            event.remove(one, "before_cursor_execute", record)


WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


async def test_a_turn_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    app, codes = await demo_app(tmp_path)
    try:
        lan = Chat(app, channel="telegram")
        await lan.send(f"/start {codes['nguyen-thi-lan']}")
        await lan.send("/menu")  # the menu's buttons are remembered once
        with statements(app.engine) as seen:
            await lan.send("/menu")
            await lan.action("m:home")
        assert "Bạn muốn làm gì" in lan.text or lan.replies
        assert not [s for s in seen if s.startswith(WRITES)], seen
        # The conversation and the person in one statement; the roles on the same
        # connection; the menu asks nothing more.
        assert len([s for s in seen if s == "BEGIN"]) == 2, seen
        with statements(app.engine) as seen:
            await lan.send("/quydinh")  # starts a flow: that is saved
        assert any(s.startswith("UPDATE conversations") for s in seen), seen
        async with session_factory(app.engine)() as session:
            row = await session.get(ConversationRow, ("telegram", lan.account))
        assert row is not None and row.flow is not None
    finally:
        await app.close()


async def test_the_turn_load_reads_what_the_separate_lookups_read(tmp_path: Path) -> None:
    app, codes = await demo_app(tmp_path)
    try:
        conversations = app.services.conversations
        assert isinstance(conversations, SqlConversations)
        directory = app.services.directory
        guest = Chat(app, channel="telegram")
        await guest.send("/start")
        conversation, person = await conversations.load_turn("telegram", guest.account)
        assert person is None and TURN_ROLES.get() is None
        assert conversation == await conversations.load("telegram", guest.account)
        for who in ("nguyen-thi-lan", "tran-thi-kim-thoa"):
            chat = Chat(app, channel="telegram")
            await chat.send(f"/start {codes[who]}")
            conversation, person = await conversations.load_turn("telegram", chat.account)
            assert person == await directory.person_for_account("telegram", chat.account)
            assert conversation == await conversations.load("telegram", chat.account)
            assert person is not None
            with statements(app.engine) as seen:
                committee = await directory.has_committee_role(person.id)
            assert seen == []  # read with the turn
            TURN_ROLES.set(None)
            assert await directory.has_committee_role(person.id) == committee
        nobody, person = await conversations.load_turn("telegram", "never-wrote")
        assert person is None and nobody.version == 0 and nobody.data == {}
    finally:
        await app.close()


async def test_marks_of_turns_finishing_together_share_a_transaction(
        engine: AsyncEngine) -> None:
    keys = [f"u{n}" for n in range(30)]
    await inbox.keep_all(engine, "telegram", [(k, {"update_id": n}) for n, k in
                                               enumerate(keys)], NOW)
    marks = inbox.DoneMarks(engine)
    await asyncio.gather(*(marks.mark("telegram", key, NOW) for key in keys[:20]))
    assert 1 <= marks.writes < 20
    for key in keys[20:]:
        marks.mark_soon("telegram", key, NOW)  # the turn goes on at once
    await marks.flush()
    async with session_factory(engine)() as session:
        unmarked = (await session.execute(select(InboxUpdate.update_key).where(
            InboxUpdate.handled_at.is_(None)))).scalars().all()
    assert unmarked == []
    assert await inbox.waiting(engine, "telegram", NOW) == []


async def test_a_mark_that_cannot_be_written_leaves_the_update_waiting(
        engine: AsyncEngine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await inbox.keep(engine, "telegram", "u1", {"update_id": 1}, NOW)
    marks = inbox.DoneMarks(engine)

    class Down:
        async def __aenter__(self) -> None:
            raise ConnectionError("database down")

        async def __aexit__(self, *_args: object) -> None:
            return None

    monkeypatch.setattr(marks, "_engine", type("E", (), {"begin": lambda self: Down()})())
    try:
        await marks.mark("telegram", "u1", NOW)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    marks.mark_soon("telegram", "u1", NOW)
    await marks.flush()  # logged, not raised: the update is handled at the next start
    assert [key for key, _ in await inbox.waiting(engine, "telegram", NOW)] == ["u1"]


async def test_reads_on_either_database_and_sqlite_reads_on_this_thread(
        engine: AsyncEngine) -> None:
    """``storage.reads.read`` answers the same on both databases; on an SQLite file it
    runs on the event loop's thread (no hand-off to aiosqlite's per statement) and
    its transaction is a plain BEGIN, which does not wait for the writer."""
    sessions = session_factory(engine)
    local = local_reader(engine)
    assert (local is not None) == (engine.dialect.name == "sqlite")
    threads: list[int] = []
    statements_seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        threads.append(threading.get_ident())
        statements_seen.append(statement.split()[0])

    if local is not None:
        event.listen(local, "before_cursor_execute", record)
    async with engine.begin() as conn:  # a writer holds SQLite's lock meanwhile
        await conn.execute(text("UPDATE organisations SET id = id"))
        count = await read(sessions, lambda s: s.execute(
            select(func.count()).select_from(ConversationRow)).scalar_one())
    assert count == 0
    if local is not None:
        event.remove(local, "before_cursor_execute", record)
        assert statements_seen[:2] == ["BEGIN", "SELECT"]
        assert set(threads) == {threading.get_ident()}


async def test_the_turn_load_reads_the_account_for_mark_seen_once(tmp_path: Path) -> None:
    """``mark_seen`` after a turn decides from what the turn's load read of the account
    (no second read), only for that account, and only once."""
    app, codes = await demo_app(tmp_path)
    try:
        lan = Chat(app, channel="telegram")
        await lan.send(f"/start {codes['nguyen-thi-lan']}")
        conversations = app.services.conversations
        assert isinstance(conversations, SqlConversations)
        now = datetime.now(UTC)
        TURN_SEEN.set(None)  # the /start turn's read: before the account was linked
        await outbox_queue.mark_seen(app.engine, "telegram", lan.account, now)
        await conversations.load_turn("telegram", lan.account)
        with statements(app.engine) as seen:
            assert not await outbox_queue.mark_seen(app.engine, "telegram", lan.account, now)
        assert seen == [], seen  # decided from the turn's own read
        async with app.engine.begin() as conn:  # the notifier found the chat blocked
            await conn.execute(update(ChatAccount).where(
                ChatAccount.external_id == lan.account).values(unreachable_since=now))
        await conversations.load_turn("telegram", "someone-else")
        with statements(app.engine) as seen:  # another account's read is not used
            assert await outbox_queue.mark_seen(app.engine, "telegram", lan.account, now)
        assert any("chat_accounts" in s for s in seen), seen
        await conversations.load_turn("telegram", lan.account)
        assert not await outbox_queue.mark_seen(app.engine, "telegram", lan.account, now)
        with statements(app.engine) as seen:  # used once: the next call reads
            await outbox_queue.mark_seen(app.engine, "telegram", lan.account, now)
        assert any("chat_accounts" in s for s in seen), seen
    finally:
        await app.close()


async def test_only_a_turn_that_wrote_outbox_rows_wakes_the_notifier(tmp_path: Path) -> None:
    """``OUTBOX_COMMITS`` (what ``bot.runner`` wakes the notifier on) moves with a commit
    that added outbox rows, not with a conversation saved or a transaction undone."""
    app, codes = await demo_app(tmp_path)
    try:
        lan = Chat(app, channel="telegram")
        await lan.send(f"/start {codes['nguyen-thi-lan']}")
        before = OUTBOX_COMMITS[0]
        await lan.send("/quydinh")  # a flow starts: the conversation is saved
        await lan.send("/menu")
        assert OUTBOX_COMMITS[0] == before
        async with session_factory(app.engine)() as session, session.begin():
            session.add(_outbox_row())
            await session.flush()
            await session.rollback()
        assert OUTBOX_COMMITS[0] == before
        async with session_factory(app.engine)() as session, session.begin():
            session.add(_outbox_row())
        assert OUTBOX_COMMITS[0] == before + 1
    finally:
        await app.close()


def _outbox_row() -> OutboxMessage:
    now = datetime.now(UTC)
    return OutboxMessage(dedupe_key=f"test-{uuid.uuid4().hex}", channel="telegram",
                         chat_id="1", person_id=None, payload={}, status="unresolved",
                         created_at=now, next_attempt_at=now)
