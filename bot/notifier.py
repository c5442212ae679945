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

Delivery is at-least-once. Each message is marked sent in its own short transaction
right after it was posted: a crash in between (or a lease that ran out while the
platform kept us waiting) sends that message once more, never loses it; a claimed
message is never sent by two live workers (``storage.outbox_queue``). A long text
posted in parts and failing halfway is posted again from its first part.

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
from collections.abc import Callable, Mapping
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

BATCH = 100
MAX_ATTEMPTS = 16  # 10 s, 20 s, ... then every 15 min: about two and a half hours
RETRY_FIRST = timedelta(seconds=10)
RETRY_CAP = timedelta(minutes=15)
# A claim not finished by then is taken by another worker (renewed at half-time while a
# batch is sent), so a worker that died holds its messages back for two minutes at most.
LEASE = timedelta(minutes=2)
IDLE_SECONDS = 1.0  # between drains when the outbox is empty (wake() cuts it short)
ERROR_SECONDS = 5.0  # after a drain failed (database down)


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


class Notifier:
    def __init__(self, app_services: Services, engine: AsyncEngine,
                 senders: Mapping[str, Sender], limiter: RateLimiter, *,
                 clock: Callable[[], datetime] | None = None, batch: int = BATCH,
                 max_attempts: int = MAX_ATTEMPTS, lease: timedelta = LEASE,
                 idle: float = IDLE_SECONDS, retries: int = TRANSIENT_RETRIES,
                 retry_backoff: float = BACKOFF_SECONDS,
                 limiters: Mapping[str, RateLimiter] | None = None) -> None:
        """``retries`` and ``retry_backoff`` are ``deliver``'s quick in-place retries."""
        if not senders:
            raise ValueError("the notifier needs at least one sender")
        self.services, self.engine = app_services, engine
        self.senders, self.limiter = dict(senders), limiter
        self.limiters = dict(limiters or {})
        self.clock = clock or app_services.clock.now
        self.batch, self.max_attempts, self.lease = batch, max_attempts, lease
        self.idle, self.retries, self.retry_backoff = idle, retries, retry_backoff
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
        lease_until = now + self.lease
        rows = await queue.claim(self.engine, list(self.senders), token, now, lease_until,
                                 self.batch)
        report.claimed = len(rows)
        if not rows:
            return report
        accounts = await queue.accounts(self.engine, {r.person_id for r in rows},
                                        list(self.senders))
        people: dict[str, PersonInfo | None] = {}
        left = [row.id for row in rows]
        try:
            for row in rows:
                if stop is not None and stop.is_set():
                    break  # shutting down: what is left is released below
                now = self.clock()
                if now >= lease_until - self.lease / 2:  # keep the claim well ahead
                    mine = await queue.renew(self.engine, left, token, now + self.lease)
                    lease_until = now + self.lease
                    report.released += len(left) - len(mine)
                    left = [i for i in left if i in mine]
                if row.id not in left:
                    continue
                left.remove(row.id)
                await self._one(row, token, accounts.get(row.person_id, []), people, report)
        finally:
            if left:  # stopped or failed halfway: the rest is due again at once
                report.released += len(left)
                try:
                    await queue.release(self.engine, left, token, self.clock())
                except Exception:
                    log.exception("notifier: could not release %d rows; they wait for "
                                  "their lease to end", len(left))
        return report

    async def _one(self, row: Claimed, token: str, choices: list[Account],
                   people: dict[str, PersonInfo | None], report: DrainReport) -> None:
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
            await queue.mark_sent(self.engine, row.id, account, self.clock())
            report.sent += 1
            report.posted += posted

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
        if stop.is_set() or self._woken.is_set():
            return
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._woken.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
