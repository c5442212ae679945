"""The recurring reporting duties (seed 002, the party rules): the bundled list, the file's
validation, the duties' periods, the bodies that exist on each date for a place, and which
reminder days a duty plans on the real calendar."""

from __future__ import annotations

from datetime import date

import pytest

from bot.settings import ConfigError, Settings, load_settings
from workflow.actors import Role
from workflow.calendar import default_calendar
from workflow.reporting_duties import (
    DutiesError,
    bodies_in_no_pack,
    bundled_duties,
    kinds_in_force,
    last_day,
    next_occurrence,
    parse_duties,
    plan_duties,
)
from workflow.rules import bundled_rulebook

CAL = default_calendar()

GOOD = """\
duties:
  - id: yearly-report
    what: {vi: "Báo cáo hằng năm", en: "Yearly report"}
    to: {vi: "UBND huyện", en: "the district People's Committee"}
    bodies: [town_peoples_committee]
    before: 30/11
"""


def test_the_bundled_list_carries_seed_002s_two_reports_ended_with_the_district_level() -> None:
    duties = {d.id: d for d in bundled_duties()}
    seed_002 = ("review-unsuited-rules", "inspection-results")
    for duty in (duties[i] for i in seed_002):
        assert (duty.day, duty.month, duty.year) == (30, 11, None)
        assert "town_peoples_committee" in duty.bodies
        assert duty.roles == (Role.OFFICE, Role.HEAD) and duty.remind == (10, 2, 0)
        assert duty.what["vi"] and duty.what["en"] and "II.4." in duty.source
        # The district People's Committee has not existed since 1/7/2025.
        assert (duty.effective_from, duty.effective_to) == (None, date(2025, 6, 30))
        assert "UBND cấp huyện" in duty.to["vi"]
    assert "commune_peoples_committee" in duties["review-unsuited-rules"].bodies


def test_the_bundled_list_carries_the_party_side_yearly_reports_with_their_periods() -> None:
    duties = {d.id: d for d in bundled_duties()}
    assert set(duties) == {"review-unsuited-rules", "inspection-results",
                           "town-organisation-yearly-report",
                           "provincial-organisation-yearly-report",
                           "commune-committee-yearly-review"}
    expected = {
        # id: (bodies, from, to, words of the source)
        "town-organisation-yearly-report": (("town_organisation_agency",), date(2022, 12, 12),
                                            date(2025, 6, 30), "Điều 3 khoản 4"),
        "provincial-organisation-yearly-report": (("provincial_organisation_board",),
                                                  date(2022, 12, 12), None,
                                                  "Điều 10 khoản 4"),
        "commune-committee-yearly-review": (("commune_party_committee",), date(2025, 7, 1),
                                            None, "Điều 7 khoản 8–9"),
    }
    for ident, (bodies, starts, ends, article) in expected.items():
        duty = duties[ident]
        assert (duty.bodies, duty.effective_from, duty.effective_to) == (bodies, starts, ends)
        assert article in duty.source and duty.year is None
        # No rule gives these reports a date: the one used says it is the office's.
        assert "do văn phòng xác định; quy định không nêu ngày" in duty.source
        assert "quy định không nêu ngày" in duty.what["vi"]
        assert "the rule gives none" in duty.what["en"]
    book = bundled_rulebook()
    assert "town_organisation_agency" in {b.id for b in book.get("duc-pho-2022").bodies}
    assert "provincial_organisation_board" in {b.id for b in
                                              book.get("quang-ngai-887").bodies}
    assert {"commune_party_committee", "provincial_standing_board"} <= {
        b.id for b in book.get("two-level-2025").bodies}
    # Every body of the list exists in a pack in force during its duty's period, but the
    # commune People's Committees of seed 002 II.4.2: no pack had them before 1/7/2025.
    assert {d.id: bodies_in_no_pack(d, book.packs()) for d in duties.values()
            if bodies_in_no_pack(d, book.packs())} == {
        "review-unsuited-rules": ("commune_peoples_committee",)}


