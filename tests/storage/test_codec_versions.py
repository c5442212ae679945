"""Stored aggregate blobs carry a schema version, are upcast, and decode strictly.

The ``OLD_*`` fixtures are what the code wrote before blobs were versioned (captured
from ``dump`` of a dossier taken to a decision with the scenario below): they must
keep loading, as version 1, through whatever upcasters later versions add.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.codec import VERSION_KEY, Schema, StoredDataError, dump
from storage.db import session_factory
from storage.dossier_models import BallotRow, DossierRow, ObligationRow
from storage.uow import (
    BALLOT_BLOB,
    DOSSIER_BLOB,
    OBLIGATION_BLOB,
    BallotData,
    SqlUnitOfWork,
    _dossier_data,
)
from tests import fakes
from tests.fakes import COMPLETE_PLAN, Scenario
from tests.storage.sql_scenario import seed
from workflow.attachments import AttachedFile
from workflow.dossier import ProblemKind
from workflow.lifecycle import State
from workflow.obligations import Obligation
from workflow.voting import DECISION, Choice

OLD_DOSSIER = """
{
  "id": 1,
  "pack_id": "duc-pho-2022",
  "pack_version": 1,
  "unit_kind": "commune",
  "route": {
    "preliminary_review": null,
    "competent_body": "commune_party_committee",
    "via": "commune_party_office",
    "also_inform": ["party_cell_secretary", "unit_leadership"],
    "appraisal_lead": "commune_standing_board",
    "appraisal_assigned_by": null,
    "legal_review": null,
    "decision_bodies": ["commune_party_committee"],
    "head": "commune_party_secretary",
    "escalation_to": "town_standing_board",
    "citations": [
      {
        "source": "dp887",
        "ref": {"vi": "Điều 2 khoản 1 điểm a", "en": "Article 2(1)(a)"}
      },
      {
        "source": "dp887",
        "ref": {"vi": "Điều 2 khoản 3", "en": "Article 2(3)"}
      }
    ]
  },
  "proposer": "cadre-1",
  "plan": {
    "title": "Số hóa hồ sơ một cửa tại trường",
    "problem": "Hồ sơ giấy chậm, thất lạc",
    "problem_kind": "regulated_unsuited",
    "regulation": "Quyết định 12/2020/QĐ-UBND",
    "regulation_issuer": "UBND tỉnh Quảng Ngãi",
    "approach": "Thí điểm phần mềm trong 6 tháng, giao tổ văn phòng thực hiện",
    "expected_results": "Giảm một nửa thời gian xử lý",
    "risks": "Lỗi phần mềm; giữ song song bản giấy",
    "attachments": ["du-toan.pdf"],
    "common_good": true,
    "progress_every": null,
    "files": [
      {
        "channel": "telegram",
        "file_id": "BQACAgUAAxk",
        "name": "du-toan.pdf",
        "mime_type": "application/pdf",
        "size": 48213,
        "sha256": "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
        "by": "cadre-1"
      }
    ]
  },
  "created_at": "2024-03-04T09:00:00+07:00",
  "co_proposers": ["cadre-2"],
  "bodies": {},
  "deadlines": {"answer": 30, "answer_complex": 60},
  "voting_rules": {
    "commune_party_committee": {
      "id": "party_majority",
      "basis": "counted_members",
      "more_than": "1/2",
      "quorum": null,
      "tie_breaker": null,
      "abstain_allowed": true,
      "proposer_may_vote": false,
      "proposer_in_base": true
    }
  },
  "kind": "plan",
  "state": "approved",
  "version": 7,
  "round": 1,
  "registration_number": "001/2024",
  "received_on": "2024-03-04",
  "due_on": "2024-04-15",
  "complexity": null,
  "forwarding": null,
  "appraisers": ["appraiser-1"],
  "appraisal_council": false,
  "appraisal_due_on": "2024-03-18",
  "appraisal": {
    "feasible": true,
    "summary": "Khả thi, hiệu quả",
    "by": "appraiser-1",
    "at": "2024-03-04T09:00:00+07:00",
    "attachments": [],
    "files": []
  },
  "legal_reviewers": [],
  "legal_review_due_on": null,
  "legal_review": null,
  "council_allowed": true,
  "ballot_ids": [1],
  "decision": {
    "outcome": "approved",
    "by_head": false,
    "route_body": "commune_party_committee",
    "by": "system",
    "at": "2024-03-04T09:00:00+07:00",
    "ballot_id": 1,
    "reasoning": ""
  },
  "answer_reference": null,
  "answered_at": null,
  "reports": [],
  "evaluation": null,
  "evaluation_proposal": null,
  "emergency": null,
  "closed_reason": "",
  "past_rounds": []
}
"""

OLD_BALLOT = """
{
  "rule": {
    "id": "party_majority",
    "basis": "counted_members",
    "more_than": "1/2",
    "quorum": null,
    "tie_breaker": null,
    "abstain_allowed": true,
    "proposer_may_vote": false,
    "proposer_in_base": true
  },
  "voters": {
    "members": ["member-1", "member-2", "member-3", "member-4", "secretary"],
    "voters": ["member-1", "member-2", "member-3", "member-4", "secretary"],
    "base": 5,
    "head": "secretary"
  },
  "purpose": "decision"
}
"""

OLD_OBLIGATION = """
{
  "id": 1,
  "dossier_id": 1,
  "kind": "report_to_regulation_issuer",
  "owner": "commune_party_committee",
  "owner_body": "commune_party_committee",
  "to": "UBND tỉnh Quảng Ngãi",
  "created_at": "2024-03-04T09:00:00+07:00",
  "due_on": null,
  "done_at": null,
  "done_by": null,
  "reference": null,
  "version": 0
}
"""


def old(fixture: str) -> dict[str, Any]:
    return json.loads(fixture)


def old_ballot_without_purpose() -> dict[str, Any]:
    """A ballot blob from before evaluations were put to the vote."""
    blob = old(OLD_BALLOT)
    del blob["purpose"]
    return blob


async def decided() -> Scenario:
    """The dossier the fixtures were captured from: an unsuitable regulation, a file with
    the plan, appraised and approved by ballot, leaving a report owed to the issuer."""
    plan = replace(COMPLETE_PLAN, problem_kind=ProblemKind.REGULATED_UNSUITED,
                   regulation="Quyết định 12/2020/QĐ-UBND",
                   regulation_issuer="UBND tỉnh Quảng Ngãi",
                   files=(AttachedFile("telegram", "BQACAgUAAxk", "du-toan.pdf",
                                       "application/pdf", 48213, "9f2c" * 16, "cadre-1"),))
    s = Scenario("commune", plan=plan)
    await s.drive_to(State.APPRAISED)
    await s.close_when_certain()  # as when the fixtures were captured (before the mode)
    await s.decide(Choice.APPROVE)
    return s


def load_dossier(blob: dict[str, Any], scenario: Scenario | None = None) -> Any:
    history = dump(scenario.dossier.history) if scenario else []
    return DOSSIER_BLOB.load(blob, 1, extra={"history": history})


# --- blobs from before versioning --------------------------------------------------------

async def test_unversioned_blobs_load_as_version_1_into_what_was_stored():
    s = await decided()
    (ballot,) = s.store.ballots.values()
    (obligation,) = s.store.obligations.values()
    assert load_dossier(old(OLD_DOSSIER), s) == s.dossier
    assert BALLOT_BLOB.load(old(OLD_BALLOT), 1) == BallotData(ballot.rule, ballot.voters,
                                                              ballot.purpose)
    assert OBLIGATION_BLOB.load(old(OLD_OBLIGATION), 1) == obligation


def test_a_ballot_from_before_ballots_had_a_purpose_decided_the_plan():
    assert BALLOT_BLOB.version == 4  # the upcaster from 1 fills the purpose in
    assert BALLOT_BLOB.load(old_ballot_without_purpose(), 1).purpose == DECISION


# --- writing -------------------------------------------------------------------------------

async def test_every_blob_written_carries_its_schema_version():
    s = await decided()
    (ballot,) = s.store.ballots.values()
    (obligation,) = s.store.obligations.values()
    assert _dossier_data(s.dossier)[VERSION_KEY] == DOSSIER_BLOB.version
    assert BALLOT_BLOB.dump(BallotData(ballot.rule, ballot.voters, ballot.purpose))[
        VERSION_KEY] == BALLOT_BLOB.version
    assert OBLIGATION_BLOB.dump(obligation)[VERSION_KEY] == OBLIGATION_BLOB.version


async def test_dump_then_load_gives_an_equal_dossier_ballot_data_and_obligation():
    s = await decided()
    (ballot,) = s.store.ballots.values()
    (obligation,) = s.store.obligations.values()
    data = BallotData(ballot.rule, ballot.voters, ballot.purpose)

    def through_json(blob: dict[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(blob))

    assert load_dossier(through_json(_dossier_data(s.dossier)), s) == s.dossier
    assert BALLOT_BLOB.load(through_json(BALLOT_BLOB.dump(data)), 1) == data
    assert OBLIGATION_BLOB.load(through_json(OBLIGATION_BLOB.dump(obligation)), 1) == obligation


# --- strict decoding -----------------------------------------------------------------------

def _at(blob: dict[str, Any], *path: Any) -> dict[str, Any]:
    for step in path:
        blob = blob[step]
    return blob


@pytest.mark.parametrize(("place", "dataclass", "where"), [
    ((), "Dossier", "colour"),
    (("plan",), "Plan", "plan.colour"),
    (("plan", "files", 0), "AttachedFile", "plan.files[0].colour"),
    (("voting_rules", "commune_party_committee"), "VotingRule",
     "voting_rules['commune_party_committee'].colour"),
])
def test_an_unknown_key_anywhere_in_a_dossier_fails_naming_id_dataclass_and_key(
    place, dataclass, where
):
    blob = old(OLD_DOSSIER)
    _at(blob, *place)["colour"] = "red"
    with pytest.raises(StoredDataError) as caught:
        load_dossier(blob)
    error = caught.value
    assert (error.aggregate, error.id, error.dataclass, error.key) == (
        "dossier", 1, dataclass, "colour")
    assert str(error) == f"stored dossier 1: unknown key 'colour' in {dataclass} (at {where})"


@pytest.mark.parametrize(("schema", "blob", "dataclass"), [
    (BALLOT_BLOB, old(OLD_BALLOT), "BallotData"),
    (OBLIGATION_BLOB, old(OLD_OBLIGATION), "Obligation"),
])
def test_an_unknown_key_in_a_ballot_or_obligation_fails(schema, blob, dataclass):
    with pytest.raises(StoredDataError, match=f"stored {schema.aggregate} 7: unknown key "
                                              f"'colour' in {dataclass}"):
        schema.load({**blob, "colour": "red"}, 7)


@pytest.mark.parametrize(("schema", "blob", "place", "key", "dataclass"), [
    (DOSSIER_BLOB, old(OLD_DOSSIER), (), "proposer", "Dossier"),  # no default
    (DOSSIER_BLOB, old(OLD_DOSSIER), (), "state", "Dossier"),  # a default is no excuse
    (DOSSIER_BLOB, old(OLD_DOSSIER), ("plan",), "progress_every", "Plan"),
    (DOSSIER_BLOB, old(OLD_DOSSIER), ("appraisal",), "files", "Appraisal"),
    (BALLOT_BLOB, old(OLD_BALLOT), ("voters",), "base", "Electorate"),
    (OBLIGATION_BLOB, old(OLD_OBLIGATION), (), "owner", "Obligation"),
    (OBLIGATION_BLOB, old(OLD_OBLIGATION), (), "reference", "Obligation"),
])
def test_a_missing_key_fails_even_for_a_field_with_a_default(schema, blob, place, key,
                                                             dataclass):
    blob = schema.upcast(blob, apart=frozenset({"history"}) if schema is DOSSIER_BLOB
                         else frozenset())  # the old fixture as this version writes it
    blob[VERSION_KEY] = schema.version  # written by this version: nothing is filled
    del _at(blob, *place)[key]
    with pytest.raises(StoredDataError) as caught:
        schema.load(blob, 3, extra={"history": []} if schema is DOSSIER_BLOB else None)
    error = caught.value
    assert (error.aggregate, error.id, error.dataclass, error.key) == (
        schema.aggregate, 3, dataclass, key)
    assert f"missing key {key!r} in {dataclass}" in str(error)


def test_a_value_of_the_wrong_kind_fails_naming_its_key():
    blob = old(OLD_DOSSIER)
    blob["state"] = "mislaid"
    with pytest.raises(StoredDataError, match="stored dossier 1: bad value for 'state' in "
                                              "Dossier: 'mislaid' is not a valid State"):
        load_dossier(blob)


def test_the_history_table_and_the_blob_may_not_both_hold_the_history():
    with pytest.raises(StoredDataError, match="'history' is stored apart"):
        DOSSIER_BLOB.load({**old(OLD_DOSSIER), "history": []}, 1, extra={"history": []})


# --- versions and upcasters ----------------------------------------------------------------

@pytest.mark.parametrize("version", [OBLIGATION_BLOB.version + 1, 99])
def test_a_version_newer_than_the_code_fails(version):
    with pytest.raises(StoredDataError, match=f"stored obligation 5: schema version "
                                              f"{version} is newer than this code reads"):
        OBLIGATION_BLOB.load({**old(OLD_OBLIGATION), VERSION_KEY: version}, 5)


@pytest.mark.parametrize("version", [0, -1, "1", True, None, 1.0])
def test_a_version_that_is_not_a_version_fails(version):
    with pytest.raises(StoredDataError, match="is not a version"):
        OBLIGATION_BLOB.load({**old(OLD_OBLIGATION), VERSION_KEY: version}, 5)


def renamed(old_key: str, new_key: str, calls: list[str]) -> Any:
    def upcast(blob: dict[str, Any]) -> dict[str, Any]:
        calls.append(f"{old_key}->{new_key}")
        return {new_key if k == old_key else k: v for k, v in blob.items()}
    return upcast


@contextmanager
def imagined_obligation_history() -> Iterator[tuple[Schema[Obligation], list[str]]]:
    """A test-only history: version 1 called ``owner`` "owing", version 2 called
    ``reference`` "document"; version 3 is today's shape."""
    calls: list[str] = []
    yield Schema("obligation", Obligation, version=3, upcasters={
        1: renamed("owing", "owner", calls), 2: renamed("document", "reference", calls),
    }), calls


