"""Services of the decision: the ballot, the head's decision, the written answer,
and the reports owed afterwards (obligations)."""

from __future__ import annotations

from datetime import datetime

from workflow import events as ev
from workflow import lifecycle
from workflow.actors import Role
from workflow.commands import (
    CastVote,
    CloseBallot,
    CloseExpiredBallot,
    HeadDecide,
    MarkObligationDone,
    OpenBallot,
    SendWrittenAnswer,
)
from workflow.dossier import Decision, Dossier, ProblemKind
from workflow.errors import NotFound, TransitionNotAllowed, ValidationError
from workflow.evaluating import evaluation_closed
from workflow.i18n import N_
from workflow.lifecycle import Action, Condition, Transition
from workflow.obligations import DECIDED, DRAFTED, Obligation, ObligationKind
from workflow.paperwork import new_record
from workflow.ports import Clock, UnitOfWork
from workflow.protection import verification_due
from workflow.service_kit import (
    REFERENCE,
    SYSTEM,
    committee,
    load,
    load_obligation,
    new_obligation,
    now_of,
    permit,
    text,
)
from workflow.voting import (
    EVALUATION,
    Ballot,
    Choice,
    Outcome,
    electorate,
    head_cannot_vote,
    quorum_needed,
)

OUTCOME_CONDITION = {
    Outcome.APPROVED: Condition.APPROVED,
    Outcome.REJECTED: Condition.REJECTED,
    Outcome.RETURNED: Condition.RETURNED,
    Outcome.NO_CONSENSUS: Condition.NO_CONSENSUS,
    Outcome.QUORUM_NOT_MET: Condition.QUORUM_NOT_MET,
}
DECISIONS = (Outcome.APPROVED, Outcome.REJECTED, Outcome.RETURNED)
MAX_COMMENT = 1000


async def open_ballot(cmd: OpenBallot, uow: UnitOfWork, clock: Clock) -> Ballot:
    """Open a vote of a deciding body, fixing its rule and counted members now."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.OPEN_BALLOT)
        route = dossier.route
        body = cmd.body or route.decision_bodies[0]
        if body not in route.decision_bodies:
            raise ValidationError(N_("That body does not decide on this dossier."))
        members = tuple(dict.fromkeys(m for m in cmd.members if m))
        now = now_of(clock)
        if cmd.closes_at is not None and cmd.closes_at <= now:
            raise ValidationError(N_("The closing time of the vote must be in the future."))
        rule = dossier.voting_rule(body)
        voters = electorate(rule, members, dossier.proposers, cmd.head_person)
        if not voters.voters:
            raise ValidationError(N_("Nobody in this body may vote on this plan."))
        if head_cannot_vote(rule, voters):
            # ND 73 Điều 8 khoản 1: the head chairs; without the head nothing can carry.
            raise ValidationError(N_("In this body nothing is decided without its head's vote, "
                                     "and the head is not among the members who may vote on "
                                     "this plan."))
        ballot = Ballot(id=0, dossier_id=dossier.id, body=body, rule=rule, voters=voters,
                        opened_at=now, closes_at=cmd.closes_at)
        if ballot.certain_outcome() is Outcome.QUORUM_NOT_MET:
            raise ValidationError(N_("Too few members may vote for the quorum to be reached."))
        ballot.id = await uow.ballots.next_id()
        await uow.ballots.add(ballot)
        dossier.ballot_ids.append(ballot.id)
        dossier.apply(step, cmd.actor.person_id, now, [ev.BallotOpened(
            dossier_id=dossier.id, at=now,
            notify=(*dossier.to_persons(Role.MEMBER, sorted(voters.voters)),
                    *dossier.to_proposers()),
            ballot_id=ballot.id, route_body=body, body=dossier.body(body),
            voters=tuple(sorted(voters.voters)), closes_at=cmd.closes_at)])
        await uow.commit()
        return ballot


async def _open_ballot_of(uow: UnitOfWork, dossier: Dossier, ballot_id: int | None) -> Ballot:
    ballot = await uow.ballots.open_for(dossier.id)
    if ballot is None or (ballot_id is not None and ballot.id != ballot_id):
        raise TransitionNotAllowed(N_("Voting on this dossier has closed."))
    return ballot


async def cast_vote(cmd: CastVote, uow: UnitOfWork, clock: Clock) -> Ballot:
    """Record or change a member's vote; where the body's rule says so, close at once if
    the outcome became certain (in a meeting the ballot stays open until it is closed)."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.CAST_VOTE)
        ballot = await _open_ballot_of(uow, dossier, cmd.ballot_id)
        if ballot.purpose == EVALUATION and cmd.choice is Choice.RE_PREPARE:
            raise ValidationError(N_("In the vote on the evaluation, approve the proposal or "
                                     "do not approve it."))
        comment = None if cmd.comment is None else text(cmd.comment, N_("your comment"))
        if comment is not None and len(comment) > MAX_COMMENT:
            raise ValidationError(N_("Please keep the comment under {limit} characters."),
                                  limit=MAX_COMMENT)
        now = now_of(clock)
        # Checks before it records.
        changed = ballot.cast(cmd.actor.person_id, cmd.choice, now, comment)
        dossier.emit(step, [ev.VoteCast(
            dossier_id=dossier.id, at=now, ballot_id=ballot.id, voter=cmd.actor.person_id,
            choice=cmd.choice, changed=changed,
            comment=ballot.votes[cmd.actor.person_id].comment)])
        if ballot.rule.closes_when_certain and ballot.certain_outcome() is not None:
            await _close(uow, dossier, ballot, now, SYSTEM, automatic=True)
        await uow.commit()
        return ballot


