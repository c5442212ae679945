"""Finding dossiers (/timkiem) on SQLite and PostgreSQL: closed ones too, with or without
diacritics, filtered by unit, year and state, each person seeing only what is theirs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.dossier_models import DossierRow
from storage.migrate import alembic_config, upgrade
from storage.models import Person, Unit
from storage.search import FINISHED, OPEN, may_find, search_dossiers
from storage.uow import dossier_search_text
from tests.fakes import COMPLETE_PLAN, VIETNAM, Scenario
from workflow.actors import Actor, Grant, Role
from workflow.dossier import Dossier
from workflow.lifecycle import State

KINDERGARTEN = "Trường Mầm non Tân Phước"
PRIMARY = "Trường Tiểu học Hòa An"


async def _units(engine: AsyncEngine) -> None:
    """cadre-1 works at the kindergarten, cadre-2 at the primary school."""
    async with session_factory(engine)() as session, session.begin():
        session.add_all([
            Unit(id="mn-tan-phuoc", organisation_id="scenario", name=KINDERGARTEN,
                 unit_kind="commune_school", body_id="commune_party_committee", cell_id=None),
            Unit(id="th-hoa-an", organisation_id="scenario", name=PRIMARY,
                 unit_kind="commune_school", body_id="commune_party_committee", cell_id=None)])
        await session.flush()
        for person, unit in (("cadre-1", "mn-tan-phuoc"), ("cadre-2", "th-hoa-an")):
            await session.execute(update(Person).where(Person.id == person)
                                  .values(unit_id=unit))


@pytest.fixture
async def dossiers(engine: AsyncEngine, scenario: Scenario) -> dict[str, int]:
    """closed: cadre-1's (cadre-2 in the group), registered 2024, found not feasible;
    open: cadre-1's alone, sent in 2025; withdrawn: cadre-2's, sent in 2025;
    draft: cadre-1's, never sent."""
    await _units(engine)
    s = scenario
    ids: dict[str, int] = {}
    s.plan = replace(COMPLETE_PLAN, title="Số hóa hồ sơ tuyển sinh Mầm non Tân Phước")
    await s.create()
    await s.to_office()
    await s.register()
    await s.assign_appraisal()
    await s.file_appraisal(feasible=False)
    assert s.dossier.state is State.CLOSED
    ids["closed"] = s.dossier_id
    s.clock.current = datetime(2025, 2, 3, 9, 0, tzinfo=VIETNAM)
    s.plan = replace(COMPLETE_PLAN, title="Bếp ăn bán trú cho trẻ",
                     approach="Phụ huynh góp 50% kinh phí")
    await s.create(co_proposers=())
    await s.to_office()
    ids["open"] = s.dossier_id
    s.proposer = Actor.of("cadre-2")
    s.plan = replace(COMPLETE_PLAN, title="Sân chơi ngoài trời", approach="Làm trong hè")
    await s.create(co_proposers=())
    await s.to_office()
    await s.withdraw()
    ids["withdrawn"] = s.dossier_id
    s.proposer = Actor.of("cadre-1")
    s.plan = replace(COMPLETE_PLAN, title="Thư viện mầm non xanh")
    await s.create(co_proposers=())
    ids["draft"] = s.dossier_id
    return ids


async def _find(engine: AsyncEngine, actor: Actor, words: str = "", **filters: object
                ) -> list[int]:
    async with session_factory(engine)() as session:
        found = await search_dossiers(session, words=words, visible_to=actor,
                                      **filters)  # type: ignore[arg-type]
    return [f.id for f in found]