async def test_upcasters_run_in_order_from_the_stored_version_to_the_current_one():
    s = await decided()
    (obligation,) = s.store.obligations.values()
    # The fixture is version 1 of the real schema; version 2 added the decision fields.
    today = {**old(OLD_OBLIGATION), "outcome": None, "summary": ""}
    v1 = {("owing" if k == "owner" else "document" if k == "reference" else k): v
          for k, v in today.items()}
    v2 = {VERSION_KEY: 2, **{("document" if k == "reference" else k): v
                             for k, v in today.items()}}
    with imagined_obligation_history() as (schema, calls):
        before = copy.deepcopy(v1)
        assert schema.load(v1, 1) == obligation  # unversioned: version 1
        assert v1 == before  # the stored blob is not changed in place
        assert calls == ["owing->owner", "document->reference"]
        calls.clear()
        assert schema.load(v2, 1) == obligation
        assert calls == ["document->reference"]
        calls.clear()
        assert schema.load({VERSION_KEY: 3, **today}, 1) == obligation
        assert calls == []
        assert schema.dump(obligation)[VERSION_KEY] == 3


def test_an_upcaster_that_loses_a_field_is_caught_by_the_strict_decoding():
    schema = Schema("obligation", Obligation, version=2, upcasters={
        1: lambda blob: {k: v for k, v in blob.items() if k != "reference"}})
    with pytest.raises(StoredDataError, match="missing key 'reference' in Obligation"):
        schema.load(old(OLD_OBLIGATION), 1)


