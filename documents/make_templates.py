"""Writes the bundled base templates, ``templates/party.docx`` and ``templates/state.docx``:
``python -m documents.make_templates``.

A4 (210 x 297 mm) with margins inside both regulations' ranges (top and bottom 20-25 mm,
left 30-35, right 15-20); Normal in Times New Roman 14 pt for every script, in
Vietnamese; no spacing added between paragraphs (the renderer sets each one's); the page
number centred in the top margin from the second page on (ND 30 Phụ lục I, I.7; HD 36);
no content. An installation replaces them with its own files to keep its letterhead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from documents.render import FONT, LANGUAGE, TEMPLATES, times_new_roman
from workflow.documents import Layout

# (top, bottom, left, right) in mm
MARGINS: dict[Layout, tuple[int, int, int, int]] = {
    Layout.PARTY: (20, 20, 30, 15),
    Layout.STATE: (20, 20, 30, 15),
}
SIZE = Pt(14)
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the same metadata on each run


def build(layout: Layout) -> Docx:
    word = Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = MARGINS[layout]
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True  # no number on the first page
    section.first_page_header.is_linked_to_previous = False  # an empty one, explicitly
    _page_number(section.header.paragraphs[0])
    _defaults(word)
    props = word.core_properties
    props.author = props.last_modified_by = props.title = props.subject = ""
    props.comments = props.keywords = props.category = ""
    props.language = LANGUAGE
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    return word


def _defaults(word: Docx) -> None:
    """Document defaults and Normal: Times New Roman 14 pt, Vietnamese, single spacing."""
    rpr = _one(word, "w:docDefaults/w:rPrDefault/w:rPr")
    times_new_roman(rpr)
    for tag in ("w:sz", "w:szCs"):
        _one(word, f"w:docDefaults/w:rPrDefault/w:rPr/{tag}").set(qn("w:val"),
                                                                   str(int(SIZE.pt * 2)))
    _one(word, "w:docDefaults/w:rPrDefault/w:rPr/w:lang").set(qn("w:val"), LANGUAGE)
    spacing = _one(word, "w:docDefaults/w:pPrDefault/w:pPr/w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = SIZE
    normal_rpr = normal.element.get_or_add_rPr()
    times_new_roman(normal_rpr)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    normal_rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _one(word: Docx, path: str) -> Any:
    """The one element at ``path`` in the styles part (python-docx's default has it)."""
    found = word.styles.element.xpath(path)
    assert len(found) == 1, path
    return found[0]


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field, centred, in the header of the pages after the first."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "2"),
                       ("end", "")):
        run = paragraph.add_run()
        run.font.size = SIZE
        times_new_roman(run._r.get_or_add_rPr())
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)


def main() -> None:
    TEMPLATES.mkdir(exist_ok=True)
    for layout in Layout:
        build(layout).save(str(TEMPLATES / f"{layout.value}.docx"))
        print(TEMPLATES / f"{layout.value}.docx")


if __name__ == "__main__":
    main()
