"""An ``OfficialDocument`` as an editable .docx in its regulation's layout.

Party documents follow Hướng dẫn 36-HD/VPTW (2018), state ones Nghị định 30/2020/NĐ-CP,
Phụ lục I: a borderless two-column header (the issuing body and its number on the left,
the party's or the nation's heading and the date on the right), the type and summary,
the addressees, the body, and a borderless signing table ("Nơi nhận" on the left, the
signing block on the right). The page (size, margins, styles, a letterhead in the page
header) comes from a template: an installation's own ``party.docx``/``state.docx`` or
the bundled ones. Every run names Times New Roman for every script, so that the file
looks the same whatever the template's or the reader's defaults.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as Docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Cm, Length, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from documents.text import (
    NATION,
    NATION_MOTTO,
    PARTY_MOTTO,
    RECIPIENTS,
    clean,
    is_letter,
    recipient_list,
)
from workflow.documents import Layout, OfficialDocument, date_line, reference

TEMPLATES = Path(__file__).parent / "templates"
FONT = "Times New Roman"
LANGUAGE = "vi-VN"
CELL_PADDING = Pt(5.4)  # Word's default left and right cell margins (0.19 cm)
SIGNATURE_SPACE = 4  # empty lines for the signature and the seal
NAME_PLACEHOLDER = "……………………"  # the office writes the name when the signer is not known
_CENTER, _RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
_LEFT, _JUSTIFY = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY


@dataclass(frozen=True)
class Sizes:
    """Point sizes of a layout's parts (HD 36 Phụ lục 3; ND 30 Phụ lục I, Mục V)."""

    superior: float
    issuer: float
    reference: float
    letter_summary: float  # a công văn's "V/v …" under its number
    motto: float  # "ĐẢNG CỘNG SẢN VIỆT NAM" / Quốc hiệu
    nation_motto: float  # Tiêu ngữ (state only)
    date: float
    title: float
    summary: float
    body: float
    table: float
    signing: float
    recipients_word: float
    recipients: float
    left_share: float  # the header's left column, as a share of the text width


SIZES: dict[Layout, Sizes] = {
    Layout.PARTY: Sizes(superior=14, issuer=14, reference=14, letter_summary=12, motto=15,
                        nation_motto=0, date=14, title=16, summary=14, body=14, table=13,
                        signing=14, recipients_word=14, recipients=12, left_share=0.45),
    Layout.STATE: Sizes(superior=12, issuer=12, reference=13, letter_summary=12, motto=12,
                        nation_motto=13, date=14, title=14, summary=14, body=14, table=13,
                        signing=14, recipients_word=12, recipients=11, left_share=0.37),
}

Box = Docx | _Cell


def template_for(layout: Layout, folder: Path | None) -> Path:
    """The installation's ``party.docx``/``state.docx`` in ``folder`` when it has one
    (its letterhead, styles and margins are kept), else the bundled one."""
    name = f"{layout.value}.docx"
    if folder is not None and (folder / name).is_file():
        return folder / name
    return TEMPLATES / name


