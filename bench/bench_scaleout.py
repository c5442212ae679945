"""Scale-out: inbound updates a second with one and with three webhook workers sharing
PostgreSQL and Redis behind one port.

    .venv/bin/python bench/bench_scaleout.py [--updates 3000] [--people 1000]
                                             [--workers 1,3] [--budget 0,auto]
                                             [--postgres URL] [--redis URL]

A throwaway PostgreSQL database (on the server of --postgres or
$CADREBOT_TEST_POSTGRES_URL) gets the demo organisation and an invitation code for each
of its people; Redis is --redis or $CADREBOT_TEST_REDIS_URL (a fresh key prefix a run).
For each worker count, that many ``cadrebot run`` processes serve the webhook (aiohttp),
each on its own port, behind one port: a small proxy in this process, as a load balancer
would be (to the worker with the fewest posts unanswered). The project's fake Bot API
(in this process, answering instantly) takes their answers. The people first say /start
with their code (and are answered), then ``--updates`` updates are posted through the
proxy, as Telegram would with ``max_connections`` set to what the workers keep in hand
(32 a worker, which the workers are told: CADREBOT_WEBHOOK_CONNECTIONS): menu commands,
menu presses, a greeting and /help, spread over ``--people`` chats. A figure is updates
/ (time of the last answer - time of the first post); every update must get its answer
(a message or an edit).

Two modes, each measuring 1 and 3 workers (``--budget``):

- no CPU budget: the workers take what this machine has. On two cores one worker
  already uses most of one, and three share the two with PostgreSQL, Redis, the proxy
  and the fake: whatever the code, the ratio cannot reach 2 here, so this mode says
  what a third worker buys on this machine.
- a CPU budget for each worker (a cgroup CPU quota; the machine must let this process
  make one): each worker gets the same share of a CPU whether it runs alone or with two
  others, as a worker on its own server gets its own core. ``auto`` gives the workers
  together half the cores (a third each of one CPU on two cores), the other half staying
  for PostgreSQL, Redis, the proxy and the fake. The ratio then says whether workers
  add up: whether the shared database, Redis and locks let three do three workers'
  work. This is the mode for the ">= 2.5" goal.

With 200 people, Telegram's limit of one message a second to a chat (kept by the
workers) was what got measured, whatever the number of workers: hence 1,000. Each run
also prints the CPU time an update cost the workers, PostgreSQL, Redis and this process,
how busy they were, PostgreSQL's transactions and rows an update, and how long a post
took to be acknowledged (the worker keeps the update first). Figures only, no
assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from bot.webhook import IN_HAND
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


def cpu_seconds(pids: list[int], children: bool = False) -> float:
    """User and system CPU time of these processes so far (Linux /proc); with
    ``children``, also that of their children which have ended (a server's backends)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += sum(int(f) for f in fields[11:15 if children else 13]) / ticks
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def service_pids(*names: str) -> list[int]:
    """This machine's processes of these names (PostgreSQL's server and backends...)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def services_cpu() -> tuple[float, float]:
    """CPU seconds so far of PostgreSQL (with its ended backends) and of Redis."""
    return (cpu_seconds(service_pids("postgres", "postmaster"), children=True),
            cpu_seconds(service_pids("redis-server")))


# --- a CPU budget for each worker --------------------------------------------------------

CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = Path("/sys/fs/cgroup")


def cpu_group(name: str, cpus: float) -> Path | None:
    """A cgroup holding its processes to ``cpus`` CPUs (cgroup v1 'cpu' or v2 'cpu.max'),
    or None when this machine lets no one make one (not root, no controller)."""
    period = 100_000  # the kernel's and containers' usual period
    quota = max(1000, int(cpus * period))
    for root, limit, value in (
            (CGROUP_V1, "cpu.cfs_quota_us", str(quota)),
            (CGROUP_V2, "cpu.max", f"{quota} {period}")):
        if not (root / limit).exists() and not (root / "cgroup.procs").exists():
            continue
        group = root / name
        try:
            group.mkdir(exist_ok=True)
            if limit == "cpu.cfs_quota_us":
                (group / "cpu.cfs_period_us").write_text(str(period))
            elif not (group / limit).exists():  # v2: the controller is not on for children
                (root / "cgroup.subtree_control").write_text("+cpu")
            (group / limit).write_text(value)
            return group
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
    return None


def join_group(group: Path, pid: int) -> None:
    (group / "cgroup.procs").write_text(str(pid))


def drop_group(group: Path) -> None:
    for _ in range(50):  # the processes leave it as they end
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.1)


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


async def database_work(url: str) -> tuple[int, ...]:
    """PostgreSQL's counts for the database: transactions committed and rolled back,
    rows written, rows fetched, sessions opened (pg_stat_database; flushed within a
    second)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(text(
                "SELECT xact_commit, xact_rollback, tup_inserted + tup_updated + tup_deleted,"
                " tup_fetched, sessions FROM pg_stat_database"
                " WHERE datname = current_database()"
            ))).one()
    finally:
        await engine.dispose()
    return tuple(int(x) for x in row)


