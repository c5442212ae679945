"""Sending at Telegram's limits: the notifier's fan-out, a person's reply meanwhile, and
a burst of people writing at once (issue 18, rows 1-3).

    .venv/bin/python bench/bench_fanout.py [--messages 5000] [--chats 1000]
        [--latency 0.1] [--burst 1200] [--people 300] [--busy N] [--only fanout|burst]

The real service (``bot.runner.Service``: aiogram polling, the assistant on SQLite, the
notifier, one rate limiter) runs against the fake Bot API, which counts every send
where it arrives and checks the limits over sliding windows (it delivers a breaching
send anyway and counts it, so that a breach is measured rather than hidden by 429s).

  fan-out - ``--messages`` outbox rows to ``--chats`` linked people (five events, each
            to everyone), with the fake answering at once and then with a
            ``--latency`` round trip; meanwhile a guest writes every second and the
            time until the bot's answer reaches the server is taken (row 2);
  burst   - ``--people`` guests send ``--burst`` messages between them at once, no
            fan-out: every message must be answered.
Each prints its figures, the ratio to the cap, the most sends within any one second
(overall and to one chat), the sends over a limit, and the load average. ``--busy N``
keeps N other processes spinning on the CPU meanwhile (a busy machine).
Figures only, no assertions; not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bot.fakes.telegram import FakeTelegram
from bot.runner import Service
from bot.settings import Settings
from storage.models import ChatAccount, OutboxMessage, Person

TOKEN = "123456:AAE-bench-token-for-the-fake-server"
CAP = 30  # messages a second, overall (Telegram's, and the bot's default send_rate)
CHAT = 5_000_000  # the first linked person's chat
GUEST = 6_000_000  # the first guest's
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
DEMO = {"jurisdiction": "quang-ngai/duc-pho", "rules_date": date(2025, 6, 2)}


class Clock:
    """The demo's Monday morning, then running in real time."""

    def __init__(self) -> None:
        self.began = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=time.monotonic() - self.began)


async def start(folder: Path, fake: FakeTelegram) -> tuple[Service, asyncio.Event,
                                                           asyncio.Task[None]]:
    settings = Settings.of(telegram_token=TOKEN, telegram_api_base=fake.base,
                           database_url=f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}",
                           data_dir=folder, send_rate=CAP, **DEMO)
    service = await Service.start(settings, clock=Clock(), reminders=False)
    stop = asyncio.Event()
    return service, stop, asyncio.create_task(service.serve(stop))


