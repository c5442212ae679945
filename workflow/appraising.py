"""Services of the appraisal and of the legal-risk review: who is asked, by when, and
what they file (887 Điều 4 khoản 3 a; 000 Điều 2 khoản 3 a; 000 Điều 3 khoản 2).

The regulation names who leads the appraisal (the route's ``appraisal_lead``) and lets
a broad or complex matter go to an appraisal council, but gives the appraisal no time
of its own: only the written answer's 30 (60) working days. So each assignment carries
a due date in working days, from the pack's ``appraisal`` / ``legal_review`` deadline
if it names one, else :data:`DEFAULT_DAYS`; it never falls after the answer's own due
date, since an appraisal that arrives later is of no use to the answer.
"""

from __future__ import annotations

from datetime import date

from workflow import events as ev
from workflow.actors import Role
from workflow.attachments import unique
from workflow.commands import AssignAppraisal, AssignLegalReview, FileAppraisal, FileLegalReview
from workflow.conflicts import refuse_proposers
from workflow.dossier import Appraisal, Dossier, LegalReview
from workflow.errors import ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action, Condition
from workflow.obligations import ObligationKind
from workflow.ports import Clock, UnitOfWork, WorkingCalendar
from workflow.service_kit import (
    SUMMARY,
    load,
    new_obligation,
    now_of,
    people,
    permit,
    text,
    today,
)

APPRAISAL, LEGAL_REVIEW = "appraisal", "legal_review"
# Used when the pack names no such deadline; the regulation is silent (a product choice).
DEFAULT_DAYS = {APPRAISAL: 10, LEGAL_REVIEW: 5}
MAX_DAYS = 60  # no appraisal can take longer than the longest answer deadline
MAX_FILES = 10
MIN_COUNCIL = 2  # one person is not a council


def due_date(dossier: Dossier, calendar: WorkingCalendar, start: date, deadline_id: str,
             working_days: int | None) -> tuple[int, date]:
    """The working days given and the due date of an appraisal or review assigned on
    ``start``: capped at the answer's due date, and at least the next working day."""
    days = working_days if working_days is not None else dossier.deadline_days(
        deadline_id, DEFAULT_DAYS[deadline_id])
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(N_("The time given must be between 1 and {limit} working days."),
                              limit=MAX_DAYS)
    due = calendar.add_working_days(start, days)
    if dossier.due_on is not None and due > dossier.due_on:
        due = max(dossier.due_on, calendar.add_working_days(start, 1))
    return days, due


