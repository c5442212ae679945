"""/deadlines (/hanchot): a person's own deadlines, soonest first, each with a button.

As a proposer: the written answer each of their dossiers awaits and the progress
reports they owe. At the committee: the written answers their office or head must send,
dossiers waiting to be registered, the cell's opinion, appraisals and legal-risk reviews
assigned to them, votes closing that they have not cast, reports owed at once, the
evaluation after completion, and the recurring reports their body owes (seed 002, the
party rules), each only inside its period and while the body's kind is a body of the
rules in force on its date for the installation's place. The office sees every open
dossier of its body with a deadline here, and the desk's overview of all of them
(``k:o``) is one button away.

The dates come from ``workflow.deadlines`` (the same ones the reminders keep); the
data from the ports, read only. Action (prefix "h"): ``h:l`` the list again, ``h:l:<n>``
its n-th page (``desk_pages``: ten deadlines a page).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import cast

from handlers import menu
from handlers.buttons import (
    ButtonData,
    Home,
    MyDeadlines,
    OpenDossier,
    OpenOverview,
    OpenOwnDossier,
)
from handlers.context import Turn
from handlers.flows import desk_pages as pages
from handlers.flows.desk import desk_reader
from handlers.flows.dossier_view import Names, answer_days, names_for, shorten, title_of
from handlers.i18n import Translator
from handlers.messages import Button
from workflow.actors import Role
from workflow.calendar import WorkingDays
from workflow.deadlines import (
    COMMITTEE,
    Deadline,
    DeadlineKind,
    by_date,
    dossier_deadlines,
    duty_deadlines,
)
from workflow.dossier import Dossier
from workflow.lifecycle import STATE_LABELS, State
from workflow.obligations import OBLIGATION_LABELS
from workflow.quiet_hours import VIETNAM
from workflow.reporting_duties import kinds_in_force

PREFIX = MyDeadlines.prefix


class DeadlinesFlow:
    def __init__(self) -> None:
        self.name = "deadlines"
        self.prefix = PREFIX
        self.commands = {"deadlines": "", "hanchot": ""}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        await self._show(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not isinstance(data, MyDeadlines):
            turn.say(turn.t("That button is no longer valid. Here is where we are now."))
            data = MyDeadlines()
        await self._show(turn, data.page)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self._show(turn)

    async def on_attachments(self, turn: Turn) -> None:
        await self._show(turn)

    async def prompt(self, turn: Turn) -> None:
        await self._show(turn)

    async def _show(self, turn: Turn, page: int | None = None) -> None:
        if turn.conversation.flow == self.name:
            turn.clear()
        t = turn.t
        if turn.person is None:
            menu.ask_to_link(turn, t(
                "To see your deadlines, please link your account first with the "
                "invitation code your committee's office gave you."))
            return
        items, dossiers, roles = await _collect(turn)
        actor = await turn.actor()
        extra: list[tuple[Button, ...]] = []
        if actor.bodies_with(Role.OFFICE):
            extra.append((Button(t("All open dossiers by due date"), OpenOverview()),))
        extra.append((Button(t("Main menu"), Home()),))
        if not items:
            turn.say(t("You have no deadlines at the moment."), tuple(extra))
            return
        shown = await pages.fetch(turn, page, pages.in_memory(items))
        on_page = {i.dossier_id: dossiers[i.dossier_id] for i in shown.items if i.dossier_id}
        names = await _names(turn, list(on_page.values()), shown.items)
        today = turn.services.clock.now().astimezone(VIETNAM).date()
        calendar = _calendar(turn)
        lines = [t.plural("You have {count} deadline, soonest first — page {page}/{pages}:",
                          "You have {count} deadlines, soonest first — page {page}/{pages}:",
                          shown.total, count=shown.counted, page=shown.page,
                          pages=shown.pages) if shown.paged else
                 t.plural("You have {n} deadline, soonest first:",
                          "You have {n} deadlines, soonest first:", shown.total)]
        for item in shown.items:
            dossier = dossiers.get(item.dossier_id or 0)
            lines.append("• " + t("{when}: {what}", when=when_text(item, today, calendar, t),
                                  what=what_text(item, dossier, names, turn)))
        keys: list[tuple[Button, ...]] = []
        for dossier_id, dossier in on_page.items():
            view = (OpenOwnDossier(dossier_id) if Role.PROPOSER in roles[dossier_id]
                    else OpenDossier(dossier_id))
            keys.append((Button(f"{dossier_id}. {shorten(title_of(dossier, t), 40)}", view),))
        turn.say("\n".join(lines), (*keys, *pages.nav_row(t, shown, MyDeadlines), *extra))


async def _names(turn: Turn, dossiers: list[Dossier], items: list[Deadline]) -> Names:
    """Body names of the dossiers and of the bodies owing reports; proposers' names."""
    directory = turn.services.directory
    names = await names_for(turn, dossiers)
    duty_bodies = sorted({i.body for i in items if i.body})
    bodies = await directory.body_names(duty_bodies) if duty_bodies else {}
    people = await desk_reader(turn).person_names({d.proposer for d in dossiers})
    return replace(names, bodies={**names.bodies, **bodies}, people=people)


