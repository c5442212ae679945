"""``cadrebot calendar show YEAR`` and the 2026 New Year swap through ``cadrebot deadline``.

Công văn 12729/VPCP-KGVX (25/12/2025) made Friday 2/1/2026 a day off and Saturday
10/1/2026 a working day; holidays 0.109 does not carry it, the bundled overrides do.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.deadline import OVERRIDES_ENV

LETTER = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
BUNDLED = "workflow/data/calendar_overrides.yaml"
VERSION = metadata.version("holidays")


@pytest.fixture(autouse=True)
def _no_office_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def show_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "calendar", "show", *argv, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list)
    return data


def office_file(tmp_path: Path) -> Path:
    """An office that works on 2/1/2026 after all (and so needs no make-up Saturday)."""
    path = tmp_path / "office.yaml"
    path.write_text(
        "remove_days_off:\n"
        "  - date: 2026-01-02\n"
        "    reason: Cơ quan trực Tết, làm việc bình thường\n"
        "    source: Thông báo số 01/TB-VPĐU ngày 26/12/2025\n"
        "days_off:\n"
        "  - date: 2026-01-10\n"
        "    reason: Không làm bù\n",  # no source: optional in an office's file
        encoding="utf-8")
    return path


# --- the swap, through `cadrebot deadline` --------------------------------------------------


@pytest.mark.parametrize(("start", "n", "due"), [
    ("2025-12-31", "1", "2026-01-05"),  # Fri 2/1 is off now; the package said 2/1
    ("2026-01-08", "2", "2026-01-10"),  # Fri 9/1, then the make-up Saturday 10/1
    ("2026-01-01", "1", "2026-01-05"),
    ("2026-01-09", "1", "2026-01-10"),
    ("2026-01-10", "1", "2026-01-12"),
    ("2026-01-02", "1", "2026-01-05"),
    ("2025-12-30", "3", "2026-01-06"),  # 31/12, then 1/1 and 2/1 off, Sat/Sun, 5/1, 6/1
])
def test_deadlines_around_the_2026_new_year_swap(capsys: pytest.CaptureFixture[str],
                                                 start: str, n: str, due: str) -> None:
    code, out, err = run(capsys, "deadline", "--from", start, "--working-days", n, "--json")
    assert code == 0, err
    assert json.loads(out)["due"] == due


def test_deadline_names_the_swapped_day_and_the_make_up_saturday(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deadline", "--from", "2025-12-31", "--working-days", "6")
    assert code == 0
    assert out.splitlines()[0] == "Hạn cuối: Thứ Bảy, 10/01/2026"
    assert "Thứ Năm, 01/01/2026: Tết Dương lịch" in out
    assert "Thứ Sáu, 02/01/2026: Nghỉ hoán đổi" in out
    assert "Được tính là ngày làm việc: Thứ Bảy, 10/01/2026 (Làm bù" in out


def test_an_office_file_can_take_the_swap_back(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = office_file(tmp_path)
    code, out, _ = run(capsys, "deadline", "--from", "2025-12-31", "--working-days", "1",
                       "--overrides", str(path), "--json")
    assert code == 0 and json.loads(out)["due"] == "2026-01-02"
    code, out, _ = run(capsys, "deadline", "--from", "2026-01-09", "--working-days", "1",
                       "--overrides", str(path), "--json")
    assert code == 0 and json.loads(out)["due"] == "2026-01-12"


# --- calendar show ----------------------------------------------------------------------------


def test_show_2026_lists_the_swap_with_the_letter_and_tet_from_the_package(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "calendar", "show", "2026")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Ngày nghỉ và ngày làm bù năm 2026")

    def block(head: str) -> list[str]:
        index = next(i for i, line in enumerate(lines) if line.startswith(head))
        end = next((i for i in range(index + 1, len(lines))
                    if not lines[i].startswith("    ")), len(lines))
        return lines[index:end]

    assert block("Thứ Sáu, 02/01/2026") == [
        "Thứ Sáu, 02/01/2026 — Ngày nghỉ: Nghỉ hoán đổi dịp Tết Dương lịch 2026 "
        "(làm bù thứ Bảy 10/01/2026)",
        f"    Theo: tệp điều chỉnh lịch {BUNDLED}",
        f"    Nguồn: {LETTER}",
    ]
    assert block("Thứ Bảy, 10/01/2026") == [
        "Thứ Bảy, 10/01/2026 — Ngày làm bù: Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
        f"    Theo: tệp điều chỉnh lịch {BUNDLED}",
        f"    Nguồn: {LETTER}",
    ]
    assert block("Thứ Ba, 17/02/2026") == [
        "Thứ Ba, 17/02/2026 — Ngày nghỉ: Tết Nguyên Đán",
        f"    Theo: gói holidays {VERSION}",
    ]
    assert block("Thứ Năm, 01/01/2026")[0] == "Thứ Năm, 01/01/2026 — Ngày nghỉ: Tết Dương lịch"
    # Date order; plain weekends are not listed, a holiday on a Sunday is.
    heads = [line for line in lines[1:-1] if not line.startswith("    ")]
    assert heads[:3] == ["Thứ Năm, 01/01/2026 — Ngày nghỉ: Tết Dương lịch",
                         "Thứ Sáu, 02/01/2026 — Ngày nghỉ: Nghỉ hoán đổi dịp Tết Dương lịch "
                         "2026 (làm bù thứ Bảy 10/01/2026)",
                         "Thứ Bảy, 10/01/2026 — Ngày làm bù: Làm bù cho ngày nghỉ thứ Sáu "
                         "02/01/2026"]
    assert "Chủ Nhật, 26/04/2026 — Ngày nghỉ: Ngày Giỗ Tổ Hùng Vương" in heads
    assert "Thứ Bảy, 22/08/2026 — Ngày làm bù" in heads
    assert not any(line.startswith(("Thứ Bảy, 03/01", "Chủ Nhật, 04/01")) for line in heads)
    assert lines[-1] == "Tổng cộng: 15 ngày nghỉ, 2 ngày làm bù."


def test_show_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "show", "2026", "--lang", "en")
    assert code == 0
    assert "Tuesday, 17/02/2026 — Day off: Lunar New Year" in out
    assert "Saturday, 10/01/2026 — Make-up working day: Làm bù" in out
    assert f"    Source: {LETTER}" in out
    assert f"    From: the holidays package {VERSION}" in out
    assert f"    From: the overrides file {BUNDLED}" in out


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    data = show_json(capsys, "2026")
    assert all(set(row) == {"date", "kind", "name", "origin", "source"} for row in data)
    dates = [str(row["date"]) for row in data]
    assert dates == sorted(dates) and all(d.startswith("2026-") for d in dates)
    by_date = {row["date"]: row for row in data}
    assert by_date["2026-01-02"] == {
        "date": "2026-01-02", "kind": "day_off",
        "name": "Nghỉ hoán đổi dịp Tết Dương lịch 2026 (làm bù thứ Bảy 10/01/2026)",
        "origin": f"override: {BUNDLED}", "source": LETTER}
    assert by_date["2026-01-10"] == {
        "date": "2026-01-10", "kind": "working_day",
        "name": "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
        "origin": f"override: {BUNDLED}", "source": LETTER}
    assert by_date["2026-02-17"] == {
        "date": "2026-02-17", "kind": "day_off", "name": "Tết Nguyên Đán",
        "origin": f"package holidays {VERSION}", "source": None}
    assert by_date["2026-08-22"] == {  # the package's make-up Saturday: unnamed
        "date": "2026-08-22", "kind": "working_day", "name": None,
        "origin": f"package holidays {VERSION}", "source": None}
    assert [d for d in dates if d.startswith("2026-02-")] == [
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"]
    assert {row["kind"] for row in data} == {"day_off", "working_day"}


def test_english_json_names(capsys: pytest.CaptureFixture[str]) -> None:
    data = show_json(capsys, "2026", "--lang", "en")
    assert {"date": "2026-11-24", "kind": "day_off", "name": "Vietnam Cultural Day",
            "origin": f"package holidays {VERSION}", "source": None} in data


def test_an_office_file_removing_the_bundled_day_off_is_shown_as_removed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = office_file(tmp_path)
    by_date = {row["date"]: row for row in show_json(capsys, "2026", "--overrides", str(path))}
    assert by_date["2026-01-02"] == {
        "date": "2026-01-02", "kind": "removed_day_off",
        "name": "Nghỉ hoán đổi dịp Tết Dương lịch 2026 (làm bù thứ Bảy 10/01/2026)",
        "origin": f"override: {path}", "source": "Thông báo số 01/TB-VPĐU ngày 26/12/2025"}
    # The office's day off without a source: shown, with source null.
    assert by_date["2026-01-10"] == {
        "date": "2026-01-10", "kind": "day_off", "name": "Không làm bù",
        "origin": f"override: {path}", "source": None}

    code, out, _ = run(capsys, "calendar", "show", "2026", "--overrides", str(path))
    assert code == 0
    lines = out.splitlines()
    index = lines.index("Thứ Sáu, 02/01/2026 — Không còn là ngày nghỉ: Nghỉ hoán đổi dịp Tết "
                        "Dương lịch 2026 (làm bù thứ Bảy 10/01/2026)")
    assert lines[index + 1:index + 4] == [
        "    Lý do: Cơ quan trực Tết, làm việc bình thường",
        f"    Theo: tệp điều chỉnh lịch {path}",
        "    Nguồn: Thông báo số 01/TB-VPĐU ngày 26/12/2025",
    ]
    index = lines.index("Thứ Bảy, 10/01/2026 — Ngày nghỉ: Không làm bù")
    assert lines[index + 1] == f"    Theo: tệp điều chỉnh lịch {path}"
    assert not lines[index + 2].startswith("    Nguồn")


def test_an_office_file_removing_a_package_holiday(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("remove_days_off:\n  - date: 2026-11-24\n    reason: thử\n"
                    "    source: Thông báo thử\n", encoding="utf-8")
    by_date = {row["date"]: row for row in show_json(capsys, "2026", "--overrides", str(path))}
    assert by_date["2026-11-24"] == {
        "date": "2026-11-24", "kind": "removed_day_off", "name": "Ngày Văn hóa Việt Nam",
        "origin": f"override: {path}", "source": "Thông báo thử"}


def test_the_office_file_from_the_environment_is_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(OVERRIDES_ENV, str(office_file(tmp_path)))
    by_date = {row["date"]: row for row in show_json(capsys, "2026")}
    assert by_date["2026-01-02"]["kind"] == "removed_day_off"


@pytest.mark.parametrize(("year", "fragment"), [
    ("abc", "'abc'"),
    ("20.26", "'20.26'"),
    ("", "''"),
    ("1899", "1899"),
    ("-2026", "-2026"),
    ("2101", "2101"),
    ("1900", "1995–2100"),
])
def test_bad_year_gets_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                           year: str, fragment: str) -> None:
    code, out, err = run(capsys, "calendar", "show", year, "--lang", "en")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cadrebot: YEAR: ")
    assert fragment in err and "Traceback" not in err


def test_bad_year_message_is_vietnamese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "calendar", "show", "hai nghìn")
    assert code == 2 and "không phải là một năm" in err


def test_broken_overrides_file_names_the_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("days_off:\n  - date: 2026-01-05\n    reason: x\n    source: ''\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "calendar", "show", "2026", "--overrides", str(path),
                         "--lang", "en")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{path}:4: days_off[0].source" in err


def test_help_describes_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["calendar", "show", "--help"])
    out = capsys.readouterr().out
    assert "removed_day_off" in out and "Ordinary Saturdays and Sundays" in out