def test_before_30_11_2026_means_friday_27_and_the_reminders_skip_culture_day() -> None:
    (duty,) = parse_duties(GOOD)
    # 30/11/2026 is a Monday: the last working day before it is Friday 27/11. Ten working
    # days before that, counting back over 24/11 (Vietnamese Culture Day, from 2026): 12/11.
    planned = plan_duties([duty], date(2026, 1, 1), date(2026, 12, 31), CAL)
    assert [(r.on, r.days_before) for r in planned] == [
        (date(2026, 11, 12), 10), (date(2026, 11, 25), 2), (date(2026, 11, 27), 0)]
    assert {r.due_on for r in planned} == {date(2026, 11, 27)}
    assert [r.key for r in planned] == [
        "reporting_duty:yearly-report:2026-11-30:10", "reporting_duty:yearly-report:2026-11-30:2",
        "reporting_duty:yearly-report:2026-11-30:0"]


def test_each_year_gets_its_own_reminders_once() -> None:
    (duty,) = parse_duties(GOOD)
    planned = plan_duties([duty], date(2026, 1, 1), date(2027, 12, 31), CAL)
    by_year: dict[int, list[date]] = {}
    for reminder in planned:
        by_year.setdefault(reminder.before.year, []).append(reminder.on)
    # 30/11/2027 is a Tuesday: last day Monday 29/11; 24/11/2027 (a Wednesday) is off.
    assert by_year == {2026: [date(2026, 11, 12), date(2026, 11, 25), date(2026, 11, 27)],
                       2027: [date(2027, 11, 12), date(2027, 11, 25), date(2027, 11, 29)]}
    assert len({r.key for r in planned}) == len(planned) == 6


def test_a_window_plans_only_the_days_inside_it_never_the_past() -> None:
    (duty,) = parse_duties(GOOD)
    # Installed on 20/11/2026: the 10-day reminder (12/11) is past and is not planned.
    planned = plan_duties([duty], date(2026, 11, 20), date(2026, 12, 31), CAL)
    assert [r.on for r in planned] == [date(2026, 11, 25), date(2026, 11, 27)]
    assert plan_duties([duty], date(2026, 11, 28), date(2026, 12, 31), CAL) == []


def test_a_report_due_in_january_is_reminded_in_december() -> None:
    (duty,) = parse_duties(GOOD.replace("before: 30/11", "before: 15/01"))
    planned = plan_duties([duty], date(2026, 12, 1), date(2026, 12, 31), CAL)
    assert [r.before for r in planned] == [date(2027, 1, 15)]  # 10 days before: December


def test_a_one_off_report_is_planned_in_its_year_only() -> None:
    (duty,) = parse_duties(GOOD.replace("before: 30/11", "before: 30/08/2024"))
    assert duty.year == 2024
    planned = plan_duties([duty], date(2024, 1, 1), date(2026, 12, 31), CAL)
    assert {r.before for r in planned} == {date(2024, 8, 30)}
    assert last_day(date(2024, 8, 30), CAL) == date(2024, 8, 29)
    assert next_occurrence(duty, date(2024, 9, 1), CAL) is None
    assert next_occurrence(duty, date(2024, 8, 1), CAL) == (date(2024, 8, 30),
                                                           date(2024, 8, 29))


def test_next_occurrence_moves_to_next_year_after_the_last_day() -> None:
    (duty,) = parse_duties(GOOD)
    assert next_occurrence(duty, date(2026, 11, 27), CAL) == (date(2026, 11, 30),
                                                             date(2026, 11, 27))
    assert next_occurrence(duty, date(2026, 11, 28), CAL) == (date(2027, 11, 30),
                                                             date(2027, 11, 29))