async def assign_appraisal(
    cmd: AssignAppraisal, uow: UnitOfWork, clock: Clock, calendar: WorkingCalendar
) -> Dossier:
    """Assign the appraisal, with its due date, to named people of the route's appraisal
    lead, or to an appraisal council of named people where the pack provides for one."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.ASSIGN_APPRAISAL)
        appraisers = people(cmd.appraisers, N_("the appraisers"))
        refuse_proposers(dossier, appraisers, N_("appraise"))
        if cmd.council and not dossier.council_allowed:
            raise ValidationError(
                N_("The regulation of this dossier does not provide for an appraisal council."))
        if cmd.council and len(appraisers) < MIN_COUNCIL:
            raise ValidationError(N_("An appraisal council needs at least two members."))
        route_body = None if cmd.council else cmd.route_body or dossier.route.appraisal_lead
        days, due = due_date(dossier, calendar, today(clock), APPRAISAL, cmd.working_days)
        now = now_of(clock)
        dossier.appraisers, dossier.appraisal_council = appraisers, cmd.council
        dossier.appraisal_due_on = due
        dossier.apply(step, cmd.actor.person_id, now, [ev.AppraisalAssigned(
            dossier_id=dossier.id, at=now, notify=dossier.to_persons(Role.APPRAISER, appraisers),
            appraisers=appraisers, route_body=route_body,
            body=dossier.body(route_body) if route_body else None, due_on=due,
            working_days=days, council=cmd.council)])
        await uow.commit()
        return dossier


async def file_appraisal(cmd: FileAppraisal, uow: UnitOfWork, clock: Clock) -> Dossier:
    """File the appraisal report (with its files); an infeasible plan is answered in
    writing and closed."""
    async with uow:
        dossier = await load(uow, cmd)
        found = Condition.FEASIBLE if cmd.feasible else Condition.NOT_FEASIBLE
        step = permit(dossier, cmd.actor, Action.FILE_APPRAISAL, found)
        summary = text(cmd.summary, SUMMARY)
        received = unique(cmd.files)
        files = tuple(dict.fromkeys(f.strip() for f in (*(r.name for r in received),
                                                        *cmd.attachments) if f.strip()))
        if len(files) > MAX_FILES or len(received) > MAX_FILES:
            raise ValidationError(N_("At most {limit} files can be filed with the appraisal."),
                                  limit=MAX_FILES)
        now = now_of(clock)
        dossier.appraisal = Appraisal(cmd.feasible, summary, cmd.actor.person_id, now, files,
                                      received)
        events: list[ev.Event] = [ev.AppraisalFiled(
            dossier_id=dossier.id, at=now, notify=(dossier.to_office(),), feasible=cmd.feasible,
            summary=summary)]
        if not cmd.feasible:
            route = dossier.route
            # The commune standing board notifies (000 Điều 2 khoản 3 a); at town level
            # the standing committee directs the notice.
            issuer = route.appraisal_assigned_by or route.appraisal_lead or route.competent_body
            dossier.closed_reason = "not_feasible"
            events += [
                ev.WrittenNoticeRequired(dossier_id=dossier.id, at=now,
                                         notify=(dossier.to_office(), *dossier.to_proposers()),
                                         issued_by_route_body=issuer, reason=summary),
                # The office drafts the notice, has it signed and records its number.
                await new_obligation(uow, dossier, ObligationKind.SEND_NOT_FEASIBLE_NOTICE,
                                     issuer, dossier.proposer, now),
                ev.DossierClosed(dossier_id=dossier.id, at=now, notify=dossier.to_proposers(),
                                 reason="not_feasible"),
            ]
        dossier.apply(step, cmd.actor.person_id, now, events, summary)
        await uow.commit()
        return dossier


async def assign_legal_review(
    cmd: AssignLegalReview, uow: UnitOfWork, clock: Clock, calendar: WorkingCalendar
) -> Dossier:
    """Ask the route's legal reviewer (the inspection committee) for legal-risk advice,
    due on a date in working days."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.ASSIGN_LEGAL_REVIEW)
        reviewers = people(cmd.reviewers, N_("the legal reviewers"))
        refuse_proposers(dossier, reviewers, N_("review the legal risk of"))
        route_body = dossier.route.legal_review or ""
        days, due = due_date(dossier, calendar, today(clock), LEGAL_REVIEW, cmd.working_days)
        now = now_of(clock)
        dossier.legal_reviewers, dossier.legal_review_due_on = reviewers, due
        dossier.apply(step, cmd.actor.person_id, now, [ev.LegalReviewAssigned(
            dossier_id=dossier.id, at=now,
            notify=dossier.to_persons(Role.LEGAL_REVIEWER, reviewers), reviewers=reviewers,
            route_body=route_body, body=dossier.body(route_body), due_on=due,
            working_days=days)])
        await uow.commit()
        return dossier


async def file_legal_review(cmd: FileLegalReview, uow: UnitOfWork, clock: Clock) -> Dossier:
    """File the legal-risk advice."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.FILE_LEGAL_REVIEW)
        summary = text(cmd.summary, SUMMARY)
        now = now_of(clock)
        dossier.legal_review = LegalReview(summary, cmd.actor.person_id, now)
        dossier.apply(step, cmd.actor.person_id, now, [ev.LegalReviewFiled(
            dossier_id=dossier.id, at=now, notify=(dossier.to_office(),), summary=summary)],
            summary)
        await uow.commit()
        return dossier
