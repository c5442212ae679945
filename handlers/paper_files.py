"""Documents as files: a draft or a recorded document as the .docx a person receives,
named by its type and number, with where to get it on a channel that cannot send files."""

from __future__ import annotations

from handlers.context import Services
from handlers.i18n import Translator
from handlers.messages import Attachment
from workflow.documents import DocumentKind, OfficialDocument
from workflow.text_fold import fold

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# File names say what the document is, in the office's words without diacritics.
KIND_SLUGS: dict[DocumentKind, str] = {
    DocumentKind.ANSWER: "cong-van-tra-loi",
    DocumentKind.NOT_FEASIBLE_NOTICE: "thong-bao-ket-qua-tham-dinh",
    DocumentKind.ESCALATION_REPORT: "bao-cao-xin-chu-truong",
    DocumentKind.OVERRIDE_REPORT: "bao-cao-quyet-dinh-cua-nguoi-dung-dau",
    DocumentKind.INCIDENT_REPORT: "bao-cao-rui-ro-sai-sot",
    DocumentKind.REGULATION_REPORT: "bao-cao-quy-dinh-khong-phu-hop",
    DocumentKind.CELL_PROPOSAL: "to-trinh-cua-chi-bo",
    DocumentKind.VOTE_MINUTES: "bien-ban-kiem-phieu",
    DocumentKind.VOTE_RESOLUTION: "nghi-quyet",
    DocumentKind.EVALUATION_CONCLUSION: "ket-luan-danh-gia",
    DocumentKind.PROTECTION_DECISION: "thong-bao-ve-de-nghi-bao-ve",
}


def file_name(doc: OfficialDocument, dossier_id: int) -> str:
    """"cong-van-tra-loi-15-CV-DU-2026-12-04.docx"; a draft: "du-thao-…-ho-so-12.docx"."""
    slug = KIND_SLUGS[doc.kind]
    if doc.is_draft or doc.issued_on is None:
        return f"du-thao-{slug}-ho-so-{dossier_id}.docx"
    code = "-".join(p for p in (doc.type_code, doc.issuer_code) if p)
    bare = fold(f"{doc.number}-{code}").replace(" ", "").upper().replace("/", "-")
    return f"{slug}-{bare}-{doc.issued_on.isoformat()}.docx"


def docx_bytes(services: Services, doc: OfficialDocument) -> bytes:
    # python-docx (and lxml) are loaded when a document is made, not with the bot.
    from documents.render import render, template_for

    return render(doc, template_for(doc.layout, services.document_templates))


def _elsewhere(t: Translator) -> str:
    return t("This app cannot receive files: the document (.docx) is on Telegram, in the "
             "console, or at the committee office.")


def recorded_attachment(name: str, content: bytes, t: Translator) -> Attachment:
    """A recorded document's file, exactly as recorded."""
    return Attachment.made(name, content, DOCX, elsewhere=_elsewhere(t))


def as_attachment(services: Services, doc: OfficialDocument, dossier_id: int,
                  t: Translator, content: bytes | None = None) -> Attachment:
    """The document as a file to send; ``content`` when it was recorded already."""
    data = content if content is not None else docx_bytes(services, doc)
    return Attachment.made(file_name(doc, dossier_id), data, DOCX, elsewhere=_elsewhere(t))
