"""The committee desk's steps: each button becomes one workflow service call.

Nothing here decides who may do what: the services re-check the role, the state and
the version the button was drawn for, and refuse (changing nothing) otherwise. These
functions only build the command from the button and the typed text, and say in the
reader's language what was done.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TypedDict

from handlers.buttons import BallotClosing, OpenDossier
from handlers.context import Turn
from handlers.flows import desk_forward
from handlers.flows.desk_view import AGAIN
from handlers.flows.dossier_view import names_for, title_of
from handlers.messages import Button, rows
from handlers.ports import PersonInfo
from workflow import services as svc
from workflow.actors import Actor
from workflow.attachments import AttachedFile
from workflow.commands import (
    CellAgree,
    CellReturn,
    Close,
    CloseBallot,
    ConcludeEmergency,
    FileAppraisal,
    FileLegalReview,
    HeadDecide,
    MarkComplex,
    MarkObligationDone,
    OpenBallot,
    RecordEvaluation,
    Register,
    ReportCompletion,
    ReportIncident,
    ReportProgress,
    RequestProtection,
    ReturnForCompletion,
    SendWrittenAnswer,
    StartImplementation,
)
from workflow.dossier import Dossier, EncouragementForm
from workflow.errors import ValidationError
from workflow.i18n import N_
from workflow.voting import OUTCOME_LABELS


class _Base(TypedDict):
    actor: Actor
    dossier_id: int
    expected_version: int | None


AFTERCARE = {
    "pg": (svc.report_progress, ReportProgress),
    "ic": (svc.report_incident, ReportIncident),
    "pr": (svc.request_protection, RequestProtection),
    "co": (svc.report_completion, ReportCompletion),
}
FORMS = tuple(EncouragementForm)  # 887 Điều 5 khoản 2 a–h, numbered 1.. in buttons
CLOSING_HOUR = time(17, 0)  # a vote closes at the end of its last working day
CLOSING_DAYS = (1, 3, 5)  # working days offered for the vote


async def with_text(turn: Turn, code: str, dossier: Dossier, version: int, text: str,
                    pick: int = 0, files: tuple[AttachedFile, ...] = ()) -> str:
    """Run a step that needs the person's text; the confirmation to show."""
    s, t = turn.services, turn.t
    actor = await turn.actor()
    base = _Base(actor=actor, dossier_id=dossier.id, expected_version=version)
    if code == "cr":
        await svc.cell_return(CellReturn(**base, reason=text), s.uow(), s.clock)
        return t("The plan was returned to the proposer with your reasons.")
    if code == "rc":
        await svc.return_for_completion(ReturnForCompletion(**base, note=text), s.uow(), s.clock)
        return t("The dossier was returned to the proposer for completion.")
    if code == "cx":
        done = await svc.mark_complex(MarkComplex(**base, reason=text), s.uow(), s.clock,
                                      s.calendar)  # type: ignore[arg-type]
        due = t.date(done.due_on) if done.due_on else ""
        return t("Marked as a difficult, complex matter: the written answer is now due by "
                 "{due}.", due=due)
    if code == "fw":
        return await desk_forward.forward(turn, dossier, version, text, pick)
    if code in ("fy", "fn"):
        await svc.file_appraisal(FileAppraisal(
            **base, feasible=code == "fy", summary=text,
            attachments=tuple(f.name for f in files), files=files), s.uow(), s.clock)
        if code == "fn":
            return t("Your appraisal is filed. The plan is not feasible: the proposer is "
                     "notified in writing and the dossier is closed.")
        return t("Your appraisal is filed; the office is informed.")
    if code == "fl":
        await svc.file_legal_review(FileLegalReview(**base, summary=text), s.uow(), s.clock)
        return t("The legal-risk review is filed; the office is informed.")
    if code in ("hy", "hn"):
        await svc.head_decide(HeadDecide(**base, proceed=code == "hy", reasoning=text),
                              s.uow(), s.clock)
        if code == "hy":
            return t("Your decision is recorded: the plan may proceed. You must report this "
                     "decision in writing to the direct superior at once; the duty is shown "
                     "on the dossier until it is marked done.")
        return t("Your decision is recorded: the plan does not proceed.")
    if code == "wa":
        await svc.send_written_answer(SendWrittenAnswer(**base, reference=text),
                                      s.uow(), s.clock)
        return t("The written answer {reference} is recorded; the proposer is informed.",
                 reference=text)
    if code in AFTERCARE:
        service, command = AFTERCARE[code]
        await service(command(**base, summary=text), s.uow(), s.clock)  # type: ignore[operator]
        return t("Recorded; the committee is informed.")
    if code == "ce":
        await svc.conclude_emergency(ConcludeEmergency(**base, conclusion=text), s.uow(),
                                     s.clock)
        return t("The collective's conclusion is recorded; the proposer is informed.")
    if code == "ev":
        forms = FORMS[pick - 1:pick] if 1 <= pick <= len(FORMS) else ()
        await svc.record_evaluation(RecordEvaluation(
            **base, effective=bool(forms), forms=forms, summary=text), s.uow(), s.clock)
        return t("The evaluation is recorded and announced to the proposer.")
    raise ValidationError(N_("That button is no longer valid. Here is where we are now."))