def render(doc: OfficialDocument, template: Path | None = None) -> bytes:
    word = Document(str(template or template_for(doc.layout, None)))
    _clear(word)
    sizes = SIZES[doc.layout]
    section = word.sections[-1]
    width = Length(int(section.page_width or 0) - int(section.left_margin or 0)
                   - int(section.right_margin or 0))
    _header(word, doc, sizes, width)
    if not is_letter(doc):
        _line(word, doc.title.upper(), sizes.title, _CENTER, bold=True, before=12)
        _line(word, doc.summary, sizes.summary, _CENTER, bold=True)
        if doc.layout is Layout.STATE:  # ND 30: a short rule under the summary
            _rule(word, _width_pt(doc.summary, sizes.summary, True) * 0.4, width.pt)
    for index, addressee in enumerate(doc.addressees):
        _line(word, addressee, sizes.body, _CENTER, before=12 if index == 0 else 0)
    for index, text in enumerate(doc.paragraphs):
        par = _line(word, text, sizes.body, _JUSTIFY, before=12 if index == 0 else 6)
        par.paragraph_format.first_line_indent = Cm(1.27)
        par.paragraph_format.line_spacing = 1.15  # between single and 1.5 lines
    if any(doc.table):
        _line(word, "", sizes.body, _LEFT)
        _data_table(word, doc.table, sizes.table, width)
    _line(word, "", sizes.body, _LEFT)  # also keeps Word from joining the two tables
    _signing(word, doc, sizes, width)
    _par(word, _LEFT).paragraph_format.line_spacing = Pt(1)  # Word wants a paragraph last
    _properties(word, doc)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _clear(word: Docx) -> None:
    """Drop the template's empty paragraphs; a letterhead drawn in the body, and a
    paragraph ending a section, stay."""
    body = word.element.body
    for child in list(body):
        if (child.tag == qn("w:p") and not "".join(child.itertext()).strip()
                and not child.xpath(".//w:drawing | .//w:pict | .//w:object | ./w:pPr/w:sectPr")):
            body.remove(child)


def _header(word: Docx, doc: OfficialDocument, sizes: Sizes, width: Length) -> None:
    party = doc.layout is Layout.PARTY
    left_width = Length(int(width * sizes.left_share))
    right_width = Length(width - left_width)
    table = _table(word, 1, [left_width, right_width], bordered=False)
    left, right = table.rows[0].cells
    room = left_width.pt - 2 * CELL_PADDING.pt
    if doc.superior.strip():
        _line(left, doc.superior.upper(), sizes.superior, _CENTER)
    _line(left, doc.issuer.upper(), sizes.issuer, _CENTER, bold=True)
    if party:  # HD 36: an asterisk between the issuer and the number
        _line(left, "*", sizes.issuer, _CENTER)
    else:  # ND 30: a rule of 1/3 to 1/2 of the issuer's line
        _rule(left, min(_width_pt(doc.issuer, sizes.issuer, True), room) * 0.4, room)
    _line(left, reference(doc), sizes.reference, _CENTER, before=0 if party else 6)
    if is_letter(doc) and doc.summary.strip():
        _line(left, doc.summary, sizes.letter_summary, _CENTER, italic=party, before=6)
    room = right_width.pt - 2 * CELL_PADDING.pt
    if party:
        _line(right, PARTY_MOTTO, sizes.motto, _CENTER, bold=True)
        _rule(right, _width_pt(PARTY_MOTTO, sizes.motto, True), room)
    else:
        _line(right, NATION, sizes.motto, _CENTER, bold=True)
        _line(right, NATION_MOTTO, sizes.nation_motto, _CENTER, bold=True)
        _rule(right, _width_pt(NATION_MOTTO, sizes.nation_motto, True), room)
    _line(right, date_line(doc.place, doc.issued_on), sizes.date, _RIGHT if party else _CENTER,
          italic=True, before=6)


def _data_table(word: Docx, rows: tuple[tuple[str, ...], ...], size: float,
                width: Length) -> None:
    columns = max(len(row) for row in rows)
    table = _table(word, len(rows), [Length(int(width / columns))] * columns, bordered=True)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated
    for index, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        header = index == 0
        for cell, text in zip(row.cells, cells, strict=False):
            numeric = clean(text).replace(",", "").replace(".", "").replace("%", "").isdigit()
            _line(cell, text, size, _CENTER if header or numeric else _LEFT, bold=header)


