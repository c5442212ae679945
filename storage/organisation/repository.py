"""Import and export of the organisation chart, in the caller's transaction.

Import is idempotent: a row equal to the file is left alone, a changed one is updated,
a new one created; nothing missing from the file is deleted (people and memberships
carry history that dossiers and votes point to) — a membership is ended by giving it a
``valid_to``. A change is recorded in the audit trail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import Body, Membership, Person, Unit
from storage.models import Organisation as OrganisationRow
from storage.organisation.file import N_, OrgFileError
from workflow.organisation import (
    Organisation,
    OrgBody,
    OrgChart,
    OrgMembership,
    OrgPerson,
    OrgTree,
    OrgUnit,
)
from workflow.voting import BallotMode

SECTIONS = ("organisation", "bodies", "units", "people", "memberships")


@dataclass
class ImportReport:
    """What an import did, by section: ids (memberships as ``person/body/role``)."""

    organisation: str
    created: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    audit_seq: int | None = None

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def _note(self, section: str, key: str, *, created: bool, updated: bool) -> None:
        if created:
            self.created[section].append(key)
        elif updated:
            self.updated[section].append(key)
        else:
            self.unchanged[section] += 1


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def _check_ownership(session: AsyncSession, chart: OrgChart) -> None:
    """Ids are global: refuse to take over another organisation's rows."""
    org_id = chart.organisation.id
    for model, section, ids in ((Body, "bodies", [b.id for b in chart.bodies]),
                                (Unit, "units", [u.id for u in chart.units]),
                                (Person, "people", [p.id for p in chart.people])):
        if not ids:
            continue
        rows = (await session.execute(
            select(model.id, model.organisation_id)
            .where(model.id.in_(ids), model.organisation_id != org_id))).first()
        if rows is not None:
            raise OrgFileError(N_("'{id}' already belongs to organisation '{other}'"),
                               where=section, id=rows[0], other=rows[1])


def _mode(body: OrgBody) -> str | None:
    return body.ballot.value if body.ballot else None


def _parents_first(bodies: Sequence[OrgBody]) -> list[OrgBody]:
    by_id = {b.id: b for b in bodies}
    ordered: list[OrgBody] = []
    placed: set[str] = set()

    def place(body: OrgBody) -> None:
        if body.id in placed:
            return
        if body.parent in by_id:
            place(by_id[body.parent])
        placed.add(body.id)
        ordered.append(body)

    for body in bodies:
        place(body)
    return ordered


async def import_chart(session: AsyncSession, chart: OrgChart, *, actor: str | None = None,
                       source: str | None = None) -> ImportReport:
    """Bring the database in line with ``chart`` (already validated); see the module doc."""
    await _check_ownership(session, chart)
    org = chart.organisation
    report = ImportReport(organisation=org.id)
    row = await session.get(OrganisationRow, org.id)
    if row is None:
        session.add(OrganisationRow(id=org.id, name=org.name, pack_id=org.pack))
        report._note("organisation", org.id, created=True, updated=False)
    else:
        report._note("organisation", org.id, created=False,
                     updated=_assign(row, {"name": org.name, "pack_id": org.pack}))
    # No relationships are mapped, so the unit of work does not order tables by their
    # foreign keys: each level is flushed before the next one refers to it.
    await session.flush()

    bodies = {b.id: b for b in (await session.execute(
        select(Body).where(Body.organisation_id == org.id))).scalars()}
    # New bodies first, parents before children, so that every foreign key holds when
    # it is written; changes to existing ones (which may point at new ones) after that.
    for body in _parents_first(chart.bodies):
        if body.id not in bodies:
            session.add(Body(id=body.id, organisation_id=org.id, name=body.name,
                             kind=body.kind, parent_id=body.parent, ballot=_mode(body)))
            await session.flush()
            report._note("bodies", body.id, created=True, updated=False)
    for body in chart.bodies:
        if body.id in bodies:
            report._note("bodies", body.id, created=False, updated=_assign(
                bodies[body.id], {"name": body.name, "kind": body.kind,
                                  "parent_id": body.parent, "ballot": _mode(body)}))
    await session.flush()

    units = {u.id: u for u in (await session.execute(
        select(Unit).where(Unit.organisation_id == org.id))).scalars()}
    for unit in chart.units:
        values = {"name": unit.name, "unit_kind": unit.unit_kind, "body_id": unit.body,
                  "cell_id": unit.cell}
        if unit.id in units:
            report._note("units", unit.id, created=False, updated=_assign(units[unit.id], values))
        else:
            session.add(Unit(id=unit.id, organisation_id=org.id, **values))
            report._note("units", unit.id, created=True, updated=False)
    await session.flush()

    people = {p.id: p for p in (await session.execute(
        select(Person).where(Person.organisation_id == org.id))).scalars()}
    for person in chart.people:
        values = {"name": person.name, "title": person.title, "unit_id": person.unit,
                  "language": person.language}
        if person.id in people:
            report._note("people", person.id, created=False,
                         updated=_assign(people[person.id], values))
        else:
            session.add(Person(id=person.id, organisation_id=org.id, **values))
            report._note("people", person.id, created=True, updated=False)
    await session.flush()

    existing = {(m.person_id, m.body_id, m.role, m.valid_from): m for m in (await session.execute(
        select(Membership).join(Person, Person.id == Membership.person_id)
        .where(Person.organisation_id == org.id))).scalars()}
    for membership in chart.memberships:
        label = f"{membership.person}/{membership.body}/{membership.role}"
        terms: dict[str, Any] = {"counted": membership.counted,
                                 "valid_to": membership.valid_to}
        if membership.key in existing:
            report._note("memberships", label, created=False,
                         updated=_assign(existing[membership.key], terms))
        else:
            session.add(Membership(person_id=membership.person, body_id=membership.body,
                                   role=membership.role, valid_from=membership.valid_from,
                                   **terms))
            report._note("memberships", label, created=True, updated=False)
    await session.flush()

    if report.changed:  # a no-op import leaves no trace, not even in the audit trail
        record = await audit.append(session, action="organisation_imported", actor=actor,
                                    payload={"organisation": org.id, "source": source,
                                             "created": report.created,
                                             "updated": report.updated})
        report.audit_seq = record.seq
    return report


