"""Overrides with sources: the bundled 2026 New Year swap, the bundled file's strictness,
and a year's days listed with where each comes from."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_app
from workflow.calendar import (
    BUNDLED_ORIGIN,
    CalendarDay,
    OverrideEntry,
    OverridesError,
    WorkingCalendar,
    bundled_calendar,
    bundled_overrides,
    parse_bundled_overrides,
    parse_overrides,
)

LETTER = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
CALENDAR = WorkingCalendar(bundled_overrides())
PACKAGE_ONLY = WorkingCalendar()


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- the bundled file ----------------------------------------------------------------------


def test_the_bundled_file_carries_the_2026_new_year_swap_with_its_source() -> None:
    bundled = bundled_overrides()
    assert bundled.origin == BUNDLED_ORIGIN
    assert [(e.date, e.source) for e in bundled.days_off] == [(d("2026-01-02"), LETTER)]
    assert [(e.date, e.source) for e in bundled.working_days] == [(d("2026-01-10"), LETTER)]
    assert bundled.remove_days_off == ()


def test_every_bundled_entry_names_its_source() -> None:
    text = (resources.files("workflow") / "data" / "calendar_overrides.yaml").read_text(
        encoding="utf-8")
    parsed = parse_bundled_overrides(text)  # the strict reading passes
    entries = parsed.days_off + parsed.working_days + parsed.remove_days_off
    assert entries and all(entry.source for entry in entries)


def test_the_package_alone_lacks_the_swap() -> None:
    # If a newer pinned holidays carries it, the bundled entries have become redundant.
    assert PACKAGE_ONLY.is_working_day(d("2026-01-02"))
    assert not PACKAGE_ONLY.is_working_day(d("2026-01-10"))


@pytest.mark.parametrize(("start", "n", "due"), [
    ("2025-12-31", 1, "2026-01-05"),
    ("2026-01-08", 2, "2026-01-10"),
    ("2026-01-01", 1, "2026-01-05"),
    ("2026-01-09", 1, "2026-01-10"),
    ("2026-01-10", 1, "2026-01-12"),
])
def test_deadlines_around_the_swap(start: str, n: int, due: str) -> None:
    assert CALENDAR.add_working_days(d(start), n) == d(due)
    assert bundled_calendar().add_working_days(d(start), n) == d(due)


def test_the_swap_is_named_in_what_a_deadline_skips() -> None:
    skipped = CALENDAR.days_off_between(d("2025-12-31"), d("2026-01-05"))
    assert [x.date for x in skipped] == [d("2026-01-01"), d("2026-01-02")]
    assert [m.date for m in CALENDAR.make_up_days_between(d("2026-01-05"), d("2026-01-12"))] \
        == [d("2026-01-10")]


# --- the source field ------------------------------------------------------------------------


ENTRY_WITHOUT_SOURCE = "days_off:\n  - date: 2027-02-03\n    reason: Nghỉ Tết (hoán đổi)\n"


def test_an_office_file_may_leave_the_source_out() -> None:
    office = parse_overrides(ENTRY_WITHOUT_SOURCE, origin="office.yaml")
    assert office.days_off == (OverrideEntry(d("2027-02-03"), "Nghỉ Tết (hoán đổi)", 2),)
    assert office.days_off[0].source is None


def test_the_bundled_format_rejects_an_entry_without_source() -> None:
    with pytest.raises(OverridesError) as info:
        parse_bundled_overrides(ENTRY_WITHOUT_SOURCE)
    assert info.value.line == 2
    assert str(info.value).startswith(f"{BUNDLED_ORIGIN}:2: days_off[0]: 'source' is missing")
    assert "\n" not in str(info.value)
    with pytest.raises(OverridesError, match=r"office\.yaml:2: days_off\[0\]: 'source'"):
        parse_overrides(ENTRY_WITHOUT_SOURCE, origin="office.yaml", require_source=True)


def test_the_source_is_read_as_one_line() -> None:
    text = ("working_days:\n  - date: 2027-02-20\n    reason: Làm bù\n"
            "    source: >\n      Thông báo số 1/TB-BNV\n      ngày 01/12/2026\n")
    entry = parse_bundled_overrides(text).working_days[0]
    assert entry.source == "Thông báo số 1/TB-BNV ngày 01/12/2026"


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("days_off:\n  - {date: 2027-02-03, reason: x, source: ''}\n", 2,
     "days_off[0].source: name the announcement"),
    ("days_off:\n  - {date: 2027-02-03, reason: x, source: [a, b]}\n", 2,
     "days_off[0].source"),
    ("days_off:\n  - date: 2027-02-03\n    reason: x\n    source: a\n    source: b\n", 5,
     "days_off[0].source: key is written twice"),
    ("days_off:\n  - {date: 2027-02-03, reason: x, sources: a}\n", 2,
     "days_off[0].sources: unknown key; expected date, reason and source"),
    ("days_off:\n  - {date: 2027-02-03, source: a}\n", 2, "days_off[0]: 'reason' is missing"),
])
def test_source_errors_name_the_line_and_key(text: str, line: int, fragment: str) -> None:
    with pytest.raises(OverridesError) as info:
        parse_overrides(text, origin="office.yaml")
    assert info.value.line == line
    assert str(info.value).startswith(f"office.yaml:{line}: ")
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


# --- a year's days with their origins ---------------------------------------------------------


def test_days_of_2026_in_order_with_origins() -> None:
    days = CALENDAR.days_of_year(2026)
    assert [day.date for day in days] == sorted(day.date for day in days)
    assert all(day.date.year == 2026 for day in days)
    by_date = {day.date: day for day in days}
    assert by_date[d("2026-01-01")] == CalendarDay(d("2026-01-01"), "day_off", "Tết Dương lịch")
    assert by_date[d("2026-01-02")].override == BUNDLED_ORIGIN
    assert by_date[d("2026-01-02")].source == LETTER
    assert by_date[d("2026-01-10")].kind == "working_day"
    assert by_date[d("2026-08-22")] == CalendarDay(d("2026-08-22"), "working_day", None)
    # Weekends only when they are holidays or worked.
    weekend = [day for day in days if day.date.weekday() >= 5]
    assert [(day.date, day.kind) for day in weekend] == [
        (d("2026-01-10"), "working_day"), (d("2026-04-26"), "day_off"),
        (d("2026-08-22"), "working_day")]


def test_the_listing_agrees_with_the_counting() -> None:
    for day in CALENDAR.days_of_year(2026):
        assert CALENDAR.is_working_day(day.date) == (day.kind != "day_off")


def test_a_later_file_takes_the_bundled_day_off_back() -> None:
    office = parse_overrides(
        "remove_days_off:\n  - {date: 2026-01-02, reason: trực Tết, source: TB 01}\n",
        origin="office.yaml")
    calendar = WorkingCalendar([bundled_overrides(), office])
    assert calendar.is_working_day(d("2026-01-02"))
    assert calendar.add_working_days(d("2025-12-31"), 1) == d("2026-01-02")
    by_date = {day.date: day for day in calendar.days_of_year(2026)}
    assert by_date[d("2026-01-02")] == CalendarDay(
        d("2026-01-02"), "removed_day_off",
        "Nghỉ hoán đổi dịp Tết Dương lịch 2026 (làm bù thứ Bảy 10/01/2026)",
        "office.yaml", "TB 01", "trực Tết")
    assert by_date[d("2026-01-10")].kind == "working_day"  # untouched: still the letter's


def test_a_weekday_declared_worked_shows_as_removed_and_a_re_added_day_as_off() -> None:
    first = parse_overrides("working_days:\n  - {date: 2026-11-24, reason: làm việc}\n",
                            origin="a.yaml")
    second = parse_overrides("days_off:\n  - {date: 2026-11-24, reason: nghỉ lại}\n",
                             origin="b.yaml")
    removed = {day.date: day for day in WorkingCalendar(first).days_of_year(2026)}
    assert removed[d("2026-11-24")] == CalendarDay(
        d("2026-11-24"), "removed_day_off", "Ngày Văn hóa Việt Nam", "a.yaml", None,
        "làm việc")
    again = {day.date: day for day in WorkingCalendar([first, second]).days_of_year(2026)}
    assert again[d("2026-11-24")] == CalendarDay(
        d("2026-11-24"), "day_off", "nghỉ lại", "b.yaml")


def test_removing_a_day_that_is_not_off_lists_nothing() -> None:
    office = parse_overrides("remove_days_off:\n  - {date: 2026-11-25, reason: x}\n")
    assert WorkingCalendar(office).days_of_year(2026) == PACKAGE_ONLY.days_of_year(2026)


def test_a_year_outside_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="1995"):
        CALENDAR.days_of_year(1990)


# --- the running assistant uses the bundled overrides by default ------------------------------


def test_the_settings_calendar_starts_from_the_bundled_overrides() -> None:
    calendar = Settings.of().calendar
    assert calendar.overrides == (bundled_overrides(),)
    assert calendar.add_working_days(d("2025-12-31"), 1) == d("2026-01-05")


async def test_the_running_assistant_counts_with_the_bundled_swap(tmp_path: Path) -> None:
    app = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}")
    try:
        calendar = app.services.calendar
        assert calendar.add_working_days(d("2025-12-31"), 1) == d("2026-01-05")
        assert calendar.add_working_days(d("2026-01-09"), 1) == d("2026-01-10")
    finally:
        await app.close()
