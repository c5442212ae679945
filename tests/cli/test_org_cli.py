"""``cadrebot org``: import, demo, export and invitations against a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from storage.organisation import UnknownDemo, demo_text, parse_org_text


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


OLD = ["--pack", "duc-pho-2022"]  # the 2022 Đức Phổ demo; the default is today's structure
PLAY_2022 = ("CADREBOT_JURISDICTION=quang-ngai/duc-pho CADREBOT_RULES_DATE=2025-06-02 "
             "cadrebot console --as nguyen-thi-lan")


def test_demo_loads_todays_communes_and_wards_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert ("Organisation quang-ngai-xa-phuong-demo: 27 bodies, 8 units, 39 people, "
            "82 memberships." in out) and "Created: 157" in out
    assert "CADREBOT_JURISDICTION" not in out  # today's rules apply with nothing set
    assert main(["org", "demo", "--pack", "two-level-2025", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["organisation"] == "quang-ngai-xa-phuong-demo" and report["changed"] is False
    assert main(["org", "invites", "--person", "pham-thi-hong", "--lang", "en"]) == 0
    assert ("Phạm Thị Hồng (pham-thi-hong): member, Chi bộ Trường Mầm non Tân Phước"
            in capsys.readouterr().out)


def test_the_2022_demo_says_how_to_play_it_under_its_own_rules(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Organisation duc-pho-demo: 29 bodies" in out
    assert out.rstrip().splitlines()[-1] == (
        "To play it under its own rules (the 2022 Đức Phổ procedure): " + PLAY_2022)
    assert main(["org", "demo", *OLD]) == 0
    assert "Để chạy thử theo đúng quy định" in capsys.readouterr().out
    assert main(["org", "demo", *OLD, "--json"]) == 0  # JSON stays JSON
    assert json.loads(capsys.readouterr().out)["organisation"] == "duc-pho-demo"


def test_both_demos_fit_in_one_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    assert main(["org", "demo", *OLD]) == 0
    assert main(["org", "export", "--lang", "en"]) == 2
    assert ("several organisations (duc-pho-demo, quang-ngai-xa-phuong-demo)"
            in capsys.readouterr().err)


def test_an_unknown_demo_is_refused_with_the_known_ones(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["org", "demo", "--pack", "quang-ngai-887"])
    assert exit_.value.code == 2
    assert "'two-level-2025', 'duc-pho-2022'" in capsys.readouterr().err
    with pytest.raises(UnknownDemo, match="known: two-level-2025, duc-pho-2022"):
        demo_text("quang-ngai-887")


def test_demo_imports_once_then_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "29 bodies, 9 units, 55 people, 98 memberships" in out and "Created: 192" in out
    assert main(["org", "demo", *OLD, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed"] is False and report["audit_record"] is None
    assert report["counts"] == {"bodies": 29, "units": 9, "people": 55, "memberships": 98}


def test_the_answer_is_vietnamese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD]) == 0
    assert "Tổ chức duc-pho-demo: 29 cơ quan" in capsys.readouterr().out


def test_export_writes_a_file_that_imports_back_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD]) == 0
    target = tmp_path / "org.yaml"
    assert main(["org", "export", "--output", str(target), "--lang", "en"]) == 0
    assert f"Wrote {target}." in capsys.readouterr().out
    assert main(["org", "export"]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")
    chart = parse_org_text(target.read_text(encoding="utf-8"))
    demo = parse_org_text(demo_text("duc-pho-2022"))
    assert set(chart.memberships) == set(demo.memberships)
    assert main(["org", "import", str(target), "--lang", "en"]) == 0
    assert "No changes" in capsys.readouterr().out


def test_an_invalid_file_is_one_line_with_its_line_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(demo_text("duc-pho-2022").replace("kind: commune_standing_board",
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
    assert main(["org", "demo", *OLD]) == 0
    assert main(["org", "export", "--organisation", "elsewhere", "--lang", "en"]) == 2
    assert "Unknown organisation 'elsewhere'; known: duc-pho-demo." in capsys.readouterr().err


def test_invites_list_a_usable_code_for_each_person(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD]) == 0
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
    assert main(["org", "demo", *OLD]) == 0
    assert main(["org", "invites", "--person", "pham-van-hung"]) == 0
    out = capsys.readouterr().out
    assert "Mã mời, có hiệu lực đến ngày" in out and "bí thư, Thị ủy Đức Phổ" in out


def test_invites_with_the_bot_name_print_telegram_deep_links(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", *OLD]) == 0
    capsys.readouterr()
    assert main(["org", "invites", "--person", "nguyen-thi-lan", "--bot", "@ducpho_bot",
                 "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["link"] == f"https://t.me/ducpho_bot?start={row['code']}"
    assert main(["org", "invites", "--person", "nguyen-thi-lan", "--bot", "ducpho_bot"]) == 0
    assert "https://t.me/ducpho_bot?start=" in capsys.readouterr().out
    assert main(["org", "invites", "--bot", "not a name"]) == 2
    assert "tên người dùng Telegram của bot" in capsys.readouterr().err
