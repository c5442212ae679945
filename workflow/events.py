"""Domain events: what happened to a dossier, and who must be told.

Services append events to the dossier; the unit of work hands them out after
commit (``collect_new_events``) and storage writes the matching notifications to
the outbox in the same transaction. Every event carries the dossier id, the time
and ``notify``: the recipients a notifier must reach, as a role on a concrete body
(with the route's name for it, for wording) or as a person.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin

from workflow.actors import Role
from workflow.obligations import ObligationKind
from workflow.voting import Choice, Outcome, Tally


@dataclass(frozen=True)
class Recipient:
    """Someone to notify: a person, or whoever holds ``role`` on ``body``.

    ``role`` None means the body itself (e.g. a People's Committee that only
    receives a copy for information).
    """

    role: Role | None
    body: str | None = None  # concrete organisation body
    route_body: str | None = None  # what the route calls it (e.g. "commune_party_office")
    person: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    dossier_id: int
    at: datetime
    notify: tuple[Recipient, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DraftCreated(Event):
    proposer: str


@dataclass(frozen=True, kw_only=True)
class DraftUpdated(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class DossierSubmitted(Event):
    """The dossier was sent to the party cell or to the committee office."""

    to_route_body: str
    to_body: str
    round: int  # 1, then +1 each time it comes back after re-preparation


@dataclass(frozen=True, kw_only=True)
class InformationCopyDue(Event):
    """The route's ``also_inform`` duty: this body must be sent a copy for information."""

    route_body: str
    body: str


