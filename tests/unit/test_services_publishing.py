"""Publishing the evaluated results (887 Điều 5 khoản 3; workflow.publishing): who may,
what is published, the history and events of each step, and withdrawing.

The same tests run on SQLite and PostgreSQL (tests/storage/test_publications_sql.py):
there ``uow_of`` hands out the SQL unit of work and the audit trail is read back too.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from tests import fakes
from tests.fakes import FakeUnitOfWork, Scenario, Store
from workflow import events as ev
from workflow import services as svc
from workflow.actors import Actor
from workflow.commands import Close
from workflow.dossier import EncouragementForm
from workflow.errors import NotPermitted, StaleVersion, TransitionNotAllowed, ValidationError
from workflow.lifecycle import Action, State
from workflow.organisation import OrgBody
from workflow.publishing import (
    CommitteeResults,
    Publication,
    PublishingUnitOfWork,
    PublishResults,
    WithdrawPublication,
    publication_steps,
    publish_results,
    withdraw_publication,
)
from workflow.voting import Choice

RECOGNITION, REWARDS = EncouragementForm.RECOGNITION, EncouragementForm.REWARDS


@dataclass
class PublicationStore:
    rows: dict[int, Publication] = field(default_factory=dict)


class FakePublications:
    def __init__(self, store: PublicationStore) -> None:
        self.store, self.pending = store, dict[int, Publication]()

    async def get(self, dossier_id: int, /) -> Publication | None:
        return self.pending.get(dossier_id) or self.store.rows.get(dossier_id)

    async def put(self, publication: Publication, /) -> None:
        self.pending[publication.dossier_id] = publication

    async def public(self, under: Collection[str] | None = None, /
                     ) -> list[CommitteeResults]:
        found: dict[str, list[Publication]] = {}
        for p in sorted(self.store.rows.values(), key=lambda p: p.published_at):
            if p.is_public and (under is None or p.body in under):
                found.setdefault(p.body, []).append(p)
        return [CommitteeResults(b, b, (OrgBody(b, b, b),), tuple(ps))
                for b, ps in sorted(found.items())]


class FakePublishingUow(FakeUnitOfWork):
    """The fake unit of work with publications, written only by a commit."""

    def __init__(self, store: Store, publications: PublicationStore) -> None:
        self.publication_store = publications
        super().__init__(store)

    def _fresh(self) -> None:
        super()._fresh()
        self.publications = FakePublications(self.publication_store)

    async def commit(self) -> None:
        await super().commit()
        self.publication_store.rows.update(copy.deepcopy(self.publications.pending))
        self.publications.pending.clear()

    async def rollback(self) -> None:
        await super().rollback()
        self.publications.pending.clear()


def uow_of(s: Scenario) -> PublishingUnitOfWork:
    if fakes.SQL_ENGINE is not None:
        return s.uow()  # type: ignore[return-value]  # the SQL unit of work has them
    # Kept on the scenario's store itself: an id() of a store already collected can be
    # handed to the next test's store, which would then see the old publications.
    store = getattr(s.store, "publication_store", None)
    if store is None:
        store = PublicationStore()
        s.store.publication_store = store  # type: ignore[attr-defined]
    uow = FakePublishingUow(s.store, store)
    s.last_uow = uow
    return uow


async def publish(s: Scenario, actor: Actor | None = None, **values: Any) -> Publication:
    values.setdefault("unit", "Trường Mầm non Tân Phước")
    return await publish_results(PublishResults(actor=actor or s.office, **s.ids(), **values),
                                 uow_of(s), s.clock)


async def withdraw(s: Scenario, actor: Actor | None = None) -> Publication:
    return await withdraw_publication(WithdrawPublication(actor=actor or s.office, **s.ids()),
                                      uow_of(s), s.clock)


async def public(s: Scenario) -> list[Publication]:
    uow = uow_of(s)
    async with uow:
        return [p for r in await uow.publications.public() for p in r.publications]


async def stored(s: Scenario) -> Publication | None:
    uow = uow_of(s)
    async with uow:
        return await uow.publications.get(s.dossier_id)


async def evaluated(forms: tuple[EncouragementForm, ...] = (RECOGNITION, REWARDS)
                    ) -> Scenario:
    s = Scenario("commune")
    await s.drive_to(State.COMPLETED)
    await s.open_evaluation(forms=forms)
    await s.closed(await s.votes(Choice.APPROVE, Choice.APPROVE, Choice.APPROVE))
    assert s.dossier.state is State.EVALUATED
    return s


async def test_the_office_publishes_the_evaluated_results_and_the_history_says_who_and_when():
    s = await evaluated()
    before = s.dossier.version
    published = await publish(s, title="  Số hóa   hồ sơ một cửa ")
    dossier = s.dossier
    assert dossier.state is State.EVALUATED and dossier.version == before + 1
    step = dossier.history[-1]
    assert (step.action, step.by, step.at) == ("publish_results", "office-clerk", s.clock.now())
    assert published.title == "Số hóa hồ sơ một cửa"  # spaces tidied
    assert published.unit == "Trường Mầm non Tân Phước"
    assert published.effective and published.forms == (RECOGNITION, REWARDS)
    assert published.published_by == "office-clerk" and published.is_public
    assert published.body == dossier.body(dossier.route.via)
    assert await stored(s) == published and await public(s) == [published]
    [event] = s.published(ev.ResultsPublished)
    assert isinstance(event, ev.ResultsPublished) and event.forms == ("c", "e")
    assert {r.person for r in event.notify if r.person} == {"cadre-1", "cadre-2"}
    if fakes.SQL_ENGINE is not None:
        from storage.db import session_factory
        from storage.models import AuditRecord

        async with session_factory(fakes.SQL_ENGINE)() as session:
            [record] = (await session.execute(select(AuditRecord).where(
                AuditRecord.action == "publish_results"))).scalars().all()
        assert (record.actor, record.dossier_id) == ("office-clerk", s.dossier_id)
        assert record.at == s.clock.now()


async def test_the_head_publishes_a_choice_of_the_forms_and_may_leave_the_unit_unnamed():
    s = await evaluated()
    published = await publish(s, s.head, forms=(REWARDS,), name_unit=False)
    assert published.forms == (REWARDS,) and published.unit == ""
    assert published.published_by == "secretary"


@pytest.mark.parametrize("who", ["proposer", "member", "outsider", "superior", "admin"])
async def test_only_the_office_and_the_head_may_publish(who: str):
    s = await evaluated()
    actor = {"proposer": s.proposer, "member": s.members[0], "outsider": s.outsider,
             "superior": s.superior, "admin": s.admin}[who]
    with pytest.raises(NotPermitted):
        await publish(s, actor)
    assert await stored(s) is None and not s.published(ev.ResultsPublished)
    assert s.dossier.history[-1].action != "publish_results"


async def test_a_dossier_not_yet_evaluated_is_not_published():
    s = Scenario("commune")
    await s.drive_to(State.COMPLETED)
    with pytest.raises(TransitionNotAllowed):
        await publish(s)
    assert await stored(s) is None


async def test_a_dossier_closed_without_an_evaluation_has_nothing_to_publish():
    s = Scenario("commune")
    await s.drive_to(State.CLOSED)
    roles = s.dossier.roles_of(s.office)
    assert publication_steps(s.dossier, roles, None) == ()
    with pytest.raises(TransitionNotAllowed):
        await publish(s)


async def test_an_evaluated_dossier_closed_afterwards_can_still_be_published():
    s = await evaluated()
    await svc.close(Close(actor=s.office, reason="done", **s.ids()), s.uow(), s.clock)
    assert s.dossier.state is State.CLOSED
    assert (await publish(s)).is_public


async def test_a_form_the_collective_did_not_decide_is_refused_and_nothing_is_kept():
    s = await evaluated(forms=(RECOGNITION,))
    version = s.dossier.version
    with pytest.raises(ValidationError):
        await publish(s, forms=(REWARDS,))
    with pytest.raises(ValidationError):
        await publish(s, title="   ")
    with pytest.raises(ValidationError):
        await publish(s, title="x" * 501)
    assert s.dossier.version == version and await stored(s) is None


async def test_publishing_twice_is_refused_and_a_stale_button_too():
    s = await evaluated()
    version = s.dossier.version
    await publish(s)
    with pytest.raises(TransitionNotAllowed):
        await publish(s)
    with pytest.raises(StaleVersion):
        await withdraw_publication(WithdrawPublication(actor=s.office, expected_version=version,
                                                       **s.ids()), uow_of(s), s.clock)


async def test_withdrawing_takes_the_results_down_keeps_the_record_and_allows_again():
    s = await evaluated()
    first = await publish(s)
    s.clock.advance(days=2)
    with pytest.raises(NotPermitted):
        await withdraw(s, s.proposer)
    withdrawn = await withdraw(s, s.head)
    assert not withdrawn.is_public and withdrawn.withdrawn_by == "secretary"
    assert withdrawn.withdrawn_at == s.clock.now() and withdrawn.published_at == first.published_at
    assert await public(s) == [] and await stored(s) == withdrawn
    step = s.dossier.history[-1]
    assert (step.action, step.by) == ("withdraw_publication", "secretary")
    [told] = s.published(ev.PublicationWithdrawn)
    assert {r.person for r in told.notify} == {"cadre-1", "cadre-2"}
    with pytest.raises(TransitionNotAllowed):
        await withdraw(s)
    s.clock.advance(days=1)
    again = await publish(s, forms=(RECOGNITION,))
    assert again.is_public and again.published_at == s.clock.now()
    assert [p.forms for p in await public(s)] == [(RECOGNITION,)]


async def test_the_desk_offers_publish_or_withdraw_to_the_committee_only():
    s = await evaluated()
    dossier = s.dossier
    office, proposer = dossier.roles_of(s.office), dossier.roles_of(s.proposer)
    member = dossier.roles_of(s.members[0])
    assert publication_steps(dossier, office, None) == (Action.PUBLISH_RESULTS,)
    assert publication_steps(dossier, proposer, None) == ()
    assert publication_steps(dossier, member, None) == ()
    published = await publish(s)
    assert publication_steps(s.dossier, office, published) == (Action.WITHDRAW_PUBLICATION,)
