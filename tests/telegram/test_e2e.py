"""End to end on Telegram: the real bot against the fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.fakes.telegram_wire import Call
from tests.conversation.test_dossiers import file
from tests.telegram.conftest import Start
from tests.telegram.people import Person
from tests.telegram.scenario import no_harm_done, the_whole_process
from workflow.lifecycle import State

FRAMEWORKS = ["aiogram", "ptb"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_plan_from_filing_to_the_written_answer(start_bot: Start,
                                                        framework: str) -> None:
    run = await start_bot(framework)
    await the_whole_process(run)
    no_harm_done(run.fake)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_newcomer_without_an_account_is_welcomed_helped_and_answered(
        start_bot: Start, framework: str) -> None:
    run = await start_bot(framework)
    guest = Person(run.fake, 555, "Bình", core=run.service.core)
    await guest.say("/start")
    assert "Chào mừng" in guest.text
    await guest.say("/help")
    assert "/quydinh" in guest.text
    await guest.say("Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    assert "Chi bộ nơi cán bộ sinh hoạt" in guest.text
    assert "Đảng ủy xã" in guest.text
    # The command menu was registered in both languages.
    methods = [call.params for call in run.fake.calls_to("setMyCommands")]
    languages = {params.get("language_code") for params in methods}
    assert {None, "en"} <= languages
    no_harm_done(run.fake)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_same_under_flood_control_and_server_errors(start_bot: Start,
                                                              framework: str) -> None:
    """A second and a half after the bot met the last refusal, the Bot API refuses its
    next message (429 with retry_after, or a 5xx): the process still completes, nothing
    is lost, no limit is breached."""
    run = await start_bot(framework)
    stop = asyncio.Event()

    def refused() -> list[Call]:
        return [c for c in run.fake.calls_to("sendMessage") if c.status in (429, 500, 502)]

    async def chaos() -> None:
        # One refusal at a time: refusals queued every 1.5 s while the bot sends nothing
        # (a document being drafted, people reading) would meet its next message again
        # and again, an outage that a reply is given up for after its retries.
        for count, (status, retry_after) in enumerate(
                itertools.cycle([(429, 1), (502, None), (500, None)]), start=1):
            run.fake.fail_next("sendMessage", status, retry_after=retry_after)
            while len(refused()) < count:
                if stop.is_set():
                    return
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.5)

    injector = asyncio.create_task(chaos())
    try:
        await the_whole_process(run)
    finally:
        stop.set()
        await injector
    assert len(refused()) >= 6, len(refused())
    assert {c.status for c in refused()} == {429, 500, 502}
    no_harm_done(run.fake)


async def test_a_person_who_blocked_the_bot_is_reported_to_the_office(start_bot: Start) -> None:
    run = await start_bot("aiogram")
    people = {pid: Person(run.fake, uid, pid, core=run.service.core) for pid, uid in
              (("nguyen-thi-lan", 101), ("tran-thi-kim-thoa", 102), ("ho-van-nam", 103))}
    for pid, person in people.items():
        await person.say(f"/start {run.codes[pid]}")
    run.fake.user_blocks_bot(102)  # the cell secretary
    dossier = await file(run.service.app, State.AT_CELL)  # Lan's plan reaches her cell
    nam = people["ho-van-nam"]
    text = await nam.expect("Không liên lạc được với đồng chí Trần Thị Kim Thoa")
    assert f"số {dossier.id}" in text
    assert not run.fake.sent_to(102)[2:]  # nothing reached her after the link
    # Writing to the bot again makes her reachable: what waited for her arrives.
    thoa = people["tran-thi-kim-thoa"]
    await thoa.say("/menu")
    await thoa.expect(f"số {dossier.id}", "chi bộ")