def test_a_version_without_an_upcaster_from_each_older_one_is_refused_at_import():
    with pytest.raises(ValueError, match=r"upcaster from each of versions 1\.\.2"):
        Schema("obligation", Obligation, version=3, upcasters={2: lambda blob: blob})


# --- through the repositories, on SQLite and PostgreSQL -------------------------------------

@contextmanager
def on_sql(engine: AsyncEngine) -> Iterator[None]:
    fakes.SQL_ENGINE = engine
    try:
        yield
    finally:
        fakes.SQL_ENGINE = None


async def read_back(engine: AsyncEngine) -> tuple[Any, Any, Any]:
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        return (await uow.dossiers.get(1), await uow.ballots.get(1),
                await uow.obligations.get(1))


def comparable(dossier: Any, ballot: Any, obligation: Any) -> tuple[Any, Any, Any]:
    # A ballot row's version column counts saves, the in-memory one changes; neither is
    # in the blob.
    return dossier, replace(ballot, version=0), obligation


def stored_by(scenario: Scenario) -> tuple[Any, Any, Any]:
    return comparable(scenario.dossier, *scenario.store.ballots.values(),
                      *scenario.store.obligations.values())


async def test_the_database_keeps_the_version_and_gives_back_equal_aggregates(engine):
    expected = await decided()
    await seed(engine)
    with on_sql(engine):
        await decided()
    async with session_factory(engine)() as session:
        versions = [(await session.execute(select(table.data))).scalar_one()[VERSION_KEY]
                    for table in (DossierRow, BallotRow, ObligationRow)]
    assert versions == [DOSSIER_BLOB.version, BALLOT_BLOB.version, OBLIGATION_BLOB.version]
    assert comparable(*await read_back(engine)) == stored_by(expected)


