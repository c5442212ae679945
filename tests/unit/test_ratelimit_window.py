"""The limiter is exact over any window, under concurrency; the fake server's sliding
window sees a bot that is not (what a token bucket with burst = rate let through)."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.fakes.telegram_limits import FloodWatch
from bot.ratelimit import MIN_TRIPS, Limits, RateLimiter
from tests.unit.test_ratelimit import VirtualTime


def most_within(times: list[float], seconds: float) -> int:
    """The most of ``times`` within any half-open window of ``seconds``."""
    ordered, first, best = sorted(times), 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] + seconds <= stamp:
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_no_second_ever_sees_more_than_the_cap_under_concurrency() -> None:
    clock = VirtualTime()
    limit = RateLimiter(Limits(margin=0), now=clock.now, sleep=clock.sleep)
    rng = random.Random(18)
    grants: list[tuple[float, str, bool]] = []

    async def sender(chat: str, count: int, group: bool, interactive: bool) -> None:
        for _ in range(count):
            await clock.sleep(rng.random() * 0.3)  # arrivals at odd moments
            await limit.acquire(chat, group=group, interactive=interactive)
            grants.append((clock.now(), chat, group))

    senders = [sender(f"c{i}", 5, False, False) for i in range(60)]  # a fan-out
    senders += [sender(f"p{i}", 4, False, True) for i in range(15)]  # people answered
    senders += [sender(f"-g{i}", 25, True, False) for i in range(2)]  # two groups
    await clock.run(*senders)

    assert len(grants) == 60 * 5 + 15 * 4 + 2 * 25
    assert most_within([t for t, _, _ in grants], 1.0) == 30  # filled, never exceeded
    for group in ("-g0", "-g1"):
        assert most_within([t for t, c, _ in grants if c == group], 60.0) == 20
    for chat in {c for _, c, g in grants if not g}:
        mine = [t for t, c, _ in grants if c == chat]
        for seconds in (1.0, 3.0, 10.0):  # a burst of three, then one a second
            assert most_within(mine, seconds) <= 3 + seconds - 1
    # Filling the cap: 410 sends at 30 a second, the groups' last five a minute later.
    others = sorted(t for t, c, g in grants if not g)
    assert others[-1] <= (len(others) + 50 - 30) / 30 / 0.95


async def test_interactive_replies_are_served_first_when_the_budget_is_spent() -> None:
    clock = VirtualTime()
    limit = RateLimiter(Limits(margin=0), now=clock.now, sleep=clock.sleep)
    got: dict[str, float] = {}

    async def one(chat: str, interactive: bool) -> None:
        await limit.acquire(chat, interactive=interactive)
        got[chat] = clock.now()

    bulk = [one(f"bulk{i}", False) for i in range(120)]  # four seconds of fan-out

    async def person() -> None:
        await clock.sleep(1.5)  # writes while the fan-out waits for the budget
        await one("person", True)

    await clock.run(*bulk, person())
    waited = got["person"] - 1.5
    assert 0 <= waited <= 1.0 / 30 + 1e-6  # the very next send the pace allows
    assert sum(1 for t in got.values() if t > got["person"]) > 60  # ahead of the bulk
    assert max(got.values()) == pytest.approx(4.0, abs=0.1)  # every second still filled


async def test_a_cancelled_wait_leaves_the_budget_to_the_others() -> None:
    clock = VirtualTime()
    limit = RateLimiter(Limits(per_second=1, margin=0), now=clock.now, sleep=clock.sleep)
    await limit.acquire("a")
    gone = asyncio.ensure_future(limit.acquire("b"))
    await asyncio.sleep(0)
    gone.cancel()
    got: list[float] = []

    async def later() -> None:
        await limit.acquire("c")
        got.append(clock.now())

    await clock.run(later())
    assert got == [1.0] and gone.cancelled()


def test_the_sliding_window_sees_a_full_bucket_plus_its_refill() -> None:
    """A bucket of 30 with burst 30 lets 30 go at once and 30 more as it refills within
    the same second; the fake server must report the second thirty."""
    clock = [0.0]
    watch = FloodWatch(now=lambda: clock[0])
    breaches = []
    for n in range(60):
        clock[0] = 0.5 if n < 30 else 0.5 + (n - 29) / 30 * 0.99
        breach, wait = watch.observe("sendMessage", 1000 + n)
        if breach:
            breaches.append((breach, wait))
    assert len(breaches) == 30 and watch.peak() == 60
    assert "overall limit (31 sends within a second)" in breaches[0][0]
    assert breaches[0][1] == 1


def test_the_sliding_window_passes_a_bot_that_keeps_to_it() -> None:
    clock = [0.0]
    watch = FloodWatch(now=lambda: clock[0])
    for n in range(300):  # thirty at the start of every second (and a little more)
        clock[0] = n // 30 * 1.001 + (n % 30) * 0.001
        assert watch.observe("sendMessage", 1000 + n) == (None, 0)
    assert watch.peak() == 30


def test_a_refused_send_is_not_counted_as_delivered() -> None:
    clock = [0.0]
    watch = FloodWatch(Limits(per_second=2), now=lambda: clock[0])
    assert watch.observe("sendMessage", 1)[0] is None
    assert watch.observe("sendMessage", 2)[0] is None
    breach, wait = watch.observe("sendMessage", 3, delivered=False)
    assert breach is not None and wait == 1 and watch.peak() == 2
    clock[0] = 1.0  # the first two are a second old
    assert watch.observe("sendMessage", 3)[0] is None


def test_a_group_may_have_twenty_a_minute() -> None:
    clock = [0.0]
    watch = FloodWatch(now=lambda: clock[0])
    results = []
    for n in range(21):
        clock[0] = n * 2.0  # one every two seconds: 21 within 40 s
        results.append(watch.observe("sendMessage", -100)[0])
    assert results[:20] == [None] * 20
    assert results[20] is not None and "group limit (21 sends within a minute)" in results[20]


async def test_a_send_in_flight_counts_until_answered_then_from_its_likely_arrival() -> None:
    """Thirty requests held up on their way must not meet the next thirty at the server:
    a send counts until it is answered, then from its answer less the trip's credit."""
    clock = VirtualTime()
    limit = RateLimiter(Limits(margin=0, pace_burst=30), now=clock.now, sleep=clock.sleep)
    for n in range(MIN_TRIPS):  # round trips of 0.1 s measured: 0.1 s is credited
        ticket = await limit.acquire(f"m{n}", in_flight=True)
        clock.t += 0.1
        ticket.done()
        clock.t += 1.0  # out of every window
    start = clock.t
    quick = await limit.acquire("q", in_flight=True)
    clock.t += 0.1
    quick.done()  # placed at its grant
    tickets = [await limit.acquire(f"c{i}", in_flight=True) for i in range(29)]
    got: list[float] = []

    async def two_more() -> None:
        for name in ("late-1", "late-2"):
            ticket = await limit.acquire(name, in_flight=True)
            got.append(clock.now() - start)
            clock.t += 0.1
            ticket.done()

    async def answers() -> None:
        await clock.sleep(0.6)  # held up: answered at 0.7, 0.6 s after their grant
        for ticket in tickets:
            ticket.done()

    await clock.run(two_more(), answers())
    # The quick one frees a place at 1.0. The held-up ones are placed at their answer
    # less the credit, 0.6 at the earliest: the next place is free at 1.6, where
    # counting from their grant (0.1) would have let it go at 1.1.
    assert got == pytest.approx([1.0, 1.6])