def _signing(word: Docx, doc: OfficialDocument, sizes: Sizes, width: Length) -> None:
    half = Length(int(width / 2))
    table = _table(word, 1, [half, Length(width - half)], bordered=False)
    left, right = table.rows[0].cells
    if doc.recipients:
        par = _par(left, _LEFT)
        if doc.layout is Layout.PARTY:  # HD 36: the word underlined, upright
            _run(par, RECIPIENTS, sizes.recipients_word, underline=True)
            _run(par, ":", sizes.recipients_word)
        else:  # ND 30: bold italic
            _run(par, f"{RECIPIENTS}:", sizes.recipients_word, bold=True, italic=True)
        for line in recipient_list(doc):
            _line(left, line, sizes.recipients, _LEFT)
    sign = doc.signature
    if sign.capacity.strip():  # none when the head signs their own decision
        _line(right, sign.capacity.upper(), sizes.signing, _CENTER, bold=True)
    _line(right, sign.position.upper(), sizes.signing, _CENTER, bold=True)
    for _ in range(SIGNATURE_SPACE):
        _par(right, _CENTER)
    if sign.name.strip():
        _line(right, sign.name, sizes.signing, _CENTER, bold=True)
    else:
        _line(right, NAME_PLACEHOLDER, sizes.signing, _CENTER)


def _properties(word: Docx, doc: OfficialDocument) -> None:
    props = word.core_properties
    props.title = clean(f"{doc.title} {doc.summary}")[:255]
    props.subject = reference(doc)
    props.author = clean(doc.issuer)
    props.last_modified_by = clean(doc.issuer)
    props.language = LANGUAGE
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0)  # not the template's


# --- building blocks -----------------------------------------------------------------


def _par(box: Box, align: WD_ALIGN_PARAGRAPH, *, before: float = 0) -> Paragraph:
    """A new paragraph with its spacing set, whatever the template's Normal says; a
    cell's first paragraph is used rather than left empty."""
    first = box.paragraphs[0] if isinstance(box, _Cell) else None
    if first is not None and len(box.paragraphs) == 1 and not first.runs \
            and first._p.pPr is None:
        par = first
    else:
        par = box.add_paragraph()
    fmt = par.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    return par


def _line(box: Box, text: str, size: float, align: WD_ALIGN_PARAGRAPH, *, bold: bool = False,
          italic: bool = False, before: float = 0) -> Paragraph:
    par = _par(box, align, before=before)
    if text:
        _run(par, text, size, bold=bold, italic=italic)
    return par


def _run(par: Paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False,
         underline: bool = False) -> None:
    run = par.add_run(unicodedata.normalize("NFC", text))
    run.font.size = Pt(size)
    run.font.bold, run.font.italic, run.font.underline = bold, italic, underline
    times_new_roman(run._r.get_or_add_rPr())


def times_new_roman(rpr: CT_RPr) -> None:
    """Times New Roman for Latin, East-Asian and complex scripts alike, with no theme
    font (which Word would prefer to the named one)."""
    fonts = rpr.get_or_add_rFonts()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), FONT)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def _rule(box: Box, length_pt: float, room_pt: float) -> None:
    """A centred horizontal rule ``length_pt`` long: a 2 pt paragraph's bottom border,
    indented from both sides (the regulations' "đường kẻ ngang, nét liền")."""
    par = _par(box, _CENTER)
    indent = max((room_pt - length_pt) / 2, 0)
    fmt = par.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(indent)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    # after what python-docx may have set before it, before what it sets after it
    par._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")


def _width_pt(text: str, size: float, bold: bool) -> float:
    """About how wide ``text`` prints in Times New Roman (average advance widths): enough
    to size a rule under it, which the office can still adjust."""
    ems = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        if char == " ":
            ems += 0.25
        elif char == "I" or char in "fijlrt":
            ems += 0.35
        elif char.isupper():
            ems += 0.72 if bold else 0.68
        else:
            ems += 0.5
    return ems * size


def _table(word: Docx, rows: int, widths: list[Length], *, bordered: bool) -> Table:
    table = word.add_table(rows=rows, cols=len(widths))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single" if bordered else "nil")
        if bordered:
            line.set(qn("w:sz"), "4")
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "auto")
        borders.append(line)
    properties = table._tbl.tblPr
    properties.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar",
                                     "w:tblLook")
    total = properties.find(qn("w:tblW"))
    if total is not None:  # the columns' sum, not "auto", for the readers that size by it
        total.set(qn("w:type"), "dxa")
        total.set(qn("w:w"), str(sum(int(width.twips) for width in widths)))
    return table

