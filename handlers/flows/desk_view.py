"""The committee desk's presentation: which buttons a person gets for a dossier now.

``workflow.permissions`` decides; this module only turns the steps a person's roles allow
on the dossier now into buttons. Every button carries the
dossier id and the version it was drawn for (a vote carries the ballot id instead, so
that a member can change their vote while the ballot stays open); the desk re-checks
everything and the services check it again.
"""

from __future__ import annotations

from datetime import tzinfo

from handlers.buttons import CommentVote, DeskCode, DeskStep, VoteCode
from handlers.buttons import Vote as VoteData
from handlers.flows.dossier_view import shorten
from handlers.flows.publish import publication_button
from handlers.i18n import N_, Translator
from handlers.messages import Button
from workflow.actors import Role
from workflow.desk_tasks import DESK_ROLES
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier, Evaluation
from workflow.lifecycle import Action, Condition, State
from workflow.obligations import OBLIGATION_LABELS, Obligation
from workflow.permissions import allowed, includes, may
from workflow.voting import CHOICE_LABELS, EVALUATION, Ballot, Choice, Outcome, quorum_needed

PREFIX = DeskStep.prefix

# Button code -> (action, condition chosen by the button, label).
CODES: dict[DeskCode, tuple[Action, Condition | None, str]] = {
    "ca": (Action.CELL_AGREE, None, N_("Agree and send it up")),
    "cr": (Action.CELL_RETURN, None, N_("Return with reasons")),
    "rg": (Action.REGISTER, None, N_("Register")),
    "rc": (Action.RETURN_FOR_COMPLETION, None, N_("Return for completion")),
    "cx": (Action.MARK_COMPLEX, None, N_("Mark as complex (60 days)")),
    "fw": (Action.FORWARD_BEYOND_AUTHORITY, None, N_("Beyond authority: forward")),
    "aa": (Action.ASSIGN_APPRAISAL, None, N_("Assign the appraisal")),
    "fy": (Action.FILE_APPRAISAL, Condition.FEASIBLE, N_("Appraisal: feasible")),
    "fn": (Action.FILE_APPRAISAL, Condition.NOT_FEASIBLE, N_("Appraisal: not feasible")),
    "lr": (Action.ASSIGN_LEGAL_REVIEW, None, N_("Ask for the legal-risk review")),
    "fl": (Action.FILE_LEGAL_REVIEW, None, N_("File the legal-risk review")),
    "ob": (Action.OPEN_BALLOT, None, N_("Open the vote")),
    "cb": (Action.CLOSE_BALLOT, None, N_("Close the vote")),
    "hy": (Action.HEAD_DECIDE, Condition.OVERRIDE, N_("Let it proceed (my responsibility)")),
    "hn": (Action.HEAD_DECIDE, Condition.DECLINE, N_("Do not let it proceed")),
    "wa": (Action.SEND_WRITTEN_ANSWER, None, N_("Record the written answer")),
    "si": (Action.START_IMPLEMENTATION, None, N_("Start implementation")),
    "pg": (Action.REPORT_PROGRESS, None, N_("Report progress")),
    "ic": (Action.REPORT_INCIDENT, None, N_("Report a risk or error")),
    "pr": (Action.REQUEST_PROTECTION, None, N_("Ask for protection")),
    "co": (Action.REPORT_COMPLETION, None, N_("Report completion")),
    "oe": (Action.OPEN_EVALUATION, None, N_("Put the evaluation to the collective's vote")),
    "ev": (Action.RECORD_EVALUATION, None, N_("Record an evaluation decided at a meeting")),
    "cl": (Action.CLOSE, None, N_("Close the dossier")),
    "ce": (Action.CONCLUDE_EMERGENCY, None, N_("Record the collective's conclusion")),
}
# States where a vote was held and did not decide: a new one may be opened.
AGAIN = frozenset({State.QUORUM_NOT_MET, State.NO_CONSENSUS})
# The proposer's own steps after approval, offered on their dossier and in notifications.
PROPOSER_CODES = frozenset({"si", "pg", "ic", "pr", "co"})
# Codes that need a text from the person before the service is called, and what to ask.
ASKS: dict[str, str] = {
    "cr": N_("Please write the reasons for returning the plan: what should the proposer fix?"),
    "rc": N_("Please write what is missing from the dossier."),
    "cx": N_("Please write why this is a difficult, complex matter."),
    "fw": N_("Please write the proposed solution to send with the dossier to the competent "
             "level."),
    "fy": N_("Please write the appraisal's findings (the plan is feasible)."),
    "fn": N_("Please write the appraisal's findings: why is the plan not feasible or not "
             "effective?"),
    "fl": N_("Please write the legal-risk advice."),
    "hy": N_("Please write the reasons for letting the plan proceed. You will have to report "
             "this decision in writing to the direct superior at once."),
    "hn": N_("Please write the reasons for not letting the plan proceed."),
    "wa": N_("Please write the number and date of the written answer (e.g. 15-CV/ĐU, "
             "24/11/2026)."),
    "od": N_("Please write the number and date of the written report."),
    "pg": N_("Please write the progress report: what has been done, results, difficulties."),
    "ic": N_("Please describe the risk or error that occurred and what has been done about "
             "it. The collective that approved the plan will report it to its direct superior "
             "at once."),
    "pr": N_("Please write what protection you ask for, and why."),
    "co": N_("Please write the completion report: the results achieved."),
    "ev": N_("Please write the collective's evaluation of the results."),
    "eo": N_("Please write the proposed evaluation of the results that the collective will "
             "vote on: what was achieved, and why these forms of encouragement."),
    "ce": N_("Please write the collective's conclusion on the emergency action (and the "
             "number of the document recording it)."),
}
VOTE_CODES: dict[VoteCode, Choice] = {"a": Choice.APPROVE, "r": Choice.REJECT,
                                 "p": Choice.RE_PREPARE, "x": Choice.ABSTAIN}
