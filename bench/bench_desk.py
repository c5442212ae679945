"""The desk at scale: /viec, /hanchot and the office's overview with 10,000 open dossiers.

    .venv/bin/python bench/bench_desk.py [--open 10000] [--sites 200] [--repeat 11]
                                         [--postgres URL] [--old]

On a temporary SQLite file (and, with --postgres or $CADREBOT_TEST_POSTGRES_URL, a
throwaway PostgreSQL schema too): the demo organisation and its populated dossiers, then
``--open`` more open dossiers planted over ``--sites`` copies of the demo's route bodies
(each site its own cell, office, committee and head; the first site gets a tenth of
them) with proposers among 2,000 planted people. Each planted dossier is a demo dossier
with other bodies, proposer and state, its rows and participants written as a save
writes them. Then, through the assistant (a console account linked to the person),
it times /viec, /hanchot and the office's overview (``k:o``) for:
  few  - the demo's first office clerk (a part in a handful of the demo's dossiers);
  many - a planted office clerk, member and head of the first site (about a tenth).
The lists come a page at a time (``handlers.flows.desk_pages``): it also times the last
page of /viec and the overview's second page. It prints the median and the fastest of
``--repeat`` runs, each answer's size, the load average, and the goal (<= 50 ms, for the
median).
With --old, it also times the former read (every open dossier loaded, filtered in
Python) once, for the ratio. Figures only, no assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo_dossiers import populate
from bot.settings import Settings
from bot.wiring import App, build_app
from handlers.flows.desk_pages import PAGE_SIZE, pages_for
from handlers.messages import Inbound
from storage.db import create_engine, session_factory
from storage.desk_read import FINISHED, load_dossiers, tasks
from storage.dossier_models import DossierRow, ParticipantRow
from storage.models import Body, ChatAccount, Membership, Person
from storage.organisation import demo_text, import_chart, parse_org_text
from storage.uow import _dossier_columns, _dossier_data
from workflow.conflicts import acting_roles
from workflow.lifecycle import State

GOAL_MS = 50
FIRST_ID = 1_000_000
CHUNK = 1000
OPEN_STATES = [s for s in State if s.value not in FINISHED]


async def plant(app: App, count: int, sites: int, seed: int) -> tuple[str, str]:
    """The demo, then ``count`` open dossiers; the ids of the "few" and "many" people."""
    engine, rng = app.engine, random.Random(seed)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text()), actor="bench", source="demo")
    await populate(engine, app.settings)
    async with sessions() as session:
        ids = list((await session.execute(select(DossierRow.id).order_by(DossierRow.id)))
                   .scalars())
        demo = await load_dossiers(session, ids)
        org = await session.scalar(select(Person.organisation_id).limit(1))
        kinds = dict((await session.execute(select(Body.id, Body.kind))).all())
        few = await session.scalar(select(Membership.person_id).where(
            Membership.role == "office").order_by(Membership.person_id).limit(1))
    used = sorted({b for d in demo for b in d.bodies.values()})
    people = [f"bench-person-{i}" for i in range(2000)]
    many = "bench-office-0"
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add_all(Body(id=f"{b}~{s}", organisation_id=org, name=f"{b} {s}",
                             kind=kinds.get(b, b), parent_id=None)
                        for s in range(sites) for b in used)
        session.add_all(Person(id=p, organisation_id=org, name=f"Người thử {p[13:]}",
                               title=None, unit_id=None, language="vi")
                        for p in [*people, many])
        await session.flush()
        # The "many" person: the first site's office, a member of each body, its head.
        session.add_all(Membership(person_id=many, body_id=f"{b}~0", role=role, counted=True,
                                   valid_from=None, valid_to=None)
                        for b in used for role in ("office", "member", "head"))
        session.add_all(ChatAccount(channel="console", external_id=p, chat_id=p, person_id=p,
                                    linked_at=now) for p in (few, many))
    # A tenth of them at the first site, the rest spread evenly over the others.
    site_of = rng.choices(range(sites), weights=[(sites - 1) / 9] + [1.0] * (sites - 1),
                          k=count)
    dossiers: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for n in range(count):
        source = rng.choice(demo)
        dossier = type(source)(**{**vars(source), "events": [], "history": []})
        dossier.id = FIRST_ID + n
        dossier.proposer = rng.choice(people)
        dossier.co_proposers = ()
        dossier.appraisers = (rng.choice(people),) if rng.random() < 0.3 else ()
        dossier.legal_reviewers = ()
        dossier.bodies = {k: f"{v}~{site_of[n]}" for k, v in source.bodies.items()}
        dossier.state = rng.choice(OPEN_STATES)
        data = _dossier_data(dossier)
        dossiers.append({"id": dossier.id, "created_at": dossier.created_at,
                         "search_text": "", **_dossier_columns(dossier, data, now)})
        parts.extend({"dossier_id": dossier.id, "role": r, "party": p, "task": task}
                     for (r, p), task in tasks(dossier).items())
    async with sessions() as session, session.begin():
        for i in range(0, len(dossiers), CHUNK):
            await session.execute(insert(DossierRow), dossiers[i:i + CHUNK])
        for i in range(0, len(parts), CHUNK * 5):
            await session.execute(insert(ParticipantRow), parts[i:i + CHUNK * 5])
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    return few or "", many


async def timed(app: App, person: str, what: str, repeat: int
                ) -> tuple[float, float, int]:
    """Median and fastest milliseconds of one turn, and how many characters it answered
    (on a busy machine the median waits for a core; the fastest is the work itself)."""
    inbound = (Inbound("console", person, person, action=what) if what.startswith("k:")
               else Inbound("console", person, person, text=what))
    await app.assistant.handle(inbound)  # warm: the first turn loads the person's state
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        replies = await app.assistant.handle(inbound)
        times.append((time.perf_counter() - began) * 1000)
        size = sum(len(r.text) for r in replies)
    return statistics.median(times), min(times), size


async def old_way(app: App, person: str) -> float:
    """The former /viec read: every open (or owing) dossier loaded, kept by roles."""
    directory = app.services.directory
    began = time.perf_counter()
    actor = await directory.actor(person)
    owing = await directory.owing_dossier_ids()
    kept = [d for d in await directory.open_dossiers(also=owing) if acting_roles(d, actor)]
    elapsed = (time.perf_counter() - began) * 1000
    print(f"  former read (all open dossiers loaded, then filtered): {elapsed:,.0f} ms "
          f"for {len(kept)} dossiers of {person}")
    return elapsed


async def run(label: str, url: str, folder: Path, args: argparse.Namespace,
              engine: AsyncEngine | None = None) -> None:
    settings = Settings.of(data_dir=folder)
    app = await build_app(url, settings=settings, engine=engine)
    try:
        began = time.perf_counter()
        few, many = await plant(app, args.open, args.sites, args.seed)
        print(f"{label}: planted {args.open:,} open dossiers over {args.sites} sites "
              f"in {time.perf_counter() - began:.1f} s")
        for who, person in (("few", few), ("many", many)):
            actor = await app.services.directory.actor(person)
            assert app.services.desk is not None
            mine = await app.services.desk.involving(actor)
            print(f"  {who} ({person}): a part in {len(mine.dossiers):,} open dossiers")
            listed = await app.services.desk.tasks(actor, offset=0, limit=1)
            last = pages_for(listed.total)
            print(f"  {who}: {listed.total:,} on the desk ({last} pages of {PAGE_SIZE})")
            for name, what in (("/viec", "/viec"), (f"/viec p.{last}", f"k:l:{last}"),
                               ("/hanchot", "/hanchot"), ("overview", "k:o"),
                               ("overview p.2", "k:o:2")):
                ms, best, size = await timed(app, person, what, args.repeat)
                verdict = "meets" if ms <= GOAL_MS else "misses"
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                print(f"    {name:<13} median {ms:7.1f} ms, fastest {best:7.1f} ms  "
                      f"({size:,} characters)  goal <= {GOAL_MS} ms: {verdict}  (load {load})")
            if args.old:
                new_ms, _, _ = await timed(app, person, "/viec", args.repeat)
                print(f"    former / now = {await old_way(app, person) / new_ms:,.0f}x")
    finally:
        await app.engine.dispose()


async def main_async(args: argparse.Namespace) -> None:
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        await run("SQLite", f"sqlite+aiosqlite:///{folder / 'desk.sqlite3'}", folder, args)
        url = args.postgres or os.environ.get("CADREBOT_TEST_POSTGRES_URL")
        if url:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(url)
            async with admin.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
            try:
                (folder / "pg").mkdir()
                await run("PostgreSQL", url, folder / "pg", args, engine=engine)
            finally:
                async with admin.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()
    print(f"load average after: {os.getloadavg()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--old", action="store_true",
                        help="also time the former read once (slow at 10,000)")
    args = parser.parse_args()
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
