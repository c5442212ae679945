"""The calendar's table of Vietnam's days is what the pinned holidays package gives."""

from __future__ import annotations

import pytest

from workflow.calendar import WorkingCalendar
from workflow.calendar_overrides import MAX_YEAR, MIN_YEAR
from workflow.vietnam_holidays import LANGUAGES, TABLE, table_text, vietnam_days, vietnam_holidays


def test_the_table_is_the_installed_packages() -> None:
    assert TABLE.read_text(encoding="utf-8") == table_text(), (
        "the holidays package changed: write the table again with "
        "`python -m workflow.vietnam_holidays` and review the difference")


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_year_is_what_the_package_gives_around_it(language: str) -> None:
    # The calendar used to ask the package for the years it covered and one more on each
    # side; each year of the table is the same as that.
    for year in range(MIN_YEAR + 1, MAX_YEAR):
        package = vietnam_holidays(range(year - 1, year + 2), language)
        named, worked = vietnam_days(range(year, year + 1), language)
        assert named == {d: n for d, n in package.items() if d.year == year}, year
        assert worked == {d for d in package.weekend_workdays if d.year == year}, year


def test_a_language_the_table_lacks_is_refused() -> None:
    with pytest.raises(ValueError):
        vietnam_days(range(2026, 2027), "fr")


def test_the_calendar_names_the_days_in_its_language() -> None:
    from datetime import date

    def names(language: str) -> list[str]:
        days = WorkingCalendar(language=language).days_off_between(date(2026, 8, 31),
                                                                   date(2026, 9, 3))
        return [day.name for day in days]

    assert any("Quốc khánh" in name for name in names("vi"))
    assert any("National Day" in name for name in names("en"))
