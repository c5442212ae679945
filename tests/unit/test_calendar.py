"""The working-day calendar: Civil Code counting over real Vietnamese holidays."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow import calendar as cal
from workflow.calendar import (
    MAX_WORKING_DAYS,
    CalendarOverrides,
    DayOff,
    OverridesError,
    WorkingCalendar,
    parse_overrides,
)

# One calendar for the property tests: building it once is the point of the design.
CALENDAR = WorkingCalendar()
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=0, max_value=300)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=300))
def test_due_date_is_always_a_working_day(start: date, n: int) -> None:
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, n))


@settings(max_examples=300, deadline=None)
@given(start=dates, n=counts, m=counts)
def test_due_date_grows_strictly_with_n(start: date, n: int, m: int) -> None:
    a, b = CALENDAR.add_working_days(start, n), CALENDAR.add_working_days(start, m)
    assert (a < b) == (n < m) and (a == b) == (n == m)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=counts)
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates)
def test_working_days_between_is_antisymmetric_and_counts_days(a: date, b: date) -> None:
    assert CALENDAR.working_days_between(a, b) == -CALENDAR.working_days_between(b, a)
    if a <= b and (b - a).days < 400:
        days = (a + timedelta(days=i) for i in range(1, (b - a).days + 1))
        assert CALENDAR.working_days_between(a, b) == sum(map(CALENDAR.is_working_day, days))


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
       n=st.integers(min_value=1, max_value=120))
def test_agrees_with_a_fresh_holidays_object(start: date, n: int) -> None:
    # The naive reference: the package's own counting on a freshly built table.
    fresh = holidays.country_holidays("VN", years=range(start.year, start.year + 2))
    assert CALENDAR.add_working_days(start, n) == fresh.get_nth_working_day(start, n)


@settings(max_examples=100, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=100))
def test_days_off_listed_are_exactly_the_skipped_named_days(start: date, n: int) -> None:
    due = CALENDAR.add_working_days(start, n)
    listed = CALENDAR.days_off_between(start, due)
    assert all(start < day.date < due and not CALENDAR.is_working_day(day.date)
               for day in listed)
    assert [day.date for day in listed] == sorted(day.date for day in listed)


# --- Civil Code counting -------------------------------------------------------------------


def test_day_of_receipt_is_not_counted() -> None:
    assert CALENDAR.add_working_days(d("2026-11-19"), 1) == d("2026-11-20")  # Thu -> Fri


def test_received_on_friday_one_working_day_is_monday() -> None:
    assert CALENDAR.add_working_days(d("2026-11-20"), 1) == d("2026-11-23")


def test_received_on_a_weekend_counts_from_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(d("2026-11-21"), 1) == d("2026-11-23")  # Sat -> Mon


def test_zero_working_days_is_the_start_day_even_on_a_day_off() -> None:
    assert CALENDAR.add_working_days(d("2026-11-22"), 0) == d("2026-11-22")  # a Sunday


def test_negative_or_huge_n_is_refused() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(d("2026-11-23"), -1)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(d("2026-11-23"), MAX_WORKING_DAYS + 1)
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(d("2026-11-23"), 1.5)  # type: ignore[arg-type]


def test_dates_outside_the_holiday_table_are_refused() -> None:
    with pytest.raises(ValueError, match="1995"):
        CALENDAR.is_working_day(d("1990-01-02"))
    with pytest.raises(ValueError, match="2100"):
        CALENDAR.add_working_days(d("2100-12-01"), 60)


# --- real Vietnamese dates -----------------------------------------------------------------


def test_tet_2026_is_skipped_whole() -> None:
    # Tết Bính Ngọ: 16–20/2/2026 (Mon–Fri) off; Friday 13/2 + 1 working day = Monday 23/2.
    assert CALENDAR.add_working_days(d("2026-02-13"), 1) == d("2026-02-23")
    skipped = CALENDAR.days_off_between(d("2026-02-13"), d("2026-02-23"))
    assert [x.date for x in skipped] == [d("2026-02-16") + timedelta(days=i) for i in range(5)]
    assert skipped[1].name == "Tết Nguyên Đán"


def test_reunification_and_labour_day_2026() -> None:
    assert not CALENDAR.is_working_day(d("2026-04-30"))
    assert not CALENDAR.is_working_day(d("2026-05-01"))
    assert CALENDAR.add_working_days(d("2026-04-29"), 1) == d("2026-05-04")


def test_labour_day_2025_with_swapped_day_off_and_make_up_saturday() -> None:
    # 2/5/2025 (Fri) was off in exchange for working Saturday 26/4/2025.
    assert CALENDAR.add_working_days(d("2025-04-29"), 1) == d("2025-05-05")
    assert CALENDAR.is_working_day(d("2025-04-26"))
    assert CALENDAR.add_working_days(d("2025-04-25"), 1) == d("2025-04-26")


def test_national_day_2026_and_its_make_up_saturday() -> None:
    # 31/8 (swapped from Saturday 22/8), 1/9 and 2/9/2026 off.
    assert CALENDAR.is_working_day(d("2026-08-22"))
    assert CALENDAR.add_working_days(d("2026-08-21"), 1) == d("2026-08-22")
    assert CALENDAR.add_working_days(d("2026-08-28"), 1) == d("2026-09-03")
    assert [m.date for m in CALENDAR.make_up_days_between(d("2026-08-01"), d("2026-09-01"))] \
        == [d("2026-08-22")]


def test_vietnamese_culture_day_from_2026() -> None:
    # 24/11/2026 is a Tuesday: a dossier received on Monday 23/11 is due Wednesday 25/11.
    assert not CALENDAR.is_working_day(d("2026-11-24"))
    assert CALENDAR.add_working_days(d("2026-11-23"), 1) == d("2026-11-25")
    assert CALENDAR.days_off_between(d("2026-11-23"), d("2026-11-25")) == [
        DayOff(d("2026-11-24"), "Ngày Văn hóa Việt Nam")]
    assert CALENDAR.is_working_day(d("2025-11-24"))  # not yet a holiday in 2025


def test_thirty_working_days_from_23_november_2026() -> None:
    due = CALENDAR.add_working_days(d("2026-11-23"), 30)
    assert due == d("2027-01-06")
    assert [x.date for x in CALENDAR.days_off_between(d("2026-11-23"), due)] == [
        d("2026-11-24"), d("2027-01-01")]


def test_holiday_names_in_english() -> None:
    english = WorkingCalendar(language="en")
    assert english.days_off_between(d("2026-11-23"), d("2026-11-25"))[0].name == \
        "Vietnam Cultural Day"


# --- overrides -----------------------------------------------------------------------------

OVERRIDES = """\
days_off:
  - date: 2026-11-25
    reason: Nghỉ theo thông báo của cơ quan
