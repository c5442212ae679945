"""Voting at the desk: a member's vote and the comment they add to it.

``k:vt:<id>:<ballot>:<a|r|p|x>`` votes; ``k:vc:<id>:<ballot>`` asks for a comment, which
the next text message gives (kept with the vote: the member's current choice is cast again
with the comment). The service re-checks the member, the ballot and its being open. The
office and the head read the comments with the result (:func:`comment_lines`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.buttons import DeskCancel, VoteCode
from handlers.context import Turn
from handlers.flows.desk_view import VOTE_CODES, VOTE_LABELS
from handlers.i18n import Translator
from handlers.messages import Button, rows
from workflow import services as svc
from workflow.actors import Role
from workflow.commands import CastVote
from workflow.dossier import Dossier
from workflow.errors import DomainError, TransitionNotAllowed, ValidationError
from workflow.i18n import N_
from workflow.voting import CHOICE_LABELS, OUTCOME_LABELS, Ballot, Choice

if TYPE_CHECKING:
    from handlers.flows.desk import DeskFlow

COMMENT = "vc"
VOTE_FIRST = N_("Please vote first; then you can add a comment to your vote.")


def _refusal(roles: frozenset[Role], t: Translator) -> str | None:
    """Why this person does not vote on the dossier, or None if they are a member."""
    if Role.PROPOSER in roles and Role.MEMBER not in roles:
        return t("You do not vote on a plan you proposed.")
    if Role.MEMBER not in roles:
        return t("You are not a counted member of the body voting on this plan.")
    return None


async def vote(flow: DeskFlow, turn: Turn, dossier_id: int, ballot_id: int,
               code: VoteCode) -> None:
    dossier = await flow.load(turn, dossier_id)
    if dossier is None:
        await flow.not_found(turn)
        return
    t = turn.t
    refusal = _refusal(dossier.roles_of(await turn.actor()), t)
    if refusal is not None:
        turn.say(refusal)
    else:
        try:
            turn.say(await _cast(turn, dossier, ballot_id, VOTE_CODES[code]))
        except DomainError as error:
            turn.say(error.render(t))
    await flow.card(turn, dossier_id)


async def _cast(turn: Turn, dossier: Dossier, ballot_id: int, choice: Choice) -> str:
    s, t = turn.services, turn.t
    ballot = await svc.cast_vote(CastVote(actor=await turn.actor(), dossier_id=dossier.id,
                                          choice=choice, ballot_id=ballot_id), s.uow(), s.clock)
    label = t(VOTE_LABELS[choice])
    if not ballot.is_open:
        outcome = t(OUTCOME_LABELS[ballot.final_outcome()])
        return t("Your vote is recorded: {choice}. The result is now certain and the vote is "
                 "closed: {outcome}.", choice=label, outcome=outcome)
    return t("Your vote is recorded: {choice}. You may change it until the vote closes.",
             choice=label)


async def _ballot(turn: Turn, ballot_id: int) -> Ballot | None:
    async with turn.services.uow() as uow:  # read only
        return await uow.ballots.get(ballot_id)


async def ask_comment(flow: DeskFlow, turn: Turn, dossier_id: int, ballot_id: int) -> None:
    """Ask a member who has voted for the comment to keep with their vote."""
    dossier = await flow.load(turn, dossier_id)
    if dossier is None:
        await flow.not_found(turn)
        return
    t = turn.t
    refusal = _refusal(dossier.roles_of(await turn.actor()), t)
    ballot = await _ballot(turn, ballot_id)
    person = turn.person.id if turn.person else ""
    if refusal is None and (ballot is None or ballot.dossier_id != dossier.id
                            or not ballot.is_open):
        refusal = TransitionNotAllowed(N_("Voting on this dossier has closed.")).render(t)
    if refusal is None and ballot is not None and person not in ballot.votes:
        refusal = t(VOTE_FIRST)
    if refusal is not None:
        turn.say(refusal)
        await flow.card(turn, dossier.id)
        return
    turn.set_step(flow.name, "text")
    turn.conversation.data = {"op": COMMENT, "id": dossier.id, "v": ballot_id}
    ask(turn)


def ask(turn: Turn) -> None:
    t = turn.t
    turn.say(t("Please write your comment on the plan. It is kept with your vote and shown to "
               "the office and the head with the result."), rows(Button(t("Cancel"), DeskCancel())))


async def comment(turn: Turn, dossier: Dossier, ballot_id: int, text: str) -> str:
    """Keep ``text`` with the member's current vote."""
    s, t = turn.services, turn.t
    ballot = await _ballot(turn, ballot_id)
    person = turn.person.id if turn.person else ""
    if ballot is None or ballot.dossier_id != dossier.id:
        raise TransitionNotAllowed(N_("Voting on this dossier has closed."))
    if person not in ballot.votes:
        raise ValidationError(VOTE_FIRST)
    choice = ballot.votes[person].choice
    await svc.cast_vote(CastVote(actor=await turn.actor(), dossier_id=dossier.id, choice=choice,
                                 ballot_id=ballot_id, comment=text), s.uow(), s.clock)
    return t("Your comment is kept with your vote ({choice}); the office and the head will "
             "read it with the result.", choice=t(VOTE_LABELS[choice]))


async def comment_lines(turn: Turn, comments: list[Any]) -> list[str]:
    """The members' comments, one line each: ``[(voter, choice, comment), ...]``."""
    return await lines_for(turn.services.directory, turn.t, comments)


async def lines_for(directory: Any, t: Translator, comments: list[Any]) -> list[str]:
    """A heading and a line per comment (none at all without comments)."""
    if not comments:
        return []
    lines = [t("Members' comments:")]
    for voter, choice, text in comments:
        info = await directory.person(str(voter))
        try:
            label = t(CHOICE_LABELS[Choice(choice)])
        except ValueError:
            label = str(choice)
        lines.append(t("• {name} ({choice}): {comment}", name=info.name if info else voter,
                       choice=label, comment=text))
    return lines


def ballot_comments(ballot: Ballot) -> list[tuple[str, str, str]]:
    return [(voter, vote.choice.value, vote.comment)
            for voter, vote in sorted(ballot.votes.items()) if vote.comment]
