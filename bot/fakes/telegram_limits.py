"""Watching the bot's sends against Telegram's flood limits, as the fake server sees them.

The overall limit and the group limit are checked over sliding windows, exactly: a
send breaches when, with it, more than ``per_second`` sends arrived within the last
second (more than ``group_per_minute`` to one group within the last minute). A token
bucket could not see a bot that sends a full bucket and then its refill, twice the cap
within one second. A private chat's limit is sustained (one a second, with a short
burst): a bucket, with ``tolerance`` (a fraction of a token) for the jitter of requests
that reach the server a little closer together than they left.

Every delivered send is kept (``sent_at``), so a benchmark can ask for the most sends
in any window (``peak``). A send refused with a 429 (``delivered=False``) is not
counted, as Telegram would not have delivered it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.ratelimit import Bucket, Limits

MINUTE = 60.0


class FloodWatch:
    def __init__(self, limits: Limits | None = None, *, tolerance: float = 0.2,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.tolerance = tolerance
        self._now = now
        self._start = now()
        self._overall: deque[float] = deque()  # the sends of the last second
        self._groups: dict[int | str, deque[float]] = {}  # the last minute's, by group
        self._chats: dict[int | str, Bucket] = {}
        self.sent_at: list[float] = []  # every delivered send, in arrival order

    def observe(self, method: str, chat_id: int | str, *,
                delivered: bool = True) -> tuple[str | None, int]:
        """Count one send to ``chat_id``: (a description of the breach or ``None``,
        the whole seconds Telegram would ask to wait). ``delivered``: whether a breaching
        send goes through anyway (it does unless the server refuses it)."""
        now = self._now()
        # Telegram's groups have negative ids (or a public "@name"); a string id from
        # another platform (Zalo) is a private chat.
        group = (chat_id.startswith(("-", "@")) if isinstance(chat_id, str)
                 else chat_id < 0)
        short: list[str] = []
        wait = 0.0
        overall = _recent(self._overall, now, 1.0)
        cap = self.limits.per_second
        if len(overall) + 1 > cap:
            short.append(f"overall limit ({len(overall) + 1} sends within a second)")
            wait = max(wait, overall[-math.floor(cap)] + 1.0 - now if cap >= 1 else 1.0)
        chat: Bucket | None = None
        sends: deque[float] | None = None
        if group:
            sends = _recent(self._groups.setdefault(chat_id, deque()), now, MINUTE)
            per_minute = self.limits.group_per_minute
            if len(sends) + 1 > per_minute:
                short.append(f"group limit ({len(sends) + 1} sends within a minute)")
                wait = max(wait, sends[-math.floor(per_minute)] + MINUTE - now
                           if per_minute >= 1 else MINUTE)
        else:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = Bucket(self.limits.chat_per_second, self.limits.chat_burst, now)
                self._chats[chat_id] = chat
            wait = max(wait, chat.wait(now))  # refills it
            if chat.tokens < 1.0 - self.tolerance:
                short.append(f"per-chat limit ({chat.tokens:.2f} tokens left)")
        if short and not delivered:
            return self._breach(method, chat_id, now, short), max(1, math.ceil(wait))
        overall.append(now)
        self.sent_at.append(now)
        if sends is not None:
            sends.append(now)
        if chat is not None and not short:
            chat.take(now)  # a breaching send takes no token: the bucket shows the pace
        if short:
            return self._breach(method, chat_id, now, short), max(1, math.ceil(wait))
        return None, 0

    def peak(self, seconds: float = 1.0) -> int:
        """The most delivered sends within any window of ``seconds`` (half-open)."""
        times, first, best = self.sent_at, 0, 0
        for last, stamp in enumerate(times):
            while times[first] + seconds <= stamp:
                first += 1
            best = max(best, last - first + 1)
        return best

    def _breach(self, method: str, chat_id: int | str, now: float, short: list[str]) -> str:
        return (f"{method} to chat {chat_id} at +{now - self._start:.3f}s exceeded the "
                f"{', '.join(short)}")


def _recent(sends: deque[float], now: float, seconds: float) -> deque[float]:
    """``sends`` without those older than ``seconds`` (a window ending at ``now``)."""
    while sends and sends[0] + seconds <= now:
        sends.popleft()
    return sends