working_days:
  - date: 2026-11-28
    reason: Làm bù cho ngày 25/11/2026
remove_days_off:
  - date: "2026-11-24"
    reason: Thử gỡ ngày lễ
"""


def test_overrides_add_days_off_and_working_days() -> None:
    text = OVERRIDES.split("remove_days_off")[0]
    calendar = WorkingCalendar(parse_overrides(text))
    # 24/11 holiday, 25/11 office day off: from Monday 23/11, 1 day -> Thursday 26/11.
    assert calendar.add_working_days(d("2026-11-23"), 1) == d("2026-11-26")
    assert calendar.days_off_between(d("2026-11-23"), d("2026-11-26"))[-1] == DayOff(
        d("2026-11-25"), "Nghỉ theo thông báo của cơ quan")
    # Friday 27/11 + 1 -> the make-up Saturday 28/11.
    assert calendar.add_working_days(d("2026-11-27"), 1) == d("2026-11-28")
    assert calendar.make_up_days_between(d("2026-11-27"), d("2026-11-30"))[0].reason == \
        "Làm bù cho ngày 25/11/2026"


def test_overrides_remove_a_holiday_the_package_has_wrong() -> None:
    calendar = WorkingCalendar(parse_overrides(OVERRIDES))
    assert calendar.is_working_day(d("2026-11-24"))
    assert calendar.add_working_days(d("2026-11-23"), 1) == d("2026-11-24")


def test_later_overrides_undo_earlier_ones() -> None:
    shipped = parse_overrides("days_off:\n  - {date: 2026-11-25, reason: a}\n")
    office = parse_overrides("working_days:\n  - {date: 2026-11-25, reason: b}\n")
    assert not WorkingCalendar([shipped]).is_working_day(d("2026-11-25"))
    assert WorkingCalendar([shipped, office]).is_working_day(d("2026-11-25"))


def test_an_override_can_cancel_a_package_make_up_saturday() -> None:
    text = "days_off:\n  - {date: 2026-08-22, reason: không làm bù}\n"
    assert not WorkingCalendar(parse_overrides(text)).is_working_day(d("2026-08-22"))


def test_empty_and_bundled_overrides_are_valid() -> None:
    assert parse_overrides("") == CalendarOverrides(origin="<overrides>")
    assert parse_overrides("# nothing yet\ndays_off: []\n").days_off == ()
    assert isinstance(cal.bundled_overrides(), CalendarOverrides)


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("days_of:\n  - {date: 2026-11-25, reason: x}\n", 1, "days_of: unknown key"),
    ("days_off:\n  - date: 2026-02-30\n    reason: x\n", 2, "days_off[0].date: '2026-02-30'"),
    ("days_off:\n  - date: 2026-11-25\n", 2, "days_off[0]: 'reason' is missing"),
    ("days_off:\n  - {date: 2026-11-25, reason: ''}\n", 2, "days_off[0].reason"),
    ("days_off:\n  - {date: 2026-11-25, reason: x, note: y}\n", 2, "days_off[0].note"),
    ("days_off: 2026-11-25\n", 1, "days_off: expected a list"),
    ("days_off:\n  - 2026-11-25\n", 2, "days_off[0]: expected"),
    ("days_off:\n  - {date: 2026-11-25, reason: a}\nworking_days:\n"
     "  - {date: 2026-11-25, reason: b}\n", 4, "already listed in days_off (line 2)"),
    ("days_off:\n  - {date: 1900-01-01, reason: a}\n", 2, "outside the years"),
    ("days_off: [\n", 2, "not valid YAML"),
    ("- 2026-11-25\n", 1, "expected a mapping"),
])
def test_overrides_errors_name_the_line_and_key(text: str, line: int, fragment: str) -> None:
    with pytest.raises(OverridesError) as info:
        parse_overrides(text, origin="office.yaml")
    assert info.value.line == line
    assert str(info.value).startswith(f"office.yaml:{line}: ")
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


# --- the table is built once and widened lazily --------------------------------------------


def test_table_is_built_once_and_widened_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[range] = []
    real = cal.vietnam_days

    def counting(years: range, language: str) -> tuple[dict[date, str], frozenset[date]]:
        builds.append(years)
        return real(years, language)

    monkeypatch.setattr(cal, "vietnam_days", counting)
    calendar = WorkingCalendar()
    assert calendar.covered_years is None  # nothing built until asked
    for offset in range(300):
        calendar.add_working_days(d("2026-01-01") + timedelta(days=offset), 30)
    assert len(builds) == 1
    first, last = calendar.covered_years or (0, 0)
    assert first <= 2026 and last >= 2027

    calendar.add_working_days(d("2040-06-01"), 60)  # beyond the table: widened once
    assert len(builds) == 2 and (calendar.covered_years or (0, 0))[1] >= 2040
    calendar.is_working_day(d("2033-03-03"))  # inside the widened table: no rebuild
    assert len(builds) == 2


def test_module_level_functions_use_the_default_calendar() -> None:
    assert cal.add_working_days(d("2026-11-23"), 1) == d("2026-11-25")
    assert cal.working_days_between(d("2026-11-23"), d("2026-11-25")) == 1
    assert not cal.is_working_day(d("2026-11-24"))
    assert cal.default_calendar() is cal.default_calendar()


def test_an_installed_default_calendar_is_used_and_can_be_reset() -> None:
    office = WorkingCalendar(parse_overrides(OVERRIDES))
    cal.set_default_calendar(office)
    try:
        assert cal.is_working_day(d("2026-11-24"))
    finally:
        cal.set_default_calendar(None)
    assert not cal.is_working_day(d("2026-11-24"))
