"""Reports drafted from the data (prefix "bc"): the button on a reporting duty's reminder
gives its reader the report that duty asks for, as an editable .docx.

For the office, the head and the members (anyone with a committee role, as ``/thongke``):
the figures of their committees over the duty's period (``workflow.report_documents``),
worded by ``reports.report_docx`` in the party or state layout, always in Vietnamese (the
office's records). Whoever holds no committee role is refused in one sentence. The
figures are computed afresh from the dossiers, so they agree with the desk.

Action: ``bc:y:<duty>:<year>[:<body>]``, the report of ``duty`` due in ``year``, issued by
``body`` (the body reminded) when it is one of the reader's committees.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from handlers import menu
from handlers.buttons import (
    ButtonData,
    ButtonDataError,
    DraftReport,
    Home,
    MyDeadlines,
)
from handlers.context import Turn
from handlers.flows.stats import for_a_committee
from handlers.i18n import Translator
from handlers.messages import Attachment, Button, rows
from reports.report_docx import DOCX, Issuer, Records, file_name, yearly_report
from workflow.dossier import Dossier
from workflow.quiet_hours import Days
from workflow.report_documents import (
    NotOwed,
    Occurrence,
    occurrence,
    plan_results,
    report_letterhead,
)
from workflow.reporting_duties import ReportingDuty
from workflow.statistics import Period

PREFIX = DraftReport.prefix
DOCUMENT_LANGUAGE = "vi"


def report_button(t: Translator, duty: str, year: int, body: str) -> Button:
    """The reminder's button; the body is left out when it would not fit a button."""
    try:
        data = DraftReport(duty, year, body or None)
    except ButtonDataError:  # too long for a button with the body
        data = DraftReport(duty, year)
    return Button(t("Draft the report (.docx)"), data)


class ReportDocsFlow:
    def __init__(self) -> None:
        self.name = "report_docs"
        self.prefix = PREFIX
        self.commands: dict[str, str] = {}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        self._explain(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._allowed(turn):
            return
        t = turn.t
        if not isinstance(data, DraftReport) or not 1000 <= data.year <= 9999:
            turn.say(t("That button is no longer valid. Here is where we are now."))
            await menu.show(turn)
            return
        duty = next((d for d in turn.services.duties if d.id == data.duty), None)
        if duty is None:
            turn.say(t("This reporting duty is no longer in the installation's list."),
                     _back(t))
            return
        year = data.year
        today = turn.services.clock.now().date()
        # The wired calendar is a ``WorkingDays``: it knows the days off.
        calendar = cast(Days, turn.services.calendar)
        try:
            found = occurrence(duty, year, today, calendar)
        except NotOwed as exc:
            turn.say(_not_owed(t, exc, duty, year), _back(t))
            return
        await self._send(turn, found, data.body or "")

    async def on_text(self, turn: Turn, text: str) -> None:
        self._explain(turn)

    async def on_attachments(self, turn: Turn) -> None:
        self._explain(turn)

    async def prompt(self, turn: Turn) -> None:
        self._explain(turn)

    # ------------------------------------------------------------------------------------

    def _explain(self, turn: Turn) -> None:
        t = turn.t
        turn.clear()
        turn.say(t("A reporting duty's report is drafted from its reminder: press “Draft the "
                   "report (.docx)” there. Your deadlines list the duties ahead."), _back(t))

    async def _send(self, turn: Turn, found: Occurrence, reminded: str) -> None:
        t, services = turn.t, turn.services
        reader = services.statistics
        assert turn.person is not None and reader is not None  # checked by _allowed
        today = services.clock.now().date()
        mine = [body for body, _name in await reader.committees_of(turn.person.id, today)]
        if not mine:
            turn.say(t("Statistics are only for the committee's office, its head and its "
                       "members; you hold no role at a committee."))
            return
        bodies = [reminded] if reminded in mine else mine
        period: Period = found.period
        stats = await reader.statistics(bodies, period, min(today, period.end))
        dossiers: dict[int, Dossier] = {}
        async with services.uow() as uow:  # read only
            for line in stats.plans:
                dossier = await uow.dossiers.get(line.dossier_id)
                if dossier is not None:
                    dossiers[dossier.id] = dossier
        chain = await services.directory.body_line(bodies[0])
        issuer = Issuer(report_letterhead(chain, turn.pack.id), chain[0].name if chain else "")
        doc = yearly_report(Translator(DOCUMENT_LANGUAGE), found, issuer,
                            Records(stats, plan_results(stats.plans, dossiers)))
        from documents.render import render, template_for  # python-docx: only when drafted

        content = render(doc, template_for(doc.layout, services.document_templates))
        name = file_name(doc, period.end, found.template)
        elsewhere = t("This app cannot receive files: the report (.docx) is on Telegram, in "
                      "the console, or with `cadrebot report yearly`.")
        turn.say(t("The draft of “{what}” for {body}, from the records: {plans} plans, figures "
                   "from {start} to {end}, due before {before}. The office completes it, "
                   "numbers it and has it signed.", what=found.duty.text("what", t.lang),
                   body=issuer.name or ", ".join(stats.scope), plans=len(stats.plans),
                   start=_day(t, period.start), end=_day(t, period.end),
                   before=_day(t, found.before)),
                 _back(t), files=(Attachment.made(name, content, DOCX, elsewhere=elsewhere),))

    async def _allowed(self, turn: Turn) -> bool:
        return await for_a_committee(turn, turn.t(
            "Reports are drafted for the committee's office, its head and its members; you "
            "hold no role at a committee."))


def _not_owed(t: Translator, exc: NotOwed, duty: ReportingDuty, year: int) -> str:
    what = duty.text("what", t.lang)
    if exc.reason == "once":
        return t("“{what}” is owed once, in {once}, not in {year}.", what=what, once=exc.year,
                 year=year)
    if exc.reason == "future":
        return t("The period of “{what}” due in {year} has not begun yet.", what=what,
                 year=year)
    return t("“{what}” is not owed in {year}: that date is outside the duty's period.",
             what=what, year=year)


def _day(t: Translator, value: date) -> str:
    return t.date(value, "dd/MM/yyyy")


def _back(t: Translator) -> tuple[tuple[Button, ...], ...]:
    return rows(Button(t("My deadlines"), MyDeadlines()), Button(t("Main menu"), Home()),
                per_row=2)
