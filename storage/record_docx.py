"""The readable side of a dossier's record (``record.docx`` and ``README.txt``), written
from the same data as ``record.json`` so that the two cannot say different things.

Plain on purpose: Times New Roman, bold paragraphs for headings, grid tables; times in
Vietnam's zone. Every word goes through the translator (Vietnamese by default).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from workflow.attachments import APPRAISAL, PLAN
from workflow.lifecycle import ACTION_LABELS, STATE_LABELS, Action, State
from workflow.obligations import OBLIGATION_LABELS, ObligationKind
from workflow.quiet_hours import VIETNAM
from workflow.service_kit import SYSTEM
from workflow.voting import CHOICE_LABELS, EVALUATION, OUTCOME_LABELS, Choice, Outcome

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table

    from handlers.i18n import Translator

FONT = "Times New Roman"


def _when(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def _label(table: dict[Any, str], kind: type, value: str | None, t: Translator) -> str:
    """The translated label of an enum value; the value itself when it is not one."""
    try:
        return t(table[kind(value)])
    except (ValueError, KeyError):
        return value or ""


# Audit actions that are not steps of the lifecycle, named by the step they record.
_AUDIT_ACTIONS = {"vote_cast": Action.CAST_VOTE.value,
                  "document_recorded": Action.RECORD_DOCUMENT.value}


def _name(data: dict[str, Any], person: str | None, t: Translator) -> str:
    if not person or person == SYSTEM:
        return t("cadrebot (automatically)")
    found = data["people"].get(person)
    return found["name"] if found and found.get("name") else person


def _note(step: dict[str, Any], t: Translator) -> str:
    # Closing a ballot notes its outcome by value.
    if step["action"] == Action.CLOSE_BALLOT.value:
        return _label(OUTCOME_LABELS, Outcome, step["note"], t)
    return str(step["note"])


def _styled(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def _heading(doc: DocxDocument, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.add_run(text).bold = True


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]],
           size: float = 11) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)
    return table


def _fields(doc: DocxDocument, pairs: list[tuple[str, str]]) -> None:
    for label, value in pairs:
        if value:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)


def how_to_check(t: Translator) -> str:
    return t("The verification code is the first 20 hexadecimal digits of the SHA-256 of "
             "the hashes of the audit records, written one after another in order. Every "
             "file in this archive has its SHA-256 in SHA256SUMS. To check this record "
             "against the audit trail, the committee office runs: cadrebot audit verify "
             "--record FILE")


def _plan(doc: DocxDocument, plan: dict[str, Any], t: Translator) -> None:
    kinds = {"not_regulated": t("Not yet regulated"),
             "regulated_unsuited": t("Regulated, but the regulation does not suit practice")}
    _fields(doc, [
        (t("Title"), plan["title"]), (t("Kind of problem"), kinds.get(plan["problem_kind"] or "",
                                                                     "")),
        (t("Regulation not suited to practice"), plan["regulation"]),
        (t("Issued by"), plan["regulation_issuer"]), (t("Problem"), plan["problem"]),
        (t("Proposed way"), plan["approach"]), (t("Expected results"), plan["expected_results"]),
        (t("Risks"), plan["risks"]),
        (t("Declaration"), t("The motive is the common good.") if plan["common_good"] else ""),
        (t("Documents"), ", ".join(plan["attachments"])),
    ])


def _ballots(doc: DocxDocument, data: dict[str, Any], t: Translator) -> None:
    if not data["ballots"]:
        doc.add_paragraph(t("No vote was opened."))
    for ballot in data["ballots"]:
        body = data["bodies"].get(ballot["body"], ballot["body"])
        if ballot["cancelled"]:
            outcome = t("cancelled")
        elif ballot["outcome"]:
            outcome = _label(OUTCOME_LABELS, Outcome, ballot["outcome"], t)
        else:
            outcome = t("still open")
        text = t("Ballot no. {id} of {body}: opened {opened}, closed {closed}, outcome: "
                 "{outcome}.", id=ballot["id"], body=body, opened=_when(ballot["opened_at"]),
                 closed=_when(ballot["closed_at"]) or t("not yet"), outcome=outcome)
        if ballot["purpose"] == EVALUATION:
            text += " " + t("(on the evaluation of the results)")
        if ballot["automatic"]:
            text += " " + t("(closed by itself once the outcome was certain)")
        doc.add_paragraph(text)
        doc.add_paragraph(t("Members who could vote: {count}.", count=len(ballot["voters"])))
        if ballot["votes"]:
            _table(doc, [t("Member"), t("Vote"), t("Time"), t("Comment")], [
                [_name(data, v["person"], t), _label(CHOICE_LABELS, Choice, v["choice"], t),
                 _when(v["at"]), v["comment"]] for v in ballot["votes"]])
        else:
            doc.add_paragraph(t("No votes were cast."))


def _files(doc: DocxDocument, data: dict[str, Any], t: Translator) -> None:
    purposes = {PLAN: t("attached to the plan"), APPRAISAL: t("filed with the appraisal report")}
    if data["attachments"]:
        _table(doc, [t("File"), t("Received with"), t("Size (bytes)"), "SHA-256"], [
            [f["name"], purposes.get(f["purpose"], f["purpose"]), str(f["size"]),
             f["sha256"] or t("not recorded")] for f in data["attachments"]], size=9)
    else:
        doc.add_paragraph(t("No files were received with the dossier."))
    if data["documents"]:
        doc.add_paragraph(t("Official documents in this record (folder documents/):"))
        _table(doc, [t("File"), t("Size (bytes)"), "SHA-256"], [
            [d["name"], str(d["size"]), d["sha256"]] for d in data["documents"]], size=9)


def render_docx(data: dict[str, Any], t: Translator) -> bytes:
    """``record.docx`` for the record ``data`` (what record.json holds)."""
    doc = Document()
    _styled(doc)
    dossier, plan = data["dossier"], data["plan"]
    doc.core_properties.title = t("Record of dossier no. {id}", id=data["dossier_id"])
    doc.core_properties.author = "cadrebot"
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(t("RECORD OF DOSSIER NO. {id}", id=data["dossier_id"]))
    run.bold, run.font.size = True, Pt(14)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(plan["title"]).italic = True
    doc.add_paragraph(t("Made by cadrebot on {time} from the dossier's data and its audit "
                        "trail.", time=_when(data["generated_at"])))
    code = doc.add_paragraph()
    code.add_run(t("Verification code: {code}", code=data["verification_code"])).bold = True
    _fields(doc, [
        (t("State"), _label(STATE_LABELS, State, dossier["state"], t)),
        (t("Proposer"), _name(data, dossier["proposer"], t)),
        (t("Co-proposers"), ", ".join(_name(data, p, t) for p in dossier["co_proposers"])),
        (t("Registration number"), dossier["registration_number"] or ""),
        (t("Received on"), _day(dossier["received_on"])),
        (t("Answer due by"), _day(dossier["due_on"])),
        (t("Written answer"), dossier["answer_reference"] or ""),
    ])

    _heading(doc, t("1. The plan"))
    _plan(doc, plan, t)

    _heading(doc, t("2. How the dossier was handled"))
    _table(doc, [t("No."), t("Time"), t("Step"), t("By"), t("State after"), t("Note")], [
        [str(s["seq"]), _when(s["at"]), _label(ACTION_LABELS, Action, s["action"], t),
         _name(data, s["by"], t), _label(STATE_LABELS, State, s["to_state"], t), _note(s, t)]
        for s in data["history"]])

    _heading(doc, t("3. Votes"))
    _ballots(doc, data, t)

    _heading(doc, t("4. Written reports owed"))
    if data["obligations"]:
        _table(doc, [t("Report"), t("Due"), t("Done")], [
            [_label(OBLIGATION_LABELS, ObligationKind, o["kind"], t),
             _day(o["due_on"]) or t("at once"),
             " ".join(filter(None, (_when(o["done_at"]), o["reference"]))) or t("not yet")]
            for o in data["obligations"]])
    else:
        doc.add_paragraph(t("None."))

    _heading(doc, t("5. Files"))
    _files(doc, data, t)

    _heading(doc, t("6. Audit records"))
    _table(doc, [t("No."), t("Time"), t("By"), t("Action"), t("Hash")], [
        [str(e["seq"]), _when(e["at"]), _name(data, e["actor"], t),
         _label(ACTION_LABELS, Action, _AUDIT_ACTIONS.get(e["action"], e["action"]), t),
         e["hash"]]
        for e in data["audit"]], size=8)
    code = doc.add_paragraph()
    code.paragraph_format.space_before = Pt(12)
    code.add_run(t("Verification code: {code}", code=data["verification_code"])).bold = True
    doc.add_paragraph(how_to_check(t))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def readme(data: dict[str, Any], t: Translator) -> str:
    """``README.txt``: what the archive holds and how to check it."""
    lines = [
        t("Record of dossier no. {id}", id=data["dossier_id"]) + f": {data['plan']['title']}",
        t("Made by cadrebot on {time} from the dossier's data and its audit trail.",
          time=_when(data["generated_at"])),
        t("Verification code: {code}", code=data["verification_code"]),
        "",
        t("record.json: the record as data (UTF-8, sorted keys, times in UTC)."),
        t("record.docx: the same record for reading."),
        t("documents/: the dossier's official documents."),
        t("SHA256SUMS: the SHA-256 of every file (sha256sum -c SHA256SUMS)."),
        t("SHA256SUMS.seal: the installation's seal on SHA256SUMS."),
        "",
        how_to_check(t),
    ]
    return "\n".join(lines) + "\n"