@dataclass(frozen=True, kw_only=True)
class CellAgreed(Event):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CellReturned(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class DossierRegistered(Event):
    registration_number: str
    received_on: date


@dataclass(frozen=True, kw_only=True)
class DeadlineSet(Event):
    """The written answer is due on ``due_on`` (working days from receipt)."""

    deadline_id: str  # pack deadline id: "answer" or "answer_complex"
    working_days: int
    received_on: date
    due_on: date
    # Reminded of the deadline with the office (not notified of the event itself): the
    # route's head, and the direct superior told once the answer is overdue.
    head: Recipient | None = None
    superior: Recipient | None = None


@dataclass(frozen=True, kw_only=True)
class ReturnedForCompletion(Event):
    missing: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkedComplex(Event):
    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class DossierForwarded(Event):
    """Beyond authority: sent to ``to_body``; ``skips_level`` when that is not the direct
    superior, which is then informed too (887 Điều 4 khoản 2)."""

    to_route_body: str | None
    to_body: str
    skips_level: bool
    proposed_solution: str


@dataclass(frozen=True, kw_only=True)
class AppraisalAssigned(Event):
    """The appraisal is due on ``due_on`` (``working_days`` from the day it was assigned)."""

    appraisers: tuple[str, ...]
    route_body: str | None  # None: an appraisal council of the named people
    body: str | None
    due_on: date | None = None
    working_days: int = 0
    council: bool = False


@dataclass(frozen=True, kw_only=True)
class AppraisalFiled(Event):
    feasible: bool
    summary: str


@dataclass(frozen=True, kw_only=True)
class WrittenNoticeRequired(Event):
    """The appraisal found the plan infeasible: the proposer is told so in writing."""

    issued_by_route_body: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LegalReviewAssigned(Event):
    """The legal-risk advice is due on ``due_on`` (``working_days`` from assignment)."""

    reviewers: tuple[str, ...]
    route_body: str
    body: str
    due_on: date | None = None
    working_days: int = 0


@dataclass(frozen=True, kw_only=True)
class LegalReviewFiled(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class BallotOpened(Event):
    ballot_id: int
    route_body: str
    body: str
    voters: tuple[str, ...]
    closes_at: datetime | None
    purpose: str = "decision"  # or "evaluation": the collective votes on the evaluation


@dataclass(frozen=True, kw_only=True)
class VoteCast(Event):
    ballot_id: int
    voter: str
    choice: Choice
    changed: bool
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class BallotClosed(Event):
    ballot_id: int
    outcome: Outcome
    tally: Tally
    automatic: bool
    # (voter, choice, comment) of each vote that came with a comment, for the committee.
    comments: tuple[tuple[str, str, str], ...] = ()
    base: int = 0  # the counted members the rule counts from
    needed: int = 0  # votes the attendance quorum asks for (0: no quorum)
    # The rule needs the head's vote (ND 73: the head chairs) and the head did not vote.
    head_missing: bool = False


@dataclass(frozen=True, kw_only=True)
class BallotCancelled(Event):
    ballot_id: int


@dataclass(frozen=True, kw_only=True)
class DecisionMade(Event):
    """The competent level decided: by the collective's ballot or by the head alone."""

    outcome: Outcome
    by_head: bool
    route_body: str
    ballot_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ObligationCreated(Event):
    obligation_id: int
    kind: ObligationKind
    owner: str
    owner_body: str
    to: str


@dataclass(frozen=True, kw_only=True)
class ObligationFulfilled(Event):
    obligation_id: int
    kind: ObligationKind
    reference: str | None
    document_id: int | None = None  # the document recorded with it, if drafted here


@dataclass(frozen=True, kw_only=True)
class ProtectionDecided(Event):
    """887 Điều 7 khoản 5: the committee decided on the cadre's protection request."""

    obligation_id: int
    outcome: str  # a ``workflow.protection.ProtectionOutcome`` value
    measures: str


@dataclass(frozen=True, kw_only=True)
class IncidentVerified(Event):
    """887 Điều 6 khoản 2 c: the direct superior verified the incident and concluded."""

    obligation_id: int
    conclusion: str


@dataclass(frozen=True, kw_only=True)
class WrittenAnswerSent(Event):
    reference: str
    outcome: Outcome | None
    document_id: int | None = None  # the answer as recorded, if drafted here


@dataclass(frozen=True, kw_only=True)
class DocumentRecorded(Event):
    """A document no step waits for was numbered and signed (minutes, a resolution...)."""

    document_id: int
    kind: str
    reference: str


@dataclass(frozen=True, kw_only=True)
class ImplementationStarted(Event):
    # Who owes progress reports from now on (reminded, not notified of the event).
    reporters: tuple[Recipient, ...] = ()
    every: int | None = None  # the plan's cadence in working days; None: the default


@dataclass(frozen=True, kw_only=True)
class ProgressReported(Event):
    summary: str
    reporters: tuple[Recipient, ...] = ()  # the next report is due from them
    every: int | None = None  # the plan's cadence in working days; None: the default


@dataclass(frozen=True, kw_only=True)
class IncidentReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class ProtectionRequested(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class CompletionReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class EvaluationRecorded(Event):
    effective: bool
    forms: tuple[str, ...]  # EncouragementForm values, 887 Điều 5 khoản 2 a–h
    proposed_upward: bool
    summary: str


@dataclass(frozen=True, kw_only=True)
class DossierClosed(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class DossierWithdrawn(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class EmergencyReported(Event):
    summary: str


@dataclass(frozen=True, kw_only=True)
class EmergencyConcluded(Event):
    conclusion: str


@dataclass(frozen=True, kw_only=True)
class ResultsPublished(Event):
    """887 Điều 5 khoản 3: the evaluated results are made public."""

    effective: bool
    forms: tuple[str, ...]  # EncouragementForm values published


@dataclass(frozen=True, kw_only=True)
class PublicationWithdrawn(Event):
    pass


# Reading an event back ---------------------------------------------------------------
# The outbox keeps an event as ``{"event": class name, "data": its fields as JSON}``
# (``storage.codec.dump``, ``notify`` left out). The notices read it back typed here, so
# a renamed event or field fails loudly (and is logged) instead of reading as blanks.


class EventDecodeError(ValueError):
    """A stored event this code cannot read: an unknown name, or data that does not fit."""

    def __init__(self, event: str, problem: str) -> None:
        super().__init__(f"stored event {event or '(no name)'}: {problem}")
        self.event, self.problem = event, problem


def _subclasses(kind: type[Event]) -> list[type[Event]]:
    found: list[type[Event]] = []
    for sub in kind.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


# Every event class by the name the outbox stores it under.
EVENT_TYPES: dict[str, type[Event]] = {k.__name__: k for k in _subclasses(Event)}


def decode_event(name: str, data: Mapping[str, Any], at: datetime | None = None) -> Event:
    """The event an outbox row describes, with its dates, enums and tuples restored.

    Tolerant of older rows: a field they lack takes its default, and a key the class no
    longer has is ignored; ``at``, if given, stands for the event's time in a row written
    without one (by hand: no text reads it). An unknown name, a missing field without a
    default or a value of the wrong type raises :class:`EventDecodeError`.
    """
    kind = EVENT_TYPES.get(name)
    if kind is None:
        raise EventDecodeError(name, "no event of that name")
    if at is not None and isinstance(data, Mapping) and "at" not in data:
        data = {**data, "at": at.isoformat()}
    try:
        value = _decode(kind, data)
    except (TypeError, ValueError) as exc:
        raise EventDecodeError(name, str(exc)) from exc
    assert isinstance(value, Event)
    return value


def decode_recipient(data: Mapping[str, Any] | None) -> Recipient:
    """The recipient an outbox row was written for (``{}``: the body itself, no role)."""
    try:
        value = _decode(Recipient, dict(data or {"role": None}))
    except (TypeError, ValueError) as exc:
        raise EventDecodeError("Recipient", str(exc)) from exc
    assert isinstance(value, Recipient)
    return value


def _decode(kind: Any, raw: Any) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        if raw is None:
            return None
        if len(options) != 1:
            raise TypeError(f"cannot read a value of {kind}")
        return _decode(options[0], raw)
    if origin is tuple:
        args = get_args(kind)
        if not isinstance(raw, list | tuple):
            raise TypeError(f"expected a list, got {raw!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in raw)
        if len(args) != len(raw):
            raise ValueError(f"expected {len(args)} items, got {raw!r}")
        return tuple(_decode(a, v) for a, v in zip(args, raw, strict=True))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is datetime:
        if not isinstance(raw, str):
            raise TypeError(f"expected a date and time, got {raw!r}")
        return datetime.fromisoformat(raw)
    if kind is date:
        if not isinstance(raw, str):
            raise TypeError(f"expected a date, got {raw!r}")
        return date.fromisoformat(raw)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(raw, Mapping):
            raise TypeError(f"{kind.__name__} expected an object, got {raw!r}")
        hints = typing.get_type_hints(kind)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(kind):
            if not f.init:
                continue
            if f.name in raw:
                try:
                    values[f.name] = _decode(hints[f.name], raw[f.name])
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"field {f.name!r}: {exc}") from exc
            elif (f.default is dataclasses.MISSING
                  and f.default_factory is dataclasses.MISSING):
                raise ValueError(f"missing field {f.name!r}")
        return kind(**values)
    if kind in (str, int, bool):
        if type(raw) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {raw!r}")
        return raw
    raise TypeError(f"cannot read a value of {kind!r}")