async def close_ballot(cmd: CloseBallot, uow: UnitOfWork, clock: Clock) -> Ballot:
    """The office or the head closes the vote: a meeting at any time, a ballot that closes
    when certain at its closing time or when all voted. The result is counted now."""
    async with uow:
        dossier = await load(uow, cmd)
        ballot = await _open_ballot_of(uow, dossier, cmd.ballot_id)
        outcome = ballot.final_outcome()
        permit(dossier, cmd.actor, Action.CLOSE_BALLOT, _condition(ballot, outcome))
        now = now_of(clock)
        if not ballot.may_close(now):
            # Stored times may come back in UTC: say it in the organisation's zone.
            closes_at = (ballot.closes_at.astimezone(now.tzinfo).strftime("%H:%M %d/%m/%Y")
                         if ballot.closes_at else "")
            raise ValidationError(
                N_("The vote closes at {closes_at}; it cannot be closed earlier unless every "
                   "member has voted."),
                closes_at=closes_at,
            )
        await _close(uow, dossier, ballot, now, cmd.actor.person_id, automatic=False)
        await uow.commit()
        return ballot


async def close_expired_ballot(cmd: CloseExpiredBallot, uow: UnitOfWork, clock: Clock) -> Ballot:
    """The scheduler closes a ballot whose closing time has passed."""
    async with uow:
        ballot = await uow.ballots.get(cmd.ballot_id)
        if ballot is None:
            raise NotFound(N_("There is no vote number {number}."), number=cmd.ballot_id)
        if not ballot.is_open:
            raise TransitionNotAllowed(N_("Voting on this dossier has closed."))
        now = now_of(clock)
        if ballot.closes_at is None or now < ballot.closes_at:
            raise ValidationError(N_("This vote's closing time has not come yet."))
        dossier = await uow.dossiers.get(ballot.dossier_id)
        if dossier is None:
            raise NotFound(N_("There is no dossier number {number}."), number=ballot.dossier_id)
        await _close(uow, dossier, ballot, now, SYSTEM, automatic=False)
        await uow.commit()
        return ballot


async def _close(
    uow: UnitOfWork, dossier: Dossier, ballot: Ballot, now: datetime, by: str, *, automatic: bool
) -> None:
    """Close ``ballot`` and move the dossier to the outcome (roles already checked)."""
    outcome = ballot.final_outcome()
    step = lifecycle.row(Action.CLOSE_BALLOT, dossier.state, {_condition(ballot, outcome)})
    ballot.close(now, automatic=automatic)
    notify = (*dossier.to_persons(Role.MEMBER, sorted(ballot.voters.voters)), *committee(dossier))
    comments = tuple((voter, vote.choice.value, vote.comment)
                     for voter, vote in sorted(ballot.votes.items()) if vote.comment)
    events: list[ev.Event] = [ev.BallotClosed(
        dossier_id=dossier.id, at=now, notify=notify, ballot_id=ballot.id, outcome=outcome,
        tally=ballot.tally(), automatic=automatic, comments=comments, base=ballot.voters.base,
        needed=quorum_needed(ballot.rule, ballot.voters.base),
        head_missing=ballot.rule.head_must_vote and ballot.voters.head not in ballot.votes)]
    if ballot.purpose == EVALUATION:
        events += evaluation_closed(dossier, ballot, outcome, now)
    elif outcome in DECISIONS:
        dossier.decision = Decision(outcome, False, ballot.body, by, now, ballot.id)
        events.append(_decision_event(dossier, now))
        events += await _on_approval(uow, dossier, step, now)
    dossier.apply(step, by, now, events, outcome.value)


def _condition(ballot: Ballot, outcome: Outcome) -> Condition:
    """The lifecycle condition an outcome selects; an evaluation is adopted or not."""
    if ballot.purpose == EVALUATION:
        return Condition.APPROVED if outcome is Outcome.APPROVED else Condition.NOT_ADOPTED
    return OUTCOME_CONDITION[outcome]


def _decision_event(dossier: Dossier, now: datetime) -> ev.DecisionMade:
    decision = dossier.decision
    if decision is None:
        raise AssertionError("no decision to announce")
    return ev.DecisionMade(
        dossier_id=dossier.id, at=now, notify=(*dossier.to_proposers(), dossier.to_office()),
        outcome=decision.outcome, by_head=decision.by_head, route_body=decision.route_body,
        ballot_id=decision.ballot_id)


