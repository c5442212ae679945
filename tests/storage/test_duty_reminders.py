"""The reporting duties' reminders through the dispatcher: rows created ahead, once, for
the office and the head of the bodies that owe the report, delivered on the right working
days, and a restart that creates nothing twice; each date only inside its duty's period
and for bodies of the rules in force then for the installation's place.

The demo is the Đức Phổ town of 2022 (quang-ngai/duc-pho): seed 002's reports were owed
by its People's Committee until 30/06/2025, so the years played are 2024 (and 2025 to see
them stop)."""

from __future__ import annotations

from collections.abc import Sequence
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
from workflow.reporting_duties import ReportingDuty, bundled_duties, parse_duties

CAL = default_calendar()
# The town People's Committee of the demo: its head and its office.
HEAD, OFFICE = "le-quang-vinh", "cao-thi-hong-nhung"
DUC_PHO = "quang-ngai/duc-pho"  # the demo's place (the town until 30/06/2025)


def _writer(duties: Sequence[ReportingDuty] | None = None,
            jurisdiction: str | None = DUC_PHO) -> DutyWriter:
    return DutyWriter(bundled_duties() if duties is None else duties, CAL,
                      jurisdiction=jurisdiction)


async def _demo(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text("duc-pho-2022"), "demo"))


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
    dispatcher = Dispatcher(engine, duties=_writer())
    try:
        now = datetime(2024, 9, 1, 6, tzinfo=VIETNAM)
        while now <= datetime(2024, 12, 31, 20, tzinfo=VIETNAM):
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
    # Before Saturday 30/11/2024: the last working day is Friday 29/11; 10 working days
    # before it is 15/11; 2 before it is 27/11. (The demo has no Organisation and Home
    # Affairs agency: the town's party-side report reminds nobody.)
    expected = [date(2024, 11, 15), date(2024, 11, 27), date(2024, 11, 29)]
    assert days == {(duty, person): expected
                    for duty in ("review-unsuited-rules", "inspection-results")
                    for person in (HEAD, OFFICE)}
    assert len(sent) == 12


async def test_planning_again_or_after_a_restart_adds_nothing(engine: AsyncEngine) -> None:
    await _demo(engine)
    today = datetime(2024, 11, 1, 9, tzinfo=VIETNAM)
    first = _writer()
    assert await first.run(engine, today) == 12  # 2 duties x 3 days x 2 people
    assert await first.run(engine, today + timedelta(hours=5)) == 0  # once a day
    restarted = _writer()  # a new process plans again: no new rows
    assert await restarted.run(engine, today + timedelta(days=1)) == 0
    rows = await _rows(engine)
    assert len(rows) == 12 and len({r.idempotency_key for r in rows}) == 12
    assert {r.person_id for r in rows} == {HEAD, OFFICE}
    assert rows[0].idempotency_key.startswith("reporting_duty:inspection-results:2024-11-30:")


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
    await _writer(duties).run(engine, datetime(2024, 11, 20, 9, tzinfo=VIETNAM))
    rows = await _rows(engine)
    assert [(r.idempotency_key, r.status, r.person_id) for r in rows] == [
        ("reporting_duty:yearly-report:2024-11-30:0:ubnd-thi-xa:nobody", "unresolved", None)]


async def test_far_from_the_dates_a_planning_pass_writes_nothing(
        engine: AsyncEngine) -> None:
    """The weeks ahead are planned, not the year: in January nothing is due yet."""
    await _demo(engine)
    writer = _writer()
    assert await writer.run(engine, datetime(2024, 1, 5, 9, tzinfo=VIETNAM)) == 0
    async with session_factory(engine)() as session:
        assert (await session.execute(select(func.count()).select_from(Reminder))
                ).scalar() == 0


async def test_after_30_06_2025_the_town_is_not_reminded_the_communes_are(
        engine: AsyncEngine) -> None:
    """The district level ended on 1/7/2025: seed 002's reports (and the town People's
    Committee) are gone; the same place's commune and ward committees, under two-level-2025,
    owe their yearly review report (887 Điều 7 khoản 8–9) from then on."""
    await _demo(engine)
    assert await _writer().run(engine, datetime(2025, 11, 20, 9, tzinfo=VIETNAM)) > 0
    rows = await _rows(engine)
    duties = {r.payload["duty"] for r in rows}
    bodies = {r.payload["body"] for r in rows}
    assert duties == {"commune-committee-yearly-review"}
    assert bodies == {"du-pho-chau", "du-nguyen-nghiem"}
    assert not any("ubnd-thi-xa" in r.idempotency_key for r in rows)
    # Before Monday 15/12/2025: the last working day is Friday 12/12.
    assert {r.payload["due_on"] for r in rows} == {"2025-12-12"}
    assert {r.idempotency_key.split(":")[3] for r in rows} == {"10", "2", "0"}
    assert all(r.person_id and r.status == "pending" for r in rows)  # office and head found


async def test_a_duty_whose_period_ended_plans_nothing_even_for_a_body_that_exists(
        engine: AsyncEngine) -> None:
    await _demo(engine)
    duties = parse_duties("""\
duties:
  - id: town-report
    what: {vi: "Báo cáo hằng năm", en: "Yearly report"}
    to: {vi: "Ban Thường vụ Thị ủy", en: "the Town Standing Board"}
    bodies: [commune_party_committee]
    before: 30/11
    effective: {from: 2022-12-12, to: 2025-06-30}
""")
    writer = _writer(duties)
    assert await writer.run(engine, datetime(2025, 11, 1, 9, tzinfo=VIETNAM)) == 0
    assert await _writer(duties).run(engine, datetime(2024, 11, 1, 9, tzinfo=VIETNAM)) > 0
    assert {r.idempotency_key.split(":")[2] for r in await _rows(engine)} == {"2024-11-30"}


async def test_the_installation_s_place_decides_which_bodies_exist(
        engine: AsyncEngine) -> None:
    """Planned for today's communes and wards (the default place), 2024's dates fall under
    the provincial rule alone (quang-ngai-887), which has no town People's Committee."""
    await _demo(engine)
    today = datetime(2024, 11, 1, 9, tzinfo=VIETNAM)
    assert await _writer(jurisdiction=None).run(engine, today) == 0
    assert await _writer(jurisdiction="quang-ngai/xa-phuong").run(engine, today) == 0
    assert await _writer().run(engine, today) == 12
