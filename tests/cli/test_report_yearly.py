"""``cadrebot report yearly`` and ``review`` on the populated 2025 demo (``org demo
--with-dossiers``): the .docx opened with python-docx has the report's sections and the
same figures as ``cadrebot report stats`` over the same days; unknown duties, reports not
owed, bad dates and unwritable paths are refused with a clear message."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.cli import main

REVIEW_DUTY = "commune-committee-yearly-review"  # 887 Điều 7 khoản 7–8, before 15/12
HEADINGS = ("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN", "II. KẾT QUẢ THỰC HIỆN",
            "III. ĐÁNH GIÁ CHUNG",
            "IV. KHEN THƯỞNG, BIỂU DƯƠNG VÀ NHÂN RỘNG MÔ HÌNH MỚI, CÁCH LÀM HAY",
            "V. NHIỆM VỤ THỜI GIAN TỚI, KIẾN NGHỊ, ĐỀ XUẤT")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cadrebot.sqlite3"
    monkeypatch.setenv("CADREBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    word = docx.Document(io.BytesIO(path.read_bytes()))
    return ([p.text for p in word.paragraphs if p.text.strip()],
            [[" | ".join(c.text for c in row.cells) for row in t.rows] for t in word.tables])


def intake(f: dict[str, int]) -> str:
    return (f"Kế hoạch đã tiếp nhận: {f['filed']}, trong đó văn phòng đã vào sổ "
            f"{f['registered']}; cho chủ trương: {f['approved']} (người đứng đầu quyết định "
            f"khi tập thể không thống nhất: {f['head_override']}); không cho chủ trương: "
            f"{f['rejected']}; trả lại để chuẩn bị lại: {f['re_prepared']}; thẩm định không "
            f"khả thi: {f['not_feasible']}; báo cáo cấp trên do vượt thẩm quyền: "
            f"{f['escalated']}; người đề xuất rút lại: {f['withdrawn']}; đang xem xét: "
            f"{f['under_consideration']}. Số cuộc biểu quyết: {f['ballots']}.")


def answers(f: dict[str, int]) -> str:
    return (f"đúng hạn: {f['answered_on_time']}; trễ hạn: {f['answered_late']}; đang chờ, còn "
            f"trong hạn: {f['waiting_in_time']}; đang chờ, đã quá hạn: {f['waiting_overdue']}")


def test_the_duty_report_of_each_commune_agrees_with_the_statistics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    total = 0
    for body, name in (("du-tan-phuoc", "Đảng ủy xã Tân Phước"),
                       ("du-hoa-an", "Đảng ủy phường Hòa An")):
        out = tmp_path / f"{body}.docx"
        made = run_json(capsys, "report", "yearly", "--duty", REVIEW_DUTY, "--body", body,
                        "--out", str(out))
        assert made["template"] == "interim_review" and made["issuer"] == body
        desk = run_json(capsys, "report", "stats", "--body", body, "--from", made["from"],
                        "--to", made["to"], "--out", str(tmp_path / f"{body}.xlsx"))
        figures = desk["figures"]
        assert made["figures"] == figures
        total += figures["filed"]
        paragraphs, tables = read(out)
        header = tables[0][0]
        assert f"ĐẢNG ỦY {name.split(' ', 2)[2].upper()}" in header and "BC/ĐU" in header
        assert paragraphs[0] == "BÁO CÁO"
        assert paragraphs[1].startswith("sơ kết việc thực hiện chủ trương khuyến khích")
        positions = [paragraphs.index(h) for h in HEADINGS]
        assert positions == sorted(positions)
        assert f"Số liệu của {name} và các tổ chức trực thuộc." in paragraphs
        assert intake(figures) in paragraphs
        assert any(answers(figures) in p for p in paragraphs)
        plans = tables[1]
        assert len(plans) == figures["filed"] + 1  # the header and one row a plan
        assert "Ban Thường vụ Tỉnh ủy (để báo cáo)" in tables[-1][0]
        assert "T/M ĐẢNG ỦY" in tables[-1][0]
    assert total == 11  # the twelve demo stories, the draft not sent


def test_the_whole_installation_and_a_final_review(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    out = tmp_path / "all.docx"
    assert main(["report", "yearly", "--duty", REVIEW_DUTY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Đã ghi dự thảo “BÁO CÁO sơ kết việc thực hiện chủ trương")
    assert "Có nhiều tổ chức phải gửi báo cáo này (du-hoa-an, du-tan-phuoc)" in printed
    paragraphs, _tables = read(out)
    assert "Số liệu tổng hợp của tất cả các tổ chức sử dụng hệ thống." in paragraphs

    review = tmp_path / "review.docx"
    made = run_json(capsys, "report", "review", "--body", "du-tan-phuoc", "--final",
                    "--from", "2025-07-01", "--addressee", "Ban Thường vụ Tỉnh ủy",
                    "--out", str(review))
    desk = run_json(capsys, "report", "stats", "--body", "du-tan-phuoc", "--from",
                    "2025-07-01", "--out", str(tmp_path / "tp.xlsx"))
    assert made["figures"] == desk["figures"] and made["template"] == "final_review"
    paragraphs, tables = read(review)
    assert paragraphs[1].startswith("tổng kết việc thực hiện chủ trương")
    assert intake(desk["figures"]) in paragraphs
    assert all(h in paragraphs for h in HEADINGS)
    # The evaluated waste-sorting pilot of Tân Phước, with its product.
    assert any("Kết thúc thí điểm" in row and "Đánh giá: có hiệu quả" in row
               for row in tables[1])
    assert any(p.startswith("- “Phân loại rác thải tại nguồn") for p in paragraphs)


def test_unknown_duties_reports_not_owed_bad_dates_and_paths_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "demo"]) == 0
    capsys.readouterr()
    out = tmp_path / "x.docx"
    assert main(["report", "yearly", "--duty", "khong-co", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Không có nhiệm vụ báo cáo khong-co" in err and REVIEW_DUTY in err
    assert main(["report", "yearly", "--duty", REVIEW_DUTY, "--year", "2024",
                 "--out", str(out)]) == 1
    assert "không phải báo cáo vào năm 2024" in capsys.readouterr().err
    assert main(["report", "yearly", "--duty", REVIEW_DUTY, "--body", "khong-co",
                 "--out", str(out)]) == 1
    assert "Không có tổ chức khong-co" in capsys.readouterr().err
    assert main(["report", "review", "--from", "2026-05-01", "--to", "2026-04-01",
                 "--out", str(out)]) == 2
    assert "kết thúc trước khi bắt đầu" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["report", "review", "--from", "2026-13-01", "--out", str(out)])
    assert bad.value.code == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["report", "review", "--out", str(tmp_path / "no" / "such" / "x.docx")]) == 2
    assert "Không ghi được tệp" in capsys.readouterr().err
    assert not out.exists()


def test_an_installations_three_year_report_has_the_five_sections_of_seed_003(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 003 asks once for a report on three years, before 30/8; an installation lists
    it in its own duties file (here due next year, so that the demo's plans are in it)."""
    year = date.today().year + 1
    duties = tmp_path / "duties.yaml"
    duties.write_text(f"""
duties:
  - id: three-year-report
    source: "Công văn 398/SNV-CCVC ngày 20/3/2024 của Sở Nội vụ, mục 5"
    what: {{vi: "Báo cáo kết quả 3 năm thực hiện chủ trương khuyến khích và bảo vệ cán bộ
             năng động, sáng tạo vì lợi ích chung", en: "Three years of the policy"}}
    to: {{vi: "Sở Nội vụ", en: "the Department of Home Affairs"}}
    bodies: [commune_party_committee]
    before: 30/08/{year}
""", encoding="utf-8")
    monkeypatch.setenv("CADREBOT_REPORTING_DUTIES", str(duties))
    assert main(["org", "demo", "--with-dossiers"]) == 0
    capsys.readouterr()
    out = tmp_path / "3-nam.docx"
    made = run_json(capsys, "report", "yearly", "--duty", "three-year-report", "--year",
                    str(year), "--body", "du-tan-phuoc", "--out", str(out))
    assert made["template"] == "three_year"
    assert made["from"] == f"{year - 3}-08-30"
    desk = run_json(capsys, "report", "stats", "--body", "du-tan-phuoc", "--from",
                    made["from"], "--to", made["to"], "--out", str(tmp_path / "tp.xlsx"))
    paragraphs, tables = read(out)
    assert paragraphs[1] == ("kết quả 3 năm thực hiện chủ trương khuyến khích và bảo vệ cán "
                             f"bộ năng động, sáng tạo vì lợi ích chung giai đoạn {year - 3} - "
                             f"{date.today().year}")
    sections = [p for p in paragraphs if p[:3] in ("1. ", "2. ", "3. ", "4. ", "5. ")]
    assert sections == [
        "1. Công tác lãnh đạo, triển khai, ban hành kế hoạch và các văn bản",
        "2. Kết quả thực hiện: kết quả về số lượng, chất lượng đạt được sau khi triển khai "
        "thực hiện các quy định (có số liệu, danh mục, sản phẩm cụ thể)",
        "3. Đánh giá ưu điểm, hạn chế, khó khăn, vướng mắc",
        "4. Bài học kinh nghiệm, cách làm hay, sáng tạo, đổi mới",
        "5. Kiến nghị, đề xuất"]
    assert intake(desk["figures"]) in paragraphs
    assert paragraphs[2].startswith("Thực hiện Công văn 398/SNV-CCVC ngày 20/3/2024 của Sở "
                                    "Nội vụ, mục 5, Đảng ủy xã Tân Phước báo cáo như sau")
    assert len(tables[1]) == desk["figures"]["filed"] + 1
    assert "Sở Nội vụ (để báo cáo)" in tables[-1][0]
