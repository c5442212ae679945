"""Reports drafted from the data: the report each duty asks for and its period, the seed-003
three-year report in its five sections, a results report and a final review, each with the
hand-counted figures of the statistics' fixture (tests/unit/test_statistics.py) and the list
of plans with their products, in the party and the state layout, rendered as .docx."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from documents.render import render
from handlers.i18n import Translator
from reports.report_docx import Issuer, Records, review_report, yearly_report
from tests.unit.test_statistics import CALENDAR, fixture, stats
from workflow.documents import DocumentKind, reference
from workflow.letterhead import letterhead
from workflow.organisation import OrgBody
from workflow.report_documents import (
    NotOwed,
    ReportTemplate,
    occurrence,
    plan_results,
    report_letterhead,
    template_for,
)
from workflow.reporting_duties import ReportingDuty, bundled_duties, parse_duties
from workflow.statistics import Period

VI = Translator("vi")
# Seed 003, mục 5 (the example in workflow/data/reporting_duties.yaml), and a party duty
# due at the new year, so that its report covers 2026 whole.
DUTIES = parse_duties("""
duties:
  - id: three-year-report
    what: {vi: "Báo cáo kết quả 3 năm thực hiện chủ trương khuyến khích và bảo vệ cán bộ năng
             động, sáng tạo vì lợi ích chung", en: "Report on three years of the policy"}
    to: {vi: "Sở Nội vụ", en: "the Department of Home Affairs"}
    bodies: [agency_head]
    before: 30/08/2024
  - id: yearly-results
    source: "Quy định 887-QĐ/TU, Điều 10 khoản 4 (hằng năm)"
    what: {vi: "Báo cáo hằng năm kết quả thực hiện Quy định 887-QĐ/TU (ngày do văn phòng xác
             định)", en: "Yearly report on Rule 887"}
    to: {vi: "Ban Thường vụ Thị ủy (cấp ủy cấp trên trực tiếp)", en: "the Town Standing Board"}
    bodies: [commune_party_committee]
    before: 01/01
""")
THREE_YEAR, YEARLY = DUTIES
PHO_CHAU = [OrgBody("du-pho-chau", "Đảng ủy xã Phổ Châu", "commune_party_committee",
                    "tu-duc-pho"),
            OrgBody("tu-duc-pho", "Thị ủy Đức Phổ", "town_party_committee", None)]
SO_NOI_VU = [OrgBody("so-noi-vu", "Sở Nội vụ tỉnh Vĩnh Phúc", "agency_head", "ubnd-tinh"),
             OrgBody("ubnd-tinh", "Ủy ban nhân dân tỉnh Vĩnh Phúc", "provincial_pc", None)]
FIVE_SECTIONS = (
    "1. Công tác lãnh đạo, triển khai, ban hành kế hoạch và các văn bản",
    "2. Kết quả thực hiện: kết quả về số lượng, chất lượng đạt được sau khi triển khai thực "
    "hiện các quy định (có số liệu, danh mục, sản phẩm cụ thể)",
    "3. Đánh giá ưu điểm, hạn chế, khó khăn, vướng mắc",
    "4. Bài học kinh nghiệm, cách làm hay, sáng tạo, đổi mới",
    "5. Kiến nghị, đề xuất",
)
# The fixture's 2026, counted by hand in tests/unit/test_statistics.py.
INTAKE = ("Kế hoạch đã tiếp nhận: 7, trong đó văn phòng đã vào sổ 7; cho chủ trương: 2 (người "
          "đứng đầu quyết định khi tập thể không thống nhất: 1); không cho chủ trương: 1; trả "
          "lại để chuẩn bị lại: 1; thẩm định không khả thi: 1; báo cáo cấp trên do vượt thẩm "
          "quyền: 1; người đề xuất rút lại: 0; đang xem xét: 1. Số cuộc biểu quyết: 4.")
ANSWERS = ("đúng hạn: 2; trễ hạn: 1; đang chờ, còn trong hạn: 0; đang chờ, đã quá hạn: 3; "
           "thời gian trả lời trung vị: 29 ngày làm việc.")
PILOTS = "Thí điểm: bắt đầu: 1; đang thực hiện cuối kỳ: 0; hoàn thành: 1; đã đánh giá: 1."


@pytest.fixture
async def records() -> Records:
    s, _ids = await fixture()
    result = stats(s, Period.year(2026), as_of=date(2026, 12, 31))
    return Records(result, plan_results(result.plans, s.store.dossiers))


def docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    word = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in word.paragraphs if p.text.strip()]
    tables = [[" | ".join(c.text for c in row.cells) for row in table.rows]
              for table in word.tables]
    return paragraphs, tables


def test_the_duty_says_which_report_and_its_period() -> None:
    by_id = {d.id: d for d in bundled_duties()}
    assert template_for(THREE_YEAR) is ReportTemplate.THREE_YEAR
    assert template_for(by_id["commune-committee-yearly-review"]) is \
        ReportTemplate.INTERIM_REVIEW
    assert template_for(by_id["review-unsuited-rules"]) is ReportTemplate.RESULTS
    # Seed 002, before 30/11/2024: the twelve months to 29/11; its last working day Fri 29/11.
    seed2 = occurrence(by_id["review-unsuited-rules"], 2024, date(2024, 12, 10), CALENDAR)
    assert seed2.period == Period(date(2023, 11, 30), date(2024, 11, 29))
    assert seed2.due_on == date(2024, 11, 29)
    # Drafted early: counted up to today.
    early = occurrence(by_id["review-unsuited-rules"], 2024, date(2024, 11, 15), CALENDAR)
    assert early.period.end == date(2024, 11, 15)
    # Seed 003: three years up to 29/8/2024.
    three = occurrence(THREE_YEAR, 2024, date(2024, 8, 20), CALENDAR)
    assert three.period == Period(date(2021, 8, 30), date(2024, 8, 20))
    assert three.years == (2021, 2024)


@pytest.mark.parametrize(("duty", "year", "today", "reason"), [
    ("three-year-report", 2025, date(2025, 8, 1), "once"),
    ("review-unsuited-rules", 2025, date(2025, 12, 1), "outside"),  # the district is gone
    ("review-unsuited-rules", 2024, date(2023, 11, 1), "future"),
])
def test_a_report_not_owed_is_refused_with_its_reason(duty: str, year: int, today: date,
                                                      reason: str) -> None:
    found: dict[str, ReportingDuty] = {d.id: d for d in (*bundled_duties(), *DUTIES)}
    with pytest.raises(NotOwed) as refused:
        occurrence(found[duty], year, today, CALENDAR)
    assert refused.value.reason == reason


async def test_the_three_year_report_has_its_five_sections_and_the_figures(
        records: Records) -> None:
    found = occurrence(THREE_YEAR, 2024, date(2024, 8, 20), CALENDAR)
    issuer = Issuer(report_letterhead(SO_NOI_VU, "nd73-2023"), "Sở Nội vụ tỉnh Vĩnh Phúc")
    doc = yearly_report(VI, found, issuer, records)
    assert doc.kind is DocumentKind.PERIODIC_REPORT and doc.title == "BÁO CÁO"
    assert reference(doc) == "Số: …/BC-SNV"  # ND 30, as seed 003's own "398/SNV-CCVC"
    assert (doc.superior, doc.place) == ("ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC", "Vĩnh Phúc")
    # ND 30 starts the summary with a capital; the period in years.
    assert doc.summary.startswith("Kết quả 3 năm thực hiện chủ trương")
    assert doc.summary.endswith("giai đoạn 2021 - 2024")
    assert not doc.addressees
    assert doc.recipients == ("Sở Nội vụ (để báo cáo)", "Lưu: VT")
    assert (doc.signature.capacity, doc.signature.position) == ("", "GIÁM ĐỐC")
    positions = [doc.paragraphs.index(heading) for heading in FIVE_SECTIONS]
    assert positions == sorted(positions)
    results = doc.paragraphs[positions[1]:positions[2]]
    assert INTAKE in results
    assert any(ANSWERS in p for p in results) and PILOTS in " ".join(results)
    assert any("Rủi ro, sai sót được báo cáo: 1 (đã kiểm tra, kết luận: 1); đề nghị bảo vệ: 1 "
               "(đã áp dụng biện pháp bảo vệ: 1)" in p for p in results), results
    assert "Danh mục 7 kế hoạch" in " ".join(results)
    # The list of plans and their products: the header and the seven plans of 2026.
    assert len(doc.table) == 8
    assert doc.table[0][-1] == "Sản phẩm, kết quả"
    evaluated = [row for row in doc.table if "Báo cáo hoàn thành: Đã hoàn thành" in row[-1]]
    assert len(evaluated) == 1
    assert "Đánh giá: có hiệu quả: Hiệu quả; khuyến khích: tôn trọng" in evaluated[0][-1]
    lessons = doc.paragraphs[positions[3]:positions[4]]
    assert lessons[1] == "Các kế hoạch được đánh giá có hiệu quả, đề nghị biểu dương và nhân rộng:"
    assessment = " ".join(doc.paragraphs[positions[2]:positions[3]])
    assert "Trả lời đúng hạn 2/3 văn bản" in assessment
    assert "Kế hoạch chờ trả lời đã quá hạn: 3" in assessment

    paragraphs, tables = docx_text(render(doc))
    for heading in FIVE_SECTIONS:
        assert heading in paragraphs
    assert INTAKE in paragraphs
    assert len(tables[1]) == 8 and tables[1][0].startswith("STT | Tên kế hoạch")
    assert "GIÁM ĐỐC" in tables[-1][0]


async def test_a_results_report_and_a_final_review_in_the_party_layout(
        records: Records) -> None:
    found = occurrence(YEARLY, 2027, date(2027, 1, 20), CALENDAR)
    assert found.template is ReportTemplate.RESULTS
    assert found.period == Period(date(2026, 1, 1), date(2026, 12, 31))
    issuer = Issuer(letterhead(PHO_CHAU, "duc-pho-2022"), "Đảng ủy xã Phổ Châu")
    doc = yearly_report(VI, found, issuer, records)
    assert reference(doc) == "Số …-BC/ĐU"
    assert doc.summary == "kết quả thực hiện Quy định 887-QĐ/TU năm 2027"
    assert doc.paragraphs[0].startswith("Thực hiện Quy định 887-QĐ/TU, Điều 10 khoản 4, Đảng ủy "
                                        "xã Phổ Châu báo cáo như sau (số liệu từ ngày "
                                        "01/01/2026 đến ngày 31/12/2026)")
    assert doc.paragraphs.index("I. KẾT QUẢ THỰC HIỆN") < \
        doc.paragraphs.index("II. ĐÁNH GIÁ VÀ KIẾN NGHỊ, ĐỀ XUẤT")
    assert INTAKE in doc.paragraphs
    assert doc.recipients == ("Ban Thường vụ Thị ủy (để báo cáo)", "Lưu Văn phòng Đảng ủy")
    assert (doc.signature.capacity, doc.signature.position) == ("T/M ĐẢNG ỦY", "BÍ THƯ")

    review = review_report(VI, True, issuer, records, "Ban Thường vụ Thị ủy")
    assert review.summary.startswith("tổng kết việc thực hiện chủ trương")
    assert review.summary.endswith("từ ngày 01/01/2026 đến ngày 31/12/2026")
    headings = ["I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN", "II. KẾT QUẢ THỰC HIỆN",
                "III. ĐÁNH GIÁ CHUNG",
                "IV. KHEN THƯỞNG, BIỂU DƯƠNG VÀ NHÂN RỘNG MÔ HÌNH MỚI, CÁCH LÀM HAY",
                "V. NHIỆM VỤ THỜI GIAN TỚI, KIẾN NGHỊ, ĐỀ XUẤT"]
    positions = [review.paragraphs.index(h) for h in headings]
    assert positions == sorted(positions)
    assert INTAKE in review.paragraphs
    assert ("Tiếp tục trả lời 1 kế hoạch đang xem xét (trong đó 3 kế hoạch đã quá hạn) và theo "
            "dõi 0 kế hoạch đang thí điểm.") in review.paragraphs
    paragraphs, tables = docx_text(render(review))
    assert all(h in paragraphs for h in headings)
    assert "Ban Thường vụ Thị ủy (để báo cáo)" in tables[-1][0]


async def test_a_period_without_plans_keeps_its_sections_and_says_so(records: Records) -> None:
    s, _ids = await fixture()
    empty = stats(s, Period.year(2024), as_of=date(2024, 12, 31))
    issuer = Issuer(letterhead(PHO_CHAU, "duc-pho-2022"), "Đảng ủy xã Phổ Châu")
    doc = review_report(VI, False, issuer, Records(empty, ()))
    assert "Trong kỳ không có kế hoạch nào được gửi." in doc.paragraphs
    assert "Trong kỳ không có kế hoạch để lập danh mục." in doc.paragraphs
    assert doc.table == () and doc.summary.startswith("sơ kết")
    assert "III. ĐÁNH GIÁ CHUNG" in doc.paragraphs
    assert doc.recipients == ("Lưu Văn phòng Đảng ủy",)
    paragraphs, tables = docx_text(render(doc))
    assert "Trong kỳ không có kế hoạch nào được gửi." in paragraphs
    assert len(tables) == 2  # the header and the signing block: no list


async def test_a_peoples_committee_reports_in_the_state_layout(records: Records) -> None:
    """Seed 002: the town People's Committee, a body of the party chart, reports before
    30/11 in the layout of Nghị định 30/2020, signed on behalf of the committee."""
    duty = next(d for d in bundled_duties() if d.id == "review-unsuited-rules")
    line = [OrgBody("ubnd-thi-xa", "Ủy ban nhân dân thị xã Đức Phổ", "town_peoples_committee",
                    "thi-uy"), OrgBody("thi-uy", "Thị ủy Đức Phổ", "town_party_committee")]
    head = report_letterhead(line, "duc-pho-2022")
    assert (head.issuer, head.issuer_code, head.superior, head.place) == (
        "ỦY BAN NHÂN DÂN THỊ XÃ ĐỨC PHỔ", "UBND", "", "Đức Phổ")
    found = occurrence(duty, 2024, date(2024, 11, 20), CALENDAR)
    doc = yearly_report(VI, found, Issuer(head, "Ủy ban nhân dân thị xã Đức Phổ"), records)
    assert reference(doc) == "Số: …/BC-UBND"
    assert doc.summary == ("Kết quả rà soát cơ chế, chính sách, quy định không còn phù hợp năm "
                           "2024")
    assert (doc.signature.capacity, doc.signature.position) == ("TM. ỦY BAN NHÂN DÂN",
                                                                "CHỦ TỊCH")
    assert doc.recipients[0] == ("UBND cấp huyện (qua Phòng Nội vụ, Phòng Tư pháp) (để báo "
                                 "cáo)")
    assert doc.paragraphs[0].startswith("Thực hiện Kế hoạch của UBND huyện thực hiện Chương "
                                        "trình hành động số 36-CTr/HU, mục II.4.2, Ủy ban")
    # A party body keeps the party layout under the same pack.
    assert report_letterhead(PHO_CHAU, "duc-pho-2022") == letterhead(PHO_CHAU, "duc-pho-2022")
