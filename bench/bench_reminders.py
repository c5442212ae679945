"""Reminders at scale: dispatcher ticks, and start-up, with 1,000,000 pending.

    .venv/bin/python bench/bench_reminders.py [--pending N] [--due N] [--ticks N]
                                              [--postgres URL]

For SQLite (a temporary file) and, when reachable, PostgreSQL (a throwaway schema; URL
from --postgres or $CADREBOT_TEST_POSTGRES_URL), it plants ``--pending`` reminders of
which ``--due`` times ``--ticks`` are due, lets the database settle as it would have
long before a real tick (PostgreSQL: VACUUM ANALYZE, as autovacuum does, and a
CHECKPOINT; SQLite: a WAL checkpoint), then prints:
  tick      - each of ``--ticks`` dispatcher ticks, each moving ``--due`` due reminders
              into the outbox in one transaction, the slowest against the goal
              (<= 2 s), with the machine's load average;
  cancel    - cancelling one dossier's pending reminders by key prefix (what a step that
              is done does), by the range on the key's index, and by the LIKE used
              before (rolled back), in the same run;
  start-up  - build the app and start the reminder scheduler, with all of them pending
              and with none: start-up reads no reminder, so the two should be alike.
Figures only, no assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduler import ReminderScheduler
from bot.wiring import build_app
from storage.db import create_engine
from storage.dispatcher import Dispatcher
from storage.migrate import upgrade
from storage.models import Reminder
from storage.reminders import starting_with

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
GOAL_SECONDS = 2.0  # issue 18: one tick of 10,000 due among 1,000,000 pending
COLUMNS = ("idempotency_key", "kind", "dossier_id", "person_id", "due_at", "payload",
           "status", "attempts")


Planted = tuple[str, str, int, None, datetime, str, str, int]


def _rows(pending: int, due: int) -> Iterator[Planted]:
    """``due`` reminders due by NOW, the rest spread over the next months."""
    for i in range(pending):
        at = NOW - timedelta(seconds=i + 1) if i < due else NOW + timedelta(minutes=i % 90_000)
        yield (f"answer_due:{i}:2026-12-01:o1:p", "answer_overdue", i, None, at,
               '{"due_on": "2026-12-01"}', "pending", 0)


def _plant_sqlite(path: Path, pending: int, due: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            f"INSERT INTO reminders ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((k, kind, d, p, at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),
              payload, s, a) for k, kind, d, p, at, payload, s, a in _rows(pending, due)))


async def _plant_postgres(engine: AsyncEngine, schema: str, pending: int, due: int) -> None:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.copy_records_to_table(  # COPY: a million rows in seconds
            "reminders", schema_name=schema, columns=list(COLUMNS),
            records=((k, kind, d, p, at, payload, s, a)
                     for k, kind, d, p, at, payload, s, a in _rows(pending, due)))
        await conn.execute(text("ANALYZE reminders"))
        await conn.commit()


async def _settle_postgres(engine: AsyncEngine) -> str:
    """What autovacuum and the checkpointer would have done since the rows were planned."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE reminders"))
        try:
            await conn.execute(text("CHECKPOINT"))
        except Exception:  # needs superuser or pg_checkpoint: say so, go on
            return "VACUUM ANALYZE (CHECKPOINT not permitted)"
    return "VACUUM ANALYZE, CHECKPOINT"


