"""``cadrebot reminders preview``: a dossier's planned reminders with Vietnamese dates;
``cadrebot reminders duties``: the reporting duties with their periods, sources and next
dates for the installation's place, and the check of a duties file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO reminders (idempotency_key, kind, dossier_id, person_id, due_at,"
            " payload, status, attempts) VALUES (?, ?, 5, NULL, ?, ?, ?, 0)", [
                ("answer_due:5:2026-11-26:w1:nobody", "answer_soon", "2026-11-25 01:00:00",
                 '{"working_days_left": "1"}', "unresolved"),
                ("answer_due:5:2026-11-26:nobody", "answer_due", "2026-11-26 01:00:00",
                 '{"working_days_left": "0"}', "unresolved"),
                ("answer_due:5:2026-11-20:nobody", "answer_due", "2026-11-20 01:00:00",
                 "{}", "cancelled")])
    return path


def test_preview_lists_the_planned_reminders_in_order_with_vietnamese_dates(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reminders", "preview", "--dossier", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Nhắc việc của hồ sơ 5:"
    assert "thứ tư, 25/11/2026 08:00" in lines[1].lower()
    assert "sắp đến hạn trả lời" in lines[1] and "còn 1 ngày làm việc" in lines[1]
    assert "26/11/2026 08:00" in lines[2] and len(lines) == 3


def test_preview_all_and_json_include_what_was_cancelled(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reminders", "preview", "--dossier", "5", "--all", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["cancelled", "unresolved", "unresolved"]
    assert rows[1]["due_at"] == "2026-11-25T08:00:00+07:00"


def test_a_dossier_without_reminders_says_so_and_exits_1(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "preview", "--dossier", "9", "--lang", "en"]) == 1
    assert "No reminders planned for dossier 9." in capsys.readouterr().err


@pytest.fixture
def bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled duties, for today's communes and wards unless a test says otherwise."""
    monkeypatch.delenv("CADREBOT_REPORTING_DUTIES", raising=False)
    monkeypatch.delenv("CADREBOT_JURISDICTION", raising=False)


def test_duties_shows_each_reporting_duty_with_its_next_dates(
        bundled: None, capsys: pytest.CaptureFixture[str]) -> None:
    # Seed 002's reports were owed by the town (quang-ngai/duc-pho) until 30/06/2025.
    town = ["--jurisdiction", "quang-ngai/duc-pho"]
    assert main(["reminders", "duties", "--on", "2024-11-01", *town]) == 0
    out = capsys.readouterr().out
    assert out.count("trước Thứ Bảy, 30/11/2024: ngày làm việc cuối cùng là Thứ Sáu, "
                     "29/11/2024; nhắc vào các ngày 15/11/2024, 27/11/2024, 29/11/2024") == 2
    assert "review-unsuited-rules: Báo cáo hằng năm" in out
    assert ("hiệu lực: đến 30/06/2025; căn cứ: Kế hoạch của UBND huyện thực hiện Chương "
            "trình hành động số 36-CTr/HU, mục II.4.2") in out
    # The commune People's Committees were no body of the 2022 pack.
    assert ("không nhắc tại quang-ngai/duc-pho (không phải cơ quan của duc-pho-2022 vào ngày "
            "đó): commune_peoples_committee") in out
    assert main(["reminders", "duties", "--on", "2024-11-01", "--json", *town]) == 0
    shown = {d["id"]: d for d in json.loads(capsys.readouterr().out)}
    assert [shown[i]["last_day"] for i in ("review-unsuited-rules", "inspection-results")] \
        == ["2024-11-29", "2024-11-29"]
    assert shown["review-unsuited-rules"]["reminded"] == ["town_peoples_committee"]
    assert shown["review-unsuited-rules"]["effective"] == {"from": None, "to": "2025-06-30"}
    assert shown["review-unsuited-rules"]["in_force"] is True
    assert shown["town-organisation-yearly-report"]["last_day"] == "2024-12-13"
    assert "commune-committee-yearly-review" not in shown  # from 01/07/2025


