"""What both fake servers share: listening on 127.0.0.1, the calls they recorded, and
waiting for the bot.

A subclass records each call in ``calls``, counts those running in ``_in_flight``,
stamps ``_last_activity`` when one ends, and says in ``_updates_waiting`` whether
updates it queued are still to be fetched.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web


class Watched:
    calls: list[Any]
    base: str
    _in_flight: int
    _last_activity: float
    _runner: web.AppRunner | None

    async def _listen(self, app: web.Application, port: int) -> str:
        """Serve ``app`` on 127.0.0.1 (``port`` 0: any free one); the base URL."""
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        host, bound = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{bound}"
        return self.base

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _updates_waiting(self) -> bool:
        raise NotImplementedError

    def calls_to(self, method: str) -> list[Any]:
        return [call for call in self.calls if call.method == method]

    def dump(self, last: int = 20) -> str:
        return "recent calls:\n" + "\n".join(f"  {call}" for call in self.calls[-last:])

    async def wait_for(self, predicate: Callable[[Self], Any], timeout: float = 10.0) -> Any:
        """Until ``predicate(self)`` is truthy; its value, or AssertionError with the calls."""
        deadline = time.monotonic() + timeout
        while not (result := predicate(self)):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s\n{self.dump()}")
            await asyncio.sleep(0.02)
        return result

    async def wait_idle(self, quiet: float = 0.5, timeout: float = 30) -> None:
        """Until for ``quiet`` seconds the bot made no call (an empty long poll does not
        count), none is running, and it has fetched every queued update."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            waiting = self._updates_waiting()
            if not self._in_flight and not waiting and now - self._last_activity >= quiet:
                return
            if now > deadline:
                raise AssertionError(f"the bot is not idle after {timeout} s (in flight "
                                     f"{self._in_flight}, updates waiting {waiting})\n"
                                     f"{self.dump()}")
            await asyncio.sleep(0.02)