async def obligation_done(turn: Turn, obligation_id: int, version: int, text: str) -> str:
    s = turn.services
    await svc.mark_obligation_done(MarkObligationDone(
        actor=await turn.actor(), obligation_id=obligation_id, expected_version=version,
        reference=text), s.uow(), s.clock)
    return turn.t("The report {reference} is recorded as done.", reference=text)


async def immediate(turn: Turn, code: str, dossier: Dossier, version: int) -> str:
    """Run a step that needs nothing more than the button."""
    s, t = turn.services, turn.t
    base = _Base(actor=await turn.actor(), dossier_id=dossier.id, expected_version=version)
    if code == "ca":
        await svc.cell_agree(CellAgree(**base), s.uow(), s.clock)
        names = await names_for(turn, [dossier])
        return t("The party cell's agreement is recorded; the dossier has gone to {office}.",
                 office=names.body(dossier, dossier.route.via))
    if code == "rg":
        done = await svc.register(Register(**base), s.uow(), s.clock,
                                  s.calendar)  # type: ignore[arg-type]
        received = t.date(done.received_on) if done.received_on else ""
        due = t.date(done.due_on) if done.due_on else ""
        return t("Registered as no. {number}, received on {received}. The written answer is "
                 "due by {due} ({days} working days; the day of receipt is not counted).",
                 number=done.registration_number or "", received=received, due=due,
                 days=done.deadline_days("answer", 30))
    if code == "si":
        await svc.start_implementation(StartImplementation(**base), s.uow(), s.clock)
        return t("Implementation has started. Please report progress as the plan provides, "
                 "and any risk or error at once.")
    if code == "cl":
        await svc.close(Close(**base), s.uow(), s.clock)
        return t("The dossier is closed.")
    if code == "cb":
        ballot = await svc.close_ballot(CloseBallot(**base), s.uow(), s.clock)
        outcome = t(OUTCOME_LABELS[ballot.final_outcome()])
        return t("The vote is closed: {outcome}.", outcome=outcome)
    raise ValidationError(N_("That button is no longer valid. Here is where we are now."))


async def appraisers(turn: Turn, dossier: Dossier) -> list[PersonInfo]:
    lead = dossier.route.appraisal_lead
    if not lead:
        return []
    directory = turn.services.directory
    if dossier.body(lead) == lead:  # the route body stands for several bodies (e.g. the
        found = await directory.people_of_kind(lead, ("appraiser",))  # advisory agencies)
    else:
        found = await directory.people_on(dossier.body(lead), ("appraiser",))
    return [p for p in found if p.id not in dossier.proposers]  # not their own plan


async def legal_reviewers(turn: Turn, dossier: Dossier) -> list[PersonInfo]:
    """The people of the route's legal-review body (the inspection committee)."""
    route_body = dossier.route.legal_review
    if not route_body:
        return []
    directory = turn.services.directory
    if dossier.body(route_body) == route_body:
        found = await directory.people_of_kind(route_body, ("legal_reviewer",))
    else:
        found = await directory.people_on(dossier.body(route_body), ("legal_reviewer",))
    return [p for p in found if p.id not in dossier.proposers]  # not on their own plan