async def drop_database(server: str, name: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


# --- the workers and the proxy -----------------------------------------------------------

async def start_workers(count: int, fake: FakeTelegram, database: str, redis: str,
                        folder: Path, connections: int,
                        ) -> tuple[list[asyncio.subprocess.Process], list[int]]:
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
                    "CADREBOT_WEBHOOK_CONNECTIONS": str(connections),
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
    """One port in front of the workers, as a load balancer (nginx ``least_conn``,
    HAProxy ``leastconn``): each post to the worker with the fewest posts unanswered,
    in turn among equals, so a worker that is slow for a moment is not sent more."""
    upstream = ClientSession(connector=TCPConnector(limit=0),
                             timeout=ClientTimeout(total=120))
    open_posts = dict.fromkeys(ports, 0)
    turn = itertools.count()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        start = next(turn)
        order = ports[start % len(ports):] + ports[:start % len(ports)]
        port = min(order, key=open_posts.__getitem__)
        open_posts[port] += 1
        try:
            async with upstream.post(f"http://127.0.0.1:{port}/telegram", data=body,
                                     headers={HEADER: request.headers.get(HEADER, ""),
                                              "Content-Type": "application/json"}) as response:
                return web.Response(status=response.status, body=await response.read(),
                                    content_type="application/json")
        finally:
            open_posts[port] -= 1

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
              codes: list[str], args: argparse.Namespace,
              budget: float) -> tuple[float, bool]:
    # As Telegram would post with max_connections set to what the workers keep in hand.
    in_flight = args.in_flight or min(100, IN_HAND * count)
    processes, ports = await start_workers(count, fake, database, redis, folder, in_flight)
    print(f"   {count} worker{'s' if count > 1 else ''}, {in_flight} updates posted at once",
          flush=True)
    groups: list[Path] = []
    if budget:
        for process in processes:
            group = cpu_group(f"cadrebot-bench-{os.getpid()}-{process.pid}", budget)
            if group is None:
                raise SystemExit("cannot hold a worker to a CPU budget here (no writable "
                                 "cgroup 'cpu' controller); run with --budget 0")
            join_group(group, process.pid)
            groups.append(group)
    runner, port, upstream = await start_proxy(ports)
    try:
        # Everyone says /start (with a code: linked, so menus ask about committee roles).
        since = len(fake.calls)
        hello = [fake.user_sends(u, f"/start {codes[n % len(codes)]}" if n < len(codes)
                                 else "/start", first_name=f"Người {n}")
                 for n, u in enumerate(users(args.people))]
        fake.drop_pending()
        await post_all(port, hello, in_flight)
        await fake.wait_for(lambda f: all(f.sent_to(u) for u in users(args.people)),
                            timeout=600)
        await fake.wait_idle(quiet=1.0, timeout=600)
        updates, per_chat = mix(fake, args.updates, args.people)
        since = len(fake.calls)
        pids = [p.pid for p in processes]
        idle_before, services_before = cpu_seconds(pids), services_cpu()
        await asyncio.sleep(args.idle)
        print(f"   idle, a worker uses {(cpu_seconds(pids) - idle_before) / args.idle / count:.3f}"
              f" CPU, PostgreSQL {(services_cpu()[0] - services_before[0]) / args.idle:.3f}",
              flush=True)
        work_before = await database_work(database)
        cpu_before = (cpu_seconds(pids), services_cpu(), cpu_seconds([os.getpid()]))
        machine_before = machine_busy()
        started = time.monotonic()
        statuses = await post_all(port, updates, in_flight)
        await fake.wait_idle(quiet=2.0, timeout=1800)
        workers_cpu = cpu_seconds(pids) - cpu_before[0]
        services = services_cpu()
        postgres_cpu = services[0] - cpu_before[1][0]
        redis_cpu = services[1] - cpu_before[1][1]
        bench_cpu = cpu_seconds([os.getpid()]) - cpu_before[2]
        wall = time.monotonic() - started
        machine = machine_busy()
        busy = (machine[0] - machine_before[0]) / (machine[1] - machine_before[1])
        print(f"   CPU a update: workers {workers_cpu / len(updates) * 1000:.2f} ms, "
              f"PostgreSQL {postgres_cpu / len(updates) * 1000:.2f} ms, Redis "
              f"{redis_cpu / len(updates) * 1000:.2f} ms, this process (proxy "
              f"and fake Bot API) {bench_cpu / len(updates) * 1000:.2f} ms; busy share of "
              f"{wall:.1f} s: workers {workers_cpu / wall:.2f}, this process "
              f"{bench_cpu / wall:.2f} CPUs; the whole machine {busy:.0%} busy "
              f"({busy * (os.cpu_count() or 1):.2f} of {os.cpu_count()} CPUs)", flush=True)
        await asyncio.sleep(1.5)  # PostgreSQL's statistics reach the view
        work = [b - a for a, b in zip(work_before, await database_work(database), strict=True)]
        print(f"   PostgreSQL an update: {work[0] / len(updates):.2f} commits, "
              f"{work[1] / len(updates):.2f} rollbacks, {work[2] / len(updates):.2f} rows "
              f"written, {work[3] / len(updates):.1f} rows fetched; {work[4]} connections opened",
              flush=True)
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
        for group in groups:
            drop_group(group)