async def stop_service(service: Service, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    try:
        await asyncio.wait_for(task, timeout=30)
    finally:
        await service.close()


async def plant(service: Service, fake: FakeTelegram, messages: int, chats: int) -> None:
    """``chats`` people with a linked account, and ``messages`` due outbox rows: event
    after event, each to everyone (a fan-out), in one transaction."""
    engine = service.app.engine
    async with engine.begin() as conn:
        organisation = await conn.scalar(select(Person.organisation_id).limit(1))
        await conn.execute(insert(Person), [
            {"id": f"bench-{n}", "organisation_id": organisation, "name": f"Đảng viên {n}",
             "title": None, "unit_id": None, "language": "vi"} for n in range(chats)])
        await conn.execute(insert(ChatAccount), [
            {"channel": "telegram", "external_id": str(CHAT + n), "chat_id": str(CHAT + n),
             "person_id": f"bench-{n}", "linked_at": START} for n in range(chats)])
        await conn.execute(insert(OutboxMessage), [
            {"dedupe_key": f"bench:{k}", "person_id": f"bench-{k % chats}", "priority": 3,
             "payload": {"notice": "unreachable", "person_id": f"bench-{(k + 1) % chats}",
                         "channel": "zalo", "dossier_id": 0},
             "status": "pending", "attempts": 0, "created_at": START,
             "next_attempt_at": START} for k in range(messages)])
    for n in range(chats):
        fake.known_chat(CHAT + n)


def sends(fake: FakeTelegram, chats: range | None = None) -> list[tuple[float, int]]:
    """(arrival, chat) of every message the server delivered, in arrival order."""
    found = [(c.time, int(c.params.get("chat_id") or 0)) for c in fake.calls
             if c.method in ("sendMessage", "sendDocument", "sendPhoto") and c.status == 200]
    if chats is not None:
        found = [s for s in found if s[1] in chats]
    return sorted(found)


def most_within(times: list[float], seconds: float) -> int:
    first = best = 0
    for last, stamp in enumerate(times):
        while times[first] + seconds <= stamp:
            first += 1
        best = max(best, last - first + 1)
    return best


def per_chat_peak(found: list[tuple[float, int]], seconds: float) -> int:
    by_chat: dict[int, list[float]] = {}
    for at, chat in found:
        by_chat.setdefault(chat, []).append(at)
    return max((most_within(t, seconds) for t in by_chat.values()), default=0)


def limits_line(fake: FakeTelegram) -> str:
    overall = sum("overall limit" in b for b in fake.breaches)
    chat = sum("per-chat limit" in b for b in fake.breaches)
    group = sum("group limit" in b for b in fake.breaches)
    refused = sum(1 for c in fake.calls if c.status == 429)
    return (f"sends over a limit: overall {overall}, per chat {chat}, group {group}; "
            f"429s {refused}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else float("nan")


async def fan_out(messages: int, chats: int, latency: float) -> dict[str, Any]:
    fake = FakeTelegram(TOKEN, latency=latency)
    await fake.start()
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-fanout-"))
    service, stop, task = await start(folder, fake)
    waits: list[float] = []
    try:
        await plant(service, fake, messages, chats)
        linked = range(CHAT, CHAT + chats)
        began = time.monotonic()
        service.notifier.wake()
        guest = GUEST
        while len(sends(fake, linked)) < messages:
            if time.monotonic() - began > messages / CAP * 3 + 60:
                print("  (gave up waiting: not every message was sent)")
                break
            asked = time.monotonic()
            fake.user_sends(guest, "/start", first_name="Khách")
            try:
                await fake.wait_for(lambda f, g=guest: f.sent_to(g), timeout=30)
                answer = min(t for t, chat in sends(fake) if chat == guest)
                waits.append(answer - asked)
            except AssertionError:
                waits.append(float("inf"))
            guest += 1
            await asyncio.sleep(max(0.0, asked + 1.0 - time.monotonic()))
        bulk = sends(fake, linked)
        credit = service.notifier.limiter.credit
    finally:
        await stop_service(service, stop, task)
        await fake.stop()
    first, last = bulk[0][0], bulk[-1][0]
    rate = (len(bulk) - 1) / (last - first) if len(bulk) > 1 else 0.0
    # Every send of the bot meanwhile: the replies to the guest share the cap.
    every = sum(1 for at, _ in sends(fake) if first <= at <= last)
    total = (every - 1) / (last - first) if every > 1 else 0.0
    return {"sent": len(bulk), "seconds": last - first, "rate": rate, "total": total,
            "credit": credit,
            "peak": fake.peak(1.0), "chat_peak": per_chat_peak(bulk, 1.0),
            "chat_peak10": per_chat_peak(bulk, 10.0), "limits": limits_line(fake),
            "waits": waits, "load": load()}


async def burst(total: int, people: int) -> dict[str, Any]:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-burst-"))
    service, stop, task = await start(folder, fake)
    questions = ("/start", "/help", "/quydinh", "/menu")
    try:
        control = GUEST - 1  # asks the same questions alone first: how many answers each
        expected = 0
        for question in questions:
            count = len(fake.sent_to(control))
            fake.user_sends(control, question)
            await fake.wait_for(lambda f, c=count: len(f.sent_to(control)) > c, timeout=60)
            await fake.wait_idle(quiet=0.5, timeout=60)
            expected += len(fake.sent_to(control)) - count
        rounds = max(1, total // people)
        expected = expected * rounds // len(questions) if rounds != len(questions) else expected
        before = len(sends(fake))
        guests = range(GUEST, GUEST + people)
        began = time.monotonic()
        for round_ in range(rounds):
            for guest in guests:
                fake.user_sends(guest, questions[round_ % len(questions)], first_name="Khách")
        await fake.wait_for(lambda f: all(len(f.sent_to(g)) >= expected for g in guests),
                            timeout=total * 2 / CAP + 120)
        await fake.wait_idle(quiet=1.0, timeout=120)
        elapsed = time.monotonic() - began
        answered = sum(1 for g in guests if len(fake.sent_to(g)) >= expected)
        replies = sends(fake)[before:]
    finally:
        await stop_service(service, stop, task)
        await fake.stop()
    return {"messages": rounds * people, "answered": answered, "people": people,
            "replies": len(replies), "seconds": elapsed,
            "rate": len(replies) / elapsed if elapsed else 0.0,
            "peak": most_within([t for t, _ in replies], 1.0),
            "chat_peak": per_chat_peak(replies, 1.0), "limits": limits_line(fake),
            "load": load()}


def show_fan_out(label: str, r: dict[str, Any]) -> None:
    waits = [w for w in r["waits"] if math.isfinite(w)]
    print(f"fan-out {label}: {r['sent']} messages in {r['seconds']:.1f} s = "
          f"{r['rate']:.2f}/s = {r['rate'] / CAP:.3f} of the {CAP}/s cap")
    print(f"  every send of the bot meanwhile (the replies to the guest below share the "
          f"cap): {r['total']:.2f}/s = {r['total'] / CAP:.3f} of the cap (goal >= 0.95); "
          f"round trip credited at the end: {r['credit'] * 1000:.0f} ms")
    print(f"  most sends within any 1 s: {r['peak']} (goal <= {CAP}); to one chat: "
          f"{r['chat_peak']} in 1 s, {r['chat_peak10']} in 10 s; {r['limits']}")
    if waits:
        print(f"  a person's reply meanwhile ({len(r['waits'])} asked, "
              f"{len(r['waits']) - len(waits)} unanswered in 30 s): p50 "
              f"{statistics.median(waits):.3f} s, p95 {p95(waits):.3f} s (goal <= 1 s), "
              f"max {max(waits):.3f} s")
    print(f"  {r['load']}")


def spin(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` processes that keep a CPU busy (a machine busy with other work)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(count)]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1,
                        help="the second fan-out's round trip in seconds (0: skip it)")
    parser.add_argument("--burst", type=int, default=1200)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--busy", type=int, default=0,
                        help="processes spinning on the CPU meanwhile")
    parser.add_argument("--only", choices=("fanout", "burst"))
    args = parser.parse_args()
    print(f"cap {CAP}/s; {load()}; busy: {args.busy} spinning processes")
    spinning = spin(args.busy)
    try:
        if args.only in (None, "fanout"):
            show_fan_out("(instant fake)", await fan_out(args.messages, args.chats, 0.0))
            if args.latency > 0:
                show_fan_out(f"({args.latency * 1000:.0f} ms round trip)",
                             await fan_out(args.messages, args.chats, args.latency))
        if args.only in (None, "burst"):
            r = await burst(args.burst, args.people)
            print(f"burst: {r['messages']} messages from {r['people']} people, "
                  f"{r['answered']} of them answered in full; {r['replies']} replies in "
                  f"{r['seconds']:.1f} s = {r['rate']:.2f}/s = {r['rate'] / CAP:.3f} of "
                  f"the cap")
            print(f"  most sends within any 1 s: {r['peak']} (goal <= {CAP}); to one "
                  f"chat: {r['chat_peak']} in 1 s; {r['limits']}")
            print(f"  {r['load']}")
    finally:
        for process in spinning:
            process.kill()
            process.wait()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
