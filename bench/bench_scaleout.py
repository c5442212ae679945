"""Scale-out: inbound updates a second with one and with three webhook workers sharing
PostgreSQL and Redis behind one port.

    .venv/bin/python bench/bench_scaleout.py [--updates 3000] [--people 1000]
                                             [--workers 1,3] [--postgres URL] [--redis URL]

A throwaway PostgreSQL database (on the server of --postgres or
$CADREBOT_TEST_POSTGRES_URL) gets the demo organisation and an invitation code for each
of its people; Redis is --redis or $CADREBOT_TEST_REDIS_URL (a fresh key prefix a run).
For each worker count, that many ``cadrebot run`` processes serve the webhook (aiohttp),
each on its own port, behind one port: a small round-robin proxy in this process, as a
load balancer would be. The project's fake Bot API (in this process, answering
instantly) takes their answers. The people first say /start with their code (and are
answered), then ``--updates`` updates are posted through the proxy, at most
``--in-flight`` at a time: menu commands, menu presses, a greeting and /help, spread over
``--people`` chats. A figure is updates / (time of the last answer - time of the first
post); every update must get its answer (a message or an edit).

With 200 people, Telegram's limit of one message a second to a chat (kept by the
workers) was what got measured, whatever the number of workers: hence 1,000. Each run
also prints the CPU time an update cost the workers, PostgreSQL and this process, how
busy they were, and how long a post took to be acknowledged (the worker keeps the
update first).

Everything runs on this machine: on two cores, three workers share them with PostgreSQL,
Redis, the proxy and the fake, so the ratio says what a third worker buys here, not on
a server with a core per worker. Figures only, no assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.fakes.telegram import FakeTelegram
from storage import audit
from storage.db import create_engine, session_factory
from storage.invitations import issue_invitations
from storage.migrate import upgrade
from storage.organisation import demo_text, import_chart, parse_org_text

TOKEN = "123456:AAE-bench-token-for-the-fake-server"
SECRET = "bench-webhook-secret-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
ANSWERS = ("sendMessage", "editMessageText", "sendDocument")
FIRST_USER = 700_000
CADREBOT = shutil.which("cadrebot", path=str(Path(sys.executable).parent)) or "cadrebot"


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def postgres_pids() -> list[int]:
    """This machine's PostgreSQL processes (the server and its backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the database ------------------------------------------------------------------------

