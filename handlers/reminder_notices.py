"""Reminders rendered for their reader: what is due, by when, for which dossier, and the
button that does it.

The dispatcher's payload is ``{"reminder": kind, "dossier_id", "about", "due_at",
"collapsed"}`` (``storage.dispatcher``). Everything that can have changed since the
reminder was planned is read again now: the due date, whether the vote is still open,
whether the report was filed, how many working days are left or overdue today. So a
reminder sent late after a downtime (several overdue mornings collapsed into one
message) says how late it is *now*; one whose cause has gone away says so instead of
asking for a step that no longer applies. The buttons are the dossier's current ones
for the reader's roles (``desk_view.buttons``), as in ``handlers.notifications``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any

from handlers.buttons import DutyDone, MyDeadlines, OpenDossier, OpenOwnDossier
from handlers.context import Services
from handlers.flows.desk_view import buttons
from handlers.flows.dossier_view import Names, holder, notice_names, shorten, title_of
from handlers.flows.report_docs import report_button
from handlers.i18n import Translator
from handlers.messages import Button, Reply
from handlers.ports import PersonInfo
from workflow.actors import Role
from workflow.deadlines import ANSWER_PENDING, COMMITTEE
from workflow.dossier import Dossier
from workflow.lifecycle import STATE_LABELS, State
from workflow.obligations import OBLIGATION_LABELS, Obligation, ObligationKind
from workflow.quiet_hours import VIETNAM
from workflow.reminders import ReminderKind
from workflow.voting import Ballot

ANSWER_KINDS = frozenset({ReminderKind.ANSWER_SOON, ReminderKind.ANSWER_DUE,
                          ReminderKind.ANSWER_OVERDUE, ReminderKind.ANSWER_ESCALATED})


class ReminderContext:
    """What one reminder's text is made of, read once: the dossier as it stands now, the
    reminder's own data (``about``), the ballot or obligation it names and the reader."""

    def __init__(self, services: Services, t: Translator, dossier: Dossier, names: Names,
                 about: dict[str, Any], payload: Mapping[str, Any], person: str = "",
                 ballot: Ballot | None = None, obligation: Obligation | None = None) -> None:
        self.services, self.t, self.dossier, self.names = services, t, dossier, names
        self.about, self.payload = about, payload
        self.person, self.ballot, self.obligation = person, ballot, obligation
        self.now = services.clock.now().astimezone(VIETNAM)
        self.today = self.now.date()
        self.title = shorten(title_of(dossier, t), 120)
        self.proposer = names.person(dossier.proposer)
        self.for_proposer = person in dossier.proposers  # "with you" only to the proposer

    def working_days(self, start: date, end: date) -> int:
        return self.services.calendar.working_days_between(start, end)

    def day(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            return None

    def due_day(self) -> date:
        """The day the reminder was for (its delivery time), in Vietnam."""
        try:
            return datetime.fromisoformat(str(self.payload.get("due_at"))).astimezone(
                VIETNAM).date()
        except ValueError:
            return self.today


async def render(services: Services, person: PersonInfo, payload: Mapping[str, Any]) -> Reply:
    """The message for ``person`` about one reminder payload of the dispatcher."""
    t = Translator(person.language)
    about: dict[str, Any] = dict(payload.get("about") or {})
    try:
        kind: ReminderKind | None = ReminderKind(str(payload.get("reminder", "")))
    except ValueError:
        kind = None
    if kind in BODY_REMINDERS:
        return await BODY_REMINDERS[kind](services, person, t, about)
    ballot: Ballot | None = None
    obligation: Obligation | None = None
    async with services.uow() as uow:  # read only
        dossier = await uow.dossiers.get(int(payload.get("dossier_id") or 0))
        if dossier is not None and str(about.get("ballot_id", "")).isdigit():
            ballot = await uow.ballots.get(int(about["ballot_id"]))
        if dossier is not None and str(about.get("obligation_id", "")).isdigit():
            obligation = await uow.obligations.get(int(about["obligation_id"]))
    if dossier is None:
        return Reply(t("A reminder about a dossier that no longer exists."))
    names = await notice_names(services, dossier, person.language)
    ctx = ReminderContext(services, t, dossier, names, about, payload, person.id, ballot,
                          obligation)
    roles = dossier.roles_of(await services.directory.actor(person.id))
    text = text_of(kind, ctx)
    keys: list[tuple[Button, ...]] = list(buttons(dossier, roles, t))
    if (kind is ReminderKind.OBLIGATION_DUE and obligation is not None and obligation.is_open
            and roles & COMMITTEE):
        keys.append((Button(t("Mark the report as done"),
                            DutyDone(obligation.id, obligation.version)),))
    if Role.PROPOSER in roles:
        keys.append((Button(t("Open my dossier"), OpenOwnDossier(dossier.id)),))
    elif roles:
        keys.append((Button(t("Open the dossier"), OpenDossier(dossier.id)),))
    keys.append((Button(t("My deadlines"), MyDeadlines()),))
    return Reply(text, tuple(keys))


def text_of(kind: ReminderKind | None, ctx: ReminderContext) -> str:
    """What a reminder of ``kind`` about a dossier says (a kind this code does not know,
    from a newer or older version, says where the dossier stands)."""
    if kind is not None and kind in DOSSIER_REMINDERS:
        return DOSSIER_REMINDERS[kind](kind, ctx)
    t, d = ctx.t, ctx.dossier
    return t("Reminder about dossier no. {id} “{title}”: {state}; {holder}.", id=d.id,
             title=ctx.title, state=t(STATE_LABELS[d.state]),
             holder=holder(d, ctx.names, t, ctx.for_proposer))


def _answer(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d, today = ctx.t, ctx.dossier, ctx.today
    due = d.due_on
    if due is None or d.state not in ANSWER_PENDING or d.answer_reference:
        return t("Dossier no. {id} “{title}”: no written answer is due any more ({state}).",
                 id=d.id, title=ctx.title, state=t(STATE_LABELS[d.state]))
    when = t.date(due)
    where = t("State: {state}; {holder}.", state=t(STATE_LABELS[d.state]),
              holder=holder(d, ctx.names, t, ctx.for_proposer))
    if kind is ReminderKind.ANSWER_ESCALATED:
        late = max(ctx.working_days(due, today), 0)
        body = ctx.names.body(d, d.route.competent_body)
        return t.plural(
            "For your attention as the direct superior: the written answer of {body} on "
            "dossier no. {id} “{title}” from {proposer} was due on {date} and is overdue by "
            "{n} working day. {where}",
            "For your attention as the direct superior: the written answer of {body} on "
            "dossier no. {id} “{title}” from {proposer} was due on {date} and is overdue by "
            "{n} working days. {where}", late, body=body, id=d.id, title=ctx.title,
            proposer=ctx.proposer, date=when, where=where)
    if today < due:
        left = ctx.working_days(today, due)
        return t.plural(
            "Reminder: the written answer on dossier no. {id} “{title}” from {proposer} is "
            "due on {date}: {n} working day left. {where}",
            "Reminder: the written answer on dossier no. {id} “{title}” from {proposer} is "
            "due on {date}: {n} working days left. {where}", left, id=d.id, title=ctx.title,
            proposer=ctx.proposer, date=when, where=where)
    if today == due:
        return t("Due today: the written answer on dossier no. {id} “{title}” from {proposer} "
                 "must be sent today, {date}. {where}", id=d.id, title=ctx.title,
                 proposer=ctx.proposer, date=when, where=where)
    late = ctx.working_days(due, today)
    if late <= 0:  # a day off right after the due date: past, no working day lost yet
        return t("Overdue: the written answer on dossier no. {id} “{title}” from {proposer} "
                 "was due on {date}. {where}", id=d.id, title=ctx.title,
                 proposer=ctx.proposer, date=when, where=where)
    return t.plural(
        "Overdue: the written answer on dossier no. {id} “{title}” from {proposer} was due on "
        "{date}; it is overdue by {n} working day. {where}",
        "Overdue: the written answer on dossier no. {id} “{title}” from {proposer} was due on "
        "{date}; it is overdue by {n} working days. {where}", late, id=d.id, title=ctx.title,
        proposer=ctx.proposer, date=when, where=where)


def _ballot(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d, ballot, person = ctx.t, ctx.dossier, ctx.ballot, ctx.person
    if ballot is None or not ballot.is_open or d.state is not State.BALLOT_OPEN:
        return t("The vote on dossier no. {id} “{title}” is closed; nothing is needed from "
                 "you.", id=d.id, title=ctx.title)
    if person not in ballot.pending_voters():
        return t("You have voted on dossier no. {id} “{title}”; you may change your vote until "
                 "the vote closes.", id=d.id, title=ctx.title)
    closes = ballot.closes_at.astimezone(VIETNAM) if ballot.closes_at else None
    if closes is None:
        return t("Please vote on dossier no. {id} “{title}” from {proposer}: you have not "
                 "voted yet.", id=d.id, title=ctx.title, proposer=ctx.proposer)
    hours = max(int((closes - ctx.now).total_seconds() // 3600), 0)
    left = (t.plural("about {n} hour left", "about {n} hours left", hours) if hours
            else t("less than an hour left"))
    return t("Please vote: the vote on dossier no. {id} “{title}” from {proposer} closes at "
             "{time} on {date} ({left}), and you have not voted yet.", id=d.id,
             title=ctx.title, proposer=ctx.proposer, time=closes.strftime("%H:%M"),
             date=t.date(closes.date()), left=left)


def _cell(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d = ctx.t, ctx.dossier
    if d.state is not State.AT_CELL:
        return t("Dossier no. {id} “{title}”: the party cell's opinion is no longer awaited "
                 "({state}).", id=d.id, title=ctx.title, state=t(STATE_LABELS[d.state]))
    sent = ctx.day(ctx.about.get("submitted_on")) or ctx.today
    waited = max(ctx.working_days(sent, ctx.today), 0)
    limit = int(ctx.about.get("working_days") or 5)
    return t.plural(
        "Dossier no. {id} “{title}” from {proposer} has waited for the party cell's opinion "
        "since {date}: {n} working day, more than the {limit} expected. Please agree to send "
        "it up, or return it with reasons.",
        "Dossier no. {id} “{title}” from {proposer} has waited for the party cell's opinion "
        "since {date}: {n} working days, more than the {limit} expected. Please agree to send "
        "it up, or return it with reasons.", waited, id=d.id, title=ctx.title,
        proposer=ctx.proposer, date=t.date(sent), limit=limit)


def _obligation(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d, obligation = ctx.t, ctx.dossier, ctx.obligation
    try:
        duty = t(OBLIGATION_LABELS[ObligationKind(str(ctx.about.get("obligation", "")))])
    except ValueError:
        duty = str(ctx.about.get("obligation", ""))
    if obligation is not None and not obligation.is_open:
        return t("Dossier no. {id} “{title}”: the duty to {duty} is already done.", id=d.id,
                 title=ctx.title, duty=duty)
    since = (obligation.due_on or obligation.created_at.astimezone(VIETNAM).date()
             if obligation is not None else ctx.today)
    late = max(ctx.working_days(since, ctx.today), 0)
    return t.plural(
        "Still not done: on dossier no. {id} “{title}”, the duty to {duty}, owed since {date} "
        "({n} working day ago). When the report has been sent, mark it as done with its "
        "number.",
        "Still not done: on dossier no. {id} “{title}”, the duty to {duty}, owed since {date} "
        "({n} working days ago). When the report has been sent, mark it as done with its "
        "number.", late, id=d.id, title=ctx.title, duty=duty, date=t.date(since))


def _progress(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d = ctx.t, ctx.dossier
    if d.state is not State.IMPLEMENTING:
        return t("Your plan “{title}” (dossier no. {id}): no progress report is due any more "
                 "({state}).", id=d.id, title=ctx.title, state=t(STATE_LABELS[d.state]))
    due = ctx.due_day()
    every = ctx.about.get("every") or ""
    since = ctx.day(ctx.about.get("since"))
    since_text = t.date(since) if since else "-"
    late = ctx.working_days(due, ctx.today) if ctx.today > due else 0
    if ctx.today == due:
        return t("Your plan “{title}” (dossier no. {id}): a progress report is due today, "
                 "{date} (every {every} working days, counted from {since}). Please report "
                 "what has been done, the results and any difficulty.", id=d.id,
                 title=ctx.title, date=t.date(due), every=every, since=since_text)
    if late <= 0:
        return t("Your plan “{title}” (dossier no. {id}): a progress report is due on {date} "
                 "(every {every} working days, counted from {since}). Please report what has "
                 "been done, the results and any difficulty.", id=d.id, title=ctx.title,
                 date=t.date(due), every=every, since=since_text)
    return t.plural(
        "Your plan “{title}” (dossier no. {id}): the progress report due on {date} is overdue "
        "by {n} working day (every {every} working days, counted from {since}). Please report "
        "what has been done, the results and any difficulty.",
        "Your plan “{title}” (dossier no. {id}): the progress report due on {date} is overdue "
        "by {n} working days (every {every} working days, counted from {since}). Please report "
        "what has been done, the results and any difficulty.", late, id=d.id,
        title=ctx.title, date=t.date(due), every=every, since=since_text)


def _task(kind: ReminderKind, ctx: ReminderContext) -> str:
    """An appraiser's report, or a legal reviewer's advice, due or late."""
    t, d, today, person = ctx.t, ctx.dossier, ctx.today, ctx.person
    if kind is ReminderKind.APPRAISAL_DUE:
        task = t("appraisal report")
        waiting = (d.state is State.APPRAISAL_ASSIGNED and d.appraisal is None
                   and person in d.appraisers)
        due = d.appraisal_due_on
    else:
        task = t("legal-risk advice")
        waiting = (d.state is State.LEGAL_REVIEW_ASSIGNED and d.legal_review is None
                   and person in d.legal_reviewers)
        due = d.legal_review_due_on
    due = due or ctx.day(ctx.about.get("due_on"))
    if not waiting or due is None:
        return t("Dossier no. {id} “{title}”: your {task} is no longer awaited ({state}).",
                 id=d.id, title=ctx.title, task=task, state=t(STATE_LABELS[d.state]))
    answer = t.date(d.due_on) if d.due_on else "-"
    if today < due:
        return t.plural(
            "Reminder: your {task} on dossier no. {id} “{title}” from {proposer} is due on "
            "{date}: {n} working day left. The written answer is due on {answer}.",
            "Reminder: your {task} on dossier no. {id} “{title}” from {proposer} is due on "
            "{date}: {n} working days left. The written answer is due on {answer}.",
            ctx.working_days(today, due), task=task, id=d.id, title=ctx.title,
            proposer=ctx.proposer, date=t.date(due), answer=answer)
    if today == due:
        return t("Due today: your {task} on dossier no. {id} “{title}” from {proposer}, "
                 "{date}. The written answer is due on {answer}.", task=task, id=d.id,
                 title=ctx.title, proposer=ctx.proposer, date=t.date(due), answer=answer)
    late = max(ctx.working_days(due, today), 1)
    return t.plural(
        "Overdue: your {task} on dossier no. {id} “{title}” from {proposer} was due on {date}; "
        "it is overdue by {n} working day. The written answer is due on {answer}.",
        "Overdue: your {task} on dossier no. {id} “{title}” from {proposer} was due on {date}; "
        "it is overdue by {n} working days. The written answer is due on {answer}.",
        late, task=task, id=d.id, title=ctx.title, proposer=ctx.proposer, date=t.date(due),
        answer=answer)


def _evaluation(kind: ReminderKind, ctx: ReminderContext) -> str:
    t, d = ctx.t, ctx.dossier
    if d.state not in (State.COMPLETED, State.EVALUATION_OPEN):
        return t("Dossier no. {id} “{title}”: no evaluation is awaited any more ({state}).",
                 id=d.id, title=ctx.title, state=t(STATE_LABELS[d.state]))
    done = ctx.day(ctx.about.get("completed_on")) or ctx.today
    waited = max(ctx.working_days(done, ctx.today), 0)
    return t.plural(
        "Dossier no. {id} “{title}”: {proposer} reported its completion on {date}, {n} working "
        "day ago. The collective should evaluate the results and decide on any encouragement "
        "(887, Article 5).",
        "Dossier no. {id} “{title}”: {proposer} reported its completion on {date}, {n} working "
        "days ago. The collective should evaluate the results and decide on any encouragement "
        "(887, Article 5).", waited, id=d.id, title=ctx.title, proposer=ctx.proposer,
        date=t.date(done))


async def _duty(services: Services, person: PersonInfo, t: Translator,
                about: dict[str, Any]) -> Reply:
    """A recurring report (seed 002): the texts travel in the reminder itself."""
    lang = t.lang
    what = str(about.get(f"what_{lang}") or about.get("what_vi") or about.get("duty", ""))
    to = str(about.get(f"to_{lang}") or about.get("to_vi") or "")
    body_id = str(about.get("body", ""))
    body = (await services.directory.body_names([body_id])).get(body_id, body_id) \
        if body_id else ""
    today = services.clock.now().astimezone(VIETNAM).date()
    try:
        due = date.fromisoformat(str(about.get("due_on")))
        before = date.fromisoformat(str(about.get("before")))
    except ValueError:
        return Reply(t("Reminder for {body}: {what}, to {to}.", body=body, what=what, to=to),
                     ((Button(t("My deadlines"), MyDeadlines()),),))
    calendar = services.calendar
    if today < due:
        left = calendar.working_days_between(today, due)
        text = t.plural(
            "Reminder for {body}: {what}, to {to}. It must be in before {before}, so the last "
            "working day to send it is {date}: {n} working day left.",
            "Reminder for {body}: {what}, to {to}. It must be in before {before}, so the last "
            "working day to send it is {date}: {n} working days left.", left, body=body,
            what=what, to=to, before=t.date(before), date=t.date(due))
    elif today == due:
        text = t("Due today: {what}, to {to}, for {body}. It must be in before {before}; "
                 "today, {date}, is the last working day to send it.", body=body, what=what,
                 to=to, before=t.date(before), date=t.date(due))
    else:
        late = max(calendar.working_days_between(due, today), 0)
        text = t.plural(
            "Overdue: {what}, to {to}, for {body}, had to be in before {before}; it is overdue "
            "by {n} working day.",
            "Overdue: {what}, to {to}, for {body}, had to be in before {before}; it is overdue "
            "by {n} working days.", late, body=body, what=what, to=to, before=t.date(before))
    source = str(about.get("source") or "")
    if source:
        text = "\n".join([text, t("Source: {source}.", source=source)])
    keys: list[tuple[Button, ...]] = []
    duty_id = str(about.get("duty", ""))
    # The report drafted from the records, for the committee's people (as /thongke).
    if (services.statistics is not None and duty_id
            and await services.directory.has_committee_role(person.id)):
        keys.append((report_button(t, duty_id, before.year, body_id),))
    keys.append((Button(t("My deadlines"), MyDeadlines()),))
    return Reply(text, tuple(keys))


# Each reminder kind's text. About a dossier: ``(kind, context) -> str``, the buttons
# added by ``render``; about a body (no dossier): the whole reply, read by itself.
ReminderText = Callable[[ReminderKind, ReminderContext], str]
BodyReminder = Callable[[Services, PersonInfo, Translator, dict[str, Any]], Awaitable[Reply]]
DOSSIER_REMINDERS: dict[ReminderKind, ReminderText] = {
    **dict.fromkeys(ANSWER_KINDS, _answer),
    ReminderKind.BALLOT_CLOSING: _ballot,
    ReminderKind.CELL_REVIEW_WAITING: _cell,
    ReminderKind.OBLIGATION_DUE: _obligation,
    ReminderKind.PROGRESS_REPORT_DUE: _progress,
    ReminderKind.EVALUATION_DUE: _evaluation,
    ReminderKind.APPRAISAL_DUE: _task,
    ReminderKind.LEGAL_REVIEW_DUE: _task,
}
BODY_REMINDERS: dict[ReminderKind, BodyReminder] = {
    ReminderKind.REPORTING_DUTY_DUE: _duty,
}
