"""Making the results of encouragement public (887 Điều 5 khoản 3).

"Công khai kết quả khuyến khích để lan tỏa việc làm tốt và tạo điều kiện cho Nhân dân
giám sát": once the collective has evaluated a plan, the committee (its office or head,
``lifecycle.COMMITTEE``) chooses whether to publish it and what: the plan's title (as
the committee words it for the public), the unit, the outcome and the forms of
encouragement decided. Nothing about a person is published: no name, no contact. The
committee may withdraw a publication and publish again.

A publication is kept apart from the dossier (``PublicationRepository``), one per
dossier, as a snapshot of what was made public; the step itself goes into the dossier's
history, hence into the audit trail, with who and when, in the same transaction.
Pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from workflow import events as ev
from workflow.actors import Role
from workflow.commands import DossierCommand
from workflow.dossier import Dossier, EncouragementForm
from workflow.errors import TransitionNotAllowed, ValidationError
from workflow.i18n import N_
from workflow.lifecycle import Action
from workflow.organisation import OrgBody
from workflow.permissions import may
from workflow.ports import Clock, UnitOfWork
from workflow.service_kit import load, now_of, permit

MAX_TITLE = 500
MAX_UNIT = 300


@dataclass(frozen=True)
class Publication:
    """What a committee made public about one evaluated plan, as it was published."""

    dossier_id: int
    body: str  # the concrete office body of the route: the committee is the one above it
    pack_id: str  # for the letterhead's layout (party or state)
    title: str  # the plan's title as published
    unit: str  # the proposing unit's name; "" when the committee chose not to name it
    effective: bool  # the plan brought real results
    forms: tuple[EncouragementForm, ...]  # the forms of encouragement published
    proposed_upward: bool  # forms proposed to the competent higher level
    evaluated_on: datetime  # when the collective's evaluation was adopted
    published_by: str
    published_at: datetime
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class CommitteeResults:
    """The results one committee has published: the notice's and the page's content.
    ``line`` is the committee and the bodies above it, nearest first (its letterhead)."""

    committee: str  # body id
    name: str  # "Đảng ủy xã Tân Phước"
    line: tuple[OrgBody, ...]
    publications: tuple[Publication, ...]

    @property
    def pack_id(self) -> str:
        return self.publications[0].pack_id if self.publications else ""


class PublicationRepository(Protocol):
    async def get(self, dossier_id: int, /) -> Publication | None:
        """The dossier's publication, public or withdrawn; None if it never was."""
        ...

    async def put(self, publication: Publication, /) -> None:
        """Keep ``publication`` (new, or replacing the dossier's); written on commit."""
        ...

    async def public(self, under: Collection[str] | None = None, /
                     ) -> list[CommitteeResults]:
        """The publications in force of the bodies ``under`` and the bodies below them
        (None: the whole installation), by publishing committee (the committee above the
        office that published, by name), each oldest first."""
        ...


class PublishingUnitOfWork(UnitOfWork, Protocol):
    @property
    def publications(self) -> PublicationRepository: ...


@dataclass(frozen=True, kw_only=True)
class PublishResults(DossierCommand):
    """Publish the evaluated results of a dossier. ``unit`` is the proposing unit's name
    (the caller reads it from the organisation); ``title`` None publishes the plan's own;
    ``forms`` None publishes every form decided, else a choice among them."""

    unit: str = ""
    name_unit: bool = True
    title: str | None = None
    forms: tuple[EncouragementForm, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class WithdrawPublication(DossierCommand):
    pass


def publication_steps(dossier: Dossier, roles: Collection[Role],
                      publication: Publication | None) -> tuple[Action, ...]:
    """Which of publish and withdraw ``roles`` may take now, given the dossier's current
    publication: ``workflow.permissions`` decides on state and role, as for every step;
    only an evaluation is published (a dossier closed without one has nothing to show)."""
    if dossier.evaluation is None:
        return ()
    public = publication is not None and publication.is_public
    wanted = Action.WITHDRAW_PUBLICATION if public else Action.PUBLISH_RESULTS
    return (wanted,) if may(dossier, roles, wanted) else ()


def chosen_forms(dossier: Dossier, forms: tuple[EncouragementForm, ...] | None
                 ) -> tuple[EncouragementForm, ...]:
    """The forms to publish: all those decided, or a choice among them."""
    assert dossier.evaluation is not None
    decided = dossier.evaluation.forms
    if forms is None:
        return decided
    unique = tuple(dict.fromkeys(forms))
    if any(f not in decided for f in unique):
        raise ValidationError(N_("Only forms of encouragement the collective decided can "
                                 "be published."))
    return unique


def _text(value: str, limit: int, what: str) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise ValidationError(N_("{what} is too long (at most {limit} characters)."),
                              labels=("what",), what=what, limit=limit)
    return cleaned


async def publish_results(cmd: PublishResults, uow: PublishingUnitOfWork,
                          clock: Clock) -> Publication:
    """Make the evaluated results of a dossier public (again, after a withdrawal)."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.PUBLISH_RESULTS)
        evaluation = dossier.evaluation
        if evaluation is None:
            raise TransitionNotAllowed(N_("The results are published once the collective "
                                          "has evaluated them."))
        current = await uow.publications.get(dossier.id)
        if current is not None and current.is_public:
            raise TransitionNotAllowed(N_("These results are published already."))
        title = _text(dossier.plan.title if cmd.title is None else cmd.title, MAX_TITLE,
                      N_("The title"))
        if not title:
            raise ValidationError(N_("Please write {what}."), labels=("what",),
                                  what=N_("the title to publish"))
        unit = _text(cmd.unit, MAX_UNIT, N_("The unit's name")) if cmd.name_unit else ""
        forms = chosen_forms(dossier, cmd.forms)
        now = now_of(clock)
        publication = Publication(
            dossier_id=dossier.id, body=dossier.body(dossier.route.via),
            pack_id=dossier.pack_id, title=title, unit=unit, effective=evaluation.effective,
            forms=forms, proposed_upward=evaluation.proposed_upward and bool(forms),
            evaluated_on=evaluation.at, published_by=cmd.actor.person_id, published_at=now)
        await uow.publications.put(publication)
        dossier.apply(step, cmd.actor.person_id, now, [ev.ResultsPublished(
            dossier_id=dossier.id, at=now, notify=(*dossier.to_proposers(),
                                                   dossier.to_office()),
            effective=evaluation.effective, forms=tuple(f.value for f in forms))])
        await uow.commit()
        return publication


async def withdraw_publication(cmd: WithdrawPublication, uow: PublishingUnitOfWork,
                               clock: Clock) -> Publication:
    """Take a dossier's published results down (the record of them stays)."""
    async with uow:
        dossier = await load(uow, cmd)
        step = permit(dossier, cmd.actor, Action.WITHDRAW_PUBLICATION)
        current = await uow.publications.get(dossier.id)
        if current is None or not current.is_public:
            raise TransitionNotAllowed(N_("These results are not published."))
        now = now_of(clock)
        withdrawn = replace(current, withdrawn_by=cmd.actor.person_id, withdrawn_at=now)
        await uow.publications.put(withdrawn)
        dossier.apply(step, cmd.actor.person_id, now, [ev.PublicationWithdrawn(
            dossier_id=dossier.id, at=now, notify=dossier.to_proposers())])
        await uow.commit()
        return withdrawn