async def organisation_ids(session: AsyncSession) -> list[str]:
    return list((await session.execute(
        select(OrganisationRow.id).order_by(OrganisationRow.id))).scalars())


async def export_chart(session: AsyncSession, organisation_id: str) -> OrgChart | None:
    """Everything the database holds for one organisation, or None when it is unknown."""
    org = await session.get(OrganisationRow, organisation_id)
    if org is None:
        return None
    bodies = (await session.execute(
        select(Body).where(Body.organisation_id == org.id).order_by(Body.id))).scalars()
    units = (await session.execute(
        select(Unit).where(Unit.organisation_id == org.id).order_by(Unit.id))).scalars()
    people = (await session.execute(
        select(Person).where(Person.organisation_id == org.id).order_by(Person.id))).scalars()
    memberships = (await session.execute(
        select(Membership).join(Person, Person.id == Membership.person_id)
        .where(Person.organisation_id == org.id).order_by(Membership.id))).scalars()
    return OrgChart(
        organisation=Organisation(id=org.id, name=org.name, pack=org.pack_id),
        bodies=tuple(OrgBody(id=b.id, name=b.name, kind=b.kind, parent=b.parent_id,
                             ballot=BallotMode(b.ballot) if b.ballot else None)
                     for b in bodies),
        units=tuple(OrgUnit(id=u.id, name=u.name, unit_kind=u.unit_kind, body=u.body_id,
                            cell=u.cell_id) for u in units),
        people=tuple(OrgPerson(id=p.id, name=p.name, title=p.title, unit=p.unit_id,
                               language=p.language) for p in people),
        memberships=tuple(OrgMembership(person=m.person_id, body=m.body_id, role=m.role,
                                        counted=m.counted, valid_from=m.valid_from,
                                        valid_to=m.valid_to) for m in memberships),
    )


async def load_tree(session: AsyncSession, organisation_id: str) -> OrgTree:
    """The bodies and units of one organisation, for :func:`resolve_route_bodies`."""
    bodies = (await session.execute(
        select(Body).where(Body.organisation_id == organisation_id))).scalars()
    units = (await session.execute(
        select(Unit).where(Unit.organisation_id == organisation_id))).scalars()
    return OrgTree([OrgBody(id=b.id, name=b.name, kind=b.kind, parent=b.parent_id,
                             ballot=BallotMode(b.ballot) if b.ballot else None)
                    for b in bodies],
                   [OrgUnit(id=u.id, name=u.name, unit_kind=u.unit_kind, body=u.body_id,
                            cell=u.cell_id) for u in units])


async def count_rows(session: AsyncSession, organisation_id: str) -> dict[str, int]:
    """How many bodies, units, people and memberships one organisation has."""
    counts: dict[str, int] = {}
    for section, model in (("bodies", Body), ("units", Unit), ("people", Person)):
        counts[section] = (await session.execute(
            select(func.count()).select_from(model)
            .where(model.organisation_id == organisation_id))).scalar_one()
    counts["memberships"] = (await session.execute(
        select(func.count()).select_from(Membership).join(Person, Person.id == Membership.person_id)
        .where(Person.organisation_id == organisation_id))).scalar_one()
    return counts