async def make_database(server: str, name: str, folder: Path) -> tuple[str, list[str]]:
    """A new database on ``server`` with the demo organisation; its URL and the codes."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    audit.bind(engine, audit.load_seal(folder))  # the workers find the key in the folder
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            chart = parse_org_text(demo_text("duc-pho-2022"), "demo")
            await import_chart(session, chart)
            issued = await issue_invitations(session, chart.organisation.id)
    finally:
        await engine.dispose()
    return url, sorted(i.code for i in issued)


async def drop_database(server: str, name: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


# --- the workers and the proxy -----------------------------------------------------------

async def start_workers(count: int, fake: FakeTelegram, database: str, redis: str,
                        folder: Path) -> tuple[list[asyncio.subprocess.Process], list[int]]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    processes, ports = [], []
    for n in range(count):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
        env.update({"CADREBOT_TELEGRAM_TOKEN": TOKEN, "CADREBOT_TELEGRAM_API_BASE": fake.base,
                    "CADREBOT_DATABASE_URL": database, "CADREBOT_DATA_DIR": str(folder),
                    "CADREBOT_REDIS_URL": redis, "CADREBOT_REDIS_PREFIX": prefix,
                    "CADREBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                    "CADREBOT_WEBHOOK_SECRET": SECRET, "CADREBOT_WEBHOOK_PORT": str(port),
                    "CADREBOT_SEND_RATE": "1000",
                    "CADREBOT_JURISDICTION": "quang-ngai/duc-pho",
                    "CADREBOT_RULES_DATE": "2025-06-02"})
        log = (folder / f"worker-{count}-{n}.log").open("wb")
        processes.append(await asyncio.create_subprocess_exec(
            CADREBOT, "run", cwd=folder, env=env, stdout=log, stderr=log))
        log.close()
        ports.append(port)
    async with ClientSession() as session:
        for port, process in zip(ports, processes, strict=True):
            await _healthy(session, port, process, folder)
    return processes, ports


async def _healthy(session: ClientSession, port: int, process: asyncio.subprocess.Process,
                   folder: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.returncode is not None:
            logs = "\n".join(p.read_text(errors="replace")[-2000:]
                             for p in folder.glob("worker-*.log"))
            raise SystemExit(f"a worker stopped (code {process.returncode}):\n{logs}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit(f"the worker on port {port} did not come up")


async def stop_workers(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=60)
        except TimeoutError:
            process.kill()
            await process.wait()


async def start_proxy(ports: list[int]) -> tuple[web.AppRunner, int, ClientSession]:
    """One port in front of the workers, each post to the next worker in turn."""
    upstream = ClientSession(connector=TCPConnector(limit=0),
                             timeout=ClientTimeout(total=120))
    turn = itertools.cycle(ports)

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        async with upstream.post(f"http://127.0.0.1:{next(turn)}/telegram", data=body,
                                 headers={HEADER: request.headers.get(HEADER, ""),
                                          "Content-Type": "application/json"}) as response:
            return web.Response(status=response.status, body=await response.read(),
                                content_type="application/json")

    app = web.Application()
    app.router.add_post("/telegram", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port, upstream


# --- feeding and timing ------------------------------------------------------------------

def users(people: int) -> range:
    return range(FIRST_USER, FIRST_USER + people)


async def post_all(port: int, updates: list[dict[str, Any]], in_flight: int) -> list[int]:
    """Post the updates through the proxy, at most ``in_flight`` at once, in order."""
    statuses: list[int] = [0] * len(updates)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(updates)):
        queue.put_nowait(i)
    async with ClientSession(connector=TCPConnector(limit=0),
                             timeout=ClientTimeout(total=300)) as session:
        async def poster() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                for _attempt in range(5):  # a 503 asks for the update again, as Telegram does
                    posted = time.monotonic()
                    async with session.post(f"http://127.0.0.1:{port}/telegram",
                                            json=updates[i], headers={HEADER: SECRET}) as r:
                        statuses[i] = r.status
                    waits.append(time.monotonic() - posted)
                    if r.status != 503:
                        break
                    retried[0] += 1
                    await asyncio.sleep(0.5)

        waits: list[float] = []
        retried = [0]
        await asyncio.gather(*(poster() for _ in range(in_flight)))
    waits.sort()
    if len(updates) > 100:
        print(f"   a post acknowledged in: median {waits[len(waits) // 2] * 1000:.0f} ms, "
              f"p95 {waits[int(len(waits) * 0.95)] * 1000:.0f} ms; asked again (503): "
              f"{retried[0]}", flush=True)
    return statuses


def mix(fake: FakeTelegram, count: int, people: int) -> tuple[list[dict[str, Any]],
                                                              dict[int, int]]:
    """``count`` updates round-robin over the people; how many each chat got."""
    last = {user: fake.last_message(user) for user in users(people)}
    updates, per_chat = [], {}
    for n in range(count):
        user = FIRST_USER + n % people
        kind = (n // people) % 5
        if kind == 0:
            update = fake.user_sends(user, "/menu")
        elif kind == 1:
            update = fake.user_presses(user, last[user], "m:home", strict=False)
        elif kind == 2:
            update = fake.user_sends(user, "Xin chào")
        elif kind == 3:
            update = fake.user_presses(user, last[user], "m:help", strict=False)
        else:
            update = fake.user_sends(user, "/help")
        updates.append(update)
        per_chat[user] = per_chat.get(user, 0) + 1
    fake.drop_pending()  # posted by the bench, never polled
    return updates, per_chat


async def run(count: int, fake: FakeTelegram, database: str, redis: str, folder: Path,
              codes: list[str], args: argparse.Namespace) -> tuple[float, bool]:
    processes, ports = await start_workers(count, fake, database, redis, folder)
    runner, port, upstream = await start_proxy(ports)
    try:
        # Everyone says /start (with a code: linked, so menus ask about committee roles).
        since = len(fake.calls)
        hello = [fake.user_sends(u, f"/start {codes[n % len(codes)]}" if n < len(codes)
                                 else "/start", first_name=f"Người {n}")
                 for n, u in enumerate(users(args.people))]
        fake.drop_pending()
        await post_all(port, hello, args.in_flight)
        await fake.wait_for(lambda f: all(f.sent_to(u) for u in users(args.people)),
                            timeout=600)
        await fake.wait_idle(quiet=1.0, timeout=600)
        updates, per_chat = mix(fake, args.updates, args.people)
        since = len(fake.calls)
        pids = [p.pid for p in processes]
        cpu_before = (cpu_seconds(pids), cpu_seconds(postgres_pids()),
                      cpu_seconds([os.getpid()]))
        machine_before = machine_busy()
        started = time.monotonic()
        statuses = await post_all(port, updates, args.in_flight)
        await fake.wait_idle(quiet=2.0, timeout=1800)
        workers_cpu = cpu_seconds(pids) - cpu_before[0]
        postgres_cpu = cpu_seconds(postgres_pids()) - cpu_before[1]
        bench_cpu = cpu_seconds([os.getpid()]) - cpu_before[2]
        wall = time.monotonic() - started
        machine = machine_busy()
        busy = (machine[0] - machine_before[0]) / (machine[1] - machine_before[1])
        print(f"   CPU a update: workers {workers_cpu / len(updates) * 1000:.2f} ms, "
              f"PostgreSQL {postgres_cpu / len(updates) * 1000:.2f} ms, this process (proxy "
              f"and fake Bot API) {bench_cpu / len(updates) * 1000:.2f} ms; busy share of "
              f"{wall:.1f} s: workers {workers_cpu / wall:.2f}, this process "
              f"{bench_cpu / wall:.2f} CPUs; the whole machine {busy:.0%} busy "
              f"({busy * (os.cpu_count() or 1):.2f} of {os.cpu_count()} CPUs)", flush=True)
        done = [c for c in fake.calls[since:] if c.method in ANSWERS and c.status == 200]
        if not done:
            return 0.0, False
        took = max(c.time for c in done) - started
        got: dict[int, int] = {}
        for call in done:
            chat = int(call.params.get("chat_id", 0))
            got[chat] = got.get(chat, 0) + 1
        complete = all(s == 200 for s in statuses) and all(
            got.get(chat, 0) >= n for chat, n in per_chat.items())
        return len(updates) / took, complete
    finally:
        await upstream.close()
        await runner.cleanup()
        await stop_workers(processes)


async def main_async(args: argparse.Namespace) -> int:
    server = args.postgres or os.environ.get("CADREBOT_TEST_POSTGRES_URL")
    redis = args.redis or os.environ.get("CADREBOT_TEST_REDIS_URL")
    if not server or not redis:
        print("needs PostgreSQL and Redis: --postgres URL --redis URL (or "
              "$CADREBOT_TEST_POSTGRES_URL and $CADREBOT_TEST_REDIS_URL)")
        return 2
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{args.updates} updates from {args.people} people, {args.in_flight} in flight; "
          f"load before: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-bench-scaleout-"))
    name = f"cadrebot_bench_{uuid.uuid4().hex[:8]}"
    fake = FakeTelegram(TOKEN)  # one for every run: update ids keep growing
    await fake.start()
    rates: dict[int, float] = {}
    try:
        database, codes = await make_database(server, name, folder)
        for count in counts:
            rate, complete = await run(count, fake, database, redis, folder, codes, args)
            rates[count] = rate
            print(f"{count} worker{'s' if count > 1 else ' '} (PostgreSQL + Redis): "
                  f"{rate:8.1f} updates/s  (all answered: {complete}); load: "
                  f"{tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    finally:
        await fake.stop()
        await drop_database(server, name)
        if args.keep:
            print(f"the workers' logs are kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if len(counts) >= 2 and rates.get(counts[0]):
        print(f"ratio {counts[-1]} / {counts[0]} workers: "
              f"{rates[counts[-1]] / rates[counts[0]]:.2f}  (goal >= 2.5)")
    print(f"cores: {os.cpu_count()}; load average (1, 5, 15 min): "
          f"{tuple(round(x, 2) for x in os.getloadavg())}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--workers", default="1,3", help="worker counts, e.g. 1,3")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the workers' logs")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
