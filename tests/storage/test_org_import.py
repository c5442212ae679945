"""Importing the organisation: idempotent, updates in place, keeps history, audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from storage.models import AuditRecord, Membership
from storage.organisation import (
    ImportReport,
    OrgFileError,
    count_rows,
    demo_text,
    dump_org_text,
    export_chart,
    import_chart,
    load_tree,
    parse_org_text,
)
from workflow.organisation import OrgChart, OrgTree, resolve_route_bodies

DEMO_COUNTS = {"bodies": 29, "units": 9, "people": 55, "memberships": 98}


def _demo() -> OrgChart:
    return parse_org_text(demo_text("duc-pho-2022"), "demo")


async def _import(engine: AsyncEngine, chart: OrgChart) -> ImportReport:
    async with session_factory(engine)() as session, session.begin():
        return await import_chart(session, chart, actor="test", source="demo")


async def _counts(engine: AsyncEngine, org: str = "duc-pho-demo") -> dict[str, int]:
    async with session_factory(engine)() as session:
        return await count_rows(session, org)


async def _audit_count(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        return (await session.execute(select(func.count()).select_from(AuditRecord))).scalar_one()


async def _export(engine: AsyncEngine) -> OrgChart:
    async with session_factory(engine)() as session:
        chart = await export_chart(session, "duc-pho-demo")
    assert chart is not None
    return chart


def _same(a: OrgChart, b: OrgChart) -> bool:
    return a.organisation == b.organisation and all(
        set(getattr(a, s)) == set(getattr(b, s))
        for s in ("bodies", "units", "people", "memberships"))


async def test_the_demo_imports_and_is_audited(engine: AsyncEngine) -> None:
    report = await _import(engine, _demo())
    assert report.changed and report.audit_seq == 1
    assert {k: len(v) for k, v in report.created.items()} == {"organisation": 1, **DEMO_COUNTS}
    assert await _counts(engine) == DEMO_COUNTS
    async with session_factory(engine)() as session:
        record = (await session.execute(select(AuditRecord))).scalar_one()
        assert record.action == "organisation_imported" and record.actor == "test"
        assert record.payload["organisation"] == "duc-pho-demo"
        assert (await audit.verify(session)).ok


async def test_importing_the_same_file_twice_changes_nothing(engine: AsyncEngine) -> None:
    await _import(engine, _demo())
    report = await _import(engine, _demo())
    assert not report.changed and report.audit_seq is None
    assert report.unchanged == {"organisation": 1, **DEMO_COUNTS}
    assert await _counts(engine) == DEMO_COUNTS
    assert await _audit_count(engine) == 1  # a no-op import leaves no trace


async def test_export_then_import_gives_the_same_organisation(engine: AsyncEngine) -> None:
    await _import(engine, _demo())
    exported = await _export(engine)
    assert _same(exported, _demo())
    text = dump_org_text(exported)
    report = await _import(engine, parse_org_text(text, "export.yaml"))
    assert not report.changed
    assert dump_org_text(await _export(engine)) == text


async def test_a_changed_name_and_membership_are_updated_in_place(engine: AsyncEngine) -> None:
    demo = _demo()
    await _import(engine, demo)
    renamed = tuple(replace(p, title="Hiệu trưởng (đã nghỉ hưu)") if p.id == "nguyen-thi-lan"
                    else p for p in demo.people)
    ended = tuple(replace(m, valid_to=date(2025, 6, 30)) if m.person == "luong-thi-my"
                  and m.body == "du-pho-chau" else m for m in demo.memberships)
    body_renamed = tuple(replace(b, name="Đảng ủy xã Phổ Châu (mới)") if b.id == "du-pho-chau"
                         else b for b in demo.bodies)
    changed = replace(demo, people=renamed, memberships=ended, bodies=body_renamed)
    report = await _import(engine, changed)
    assert report.updated["people"] == ["nguyen-thi-lan"]
    assert report.updated["memberships"] == ["luong-thi-my/du-pho-chau/member"]
    assert report.updated["bodies"] == ["du-pho-chau"]
    assert not any(report.created.values())
    assert await _counts(engine) == DEMO_COUNTS
    assert _same(await _export(engine), changed)
    assert await _audit_count(engine) == 2


async def test_what_the_file_leaves_out_is_kept(engine: AsyncEngine) -> None:
    demo = _demo()
    await _import(engine, demo)
    smaller = replace(demo, people=tuple(p for p in demo.people if p.id != "do-minh-quan"),
                      memberships=tuple(m for m in demo.memberships
                                        if m.person != "do-minh-quan"))
    report = await _import(engine, smaller)
    assert not report.changed
    assert await _counts(engine) == DEMO_COUNTS


async def test_a_new_membership_is_added_beside_the_old_ones(engine: AsyncEngine) -> None:
    demo = _demo()
    await _import(engine, demo)
    text = demo_text("duc-pho-2022") + (
        "  - {person: do-minh-quan, body: cb-kbnn-duc-pho, role: appraiser}\n")
    report = await _import(engine, parse_org_text(text))
    assert report.created["memberships"] == ["do-minh-quan/cb-kbnn-duc-pho/appraiser"]
    async with session_factory(engine)() as session:
        roles = set((await session.execute(select(Membership.role).where(
            Membership.person_id == "do-minh-quan"))).scalars())
    assert roles == {"member", "appraiser"}


async def test_ids_of_another_organisation_are_not_taken_over(engine: AsyncEngine) -> None:
    await _import(engine, _demo())
    other = parse_org_text(
        "organisation: {id: other, name: Other, pack: duc-pho-2022}\n"
        "bodies:\n  - {id: thi-uy, name: X, kind: town_party_committee}\n")
    with pytest.raises(OrgFileError, match="'thi-uy' already belongs to organisation "
                                           "'duc-pho-demo'"):
        await _import(engine, other)
    assert await _counts(engine, "other") == {"bodies": 0, "units": 0, "people": 0,
                                              "memberships": 0}


async def test_routes_resolve_the_same_from_the_database(engine: AsyncEngine) -> None:
    demo = _demo()
    await _import(engine, demo)
    async with session_factory(engine)() as session:
        tree = await load_tree(session, "duc-pho-demo")
    kinds = ["party_cell", "commune_party_office", "town_standing_board"]
    for unit in demo.units:
        assert (resolve_route_bodies(tree, unit.id, kinds)
                == resolve_route_bodies(OrgTree.of(demo), unit.id, kinds))
