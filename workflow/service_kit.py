"""What every service does the same way: load, check, record obligations.

Services follow one discipline so that a refused action changes nothing: load the
dossier, check version, state, role and the command's content, and only then
mutate and queue events. The unit of work rolls back whatever was not committed.
"""

from __future__ import annotations

from datetime import date, datetime

from workflow import conflicts, lifecycle
from workflow.actors import Actor
from workflow.commands import DossierCommand
from workflow.dossier import Dossier
from workflow.errors import NotFound, StaleVersion, ValidationError
from workflow.events import ObligationCreated, Recipient
from workflow.i18n import N_
from workflow.lifecycle import Action, Condition, Transition
from workflow.obligations import Obligation, ObligationKind
from workflow.ports import Clock, UnitOfWork

SYSTEM = "system"  # who the history names when the scheduler or a rule acts

REASON = N_("the reason")
SUMMARY = N_("a short summary")
REFERENCE = N_("the number of the written document")


async def load(uow: UnitOfWork, cmd: DossierCommand) -> Dossier:
    """The command's dossier, refusing an unknown id or a stale version."""
    dossier = await uow.dossiers.get(cmd.dossier_id)
    if dossier is None:
        raise NotFound(N_("There is no dossier number {number}."), number=cmd.dossier_id)
    check_version(dossier.version, cmd.expected_version)
    return dossier


async def load_obligation(uow: UnitOfWork, obligation_id: int,
                          expected_version: int | None) -> tuple[Obligation, Dossier]:
    """A duty and its dossier, refusing an unknown id or a stale version."""
    obligation = await uow.obligations.get(obligation_id)
    if obligation is None:
        raise NotFound(N_("There is no reporting duty number {number}."),
                       number=obligation_id)
    check_version(obligation.version, expected_version)
    dossier = await uow.dossiers.get(obligation.dossier_id)
    if dossier is None:
        raise NotFound(N_("There is no dossier number {number}."),
                       number=obligation.dossier_id)
    return obligation, dossier


def check_version(current: int, expected: int | None) -> None:
    """Refuse an action prepared on an older version of the record."""
    if expected is not None and expected != current:
        raise StaleVersion()


def permit(
    dossier: Dossier, actor: Actor, action: Action, *conditions: Condition
) -> Transition:
    """The lifecycle row allowing ``actor`` to take ``action`` on ``dossier`` now.

    A proposer acts on their own plan only as proposer (``workflow.conflicts``).
    """
    facts = {*dossier.route_conditions(), *conditions}
    conflicts.check(dossier, dossier.roles_of(actor), action, facts)
    return lifecycle.permit(action, dossier.state, conflicts.acting_roles(dossier, actor), facts)


def now_of(clock: Clock) -> datetime:
    """The clock's time; a naive time would make deadlines ambiguous, so refuse it."""
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must give tz-aware times (Asia/Ho_Chi_Minh)")
    return now


def today(clock: Clock) -> date:
    """Today's date in the organisation's time zone."""
    return now_of(clock).date()


def text(value: str, what: str) -> str:
    """``value`` stripped, or a ValidationError asking for ``what`` (a msgid)."""
    if not value or not value.strip():
        raise ValidationError(N_("Please write {what}."), labels=("what",), what=what)
    return value.strip()


def people(values: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A non-empty list of person ids without repeats, or a ValidationError."""
    unique = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not unique:
        raise ValidationError(N_("Please name {what}."), labels=("what",), what=what)
    return unique


def committee(dossier: Dossier) -> tuple[Recipient, Recipient]:
    """The office and the head: who acts for the competent level."""
    return (dossier.to_office(), dossier.to_head())


async def new_obligation(
    uow: UnitOfWork,
    dossier: Dossier,
    kind: ObligationKind,
    owner: str,
    to: str,
    at: datetime,
) -> ObligationCreated:
    """Record a duty to report and return the event announcing it (not yet queued)."""
    obligation = Obligation(
        id=await uow.obligations.next_id(),
        dossier_id=dossier.id,
        kind=kind,
        owner=owner,
        owner_body=dossier.body(owner),
        to=to,
        created_at=at,
    )
    await uow.obligations.add(obligation)
    return ObligationCreated(
        dossier_id=dossier.id,
        at=at,
        notify=committee(dossier),
        obligation_id=obligation.id,
        kind=kind,
        owner=owner,
        owner_body=obligation.owner_body,
        to=to,
    )


def deciding_body(dossier: Dossier) -> str:
    """The route body that decided (the head, after an override) or would decide."""
    return dossier.decision.route_body if dossier.decision else dossier.route.decision_bodies[0]
