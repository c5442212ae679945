"""Telegram's flood limits, kept on our side so that its 429s stay rare.

Three limits, all counted on one limiter per bot and process, so that interactive
replies and bulk notifications share one budget (Telegram's limit is per bot):

- overall: at most ``per_second`` messages in ANY one-second window. A sliding log of
  the last grants, not a token bucket: a full bucket plus its refill would let twice
  the cap through within one second. The window is ``1 + margin`` seconds long: the
  server counts a request when it arrives, and two requests can reach it a little
  closer together than they left us. The grants are also paced evenly (``pace_burst``
  at once at most): thirty requests let go together reach the server one after the
  other over tens of milliseconds, more than any margin, and the next second's thirty
  would then arrive within the same second as the last of them. A send acquired
  ``in_flight`` (as ``bot.delivery`` does) counts until its request is answered, then
  from the latest moment it can have arrived, less the round trip's credit (``Ticket``,
  ``Trips``): a slot of the window is then busy about ``1 + margin`` seconds whatever the
  round trip, and not ``1 + margin`` plus the trip.
- per group: at most ``group_per_minute`` in any minute (the same sliding log).
- per private chat: one a second sustained, with a short burst (a bucket) so that a
  turn's two or three replies are not held back.

A 429 pauses everything for its ``retry_after``. Interactive replies go before bulk
notifications: the shared budget is handed out in turn, interactive first, then in the
order asked; while one waits for its own chat's limit only bulk to that chat waits.
Waiting for a chat's own limit never holds a place in the shared queue, so a busy chat
does not stall the others.

asyncio is single-threaded: checking and taking with no ``await`` in between is atomic.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
YIELD_SECONDS = 0.01  # how often bulk to a chat looks again while an interactive reply waits
INTERACTIVE, BULK = 0, 1  # places in the shared queue


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # overall, in any window of one second (plus ``margin``)
    burst: float = 30.0  # no longer used: the overall limit is a sliding window
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0  # in any window of a minute
    group_burst: float = 20.0  # no longer used: the group limit is a sliding window
    margin: float = 0.02  # seconds added to each window against arrival jitter
    pace_burst: float = 3.0  # overall sends let go together (a turn's replies) before pacing
    # How much of the round trip's credit (``Trips.credit``) a send answered is placed
    # before its answer (``Ticket``); 0: at its answer, the latest it can have arrived.
    trip_credit: float = 1.0
    trip_memory: float = 120.0  # seconds over which the shortest round trip is kept


class Bucket:
    """``capacity`` tokens refilled at ``rate`` a second; a send takes one."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity = rate, max(1.0, capacity)
        self.tokens, self.stamp = self.capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        # (a hair below one counts as one: a wait of exactly the computed time may
        # refill to 0.999999..., and a clock cannot move by less than its precision)
        return 0.0 if self.tokens >= 1.0 - 1e-9 else (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1.0

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


POLL_SECONDS = 0.005  # how often to look again while every send in a window is in flight
# The shortest wait: a clock with microseconds (datetime) would not move for less, and
# the same wait would be asked for again and again.
MIN_WAIT = 1e-6
RECENT = 64  # round trips (and the loop's lags) whose median is "now" (``Trips``)
MIN_TRIPS = 16  # round trips measured before any is credited
FLOOR_SLICES = 8  # the memory of the shortest round trip, in slices that age out in turn


class Window:
    """At most ``count`` sends in any window of ``seconds``: a send at ``t`` is allowed
    once all but ``count - 1`` of the others are at least ``seconds`` old. Then no
    half-open window of that length holds more than ``count``.

    Each entry is [when, in flight]. A send still in flight (``Ticket``) counts until it
    is done: only then is it known when it can have reached the server."""

    __slots__ = ("count", "log", "seconds")

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = max(1, count), seconds
        self.log: list[list[float]] = []

    @classmethod
    def of_rate(cls, rate: float, seconds: float, margin: float = 0.0) -> Window:
        """``rate`` a second as a count over ``seconds`` (longer for a rate below one
        per ``seconds``, so that the count stays whole and the rate is never exceeded)."""
        count = math.floor(rate * seconds + 1e-9)
        if count < 1:
            return cls(1, 1.0 / rate + margin)
        return cls(count, seconds + margin)

    def wait(self, now: float) -> float:
        seconds = self.seconds
        log = self.log
        if log and not log[0][1] and log[0][0] + seconds <= now:
            self.log = log = [e for e in log if e[1] or e[0] + seconds > now]
        if len(log) < self.count:
            return 0.0
        need = len(log) - self.count + 1  # how many must age out first
        ages = sorted(e[0] for e in log if not e[1])
        if len(ages) < need:
            return POLL_SECONDS  # the rest are in flight: they count until done
        return max(0.0, ages[need - 1] + seconds - now)

    def take(self, now: float, *, in_flight: bool = False) -> list[float]:
        entry = [now, 1.0 if in_flight else 0.0]
        self.log.append(entry)
        return entry

    def full(self, now: float) -> bool:
        return all(not e[1] and e[0] + self.seconds <= now for e in self.log)


class Trips:
    """What the round trips of the sends let us credit (``Ticket``).

    A server counts a request when it arrives: after our grant, before its answer. A
    send answered at ``d`` is at the latest counted at ``d - back`` (its way back), and
    the next send granted at ``g`` at the earliest at ``g + out`` (its way out). So a
    send can be placed ``back + out`` before its answer and the window still never
    holds more than the cap at the server, as long as the way back of one and the way
    out of another add up to at least the credit. Only their sum is known, a round trip
    (how a trip splits between the ways is not, and may be uneven), and the credit is
    kept below the shortest one; ``Limits.margin`` covers what is left (ways whose
    lengths vary against each other, which no sum shows):

    - ``floor``: the shortest round trip over ``memory`` seconds. The network's own
      time: a lag on our side only adds to a trip, and a lag that lasts (a busy
      machine) does not raise the floor that a quicker trip set before it.
    - ``jitter``: how much longer than the floor a trip takes now (the median of the
      last ``RECENT``). Trips that vary do not say how each of their ways varies; the
      more they vary, the less is credited.
    - ``lag``: how late the event loop wakes up now (the median of the last ``RECENT``
      oversleeps of the limiter's own waits), twice: a loop lagging behind adds to both
      ways of every trip it measures, so a floor measured while it lagged (from the
      start, or for longer than ``memory``) is that much too long.

    The credit is ``floor - jitter - 2 * lag``, nothing before ``MIN_TRIPS`` trips were
    measured; a send that failed is credited nothing (it may not have been answered).
    """

    __slots__ = ("floors", "lags", "memory", "recent")

    def __init__(self, memory: float) -> None:
        self.memory = memory
        self.recent: deque[float] = deque(maxlen=RECENT)
        self.lags: deque[float] = deque(maxlen=RECENT)
        self.floors: deque[list[float]] = deque()  # [since, shortest] per slice of memory

    def add(self, trip: float, now: float) -> None:
        self.recent.append(trip)
        floors = self.floors
        step = self.memory / FLOOR_SLICES
        if floors and now - floors[-1][0] < step:
            floors[-1][1] = min(floors[-1][1], trip)
            return
        floors.append([now, trip])
        while floors[0][0] + step + self.memory <= now:  # its every trip is older
            floors.popleft()

    def lagged(self, seconds: float) -> None:
        self.lags.append(seconds)

    def credit(self) -> float:
        if len(self.recent) < MIN_TRIPS:
            return 0.0
        floor = min(shortest for _, shortest in self.floors)
        jitter = _median(self.recent) - floor
        lag = _median(self.lags) if self.lags else 0.0
        return max(0.0, floor - jitter - 2.0 * lag)


def _median(values: deque[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class Ticket:
    """One send let through. ``done()`` once its request is answered (or failed): until
    then it counts in the windows, from then on it is placed at its answer less
    ``Limits.trip_credit`` of the round trips' credit (``Trips``), so that thirty
    requests held up on their way (a busy machine, a slow network) and the next thirty
    sent on time never meet within one second at the server."""

    __slots__ = ("entries", "granted", "limiter")

    def __init__(self, limiter: RateLimiter | None, granted: float,
                 entries: tuple[list[float], ...]) -> None:
        self.limiter, self.granted, self.entries = limiter, granted, entries

    def done(self, *, answered: bool = True) -> None:
        """``answered``: False when the request failed (a timeout, a dropped connection,
        an error): it may have reached the server at any moment until now, and its trip
        says nothing of the network's."""
        limiter = self.limiter
        if limiter is None:
            return
        self.limiter = None
        now = limiter._now()
        credit = 0.0
        if answered:
            limiter._trips.add(max(0.0, now - self.granted), now)
            credit = limiter.credit
        for entry in self.entries:
            entry[0] = max(entry[0], now - credit)
            entry[1] = 0.0


Limit = Bucket | Window


class RateLimiter:
    def __init__(self, limits: Limits | None = None, *, now: Now = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits or Limits()
        self._now, self._sleep = now, sleep
        self._global = Window.of_rate(self.limits.per_second, 1.0, self.limits.margin)
        # Even spacing within the window: its count spread over its length.
        self._pace = Bucket(self._global.count / self._global.seconds,
                            self.limits.pace_burst, now())
        self._chats: dict[str, Limit] = {}
        self._paused_until = 0.0
        # Waiting for the shared budget: (INTERACTIVE or BULK, order asked, chat, group,
        # in flight, future); the order asked is unique, so the rest is never compared.
        self._queue: list[tuple[int, int, str, bool, bool, asyncio.Future[Ticket]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
        self._interactive_chats: dict[str, int] = {}  # interactive replies waiting, by chat
        self._trips = Trips(self.limits.trip_memory)
        self.granted = 0

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the platform's ``retry_after``)."""
        self._paused_until = max(self._paused_until, self._now() + max(0.0, seconds))

    async def acquire(self, chat_id: str, *, group: bool = False, interactive: bool = False,
                      in_flight: bool = False) -> Ticket:
        """Wait until one message to ``chat_id`` is within every limit, and take it.
        ``in_flight``: the send counts until ``done()`` is called on the ticket returned
        (call it in a ``finally``); otherwise it is placed at the moment of the grant."""
        if interactive:
            self._interactive_chats[chat_id] = self._interactive_chats.get(chat_id, 0) + 1
        try:
            while True:
                now = self._now()
                own = self._own_wait(chat_id, group, interactive, now)
                if own > 0:  # the chat's own limit: no place in the shared queue meanwhile
                    await self._nap(own)
                    continue
                if not self._queue and self._shared_wait(now) <= 0:
                    return self._take(chat_id, group, now, in_flight)  # nobody ahead
                ticket = await self._turn(chat_id, group, interactive, in_flight)
                if ticket is not None:
                    return ticket  # the dispatcher took the tokens for us
        finally:
            if interactive:
                left = self._interactive_chats[chat_id] - 1
                if left:
                    self._interactive_chats[chat_id] = left
                else:
                    del self._interactive_chats[chat_id]

    @property
    def credit(self) -> float:
        """Seconds a send answered now is placed before its answer (``Trips``)."""
        return self._trips.credit() * self.limits.trip_credit

    @property
    def waiting(self) -> int:
        """Sends waiting for the shared budget now."""
        return sum(1 for entry in self._queue if not entry[5].done())

    def _own_wait(self, chat_id: str, group: bool, interactive: bool, now: float) -> float:
        own = self._chat(chat_id, group, now).wait(now)
        if not interactive and self._interactive_chats.get(chat_id):
            own = max(own, YIELD_SECONDS)  # let the person's own reply go first
        return own

    def _shared_wait(self, now: float) -> float:
        return max(self._paused_until - now, self._global.wait(now), self._pace.wait(now))

    def _take(self, chat_id: str, group: bool, now: float, in_flight: bool) -> Ticket:
        entries = [self._global.take(now, in_flight=in_flight)]
        self._pace.take(now)
        chat = self._chat(chat_id, group, now)
        if isinstance(chat, Window):
            entries.append(chat.take(now, in_flight=in_flight))
        else:
            chat.take(now)
        self.granted += 1
        return Ticket(self if in_flight else None, now, tuple(entries))

    async def _turn(self, chat_id: str, group: bool, interactive: bool,
                    in_flight: bool) -> Ticket | None:
        """Queue for the shared budget; the ticket once granted, None if the chat's own
        limit was taken meanwhile (then the caller waits for it again)."""
        future: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        entry = (INTERACTIVE if interactive else BULK, next(self._order), chat_id, group,
                 in_flight, future)
        heapq.heappush(self._queue, entry)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.ensure_future(self._dispatch())
        try:
            ticket = await future
        except _NotYet:
            return None
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().done()  # granted as it was cancelled: not in flight
            raise
        # Its trip starts now, not when the dispatcher let it through: the time this
        # task took to resume is no part of the way to the server.
        ticket.granted = self._now()
        return ticket

    async def _dispatch(self) -> None:
        """Hand the shared budget to the queue's head, one grant at a time, until empty."""
        queue = self._queue
        while queue:
            if queue[0][5].done():  # its task was cancelled
                heapq.heappop(queue)
                continue
            now = self._now()
            delay = self._shared_wait(now)
            if delay > 0:
                await self._nap(delay)
                continue
            kind, _, chat_id, group, in_flight, future = heapq.heappop(queue)
            if self._own_wait(chat_id, group, kind == INTERACTIVE, now) > 0:
                future.set_exception(_NotYet())  # back to its chat's own limit
                continue
            future.set_result(self._take(chat_id, group, now, in_flight))

    async def _nap(self, seconds: float) -> None:
        """Sleep ``seconds``, noting how late the loop woke us (``Trips``)."""
        seconds = max(seconds, MIN_WAIT)
        start = self._now()
        await self._sleep(seconds)
        self._trips.lagged(max(0.0, self._now() - start - seconds))

    def _chat(self, chat_id: str, group: bool, now: float) -> Limit:
        limit = self._chats.get(chat_id)
        if limit is None:
            if len(self._chats) > 10_000:  # forget chats whose limits have refilled
                self._chats = {key: b for key, b in self._chats.items() if not b.full(now)}
            limits = self.limits
            limit = (Window.of_rate(limits.group_per_minute / 60.0, 60.0, limits.margin)
                     if group else Bucket(limits.chat_per_second, limits.chat_burst, now))
            self._chats[chat_id] = limit
        return limit


class _NotYet(Exception):
    """A queued send whose chat's own limit was taken by another send meanwhile."""