def closing_time(turn: Turn, days: int) -> datetime:
    """The end of the ``days``-th working day from today, in the organisation's zone."""
    now = turn.services.clock.now()
    day = turn.services.calendar.add_working_days(now.date(), days)
    assert isinstance(day, date)
    return datetime.combine(day, CLOSING_HOUR, tzinfo=now.tzinfo)


async def ballot_picker(turn: Turn, dossier: Dossier, version: int) -> None:
    """Ask which deciding body votes (where the route has several) and when it closes."""
    t = turn.t
    bodies = dossier.route.decision_bodies
    names = await names_for(turn, [dossier])
    keys = []
    for index, body in enumerate(bodies):
        for days in CLOSING_DAYS:
            label = t.plural("Closes in {n} working day", "Closes in {n} working days", days)
            if len(bodies) > 1:  # e.g. the standing board or the full committee
                label = t("{body}: {when}", body=names.body(dossier, body), when=label)
            keys.append(Button(label, BallotClosing(dossier.id, version, days, index)))
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    question = t("When should the vote on “{title}” close? Each counted member will receive "
                 "the plan with buttons to vote.", title=title_of(dossier, t))
    if dossier.state in AGAIN:
        question = "\n".join([t("This is a new vote: every member votes again; the votes of "
                                "the earlier vote do not count."), question])
    turn.say(question, rows(*keys))


async def open_ballot(turn: Turn, dossier: Dossier, version: int, days: int,
                      body_index: int = 0) -> str:
    """Open the vote of the route's ``body_index``-th deciding body for its counted members."""
    s, t = turn.services, turn.t
    route = dossier.route
    if days not in CLOSING_DAYS or not 0 <= body_index < len(route.decision_bodies):
        raise ValidationError(N_("That button is no longer valid. Here is where we are now."))
    body = route.decision_bodies[body_index]
    members = await s.directory.counted_members(dossier.body(body))
    heads = await s.directory.people_on(dossier.body(route.head), ("head",))
    closes = closing_time(turn, days)
    ballot = await svc.open_ballot(OpenBallot(
        actor=await turn.actor(), dossier_id=dossier.id, expected_version=version,
        members=tuple(members), body=body, head_person=heads[0].id if heads else None,
        closes_at=closes), s.uow(), s.clock)
    return t.plural("The vote is open for {n} member until {closes}; each one has been sent "
                    "the plan with the buttons to vote.",
                    "The vote is open for {n} members until {closes}; each one has been sent "
                    "the plan with the buttons to vote.", len(ballot.voters.voters),
                    closes=closes.strftime("%H:%M %d/%m/%Y"))


async def unreachable_lines(turn: Turn, offices: frozenset[str | None]) -> list[str]:
    """The list of notifications nobody could receive, about the dossiers of ``offices``."""
    t, directory = turn.t, turn.services.directory
    mine: dict[int, bool] = {}
    every = await directory.unreachable()
    async with turn.services.uow() as uow:  # read only
        for item in every:
            if item.dossier_id not in mine:
                dossier = await uow.dossiers.get(item.dossier_id)
                mine[item.dossier_id] = dossier is not None and dossier.body(
                    dossier.route.via) in offices
    found = [u for u in every if mine.get(u.dossier_id)]
    if not found:
        return [t("Everyone who had to be told has been reached.")]
    lines = [t("These notifications could not be delivered: the person has not linked a "
               "chat account, or nobody holds the role. Please inform them another way.")]
    bodies = await directory.body_names(sorted({u.body for u in found if u.body}))
    for item in found:
        if item.person_id:
            info = await directory.person(item.person_id)
            who = info.name if info else item.person_id
        else:
            body = bodies.get(item.body or "", item.body or "")
            who = t("nobody holds this role on {body}", body=body)
        lines.append(t("• Dossier no. {id}: {who}", id=item.dossier_id, who=who))
    return lines
