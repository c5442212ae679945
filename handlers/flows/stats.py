"""Statistics (prefix "tk"): ``/thongke`` (``/stats``) for the people of a committee.

For the office, the head and the members (anyone with a committee role): the figures
of their committees and the bodies under them over a period chosen with buttons (this
year, the last 12 months, last year; ``/thongke 2025`` a given year), as a few lines, two
charts (PNG) and the full tables (.xlsx). Whoever holds no committee role is refused in
one sentence. The figures are computed afresh from the dossiers on every request
(``storage.statistics``), so they agree with the desk.

Actions: ``tk:y`` this year, ``tk:12`` the last 12 months, ``tk:ly`` last year,
``tk:n:<year>`` a given year, ``tk:x`` back to the menu.
"""

from __future__ import annotations

import re

from handlers import menu
from handlers.buttons import (
    ButtonData,
    StatsDone,
    StatsLast12Months,
    StatsLastYear,
    StatsThisYear,
    StatsYear,
)
from handlers.context import Turn
from handlers.i18n import Translator
from handlers.messages import Attachment, Button, rows
from reports.summary import summary_lines
from workflow.statistics import Period, Statistics

PREFIX = StatsYear.prefix
_YEAR = re.compile(r"(20[0-9]{2})")


class StatsFlow:
    def __init__(self) -> None:
        self.name = "stats"
        self.prefix = PREFIX
        self.commands = {"thongke": "", "stats": ""}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if not await self._allowed(turn):
            return
        year = _YEAR.fullmatch(argument.strip())
        if year and 2000 <= int(year.group(1)) <= turn.services.clock.now().year:
            await self._show(turn, Period.year(int(year.group(1))))
        else:
            self._choose(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._allowed(turn):
            return
        today = turn.services.clock.now().date()
        if isinstance(data, StatsDone):
            await menu.show(turn)
        elif isinstance(data, StatsThisYear):
            await self._show(turn, Period.year(today.year))
        elif isinstance(data, StatsLast12Months):
            await self._show(turn, Period.last_12_months(today))
        elif isinstance(data, StatsLastYear):
            await self._show(turn, Period.year(today.year - 1))
        elif isinstance(data, StatsYear) and 2000 <= data.year <= today.year:
            await self._show(turn, Period.year(data.year))
        else:
            turn.say(turn.t("That button is no longer valid. Here is where we are now."))
            self._choose(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self.start(turn, text)

    async def on_attachments(self, turn: Turn) -> None:
        self._choose(turn)

    async def prompt(self, turn: Turn) -> None:
        self._choose(turn)

    # ------------------------------------------------------------------------------------

    def _choose(self, turn: Turn) -> None:
        t = turn.t
        turn.say(t("Statistics of the plans: which period?"), _periods(t))

    async def _show(self, turn: Turn, period: Period) -> None:
        assert turn.person is not None and turn.services.statistics is not None
        t = turn.t
        reader = turn.services.statistics
        today = turn.services.clock.now().date()
        bodies = [body for body, _name in await reader.committees_of(turn.person.id, today)]
        stats = await reader.statistics(bodies, period, min(today, period.end))
        turn.say("\n".join(summary_lines(t, stats)), _periods(t), files=_files(turn, stats))

    async def _allowed(self, turn: Turn) -> bool:
        return await for_a_committee(turn, turn.t(
            "Statistics are only for the committee's office, its head and its members; you "
            "hold no role at a committee."))


async def for_a_committee(turn: Turn, refusal: str) -> bool:
    """Whether the figures may be shown to this person (someone with a committee role);
    otherwise they are told why (``refusal``: to someone linked without such a role)."""
    t = turn.t
    if turn.services.statistics is None:
        turn.say(t("Statistics are not available in this installation."))
        return False
    if turn.person is None:
        menu.ask_to_link(turn, t(
            "Statistics are for the people of a committee: please link your account "
            "first with the invitation code your committee's office gave you."))
        return False
    if not await turn.services.directory.has_committee_role(turn.person.id):
        turn.say(refusal)
        return False
    return True


def _files(turn: Turn, stats: Statistics) -> tuple[Attachment, ...]:
    """The charts and the workbook (drawn here, only when asked: matplotlib is slow to
    import, and most conversations never need it)."""
    from reports.charts import PNG, outcomes_chart, timeliness_chart
    from reports.xlsx import XLSX, workbook

    t = turn.t
    elsewhere = t("This app cannot receive files: the charts and the table (.xlsx) are on "
                  "Telegram, in the console, or with `cadrebot report stats`.")
    stem = f"thong-ke-{stats.period.start:%Y%m%d}-{stats.period.end:%Y%m%d}"
    files = []
    if stats.figure("filed"):
        files += [Attachment.made(f"{stem}-ket-qua.png", outcomes_chart(t, stats), PNG,
                                  elsewhere=elsewhere),
                  Attachment.made(f"{stem}-thoi-han.png", timeliness_chart(t, stats), PNG,
                                  elsewhere=elsewhere)]
    files.append(Attachment.made(f"{stem}.xlsx", workbook(t, stats, t.lang), XLSX,
                                 elsewhere=elsewhere))
    return tuple(files)


def _periods(t: Translator) -> tuple[tuple[Button, ...], ...]:
    return rows(Button(t("This year"), StatsThisYear()),
                Button(t("Last 12 months"), StatsLast12Months()),
                Button(t("Last year"), StatsLastYear()),
                Button(t("Main menu"), StatsDone()), per_row=3)
