"""``cadrebot org demo --with-dossiers``: a populated demo, made once, through the services."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import demo_dossiers
from bot.cli import main
from bot.demo_dossiers import DEMO_DOSSIERS, MARKER, DemoDossier, Stage, populate
from bot.settings import Settings
from storage import audit
from storage.db import create_engine, session_factory
from storage.directory import SqlDirectory
from storage.dispatcher import Dispatcher
from storage.dossier_models import DossierRow
from storage.models import OutboxMessage
from storage.organisation import demo_text, import_chart, parse_org_text
from tests.storage.conftest import engine  # noqa: F401  (SQLite and PostgreSQL)
from workflow.calendar import bundled_calendar
from workflow.lifecycle import State
from workflow.rules import bundled_rulebook

# Everything a run writes: a second run must leave every one of them as it was.
TABLES = ("dossiers", "dossier_history", "audit_records", "outbox", "reminders", "ballots",
          "votes", "obligations", "counters", "documents", "attachments")
# The states the issue asks for (and the overdue one, appraised but never put to the vote).
STATES = {State.DRAFT, State.AT_CELL, State.REGISTERED, State.APPRAISAL_ASSIGNED,
          State.BALLOT_OPEN, State.ANSWERED, State.REJECTED,
          State.RETURNED_FOR_RE_PREPARATION, State.APPROVED, State.ESCALATED,
          State.EVALUATED, State.APPRAISED}


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in TABLES}


def states(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT state, count(*) FROM dossiers GROUP BY state"))


def demo_json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["org", "demo", "--with-dossiers", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["dossiers"]  # type: ignore[no-any-return]


def test_the_populated_demo_loads_twice_without_duplicating_anything(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = datetime.now(UTC)
    assert main(["org", "demo", "--with-dossiers", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Demo dossiers: 12 created, 0 already present." in out
    assert "   1  being voted on" in out and "   1  evaluated" in out
    first = snapshot(database)
    assert {State(s) for s in states(database)} == STATES
    assert all(n == 1 for n in states(database).values())

    assert main(["org", "demo", "--with-dossiers", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "No changes" in out and "Demo dossiers: 0 created, 12 already present." in out
    assert snapshot(database) == first  # no row added, changed or removed anywhere
    made = demo_json(capsys)
    assert [d["demo"] for d in made] == [d.slug for d in DEMO_DOSSIERS]
    assert not any(d["created"] for d in made)
    assert snapshot(database) == first

    with sqlite3.connect(database) as db:
        titles = [t for (t,) in db.execute("SELECT title FROM dossiers")]
        markers = db.execute("SELECT count(*) FROM counters WHERE name LIKE ?",
                             (MARKER + "%",)).fetchone()[0]
        # The staged past is not sent again: every message was delivered back then, or
        # nobody holds its recipient's role (the desk lists those); nothing waits.
        outbox = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status"))
        due_now = db.execute("SELECT count(*) FROM reminders WHERE status = 'pending' AND "
                             "due_at <= ?", (started.replace(tzinfo=None).isoformat(" "),)
                             ).fetchone()[0]
        later = db.execute("SELECT count(*) FROM reminders WHERE status = 'pending'"
                           ).fetchone()[0]
    assert len(titles) == len(set(titles)) == markers == 12
    assert set(outbox) <= {"sent", "unresolved"} and outbox["sent"] > 100
    assert due_now == 0 and later > 0  # the future's reminders will go out on time

    assert main(["audit", "verify", "--lang", "en"]) == 0
    assert "The audit trail is intact." in capsys.readouterr().out


def test_the_office_finds_a_desk_with_deadlines(database: Path) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    calendar = bundled_calendar()

    async def desk() -> None:
        sqlite = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            directory = SqlDirectory(session_factory(sqlite), bundled_rulebook())
            open_ = await directory.open_dossiers()
            owing = await directory.owing_dossier_ids()
        finally:
            await sqlite.dispose()
        by_state = {d.state: d for d in open_}
        assert set(by_state) == STATES - {State.DRAFT}  # a draft is still the proposer's
        # On a weekend or a holiday the office next opens the desk on the next working day.
        desk_day = today
        while not calendar.is_working_day(desk_day):
            desk_day += timedelta(days=1)
        left = {state: calendar.working_days_between(desk_day, d.due_on)
                for state, d in by_state.items() if d.due_on and d.answered_at is None}
        assert left[State.APPRAISED] < 0  # overdue: appraised, never put to the vote
        assert 0 < left[State.BALLOT_OPEN] <= 5 and 0 < left[State.APPROVED] <= 5
        ballot_open = by_state[State.BALLOT_OPEN]
        assert ballot_open.received_on is not None and ballot_open.received_on < today
        override = by_state[State.APPROVED]
        assert override.decision is not None and override.decision.by_head
        assert override.id in owing  # the head's report to the superior is owed
        answered = by_state[State.ANSWERED]
        assert answered.answer_reference and answered.answer_reference.startswith("17-CV/ĐU, ")
        evaluated = by_state[State.EVALUATED]
        assert evaluated.evaluation is not None and len(evaluated.evaluation.forms) == 3
        for dossier in open_:  # every step lies in the past, on a working day
            for step in dossier.history:
                assert step.at.date() < today and calendar.is_working_day(step.at.date())

    asyncio.run(desk())


def test_a_crash_half_way_leaves_whole_dossiers_and_the_rerun_adds_the_rest(
        database: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def crashing(demo: DemoDossier) -> DemoDossier:
        async def play(stage: Stage) -> None:
            await demo.play(stage)
            raise RuntimeError("power cut")
        return replace(demo, play=play)

    broken = (*DEMO_DOSSIERS[:3], crashing(DEMO_DOSSIERS[3]), *DEMO_DOSSIERS[4:])
    monkeypatch.setattr(demo_dossiers, "DEMO_DOSSIERS", broken)
    with pytest.raises(RuntimeError, match="power cut"):
        main(["org", "demo", "--with-dossiers"])
    assert sum(states(database).values()) == 3  # the fourth rolled back entirely
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM dossier_history WHERE dossier_id > 3"
                          ).fetchone()[0] == 0
    assert main(["audit", "verify"]) == 0  # nothing anchored for the rolled-back records
    capsys.readouterr()

    monkeypatch.setattr(demo_dossiers, "DEMO_DOSSIERS", DEMO_DOSSIERS)
    made = demo_json(capsys)
    assert [d["created"] for d in made] == [False] * 3 + [True] * 9
    assert sum(states(database).values()) == 12 and len(states(database)) == 12
    assert main(["audit", "verify"]) == 0


def test_the_2022_demo_is_refused_in_one_line(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers", "--pack", "duc-pho-2022",
                 "--lang", "en"]) == 2
    assert capsys.readouterr().err == (
        "cadrebot: --with-dossiers is available for the two-level-2025 demo only.\n")
    assert not database.exists() or not states(database)
    assert main(["org", "demo", "--with-dossiers", "--pack", "duc-pho-2022"]) == 2
    assert "chỉ dùng được với tổ chức mẫu two-level-2025" in capsys.readouterr().err


def test_the_summary_is_vietnamese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    out = capsys.readouterr().out
    assert "Hồ sơ mẫu: tạo mới 12, đã có từ trước 0." in out
    assert "   1  đang biểu quyết" in out


async def test_populate_gives_the_same_dates_on_sqlite_and_postgresql(
        engine: AsyncEngine, tmp_path: Path) -> None:  # noqa: F811
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text()), actor="cli", source="demo")
    settings = Settings.of(data_dir=tmp_path)
    now = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Friday
    first = await populate(engine, settings, now=now)
    assert all(r.created for r in first) and {State(r.state) for r in first} == STATES
    again = await populate(engine, settings, now=now + timedelta(days=3))
    assert [(r.dossier_id, r.state, r.created) for r in again] == [
        (r.dossier_id, r.state, False) for r in first]
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(DossierRow)) == 12
        dates = {state: (received, due) for state, received, due in await session.execute(
            select(DossierRow.state, DossierRow.received_on, DossierRow.due_on))}
        pending = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "pending"))
        assert (await audit.verify(session)).ok
    # Received 27 working days ago, due in 3 (30 working days, the day of receipt not
    # counted); the overdue one was due on Tuesday.
    assert dates["ballot_open"] == (date(2026, 10, 27), date(2026, 12, 9))
    assert dates["appraised"][1] == date(2026, 12, 1)
    assert pending == 0
    # The scheduler finds nothing already due; the next morning's reminders are real.
    dispatcher = Dispatcher(engine, use_lock=False)
    assert (await dispatcher.tick(now)).claimed == 0
    assert (await dispatcher.tick(now + timedelta(days=3))).sent > 0  # Monday morning


def test_a_training_clock_before_the_rules_is_refused_in_one_line(
        database: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CADREBOT_TRAINING_DATE", "2025-09-01")  # 122 working days back: March
    assert main(["org", "demo", "--with-dossiers", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cadrebot: The demo dossiers' stories begin on 2025-")
    assert err.endswith("before the rules they follow took effect (2025-07-01).\n")
    assert not states(database)
