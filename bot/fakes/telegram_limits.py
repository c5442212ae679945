"""Watching the bot's sends against Telegram's flood limits, as the fake server sees them.

The buckets are the ones ``bot.ratelimit`` keeps on the client side (overall, per
private chat, per group), so a bot that respects its own limiter never breaches here.
The server sees a request a little after the client took its token, and two requests
can reach it closer together than they left: ``tolerance`` (a fraction of a token)
absorbs that jitter. A breaching send takes no token, as Telegram would have refused it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from bot.ratelimit import Bucket, Limits


class FloodWatch:
    def __init__(self, limits: Limits | None = None, *, tolerance: float = 0.2,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.tolerance = tolerance
        self._now = now
        self._start = now()
        self._overall = Bucket(self.limits.per_second, self.limits.burst, self._start)
        self._chats: dict[int | str, Bucket] = {}

    def observe(self, method: str, chat_id: int | str) -> tuple[str | None, int]:
        """Count one send to ``chat_id``: (a description of the breach or ``None``,
        the whole seconds Telegram would ask to wait)."""
        now = self._now()
        group = isinstance(chat_id, str) or chat_id < 0
        chat = self._chats.get(chat_id)
        if chat is None:
            limits = self.limits
            chat = (Bucket(limits.group_per_minute / 60.0, limits.group_burst, now) if group
                    else Bucket(limits.chat_per_second, limits.chat_burst, now))
            self._chats[chat_id] = chat
        buckets = {"overall": self._overall, "group" if group else "per-chat": chat}
        wait = max(bucket.wait(now) for bucket in buckets.values())  # refills them
        short = [(name, bucket) for name, bucket in buckets.items()
                 if bucket.tokens < 1.0 - self.tolerance]
        if not short:
            self._overall.take()
            chat.take()
            return None, 0
        names = ", ".join(f"{name} limit ({bucket.tokens:.2f} tokens left)"
                          for name, bucket in short)
        breach = (f"{method} to chat {chat_id} at +{now - self._start:.3f}s "
                  f"exceeded the {names}")
        return breach, max(1, math.ceil(wait))