def test_by_default_only_the_duties_in_force_that_day_are_listed(
        bundled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "duties", "--on", "2026-11-01", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    listed = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert listed == ["provincial-organisation-yearly-report",
                      "commune-committee-yearly-review"]
    assert "UBND cấp huyện" not in out and "district" not in out
    assert ("  in force: from 01/07/2025; source: Quy định 887-QĐ/TU, Điều 7 khoản 8–9") in out
    assert ("before Tuesday, 15/12/2026: the last working day is Monday, 14/12/2026; "
            "reminders on 30/11/2026, 10/12/2026, 14/12/2026") in out
    # A commune installation has no Provincial Organisation Board.
    assert ("no date ahead for quang-ngai/xa-phuong: on 14/12/2026 the rules in force there "
            "(two-level-2025) have none of its bodies") in out


def test_all_lists_every_duty_with_its_period_and_source(
        bundled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "duties", "--on", "2026-11-01", "--all", "--lang", "en",
                 "--jurisdiction", "quang-ngai/duc-pho"]) == 0
    out = capsys.readouterr().out
    blocks = out.split("\n")
    ids = [line.split(":")[0] for line in blocks if line and not line.startswith(" ")]
    assert ids == ["review-unsuited-rules", "inspection-results",
                   "town-organisation-yearly-report", "provincial-organisation-yearly-report",
                   "commune-committee-yearly-review"]
    assert out.count("  in force: until 30/06/2025; source: Kế hoạch của UBND huyện") == 2
    assert "  in force: from 12/12/2022 to 30/06/2025; source: Quy định của Ban Thường vụ " \
           "Thị ủy Đức Phổ" in out
    assert out.count("no date ahead within its period") == 3  # seed 002 and the town's
    assert "ngày do văn phòng xác định; quy định không nêu ngày" in out
    assert main(["reminders", "duties", "--on", "2026-11-01", "--all", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [d["in_force"] for d in shown] == [False, False, False, True, True]
    assert "last_day" not in shown[0]


def test_a_day_with_no_duty_in_force_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "duties.yaml"
    own.write_text("duties:\n  - id: yearly\n    what: {vi: a, en: a}\n    to: {vi: b, en: b}\n"
                   "    bodies: [commune_party_committee]\n    before: 30/11\n"
                   "    effective: {from: 2025-07-01}\n", encoding="utf-8")
    assert main(["reminders", "duties", "--file", str(own), "--on", "2025-01-02",
                 "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == (
        "No reporting duty is in force on 02/01/2025; --all shows every one.")


def test_duties_warns_once_per_duty_about_bodies_of_no_pack_in_its_period(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "duties.yaml"
    entry = ("  - id: {id}\n    what: {{vi: a, en: a}}\n    to: {{vi: b, en: b}}\n"
             "    bodies: [{bodies}]\n    before: 30/11\n    effective: {{{period}}}\n")
    own.write_text("duties:\n" + "".join(entry.format(id=i, bodies=b, period=p) for i, b, p in [
        # a typo, and a body that only exists from 1/7/2025 in a duty that ended before
        ("typo", "town_peoples_committe, town_party_office", "from: 2023-01-01"),
        ("too-early", "town_peoples_committee, commune_peoples_committee", "to: 2025-06-30"),
        ("fine", "commune_party_committee", "from: 2025-07-01"),
        # the town's bodies after the town: none of them exists then
        ("too-late", "town_peoples_committee, town_party_office", "from: 2025-07-01"),
    ]), encoding="utf-8")
    assert main(["reminders", "duties", "--file", str(own), "--lang", "en", "--all"]) == 0
    warnings = capsys.readouterr().err.strip().splitlines()
    assert warnings == [
        f"warning: {own}:2: duty typo: town_peoples_committe: not bodies of any pack in force "
        "during its period (from 01/01/2023); they are never reminded",
        f"warning: {own}:8: duty too-early: commune_peoples_committee: not bodies of any "
        "pack in force during its period (until 30/06/2025); they are never reminded",
        f"warning: {own}:20: duty too-late: town_peoples_committee, town_party_office: not "
        "bodies of any pack in force during its period (from 01/07/2025); they are never "
        "reminded"]
    # Checking the file warns about every duty, also one not in force on the day.
    assert main(["reminders", "duties", "--file", str(own), "--json", "--on", "2026-01-05"]) == 0
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 3  # the warnings stay off the JSON
    assert [d["id"] for d in json.loads(captured.out)] == ["typo", "fine", "too-late"]
    assert main(["reminders", "duties", "--file", str(own), "--json", "--all"]) == 0
    captured = capsys.readouterr()
    assert [d["bodies_in_no_pack"] for d in json.loads(captured.out)] == [
        ["town_peoples_committe"], ["commune_peoples_committee"], [],
        ["town_peoples_committee", "town_party_office"]]


def test_duties_refuses_an_unknown_place(bundled: None,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "duties", "--jurisdiction", "ha-noi"]) == 2
    assert "unknown jurisdiction 'ha-noi'" in capsys.readouterr().err


def test_duties_checks_a_file_and_names_the_line_of_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "duties.yaml"
    own.write_text("duties:\n  - id: yearly\n    what: {vi: a, en: a}\n    to: {vi: b, en: b}\n"
                   "    bodies: [town_peoples_committee]\n    before: 31/11\n", encoding="utf-8")
    assert main(["reminders", "duties", "--file", str(own)]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "duties.yaml:6: duties[0].before: '31/11' is not a date")
    assert main(["reminders", "duties", "--file", str(own) + ".missing"]) == 2


def test_a_malformed_period_names_its_line_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "duties.yaml"
    own.write_text("duties:\n  - id: yearly\n    what: {vi: a, en: a}\n    to: {vi: b, en: b}\n"
                   "    bodies: [town_peoples_committee]\n    before: 30/11\n"
                   "    effective:\n      from: 2025-07-01\n      to: 2025-06-30\n",
                   encoding="utf-8")
    assert main(["reminders", "duties", "--file", str(own)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.endswith("duties.yaml:9: duties[0].effective.to: the period ends (2025-06-30) "
                          "before it starts (2025-07-01)")
    assert "\n" not in error
