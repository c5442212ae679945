"""Official documents as .docx files in the layout of Hướng dẫn 36-HD/VPTW (party) and
Nghị định 30/2020/NĐ-CP (state), reopened and measured; and as plain text for a chat."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Mm
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from documents.render import TEMPLATES, render, template_for
from documents.text import as_text
from workflow.documents import (
    DocumentKind,
    Layout,
    OfficialDocument,
    Signature,
    date_line,
    recipient_lines,
    reference,
)

TNR = "Times New Roman"
NOTICE = OfficialDocument(
    kind=DocumentKind.NOT_FEASIBLE_NOTICE, layout=Layout.PARTY,
    superior="ĐẢNG BỘ TỈNH QUẢNG NGÃI", issuer="ĐẢNG ỦY XÃ TÂN PHƯỚC", issuer_code="ĐU",
    place="Tân Phước", title="THÔNG BÁO",
    summary="về kết quả thẩm định kế hoạch “Chợ phiên nông sản ấp 3”",
    paragraphs=("Ban Thường vụ Đảng ủy xã đã nhận kế hoạch của đồng chí ngày 20/11/2026.",
                "Kế hoạch chưa khả thi vì chưa có nguồn kinh phí được duyệt."),
    signature=Signature("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Hùng"),
    recipients=("Như trên", "Lưu Văn phòng Đảng ủy"),
    addressees=("Kính gửi: đồng chí Lê Thị Thu, Bí thư Chi bộ ấp 3",),
    number="15", issued_on=date(2026, 12, 4))
ANSWER = replace(NOTICE, kind=DocumentKind.ANSWER, title="",
                 summary="V/v trả lời kế hoạch “Chợ phiên nông sản ấp 3”")
MINUTES = replace(NOTICE, kind=DocumentKind.VOTE_MINUTES, title="BIÊN BẢN",
                  summary="kiểm phiếu biểu quyết kế hoạch “Chợ phiên nông sản ấp 3”",
                  addressees=(),
                  table=(("Nội dung", "Số phiếu", "Tỷ lệ"), ("Tán thành", "9", "81,8%"),
                         ("Không tán thành", "2", "18,2%")))
HEAD_SIGNED = replace(NOTICE, kind=DocumentKind.OVERRIDE_REPORT, title="BÁO CÁO",
                      summary="về quyết định của Bí thư đối với kế hoạch",
                      signature=Signature("", "BÍ THƯ", "Nguyễn Văn Hùng"))
DEPUTY = replace(NOTICE, signature=Signature("K/T BÍ THƯ", "PHÓ BÍ THƯ", "Trần Minh Tâm"))
DRAFT = replace(ANSWER, number="", issued_on=None, signature=Signature(
    "T/M BAN THƯỜNG VỤ", "BÍ THƯ"))
STATE = replace(NOTICE, layout=Layout.STATE, superior="ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH",
                issuer="ỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC", issuer_code="UBND", number="3",
                signature=Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Văn Lộc"),
                recipients=("Như trên", "Lưu: VT"))
ALL = [NOTICE, ANSWER, MINUTES, HEAD_SIGNED, DEPUTY, DRAFT, STATE]


def opened(doc: OfficialDocument, template: Path | None = None) -> Docx:
    return Document(BytesIO(render(doc, template)))


def paragraphs(word: Docx) -> list[Paragraph]:
    """Every paragraph, those in tables included, in reading order."""
    found: list[Paragraph] = []
    for block in word.iter_inner_content():
        if isinstance(block, Paragraph):
            found.append(block)
        else:
            found.extend(cell_paragraphs(block))
    return found


def cell_paragraphs(table: Table) -> list[Paragraph]:
    return [par for row in table.rows for cell in row.cells for par in cell.paragraphs]


def texts(pars: list[Paragraph]) -> list[str]:
    return [par.text for par in pars if par.text]


def run_of(word: Docx, text: str) -> Run:
    """The one run whose text is ``text``."""
    found = [run for par in paragraphs(word) for run in par.runs if run.text == text]
    assert len(found) == 1, (text, len(found))
    return found[0]


def style_of(run: Run) -> tuple[float | None, bool | None, bool | None]:
    return (run.font.size.pt if run.font.size else None, run.font.bold, run.font.italic)


def cells(table: Table) -> list[list[str]]:
    return [texts(cell.paragraphs) for cell in table.rows[0].cells]


def mm(length: Length | None) -> int:
    assert length is not None
    return round(length.mm)


def font_of(element: Any, script: str) -> str | None:
    """The font named for ``script`` in a run's or style's properties."""
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn(f"w:{script}"))


def has_rule(par: Paragraph) -> bool:
    ppr = par._p.pPr
    return ppr is not None and ppr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}") is not None


# --- the page ---------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [NOTICE, STATE], ids=["party", "state"])
def test_the_page_is_a4_with_margins_within_the_regulation(doc: OfficialDocument) -> None:
    section = opened(doc).sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert 20 <= mm(section.top_margin) <= 25
    assert 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35
    assert 15 <= mm(section.right_margin) <= 20


@pytest.mark.parametrize("doc", ALL)
def test_every_run_is_times_new_roman_for_every_script_and_nfc(doc: OfficialDocument) -> None:
    runs = [run for par in paragraphs(opened(doc)) for run in par.runs]
    assert len(runs) > 15
    for run in runs:
        assert run.font.name == TNR
        assert font_of(run._r, "eastAsia") == TNR and font_of(run._r, "cs") == TNR
        assert font_of(run._r, "asciiTheme") is None
        assert run.text == unicodedata.normalize("NFC", run.text)


def test_decomposed_input_is_written_composed() -> None:
    doc = replace(NOTICE, summary=unicodedata.normalize("NFD", NOTICE.summary))
    assert run_of(opened(doc), NOTICE.summary).font.bold is True


@pytest.mark.parametrize("layout", list(Layout))
def test_the_bundled_templates_are_empty_a4_in_times_new_roman_14(layout: Layout) -> None:
    word = Document(str(TEMPLATES / f"{layout.value}.docx"))
    assert paragraphs(word) == [] and word.tables == []
    normal = word.styles["Normal"]
    assert normal.font.name == TNR and normal.font.size is not None
    assert normal.font.size.pt == 14
    assert font_of(normal.element, "eastAsia") == TNR and font_of(normal.element, "cs") == TNR
    assert mm(word.sections[0].page_width) == 210
    assert word.core_properties.language == "vi-VN"


# --- party layout (HD 36) ----------------------------------------------------------------


def test_the_party_header_holds_the_issuer_and_the_heading() -> None:
    word = opened(NOTICE)
    header = word.tables[0]
    left, right = cells(header)
    assert left == ["ĐẢNG BỘ TỈNH QUẢNG NGÃI", "ĐẢNG ỦY XÃ TÂN PHƯỚC", "*", "Số 15-TB/ĐU"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Tân Phước, ngày 04 tháng 12 năm 2026"]
    assert any(has_rule(par) for par in header.rows[0].cells[1].paragraphs)
    assert header._tbl.tblPr.find(f"{qn('w:tblBorders')}/{qn('w:top')}").get(
        qn("w:val")) == "nil"


def test_the_party_parts_have_the_sizes_and_styles_of_the_guide() -> None:
    word = opened(NOTICE)
    assert style_of(run_of(word, "ĐẢNG BỘ TỈNH QUẢNG NGÃI")) == (14, False, False)
    assert style_of(run_of(word, "ĐẢNG ỦY XÃ TÂN PHƯỚC")) == (14, True, False)
    assert style_of(run_of(word, "Số 15-TB/ĐU")) == (14, False, False)
    assert style_of(run_of(word, "ĐẢNG CỘNG SẢN VIỆT NAM")) == (15, True, False)
    assert style_of(run_of(word, "Tân Phước, ngày 04 tháng 12 năm 2026")) == (14, False, True)
    assert style_of(run_of(word, "THÔNG BÁO")) == (16, True, False)
    assert style_of(run_of(word, NOTICE.summary)) == (14, True, False)
    body = run_of(word, NOTICE.paragraphs[0])
    assert style_of(body) == (14, False, False)
    fmt = body._parent.paragraph_format  # type: ignore[attr-defined]
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert fmt.first_line_indent is not None and round(fmt.first_line_indent.cm, 2) == 1.27
    assert fmt.space_before is not None and fmt.space_before.pt >= 6
    addressee = run_of(word, NOTICE.addressees[0])
    assert addressee._parent.alignment == WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]


def test_the_order_of_the_party_document() -> None:
    order = texts(paragraphs(opened(NOTICE)))
    expected = ["ĐẢNG ỦY XÃ TÂN PHƯỚC", "ĐẢNG CỘNG SẢN VIỆT NAM", "THÔNG BÁO", NOTICE.summary,
                NOTICE.addressees[0], *NOTICE.paragraphs, "Nơi nhận:", "T/M BAN THƯỜNG VỤ",
                "Nguyễn Văn Hùng"]
    assert [order.index(text) for text in expected] == sorted(
        order.index(text) for text in expected)


def test_a_letter_has_its_summary_under_its_number_and_no_title() -> None:
    word = opened(ANSWER)
    left, _ = cells(word.tables[0])
    assert left[-2:] == ["Số 15-CV/ĐU", ANSWER.summary]
    assert style_of(run_of(word, ANSWER.summary)) == (12, False, True)
    assert not [run for par in paragraphs(word) for run in par.runs
                if run.font.size is not None and run.font.size.pt == 16]


def test_the_signing_block_and_the_recipients() -> None:
    word = opened(NOTICE)
    recipients, signing = cells(word.tables[-1])
    assert signing == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Hùng"]
    for text in signing:
        assert style_of(run_of(word, text)) == (14, True, False)
    empty = [par for par in word.tables[-1].rows[0].cells[1].paragraphs if not par.text]
    assert len(empty) >= 3  # room for the signature and the seal
    assert recipients == ["Nơi nhận:", "- Như trên,", "- Lưu Văn phòng Đảng ủy."]
    word_run = run_of(word, "Nơi nhận")
    assert word_run.font.underline is True and word_run.font.size.pt == 14  # type: ignore[union-attr]
    assert style_of(run_of(word, "- Như trên,")) == (12, False, False)


def test_the_head_signing_their_own_decision_has_no_capacity_line() -> None:
    _, signing = cells(opened(HEAD_SIGNED).tables[-1])
    assert signing == ["BÍ THƯ", "Nguyễn Văn Hùng"]


def test_a_deputy_signs_for_the_head() -> None:
    _, signing = cells(opened(DEPUTY).tables[-1])
    assert signing == ["K/T BÍ THƯ", "PHÓ BÍ THƯ", "Trần Minh Tâm"]


def test_minutes_carry_their_tally_in_a_bordered_table() -> None:
    word = opened(MINUTES)
    assert len(word.tables) == 3
    tally = word.tables[1]
    assert [[cell.text for cell in row.cells] for row in tally.rows] == [
        list(row) for row in MINUTES.table]
    assert tally._tbl.tblPr.find(f"{qn('w:tblBorders')}/{qn('w:insideH')}").get(
        qn("w:val")) == "single"
    assert all(run.font.bold for cell in tally.rows[0].cells for run in cell.paragraphs[0].runs)
    assert run_of(word, "Tán thành").font.bold is False


def test_a_draft_leaves_the_number_the_date_and_the_name_to_the_office() -> None:
    word = opened(DRAFT)
    left, right = cells(word.tables[0])
    assert "Số …-CV/ĐU" in left
    assert right[-1] == "Tân Phước, ngày … tháng … năm …"
    _, signing = cells(word.tables[-1])
    assert signing[:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]
    assert signing[-1].startswith("……")


def test_the_core_properties() -> None:
    props = opened(NOTICE).core_properties
    assert props.title == f"THÔNG BÁO {NOTICE.summary}"
    assert props.author == "ĐẢNG ỦY XÃ TÂN PHƯỚC"
    assert props.language == "vi-VN"
    assert props.subject == "Số 15-TB/ĐU"


# --- state layout (ND 30) ----------------------------------------------------------------


def test_the_state_header_and_sizes() -> None:
    word = opened(STATE)
    left, right = cells(word.tables[0])
    assert left == ["ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH", "ỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC",
                    "Số: 03/TB-UBND"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Tân Phước, ngày 04 tháng 12 năm 2026"]
    assert style_of(run_of(word, "ỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC")) == (12, True, False)
    assert style_of(run_of(word, "Số: 03/TB-UBND")) == (13, False, False)
    assert style_of(run_of(word, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")) == (12, True, False)
    assert style_of(run_of(word, "Độc lập - Tự do - Hạnh phúc")) == (13, True, False)
    assert style_of(run_of(word, "THÔNG BÁO")) == (14, True, False)
    header_cells = word.tables[0].rows[0].cells
    assert any(has_rule(par) for par in header_cells[0].paragraphs)  # under the issuer
    assert any(has_rule(par) for par in header_cells[1].paragraphs)  # under the motto


def test_the_state_signing_block_and_recipients() -> None:
    word = opened(STATE)
    recipients, signing = cells(word.tables[-1])
    assert signing == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Văn Lộc"]
    assert recipients == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert style_of(run_of(word, "Nơi nhận:")) == (12, True, True)
    assert style_of(run_of(word, "- Như trên;")) == (11, False, False)


# --- templates ---------------------------------------------------------------------------


def test_an_installation_template_replaces_the_bundled_one(tmp_path: Path) -> None:
    own = Document()
    section = own.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = Mm(35)
    section.header.paragraphs[0].text = "VĂN PHÒNG ĐẢNG ỦY XÃ TÂN PHƯỚC - MẪU RIÊNG"
    own.add_paragraph("")  # an empty paragraph in the template is not kept
    own.save(str(tmp_path / "party.docx"))
    template = template_for(Layout.PARTY, tmp_path)
    assert template == tmp_path / "party.docx"
    assert template_for(Layout.STATE, tmp_path) == TEMPLATES / "state.docx"
    assert template_for(Layout.PARTY, None) == TEMPLATES / "party.docx"
    word = opened(NOTICE, template)
    section = word.sections[0]
    assert section.header.paragraphs[0].text == "VĂN PHÒNG ĐẢNG ỦY XÃ TÂN PHƯỚC - MẪU RIÊNG"
    assert mm(section.left_margin) == 35
    assert isinstance(next(iter(word.iter_inner_content())), Table)  # the header comes first
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells(word.tables[0])[1]


# --- the model's lines ---------------------------------------------------------------------


def test_reference() -> None:
    assert reference(ANSWER) == "Số 15-CV/ĐU"
    assert reference(DRAFT) == "Số …-CV/ĐU"
    assert reference(replace(NOTICE, number="7")) == "Số 7-TB/ĐU"
    assert reference(STATE) == "Số: 03/TB-UBND"  # ND 30: a leading zero below 10
    assert reference(replace(STATE, number="15")) == "Số: 15/TB-UBND"
    assert reference(replace(STATE, kind=DocumentKind.ANSWER, number="15")) == "Số: 15/UBND"
    assert reference(replace(STATE, number="")) == "Số: …/TB-UBND"


@pytest.mark.parametrize(("day", "line"), [
    (date(2026, 1, 5), "Tân Phước, ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "Tân Phước, ngày 28 tháng 02 năm 2026"),
    (date(2026, 3, 1), "Tân Phước, ngày 01 tháng 3 năm 2026"),
    (date(2026, 12, 4), "Tân Phước, ngày 04 tháng 12 năm 2026"),
    (None, "Tân Phước, ngày … tháng … năm …"),
])
def test_date_line(day: date | None, line: str) -> None:
    assert date_line("Tân Phước", day) == line


def test_recipient_lines() -> None:
    assert recipient_lines(("Như trên", "Lưu Văn phòng Đảng ủy")) == [
        "- Như trên,", "- Lưu Văn phòng Đảng ủy."]
    assert recipient_lines(("Như trên,", "Ban Tổ chức Huyện ủy;", "Lưu.")) == [
        "- Như trên,", "- Ban Tổ chức Huyện ủy,", "- Lưu."]
    assert recipient_lines(()) == []


# --- plain text ----------------------------------------------------------------------------


def test_as_text_of_a_letter() -> None:
    assert as_text(ANSWER) == "\n".join([
        "ĐẢNG BỘ TỈNH QUẢNG NGÃI", "ĐẢNG ỦY XÃ TÂN PHƯỚC", "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 15-CV/ĐU", ANSWER.summary, "Tân Phước, ngày 04 tháng 12 năm 2026", "",
        ANSWER.addressees[0], "", ANSWER.paragraphs[0], "", ANSWER.paragraphs[1], "",
        "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Hùng", "",
        "Nơi nhận:", "- Như trên,", "- Lưu Văn phòng Đảng ủy."])


def test_as_text_of_minutes_and_of_a_state_notice_is_compact() -> None:
    minutes = as_text(replace(MINUTES, paragraphs=("Hội   nghị  có 11 đồng chí.",)))
    assert "BIÊN BẢN\nkiểm phiếu" in minutes
    assert "Hội nghị có 11 đồng chí." in minutes
    assert "Nội dung | Số phiếu | Tỷ lệ\nTán thành | 9 | 81,8%" in minutes
    assert "  " not in minutes and "\n\n\n" not in minutes
    state = as_text(STATE)
    assert state.startswith("ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH\nỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC\n"
                            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                            "Số: 03/TB-UBND\n")
    assert state.endswith("Nơi nhận:\n- Như trên;\n- Lưu: VT.")
    assert as_text(DRAFT).split("\n\n")[-2] == "T/M BAN THƯỜNG VỤ\nBÍ THƯ"
