"""The public notice of a committee's published results (887 Điều 5 khoản 3) as an
``OfficialDocument``: THÔNG BÁO, type code "TB", in the party layout (the state layout on
the ``nd73-2023`` track), listing the plans the committee chose to publish with their
unit, outcome and forms of encouragement. A draft: the office numbers and signs it.

The document is in Vietnamese, the office's language: the caller passes a Vietnamese
translator whatever the reader's language. Nothing about a person is in it.
"""

from __future__ import annotations

from reports import Translate, day
from workflow.documents import DocumentKind, Layout, OfficialDocument, Signature
from workflow.dossier import ENCOURAGEMENT_LABELS
from workflow.letterhead import Letterhead, letterhead
from workflow.publishing import CommitteeResults, Publication

NOTICE_TITLE = "THÔNG BÁO"  # the type written out (HD 36, ND 30): part of the format
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def notice_name(results: CommitteeResults) -> str:
    """"thong-bao-du-tan-phuoc.docx": one draft notice per publishing committee."""
    return f"thong-bao-{results.committee}.docx"


def outcome_text(t: Translate, publication: Publication) -> str:
    """"Mang lại hiệu quả thiết thực" or not: the collective's verdict."""
    return (t("brought real results") if publication.effective
            else t("did not bring real results"))


def forms_text(t: Translate, publication: Publication) -> str:
    """The forms of encouragement published, with their letters of Điều 5 khoản 2."""
    if not publication.forms:
        return t("none")
    text = "; ".join(f"{f.value}) {t(ENCOURAGEMENT_LABELS[f])}" for f in publication.forms)
    if publication.proposed_upward:
        text = t("{forms} (forms beyond the committee's authority proposed to the competent "
                 "higher level)", forms=text)
    return text


def public_notice(t: Translate, results: CommitteeResults) -> OfficialDocument:
    """The draft notice of ``results``: an introduction and a table of the plans."""
    head = letterhead(results.line, results.pack_id)
    issuer = results.name or head.issuer.capitalize()
    intro = t("To spread good work and enable the people to oversee it, {issuer} makes public "
              "the results of the plans of cadres who dared to think, to act and to break "
              "through for the common good, as the collective evaluated them, and the forms "
              "of encouragement decided.", issuer=issuer)
    header = (t("No."), t("Plan"), t("Unit"), t("Evaluated on"), t("Result"),
              t("Forms of encouragement"))
    rows = tuple((str(index), p.title, p.unit or "-", day(t, p.evaluated_on.date()),
                  outcome_text(t, p), forms_text(t, p))
                 for index, p in enumerate(results.publications, start=1))
    closing = t("The units and the people may send their opinions on these results to "
                "{office}.", office=_office(head, issuer))
    return OfficialDocument(
        kind=DocumentKind.PUBLIC_NOTICE, layout=head.layout, superior=head.superior,
        issuer=head.issuer, issuer_code=head.issuer_code, place=head.place,
        title=NOTICE_TITLE, summary=_summary(t, head.layout),
        paragraphs=(intro, closing, t("The results are as follows:")),
        signature=_signature(head),
        recipients=(t("The party organisations and units under the committee"),
                    t("Posted publicly at the committee's office and on its portal"),
                    t("File: {office}", office=_office(head, issuer))),
        table=(header, *rows), title_en="public notice of results")


def _summary(t: Translate, layout: Layout) -> str:
    text = t("results of the encouragement of dynamic, creative cadres who dare to think, "
             "dare to act and dare to break through for the common good")
    # HD 36 writes the summary in lower case after the type; ND 30 starts with a capital.
    return text[:1].upper() + text[1:] if layout is Layout.STATE else text


def _signature(head: Letterhead) -> Signature:
    """On behalf of the committee, signed by its secretary (the state track: the head of
    the agency, as the post signs)."""
    if head.layout is Layout.STATE:
        return Signature("", "THỦ TRƯỞNG CƠ QUAN")
    return Signature(f"T/M {head.collective}" if head.collective else "", "BÍ THƯ")


def _office(head: Letterhead, issuer: str) -> str:
    """"Văn phòng Đảng ủy" (party); the issuer itself otherwise."""
    if head.layout is Layout.PARTY and head.collective and head.collective != "CHI BỘ":
        return f"Văn phòng {head.collective.capitalize()}"
    return issuer
