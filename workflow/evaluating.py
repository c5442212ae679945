"""The collective's evaluation of the results, as a ballot (887 Điều 5).

"Tập thể lãnh đạo quyết định cho chủ trương ... sẽ xem xét, đánh giá, kết luận quyết định
hình thức khuyến khích khi chủ trương đã mang lại hiệu quả thiết thực" (Điều 5 khoản 2):
the collective that approved the plan decides whether it brought real results and which
forms of encouragement (a–h) apply, or proposes them to the competent level when they
are beyond its authority. The regulation does not say how the collective reaches that
conclusion; the product does it as the decision is reached: the office drafts the
conclusion (real results or not, the forms, whether to propose upward) and puts it to the
vote of the same body under the same voting rule. Approved, it is the evaluation and is
announced to the proposer and the collective (Điều 5 khoản 3: results are made public);
not adopted, the dossier waits for a revised proposal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from workflow import events as ev
from workflow.actors import Role
from workflow.commands import OpenEvaluation
from workflow.dossier import Dossier, EncouragementForm, Evaluation
from workflow.errors import ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action
from workflow.ports import Clock, UnitOfWork
from workflow.service_kit import load, now_of, permit
from workflow.voting import EVALUATION, Ballot, Outcome, electorate


def encouragement(effective: bool, forms: Iterable[EncouragementForm | str]
                  ) -> tuple[EncouragementForm, ...]:
    """The forms chosen, checked against the verdict: forms only for real results, and at
    least one for real results (887 Điều 5 khoản 2)."""
    chosen = tuple(dict.fromkeys(EncouragementForm(f) for f in forms))
    if chosen and not effective:
        raise ValidationError(
            N_("Encouragement is decided only when the plan has brought real results."))
    if effective and not chosen:
        raise ValidationError(N_("Please choose at least one form of encouragement."))
    return chosen


def evaluating_body(dossier: Dossier) -> str:
    """The collective that approved the plan (the first deciding body after a head's
    decision alone: the collective still evaluates)."""
    decision = dossier.decision
    if decision is not None and not decision.by_head:
        return decision.route_body
    return dossier.route.decision_bodies[0]


async def open_evaluation(cmd: OpenEvaluation, uow: UnitOfWork, clock: Clock) -> Ballot:
    """Put the office's proposed evaluation to the vote of the collective."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.OPEN_EVALUATION)
        forms = encouragement(cmd.effective, cmd.forms)
        now = now_of(clock)
        if cmd.closes_at is not None and cmd.closes_at <= now:
            raise ValidationError(N_("The closing time of the vote must be in the future."))
        body = evaluating_body(dossier)
        rule = dossier.voting_rule(body)
        voters = electorate(rule, tuple(dict.fromkeys(m for m in cmd.members if m)),
                            dossier.proposers, cmd.head_person)
        if not voters.voters:
            raise ValidationError(N_("Nobody in this body may vote on this plan."))
        ballot = Ballot(id=0, dossier_id=dossier.id, body=body, rule=rule, voters=voters,
                        opened_at=now, closes_at=cmd.closes_at, purpose=EVALUATION)
        if ballot.certain_outcome() is Outcome.QUORUM_NOT_MET:
            raise ValidationError(N_("Too few members may vote for the quorum to be reached."))
        ballot.id = await uow.ballots.next_id()
        await uow.ballots.add(ballot)
        dossier.ballot_ids.append(ballot.id)
        summary = cmd.summary.strip()
        dossier.evaluation_proposal = Evaluation(cmd.effective, forms, cmd.proposed_upward,
                                                 summary, cmd.actor.person_id, now)
        dossier.apply(step, cmd.actor.person_id, now, [ev.BallotOpened(
            dossier_id=dossier.id, at=now,
            notify=(*dossier.to_persons(Role.MEMBER, sorted(voters.voters)),
                    *dossier.to_proposers()),
            ballot_id=ballot.id, route_body=body, body=dossier.body(body),
            voters=tuple(sorted(voters.voters)), closes_at=cmd.closes_at,
            purpose=EVALUATION)], summary)
        await uow.commit()
        return ballot


def evaluation_closed(dossier: Dossier, ballot: Ballot, outcome: Outcome,
                      now: datetime) -> list[ev.Event]:
    """What closing an evaluation ballot does to the dossier (roles already checked)."""
    proposal, dossier.evaluation_proposal = dossier.evaluation_proposal, None
    if outcome is not Outcome.APPROVED or proposal is None:
        return []  # not adopted: the office may put a revised proposal to the vote
    dossier.evaluation = Evaluation(proposal.effective, proposal.forms,
                                    proposal.proposed_upward, proposal.summary, proposal.by,
                                    now)
    announced = (*dossier.to_proposers(),
                 *dossier.to_persons(Role.MEMBER, sorted(ballot.voters.members)),
                 dossier.to_office())
    return [ev.EvaluationRecorded(
        dossier_id=dossier.id, at=now, notify=announced, effective=proposal.effective,
        forms=tuple(f.value for f in proposal.forms),
        proposed_upward=proposal.proposed_upward, summary=proposal.summary)]