async def main_async(args: argparse.Namespace) -> int:
    server = args.postgres or os.environ.get("CADREBOT_TEST_POSTGRES_URL")
    redis = args.redis or os.environ.get("CADREBOT_TEST_REDIS_URL")
    if not server or not redis:
        print("needs PostgreSQL and Redis: --postgres URL --redis URL (or "
              "$CADREBOT_TEST_POSTGRES_URL and $CADREBOT_TEST_REDIS_URL)")
        return 2
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{args.updates} updates from {args.people} people; "
          f"load before: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-bench-scaleout-"))
    name = f"cadrebot_bench_{uuid.uuid4().hex[:8]}"
    fake = FakeTelegram(TOKEN)  # one for every run: update ids keep growing
    await fake.start()
    # "auto": the workers together get half the machine, as many cores as they would
    # have on their own servers scaled down; PostgreSQL, Redis, the proxy and the fake
    # keep the other half, so that what a third worker buys is measured, not the cores.
    share = round((os.cpu_count() or 1) / 2 / max(counts), 2)
    budgets = [share if b == "auto" else float(b) for b in args.budget.split(",")]
    rates: dict[tuple[float, int], float] = {}
    try:
        database, codes = await make_database(server, name, folder)
        for budget in budgets:
            held = f", each held to {budget:g} CPU" if budget else ", no CPU budget"
            for count in counts:
                rate, complete = await run(count, fake, database, redis, folder, codes,
                                           args, budget)
                rates[budget, count] = rate
                print(f"{count} worker{'s' if count > 1 else ' '} (PostgreSQL + Redis{held}): "
                      f"{rate:8.1f} updates/s  (all answered: {complete}); load: "
                      f"{tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    finally:
        await fake.stop()
        await drop_database(server, name)
        if args.keep:
            print(f"the workers' logs are kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for budget in budgets:
        if len(counts) >= 2 and rates.get((budget, counts[0])):
            held = f"each worker held to {budget:g} CPU" if budget else "no CPU budget"
            print(f"ratio {counts[-1]} / {counts[0]} workers, {held}: "
                  f"{rates[budget, counts[-1]] / rates[budget, counts[0]]:.2f}  (goal >= 2.5)")
    print(f"cores: {os.cpu_count()}; load average (1, 5, 15 min): "
          f"{tuple(round(x, 2) for x in os.getloadavg())}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=0,
                        help="updates posted at once (default: 32 a worker, at most 100)")
    parser.add_argument("--workers", default="1,3", help="worker counts, e.g. 1,3")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--budget", default="0,auto",
                        help="CPUs each worker may use, a run for each (0: no budget; "
                             "auto: half the cores shared by the most workers)")
    parser.add_argument("--idle", type=float, default=5.0,
                        help="seconds the workers' idle CPU is measured for")
    parser.add_argument("--keep", action="store_true", help="keep the workers' logs")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
