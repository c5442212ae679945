"""``cadrebot org``: import, demo, export and invitations against a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from storage.organisation import demo_text, parse_org_text


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def test_demo_imports_once_then_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "29 bodies, 9 units, 55 people, 98 memberships" in out and "Created: 192" in out
    assert main(["org", "demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed"] is False and report["audit_record"] is None
    assert report["counts"] == {"bodies": 29, "units": 9, "people": 55, "memberships": 98}


def test_the_answer_is_vietnamese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    assert "Tổ chức duc-pho-demo: 29 cơ quan" in capsys.readouterr().out


def test_export_writes_a_file_that_imports_back_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    target = tmp_path / "org.yaml"
    assert main(["org", "export", "--output", str(target), "--lang", "en"]) == 0
    assert f"Wrote {target}." in capsys.readouterr().out
    assert main(["org", "export"]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")
    chart, demo = parse_org_text(target.read_text(encoding="utf-8")), parse_org_text(demo_text())
    assert set(chart.memberships) == set(demo.memberships)
    assert main(["org", "import", str(target), "--lang", "en"]) == 0
    assert "No changes" in capsys.readouterr().out


def test_an_invalid_file_is_one_line_with_its_line_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(demo_text().replace("kind: commune_standing_board",
                                       "kind: commune_standing_bored", 1), encoding="utf-8")
    assert main(["org", "import", str(bad), "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"cadrebot: {bad}:33: bodies[14].kind: unknown body kind "
                          "'commune_standing_bored'")
    assert "\n" not in err and "Traceback" not in err
    assert main(["org", "import", str(bad)]) == 1
    assert "loại cơ quan 'commune_standing_bored' không có" in capsys.readouterr().err


def test_a_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "import", str(tmp_path / "none.yaml"), "--lang", "en"]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_export_needs_an_organisation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "export", "--lang", "en"]) == 2
    assert "no organisation yet" in capsys.readouterr().err
    assert main(["org", "demo"]) == 0
    assert main(["org", "export", "--organisation", "elsewhere", "--lang", "en"]) == 2
    assert "Unknown organisation 'elsewhere'; known: duc-pho-demo." in capsys.readouterr().err


def test_invites_list_a_usable_code_for_each_person(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    assert main(["org", "invites", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 55 and all(set(r) == {"person", "name", "roles", "code"} for r in rows)
    assert len({r["code"] for r in rows}) == 55
    lan = next(r for r in rows if r["person"] == "nguyen-thi-lan")
    assert lan["roles"] == [{"role": "member", "body": "cb-mn-pho-chau"}]
    assert main(["org", "invites", "--person", "nguyen-thi-lan", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Nguyễn Thị Lan (nguyen-thi-lan): member, Chi bộ Trường Mầm non Phổ Châu" in out
    assert main(["org", "invites", "--person", "nobody", "--lang", "en"]) == 2
    assert "Unknown people: nobody." in capsys.readouterr().err


def test_invites_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    assert main(["org", "invites", "--person", "pham-van-hung"]) == 0
    out = capsys.readouterr().out
    assert "Mã mời, có hiệu lực đến ngày" in out and "bí thư, Thị ủy Đức Phổ" in out


def test_invites_with_the_bot_name_print_telegram_deep_links(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    assert main(["org", "invites", "--person", "nguyen-thi-lan", "--bot", "@ducpho_bot",
                 "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["link"] == f"https://t.me/ducpho_bot?start={row['code']}"
    assert main(["org", "invites", "--person", "nguyen-thi-lan", "--bot", "ducpho_bot"]) == 0
    assert "https://t.me/ducpho_bot?start=" in capsys.readouterr().out
    assert main(["org", "invites", "--bot", "not a name"]) == 2
    assert "tên người dùng Telegram của bot" in capsys.readouterr().err
