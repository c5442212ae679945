"""An ``OfficialDocument`` as plain text, for a chat message: the same parts in the same
order as the file, one per line, without the layout (no columns, no runs of spaces) so
that it reads on a phone."""

from __future__ import annotations

import unicodedata

from workflow.documents import Layout, OfficialDocument, date_line, recipient_lines, reference

# The fixed words of the regulations' layouts (part of the official format, never
# translated).
PARTY_MOTTO = "ĐẢNG CỘNG SẢN VIỆT NAM"  # HD 36: the party document's heading
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"  # ND 30: Quốc hiệu
NATION_MOTTO = "Độc lập - Tự do - Hạnh phúc"  # ND 30: Tiêu ngữ
RECIPIENTS = "Nơi nhận"


def clean(text: str) -> str:
    """NFC (what Word and the fonts expect) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def mottos(layout: Layout) -> tuple[str, ...]:
    return (PARTY_MOTTO,) if layout is Layout.PARTY else (NATION, NATION_MOTTO)


def is_letter(doc: OfficialDocument) -> bool:
    """A công văn has no type line: its summary ("V/v …") goes under its number."""
    return not doc.title.strip()


def recipient_list(doc: OfficialDocument) -> list[str]:
    """The "Nơi nhận" lines: HD 36 ends each with a comma, ND 30 with a semicolon; the
    last with a full stop in both."""
    lines = recipient_lines(tuple(clean(name) for name in doc.recipients))
    if doc.layout is Layout.STATE:
        lines = [line[:-1] + ";" for line in lines[:-1]] + lines[-1:]
    return lines


def signing_lines(doc: OfficialDocument) -> list[str]:
    """Capacity ("T/M BAN THƯỜNG VỤ", none when the head signs as such), position, name."""
    sign = doc.signature
    return [clean(line) for line in (sign.capacity.upper(), sign.position.upper(), sign.name)
            if line.strip()]


def as_text(doc: OfficialDocument) -> str:
    """Header, reference, date, title and summary, addressees, body, table, signing block
    and recipients, blocks separated by one empty line."""
    head = [doc.superior.upper(), doc.issuer.upper(), *mottos(doc.layout), reference(doc)]
    if is_letter(doc):
        head.append(doc.summary)
    head.append(date_line(doc.place, doc.issued_on))
    blocks = [head]
    if not is_letter(doc):
        blocks.append([doc.title.upper(), doc.summary])
    blocks.append(list(doc.addressees))
    blocks.extend(paragraph.splitlines() for paragraph in doc.paragraphs)
    blocks.append([" | ".join(clean(cell) for cell in row) for row in doc.table])
    blocks.append(signing_lines(doc))
    if doc.recipients:
        blocks.append([f"{RECIPIENTS}:", *recipient_list(doc)])
    chunks = ["\n".join(text for line in block if (text := clean(line))) for block in blocks]
    return "\n\n".join(chunk for chunk in chunks if chunk)
