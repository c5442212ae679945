"""The webhook server keeps at most its bound of updates in hand: past it, a post waits
for one to finish before its update is kept and acknowledged (backpressure at the
platform), and every post is still answered in the end."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

from bot.webhook import SECRET_HEADER, Route, webhook_server
from tests.telegram.conftest import free_port

SECRET = "bound-Secret_0123456789"


async def test_past_the_bound_a_post_waits_for_an_update_to_finish() -> None:
    release = asyncio.Event()
    handling: list[int] = []
    kept: list[int] = []
    most = [0]

    async def feed(update: dict[str, Any]) -> None:
        handling.append(update["update_id"])
        most[0] = max(most[0], len(handling))
        await release.wait()
        handling.remove(update["update_id"])

    async def keep(update: dict[str, Any]) -> bool:
        kept.append(update["update_id"])
        return update["update_id"] != 4  # 4 was kept before: a redelivery

    async def healthy() -> bool:
        return True

    runner = web.AppRunner(webhook_server([Route("/hook", feed, SECRET, keep=keep)],
                                          healthy, bound=2))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as session:
            async def post(update_id: int) -> int:
                async with session.post(f"http://127.0.0.1:{port}/hook",
                                        json={"update_id": update_id},
                                        headers={SECRET_HEADER: SECRET}) as response:
                    return response.status

            first = [asyncio.create_task(post(n)) for n in (1, 2)]
            assert await asyncio.gather(*first) == [200, 200]
            waiting = [asyncio.create_task(post(n)) for n in (3, 4, 5)]
            await asyncio.sleep(0.3)
            assert not any(task.done() for task in waiting)  # no slot: not yet kept
            assert sorted(kept) == [1, 2] and sorted(handling) == [1, 2]
            release.set()
            assert await asyncio.gather(*waiting) == [200, 200, 200]
            await asyncio.sleep(0.1)
            assert sorted(kept) == [1, 2, 3, 4, 5]
            assert most[0] <= 2 and handling == []
            # The duplicate gave its slot back: two more are taken at once.
            release.clear()
            more = [asyncio.create_task(post(n)) for n in (6, 7)]
            assert await asyncio.wait_for(asyncio.gather(*more), 5) == [200, 200]
            release.set()
    finally:
        await runner.cleanup()
