"""The round trip's credit (``bot.ratelimit.Trips``): a send answered is placed before
its answer, so that a slot of the window is not kept busy for the trip as well. Played on
a virtual clock with a model of the way to the server: each request is counted where it
arrives, after its way out, and answered after its way back; ways of uneven and varying
length; an event loop that wakes every sleeper late (a busy machine). No second at the
server may ever hold more than the cap, and without lag the cap is nearly filled."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from bot.ratelimit import MIN_TRIPS, Limits, RateLimiter, Trips
from tests.unit.test_ratelimit import VirtualTime
from tests.unit.test_ratelimit_window import most_within

CAP = 30
Legs = Callable[[float, random.Random], tuple[float, float]]  # (now, rng) -> (out, back)
Lag = Callable[[float], float]  # how late the loop wakes a sleeper at that moment


class LaggingTime(VirtualTime):
    """Virtual time whose every sleeper wakes ``lag(now)`` late: the limiter's own waits,
    and both ways of every request (the loop picks the answer up late too)."""

    def __init__(self, lag: Lag) -> None:
        super().__init__()
        self.lag = lag

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.lag(self.t))


async def fan_out(legs: Legs, lag: Lag = lambda t: 0.0, *, sends: int = 900,
                  lanes: int = 60, seed: int = 18) -> list[float]:
    """When each of ``sends`` messages to as many chats arrived at the server."""
    clock = LaggingTime(lag)
    limiter = RateLimiter(Limits(per_second=CAP), now=clock.now, sleep=clock.sleep)
    rng = random.Random(seed)
    arrivals: list[float] = []
    numbers = iter(range(sends))

    async def lane() -> None:
        for number in numbers:
            ticket = await limiter.acquire(f"c{number}", in_flight=True)
            out, back = legs(clock.now(), rng)
            await clock.sleep(out)
            arrivals.append(clock.now())  # the server counts it here
            await clock.sleep(back)
            ticket.done()

    await clock.run(*(lane() for _ in range(lanes)))
    assert len(arrivals) == sends
    return sorted(arrivals)


def rate(arrivals: list[float]) -> float:
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def uneven(out: float, back: float, jitter: float) -> Legs:
    """Ways of ``out`` and ``back`` seconds, each longer by up to ``jitter`` at random."""
    return lambda now, rng: (out + rng.random() * jitter, back + rng.random() * jitter)


def heavy_tailed(way: float, mean_extra: float) -> Legs:
    """Both ways ``way`` long, each with its own exponential delay on top (a busy net)."""
    return lambda now, rng: (way + rng.expovariate(1 / mean_extra),
                             way + rng.expovariate(1 / mean_extra))


@pytest.mark.parametrize("legs", [uneven(0.03, 0.07, 0.005), uneven(0.09, 0.01, 0.005),
                                  uneven(0.0005, 0.0005, 0.002)],
                         ids=["out-short", "back-short", "instant"])
async def test_uneven_ways_never_put_more_than_the_cap_in_a_second_and_nearly_fill_it(
        legs: Legs) -> None:
    arrivals = await fan_out(legs)
    assert most_within(arrivals, 1.0) <= CAP
    # Counted from the answer, a slot would wait 1.02 s plus the trip (0.1 s: 0.91 of
    # the cap); with the credit, about 1.02 s plus the trip's jitter.
    assert rate(arrivals) >= 0.95 * CAP


async def test_a_jittery_network_is_credited_less_and_never_breaches() -> None:
    arrivals = await fan_out(heavy_tailed(0.04, 0.02), sends=1200)
    assert most_within(arrivals, 1.0) <= CAP
    assert rate(arrivals) >= 0.85 * CAP  # less than the cap: the trips vary


@pytest.mark.parametrize("lag", [
    lambda t: 0.15 if t < 8 else 0.0,  # busy from the start: the floor is too long
    lambda t: 0.25 if 4 <= t < 12 else 0.0,  # busy for a while, quiet before and after
    lambda t: 1.0 if 5 <= t < 5.005 or 14 <= t < 14.01 else 0.0,  # two stalls
    lambda t: 0.3 if int(t * 2) % 3 == 0 else 0.002,  # lagging on and off
], ids=["busy-from-the-start", "busy-for-a-while", "stalls", "on-and-off"])
async def test_a_lagging_event_loop_never_puts_more_than_the_cap_in_a_second(
        lag: Lag) -> None:
    for legs in (uneven(0.05, 0.05, 0.003), uneven(0.02, 0.08, 0.003)):
        arrivals = await fan_out(legs, lag, sends=750)
        assert most_within(arrivals, 1.0) <= CAP


def test_nothing_is_credited_before_enough_trips_were_measured() -> None:
    trips = Trips(memory=120.0)
    for n in range(MIN_TRIPS - 1):
        trips.add(0.1, float(n))
        assert trips.credit() == 0.0
    trips.add(0.1, 20.0)
    assert trips.credit() == pytest.approx(0.1)


def test_the_credit_is_the_floor_less_the_jitter_and_twice_the_loop_s_lag() -> None:
    trips = Trips(memory=120.0)
    for n in range(64):
        trips.add(0.1 + (n % 2) * 0.02, n * 0.1)  # half at 0.10 s, half at 0.12 s
    assert trips.credit() == pytest.approx(0.1 - 0.01)  # the median is 0.11
    for _ in range(5):
        trips.lagged(0.004)
    assert trips.credit() == pytest.approx(0.1 - 0.01 - 0.008)
    for _ in range(64):
        trips.add(0.3, 10.0)  # trips three times longer now: nothing is credited
    assert trips.credit() == 0.0


def test_the_floor_is_remembered_for_its_memory_then_forgotten() -> None:
    trips = Trips(memory=120.0)
    trips.add(0.05, 0.0)  # one quick trip, then a slower network
    for n in range(MIN_TRIPS):
        trips.add(0.08, 1.0 + n)
    assert trips.credit() == pytest.approx(0.05 - 0.03)
    for n in range(MIN_TRIPS):
        trips.add(0.08, 200.0 + n)  # the quick one is older than the memory
    assert trips.credit() == pytest.approx(0.08)


async def test_a_failed_send_is_placed_at_its_end_and_its_trip_not_measured() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(Limits(per_second=1, margin=0, pace_burst=1), now=clock.now,
                          sleep=clock.sleep)
    for n in range(MIN_TRIPS):  # trips of 0.1 s: 0.1 s credited
        ticket = await limiter.acquire(f"c{n}", in_flight=True)
        clock.t += 0.1
        ticket.done()
        clock.t += 1.0
    assert limiter._trips.credit() == pytest.approx(0.1)
    start = clock.t
    ticket = await limiter.acquire("failing", in_flight=True)
    clock.t += 0.001  # a dropped connection, at once
    ticket.done(answered=False)
    got: list[float] = []

    async def next_one() -> None:
        await limiter.acquire("next")
        got.append(clock.now())

    await clock.run(next_one())
    assert limiter._trips.credit() == pytest.approx(0.1)  # not the 0.001 s "trip"
    assert got == [pytest.approx(start + 1.001)]  # a second after its end
