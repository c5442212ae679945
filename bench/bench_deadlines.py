"""How many deadlines per second: the cached WorkingCalendar against naive approaches.

    .venv/bin/python bench/bench_deadlines.py [--count N] [--seed S]

Each run computes 30- and 60-working-day deadlines from random dates across 2024–2030:
  cached  - one WorkingCalendar (table built once, bisect per deadline);
  shared  - one ``holidays`` object reused, stepping day by day (its own get_nth_working_day);
  naive   - a fresh ``holidays`` object per deadline, stepping day by day.
It prints figures only, and checks that all three give the same due dates.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.calendar import WorkingCalendar

Case = tuple[date, int]


def cases(count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    first, span = date(2024, 1, 1), (date(2030, 12, 31) - date(2024, 1, 1)).days
    return [(first + timedelta(days=rng.randrange(span + 1)), rng.choice((30, 60)))
            for _ in range(count)]


def naive(start: date, n: int) -> date:
    # What a first implementation would do: build the table for each request.
    table = holidays.country_holidays("VN", years=range(start.year, start.year + 2))
    return table.get_nth_working_day(start, n)


def timed(label: str, compute: Callable[[date, int], date],
          work: list[Case]) -> tuple[float, list[date]]:
    began = time.perf_counter()
    results = [compute(start, n) for start, n in work]
    elapsed = time.perf_counter() - began
    rate = len(work) / elapsed
    print(f"{label:<8} {len(work):>7} deadlines in {elapsed:7.3f} s = {rate:>12,.0f} per second")
    return rate, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000,
                        help="deadlines for the cached calendar (default 20000)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = cases(args.count, args.seed)
    # The slow approaches get a slice, so one run stays within a few seconds.
    few = work[: max(args.count // 20, 50)]

    holidays.country_holidays("VN", years=2000)  # one-off package warm-up (gettext, tables)
    calendar = WorkingCalendar()
    began = time.perf_counter()
    calendar.is_working_day(date(2024, 1, 1))
    calendar.add_working_days(date(2030, 12, 31), 60)
    print(f"table build, then one widening ({calendar.covered_years}): "
          f"{(time.perf_counter() - began) * 1000:.1f} ms, once")

    cached_rate, cached = timed("cached", calendar.add_working_days, work)
    shared_table = holidays.country_holidays("VN", years=range(2023, 2033))
    shared_rate, shared = timed("shared", shared_table.get_nth_working_day, few)
    naive_rate, slow = timed("naive", naive, few)

    agree = cached[: len(few)] == shared == slow
    print(f"cached / naive  = {cached_rate / naive_rate:,.0f}x")
    print(f"cached / shared = {cached_rate / shared_rate:,.0f}x")
    print(f"same due dates: {'yes' if agree else 'NO'}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
