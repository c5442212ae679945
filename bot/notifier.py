"""The notifier: drains the outbox to the people's chats, within the platforms' limits.

Construct one per process, next to the channel adapters, and run it in the event loop::

    limiter = RateLimiter()  # the same one the adapter uses for interactive replies
    notifier = Notifier(app.services, app.engine, {"telegram": telegram_sender}, limiter,
                        clock=app.services.clock.now)
    task = asyncio.create_task(notifier.run(stop_event))
    ...
    notifier.wake()  # after a turn that wrote outbox rows, and when
                     # storage.outbox_queue.mark_seen(...) says an account is back
    stop_event.set(); await task

``senders`` maps a channel name (``ChatAccount.channel``) to its ``bot.delivery.Sender``;
a message goes to its person's reachable account on one of those channels: the one
they chose with /kenh, otherwise the most recently seen one (then the most recently
linked). Each platform has its own limits: ``limiters`` gives a channel its own
``RateLimiter`` (the one its adapter uses), ``limiter`` serves the others.
``drain_once()`` does one batch and says what happened (``DrainReport``); tests call it
directly.

A batch is sent concurrently, one lane per person (so each person's messages keep
their order), every send under the shared ``RateLimiter``: the limiter, not the round
trip, sets the pace, and a chat waiting for its own limit holds nobody else back. At
most ``ACTIVE`` messages are being rendered and sent at once, so a batch is rendered
as it goes rather than all at once. Two drains overlap in ``run`` so that claiming the
next batch leaves no gap.

Delivery is at-least-once. A message posted is marked sent before its lane goes on,
by group commit (the messages other lanes posted meanwhile share the transaction): a
crash repeats only the messages in flight then, at most one per chat (as does a lease
that ran out while the platform kept us waiting), and never loses one; a claimed message is never
sent by two live workers (``storage.outbox_queue``). A long text posted in parts and
failing halfway is posted again from its first part.

Outcomes: posted -> ``sent``. Server errors and timeouts (after ``deliver``'s own quick
retries) -> tried again after 10 s, 20 s, 40 s ... at most 15 min, ``failed`` after
``max_attempts`` (listed to the office). The platform's flood control -> tried again
after its ``retry_after``, no attempt counted. Blocked or left (403) -> the account is
marked unreachable; the message goes to the person's other account if any, otherwise
it is ``unreachable`` and the office of its dossier is told once per person and dossier.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import (
    BACKOFF_SECONDS,
    TRANSIENT_RETRIES,
    RetryAfter,
    Sender,
    Unreachable,
    deliver,
)
from bot.ratelimit import RateLimiter
from handlers.context import Services
from handlers.messages import Reply
from handlers.notifications import render
from handlers.ports import PersonInfo
from storage import outbox_queue as queue
from storage.outbox_queue import Account, Claimed

log = logging.getLogger(__name__)

BATCH = 400  # rows claimed at once: enough people for the limiter to keep busy
DRAINERS = 2  # drains overlapping in ``run``
MAX_ATTEMPTS = 16  # 10 s, 20 s, ... then every 15 min: about two and a half hours
RETRY_FIRST = timedelta(seconds=10)
RETRY_CAP = timedelta(minutes=15)
# A claim not finished by then is taken by another worker (renewed at half-time while a
# batch is sent), so a worker that died holds its messages back for two minutes at most.
LEASE = timedelta(minutes=2)
IDLE_SECONDS = 1.0  # between drains when the outbox is empty (wake() cuts it short)
ERROR_SECONDS = 5.0  # after a drain failed (database down)
# Messages being rendered and sent at once: more than the limiter lets through in a
# second, so it always has the next one ready, but not the whole batch rendered at once
# (a burst of work that would hold up the replies to people).
ACTIVE = 64


@dataclass
class DrainReport:
    claimed: int = 0
    sent: int = 0  # rows posted and marked sent
    posted: int = 0  # chat messages posted (a long text takes several)
    retried: int = 0  # failed for now, tried again later
    paused: int = 0  # flood control: tried again after retry_after
    unreachable: int = 0  # nobody left to send to: marked unreachable
    rerouted: int = 0  # blocked on one account, due again for another
    failed: int = 0  # out of attempts
    released: int = 0  # given back untried (no account left, lease lost, stopping)
    notices: int = 0  # office notices written


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 10 s doubling, at most 15 min."""
    return min(RETRY_CAP, RETRY_FIRST * 2 ** max(0, min(attempts - 1, 20)))


