"""The notifier drains the outbox: in priority order, within the limits, never losing a
message, telling the office when someone cannot be reached."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.delivery import RetryAfter, Transient, Unreachable
from bot.notifier import LEASE, backoff
from bot.ratelimit import Limits
from bot.wiring import App
from handlers.notifications import render
from storage import outbox, outbox_queue
from storage.db import session_factory
from storage.models import ChatAccount, OutboxMessage, Person
from tests.conversation.test_dossiers import file
from tests.notifier.support import (
    LAN,
    NAM,
    THOA,
    FakeSender,
    FakeTime,
    account,
    chat_of,
    link,
    note,
    notifier_for,
    plant,
    row,
    rows,
)
from workflow.lifecycle import State

FAST = Limits(per_second=1e6, burst=1e6, chat_per_second=1e6, chat_burst=1e6)


def label(text: str) -> str:
    """The label a ``note()`` payload carries, as the rendered text shows it."""
    found = re.search(r"qua (\S+) \(", text)
    assert found, text
    return found.group(1)


def event(name: str, dossier_id: int, person: str = LAN) -> dict[str, object]:
    return {"event": name, "data": {"dossier_id": dossier_id},
            "recipient": {"role": "proposer", "person": person}}


async def test_due_messages_go_out_by_priority_then_age_and_are_marked_sent(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    ids = {name: await plant(app.engine, LAN, note(name), priority=priority)
           for name, priority in [("six", 6), ("three-a", 3), ("four", 4), ("three-b", 3)]}
    later = await plant(app.engine, LAN, note("later"), at=time.now() + timedelta(minutes=1))

    report = await notifier_for(app, time, telegram).drain_once()

    assert (report.claimed, report.sent, report.posted) == (4, 4, 4)
    assert [label(s.text) for s in telegram.sent] == ["three-a", "three-b", "four", "six"]
    assert {s.chat_id for s in telegram.sent} == {chat_of(LAN)}
    for row_id in ids.values():
        stored = await row(app.engine, row_id)
        assert stored.status == "sent" and stored.sent_at is not None
        assert (stored.channel, stored.chat_id, stored.claimed_by) == (
            "telegram", chat_of(LAN), None)
    assert (await row(app.engine, later)).status == "pending"  # not due yet


async def test_a_notification_is_rendered_for_its_reader_in_their_language_with_buttons(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    dossier = await file(app, State.AT_CELL)  # the cell secretary is told
    time.catch_up()
    await link(app.engine, THOA)
    notifier = notifier_for(app, time, telegram)

    await notifier.drain_once()

    [message] = telegram.to(chat_of(THOA))
    assert f"Hồ sơ số {dossier.id}" in message.text and "chi bộ" in message.text
    actions = [b.action for line in message.buttons for b in line]
    assert f"k:v:{dossier.id}" in actions
    await app.services.directory.set_language(THOA, "en")
    await plant(app.engine, THOA, event("CellAgreed", dossier.id, THOA), key="again")
    await notifier.drain_once()
    assert telegram.to(chat_of(THOA))[-1].text.startswith("The party cell agreed")


async def test_a_transient_failure_is_tried_again_with_growing_backoff_then_delivered(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    row_id = await plant(app.engine, LAN, note("x"))
    telegram.fail(chat_of(LAN), Transient("502 Bad Gateway"), Transient("timed out"))
    notifier = notifier_for(app, time, telegram)

    first = await notifier.drain_once()
    stored = await row(app.engine, row_id)
    assert first.retried == 1 and first.sent == 0
    assert (stored.status, stored.attempts) == ("pending", 1)
    assert stored.next_attempt_at == time.now() + timedelta(seconds=10)
    assert "502 Bad Gateway" in (stored.last_error or "")
    assert (await notifier.drain_once()).claimed == 0  # not before its time

    time.advance(10)
    assert (await notifier.drain_once()).retried == 1
    stored = await row(app.engine, row_id)
    assert stored.attempts == 2 and stored.next_attempt_at == time.now() + timedelta(seconds=20)

    time.advance(20)
    assert (await notifier.drain_once()).sent == 1
    assert (await row(app.engine, row_id)).status == "sent"
    assert telegram.calls == 3 and len(telegram.sent) == 1


def test_backoff_doubles_from_ten_seconds_up_to_fifteen_minutes() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        10, 20, 40, 80, 160, 320, 640, 900]
    assert backoff(1000) == timedelta(minutes=15)


async def test_after_the_last_attempt_a_message_is_failed_and_listed_to_the_office(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    row_id = await plant(app.engine, LAN, note("x"))
    telegram.fail(chat_of(LAN), *[Transient("503")] * 5)
    notifier = notifier_for(app, time, telegram, max_attempts=2)

    assert (await notifier.drain_once()).retried == 1
    time.advance(10)
    assert (await notifier.drain_once()).failed == 1
    time.advance(3600)
    assert (await notifier.drain_once()).claimed == 0
    stored = await row(app.engine, row_id)
    assert (stored.status, stored.attempts) == ("failed", 2)
    async with session_factory(app.engine)() as session:
        assert row_id in [r.id for r in await outbox.unreachable(session)]


async def test_a_message_that_cannot_be_rendered_fails_alone(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    broken = await plant(app.engine, LAN, {"event": "CellAgreed", "data": {"dossier_id": "?"}},
                         priority=1)
    fine = await plant(app.engine, LAN, note("fine"))

    report = await notifier_for(app, time, telegram, max_attempts=1).drain_once()

    assert (report.failed, report.sent) == (1, 1)
    assert "ValueError" in ((await row(app.engine, broken)).last_error or "")
    assert (await row(app.engine, fine)).status == "sent"


async def test_flood_control_pauses_every_chat_then_the_message_goes_out(
        app: App, time: FakeTime) -> None:
    telegram = FakeSender("telegram", time=time)
    await link(app.engine, LAN)
    await link(app.engine, THOA)
    rows = [await plant(app.engine, LAN, note("lan")),
            await plant(app.engine, THOA, note("thoa", person=THOA))]
    refused: list[int] = []

    async def refuse_the_first() -> None:
        # Whichever lane is rendered first sends first: that send is refused, before
        # the other lane asks the limiter (so it must wait for the pause too).
        if not refused:
            refused.append(telegram.calls)
            raise RetryAfter(30)

    telegram.on_send = refuse_the_first
    start = time.now()

    report = await notifier_for(app, time, telegram).drain_once()

    assert refused and report.sent == 2 and report.paused == 0
    assert all(s.at is not None and s.at >= start + timedelta(seconds=30) for s in telegram.sent)
    assert [(await row(app.engine, r)).attempts for r in rows] == [0, 0]


async def test_flood_control_that_does_not_end_reschedules_without_counting_an_attempt(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    row_id = await plant(app.engine, LAN, note("x"))
    telegram.fail(chat_of(LAN), *[RetryAfter(5)] * 11)  # deliver gives up after 10 pauses
    notifier = notifier_for(app, time, telegram)

    report = await notifier.drain_once()

    stored = await row(app.engine, row_id)
    assert report.paused == 1 and report.retried == 0
    assert (stored.status, stored.attempts) == ("pending", 0)
    assert stored.next_attempt_at == time.now() + timedelta(seconds=5)
    time.advance(5)
    assert (await notifier.drain_once()).sent == 1


async def test_a_blocked_bot_marks_the_account_and_tells_the_office_once(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    dossier = await file(app, State.AT_CELL)
    time.catch_up()
    lan_account = await link(app.engine, LAN)
    await link(app.engine, NAM)
    mine = [await plant(app.engine, LAN, event(name, dossier.id), key=name)
            for name in ("CellAgreed", "DossierRegistered", "DeadlineSet")]
    telegram.fail(chat_of(LAN), Unreachable("403 Forbidden: bot was blocked by the user"))
    notifier = notifier_for(app, time, telegram)

    report = await notifier.drain_once()

    assert (report.unreachable, report.notices) == (1, 1)
    assert telegram.calls == 1 and telegram.to(chat_of(LAN)) == []
    assert (await account(app.engine, lan_account)).unreachable_since == time.now()
    assert [(await row(app.engine, i)).status for i in mine] == [
        "unreachable", "pending", "pending"]
    [notice] = await rows(app.engine, person_id=NAM, priority=3, status="pending")
    assert notice.payload == {"notice": "unreachable", "person_id": LAN,
                              "channel": "telegram", "dossier_id": dossier.id}

    await notifier.drain_once()  # the office hears of it; Lan's other messages wait
    [told] = [s for s in telegram.to(chat_of(NAM)) if "Nguyễn Thị Lan" in s.text]
    assert told.text.startswith("Không liên lạc được với đồng chí Nguyễn Thị Lan qua Telegram")
    assert f"Hồ sơ số {dossier.id}" in told.text
    assert [b.action for line in told.buttons for b in line] == [f"k:v:{dossier.id}", "k:u"]
    assert telegram.calls - len(telegram.to(chat_of(NAM))) == 1  # nothing more tried for Lan
    async with session_factory(app.engine)() as session:
        listed = {r.id for r in await outbox.unreachable(session)}
    assert set(mine) <= listed

    # She writes to the bot again, then blocks it again: the office already knows.
    now = time.now()
    assert await outbox_queue.mark_seen(app.engine, "telegram", "telegram-user-" + LAN, now)
    assert not await outbox_queue.mark_seen(app.engine, "telegram", "telegram-user-" + LAN, now)
    seen = await account(app.engine, lan_account)
    assert seen.unreachable_since is None and seen.last_seen_at == now
    telegram.fail(chat_of(LAN), Unreachable("403 Forbidden"))
    again = await notifier.drain_once()
    assert (again.unreachable, again.notices) == (1, 0)
    async with session_factory(app.engine)() as session:
        notices = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith("notice:unreachable:")))
    assert notices == 1

    # Back for good: what could not reach her meanwhile is delivered after all.
    await outbox_queue.mark_seen(app.engine, "telegram", "telegram-user-" + LAN, now)
    assert (await notifier.drain_once()).sent == 3
    assert [(await row(app.engine, i)).status for i in mine] == ["sent", "sent", "sent"]


async def test_a_person_blocked_on_one_chat_app_is_reached_on_the_other_without_alarm(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    zalo = FakeSender("zalo")
    day = timedelta(days=1)
    await link(app.engine, LAN, "telegram", seen=time.now() - day)
    await link(app.engine, LAN, "zalo", seen=time.now() - day / 24)  # seen more recently
    await link(app.engine, NAM)
    dossier = await file(app, State.AT_CELL)
    time.catch_up()
    row_id = await plant(app.engine, LAN, event("CellAgreed", dossier.id), at=time.now())
    zalo.fail(chat_of(LAN, "zalo"), Unreachable("blocked"))
    notifier = notifier_for(app, time, telegram, zalo)

    first = await notifier.drain_once()
    second = await notifier.drain_once()

    assert (first.rerouted, first.notices, second.sent) == (1, 0, 1)
    stored = await row(app.engine, row_id)
    assert (stored.status, stored.channel) == ("sent", "telegram")
    assert await rows(app.engine, person_id=NAM, priority=3, status="pending") == []


async def test_accounts_without_a_sender_and_unlinked_people_are_not_attempted(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN, "zalo")  # no zalo sender in this process
    lan = await plant(app.engine, LAN, note("lan"))
    thoa = await plant(app.engine, THOA, note("thoa", person=THOA))  # never linked

    report = await notifier_for(app, time, telegram).drain_once()

    assert report.claimed == 0 and telegram.calls == 0
    async with session_factory(app.engine)() as session:
        listed = {r.id for r in await outbox.unreachable(session)}
    assert thoa in listed and lan not in listed  # Lan can be reached, just not from here


async def test_a_worker_that_died_holding_messages_loses_them_when_its_lease_ends(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    row_id = await plant(app.engine, LAN, note("x"))
    claimed = await outbox_queue.claim(app.engine, ["telegram"], "dead-worker:1", time.now(),
                                       time.now() + LEASE, 10)
    assert [c.id for c in claimed] == [row_id]
    notifier = notifier_for(app, time, telegram)

    assert (await notifier.drain_once()).claimed == 0  # its lease still runs
    time.advance(LEASE.total_seconds() + 1)
    assert (await notifier.drain_once()).sent == 1
    assert (await row(app.engine, row_id)).status == "sent"


async def test_a_persons_later_messages_wait_for_the_one_a_dead_worker_holds(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    """Order across workers and restarts: while a claim on Lan's first message is alive,
    her second one is not sent ahead of it; Nam's goes at once."""
    await link(app.engine, LAN)
    await link(app.engine, NAM)
    first = await plant(app.engine, LAN, note("first"), key="first")
    second = await plant(app.engine, LAN, note("second"), key="second")
    other = await plant(app.engine, NAM, note("other"), key="other")
    claimed = await outbox_queue.claim(app.engine, ["telegram"], "dead-worker:1", time.now(),
                                       time.now() + LEASE, 1)
    assert [c.id for c in claimed] == [first]
    notifier = notifier_for(app, time, telegram)
    assert (await notifier.drain_once()).sent == 1  # Nam's only
    assert (await row(app.engine, second)).status == "pending"
    assert (await row(app.engine, other)).status == "sent"
    time.advance(LEASE.total_seconds() + 1)
    assert (await notifier.drain_once()).sent == 2
    lan = [m.text for m in telegram.sent if m.chat_id == chat_of(LAN)]
    assert len(lan) == 2 and "first" in lan[0] and "second" in lan[1]