VOTE_LABELS: dict[Choice, str] = {
    Choice.APPROVE: N_("Approve"),
    Choice.REJECT: N_("Do not approve"),
    Choice.RE_PREPARE: N_("Re-prepare"),
    Choice.ABSTAIN: N_("Abstain"),
}


def offered(dossier: Dossier, roles: frozenset[Role]) -> list[DeskCode]:
    """The desk codes ``roles`` may press on ``dossier`` now (``workflow.permissions``)."""
    desk = allowed(dossier, roles & DESK_ROLES)
    own = allowed(dossier, roles & (DESK_ROLES | {Role.PROPOSER}))
    return [code for code, (action, chosen, _label) in CODES.items()
            if includes(own if code in PROPOSER_CODES else desk, action, chosen)]


def may_vote(dossier: Dossier, roles: frozenset[Role]) -> bool:
    return may(dossier, roles, Action.CAST_VOTE)


def buttons(dossier: Dossier, roles: frozenset[Role], t: Translator,
            abstain: bool = True) -> list[tuple[Button, ...]]:
    """Rows of buttons for what ``roles`` may do on ``dossier`` now, then "open it"."""
    out: list[tuple[Button, ...]] = []
    if may_vote(dossier, roles) and dossier.ballot_ids:
        ballot = dossier.ballot_ids[-1]
        choices = [c for c in VOTE_CODES.items() if abstain or c[1] is not Choice.ABSTAIN]
        if dossier.state is State.EVALUATION_OPEN:  # a proposal: approved or not
            choices = [c for c in choices if c[1] is not Choice.RE_PREPARE]
        out.append(tuple(Button(t(VOTE_LABELS[choice]),
                                VoteData(dossier.id, ballot, code))
                         for code, choice in choices))
        out.append((Button(t("Add a comment to my vote"), CommentVote(dossier.id, ballot)),))
    for code in offered(dossier, roles):
        label = CODES[code][2]
        if code == "ob" and dossier.state in AGAIN:
            label = N_("Open the vote again (new closing time)")
        out.append((Button(t(label), DeskStep(code, dossier.id, dossier.version)),))
    out += publication_button(dossier, roles, t)  # 887 Điều 5 khoản 3 (flows.publish)
    return out


