"""The published results as a static page and a notice (reports.public_html,
reports.public_notice): text from the records is escaped, the page stands alone and names
the committee and the day; the notice is a THÔNG BÁO "-TB/ĐU" of the committee."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import docx

from documents.render import render
from handlers.i18n import Translator
from reports.public_html import public_page
from reports.public_notice import notice_name, public_notice
from workflow.documents import DocumentKind, Layout, reference
from workflow.dossier import EncouragementForm
from workflow.organisation import OrgBody
from workflow.publishing import CommitteeResults, Publication

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 11, 20, 9, 0, tzinfo=VN)
LINE = (OrgBody("du-tan-phuoc", "Đảng ủy xã Tân Phước", "commune_party_committee",
                "btv-tinh-uy"),
        OrgBody("btv-tinh-uy", "Ban Thường vụ Tỉnh ủy Quảng Ngãi", "provincial_standing_board"))


def publication(dossier_id: int = 7, title: str = "Số hóa hồ sơ một cửa",
                unit: str = "Trường Mầm non Tân Phước", effective: bool = True,
                forms: tuple[EncouragementForm, ...] = (EncouragementForm.RECOGNITION,),
                upward: bool = False, pack: str = "two-level-2025") -> Publication:
    return Publication(dossier_id=dossier_id, body="vp-du-tan-phuoc", pack_id=pack,
                       title=title, unit=unit, effective=effective, forms=forms,
                       proposed_upward=upward, evaluated_on=AT, published_by="office",
                       published_at=AT)


def results(*items: Publication) -> CommitteeResults:
    return CommitteeResults("du-tan-phuoc", "Đảng ủy xã Tân Phước", LINE, items)


VI = Translator("vi")


def test_a_title_with_a_script_is_escaped_and_the_page_runs_nothing():
    evil = publication(title='<script>alert("x")</script> & <b>đậm</b>',
                       unit="Đơn vị <img src=x onerror=alert(1)>")
    page = public_page(VI, [results(evil)], date(2026, 12, 4))
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;" in page
    assert "Đơn vị &lt;img src=x onerror=alert(1)&gt;" in page


def test_the_page_stands_alone_names_the_committee_and_the_day_and_fits_a_phone():
    page = public_page(VI, [results(publication(), publication(
        8, "Liên thông mầm non", "", False, ()))], date(2026, 12, 4))
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|\bhref=|url\(", page)
    assert "<h2>Đảng ủy xã Tân Phước</h2>" in page and "Cập nhật ngày 04/12/2026" in page
    assert page.count("<article>") == 2
    assert "Mang lại hiệu quả thiết thực" in page and "Chưa mang lại hiệu quả thiết thực" in page
    assert "c) tôn trọng, động viên, khích lệ" in page
    assert "@media" in page  # one column on a narrow screen
    # The unit left unnamed is not shown at all.
    second = page.split("<article>")[2].split("</article>")[0]
    assert "Liên thông mầm non" in second and "<dt>Đơn vị</dt>" not in second


def test_the_notice_is_a_committee_tb_with_the_plans_in_a_table():
    items = results(publication(), publication(8, "Chuyển đổi số", "Công an xã Tân Phước",
                                               forms=(EncouragementForm.REWARDS,),
                                               upward=True))
    doc = public_notice(VI, items)
    assert doc.kind is DocumentKind.PUBLIC_NOTICE and doc.layout is Layout.PARTY
    assert doc.title == "THÔNG BÁO" and doc.summary.startswith("công khai kết quả khuyến")
    assert doc.issuer == "ĐẢNG ỦY XÃ TÂN PHƯỚC" and doc.superior == "ĐẢNG BỘ TỈNH QUẢNG NGÃI"
    assert reference(doc) == "Số …-TB/ĐU" and doc.is_draft
    assert doc.signature.capacity == "T/M ĐẢNG ỦY" and doc.signature.position == "BÍ THƯ"
    header, *rows = doc.table
    assert header[:3] == ("STT", "Tên kế hoạch", "Đơn vị") and len(rows) == 2
    assert rows[1][1] == "Chuyển đổi số" and "đề xuất cấp có thẩm quyền" in rows[1][5]
    assert doc.recipients[-1] == "Lưu Văn phòng Đảng ủy"
    assert notice_name(items) == "thong-bao-du-tan-phuoc.docx"
    word = docx.Document(io.BytesIO(render(doc)))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert "Chuyển đổi số" in cells and "Công an xã Tân Phước" in cells


def test_on_the_state_track_the_notice_takes_the_state_layout():
    doc = public_notice(VI, results(publication(pack="nd73-2023")))
    assert doc.layout is Layout.STATE and doc.type_code == "TB"
    assert doc.summary[0].isupper()


def test_the_steps_read_in_words_in_the_dossiers_history():
    from handlers.flows.dossier_view import HISTORY_LABELS
    from workflow.lifecycle import Action

    assert VI(HISTORY_LABELS[Action.PUBLISH_RESULTS]) == "đã công bố kết quả"
    assert VI(HISTORY_LABELS[Action.WITHDRAW_PUBLICATION]) == "đã thôi công bố kết quả"