class _Batch:
    """One claimed batch: which rows are still ours, and their lease."""

    def __init__(self, notifier: Notifier, token: str, rows: Sequence[Claimed],
                 lease_until: datetime, report: DrainReport) -> None:
        self.notifier, self.token, self.report = notifier, token, report
        self.lease_until = lease_until
        self.left = {row.id for row in rows}  # not started yet
        self.sending: set[int] = set()  # started, not recorded yet
        self._renewing = asyncio.Lock()

    async def start(self, row: Claimed) -> bool:
        """Take ``row`` to send it now; False if the claim on it was lost."""
        await self._keep_claim()
        if row.id not in self.left:
            return False
        self.left.discard(row.id)
        self.sending.add(row.id)
        return True

    async def _keep_claim(self) -> None:
        notifier = self.notifier
        if notifier.clock() < self.lease_until - notifier.lease / 2:
            return
        async with self._renewing:  # one renewal for every lane that needs it
            now = notifier.clock()
            if now < self.lease_until - notifier.lease / 2:
                return
            ours = self.left | self.sending
            mine = await queue.renew(notifier.engine, ours, self.token, now + notifier.lease)
            self.lease_until = now + notifier.lease
            lost = self.left - mine
            self.report.released += len(lost)
            self.left -= lost


class _Marks:
    """Messages posted, marked sent by group commit: a lane waits until its message is
    recorded, and whatever other lanes posted meanwhile goes in the same transaction. So
    a kill repeats only the messages in flight at that moment, at most one per chat (a
    chat's lane has one in flight), never a batch waiting to be recorded."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.waiting: list[tuple[int, Account, datetime]] = []
        self._lock = asyncio.Lock()

    async def add(self, row_id: int, account: Account, now: datetime) -> None:
        self.waiting.append((row_id, account, now))
        await self.flush()  # returns once this row is recorded (by us or a flush before)

    async def flush(self) -> None:
        async with self._lock:
            done, self.waiting = self.waiting, []
            if done:
                await queue.mark_sent_many(self.engine, done)


class Notifier:
    def __init__(self, app_services: Services, engine: AsyncEngine,
                 senders: Mapping[str, Sender], limiter: RateLimiter, *,
                 clock: Callable[[], datetime] | None = None, batch: int = BATCH,
                 max_attempts: int = MAX_ATTEMPTS, lease: timedelta = LEASE,
                 idle: float = IDLE_SECONDS, retries: int = TRANSIENT_RETRIES,
                 retry_backoff: float = BACKOFF_SECONDS,
                 limiters: Mapping[str, RateLimiter] | None = None,
                 drainers: int = DRAINERS) -> None:
        """``retries`` and ``retry_backoff`` are ``deliver``'s quick in-place retries."""
        if not senders:
            raise ValueError("the notifier needs at least one sender")
        self.services, self.engine = app_services, engine
        self.senders, self.limiter = dict(senders), limiter
        self.limiters = dict(limiters or {})
        self.clock = clock or app_services.clock.now
        self.batch, self.max_attempts, self.lease = batch, max_attempts, lease
        self.idle, self.retries, self.retry_backoff = idle, retries, retry_backoff
        self.drainers = max(1, drainers)
        self._active = asyncio.Semaphore(ACTIVE)  # shared by the drains
        self.worker = uuid.uuid4().hex[:16]
        self._claims = itertools.count(1)
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Drain now rather than at the next tick (new outbox rows were committed)."""
        self._woken.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until ``stop`` is set; a failed drain is logged and tried again."""
        try:
            recovered = await queue.recover(self.engine, self.clock())
        except Exception:
            log.exception("notifier: could not recover the rows of a stopped process")
        else:
            if recovered:
                log.warning("notifier: %d messages claimed before a crash are due again",
                            recovered)
        drains = [asyncio.ensure_future(self._drain_loop(stop, i * 0.05))
                  for i in range(self.drainers)]
        try:
            await asyncio.gather(*drains)
        finally:
            for drain in drains:
                drain.cancel()
            await asyncio.gather(*drains, return_exceptions=True)

    async def _drain_loop(self, stop: asyncio.Event, offset: float) -> None:
        await self._wait(stop, offset)  # the drains start apart: their claims alternate
        while not stop.is_set():
            self._woken.clear()
            try:
                report = await self.drain_once(stop)
            except Exception:
                log.exception("notifier: draining the outbox failed; trying again")
                await self._wait(stop, ERROR_SECONDS)
                continue
            if report.notices:
                self._woken.set()  # the office's notices are due at once
            if report.claimed < self.batch or not report.sent:
                await self._wait(stop, self.idle)

    async def drain_once(self, stop: asyncio.Event | None = None) -> DrainReport:
        """Claim one batch of due messages and deliver them; what happened. Once ``stop``
        is set the rest of the batch is given back, due at once, for the next start."""
        report = DrainReport()
        now = self.clock()
        token = f"{self.worker}:{next(self._claims)}"
        rows = await queue.claim(self.engine, list(self.senders), token, now,
                                 now + self.lease, self.batch)
        report.claimed = len(rows)
        if not rows:
            return report
        accounts = await queue.accounts(self.engine, {r.person_id for r in rows},
                                        list(self.senders))
        people: dict[str, PersonInfo | None] = {}
        batch = _Batch(self, token, rows, now + self.lease, report)
        marks = _Marks(self.engine)
        lanes: dict[str, list[Claimed]] = {}
        for row in rows:  # by priority, then age: each person's in their order
            lanes.setdefault(row.person_id, []).append(row)
        tasks = [asyncio.ensure_future(self._lane(lane, batch, marks, stop,
                                                  accounts.get(person, []), people))
                 for person, lane in lanes.items()]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            failed = next((t for t in tasks if t.done() and not t.cancelled()
                           and t.exception() is not None), None)
            if failed is not None:
                raise failed.exception()  # type: ignore[misc]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            try:
                await marks.flush()
            except Exception:  # they stay claimed: sent once more when the lease ends
                log.exception("notifier: could not mark %d messages sent",
                              len(marks.waiting))
            if batch.left:  # stopped or failed halfway: the rest is due again at once
                report.released += len(batch.left)
                try:
                    await queue.release(self.engine, batch.left, token, self.clock())
                except Exception:
                    log.exception("notifier: could not release %d rows; they wait for "
                                  "their lease to end", len(batch.left))
        return report

    async def _lane(self, rows: list[Claimed], batch: _Batch, marks: _Marks,
                    stop: asyncio.Event | None, choices: list[Account],
                    people: dict[str, PersonInfo | None]) -> None:
        """One person's messages, one after the other."""
        for row in rows:
            if stop is not None and stop.is_set():
                return  # shutting down: what is left is released by the batch
            async with self._active:
                if stop is not None and stop.is_set():
                    return
                if not await batch.start(row):
                    continue
                await self._one(row, batch, marks, choices, people)
                batch.sending.discard(row.id)

    async def _one(self, row: Claimed, batch: _Batch, marks: _Marks, choices: list[Account],
                   people: dict[str, PersonInfo | None]) -> None:
        report, token = batch.report, batch.token
        if not choices:  # its person's accounts became unreachable during this batch
            report.released += 1
            await queue.release(self.engine, [row.id], token, self.clock())
            return
        account = choices[0]
        limiter = self.limiters.get(account.channel, self.limiter)
        try:
            reply = await self._render(row, people)
            posted = await deliver(self.senders[account.channel], limiter,
                                   account.chat_id, reply, interactive=False,
                                   retries=self.retries, backoff=self.retry_backoff)
        except RetryAfter as exc:
            limiter.pause(exc.seconds)
            report.paused += 1
            await queue.reschedule(self.engine, row, token, error=str(exc),
                                   at=self.clock() + timedelta(seconds=exc.seconds),
                                   count_attempt=False, max_attempts=self.max_attempts)
        except Unreachable as exc:
            now = self.clock()
            blocked = await queue.account_unreachable(self.engine, row, token, account,
                                                      list(self.senders), now, str(exc))
            # Every account of this person on this chat is gone for the rest of the batch.
            choices[:] = [a for a in choices if a.id != account.id]
            log.info("notifier: %s account %s of %s unreachable", account.channel,
                     account.id, row.person_id)
            report.notices += blocked.notices
            if blocked.rerouted:
                report.rerouted += 1
            else:
                report.unreachable += 1
        except Exception as exc:  # Transient, a sender's bug, a payload we cannot render
            await self._failed(row, token, exc, report)
        else:
            report.sent += 1
            report.posted += posted
            await marks.add(row.id, account, self.clock())

    async def _render(self, row: Claimed, people: dict[str, PersonInfo | None]) -> Reply:
        if row.person_id not in people:
            people[row.person_id] = await self.services.directory.person(row.person_id)
        person = people[row.person_id]
        if person is None:
            raise LookupError(f"no person {row.person_id!r}")
        return await render(self.services, person, row.payload)

    async def _failed(self, row: Claimed, token: str, exc: Exception,
                      report: DrainReport) -> None:
        attempts = row.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        status = await queue.reschedule(self.engine, row, token, error=error,
                                        at=self.clock() + backoff(attempts),
                                        count_attempt=True, max_attempts=self.max_attempts)
        if status == queue.FAILED:
            report.failed += 1
            log.warning("notifier: message %s failed after %d attempts: %s", row.id,
                        attempts, error)
        else:
            report.retried += 1
            log.info("notifier: message %s attempt %d failed (%s)", row.id, attempts, error)

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        if stop.is_set() or self._woken.is_set() or seconds <= 0:
            return
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._woken.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
