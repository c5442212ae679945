"""A body whose working rules end a vote differently from its pack says so in the
organisation file (``ballot:``); the setting is imported, exported, checked, and a plan
routed to that body is voted on that way."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.directory import SqlDirectory
from storage.organisation import (
    OrgFileError,
    demo_text,
    dump_org_text,
    export_chart,
    import_chart,
    parse_org_text,
)
from workflow.actors import Actor
from workflow.commands import CreateDraft
from workflow.intake import new_dossier
from workflow.quiet_hours import VIETNAM
from workflow.rules import bundled_rulebook
from workflow.voting import BallotMode


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 12, 4, 9, tzinfo=VIETNAM)


COMMITTEE = "{id: du-pho-chau, name: Đảng ủy xã Phổ Châu, kind: commune_party_committee"


def with_ballot(mode: str) -> str:
    text = demo_text("duc-pho-2022")
    assert COMMITTEE in text
    return text.replace(COMMITTEE, f"{COMMITTEE}, ballot: {mode}")


def test_the_file_names_a_body_s_ballot_mode_and_dumps_it_back() -> None:
    chart = parse_org_text(with_ballot("close_when_certain"), "org.yaml")
    [body] = [b for b in chart.bodies if b.id == "du-pho-chau"]
    assert body.ballot is BallotMode.CLOSE_WHEN_CERTAIN
    assert all(b.ballot is None for b in chart.bodies if b.id != "du-pho-chau")
    again = parse_org_text(dump_org_text(chart), "again")
    assert set(again.bodies) == set(chart.bodies)


def test_an_unknown_mode_is_refused_with_its_line() -> None:
    with pytest.raises(OrgFileError) as caught:
        parse_org_text(with_ballot("hop_kin"), "org.yaml")
    rendered = caught.value.render()
    assert "ballot" in rendered and "hop_kin" in rendered and "meeting" in rendered
    assert caught.value.line == 32


async def test_imported_it_decides_how_a_plan_for_that_body_is_voted(
        engine: AsyncEngine) -> None:
    rulebook = bundled_rulebook()
    pack = rulebook.get("duc-pho-2022")
    sessions = session_factory(engine)
    for text, expected in ((with_ballot("close_when_certain"), BallotMode.CLOSE_WHEN_CERTAIN),
                           (demo_text("duc-pho-2022"), BallotMode.MEETING)):
        chart = parse_org_text(text, "org.yaml")
        async with sessions() as session, session.begin():
            await import_chart(session, chart, actor="test", source="test")
        async with sessions() as session:
            exported = await export_chart(session, chart.organisation.id)
        assert exported is not None and set(exported.bodies) == set(chart.bodies)
        directory = SqlDirectory(sessions, rulebook)
        bodies = await directory.route_bodies("nguyen-thi-lan", pack)
        ballots = await directory.route_ballots(bodies)
        info = await directory.person("nguyen-thi-lan")
        assert info is not None and info.unit_kind
        kind = pack.unit_kind(info.unit_kind)
        draft = CreateDraft(actor=Actor("nguyen-thi-lan", frozenset()), unit_kind=kind.id,
                            bodies=bodies, ballots=ballots)
        dossier = new_dossier(draft, 1, pack, kind, FixedClock(), ())
        rule = dossier.voting_rule(kind.route.decision_bodies[0])
        assert rule.ballot is expected, ballots