def status_lines(dossier: Dossier, ballot: Ballot | None, obligations: list[Obligation],
                 t: Translator, zone: tzinfo | None, person: str) -> list[str]:
    """What the desk adds to a dossier's text: appraisal, the open vote, pending duties."""
    lines: list[str] = []
    if dossier.state is State.APPRAISAL_ASSIGNED and dossier.appraisal_due_on:
        due = t.date(dossier.appraisal_due_on, "dd/MM/yyyy")
        lines.append(t("Appraisal council; the appraisal is due by {due}.", due=due)
                     if dossier.appraisal_council else
                     t("The appraisal is due by {due}.", due=due))
    if dossier.state is State.LEGAL_REVIEW_ASSIGNED and dossier.legal_review_due_on:
        lines.append(t("The legal-risk advice is due by {due}.",
                       due=t.date(dossier.legal_review_due_on, "dd/MM/yyyy")))
    if dossier.appraisal is not None:
        verdict = t("feasible") if dossier.appraisal.feasible else t("not feasible")
        lines.append(t("Appraisal: {verdict}; {summary}", verdict=verdict,
                       summary=shorten(dossier.appraisal.summary, 300)))
        if dossier.appraisal.attachments:
            lines.append(t("Files of the appraisal report: {files}",
                           files=", ".join(dossier.appraisal.attachments)))
    if (ballot is not None and ballot.outcome is Outcome.QUORUM_NOT_MET
            and dossier.state is State.QUORUM_NOT_MET and ballot.rule.head_must_vote
            and ballot.voters.head not in ballot.votes):
        lines.append(t("The last vote closed without the head's vote, and the head chairs "
                       "the collective: nothing was decided."))
    elif (ballot is not None and ballot.outcome is Outcome.QUORUM_NOT_MET
            and dossier.state is State.QUORUM_NOT_MET):
        lines.append(t("The last vote closed without its quorum: {cast} of the {needed} votes "
                       "required were cast. Nothing was decided.", cast=ballot.tally().cast,
                       needed=quorum_needed(ballot.rule, ballot.voters.base)))
    if dossier.state is State.EVALUATION_OPEN and dossier.evaluation_proposal is not None:
        lines.append(t("Evaluation put to the vote: {evaluation}.",
                       evaluation=describe(t, dossier.evaluation_proposal)))
    if ballot is not None and ballot.is_open:
        tally = ballot.tally()
        closes = (ballot.closes_at.astimezone(zone).strftime("%H:%M %d/%m/%Y")
                  if ballot.closes_at else "-")
        if ballot.purpose == EVALUATION:
            # 887 Điều 5: the evaluation is adopted or not; it has no re-preparation.
            lines.append(t("Vote on the evaluation open until {closes}: for {a}, against {r}, "
                           "abstain {x}; {left} not voted yet.", closes=closes,
                           a=tally.approve, r=tally.reject, x=tally.abstain,
                           left=len(ballot.pending_voters())))
        else:
            lines.append(t("Vote open until {closes}: approve {a}, do not approve {r}, "
                           "re-prepare {p}, abstain {x}; {left} not voted yet.", closes=closes,
                           a=tally.approve, r=tally.reject, p=tally.re_prepare,
                           x=tally.abstain, left=len(ballot.pending_voters())))
        if person in ballot.votes:
            lines.append(t("Your vote: {choice}.",
                           choice=t(CHOICE_LABELS[ballot.votes[person].choice])))
            if ballot.votes[person].comment:
                lines.append(t("Your comment: {comment}",
                               comment=shorten(ballot.votes[person].comment, 300)))
    for item in obligations:
        if item.is_open:
            lines.append(t("Duty pending: {duty}.", duty=t(OBLIGATION_LABELS[item.kind])))
    return lines


def describe(t: Translator, proposal: Evaluation) -> str:
    """A proposed or adopted evaluation in words: the verdict, the forms, upward or not."""
    forms = "; ".join(f"{f.value}) {t(ENCOURAGEMENT_LABELS[f])}" for f in proposal.forms)
    text = (t("real results; encouragement: {forms}", forms=forms) if proposal.effective
            else t("no real results; no encouragement"))
    if proposal.proposed_upward:
        text = t("{evaluation}; forms beyond the collective's authority proposed to the "
                 "competent higher level", evaluation=text)
    return text
