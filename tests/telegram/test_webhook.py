"""Webhook mode: only Telegram (with the secret) may post updates; a health endpoint;
several workers sharing Redis handle a redelivered update once and one account's
messages one at a time."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from bot.redis_state import RedisCoordination
from tests.telegram.conftest import Start, free_port, redis_url
from tests.telegram.people import Person

SECRET = "s3cret-Token_for-tests"


def webhook(port: int) -> dict[str, object]:
    return {"webhook_url": f"http://127.0.0.1:{port}/telegram", "webhook_secret": SECRET,
            "webhook_port": port}


async def test_a_wrong_secret_is_refused_the_right_one_is_answered(start_bot: Start) -> None:
    port = free_port()
    run = await start_bot("aiogram", **webhook(port))
    fake = run.fake
    await fake.wait_for(lambda f: f.webhook is not None)
    assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
    update = fake.user_sends(301, "/start")
    assert await fake.post_update_to_webhook(update, "not-the-secret") == 401
    assert await fake.post_update_to_webhook(update, None) == 401
    await asyncio.sleep(0.5)
    assert fake.sent_to(301) == []  # nothing was handled
    assert await fake.post_update_to_webhook(update, SECRET) == 200
    text = await fake.wait_for(lambda f: f.sent_to(301) and f.sent_to(301)[0]["text"])
    assert "Chào mừng" in text
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/health") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
        async with session.post(f"http://127.0.0.1:{port}/telegram", data=b"not json",
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as bad:
            assert bad.status == 400


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_telegram_is_told_how_many_updates_to_post_at_once(start_bot: Start,
                                                                 framework: str) -> None:
    # Telegram's own default (40) unless set: several workers behind the address take more.
    run = await start_bot(framework, **webhook(free_port()))
    await run.fake.wait_for(lambda f: f.webhook is not None)
    assert run.fake.webhook is not None and run.fake.webhook["max_connections"] == 40
    # A worker started with the setting registers the address again with it.
    await start_bot(framework, **webhook(free_port()), webhook_connections=96)
    await run.fake.wait_for(lambda f: f.webhook is not None
                            and f.webhook["max_connections"] == 96)


async def test_people_chat_through_the_webhook(start_bot: Start) -> None:
    run = await start_bot("ptb", **webhook(free_port()))
    fake = run.fake
    await fake.wait_for(lambda f: f.webhook is not None)
    lan = Person(fake, 101, "Lan", core=run.service.core)
    fake.user_sends(101, f"/start {run.codes['nguyen-thi-lan']}")
    assert await fake.deliver_to_webhook() == [200]
    await lan.expect("Nguyễn Thị Lan")
    fake.user_sends(101, "/hoso")
    await fake.deliver_to_webhook()
    await lan.expect("hồ sơ")


async def test_two_workers_sharing_redis_handle_a_redelivered_update_once(
        start_bot: Start) -> None:
    url = redis_url()
    if url is None:
        pytest.skip("set CADREBOT_TEST_REDIS_URL to test several workers on one bot")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    ports = free_port(), free_port()
    first = await start_bot("aiogram", redis_url=url, redis_prefix=prefix, **webhook(ports[0]))
    second = await start_bot("aiogram", codes=False, redis_url=url, redis_prefix=prefix,
                             **webhook(ports[1]))
    fake = first.fake
    # Both listen once each has set its webhook (after handling what a stop left behind).
    await fake.wait_for(lambda f: len(f.calls_to("setWebhook")) >= 2, timeout=60)
    update = fake.user_sends(401, f"/start {first.codes['nguyen-thi-lan']}")
    # Telegram redelivers the update (the first answer was slow) and it reaches both.
    for port in ports:
        fake.webhook = {"url": f"http://127.0.0.1:{port}/telegram", "secret_token": SECRET}
        assert await fake.post_update_to_webhook(update, SECRET) == 200
    await fake.wait_for(lambda f: len(f.sent_to(401)) >= 2)
    await asyncio.sleep(1.0)
    answers = [m.get("text", "") for m in fake.sent_to(401)]
    linked = [text for text in answers if "Nguyễn Thị Lan" in text]
    assert len(linked) == 1, answers
    assert not any("đã được sử dụng" in text for text in answers), answers  # no second run
    # Two messages of one account, one to each worker at once: handled one after the
    # other (the second sees the first's state), never interleaved.
    one = fake.user_sends(401, "/hoso")
    two = fake.user_sends(401, "/menu")
    statuses = await asyncio.gather(*(
        _post(port, update) for port, update in zip(ports, (one, two), strict=True)))
    assert statuses == [200, 200]
    await fake.wait_for(lambda f: any("cần làm gì" in m.get("text", "")
                                      for m in f.sent_to(401)[len(linked) + 1:]))
    texts = " ".join(m.get("text", "") for m in fake.sent_to(401))
    assert "cùng lúc với một tin nhắn khác" not in texts
    assert first.service.redis is not None and second.service.redis is not None
    await _forget(first.service.redis, prefix)


async def _post(port: int, update: dict[str, object]) -> int:
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/telegram", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def _forget(redis: RedisCoordination, prefix: str) -> None:
    keys = [key async for key in redis.redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.redis.delete(*keys)