@pytest.mark.parametrize(("change", "message"), [
    (("before: 30/11", "before: 31/02"), "duties.yaml:6: duties[0].before: '31/02' is not a date"),
    (("before: 30/11", "before: 29/02"), "duties.yaml:6: duties[0].before: 29/02 does not come "
                                         "every year"),
    (("before: 30/11", "before: end of November"), "duties.yaml:6: duties[0].before: 'end of "
                                                   "November' is not a date; write DD/MM"),
    (("before: 30/11", "before: 30/11\n    remind: [10, -2]"), "duties.yaml:7: "
                                                             "duties[0].remind: expected a list"),
    (("before: 30/11", "before: 30/11\n    roles: [member]"), "duties.yaml:7: duties[0].roles: "
                                                          "expected a list of roles among "
                                                          "office, head"),
    (("before: 30/11", "before: 30/11\n    when: yearly"), "duties.yaml:7: duties[0].when: "
                                                       "unknown key"),
    (("    before: 30/11\n", ""), "duties.yaml:2: duties[0]: 'before' is missing"),
    ((", en: \"Yearly report\"", ""), "duties.yaml:3: duties[0].what: the 'en' text is "
                                      "missing"),
    (("id: yearly-report", "id: Yearly Report"), "duties.yaml:2: duties[0].id: write an id"),
    (("bodies: [town_peoples_committee]", "bodies: []"), "duties.yaml:5: duties[0].bodies: "
                                                         "expected a list of body kinds"),
    (("duties:", "dutiez:"), "duties.yaml:1: dutiez: expected a mapping with the one key "
                             "'duties'"),
    (("    to:", "    to: [\n"), "duties.yaml"),
])
def test_a_malformed_file_is_refused_naming_file_line_and_key(
        change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(DutiesError) as error:
        parse_duties(text, origin="duties.yaml")
    assert str(error.value).startswith(message), str(error.value)


def test_two_duties_may_not_share_an_id() -> None:
    entry = GOOD.split("\n", 1)[1]
    with pytest.raises(DutiesError, match=r"duties.yaml:7: duties\[1\].id: 'yearly-report' "
                                          r"is already the id of the duty on line 2"):
        parse_duties(GOOD + entry, origin="duties.yaml")


def test_an_empty_file_has_no_duties() -> None:
    assert parse_duties("") == () and parse_duties("duties:\n") == ()


def test_the_installation_may_use_its_own_file(tmp_path: pytest.TempPathFactory,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "duties.yaml"  # type: ignore[operator]
    own.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("CADREBOT_REPORTING_DUTIES", str(own))
    assert [d.id for d in load_settings(None).duties] == ["yearly-report"]
    assert Settings.of().duties == bundled_duties()
    monkeypatch.setenv("CADREBOT_REPORTING_DUTIES", str(own) + ".missing")
    with pytest.raises(ConfigError, match=r"CADREBOT_REPORTING_DUTIES=.*cannot read"):
        load_settings(None)
    own.write_text(GOOD.replace("30/11", "31/11"), encoding="utf-8")
    monkeypatch.setenv("CADREBOT_REPORTING_DUTIES", str(own))
    with pytest.raises(ConfigError, match="'31/11' is not a date"):
        load_settings(None)


# Periods: effective from / to ---------------------------------------------------------

DUC_PHO, COMMUNES = "quang-ngai/duc-pho", "quang-ngai/xa-phuong"


def test_a_duty_may_have_a_period_either_side_optional() -> None:
    (both,) = parse_duties(GOOD + "    effective: {from: 2022-12-12, to: 2025-06-30}\n")
    assert (both.effective_from, both.effective_to) == (date(2022, 12, 12), date(2025, 6, 30))
    assert both.in_force(date(2022, 12, 12)) and both.in_force(date(2025, 6, 30))
    assert not both.in_force(date(2022, 12, 11)) and not both.in_force(date(2025, 7, 1))
    (until,) = parse_duties(GOOD + "    effective:\n      to: '2025-06-30'\n")
    assert (until.effective_from, until.effective_to) == (None, date(2025, 6, 30))
    (since,) = parse_duties(GOOD + "    effective: {from: 2025-07-01}\n")
    assert (since.effective_from, since.effective_to) == (date(2025, 7, 1), None)
    assert since.in_force(date(2099, 1, 1)) and not since.in_force(date(2025, 6, 30))
    (always,) = parse_duties(GOOD)
    assert (always.effective_from, always.effective_to) == (None, None)
    assert always.in_force(date(1999, 1, 1))


@pytest.mark.parametrize(("period", "message"), [
    ("{from: 2025-13-01}", "duties.yaml:7: duties[0].effective.from: '2025-13-01' is not a "
                           "date; write YYYY-MM-DD"),
    ("{to: 30/06/2025}", "duties.yaml:7: duties[0].effective.to: '30/06/2025' is not a date; "
                         "write YYYY-MM-DD"),
    ("{to: 2025-06-31}", "duties.yaml:7: duties[0].effective.to: '2025-06-31' is not a date"),
    ("{to: 2025-06-30 08:00:00}", "duties.yaml:7: duties[0].effective.to: "
                                  "'2025-06-30T08:00:00' is not a date"),
    ("{to: soon}", "duties.yaml:7: duties[0].effective.to: 'soon' is not a date"),
    ("{from: 1900-01-01}", "duties.yaml:7: duties[0].effective.from: 1900-01-01 is outside "
                           "the years"),
    ("{from: 2025-07-01, to: 2025-06-30}", "duties.yaml:7: duties[0].effective.to: the "
                                           "period ends (2025-06-30) before it starts "
                                           "(2025-07-01)"),
    ("{from: 2025-07-01, until: 2026-01-01}", "duties.yaml:7: duties[0].effective: expected "
                                              "the period as {from: YYYY-MM-DD, to: "
                                              "YYYY-MM-DD}"),
    ("{}", "duties.yaml:7: duties[0].effective: expected the period"),
    ("2025-06-30", "duties.yaml:7: duties[0].effective: expected the period"),
])
def test_a_bad_period_is_refused_naming_line_and_key(period: str, message: str) -> None:
    with pytest.raises(DutiesError) as error:
        parse_duties(GOOD + f"    effective: {period}\n", origin="duties.yaml")
    assert str(error.value).startswith(message), str(error.value)
    assert "\n" not in str(error.value)


def test_the_line_of_a_bad_date_is_its_own_in_a_block_period() -> None:
    text = GOOD + "    effective:\n      from: 2025-07-01\n      to: 2025-06-30\n"
    with pytest.raises(DutiesError, match=r"^duties.yaml:9: duties\[0\].effective.to: the "
                                          r"period ends"):
        parse_duties(text, origin="duties.yaml")


def test_a_date_is_planned_only_inside_the_duty_s_period() -> None:
    (duty,) = parse_duties(GOOD + "    effective: {from: 2025-01-01, to: 2026-11-26}\n")
    planned = plan_duties([duty], date(2024, 1, 1), date(2027, 12, 31), CAL)
    # 2024: before the period. 2025: last day Friday 28/11/2025, inside. 2026: the last
    # day, Friday 27/11/2026, falls after the period's end (26/11), though its first two
    # reminders would not: the whole date is out.
    assert {r.before for r in planned} == {date(2025, 11, 30)}
    assert next_occurrence(duty, date(2024, 6, 1), CAL) == (date(2025, 11, 30),
                                                           date(2025, 11, 28))
    assert next_occurrence(duty, date(2025, 11, 29), CAL) is None


def test_the_period_is_read_on_the_last_working_day_not_the_before_date() -> None:
    # Before Wednesday 01/07/2026: the last working day is Tuesday 30/06/2026, inside a
    # period ending on 30/06.
    (duty,) = parse_duties(GOOD.replace("30/11", "01/07")
                           + "    effective: {to: 2026-06-30}\n")
    assert next_occurrence(duty, date(2026, 6, 1), CAL) == (date(2026, 7, 1),
                                                           date(2026, 6, 30))


# Bodies that exist on the date, for the installation's place -------------------------


def test_the_bodies_that_exist_follow_the_pack_in_force_for_the_place() -> None:
    book = bundled_rulebook()
    duc_pho = kinds_in_force(book, DUC_PHO)
    assert "town_peoples_committee" in duc_pho(date(2025, 6, 30))  # duc-pho-2022
    assert "town_peoples_committee" not in duc_pho(date(2025, 7, 1))  # two-level-2025
    assert "commune_party_committee" in duc_pho(date(2025, 7, 1))
    communes = kinds_in_force(book, COMMUNES)  # before 1/7/2025: quang-ngai-887
    assert "provincial_organisation_board" in communes(date(2024, 12, 13))
    assert "provincial_organisation_board" not in communes(date(2025, 12, 15))
    assert kinds_in_force(book)(date(2026, 1, 5)) == communes(date(2026, 1, 5))
    assert kinds_in_force(book, DUC_PHO)(date(2020, 1, 6)) == frozenset()  # no pack yet


def test_seed_002_reaches_the_town_peoples_committee_only_while_the_town_existed() -> None:
    kinds = kinds_in_force(bundled_rulebook(), DUC_PHO)
    seed_002 = [d for d in bundled_duties() if d.id in ("review-unsuited-rules",
                                                         "inspection-results")]
    planned = plan_duties(seed_002, date(2024, 1, 1), date(2024, 12, 31), CAL, kinds)
    # Before Saturday 30/11/2024: the last working day is Friday 29/11; 10 working days
    # before it, 15/11; 2 before, 27/11. Only the town People's Committee: the commune
    # People's Committees were no body of the 2022 pack.
    assert [(r.duty.id, r.on) for r in planned] == [
        (duty, day) for day in (date(2024, 11, 15), date(2024, 11, 27), date(2024, 11, 29))
        for duty in ("inspection-results", "review-unsuited-rules")]
    assert {r.bodies for r in planned} == {("town_peoples_committee",)}


def test_after_30_06_2025_the_district_level_reports_are_no_longer_planned() -> None:
    kinds = kinds_in_force(bundled_rulebook(), DUC_PHO)
    seed_002 = [d for d in bundled_duties() if d.id in ("review-unsuited-rules",
                                                         "inspection-results")]
    assert plan_duties(seed_002, date(2025, 7, 1), date(2027, 12, 31), CAL, kinds) == []
    # Nor without a place: the duties themselves ended.
    assert plan_duties(seed_002, date(2025, 7, 1), date(2027, 12, 31), CAL) == []
    for duty in seed_002:
        assert next_occurrence(duty, date(2025, 7, 1), CAL, kinds) is None
        assert next_occurrence(duty, date(2024, 12, 1), CAL) is None  # 2025's is out too


def test_a_body_that_does_not_exist_on_the_date_is_not_planned_for_it() -> None:
    (duty,) = parse_duties(GOOD.replace("[town_peoples_committee]",
                                        "[town_peoples_committee, commune_party_committee]"))
    kinds = kinds_in_force(bundled_rulebook(), DUC_PHO)
    planned = plan_duties([duty], date(2024, 1, 1), date(2026, 12, 31), CAL, kinds)
    by_year = {r.before.year: r.bodies for r in planned}
    # The 2022 pack has both; two-level-2025 (which took over the town) only the commune's.
    assert by_year == {2024: ("town_peoples_committee", "commune_party_committee"),
                       2025: ("commune_party_committee",),
                       2026: ("commune_party_committee",)}
    (town_only,) = parse_duties(GOOD)
    assert plan_duties([town_only], date(2025, 7, 1), date(2026, 12, 31), CAL, kinds) == []
    assert next_occurrence(town_only, date(2025, 7, 1), CAL, kinds) is None
    assert next_occurrence(town_only, date(2025, 7, 1), CAL) == (date(2025, 11, 30),
                                                                date(2025, 11, 28))


def test_the_party_side_reports_reach_the_bodies_of_their_place_and_time() -> None:
    duties = bundled_duties()
    book = bundled_rulebook()

    def owed(place: str, year: int) -> dict[str, tuple[str, ...]]:
        planned = plan_duties(duties, date(year, 1, 1), date(year, 12, 31), CAL,
                              kinds_in_force(book, place))
        return {r.duty.id: r.bodies for r in planned}

    # The town, 2024: the seed-002 reports and the Organisation and Home Affairs agency's.
    assert owed(DUC_PHO, 2024) == {
        "review-unsuited-rules": ("town_peoples_committee",),
        "inspection-results": ("town_peoples_committee",),
        "town-organisation-yearly-report": ("town_organisation_agency",)}
    # The same place in 2026 is a commune or ward under two-level-2025.
    assert owed(DUC_PHO, 2026) == {"commune-committee-yearly-review":
                                   ("commune_party_committee",)}
    assert owed(COMMUNES, 2026) == owed(DUC_PHO, 2026)
    # The province keeps its Organisation Board's yearly report.
    assert owed("quang-ngai", 2024) == owed("quang-ngai", 2026) == {
        "provincial-organisation-yearly-report": ("provincial_organisation_board",)}
    # Before 15/12/2026 (a Tuesday): the last working day is Monday 14/12.
    commune = next(d for d in duties if d.id == "commune-committee-yearly-review")
    assert next_occurrence(commune, date(2026, 11, 23), CAL,
                           kinds_in_force(book, COMMUNES)) == (date(2026, 12, 15),
                                                               date(2026, 12, 14))