class Crash(BaseException):
    """The process dies (not an error anyone handles)."""


async def test_a_crash_between_posting_and_marking_sends_the_message_once_more(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    row_id = await plant(app.engine, LAN, note("x"))
    telegram.crash = Crash()

    with pytest.raises(Crash):
        await notifier_for(app, time, telegram).drain_once()
    assert (await row(app.engine, row_id)).status == "sending"

    time.advance(LEASE.total_seconds() + 1)
    assert (await notifier_for(app, time, telegram).drain_once()).sent == 1
    assert len(telegram.sent) == 2  # at least once: once more, never lost
    assert (await row(app.engine, row_id)).status == "sent"


async def test_a_long_batch_keeps_its_claim_while_the_limits_slow_it_down(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    for i in range(30):
        await plant(app.engine, LAN, note(f"<{i}>"))
    slow = Limits(chat_per_second=1.0, chat_burst=1.0)  # 30 s of sending to one chat
    report = await notifier_for(app, time, telegram, lease=timedelta(seconds=10),
                                limits=slow).drain_once()

    assert (report.sent, report.released) == (30, 0)
    assert sorted(label(s.text) for s in telegram.sent) == sorted(f"<{i}>" for i in range(30))


async def test_messages_whose_claim_was_taken_over_are_left_to_the_new_owner(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    ids = [await plant(app.engine, LAN, note(f"<{i}>")) for i in range(5)]

    async def steal() -> None:  # as if this worker had stalled past its lease
        if telegram.calls == 1:
            async with app.engine.begin() as conn:
                await conn.execute(update(OutboxMessage).where(
                    OutboxMessage.id.in_(ids[1:])).values(claimed_by="another-worker:1"))

    telegram.on_send = steal
    report = await notifier_for(app, time, telegram, lease=timedelta(seconds=2),
                                limits=Limits(chat_per_second=1.0, chat_burst=1.0)
                                ).drain_once()

    # Noticed when the claim is renewed (half-way through the lease): from then on the
    # other worker's rows are left alone.
    assert report.released >= 1 and report.sent + report.released == 5
    left = [i for i in ids if (await row(app.engine, i)).claimed_by == "another-worker:1"]
    assert len(left) == report.released
    assert len(telegram.sent) == report.sent


async def test_two_notifiers_on_postgresql_deliver_each_message_exactly_once(
        app: App, time: FakeTime) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single process and so a single notifier")
    async with session_factory(app.engine)() as session:
        people = list((await session.execute(
            select(Person.id).order_by(Person.id).limit(20))).scalars())
    for person in people:
        await link(app.engine, person)
    for i in range(300):
        await plant(app.engine, people[i % len(people)], note(f"<{i}>"), priority=3 + i % 4)
    first, second = FakeSender(pause=0.001), FakeSender(pause=0.001)
    workers = [notifier_for(app, time, sender, batch=15, limits=FAST)
               for sender in (first, second)]

    while True:
        reports = await asyncio.gather(*(w.drain_once() for w in workers))
        if not any(r.claimed for r in reports):
            break

    delivered = [label(s.text) for s in first.sent + second.sent]
    assert sorted(delivered) == sorted(f"<{i}>" for i in range(300))
    assert first.sent and second.sent  # both worked, on different messages
    assert len(await rows(app.engine, status="sent")) == 300


async def test_run_drains_when_woken_and_stops_when_told(
        app: App, time: FakeTime, telegram: FakeSender) -> None:
    await link(app.engine, LAN)
    notifier = notifier_for(app, time, telegram, idle=60.0)
    stop = asyncio.Event()
    task = asyncio.create_task(notifier.run(stop))
    await asyncio.sleep(0.05)  # the first drain found nothing; now idle for a minute

    await plant(app.engine, LAN, note("x"))
    notifier.wake()
    for _ in range(200):
        if telegram.sent:
            break
        await asyncio.sleep(0.01)
    assert len(telegram.sent) == 1

    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_the_unreachable_notice_reads_in_the_office_s_language(app: App) -> None:
    dossier = await file(app, State.AT_CELL)
    payload = {"notice": "unreachable", "person_id": LAN, "channel": "zalo",
               "dossier_id": dossier.id}
    await app.services.directory.set_language(NAM, "en")
    nam = await app.services.directory.person(NAM)
    assert nam is not None

    reply = await render(app.services, nam, payload)
    assert reply.text.startswith("Nguyễn Thị Lan cannot be reached on Zalo (they blocked the "
                                 f"bot or left). Dossier no. {dossier.id} “")
    gone = await render(app.services, nam, {**payload, "dossier_id": 999})
    assert gone.text.endswith("Please reach them another way.")
    odd = await render(app.services, nam, {"notice": "something new"})
    assert "cannot show" in odd.text


async def test_a_visit_is_recorded_at_most_once_a_minute(app: App, time: FakeTime) -> None:
    account_id = await link(app.engine, LAN)
    external, start = "telegram-user-" + LAN, time.now()
    async with session_factory(app.engine)() as session, session.begin():  # in a turn
        assert not await outbox_queue.mark_seen(session, "telegram", external, start)
    assert (await account(app.engine, account_id)).last_seen_at == start

    await outbox_queue.mark_seen(app.engine, "telegram", external, start + timedelta(seconds=30))
    assert (await account(app.engine, account_id)).last_seen_at == start
    later = start + timedelta(seconds=61)
    await outbox_queue.mark_seen(app.engine, "telegram", external, later)
    assert (await account(app.engine, account_id)).last_seen_at == later
    assert not await outbox_queue.mark_seen(app.engine, "telegram", "nobody", later)


async def test_a_visit_within_the_minute_costs_no_write(app: App, time: FakeTime) -> None:
    """Every incoming update asks; nearly always the answer is "nothing to write", and it
    must not queue for SQLite's single writer: it answers while another writer holds it."""
    await link(app.engine, LAN)
    external, start = "telegram-user-" + LAN, time.now()
    await outbox_queue.mark_seen(app.engine, "telegram", external, start)
    async with session_factory(app.engine)() as session, session.begin():
        await session.execute(update(ChatAccount).where(ChatAccount.id == -1)
                              .values(chat_id="x"))  # holds the writer's lock (SQLite)
        seen = outbox_queue.mark_seen(app.engine, "telegram", external,
                                      start + timedelta(seconds=20))
        assert not await asyncio.wait_for(seen, timeout=3)
