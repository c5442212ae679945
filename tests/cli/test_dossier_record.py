"""``cadrebot dossier record N --out FILE`` and ``cadrebot audit verify --record FILE``:
the record of a dossier that went through filing, voting and the written answer holds the
plan, the history, the votes with their comments, the files' SHA-256 and the audit records
with a verification code; it verifies against the trail, and no longer does once the trail
or the file is changed."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.cli import main
from handlers.i18n import Translator
from storage import audit
from storage.db import create_engine, session_factory
from storage.record import (
    MANIFEST,
    MANIFEST_SEAL,
    README,
    RECORD_DOCX,
    RECORD_JSON,
    gather_record,
    record_zip,
    verification_code,
    verify_record,
)
from tests import fakes
from tests.fakes import COMPLETE_PLAN, Scenario
from tests.storage.sql_scenario import seed
from workflow import services as svc
from workflow.attachments import AttachedFile
from workflow.commands import CastVote
from workflow.lifecycle import State
from workflow.voting import Choice

PDF = AttachedFile("telegram", "BQAC-secret-file-id", "du-toan.pdf", "application/pdf",
                   52_000, hashlib.sha256(b"du toan").hexdigest(), "cadre-1")
PLAN = replace(COMPLETE_PLAN, files=(PDF,))
COMMENTS = {"secretary": "Đồng ý, giữ song song bản giấy trong 3 tháng đầu",
            "member-1": "Chưa rõ nguồn kinh phí", "member-2": "", "member-3": "Ủng hộ"}


@dataclass
class Setup:
    database: Path
    data: Path
    scenario: Scenario

    def run(self, steps: Callable[[Scenario], Awaitable[Any]]) -> Any:
        """Run ``steps`` on the CLI's database, sealed with the CLI's audit key."""

        async def work() -> Any:
            engine = create_engine(f"sqlite+aiosqlite:///{self.database}")
            audit.bind(engine, audit.load_seal(self.data))
            fakes.SQL_ENGINE = engine
            try:
                return await steps(self.scenario)
            finally:
                fakes.SQL_ENGINE = None
                await engine.dispose()

        return asyncio.run(work())

    def sql(self, statement: str, *params: object) -> None:
        with sqlite3.connect(self.database) as connection:
            connection.execute(statement, params)

    def seq_of(self, action: str) -> int:
        with sqlite3.connect(self.database) as connection:
            return int(connection.execute(
                "SELECT min(seq) FROM audit_records WHERE action = ? AND dossier_id = ?",
                (action, self.scenario.dossier_id)).fetchone()[0])


async def _answered(s: Scenario) -> None:
    await seed(fakes.SQL_ENGINE)
    async with session_factory(fakes.SQL_ENGINE)() as session, session.begin():
        # A record of no dossier first: the trail is more than this dossier's.
        await audit.append(session, action="organisation_imported", actor="admin")
    await s.create()
    for step in (s.to_office, s.register, s.appraise, s.open_ballot):
        s.clock.advance(hours=2)
        await step()
    choices = {"secretary": Choice.APPROVE, "member-1": Choice.REJECT,
               "member-2": Choice.APPROVE, "member-3": Choice.APPROVE}
    for voter in s.voters:
        if voter.person_id in choices:
            s.clock.advance(minutes=30)
            await svc.cast_vote(CastVote(actor=voter, choice=choices[voter.person_id],
                                         comment=COMMENTS[voter.person_id] or None, **s.ids()),
                                s.uow(), s.clock)
    s.clock.advance(hours=1)
    if s.dossier.state is State.BALLOT_OPEN:  # a meeting ends when the office closes it
        await s.close_ballot()
    s.clock.advance(days=1)
    await s.answer()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    database = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(["db", "upgrade"]) == 0
    result = Setup(database, tmp_path / "data", Scenario(plan=PLAN))
    result.run(_answered)
    return result


@pytest.fixture
def record(setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "record.zip"
    capsys.readouterr()
    assert main(["dossier", "record", str(setup.scenario.dossier_id), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(
        f"Đã ghi bản lưu hồ sơ số {setup.scenario.dossier_id} vào {out}:")
    return out


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path: Path, changed: dict[str, bytes]) -> None:
    content = {**members(path), **changed}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--record", str(path), "--lang", "en", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_record_holds_plan_history_votes_files_and_audit_records(
        setup: Setup, record: Path) -> None:
    files = members(record)
    assert set(files) == {RECORD_JSON, RECORD_DOCX, README, MANIFEST, MANIFEST_SEAL}
    data = json.loads(files[RECORD_JSON])
    assert files[RECORD_JSON].decode() == json.dumps(
        data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert data["dossier_id"] == setup.scenario.dossier_id
    assert data["plan"]["title"] == PLAN.title
    assert data["dossier"]["state"] == "answered"
    assert data["dossier"]["answer_reference"] == "15-CV/ĐU"

    actions = [step["action"] for step in data["history"]]
    assert actions[0] == "create_draft" and actions[-1] == "send_written_answer"
    assert {"submit", "register", "open_ballot", "close_ballot"} <= set(actions)
    assert all(step["at"].endswith("+00:00") for step in data["history"])

    [ballot] = data["ballots"]
    assert ballot["outcome"] == "approved"
    # Closed by itself when certain, or by the office at the end of the meeting (the
    # party packs' mode): the record says which.
    closer = next(s for s in data["history"] if s["action"] == "close_ballot")
    assert ballot["automatic"] is (closer["by"] != setup.scenario.office.person_id)
    votes = {v["person"]: (v["choice"], v["comment"]) for v in ballot["votes"]}
    assert votes == {"secretary": ("approve", COMMENTS["secretary"]),
                     "member-1": ("reject", "Chưa rõ nguồn kinh phí"),
                     "member-2": ("approve", ""), "member-3": ("approve", "Ủng hộ")}
    assert [v["at"] for v in ballot["votes"]] == sorted(v["at"] for v in ballot["votes"])

    [attachment] = data["attachments"]
    assert attachment == {"name": "du-toan.pdf", "size": 52_000, "mime_type": "application/pdf",
                          "sha256": PDF.sha256, "purpose": "plan", "round": 1,
                          "channel": "telegram", "by": "cadre-1",
                          "received_at": attachment["received_at"]}
    # The platform's file id never leaves the installation.
    assert b"BQAC-secret-file-id" not in files[RECORD_JSON]

    entries = data["audit"]
    assert {e["dossier_id"] for e in entries} == {setup.scenario.dossier_id}
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    assert sum(e["action"] == "vote_cast" for e in entries) == 4
    assert len(entries) == len(data["history"]) + 4
    code = data["verification_code"]
    assert code == verification_code(e["hash"] for e in entries)
    digest = hashlib.sha256("".join(e["hash"] for e in entries).encode()).hexdigest()
    assert code.replace("-", "") == digest[:20].upper() and len(code.split("-")) == 5
    assert data["documents"] == []

    text = "\n".join(
        [p.text for p in docx.Document(io.BytesIO(files[RECORD_DOCX])).paragraphs]
        + [cell.text for table in docx.Document(io.BytesIO(files[RECORD_DOCX])).tables
           for row in table.rows for cell in row.cells])
    assert f"BẢN LƯU HỒ SƠ SỐ {setup.scenario.dossier_id}" in text
    assert f"Mã xác thực: {code}" in text
    assert "Chưa rõ nguồn kinh phí" in text and PDF.sha256 in text  # type: ignore[operator]
    assert entries[-1]["hash"] in text

    sums = files[MANIFEST].decode().splitlines()
    assert sums == [f"{hashlib.sha256(files[name]).hexdigest()}  {name}"
                    for name in (RECORD_JSON, RECORD_DOCX, README)]
    assert code in files[README].decode()


def test_the_record_verifies_against_the_trail(
        record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(record, capsys)
    assert code == 0
    assert output.startswith("The record of dossier 1 matches the audit trail.")
    assert main(["audit", "verify", "--record", str(record), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["problem"] is None and result["later"] == 0
    assert result["verification_code"] == json.loads(members(record)[RECORD_JSON])[
        "verification_code"]
    capsys.readouterr()
    assert main(["audit", "verify", "--record", str(record)]) == 0
    assert "khớp với nhật ký kiểm tra" in capsys.readouterr().out


def test_a_record_stays_valid_as_the_dossier_moves_on(
        setup: Setup, record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup.run(lambda s: s.start())
    code, output = verify(record, capsys)
    assert code == 0
    assert "since the record was made: 1." in output


def test_an_edited_audit_payload_fails_the_record(
        setup: Setup, record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = setup.seq_of("vote_cast")
    setup.sql("UPDATE audit_records SET payload = json_set(payload, '$.comment', 'Đồng ý')"
              " WHERE seq = ?", seq)
    code, output = verify(record, capsys)
    assert code == 1
    assert f"does not match the audit trail: audit record {seq} differs from the trail " \
           "(payload)." in output


def test_a_deleted_audit_record_fails_the_record(
        setup: Setup, record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = setup.seq_of("register")
    setup.sql("DELETE FROM audit_records WHERE seq = ?", seq)
    code, output = verify(record, capsys)
    assert code == 1
    assert f"audit record {seq} is not in the trail" in output


def test_a_broken_trail_elsewhere_fails_the_record(
        setup: Setup, record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup.sql("UPDATE audit_records SET actor = 'someone' WHERE seq = 1")  # the seeding
    code, output = verify(record, capsys)
    assert code == 1
    assert "the audit trail itself is broken at record" in output


def test_a_changed_byte_in_record_json_fails(
        record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = members(record)[RECORD_JSON]
    changed = original.replace("Chưa rõ nguồn kinh phí".encode(), "Chưa rõ nguồn kinh phi".encode())
    assert changed != original
    rewrite(record, {RECORD_JSON: changed})
    code, output = verify(record, capsys)
    assert code == 1
    assert "record.json was changed (its SHA-256 differs from SHA256SUMS)" in output


def test_a_changed_file_with_its_checksum_redone_fails_on_the_seal(
        record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = members(record)
    changed = files[RECORD_JSON].replace("Ủng hộ".encode(), "Phản đối".encode())
    sums = files[MANIFEST].decode().replace(hashlib.sha256(files[RECORD_JSON]).hexdigest(),
                                            hashlib.sha256(changed).hexdigest())
    rewrite(record, {RECORD_JSON: changed, MANIFEST: sums.encode()})
    code, output = verify(record, capsys)
    assert code == 1
    assert "SHA256SUMS.seal does not match" in output


def test_a_file_that_is_not_a_record_cannot_be_read(
        tmp_path: Path, setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    code, output = verify(junk, capsys)
    assert code == 2 and "not a zip archive" in output
    code, output = verify(tmp_path / "missing.zip", capsys)
    assert code == 2 and "missing.zip" in output


def test_a_missing_dossier_is_one_clear_line(
        setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "none.zip"
    capsys.readouterr()
    assert main(["dossier", "record", "999", "--out", str(out), "--lang", "en"]) == 1
    assert capsys.readouterr().err == "cadrebot: There is no dossier number 999.\n"
    assert not out.exists()
    assert main(["dossier", "record", "999", "--out", str(out)]) == 1
    assert capsys.readouterr().err == "cadrebot: Không có hồ sơ số 999.\n"


def test_official_documents_go_into_the_file_with_their_checksums(setup: Setup) -> None:
    documents = [("Nghị quyết 15-NQ/ĐU.docx", b"resolution"), ("../../answer.docx", b"answer"),
                 ("answer.docx", b"another answer")]

    async def steps(s: Scenario) -> tuple[bytes, bool, str | None]:
        async with session_factory(fakes.SQL_ENGINE)() as session:
            gathered = await gather_record(session, s.dossier_id)
            assert gathered is not None
            data = record_zip(gathered, documents, Translator("en"))
            check = await verify_record(session, data)
        return data, check.ok, check.problem

    data, ok, problem = setup.run(steps)
    assert ok, problem
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        record_json = json.loads(archive.read(RECORD_JSON))
        manifest = archive.read(MANIFEST).decode()
        text = "\n".join(cell.text for table in docx.Document(
            io.BytesIO(archive.read(RECORD_DOCX))).tables for row in table.rows
            for cell in row.cells)
    assert [n for n in names if n.startswith("documents/")] == [
        "documents/Nghị quyết 15-NQ-ĐU.docx", "documents/answer.docx",
        "documents/answer (2).docx"]
    assert record_json["documents"] == [
        {"name": "Nghị quyết 15-NQ-ĐU.docx", "size": 10,
         "sha256": hashlib.sha256(b"resolution").hexdigest()},
        {"name": "answer.docx", "size": 6, "sha256": hashlib.sha256(b"answer").hexdigest()},
        {"name": "answer (2).docx", "size": 14,
         "sha256": hashlib.sha256(b"another answer").hexdigest()}]
    assert f"{hashlib.sha256(b'answer').hexdigest()}  documents/answer.docx" in manifest
    assert hashlib.sha256(b"resolution").hexdigest() in text