def _settle_sqlite(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return "WAL checkpoint"


Tick = tuple[float, float, int, int, tuple[float, float, float]]


async def _ticks(engine: AsyncEngine, due: int, ticks: int) -> list[Tick]:
    """``ticks`` ticks in a row, as the scheduler runs them, each claiming ``due``:
    (seconds, this process's CPU seconds, claimed, sent, load average when it ended).
    The CPU is SQLite's work (it runs in this process) or, with PostgreSQL, what the
    client adds to the server's."""
    dispatcher = Dispatcher(engine, batch=due)
    done: list[Tick] = []
    try:
        for _ in range(ticks):
            started, cpu = time.perf_counter(), time.process_time()
            result = await dispatcher.tick(NOW)
            done.append((time.perf_counter() - started, time.process_time() - cpu,
                         result.claimed, result.sent, os.getloadavg()))
    finally:
        await dispatcher.close()
    return done


async def _cancel(engine: AsyncEngine, pending: int, rounds: int = 5
                  ) -> tuple[list[float], list[float], int]:
    """Cancel the pending reminders of ``rounds`` dossiers not yet due, one transaction
    each, as storage.reminders does (a range on the key's unique index), and the same
    with the LIKE used before, rolled back: (seconds by range, by LIKE, rows cancelled)."""
    ranged: list[float] = []
    liked: list[float] = []
    cancelled = 0
    for n in range(rounds):
        prefix = f"answer_due:{pending - 1 - n * 997}:"
        live = Reminder.status.in_(("pending", "unresolved"))
        async with engine.connect() as conn:
            started = time.perf_counter()
            async with conn.begin() as transaction:
                await conn.execute(update(Reminder).where(
                    live, Reminder.idempotency_key.startswith(prefix, autoescape=True))
                    .values(status="cancelled"))
                await transaction.rollback()
            liked.append(time.perf_counter() - started)
            started = time.perf_counter()
            async with conn.begin():
                cancelled += (await conn.execute(update(Reminder).where(
                    live, *starting_with(prefix)).values(status="cancelled"))).rowcount
            ranged.append(time.perf_counter() - started)
    return ranged, liked, cancelled


async def _start_up(engine: AsyncEngine) -> float:
    """Build the app (schema check included) and start the scheduler; no tick runs."""
    started = time.perf_counter()
    app = await build_app(engine=engine)
    scheduler = ReminderScheduler(Dispatcher(app.engine), interval_seconds=3600)
    scheduler.start()
    scheduler.scheduler.pause()  # measure start-up alone, not the first tick
    elapsed = time.perf_counter() - started
    await scheduler.stop()
    return elapsed


Cancelled = tuple[list[float], list[float], int]


def _report(name: str, pending: int, plant: float, settled: str, ticks: list[Tick],
            full: float, empty: float, cancel: Cancelled) -> None:
    print(f"{name}: {pending:,} pending reminders (planted in {plant:.1f} s; {settled})")
    for seconds, cpu, claimed, sent, load in ticks:
        print(f"  tick      {seconds * 1000:8.0f} ms  moved {claimed:,} due reminders, "
              f"{sent:,} outbox messages ({claimed / max(seconds, 1e-9):,.0f} reminders/s;"
              f" {cpu * 1000:.0f} ms CPU here)  load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    slowest = max(seconds for seconds, *_ in ticks)
    middle = statistics.median(seconds for seconds, *_ in ticks)
    print(f"  => {name} tick: median {middle:.2f} s, slowest {slowest:.2f} s "
          f"(goal <= {GOAL_SECONDS:.0f} s: {'met' if slowest <= GOAL_SECONDS else 'NOT met'};"
          f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs)")
    ranged, liked, cancelled = cancel
    print(f"  cancel    {statistics.median(ranged) * 1000:8.1f} ms median by the key's index "
          f"(slowest {max(ranged) * 1000:.1f} ms; {cancelled} rows in {len(ranged)} "
          f"cancels); by LIKE, as before: {statistics.median(liked) * 1000:.0f} ms median "
          f"(load {os.getloadavg()[0]:.2f})")
    print(f"  start-up  {full * 1000:8.0f} ms with {pending:,} pending, "
          f"{empty * 1000:.0f} ms with none")


async def bench_sqlite(pending: int, due: int, ticks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / "full.sqlite3", Path(folder) / "empty.sqlite3"]
        engines = [create_engine(f"sqlite+aiosqlite:///{p}") for p in paths]
        for engine in engines:
            await upgrade(engine)
        started = time.perf_counter()
        _plant_sqlite(paths[0], pending, due * ticks)
        plant = time.perf_counter() - started
        settled = _settle_sqlite(paths[0])
        await _start_up(engines[1])  # warm-up: imports, rule packs, calendar
        full, empty = await _start_up(engines[0]), await _start_up(engines[1])
        done = await _ticks(engines[0], due, ticks)
        cancel = await _cancel(engines[0], pending)
        for engine in engines:
            await engine.dispose()
    _report("SQLite", pending, plant, settled, done, full, empty, cancel)


async def bench_postgres(url: str, pending: int, due: int, ticks: int) -> None:
    admin = create_engine(url)
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        async with admin.begin() as conn:
            for schema in schemas:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OSError as exc:
        print(f"PostgreSQL: not reachable ({exc}); skipped")
        await admin.dispose()
        return
    engines = [create_engine(url, connect_args={"server_settings": {"search_path": s}})
               for s in schemas]
    try:
        for engine in engines:
            await upgrade(engine)
        started = time.perf_counter()
        await _plant_postgres(engines[0], schemas[0], pending, due * ticks)
        plant = time.perf_counter() - started
        settled = await _settle_postgres(engines[0])
        await _start_up(engines[1])  # warm-up
        full, empty = await _start_up(engines[0]), await _start_up(engines[1])
        done = await _ticks(engines[0], due, ticks)
        cancel = await _cancel(engines[0], pending)
        _report("PostgreSQL", pending, plant, settled, done, full, empty, cancel)
    finally:
        for engine in engines:
            await engine.dispose()
        async with admin.begin() as conn:
            for schema in schemas:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000,
                        help="due reminders per tick (the dispatcher's batch)")
    parser.add_argument("--ticks", type=int, default=3, help="ticks measured in a row")
    parser.add_argument("--postgres", default=os.environ.get("CADREBOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    asyncio.run(bench_sqlite(args.pending, args.due, args.ticks))
    if args.postgres:
        asyncio.run(bench_postgres(args.postgres, args.pending, args.due, args.ticks))
    else:
        print("PostgreSQL: no URL (--postgres or $CADREBOT_TEST_POSTGRES_URL); skipped")


if __name__ == "__main__":
    main()