def _calendar(turn: Turn) -> WorkingDays:
    # The handlers' Calendar port is typed loosely; the wired calendar is a WorkingCalendar.
    return cast(WorkingDays, turn.services.calendar)


async def _collect(turn: Turn) -> tuple[list[Deadline], dict[int, Dossier],
                                        dict[int, frozenset[Role]]]:
    """The person's deadlines by date, the dossiers they concern and the person's roles."""
    assert turn.person is not None
    services, person = turn.services, turn.person.id
    actor = await turn.actor()
    calendar = _calendar(turn)
    involving = await desk_reader(turn).involving(actor, proposed=True)
    involved = involving.dossiers
    # The person's own filings first, newest first; then the others by id.
    candidates: dict[int, Dossier] = {d.id: d for d in sorted(
        involved, key=lambda d: (0, -d.id) if d.proposer == person else (1, d.id))}
    items: list[Deadline] = []
    dossiers: dict[int, Dossier] = {}
    roles: dict[int, frozenset[Role]] = {}
    # The roles as the rows that selected the dossiers give them (``Dossier.roles_of``
    # without ADMIN, which has no deadline): no walk over every grant for every dossier.
    parts = {i: held for i in candidates if (held := involving.roles[i])}
    # The open vote a member may still owe, and the duties the office or head sees: read
    # in one go for all the person's dossiers.
    ballots, duties = await desk_reader(turn).deadline_inputs(
        [d.ballot_ids[-1] for d in candidates.values() if d.id in parts
         and d.state is State.BALLOT_OPEN and d.ballot_ids and Role.MEMBER in parts[d.id]],
        [i for i, held in parts.items() if held & COMMITTEE])
    for dossier in candidates.values():
        if dossier.id not in parts:
            continue
        part = parts[dossier.id]
        ballot = (ballots.get(dossier.ballot_ids[-1])
                  if dossier.state is State.BALLOT_OPEN and dossier.ballot_ids
                  and Role.MEMBER in part else None)
        found = dossier_deadlines(dossier, part, person, calendar, ballot,
                                  duties.get(dossier.id, []))
        if found:
            items.extend(found)
            dossiers[dossier.id], roles[dossier.id] = dossier, part
    # A duty's office and head as its reminders find them (storage/outbox.py): the office
    # members, and the head or the secretary (a secretary membership grants no HEAD here).
    duty_roles = {Role.OFFICE: actor.bodies_with(Role.OFFICE),
                  Role.HEAD: actor.bodies_with(Role.HEAD) | actor.bodies_with(
                      Role.CELL_SECRETARY)}
    bodies = {b for held in duty_roles.values() for b in held if b}
    if bodies and services.duties:
        kinds = await services.directory.body_kinds(sorted(bodies))
        held_on = {body: (kind, frozenset(r for r, held in duty_roles.items() if body in held))
                   for body, kind in kinds.items()}
        today = services.clock.now().astimezone(VIETNAM).date()
        items.extend(duty_deadlines(services.duties, held_on, today, calendar,
                                    kinds_in_force(services.rulebook, services.jurisdiction)))
    return by_date(items), dossiers, roles


