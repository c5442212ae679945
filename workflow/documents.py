"""The written documents of a dossier, as data: what a document says and how it is
signed, before any file is made of it.

A party document follows Hướng dẫn 36-HD/VPTW (2018): the superior body's line above
the issuing body and its asterisk, "Số 15-CV/ĐU", the place and the date written out,
the type and summary, the body, the signing capacity, the signer and the recipients.
The ``nd73-2023`` track issues state documents in the layout of Nghị định 30/2020/NĐ-CP
("Số: 15/TB-UBND", "TM.", "KT."). The file itself is made elsewhere (``documents/``);
this module only says what goes in it, so that it can be checked without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum


class Layout(StrEnum):
    PARTY = "party"  # Hướng dẫn 36-HD/VPTW
    STATE = "state"  # Nghị định 30/2020/NĐ-CP


class DocumentKind(StrEnum):
    """The documents the process produces, each with its type code (HD 36 Phụ lục)."""

    ANSWER = "answer"  # the written answer to the proposer (887 Điều 4 khoản 3)
    NOT_FEASIBLE_NOTICE = "not_feasible_notice"  # 887 Điều 4 khoản 3 a
    ESCALATION_REPORT = "escalation_report"  # beyond authority, 887 Điều 4 khoản 2
    OVERRIDE_REPORT = "override_report"  # the head's decision reported to the superior
    INCIDENT_REPORT = "incident_report"  # a risk or error during the pilot
    REGULATION_REPORT = "regulation_report"  # to the body that issued an unsuited rule
    CELL_PROPOSAL = "cell_proposal"  # văn bản đề nghị của chi bộ (seed 000, footnote 2)
    VOTE_MINUTES = "vote_minutes"  # biên bản kiểm phiếu
    VOTE_RESOLUTION = "vote_resolution"  # nghị quyết
    EVALUATION_CONCLUSION = "evaluation_conclusion"  # 887 Điều 5
    PROTECTION_DECISION = "protection_decision"  # 887 Điều 7 khoản 5
    PERIODIC_REPORT = "periodic_report"  # a yearly or review report of a body, not a dossier's
    PUBLIC_NOTICE = "public_notice"  # the results of encouragement made public, 887 Điều 5.3


# The type code in the number ("15-CV/ĐU"): HD 36 for party documents, ND 30 for state ones.
TYPE_CODES: dict[Layout, dict[DocumentKind, str]] = {
    Layout.PARTY: {
        DocumentKind.ANSWER: "CV",
        DocumentKind.NOT_FEASIBLE_NOTICE: "TB",
        DocumentKind.ESCALATION_REPORT: "BC",
        DocumentKind.OVERRIDE_REPORT: "BC",
        DocumentKind.INCIDENT_REPORT: "BC",
        DocumentKind.REGULATION_REPORT: "BC",
        DocumentKind.CELL_PROPOSAL: "TTr",
        DocumentKind.VOTE_MINUTES: "BB",
        DocumentKind.VOTE_RESOLUTION: "NQ",
        DocumentKind.EVALUATION_CONCLUSION: "KL",
        DocumentKind.PROTECTION_DECISION: "TB",
        DocumentKind.PERIODIC_REPORT: "BC",
        DocumentKind.PUBLIC_NOTICE: "TB",
    },
    Layout.STATE: {
        DocumentKind.ANSWER: "",  # a công văn carries no type code under ND 30
        DocumentKind.NOT_FEASIBLE_NOTICE: "TB",
        DocumentKind.ESCALATION_REPORT: "BC",
        DocumentKind.OVERRIDE_REPORT: "BC",
        DocumentKind.INCIDENT_REPORT: "BC",
        DocumentKind.REGULATION_REPORT: "BC",
        DocumentKind.CELL_PROPOSAL: "TTr",
        DocumentKind.VOTE_MINUTES: "BB",
        DocumentKind.VOTE_RESOLUTION: "QĐ",
        DocumentKind.EVALUATION_CONCLUSION: "TB",
        DocumentKind.PROTECTION_DECISION: "TB",
        DocumentKind.PERIODIC_REPORT: "BC",
        DocumentKind.PUBLIC_NOTICE: "TB",
    },
}


@dataclass(frozen=True)
class Signature:
    """How a document is signed: on behalf of a collective ("T/M BAN THƯỜNG VỤ"), by a
    deputy for the head ("K/T BÍ THƯ"), or by the head in their own name (no capacity
    line: the head's own decision after an override)."""

    capacity: str  # "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", "" when the head signs as such
    position: str  # "BÍ THƯ", "PHÓ BÍ THƯ"
    name: str = ""  # the signer's full name, filled in when the office records it


@dataclass(frozen=True)
class OfficialDocument:
    """One written document, everything a renderer needs and nothing about files."""

    kind: DocumentKind
    layout: Layout
    superior: str  # the direct superior's line, "ĐẢNG BỘ TỈNH QUẢNG NGÃI"; may be ""
    issuer: str  # "ĐẢNG ỦY XÃ TÂN PHƯỚC"
    issuer_code: str  # "ĐU"
    place: str  # "Tân Phước"
    title: str  # the type written out, "THÔNG BÁO"; "" for a công văn
    summary: str  # "về việc ..."; for a công văn "V/v ..."
    paragraphs: tuple[str, ...]
    signature: Signature
    recipients: tuple[str, ...]  # "Như trên", "Lưu Văn phòng Đảng ủy"
    addressees: tuple[str, ...] = ()  # "Kính gửi: ..."
    table: tuple[tuple[str, ...], ...] = ()  # a minutes' tally: header row then rows
    number: str = ""  # "15"; blank in a draft
    issued_on: date | None = None  # blank in a draft
    title_en: str = field(default="", compare=False)  # for file names only

    @property
    def type_code(self) -> str:
        return TYPE_CODES[self.layout][self.kind]

    @property
    def is_draft(self) -> bool:
        return not self.number or self.issued_on is None

    def numbered(self, number: str, issued_on: date, signer: str) -> OfficialDocument:
        """The document as recorded: its number, date and signer's name."""
        return replace(self, number=number, issued_on=issued_on,
                       signature=replace(self.signature, name=signer))


def reference(doc: OfficialDocument) -> str:
    """"Số 15-CV/ĐU" (party) or "Số: 15/TB-UBND" (state); the number left as dots in a
    draft, for the office to fill in. A state number below 10 takes a leading zero,
    "Số: 03/TB-UBND" (ND 30 Phụ lục I, Phần I, II.3.c)."""
    number = doc.number or "…"
    code = doc.type_code
    if doc.layout is Layout.PARTY:
        return f"Số {number}-{code}/{doc.issuer_code}"
    if number.isascii() and number.isdigit() and int(number) < 10:
        number = f"{int(number):02d}"
    return f"Số: {number}/{code}-{doc.issuer_code}" if code else f"Số: {number}/{doc.issuer_code}"


def date_line(place: str, day: date | None) -> str:
    """"Tân Phước, ngày 04 tháng 12 năm 2026": the day with two digits, and the month too
    when it is January or February (so that nobody can add a digit before it)."""
    if day is None:
        return f"{place}, ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def recipient_lines(recipients: tuple[str, ...]) -> list[str]:
    """"- Như trên," … "- Lưu Văn phòng Đảng ủy.": a comma after each but the last."""
    lines = []
    for index, name in enumerate(recipients):
        end = "." if index == len(recipients) - 1 else ","
        lines.append(f"- {name.rstrip(',.;')}{end}")
    return lines


@dataclass(frozen=True)
class Scan:
    """The signed paper's scan or photo, as received (never the platform's bytes)."""

    channel: str
    file_id: str
    name: str
    mime_type: str | None
    size: int
    sha256: str | None
    by: str = ""  # who attached it


@dataclass
class DocumentRecord:
    """A document the office numbered and had signed: the file as recorded, fixed from
    then on (its SHA-256 goes into the audit trail), and the signed scan when attached."""

    id: int
    dossier_id: int
    kind: DocumentKind
    round: int
    reference: str  # "Số 15-CV/ĐU"
    number: str
    issued_on: date
    signer: str  # person id
    signer_name: str
    file_name: str
    sha256: str
    recorded_by: str
    recorded_at: datetime
    text: str  # the document as plain text, for chat and search
    obligation_id: int | None = None  # the duty it fulfils
    ballot_id: int | None = None  # the ballot a minutes or resolution records
    conditions: tuple[str, ...] = ()
    scan: Scan | None = None
    version: int = 0

    @property
    def short_reference(self) -> str:
        """"15-CV/ĐU, 04/12/2026": how a person cites it in one line."""
        bare = self.reference.removeprefix("Số: ").removeprefix("Số ")
        return f"{bare}, {self.issued_on:%d/%m/%Y}"


@dataclass(frozen=True)
class Paper:
    """A document as the office records it: the rendered file and what identifies it."""

    document: OfficialDocument  # numbered and signed (``OfficialDocument.numbered``)
    signer: str  # person id of the signer
    file_name: str
    content: bytes
    text: str
    conditions: tuple[str, ...] = ()
    ballot_id: int | None = None  # for minutes and resolutions
    obligation_id: int | None = None  # for a decision on a protection request
