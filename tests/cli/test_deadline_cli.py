"""``cadrebot deadline``: due dates in Vietnamese and JSON, one-line errors, overrides files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.deadline import OVERRIDES_ENV


@pytest.fixture(autouse=True)
def _no_office_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["deadline", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_exactly_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--from", "2026-11-23", "--working-days", "30", "--json")
    assert code == 0
    assert json.loads(out) == {
        "from": "2026-11-23",
        "working_days": 30,
        "due": "2027-01-06",
        "days_off_skipped": [
            {"date": "2026-11-24", "name": "Ngày Văn hóa Việt Nam"},
            {"date": "2027-01-01", "name": "Tết Dương lịch"},
        ],
    }


def test_json_lists_named_days_off_but_not_plain_weekends(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--from", "2026-02-13", "--working-days", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["due"] == "2026-02-23"
    assert [x["date"] for x in data["days_off_skipped"]] == [
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"]


def test_vietnamese_answer_names_the_due_date_and_the_skipped_days(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--from", "2026-11-23", "--working-days", "30")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "Hạn cuối: Thứ Tư, 06/01/2027"
    assert "Thứ Ba, 24/11/2026: Ngày Văn hóa Việt Nam" in out
    assert "Thứ Sáu, 01/01/2027: Tết Dương lịch" in out
    assert "không tính ngày này" in out


def test_english_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--from", "2026-11-23", "--working-days", "1", "--lang", "en")
    assert code == 0
    assert out.splitlines()[0] == "Due date: Wednesday, 25/11/2026"
    assert "Tuesday, 24/11/2026: Vietnam Cultural Day" in out


def test_make_up_saturday_is_mentioned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--from", "2026-08-14", "--working-days", "12")
    assert code == 0
    assert out.splitlines()[0] == "Hạn cuối: Thứ Năm, 03/09/2026"
    assert "Thứ Bảy, 22/08/2026 (ngày làm bù)" in out


def test_zero_working_days_is_the_start_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--from", "2026-11-22", "--working-days", "0", "--json")
    assert code == 0
    assert json.loads(out)["due"] == "2026-11-22"


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--from", "2026-13-01", "--working-days", "3"], "'2026-13-01'"),
    (["--from", "23/11/2026", "--working-days", "3"], "YYYY-MM-DD"),
    (["--from", "2026-11-23", "--working-days", "-3"], "-3"),
    (["--from", "2026-11-23", "--working-days", "1.5"], "'1.5'"),
    (["--from", "2026-11-23", "--working-days", "ba"], "'ba'"),
    (["--from", "2026-11-23", "--working-days", "99999999"], "2500"),
    (["--from", "1980-01-01", "--working-days", "3"], "1995"),
    (["--from", "2100-11-01", "--working-days", "300"], "2100"),
])
def test_bad_input_gets_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                            argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv, "--lang", "en")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cadrebot: ")
    assert fragment in err
    assert "Traceback" not in err


def test_bad_input_message_is_vietnamese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--from", "2026-11-23", "--working-days", "-1")
    assert code == 2 and "không được là số âm" in err


def test_overrides_file_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("days_off:\n  - date: 2026-11-25\n    reason: Nghỉ bù của cơ quan\n"
                    "remove_days_off:\n  - date: 2026-11-24\n    reason: thử\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "--from", "2026-11-23", "--working-days", "2",
                       "--overrides", str(path), "--json")
    assert code == 0
    assert json.loads(out)["due"] == "2026-11-26"  # 24 worked, 25 off, 26 counted
    assert json.loads(out)["days_off_skipped"] == [
        {"date": "2026-11-25", "name": "Nghỉ bù của cơ quan"}]


def test_overrides_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("working_days:\n  - {date: 2026-11-28, reason: Làm bù}\n", encoding="utf-8")
    monkeypatch.setenv(OVERRIDES_ENV, str(path))
    code, out, _ = run(capsys, "--from", "2026-11-27", "--working-days", "1", "--json")
    assert code == 0 and json.loads(out)["due"] == "2026-11-28"


def test_broken_overrides_file_names_the_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("days_off:\n  - date: 2026-02-30\n    reason: x\n", encoding="utf-8")
    code, out, err = run(capsys, "--from", "2026-11-23", "--working-days", "1",
                         "--overrides", str(path), "--lang", "en")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert f"{path}:2: days_off[0].date" in err


def test_missing_overrides_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--from", "2026-11-23", "--working-days", "1",
                       "--overrides", "/nonexistent/overrides.yaml", "--lang", "en")
    assert code == 2 and "cannot read" in err and err.count("\n") == 1


def test_help_says_plain_weekends_are_not_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["deadline", "--help"])
    assert "not ordinary Saturdays and Sundays" in capsys.readouterr().out


def test_installed_console_script() -> None:
    script = Path(sys.executable).with_name("cadrebot")
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
    env = {k: v for k, v in os.environ.items() if k != OVERRIDES_ENV}
    result = subprocess.run(
        [*command, "deadline", "--from", "2026-11-23", "--working-days", "1"],
        capture_output=True, text=True, encoding="utf-8", env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Hạn cuối: Thứ Tư, 25/11/2026"

    bad = subprocess.run([*command, "deadline", "--from", "x", "--working-days", "1"],
                         capture_output=True, text=True, encoding="utf-8", env=env, check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
