"""``cadrebot documents N --out DIR``: a dossier's documents as .docx files, on the demo
populated through the real services."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from bot.cli import main


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("CADREBOT_DATA_DIR", str(tmp_path))
    return path


def test_every_document_of_the_populated_demo_opens_in_word(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers", "--lang", "en"]) == 0
    capsys.readouterr()
    written: list[Path] = []
    for number in range(1, 13):
        out = tmp_path / f"docs-{number}"
        assert main(["documents", str(number), "--out", str(out)]) == 0
        written += sorted(out.glob("*.docx"))
    names = [p.name for p in written]
    # The demo's answered dossiers hold their recorded answers; what is still owed, and
    # the minutes of each vote, come as drafts.
    assert any(n.startswith("cong-van-tra-loi-") and "-CV-DU-" in n for n in names), names
    assert any(n.startswith("du-thao-cong-van-tra-loi") for n in names), names
    assert any(n.startswith("du-thao-bien-ban-kiem-phieu") for n in names), names
    for path in written:
        document = docx.Document(str(path))
        text = "\n".join([*(p.text for p in document.paragraphs),
                          *(c.text for t in document.tables for r in t.rows for c in r.cells)])
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text or "CỘNG HÒA" in text, path.name
        # Every one: a number of its type and issuer, the place and date written out, and
        # (but for the minutes) a signing position and the recipients.
        assert re.search(r"Số (…|\d+)-(CV|TB|BC|TTr|BB|NQ|KL)/(ĐU|TU|CB)", text), path.name
        assert re.search(r", ngày (…|\d\d) tháng (…|\d+) năm (…|\d{4})", text), path.name
        assert "BÍ THƯ" in text or "CHỦ TRÌ" in text, path.name
        assert "Nơi nhận:" in text, path.name
        if path.name.startswith(("cong-van-tra-loi-", "bao-cao-")):  # recorded: signed
            assert "…-" not in text and "ký, ghi rõ" not in text, path.name


def test_an_unknown_dossier_is_a_clear_error(database: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--lang", "en"]) == 0
    assert main(["documents", "999", "--out", str(tmp_path / "x"), "--lang", "en"]) == 1
    assert "There is no dossier number 999." in capsys.readouterr().err