def when_text(item: Deadline, today: date, calendar: WorkingDays, t: Translator) -> str:
    """The date with how many working days are left (or how many it is overdue)."""
    due = item.due_on
    if due is None:
        return t("no deadline yet")
    day = t.date(due)
    if item.closes_at is not None:
        day = t("{time} on {date}", time=item.closes_at.astimezone(VIETNAM).strftime("%H:%M"),
                date=day)
    if today < due:
        left = calendar.working_days_between(today, due)
        return t.plural("{date} ({n} working day left)", "{date} ({n} working days left)",
                        left, date=day)
    if today == due:
        return t("{date} (today)", date=day)
    late = calendar.working_days_between(due, today)
    if late <= 0:
        return t("{date} (overdue)", date=day)
    return t.plural("{date} (overdue by {n} working day)", "{date} (overdue by {n} working days)",
                    late, date=day)


def what_text(item: Deadline, dossier: Dossier | None, names: Names, turn: Turn) -> str:
    """What is due, and on which dossier or for which body."""
    t = turn.t
    kind = item.kind
    if kind is DeadlineKind.REPORTING_DUTY and item.duty is not None:
        duty = item.duty
        body = names.bodies.get(item.body or "", item.body or "")
        return t("{body}: {what}, to {to}", body=body, what=duty.text("what", t.lang),
                 to=duty.text("to", t.lang))
    if dossier is None:
        return ""
    i, title = dossier.id, shorten(title_of(dossier, t), 80)
    proposer = names.person(dossier.proposer)
    if kind is DeadlineKind.ANSWER:
        return t("the written answer on dossier no. {id} “{title}” from {proposer} ({state})",
                 id=i, title=title, proposer=proposer, state=t(STATE_LABELS[dossier.state]))
    if kind is DeadlineKind.ANSWER_AWAITED:
        return t("the committee's written answer on your plan “{title}” (dossier no. {id})",
                 id=i, title=title)
    if kind is DeadlineKind.REGISTRATION:
        return t("register dossier no. {id} “{title}” from {proposer}; the {days}-working-day "
                 "clock starts when it is registered", id=i, title=title, proposer=proposer,
                 days=answer_days(dossier))
    if kind is DeadlineKind.CELL_REVIEW:
        return t("the party cell's opinion on dossier no. {id} “{title}” from {proposer}",
                 id=i, title=title, proposer=proposer)
    if kind is DeadlineKind.APPRAISAL and item.by_answer:
        return t("your appraisal of dossier no. {id} “{title}” (before the written answer is "
                 "due)", id=i, title=title)
    if kind is DeadlineKind.APPRAISAL:
        return t("your appraisal of dossier no. {id} “{title}”", id=i, title=title)
    if kind is DeadlineKind.LEGAL_REVIEW and item.by_answer:
        return t("your legal-risk review of dossier no. {id} “{title}” (before the written "
                 "answer is due)", id=i, title=title)
    if kind is DeadlineKind.LEGAL_REVIEW:
        return t("your legal-risk review of dossier no. {id} “{title}”", id=i, title=title)
    if kind is DeadlineKind.BALLOT:
        return t("your vote on dossier no. {id} “{title}” (the vote closes then)", id=i,
                 title=title)
    if kind is DeadlineKind.OBLIGATION and item.obligation is not None:
        return t("on dossier no. {id} “{title}”: {duty} (owed at once)", id=i, title=title,
                 duty=t(OBLIGATION_LABELS[item.obligation.kind]))
    if kind is DeadlineKind.PROGRESS_REPORT:
        return t("your progress report on “{title}” (dossier no. {id}; every {every} working "
                 "days)", id=i, title=title, every=item.every or "")
    if kind is DeadlineKind.EVALUATION:
        return t("the evaluation of the results of dossier no. {id} “{title}”", id=i,
                 title=title)
    return t("dossier no. {id} “{title}”", id=i, title=title)