async def test_rows_written_before_versioning_load_and_are_versioned_when_saved(engine):
    expected = await decided()
    await seed(engine)
    with on_sql(engine):
        await decided()
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(DossierRow).values(data=old(OLD_DOSSIER)))
        await session.execute(update(BallotRow).values(data=old_ballot_without_purpose()))
        await session.execute(update(ObligationRow).values(data=old(OLD_OBLIGATION)))
    assert comparable(*await read_back(engine)) == stored_by(expected)
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        obligation = await uow.obligations.get(1)
        assert obligation is not None
        obligation.reference = "25-BC/ĐU"
        await uow.commit()
    async with session_factory(engine)() as session:
        data = (await session.execute(select(ObligationRow.data))).scalar_one()
    assert data[VERSION_KEY] == OBLIGATION_BLOB.version and data["reference"] == "25-BC/ĐU"


async def test_a_stored_dossier_with_an_unknown_key_fails_loudly_through_the_repository(
    engine
):
    await seed(engine)
    with on_sql(engine):
        await decided()
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(DossierRow).values(
            data={**old(OLD_DOSSIER), "titel": "Số hóa"}))
    with pytest.raises(StoredDataError, match="stored dossier 1: unknown key 'titel'"):
        await read_back(engine)


@pytest.mark.parametrize(("schema", "blob", "place", "key"), [
    (DOSSIER_BLOB, old(OLD_DOSSIER), ("plan",), "progress_every"),
    (DOSSIER_BLOB, old(OLD_DOSSIER), ("appraisal",), "files"),
    (OBLIGATION_BLOB, old(OLD_OBLIGATION), (), "reference"),
])
def test_an_unversioned_blob_gets_the_defaults_its_reader_gave_it(schema, blob, place, key):
    """Blobs from before versioning were read leniently: a field added later (with a
    default) is filled once, as then; a field without a default is still required."""
    del _at(blob, *place)[key]
    extra = {"history": []} if schema is DOSSIER_BLOB else None
    loaded = schema.load(blob, 3, extra=extra)
    target = loaded
    for step in place:
        target = getattr(target, step)
    field = next(f for f in dataclasses.fields(type(target)) if f.name == key)
    expected = (field.default if field.default is not dataclasses.MISSING
                else field.default_factory())  # type: ignore[misc]
    assert getattr(target, key) == expected


def test_voting_rules_stored_before_head_must_vote_do_not_need_the_head():
    ballot = {**old(OLD_BALLOT), VERSION_KEY: 2}
    assert BALLOT_BLOB.load(ballot, 1).rule.head_must_vote is False
    dossier = {**old(OLD_DOSSIER), VERSION_KEY: 1}
    rules = load_dossier(dossier).voting_rules
    assert rules["commune_party_committee"].head_must_vote is False
