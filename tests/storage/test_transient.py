"""A busy or unreachable database is a StorageUnavailable, nothing half-saved; a turn that
meets it is tried again, and the person is answered even when it cannot be finished."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine, is_transient
from storage.migrate import upgrade
from workflow.errors import StorageUnavailable


@pytest.mark.parametrize(("message", "transient"), [
    ("database is locked", True),
    ("(sqlite3.OperationalError) database is busy", True),
    ("UNIQUE constraint failed: outbox.dedupe_key", False),
    ("no such table: dossiers", False),
])
def test_which_sqlite_errors_are_worth_another_try(message: str, transient: bool) -> None:
    assert is_transient(sqlite3.OperationalError(message)) is transient


class PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("state", "transient"), [
    ("40001", True), ("40P01", True), ("08006", True), ("57P01", True),
    ("23505", False), ("42P01", False),
])
def test_which_postgresql_errors_are_worth_another_try(state: str, transient: bool) -> None:
    assert is_transient(PgError(state)) is transient
    assert is_transient(ValueError("wrapped"), disconnect=True)


async def test_a_locked_sqlite_database_raises_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_timeout_ms=50)
    try:
        await upgrade(engine)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for a long time
        try:
            with pytest.raises(StorageUnavailable, match="locked"):
                async with engine.begin() as conn:
                    await conn.execute(text("UPDATE audit_head SET count = count"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        async with engine.begin() as conn:  # and once it is free, it works again
            await conn.execute(text("UPDATE audit_head SET count = count"))
    finally:
        await engine.dispose()


def _no_traceback(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_a_turn_that_meets_a_busy_database_is_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from tests.conversation.harness import Chat, demo_app

    app, _codes = await demo_app(tmp_path)
    try:
        load = app.services.conversations.load_turn  # what a turn reads first
        failures = [2]

        async def flaky(channel: str, account: str):  # type: ignore[no-untyped-def]
            if failures[0]:
                failures[0] -= 1
                raise StorageUnavailable("database is locked")
            return await load(channel, account)

        monkeypatch.setattr(app.services.conversations, "load_turn", flaky)
        guest = Chat(app)
        await guest.send("/start")
        assert "Chào mừng" in guest.text and failures == [0]
        assert not _no_traceback(caplog)
    finally:
        await app.close()


async def test_a_turn_that_cannot_be_finished_is_answered_and_logged_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from tests.conversation.harness import Chat, demo_app

    caplog.set_level(logging.ERROR)
    app, _codes = await demo_app(tmp_path)
    try:
        async def down(channel: str, account: str):  # type: ignore[no-untyped-def]
            raise StorageUnavailable("connection refused")

        monkeypatch.setattr(app.services.conversations, "load_turn", down)
        monkeypatch.setattr("handlers.app.BUSY_BACKOFF", 0.01)
        guest = Chat(app)
        await guest.send("/start")
        assert guest.text.startswith("Hệ thống đang bận")
        [record] = [r for r in caplog.records if "was not handled" in r.getMessage()]
        assert record.exc_info is None and "attempts: 5" in record.getMessage()
    finally:
        await app.close()


async def test_a_turn_is_not_repeated_once_part_of_it_was_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cell agreed (committed), then saving the conversation met a busy database:
    agreeing again would be wrong, so the person is told to check instead."""
    from tests.conversation.harness import Chat, demo_app
    from tests.conversation.test_dossiers import file, stored
    from workflow.lifecycle import State

    app, codes = await demo_app(tmp_path)
    try:
        dossier = await file(app, State.AT_CELL)
        thoa = Chat(app)
        await thoa.send(f"/start {codes['tran-thi-kim-thoa']}")
        await thoa.notifications()
        saves = []

        async def busy_save(conversation):  # type: ignore[no-untyped-def]
            saves.append(conversation.step)
            raise StorageUnavailable("database is locked")

        monkeypatch.setattr(app.services.conversations, "save", busy_save)
        await thoa.press("Đồng ý")
        assert len(saves) == 1  # not tried again: the agreement was committed
        assert thoa.text.startswith("Hệ thống đang bận")
        assert (await stored(app, dossier.id)).state is State.SUBMITTED
    finally:
        await app.close()
