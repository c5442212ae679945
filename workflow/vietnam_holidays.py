"""Vietnam's public holidays from the pinned ``holidays`` package, without its other countries.

The calendar reads them from a table written from the package (``data/vietnam_holidays.txt``,
every year the calendar covers, in both languages; ``vietnam_days``): importing the
package and computing the lunar dates cost a running bot about 4 MiB and ``cadrebot
deadline`` a good part of its start-up, for the same days every time. A test compares
the table with the installed package; after a change of the pinned version, write it
again with ``python -m workflow.vietnam_holidays``.

``holidays.country_holidays("VN")`` imports ``holidays.countries``, whose ``__init__``
imports all of its ~280 countries: about 8 MiB and a tenth of a second that the bot and
every command paid for one country. The package's Vietnam module is loaded on its own
instead (it imports only shared modules, never another country) and registered under its
own name, so the package, if something imports it later, uses the very same class.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from workflow.calendar_overrides import MAX_YEAR, MIN_YEAR

if TYPE_CHECKING:  # the package itself is imported with the first calendar built
    from holidays.holiday_base import HolidayBase

MODULE = "holidays.countries.vietnam"
TABLE = Path(__file__).resolve().parent / "data" / "vietnam_holidays.txt"
LANGUAGES = ("vi", "en_US")  # the package's codes, as the calendar asks for them
_lock = threading.Lock()


def _vietnam_module() -> ModuleType:
    with _lock:
        module = sys.modules.get(MODULE)
        if module is not None:
            return module
        import holidays

        path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
        spec = importlib.util.spec_from_file_location(MODULE, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a broken install
            raise ImportError(f"cannot load {MODULE} from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[MODULE]
            raise
        return module


def vietnam_holidays(years: Iterable[int], language: str) -> HolidayBase:
    """The same as ``holidays.country_holidays("VN", years=years, language=language)``."""
    vietnam: type[HolidayBase] = _vietnam_module().Vietnam
    return vietnam(years=years, language=language)


def table_text(first: int = MIN_YEAR, last: int = MAX_YEAR) -> str:
    """The table, computed with the installed package: one line a day, the day off's names
    in each language (tab-separated), or a make-up working day (a Saturday worked)."""
    from importlib import metadata

    years = range(first, last + 1)
    named = {lang: vietnam_holidays(years, lang) for lang in LANGUAGES}
    days_off = named[LANGUAGES[0]]
    other = named[LANGUAGES[1]]
    if set(days_off) != set(other) or days_off.weekend_workdays != other.weekend_workdays:
        raise ValueError("the package gives other days in another language")
    lines = [f"# Vietnam's days off and make-up working days, {first}-{last}, from the "
             f"holidays package {metadata.version('holidays')}.",
             "# Written by `python -m workflow.vietnam_holidays`; do not edit."]
    rows = [(day, "off", *(named[lang][day] for lang in LANGUAGES)) for day in days_off]
    rows += [(day, "work", "", "") for day in days_off.weekend_workdays]
    lines += ["\t".join((day.isoformat(), *rest)) for day, *rest in sorted(rows)]
    return "\n".join(lines) + "\n"


@cache
def _table() -> tuple[dict[date, tuple[str, ...]], frozenset[date]]:
    days_off: dict[date, tuple[str, ...]] = {}
    make_up: set[date] = set()
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        day, kind, *names = line.split("\t")
        if kind == "off":
            days_off[date.fromisoformat(day)] = tuple(names)
        else:
            make_up.add(date.fromisoformat(day))
    return days_off, frozenset(make_up)


def vietnam_days(years: range, language: str) -> tuple[dict[date, str], frozenset[date]]:
    """The days off of these years with their names in ``language``, and the make-up
    working days, from the table (what the package gives for them)."""
    days_off, make_up = _table()
    index = LANGUAGES.index(language)  # a ValueError for a language the table lacks
    return ({day: names[index] for day, names in days_off.items() if day.year in years},
            frozenset(day for day in make_up if day.year in years))


if __name__ == "__main__":  # pragma: no cover - run by hand after a change of the pin
    TABLE.write_text(table_text(), encoding="utf-8")
    print(f"written: {TABLE}")