async def _on_approval(
    uow: UnitOfWork, dossier: Dossier, step: Transition, now: datetime
) -> list[ev.Event]:
    """887 Điều 4 khoản 5: approving a plan about a regulation unsuited to practice
    creates the duty to report to the body that issued that regulation."""
    if step.target is not lifecycle.State.APPROVED:
        return []
    if dossier.plan.problem_kind is not ProblemKind.REGULATED_UNSUITED:
        return []
    issuer = dossier.plan.regulation_issuer.strip() or dossier.plan.regulation.strip()
    owner = dossier.decision.route_body if dossier.decision else dossier.route.competent_body
    return [await new_obligation(uow, dossier, ObligationKind.REPORT_TO_REGULATION_ISSUER,
                                 owner, issuer, now)]


async def head_decide(cmd: HeadDecide, uow: UnitOfWork, clock: Clock) -> Dossier:
    """No consensus: the head may order implementation alone (and must then report to the
    direct superior in writing at once, 887 Điều 4 khoản 3 b) or decline."""
    async with uow:
        dossier = await load(uow, cmd)
        choice = Condition.OVERRIDE if cmd.proceed else Condition.DECLINE
        step = permit(dossier, cmd.actor, Action.HEAD_DECIDE, choice)
        reasoning = text(cmd.reasoning, N_("the reasons for the decision"))
        now = now_of(clock)
        route = dossier.route
        outcome = Outcome.APPROVED if cmd.proceed else Outcome.REJECTED
        dossier.decision = Decision(outcome, True, route.head, cmd.actor.person_id, now,
                                    reasoning=reasoning)
        events: list[ev.Event] = [_decision_event(dossier, now)]
        if cmd.proceed:
            events.append(await new_obligation(
                uow, dossier, ObligationKind.REPORT_OVERRIDE_TO_SUPERIOR, route.head,
                route.escalation_to, now))
            events += await _on_approval(uow, dossier, step, now)
        dossier.apply(step, cmd.actor.person_id, now, events, reasoning)
        await uow.commit()
        return dossier


async def send_written_answer(cmd: SendWrittenAnswer, uow: UnitOfWork, clock: Clock) -> Dossier:
    """Record that the written answer was sent; a rejected dossier is then closed."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.SEND_WRITTEN_ANSWER)
        reference = text(cmd.reference, REFERENCE)
        now = now_of(clock)
        paper = None
        if cmd.paper is not None:
            paper = await new_record(uow, dossier, cmd.paper, cmd.actor, now)
        dossier.answer_reference, dossier.answered_at = reference, now
        outcome = dossier.decision.outcome if dossier.decision else None
        events: list[ev.Event] = [ev.WrittenAnswerSent(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers(), reference=reference,
            outcome=outcome, document_id=paper.id if paper else None)]
        if step.target is lifecycle.State.CLOSED:
            dossier.closed_reason = "rejected"
            events.append(ev.DossierClosed(dossier_id=dossier.id, at=now, reason="rejected"))
        dossier.apply(step, cmd.actor.person_id, now, events, reference)
        await uow.commit()
        return dossier


async def mark_obligation_done(
    cmd: MarkObligationDone, uow: UnitOfWork, clock: Clock
) -> Obligation:
    """Record the written report that fulfils an obligation."""
    async with uow:
        obligation, dossier = await load_obligation(uow, cmd.obligation_id,
                                                    cmd.expected_version)
        step = permit(dossier, cmd.actor, Action.MARK_OBLIGATION_DONE)
        if not obligation.is_open:
            raise TransitionNotAllowed(N_("This report has already been recorded as done."))
        if obligation.kind is ObligationKind.CONCLUDE_EMERGENCY:
            raise ValidationError(
                N_("This duty is fulfilled by recording the collective's conclusion."))
        if obligation.kind in DECIDED:
            raise ValidationError(N_("This matter is settled by recording its decision."))
        reference = text(cmd.reference, REFERENCE)
        now = now_of(clock)
        paper = None
        if cmd.paper is not None:
            paper = await new_record(uow, dossier, cmd.paper, cmd.actor, now, obligation.id)
        obligation.done_at, obligation.done_by = now, cmd.actor.person_id
        obligation.reference = reference
        obligation.version += 1
        told: tuple[ev.Recipient, ...] = committee(dossier)
        if obligation.kind in DRAFTED:  # the proposer learns the document's number
            told = (*told, *dossier.to_proposers())
        events: list[ev.Event] = [ev.ObligationFulfilled(
            dossier_id=dossier.id, at=now, notify=told,
            obligation_id=obligation.id, kind=obligation.kind, reference=reference,
            document_id=paper.id if paper else None)]
        if obligation.kind is ObligationKind.REPORT_INCIDENT_TO_SUPERIOR:
            # 887 Điều 6 khoản 2 c: once told, the direct superior has it verified.
            events.append(await verification_due(uow, dossier, now))
        dossier.emit(step, events)
        await uow.commit()
        return obligation
