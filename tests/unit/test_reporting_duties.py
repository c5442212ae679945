"""The recurring reporting duties (seed 002): the bundled list, the file's validation, and
which reminder days a duty plans on the real calendar."""

from __future__ import annotations

from datetime import date

import pytest

from bot.settings import ConfigError, Settings, load_settings
from workflow.actors import Role
from workflow.calendar import default_calendar
from workflow.reporting_duties import (
    DutiesError,
    bundled_duties,
    last_day,
    next_occurrence,
    parse_duties,
    plan_duties,
)

CAL = default_calendar()

GOOD = """\
duties:
  - id: yearly-report
    what: {vi: "Báo cáo hằng năm", en: "Yearly report"}
    to: {vi: "UBND huyện", en: "the district People's Committee"}
    bodies: [town_peoples_committee]
    before: 30/11
"""


def test_the_bundled_list_carries_seed_002s_two_reports_before_30_11_each_year() -> None:
    duties = {d.id: d for d in bundled_duties()}
    assert set(duties) == {"review-unsuited-rules", "inspection-results"}
    for duty in duties.values():
        assert (duty.day, duty.month, duty.year) == (30, 11, None)
        assert "town_peoples_committee" in duty.bodies
        assert duty.roles == (Role.OFFICE, Role.HEAD) and duty.remind == (10, 2, 0)
        assert duty.what["vi"] and duty.what["en"] and "II.4." in duty.source
    assert "commune_peoples_committee" in duties["review-unsuited-rules"].bodies


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