async def test_a_closed_dossier_is_found_with_and_without_diacritics_in_any_case(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    office = scenario.office
    closed, open_ = dossiers["closed"], dossiers["open"]
    for words in ("số hóa tuyển sinh", "so hoa tuyen sinh", "SỐ HÓA TUYỂN SINH",
                  "So Hoa Tuyen Sinh", "  số   HÓA\tTUYỂN ", "ｔｕｙｅｎ sinh"):
        assert await _find(engine, office, words) == [closed], words
    # The proposer's unit is searched too: both kindergarten dossiers, the closed one
    # among them, or alone among the finished ones.
    for words in ("mầm non tân phước", "mam non tan phuoc", "MẦM NON", "Mam Non"):
        assert await _find(engine, office, words) == [open_, closed], words
        assert await _find(engine, office, words, state=FINISHED) == [closed], words
    number = scenario.store.dossiers[closed].registration_number
    assert number
    assert await _find(engine, office, number) == [closed]
    # cadre-2 of the primary school is in the closed plan's group.
    assert await _find(engine, office, "tieu hoc hoa an") == [dossiers["withdrawn"], closed]


async def test_every_word_must_match_at_the_start_of_a_word(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    office = scenario.office
    assert await _find(engine, office, "số hóa bếp") == []
    assert await _find(engine, office, "tuyen si") == [dossiers["closed"]]  # beginnings
    assert await _find(engine, office, "uyen") == []  # not the middle of a word
    assert await _find(engine, office, "bep an") == [dossiers["open"]]


async def test_filters_by_unit_year_and_state(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    office = scenario.office
    closed, open_, withdrawn = dossiers["closed"], dossiers["open"], dossiers["withdrawn"]
    assert await _find(engine, office) == [withdrawn, open_, closed]  # newest first
    assert await _find(engine, office, unit="mn-tan-phuoc") == [open_, closed]
    assert await _find(engine, office, unit="th-hoa-an") == [withdrawn]
    assert await _find(engine, office, year=2024) == [closed]
    assert await _find(engine, office, year=2025) == [withdrawn, open_]
    assert await _find(engine, office, year=2026) == []
    assert await _find(engine, office, state=FINISHED) == [withdrawn, closed]
    assert await _find(engine, office, state=OPEN) == [open_]
    assert await _find(engine, office, state="closed") == [closed]
    assert await _find(engine, office, "mam non", state=FINISHED, year=2024,
                       unit="mn-tan-phuoc") == [closed]
    assert await _find(engine, office, "mam non", unit="th-hoa-an") == []
    assert await _find(engine, office, limit=2) == [withdrawn, open_]
    async with session_factory(engine)() as session:
        found = await search_dossiers(session, words="tuyen sinh", visible_to=office)
    assert [(f.state, f.year, f.unit_id, f.unit_name, f.own) for f in found] == [
        (State.CLOSED, 2024, "mn-tan-phuoc", KINDERGARTEN, False)]
    with pytest.raises(ValueError):
        await _find(engine, office, state="no-such-state")


async def test_proposers_see_only_their_own_and_outsiders_nothing(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    closed, open_, withdrawn, draft = (dossiers[k] for k in ("closed", "open", "withdrawn",
                                                              "draft"))
    assert await _find(engine, Actor.of("cadre-1")) == [draft, open_, closed]
    assert await _find(engine, Actor.of("cadre-2")) == [withdrawn, closed]  # in the group
    async with session_factory(engine)() as session:
        [mine] = await search_dossiers(session, words="thu vien",
                                       visible_to=Actor.of("cadre-1"))
    assert mine.own and mine.state is State.DRAFT
    assert await _find(engine, scenario.outsider) == []
    assert await _find(engine, Actor.of("nobody-at-all"), "mam non") == []
    # A committee member sees every sent dossier of the body; the appraiser the one
    # appraised; another commune's office nothing; nobody but its proposer a draft.
    assert await _find(engine, scenario.members[0]) == [withdrawn, open_, closed]
    assert await _find(engine, scenario.appraiser) == [closed]
    elsewhere = Actor.of("office-clerk", Grant(Role.OFFICE, "another_office"))
    assert await _find(engine, elsewhere) == []
    assert draft not in await _find(engine, scenario.office, "thu vien")


async def test_like_wildcards_typed_are_taken_literally(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    office = scenario.office
    assert await _find(engine, office, "%") == [dossiers["open"]]  # "50%" in its approach
    assert await _find(engine, office, "50%") == [dossiers["open"]]
    assert await _find(engine, office, "_") == []
    assert await _find(engine, office, "s_n") == []
    assert await _find(engine, office, "m%n") == [dossiers["open"]]  # "%" where one is
    assert await _find(engine, office, "\\") == []


async def test_the_migration_fills_the_search_text_of_existing_dossiers(
        engine: AsyncEngine, scenario: Scenario, dossiers: dict[str, int]) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0009"))
    await upgrade(engine)
    async with session_factory(engine)() as session:
        stored = dict((await session.execute(
            select(DossierRow.id, DossierRow.search_text))).all())
    closed = scenario.store.dossiers[dossiers["closed"]]
    names = ["cadre-1", "cadre-2", KINDERGARTEN, PRIMARY]
    assert stored[closed.id] == dossier_search_text(closed, names)
    assert "so hoa ho so tuyen sinh mam non tan phuoc" in stored[closed.id]
    assert await _find(engine, scenario.office, "Mầm Non", state=FINISHED) == [closed.id]


def test_only_proposers_find_a_draft_and_the_administrator_is_no_part() -> None:
    s = Scenario()
    dossier = Dossier(id=1, pack_id=s.pack.id, pack_version=1, unit_kind=s.unit_kind,
                      route=s.route, proposer="cadre-1", plan=COMPLETE_PLAN,
                      created_at=s.clock.now())
    assert may_find(dossier, s.proposer) and not may_find(dossier, s.office)
    dossier.state = State.CLOSED
    assert may_find(dossier, s.office) and may_find(dossier, s.head)
    assert not may_find(dossier, s.outsider) and not may_find(dossier, s.admin)
