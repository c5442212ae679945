"""Each consideration of a dossier and its written answer, read back from the history.

887 Điều 4 khoản 3: the competent level answers in writing within 30 working days of
receiving the dossier (60 when complex). A round starts when the office registers the
dossier (again after a return for completion: the clock restarts) and ends with the
written answer (approved, not approved, re-prepare) or the written notice that the plan
is not feasible; a dossier forwarded beyond authority or withdrawn leaves the round
without an answer from this body, and it is not timed. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from workflow.calendar import WorkingDays
from workflow.dossier import Dossier, HistoryEntry
from workflow.intake import ANSWER, DEFAULT_DAYS
from workflow.lifecycle import Action, State
from workflow.obligations import Obligation, ObligationKind
from workflow.quiet_hours import VIETNAM

# How a timed round ended.
APPROVED, REJECTED, RE_PREPARE, NOT_FEASIBLE = "approved", "rejected", "re_prepare", "not_feasible"
# How an untimed round ended (no answer owed by this body).
ESCALATED, WITHDRAWN = "escalated", "withdrawn"
_ANSWERED_FROM = {State.APPROVED: APPROVED, State.REJECTED: REJECTED,
                  State.RETURNED_FOR_RE_PREPARATION: RE_PREPARE}


@dataclass(frozen=True)
class Round:
    """One registration of the dossier and what became of it."""

    number: int  # 1, 2, ... (a new round after re-preparation)
    received_on: date
    due_on: date
    answered_on: date | None  # the written answer or notice, when sent
    ending: str | None  # APPROVED ... WITHDRAWN; None: still under consideration


def local_day(moment: datetime, zone: tzinfo = VIETNAM) -> date:
    """The day a moment falls on in Vietnam (history times are stored in UTC)."""
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


def rounds(dossier: Dossier, obligations: list[Obligation], calendar: WorkingDays,
           zone: tzinfo = VIETNAM) -> list[Round]:
    """The dossier's rounds in order, each with its receipt, due date and answer.

    The dates of receipt and due dates are the ones recorded (a receipt may be entered
    for an earlier day); a round whose record was cleared falls back on the day of its
    registration and the pack's answer period.
    """
    found: list[Round] = []
    number, started, ending, answered = 1, None, None, None

    def close() -> None:
        nonlocal started, ending, answered
        if started is not None:
            received, due = _dates(dossier, number, started, calendar, zone)
            found.append(Round(number, received, due, answered, ending))
        started, ending, answered = None, None, None

    for entry in dossier.history:
        action = entry.action
        if action == Action.REGISTER:
            if ending is not None:
                close()
            started = entry
        elif action == Action.RETURN_FOR_COMPLETION:
            started = None  # the clock starts again on the new receipt
        elif action == Action.RESUBMIT and entry.from_state == State.RETURNED_FOR_RE_PREPARATION:
            ending = ending or RE_PREPARE  # decided, even if no answer was recorded
            close()
            number += 1
        elif started is None or ending is not None:
            continue
        elif action == Action.SEND_WRITTEN_ANSWER and entry.from_state in _ANSWERED_FROM:
            ending = _ANSWERED_FROM[entry.from_state]
            answered = local_day(entry.at, zone)
        elif action == Action.FILE_APPRAISAL and entry.to_state == State.CLOSED:
            ending = NOT_FEASIBLE
            answered = _notice_day(obligations, entry, zone)
        elif action == Action.FORWARD_BEYOND_AUTHORITY:
            ending = ESCALATED
        elif action == Action.WITHDRAW:
            ending = WITHDRAWN
    close()
    return found


def _dates(dossier: Dossier, number: int, started: HistoryEntry, calendar: WorkingDays,
           zone: tzinfo) -> tuple[date, date]:
    received: date | None = None
    due: date | None = None
    if number == dossier.round:
        received, due = dossier.received_on, dossier.due_on
    else:
        past = next((r for r in dossier.past_rounds if r.number == number), None)
        if past is not None:
            received, due = past.received_on, past.due_on
    received = received or local_day(started.at, zone)
    if due is None:
        due = calendar.add_working_days(received, dossier.deadline_days(ANSWER,
                                                                        DEFAULT_DAYS[ANSWER]))
    return received, due


def _notice_day(obligations: list[Obligation], entry: HistoryEntry, zone: tzinfo) -> date | None:
    """When the written notice that the plan is not feasible was sent, if it was."""
    notices = [o for o in obligations if o.kind is ObligationKind.SEND_NOT_FEASIBLE_NOTICE
               and o.done_at is not None and o.created_at >= entry.at]
    if not notices:
        return None
    done = min(notices, key=lambda o: o.created_at).done_at
    assert done is not None
    return local_day(done, zone)
