"""``cadrebot report stats``: the populated 2025 demo (``org demo --with-dossiers``, twelve
dossiers played through the services) counted for the whole installation and for each
commune or ward, written as a workbook whose cells carry the same figures."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def figures(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> dict[str, object]:
    since = (date.today() - timedelta(days=364)).isoformat()
    assert main(["report", "stats", "--from", since, "--out", str(out), "--json",
                 *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_the_demo_dossiers_are_counted_whole_and_by_commune(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    whole = figures(capsys, tmp_path / "all.xlsx")["figures"]
    assert isinstance(whole, dict)
    # Twelve stories, the draft not sent: one each approved and answered, evaluated, and
    # approved by the head's decision; one not approved, one re-prepared, one forwarded.
    assert whole["filed"] == 11
    assert (whole["approved"], whole["head_override"], whole["rejected"]) == (3, 1, 1)
    assert (whole["re_prepared"], whole["escalated"]) == (1, 1)
    assert whole["under_consideration"] == 5  # at the cell, registered, appraisal, vote, overdue
    assert whole["waiting_overdue"] == 1
    assert whole["pilots_evaluated"] == 1
    communes = [figures(capsys, tmp_path / f"{b}.xlsx", "--body", b)["figures"]
                for b in ("du-tan-phuoc", "du-hoa-an")]
    for key, total in whole.items():
        assert sum(c[key] for c in communes) == total, key  # type: ignore[index]

    book = openpyxl.load_workbook(tmp_path / "all.xlsx")
    summary = book["Tổng hợp"]
    assert summary["A1"].font.bold and summary.freeze_panes == "A2"
    assert (summary["A2"].value, summary["B2"].value) == ("Kế hoạch đã tiếp nhận", 11)
    rows = {r[0].value: r[1].value for r in summary.iter_rows(min_row=2)}
    assert rows["Cho chủ trương"] == 3 and rows["Chờ trả lời, đã quá hạn"] == 1
    plans = book["Kế hoạch"]
    assert plans.max_row == 12  # the header and eleven plans
    assert all(r[3].is_date for r in plans.iter_rows(min_row=2))  # the day it was sent
    units = book["Theo đơn vị"]
    assert sum(r[1].value for r in units.iter_rows(min_row=2)) == 11


def test_the_summary_is_printed_in_vietnamese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    out = tmp_path / "tp.xlsx"
    assert main(["report", "stats", "--body", "du-tan-phuoc", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Thống kê kế hoạch sáng tạo, đột phá: Đảng ủy xã Tân Phước và "
                              "các tổ chức trực thuộc\n")
    assert "Trong kỳ không có kế hoạch nào được gửi." in printed
    assert f"Bảng số liệu đã ghi vào {out}." in printed
    assert out.read_bytes()[:2] == b"PK"


def test_an_unknown_body_and_a_reversed_period_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    out = tmp_path / "x.xlsx"
    assert main(["report", "stats", "--body", "khong-co", "--out", str(out)]) == 1
    assert "Không có tổ chức khong-co" in capsys.readouterr().err
    assert main(["report", "stats", "--from", "2026-05-01", "--to", "2026-04-01",
                 "--out", str(out)]) == 2
    assert "kết thúc trước khi bắt đầu" in capsys.readouterr().err
    assert not out.exists()
