"""The reporting duties' reminders through the dispatcher: rows created ahead, once, for
the office and the head of the bodies that owe the report, delivered on the right working
days (24/11, Vietnamese Culture Day, skipped), and a restart that creates nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dispatcher import Dispatcher
from storage.duty_reminders import DutyWriter
from storage.models import Membership, OutboxMessage, Reminder
from storage.organisation import demo_text, import_chart, parse_org_text
from workflow.calendar import default_calendar
from workflow.reminders import VIETNAM
from workflow.reporting_duties import bundled_duties, parse_duties

CAL = default_calendar()
# The town People's Committee of the demo: its head and its office.
HEAD, OFFICE = "le-quang-vinh", "cao-thi-hong-nhung"


async def _demo(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text(), "demo"))


async def _rows(engine: AsyncEngine) -> list[Reminder]:
    async with session_factory(engine)() as session:
        return list((await session.execute(select(Reminder).where(
            Reminder.kind == "reporting_duty_due").order_by(Reminder.idempotency_key)))
            .scalars())


async def _sent(engine: AsyncEngine) -> list[OutboxMessage]:
    async with session_factory(engine)() as session:
        return list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith("reminder:reporting_duty:"))
            .order_by(OutboxMessage.id))).scalars())


async def test_through_a_year_each_duty_is_reminded_on_its_three_working_days_once(
        engine: AsyncEngine) -> None:
    await _demo(engine)
    dispatcher = Dispatcher(engine, duties=DutyWriter(bundled_duties(), CAL))
    try:
        now = datetime(2026, 9, 1, 6, tzinfo=VIETNAM)
        while now <= datetime(2026, 12, 31, 20, tzinfo=VIETNAM):
            await dispatcher.tick(now)
            now += timedelta(hours=4)
    finally:
        await dispatcher.close()
    sent = await _sent(engine)
    days: dict[tuple[str, str], list[date]] = {}
    for message in sent:
        local = message.created_at.astimezone(VIETNAM)
        assert 7 <= local.hour < 21 and CAL.is_working_day(local.date())
        about = message.payload["about"]
        assert message.payload["reminder"] == "reporting_duty_due"
        assert message.payload["dossier_id"] is None and about["body"] == "ubnd-thi-xa"
        days.setdefault((about["duty"], str(message.person_id)), []).append(
            date.fromisoformat(message.payload["due_at"][:10]))
    # Before Monday 30/11/2026: the last working day is Friday 27/11; 10 working days
    # before it, counting back over 24/11, is 12/11; 2 before it is 25/11.
    expected = [date(2026, 11, 12), date(2026, 11, 25), date(2026, 11, 27)]
    assert days == {(duty, person): expected
                    for duty in ("review-unsuited-rules", "inspection-results")
                    for person in (HEAD, OFFICE)}
    assert len(sent) == 12


async def test_planning_again_or_after_a_restart_adds_nothing(engine: AsyncEngine) -> None:
    await _demo(engine)
    today = datetime(2026, 11, 1, 9, tzinfo=VIETNAM)
    first = DutyWriter(bundled_duties(), CAL)
    assert await first.run(engine, today) == 12  # 2 duties x 3 days x 2 people
    assert await first.run(engine, today + timedelta(hours=5)) == 0  # once a day
    restarted = DutyWriter(bundled_duties(), CAL)  # a new process plans again: no new rows
    assert await restarted.run(engine, today + timedelta(days=1)) == 0
    rows = await _rows(engine)
    assert len(rows) == 12 and len({r.idempotency_key for r in rows}) == 12
    assert {r.person_id for r in rows} == {HEAD, OFFICE}
    assert rows[0].idempotency_key.startswith("reporting_duty:inspection-results:2026-11-30:")


async def test_a_body_nobody_holds_gets_an_unresolved_row_not_silence(
        engine: AsyncEngine) -> None:
    await _demo(engine)
    async with session_factory(engine)() as session, session.begin():
        memberships = (await session.execute(select(Membership).where(
            Membership.body_id == "ubnd-thi-xa"))).scalars().all()
        for membership in memberships:
            await session.delete(membership)
    duties = parse_duties("""\
duties:
  - id: yearly-report
    what: {vi: "Báo cáo hằng năm", en: "Yearly report"}
    to: {vi: "UBND huyện", en: "the district People's Committee"}
    bodies: [town_peoples_committee]
    before: 30/11
    remind: [0]
""")
    await DutyWriter(duties, CAL).run(engine, datetime(2026, 11, 20, 9, tzinfo=VIETNAM))
    rows = await _rows(engine)
    assert [(r.idempotency_key, r.status, r.person_id) for r in rows] == [
        ("reporting_duty:yearly-report:2026-11-30:0:ubnd-thi-xa:nobody", "unresolved", None)]


async def test_far_from_the_dates_a_planning_pass_writes_nothing(
        engine: AsyncEngine) -> None:
    """The weeks ahead are planned, not the year: in January nothing is due yet."""
    await _demo(engine)
    writer = DutyWriter(bundled_duties(), CAL)
    assert await writer.run(engine, datetime(2026, 1, 5, 9, tzinfo=VIETNAM)) == 0
    async with session_factory(engine)() as session:
        assert (await session.execute(select(func.count()).select_from(Reminder))
                ).scalar() == 0
