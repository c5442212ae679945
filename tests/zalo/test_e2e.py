"""End to end on Zalo: the real bot against the fake Zalo Bot API server, alone and
together with Telegram in one process (one notifier sending to both)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import func, select, update

from bot.fakes.telegram import FakeTelegram
from storage.db import session_factory
from storage.invitations import issue_invitations
from storage.models import ChatAccount, OutboxMessage, ShownChoices
from storage.organisation import demo_text, parse_org_text
from tests.conversation.test_dossiers import file
from tests.telegram.conftest import free_port
from tests.telegram.people import Person
from tests.telegram.scenario import LAN, NAM, THOA, VOTERS, no_harm_done, stored
from tests.zalo.conftest import Running, Start
from tests.zalo.people import ZaloPerson
from tests.zalo.scenario import Someone, the_whole_process
from workflow.lifecycle import State

SECRET = "zalo-s3cret_for-tests"


def on_zalo(run: Running, number: int, person: str) -> ZaloPerson:
    core = run.service.zalo.core if run.service.zalo else None
    return ZaloPerson(run.zalo, f"zl{number:018x}", person, core=core,
                      caught_up=notified(run))


def notified(run: Running, timeout: float = 90.0) -> Callable[[str], Awaitable[None]]:
    """Wait until no notification for a person is waiting to be sent (soon)."""
    engine, clock = run.service.app.engine, run.service.app.services.clock

    async def wait(person: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            soon = clock.now() + timedelta(minutes=2)  # the app's clock, as the rows
            async with engine.connect() as conn:
                waiting = (await conn.execute(select(func.count()).select_from(
                    OutboxMessage).where(OutboxMessage.person_id == person,
                                         OutboxMessage.status.in_(("pending", "sending")),
                                         OutboxMessage.next_attempt_at < soon))).scalar_one()
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{person}: {waiting} notifications still unsent")
            await asyncio.sleep(0.05)

    return wait


async def link_everyone_on_zalo(run: Running) -> dict[str, Someone]:
    people: dict[str, Someone] = {}
    for n, pid in enumerate((LAN, THOA, NAM, *VOTERS), start=1):
        person = on_zalo(run, n, pid)
        await person.say(f"LIENKET {run.codes[pid]}")
        assert "Đã liên kết tài khoản" in person.text, person.text
        people[pid] = person
    return people


async def new_code(run: Running, person: str) -> str:
    organisation = parse_org_text(demo_text("duc-pho-2022"), "demo").organisation.id
    async with session_factory(run.service.app.engine)() as session, session.begin():
        [issued] = await issue_invitations(session, organisation, person_ids=[person])
    return issued.code


async def test_a_plan_filed_and_voted_entirely_over_zalo(start_bot: Start) -> None:
    run = await start_bot()
    people = await link_everyone_on_zalo(run)
    number = await the_whole_process(run, people)
    assert (await stored(run, number)).state is State.ANSWERED  # type: ignore[arg-type]
    # Nothing over Zalo's 2,000 characters, nothing above the sending rate.
    assert run.zalo.breaches == []
    assert all(len(c.params["text"]) <= 2000 for c in run.zalo.calls_to("sendMessage"))


async def test_committee_members_on_telegram_and_on_zalo_vote_on_one_ballot(
        start_bot: Start, telegram: FakeTelegram) -> None:
    """One process serves both apps: the cell secretary, the appraiser and two members
    are on Telegram, the others on Zalo; one member has both and chose Zalo with /kenh."""
    run = await start_bot(telegram=telegram)
    service = run.service
    assert service.adapter is not None and service.zalo is not None
    on_telegram = {THOA, VOTERS[0], VOTERS[2], VOTERS[4]}
    people: dict[str, Someone] = {}
    for n, pid in enumerate((LAN, THOA, NAM, *VOTERS), start=1):
        if pid in on_telegram:
            chat = Person(telegram, 100 + n, pid, core=service.core)
            await chat.say(f"/start {run.codes[pid]}")
            assert "liên kết" in chat.text, chat.text
            people[pid] = chat
        else:
            zalo = on_zalo(run, n, pid)
            await zalo.say(run.codes[pid])  # the code alone links a new Zalo account
            assert "Đã liên kết tài khoản" in zalo.text, zalo.text
            people[pid] = zalo
    # The last member links Zalo too, and chooses it for notifications on Telegram.
    both = VOTERS[4]
    telegram_side = people[both]
    assert isinstance(telegram_side, Person)
    zalo_side = on_zalo(run, 99, both)
    await zalo_side.say(f"Liên kết {await new_code(run, both)}")
    assert "Đã liên kết tài khoản" in zalo_side.text, zalo_side.text
    await telegram_side.say("/kenh")
    assert "Telegram, Zalo" in telegram_side.text or "Zalo, Telegram" in telegram_side.text
    await telegram_side.press("Nhận thông báo qua Zalo")
    assert "qua Zalo" in telegram_side.text
    await telegram_side.say("/menu")  # Telegram is now the app used last: Zalo still wins
    people[both] = zalo_side

    number = await the_whole_process(run, people)
    ballot = (await stored(run, number)).ballot_ids[-1]  # type: ignore[arg-type]
    async with service.app.services.uow() as uow:
        votes = await uow.ballots.get(ballot)
    assert votes is not None and len(votes.votes) == len(VOTERS)
    # The vote requests went where each member reads them.
    assert not [t for t in telegram_side.fake.sent_to(telegram_side.user_id)
                if "Đề nghị đồng chí biểu quyết" in t.get("text", "")]
    assert any("Đề nghị đồng chí biểu quyết" in t for t in zalo_side.messages())
    no_harm_done(telegram)
    assert run.zalo.breaches == []


async def test_a_wrong_or_stale_number_gets_the_list_again(start_bot: Start) -> None:
    run = await start_bot()
    lan = on_zalo(run, 1, LAN)
    await lan.say(run.codes[LAN].lower())  # the code alone, typed in lower case
    assert "Đã liên kết tài khoản" in lan.text
    menu = lan.current_choices()
    assert menu[1] == "Lập kế hoạch mới" and len(menu) >= 5

    await lan.say("42")
    assert "Số này không có trong danh sách" in lan.text
    assert lan.current_choices() == menu
    await lan.say("0")
    assert "Số này không có trong danh sách" in lan.text

    # An answer written before the list now on screen was shown: a newer list came in
    # meanwhile, so "2" may mean something else. It is not acted on.
    before = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp() * 1000)
    await lan.say("2", date=before)
    assert "Danh sách lựa chọn đã thay đổi hoặc đã cũ" in lan.text
    assert lan.current_choices() == menu
    # A list shown more than a day ago: shown again before anything is done.
    async with run.service.app.engine.begin() as conn:
        await conn.execute(update(ShownChoices).values(
            shown_at=datetime.now(UTC) - timedelta(days=2)))
    await lan.say("2")
    assert "Danh sách lựa chọn đã thay đổi hoặc đã cũ" in lan.text
    await lan.say("2")  # now it counts: "My dossiers"
    assert "chưa có hồ sơ" in lan.text

    # The option's words work too, without accents or capitals; other text is text.
    await lan.say("trinh don chinh")
    assert "Đồng chí cần làm gì?" in lan.text
    await lan.say("Ngôn ngữ / Language")
    assert "English" in lan.current_choices().values()
    await lan.choose("English")
    assert "English from now on" in lan.text
    await lan.say("77")  # out of range, in English now
    assert "That number is not in the list" in lan.text
    assert "Reply with a number to choose:" in lan.text


async def test_the_zalo_webhook_refuses_a_wrong_secret_and_answers_the_right_one(
        start_bot: Start) -> None:
    port = free_port()
    run = await start_bot(zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
                          zalo_webhook_secret=SECRET, webhook_port=port)
    fake = run.zalo
    await fake.wait_for(lambda f: f.webhook is not None)
    assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
    user = "zl-webhook-1"
    update_ = fake.user_sends(user, "/start")
    assert await fake.post_update_to_webhook(update_, "not-the-secret") == 401
    assert await fake.post_update_to_webhook(update_, None) == 401
    await asyncio.sleep(0.5)
    assert fake.texts(user) == []  # nothing was handled
    assert await fake.post_update_to_webhook(update_, SECRET) == 200
    text = await fake.wait_for(lambda f: f.texts(user) and f.texts(user)[0])
    assert "Chào mừng" in text
    # The welcome, then the menu: the turn is over when the menu came.
    await fake.wait_for(lambda f: "Ngôn ngữ / Language" in f.texts(user)[-1])
    # Zalo sends an update again when unsure: it is answered once.
    answered = len(fake.texts(user))
    assert await fake.post_update_to_webhook(update_, SECRET) == 200
    await asyncio.sleep(0.5)
    assert len(fake.texts(user)) == answered
    # The bare update (without the {"ok", "result"} envelope) is accepted too.
    fake.wrap_webhook = False
    fake.user_sends(user, "/help")
    assert await fake.deliver_to_webhook() == [200]
    await fake.wait_for(lambda f: any("/quydinh" in t for t in f.texts(user)))
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{port}/zalo", data=b"not json",
                                headers={"X-Bot-Api-Secret-Token": SECRET}) as bad:
            assert bad.status == 400
        # An object that is no update: ignored (logged), but answered 200, or Zalo would
        # post it again and again.
        async with session.post(f"http://127.0.0.1:{port}/zalo", json={"ok": True},
                                headers={"X-Bot-Api-Secret-Token": SECRET}) as empty:
            assert empty.status == 200
        async with session.get(f"http://127.0.0.1:{port}/health") as health:
            assert health.status == 200


async def test_both_webhooks_on_one_server(start_bot: Start, telegram: FakeTelegram) -> None:
    port = free_port()
    run = await start_bot(telegram=telegram, webhook_port=port,
                          webhook_url=f"http://127.0.0.1:{port}/telegram",
                          webhook_secret="telegram-secret",
                          zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
                          zalo_webhook_secret=SECRET)
    await run.zalo.wait_for(lambda f: f.webhook is not None)
    await telegram.wait_for(lambda f: f.webhook is not None)
    run.zalo.user_sends("zl-2", "/start")
    telegram.user_sends(202, "/start")
    assert await run.zalo.deliver_to_webhook() == [200]
    assert await telegram.deliver_to_webhook() == [200]
    await run.zalo.wait_for(lambda f: any("Chào mừng" in t for t in f.texts("zl-2")))
    await telegram.wait_for(lambda f: f.sent_to(202) and "Chào mừng" in f.sent_to(202)[0]["text"])
    # Each path takes only its own platform's secret.
    update_ = run.zalo.user_sends("zl-3", "/start")
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/zalo", json=update_,
            headers={"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}) as wrong:
        assert wrong.status == 401


async def test_the_same_under_flood_control_server_errors_and_refusals(
        start_bot: Start) -> None:
    """Every two seconds Zalo refuses one message: 429, a 5xx, an HTML error page, or
    ``ok: false`` with HTTP 200. The process still completes and nothing is lost."""
    run = await start_bot()
    people = await link_everyone_on_zalo(run)
    stop = asyncio.Event()

    async def chaos() -> None:
        faults = itertools.cycle(["429", "500", "garbled", "ok-false-503"])
        while not stop.is_set():
            if run.zalo.pending_faults("sendMessage"):  # one at a time
                await asyncio.sleep(0.1)
                continue
            fault = next(faults)
            if fault == "429":
                run.zalo.fail_next("sendMessage", 429, retry_after=1)
            elif fault == "500":
                run.zalo.fail_next("sendMessage", 500)
            elif fault == "garbled":
                run.zalo.garble_next("sendMessage")
            else:
                run.zalo.fail_next("sendMessage", 503, http_status=200)
            await asyncio.sleep(2.0)

    injector = asyncio.create_task(chaos())
    try:
        await the_whole_process(run, people)
    finally:
        stop.set()
        await injector
    refused = [c for c in run.zalo.calls_to("sendMessage") if c.status != 200
               or c.response.get("ok") is False]
    assert len(refused) >= 6, len(refused)
    assert run.zalo.breaches == []


async def test_a_member_who_blocked_the_bot_on_zalo_is_reported_to_the_office(
        start_bot: Start) -> None:
    run = await start_bot()
    people = {pid: on_zalo(run, n, pid) for n, pid in enumerate((LAN, THOA, NAM), start=1)}
    for pid, person in people.items():
        await person.say(f"LIENKET {run.codes[pid]}")
    run.zalo.user_blocks_bot(people[THOA].user_id)
    dossier = await file(run.service.app, State.AT_CELL)  # Lan's plan reaches her cell
    nam = people[NAM]
    text = await nam.expect("Không liên lạc được với đồng chí Trần Thị Kim Thoa")
    assert f"số {dossier.id}" in text
    async with session_factory(run.service.app.engine)() as session:
        blocked = await session.scalar(select(ChatAccount.unreachable_since).where(
            ChatAccount.channel == "zalo", ChatAccount.external_id == people[THOA].user_id))
    assert blocked is not None
    # Writing to the bot again makes her reachable: what waited for her arrives.
    thoa = people[THOA]
    await thoa.say("/menu")
    await thoa.expect(f"số {dossier.id}", "chi bộ")
