"""``cadrebot report public``: on the populated 2025 demo (``org demo --with-dossiers``), the
evaluated plan published by its committee's office is written as a static page and a draft
notice (.docx), for the whole installation and for its commune only; bad input is refused
clearly."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.sealing import seal_for
from bot.settings import load_settings
from storage import audit
from storage.db import create_engine, session_factory
from storage.directory import SqlDirectory
from storage.dossier_models import DossierRow
from storage.models import Membership
from storage.uow import SqlUnitOfWork
from workflow.lifecycle import State
from workflow.publishing import PublishResults, publish_results
from workflow.rules import bundled_rulebook


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def publish_the_evaluated_plan(path: Path) -> tuple[str, str]:
    """Publish the demo's evaluated plan as its committee's office; (title, office body)."""

    async def work() -> tuple[str, str]:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        audit.bind(engine, seal_for(load_settings(None)))  # the key the command line uses
        try:
            sessions = session_factory(engine)
            async with sessions() as session:
                dossier_id = await session.scalar(select(DossierRow.id).where(
                    DossierRow.state == State.EVALUATED.value))
            assert dossier_id is not None, "the demo has an evaluated plan"
            uow = SqlUnitOfWork(sessions)
            async with uow:
                dossier = await uow.dossiers.get(dossier_id)
            assert dossier is not None
            office_body = dossier.body(dossier.route.via)
            async with sessions() as session:
                clerk = await session.scalar(select(Membership.person_id).where(
                    Membership.body_id == office_body, Membership.role == "office"))
            assert clerk is not None
            actor = await SqlDirectory(sessions, bundled_rulebook()).actor(clerk)
            published = await publish_results(
                PublishResults(actor=actor, dossier_id=dossier_id,
                               title="Thí điểm <script>alert(1)</script> & số hóa",
                               unit="Trường Mầm non Tân Phước"), SqlUnitOfWork(sessions),
                Clock())
            return published.title, office_body
        finally:
            await engine.dispose()

    return asyncio.run(work())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["report", "public", "--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else {}


def test_nothing_published_is_said_clearly_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    out = tmp_path / "site"
    assert main(["report", "public", "--out", str(out)]) == 1
    assert "Chưa có kết quả nào được công bố" in capsys.readouterr().err
    assert not out.exists()


def test_the_published_plan_is_on_the_page_and_in_the_notice_whole_and_by_commune(
        tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    title, office = publish_the_evaluated_plan(database)
    assert office == "vp-du-tan-phuoc"

    code, report = run(capsys, "--out", str(tmp_path / "all"))
    assert code == 0 and report["plans"] == 1 and report["committees"] == ["du-tan-phuoc"]
    page = (tmp_path / "all" / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert 'name="viewport"' in page and "<style>" in page
    assert "<script>" not in page and "alert(1)" in page  # the title is escaped, not run
    assert "Thí điểm &lt;script&gt;alert(1)&lt;/script&gt; &amp; số hóa" in page
    assert "Đảng ủy xã Tân Phước" in page and "Trường Mầm non Tân Phước" in page
    assert "Mang lại hiệu quả thiết thực" in page
    assert "src=" not in page and "href=" not in page  # self-contained

    notice = docx.Document(io.BytesIO((tmp_path / "all" / "thong-bao-du-tan-phuoc.docx")
                                      .read_bytes()))
    text = "\n".join(p.text for p in notice.paragraphs)
    cells = [c.text for table in notice.tables for row in table.rows for c in row.cells]
    assert "THÔNG BÁO" in text and "công khai kết quả khuyến khích" in text
    assert "ĐẢNG ỦY XÃ TÂN PHƯỚC" in cells[0] and "-TB/ĐU" in cells[0]
    assert title in cells and "Trường Mầm non Tân Phước" in cells
    assert any("T/M ĐẢNG ỦY" in c for c in cells)

    code, commune = run(capsys, "--body", "du-tan-phuoc", "--out", str(tmp_path / "tp"))
    assert code == 0 and commune["plans"] == 1
    assert main(["report", "public", "--body", "du-hoa-an", "--out",
                 str(tmp_path / "ha")]) == 1  # the ward published nothing
    capsys.readouterr()


def test_bad_input_gets_a_clear_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    assert main(["report", "public", "--body", "no-such-body", "--out",
                 str(tmp_path / "x")]) == 1
    assert "no-such-body" in capsys.readouterr().err
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["report", "public", "--out", str(a_file)]) == 2
    assert "không phải là thư mục" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "public"])  # --out is required
