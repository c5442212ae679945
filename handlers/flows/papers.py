"""The written documents of a dossier (prefix "p"): the office gets each draft as a .docx
with a short summary, may add the appraisal's and legal review's conditions and rewrite
the body, then records the number, the date and the signer; the document is kept as
recorded, with the step it completes (the written answer, a duty's report), and whoever
it is addressed to receives it. A signed scan may be attached afterwards. Everyone with a
part in the dossier can fetch the recorded documents.

Actions: ``p:l:<dossier>`` the list; ``p:o:<dossier>:<kind>:<ref>`` open a draft (``ref``:
the duty or the ballot, 0 when none); ``p:t:<i>`` a condition on or off; ``p:e`` rewrite
the body; ``p:n`` number it; ``p:s:<i>`` the signer; ``p:f:<document>`` a recorded file;
``p:u:<document>`` attach the signed scan. Every button is re-checked when pressed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from documents.text import as_text
from handlers import menu
from handlers.buttons import (
    ButtonData,
    FetchPaper,
    NumberPaper,
    OpenDossier,
    OpenOwnDossier,
    OpenPaper,
    PaperCode,
    PaperRecord,
    Papers,
    PaperSigner,
    RewritePaper,
    TogglePaperPart,
    UploadScan,
)
from handlers.context import Services, Turn
from handlers.drafting import FOR_DUTY, Edits
from handlers.drafting_more import compose
from handlers.flows.desk_view import DESK_ROLES
from handlers.flows.dossier_view import title_of
from handlers.i18n import N_
from handlers.messages import Attachment, Button, rows
from handlers.paper_files import as_attachment, docx_bytes, file_name, recorded_attachment
from handlers.ports import PersonInfo
from workflow import services as svc
from workflow.actors import Role
from workflow.commands import MarkObligationDone, RecordDocument, SendWrittenAnswer
from workflow.conflicts import acting_roles
from workflow.documents import (
    DocumentKind,
    DocumentRecord,
    Layout,
    OfficialDocument,
    Paper,
    Scan,
    reference,
)
from workflow.dossier import Dossier
from workflow.errors import DomainError
from workflow.letterhead import state_signature
from workflow.lifecycle import Action
from workflow.obligations import Obligation, ObligationKind
from workflow.paperwork import STANDALONE
from workflow.permissions import may
from workflow.service_kit import permit
from workflow.voting import Ballot

PREFIX = Papers.prefix
# Who may take the dossier's verifiable record: the proposer, the office and the head.
RECORD_ROLES = frozenset({Role.PROPOSER, Role.OFFICE, Role.HEAD})
NAME = "papers"
BODY, NUMBER, SCAN = "body", "number", "scan"
MAX_BODY = 4000
MAX_CONDITIONS = 6
_NUMBER_LINE = re.compile(r"^\s*(?:số\s*|no\.?\s*)?([0-9]{1,6})(?:\s*[-/][^\s,]*)?"
                          r"(?:[\s,]+(?:ngày\s*)?([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}))?"
                          r"\s*$", re.IGNORECASE)
CODES: dict[PaperCode, DocumentKind] = {
    "a": DocumentKind.ANSWER, "n": DocumentKind.NOT_FEASIBLE_NOTICE,
    "e": DocumentKind.ESCALATION_REPORT, "h": DocumentKind.OVERRIDE_REPORT,
    "i": DocumentKind.INCIDENT_REPORT, "r": DocumentKind.REGULATION_REPORT,
    "c": DocumentKind.CELL_PROPOSAL, "m": DocumentKind.VOTE_MINUTES,
    "q": DocumentKind.VOTE_RESOLUTION, "v": DocumentKind.EVALUATION_CONCLUSION,
    "b": DocumentKind.PROTECTION_DECISION,
}
KIND_CODES = {kind: code for code, kind in CODES.items()}
BALLOT_KINDS = (DocumentKind.VOTE_MINUTES, DocumentKind.VOTE_RESOLUTION)  # ref: a ballot
KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.ANSWER: N_("The written answer"),
    DocumentKind.NOT_FEASIBLE_NOTICE: N_("The notice that the plan is not feasible"),
    DocumentKind.ESCALATION_REPORT: N_("The report asking the competent level"),
    DocumentKind.OVERRIDE_REPORT: N_("The head's report to the superior"),
    DocumentKind.INCIDENT_REPORT: N_("The incident report to the superior"),
    DocumentKind.REGULATION_REPORT: N_("The report to the regulation's issuer"),
    DocumentKind.CELL_PROPOSAL: N_("The party cell's proposal"),
    DocumentKind.VOTE_MINUTES: N_("The minutes of the vote"),
    DocumentKind.VOTE_RESOLUTION: N_("The resolution"),
    DocumentKind.EVALUATION_CONCLUSION: N_("The conclusion of the evaluation"),
    DocumentKind.PROTECTION_DECISION: N_("The decision on the protection request"),
}


def papers_button(dossier: Dossier, t: Any) -> Button:
    return Button(t("Written documents"), Papers(dossier.id))


def draft_action(dossier: Dossier, kind: DocumentKind, ref: int = 0) -> OpenPaper:
    return OpenPaper(dossier.id, KIND_CODES[kind], ref)


def conditions_of(dossier: Dossier) -> list[str]:
    """What the appraisal and the legal review asked for, one sentence or line each."""
    found: list[str] = []
    for source in (dossier.appraisal.summary if dossier.appraisal else "",
                   dossier.legal_review.summary if dossier.legal_review else ""):
        for part in re.split(r"\n+|;\s+|(?<=[.!?])\s+", source):
            part = part.strip(" -•\t")
            if len(part) >= 8 and part not in found:
                found.append(part[:300])
    return found[:MAX_CONDITIONS]


class Loaded:
    """A dossier with its ballots, duties and recorded documents, read once."""

    def __init__(self, dossier: Dossier, ballots: list[Ballot], duties: list[Obligation],
                 records: list[DocumentRecord]) -> None:
        self.dossier, self.ballots, self.duties, self.records = dossier, ballots, duties, records


async def load(turn: Turn, dossier_id: int) -> Loaded | None:
    """The dossier if the person has a part in it."""
    actor = await turn.actor()  # before the unit of work: SQLite has one writer
    async with turn.services.uow() as uow:  # read only: left without commit
        dossier = await uow.dossiers.get(dossier_id)
        if dossier is None or not dossier.roles_of(actor):
            return None
        ballots = [b for i in dossier.ballot_ids if (b := await uow.ballots.get(i)) is not None]
        duties = await uow.obligations.for_dossier(dossier.id)
        records = await uow.documents.for_dossier(dossier.id)
    return Loaded(dossier, ballots, duties, records)


def drafts_for(loaded: Loaded, roles: frozenset[Role]) -> list[tuple[DocumentKind, int]]:
    """The documents this person may draft and record now: (kind, duty or ballot id)."""
    dossier = loaded.dossier
    found: list[tuple[DocumentKind, int]] = []
    if Role.OFFICE in roles:
        if _permits(dossier, roles, Action.SEND_WRITTEN_ANSWER):
            found.append((DocumentKind.ANSWER, 0))
        for ballot in loaded.ballots:
            if ballot.closed_at is not None and not ballot.cancelled and ballot.outcome:
                found += [(DocumentKind.VOTE_MINUTES, ballot.id),
                          (DocumentKind.VOTE_RESOLUTION, ballot.id)]
        if dossier.evaluation is not None:
            found.append((DocumentKind.EVALUATION_CONCLUSION, 0))
        found += [(DocumentKind.PROTECTION_DECISION, d.id) for d in loaded.duties
                  if d.kind is ObligationKind.ANSWER_PROTECTION_REQUEST and d.outcome]
    if roles & {Role.OFFICE, Role.HEAD}:  # the head owes the report of an override
        found += [(FOR_DUTY[d.kind], d.id) for d in loaded.duties
                  if d.kind in FOR_DUTY and d.is_open]
    if Role.CELL_SECRETARY in roles and dossier.route.preliminary_review and any(
            e.action == "cell_agree" for e in dossier.history):
        found.append((DocumentKind.CELL_PROPOSAL, 0))
    done = {(r.kind, r.ballot_id or r.obligation_id or 0) for r in loaded.records
            if r.kind in STANDALONE}
    return [(k, r) for k, r in found if (k, r) not in done]


def _permits(dossier: Dossier, roles: frozenset[Role], action: Action) -> bool:
    return may(dossier, roles, action)


class PapersFlow:
    def __init__(self) -> None:
        self.name = NAME
        self.prefix = PREFIX
        self.commands: dict[str, str] = {}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        await menu.show(turn)

    async def prompt(self, turn: Turn) -> None:
        data = turn.conversation.data
        if turn.conversation.step in (BODY, NUMBER, SCAN):
            self._ask(turn, turn.conversation.step)
        elif "id" in data:
            await self.show_list(turn, int(data["id"]))
        else:
            await menu.show(turn)

    # Buttons ---------------------------------------------------------------------------

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if turn.person is None:
            await self.invalid(turn)
            return
        match data:
            case Papers(dossier_id=dossier_id):
                await self.show_list(turn, dossier_id)
            case OpenPaper(dossier_id=dossier_id, kind=code, ref=ref):
                await self.open(turn, dossier_id, CODES[code], ref)
            case PaperRecord(dossier_id=dossier_id):
                await self.record(turn, dossier_id)
            case FetchPaper(document_id=document_id):
                await self.fetch(turn, document_id)
            case UploadScan(document_id=document_id):
                await self.ask_scan(turn, document_id)
            case TogglePaperPart(index=index) if self._drafting(turn):
                await self.toggle(turn, index)
            case PaperSigner(index=index) if self._drafting(turn):
                await self.sign(turn, index)
            case RewritePaper() | NumberPaper() if self._drafting(turn):
                step = BODY if isinstance(data, RewritePaper) else NUMBER
                turn.set_step(NAME, step)
                self._ask(turn, step)
            case _:
                await self.invalid(turn)

    def _drafting(self, turn: Turn) -> bool:
        return turn.conversation.flow == NAME and "kind" in turn.conversation.data

    async def invalid(self, turn: Turn) -> None:
        if turn.conversation.flow == NAME:
            turn.clear()
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await menu.show(turn)

    # The list --------------------------------------------------------------------------

    async def show_list(self, turn: Turn, dossier_id: int) -> None:
        t = turn.t
        loaded = await load(turn, dossier_id)
        if loaded is None:
            await self.not_found(turn)
            return
        dossier = loaded.dossier
        roles = acting_roles(dossier, await turn.actor())
        lines = [t("Written documents of dossier no. {id}, “{title}”:", id=dossier.id,
                   title=title_of(dossier, t))]
        keys: list[tuple[Button, ...]] = []
        for record in loaded.records:
            lines.append(f"📄 {t(KIND_LABELS[record.kind])}: {record.short_reference}"
                         + (" ✍" if record.scan else ""))
            keys.append((Button(f"📄 {record.short_reference}", FetchPaper(record.id)),))
        drafts = drafts_for(loaded, roles)
        if not loaded.records:
            lines.append(t("None recorded yet."))
        for kind, ref in drafts:
            keys.append((Button(t("Draft: {document}", document=t(KIND_LABELS[kind]).lower()),
                                draft_action(dossier, kind, ref)),))
        if turn.services.records is not None and roles & RECORD_ROLES:
            keys.append((Button(t("The dossier's verifiable record"),
                                PaperRecord(dossier.id)),))
        back = OpenDossier(dossier.id) if roles & DESK_ROLES else OpenOwnDossier(dossier.id)
        keys.append((Button(t("‹ Back to the dossier"), back),))
        turn.say("\n".join(lines), tuple(keys))

    async def record(self, turn: Turn, dossier_id: int) -> None:
        """One file with everything that protects the cadre: the plan, the documents, the
        votes, the history, the files' checksums and the audit records."""
        t = turn.t
        loaded = await load(turn, dossier_id)
        maker = turn.services.records
        if loaded is None or maker is None \
                or not loaded.dossier.roles_of(await turn.actor()) & RECORD_ROLES:
            await self.not_found(turn)
            return
        made = await maker(dossier_id, turn.lang)
        if made is None:
            await self.not_found(turn)
            return
        name, content, code = made
        turn.say(t("The record of dossier no. {id}: the plan, every document, the votes, the "
                   "history, the files' checksums and the audit records. Verification code: "
                   "{code}. The committee office checks it against the audit trail with "
                   "“cadrebot audit verify --record”.", id=dossier_id, code=code),
                 rows(Button(t("‹ Back"), Papers(dossier_id))),
                 files=(Attachment.made(name, content, "application/zip", elsewhere=t(
                     "This app cannot receive files: ask the committee office for the "
                     "record, or open it on Telegram.")),))

    async def not_found(self, turn: Turn) -> None:
        if turn.conversation.flow == NAME:
            turn.clear()
        turn.say(turn.t("I cannot find that dossier among yours or your tasks."))
        await menu.show(turn)

    async def fetch(self, turn: Turn, document_id: int) -> None:
        """A recorded document, for anyone with a part in its dossier."""
        async with turn.services.uow() as uow:
            record = await uow.documents.get(document_id)
            content = await uow.documents.content(document_id) if record else None
            dossier = await uow.dossiers.get(record.dossier_id) if record else None
        if record is None or dossier is None or content is None \
                or not dossier.roles_of(await turn.actor()):
            await self.not_found(turn)
            return
        t = turn.t
        file = recorded_attachment(record.file_name, content, t)
        turn.say("\n".join([t("{document} {reference}, signed by {signer}.",
                              document=t(KIND_LABELS[record.kind]),
                              reference=record.short_reference, signer=record.signer_name),
                            t("SHA-256: {sha256}", sha256=record.sha256)]),
                 rows(Button(t("‹ Back"), Papers(dossier.id))), files=(file,))

    # A draft ---------------------------------------------------------------------------

    async def open(self, turn: Turn, dossier_id: int, kind: DocumentKind, ref: int) -> None:
        loaded = await load(turn, dossier_id)
        if loaded is None:
            await self.not_found(turn)
            return
        roles = acting_roles(loaded.dossier, await turn.actor())
        if (kind, ref) not in drafts_for(loaded, roles):
            turn.say(turn.t("This document is not yours to draft now, or it is recorded "
                            "already."))
            await self.show_list(turn, dossier_id)
            return
        turn.set_step(NAME, None)
        turn.conversation.data = {"id": dossier_id, "kind": kind.value, "ref": ref,
                                  "v": loaded.dossier.version, "cond": [], "body": ""}
        await self.show_draft(turn, loaded)

    async def _draft(self, turn: Turn, loaded: Loaded) -> OfficialDocument:
        data = turn.conversation.data
        kind = DocumentKind(data["kind"])
        offered = conditions_of(loaded.dossier)
        chosen = tuple(offered[i] for i in data.get("cond", []) if 0 <= i < len(offered))
        ballot = next((b for b in loaded.ballots if b.id == data.get("ref")), None)
        duty = next((d for d in loaded.duties if d.id == data.get("ref")), None)
        ballot = ballot if kind in BALLOT_KINDS else None
        return await compose(turn.services, loaded.dossier, kind,
                             Edits(conditions=chosen, body=str(data.get("body", ""))), ballot,
                             duty)

    async def show_draft(self, turn: Turn, loaded: Loaded | None = None) -> None:
        t, data = turn.t, turn.conversation.data
        loaded = loaded or await load(turn, int(data["id"]))
        if loaded is None:
            await self.not_found(turn)
            return
        doc = await self._draft(turn, loaded)
        offered = conditions_of(loaded.dossier) if doc.kind is DocumentKind.ANSWER else []
        chosen = set(data.get("cond", []))
        lines = [t("Draft of {document} for dossier no. {id}: check it, add what is needed, "
                   "then record its number and signer.",
                   document=t(KIND_LABELS[doc.kind]).lower(), id=loaded.dossier.id),
                 t("Issued by: {issuer}. Signed: {signing}.", issuer=doc.issuer,
                   signing=" / ".join(p for p in (doc.signature.capacity,
                                                  doc.signature.position) if p))]
        if offered:
            lines.append(t("Conditions from the appraisal and the legal review (press to add "
                           "or remove):"))
            lines += [f"{'☑' if i in chosen else '☐'} {i + 1}. {c}" for i, c in
                      enumerate(offered)]
        keys: list[tuple[Button, ...]] = []
        for i in range(len(offered)):
            label = t("Condition {n}", n=i + 1)
            keys.append((Button(f"{'☑' if i in chosen else '☐'} {label}", TogglePaperPart(i)),))
        keys += [(Button(t("Rewrite the body"), RewritePaper()),),
                 (Button(t("Record number, date and signer"), NumberPaper()),),
                 (Button(t("‹ Back"), Papers(loaded.dossier.id)),)]
        file = as_attachment(turn.services, doc, loaded.dossier.id, t)
        turn.say("\n".join(lines), tuple(keys), files=(file,))

    async def toggle(self, turn: Turn, index: int) -> None:
        data = turn.conversation.data
        loaded = await load(turn, int(data["id"]))
        if loaded is None or index >= len(conditions_of(loaded.dossier)):
            await self.invalid(turn)
            return
        chosen = set(data.get("cond", []))
        chosen ^= {index}
        data["cond"] = sorted(chosen)
        await self.show_draft(turn, loaded)

    def _ask(self, turn: Turn, step: str) -> None:
        t = turn.t
        text = {
            BODY: t("Send the new body of the document, one paragraph per line. It replaces "
                    "the drafted content; the heading, signature and recipients stay."),
            NUMBER: t("Send the document's number as signed (e.g. 15), and its date if it "
                      "is not today (e.g. 15, 04/12/2026)."),
            SCAN: t("Send the scan or photo of the signed document (PDF, JPG or PNG)."),
        }[step]
        if step == NUMBER:
            # No button here: where buttons are numbered (Zalo), "15" would read as one.
            turn.say("\n".join([text, t("To stop, send /cancel.")]))
            return
        turn.say(text, rows(Button(t("Cancel"), Papers(int(turn.conversation.data["id"])))))

    async def on_text(self, turn: Turn, text: str) -> None:
        step, t = turn.conversation.step, turn.t
        if step == BODY:
            if len(text) > MAX_BODY:
                turn.say(t("That is too long: at most {n} characters.", n=MAX_BODY))
                self._ask(turn, BODY)
                return
            turn.conversation.data["body"] = text.strip()
            turn.set_step(NAME, None)
            await self.show_draft(turn)
        elif step == NUMBER:
            parsed = self._document_number(turn, text)
            if parsed is None:
                turn.say(t("I could not read a number there."))
                self._ask(turn, NUMBER)
                return
            number, day = parsed
            turn.conversation.data.update(number=number, day=day.isoformat())
            turn.set_step(NAME, None)
            await self.signers(turn)
        elif step == SCAN:
            self._ask(turn, SCAN)
        else:
            await self.prompt(turn)

    def _document_number(self, turn: Turn, text: str) -> tuple[str, date] | None:
        found = _NUMBER_LINE.match(text.strip())
        if found is None:
            return None
        today = turn.services.clock.now().date()
        if found.group(2) is None:
            return found.group(1), today
        try:
            day = date(int(found.group(4)), int(found.group(3)), int(found.group(2)))
        except ValueError:
            return None
        if day > today or (today - day).days > 366:
            return None
        return found.group(1), day

    async def _signer_choices(self, turn: Turn, loaded: Loaded) -> list[PersonInfo]:
        """Who may sign: the cell's secretary for its proposal; otherwise the head and the
        secretary and deputies of the issuing committee."""
        dossier, directory = loaded.dossier, turn.services.directory
        kind = DocumentKind(turn.conversation.data["kind"])
        if kind is DocumentKind.CELL_PROPOSAL and dossier.route.preliminary_review:
            cell = dossier.body(dossier.route.preliminary_review)
            return await directory.people_on(cell, ("secretary", "head", "deputy_secretary"))
        found = await directory.people_on(dossier.body(dossier.route.head), ("head",))
        if kind not in (DocumentKind.OVERRIDE_REPORT,):
            for body in dossier.route.decision_bodies:
                found += await directory.people_on(dossier.body(body),
                                                   ("secretary", "deputy_secretary"))
        unique: dict[str, PersonInfo] = {}
        for person in found:
            unique.setdefault(person.id, person)
        return list(unique.values())[:6]

    async def signers(self, turn: Turn) -> None:
        t, data = turn.t, turn.conversation.data
        loaded = await load(turn, int(data["id"]))
        if loaded is None:
            await self.not_found(turn)
            return
        people = await self._signer_choices(turn, loaded)
        if not people:
            turn.say(t("Nobody holding the post that signs is recorded in the organisation; "
                       "ask the office to record them."))
            return
        data["signers"] = [p.id for p in people]
        turn.say(t("Document no. {number}, dated {day}. Who signed it?", number=data["number"],
                   day=t.date(date.fromisoformat(data["day"]), "dd/MM/yyyy")),
                 rows(*(Button(f"{p.name}" + (f", {p.title}" if p.title else ""),
                               PaperSigner(i)) for i, p in enumerate(people)),
                      Button(t("Cancel"), Papers(int(data["id"])))))

    async def sign(self, turn: Turn, index: int) -> None:
        t, data = turn.t, turn.conversation.data
        signers = list(data.get("signers") or [])
        loaded = await load(turn, int(data["id"]))
        if loaded is None or index >= len(signers) or "number" not in data:
            await self.invalid(turn)
            return
        signer = await turn.services.directory.person(signers[index])
        if signer is None:
            await self.invalid(turn)
            return
        doc = await self._draft(turn, loaded)
        doc = _signed_as(doc, signer, loaded.dossier).numbered(
            str(data["number"]), date.fromisoformat(data["day"]), signer.name)
        content = docx_bytes(turn.services, doc)
        offered = conditions_of(loaded.dossier)
        paper = Paper(document=doc, signer=signer.id, file_name=file_name(doc, loaded.dossier.id),
                      content=content, text=as_text(doc),
                      conditions=tuple(offered[i] for i in data.get("cond", [])
                                       if i < len(offered)),
                      ballot_id=int(data.get("ref") or 0) or None
                      if doc.kind in BALLOT_KINDS else None,
                      obligation_id=int(data.get("ref") or 0) or None
                      if doc.kind is DocumentKind.PROTECTION_DECISION else None)
        try:
            reference = await self._record(turn, loaded, paper, int(data.get("ref") or 0))
        except DomainError as error:
            turn.say(error.render(t))
            await self.show_list(turn, loaded.dossier.id)
            turn.clear()
            return
        turn.clear()
        turn.say(t("Recorded: {document} {reference}, signed by {signer}. Those it is "
                   "addressed to receive it.", document=t(KIND_LABELS[doc.kind]),
                   reference=reference, signer=signer.name))
        await self.show_list(turn, loaded.dossier.id)

    async def _record(self, turn: Turn, loaded: Loaded, paper: Paper, ref: int) -> str:
        s, dossier = turn.services, loaded.dossier
        actor = await turn.actor()
        kind = paper.document.kind
        issued = paper.document.issued_on
        assert issued is not None
        cited = f"{_bare(paper.document)}, {issued:%d/%m/%Y}"
        if kind is DocumentKind.ANSWER:
            await svc.send_written_answer(SendWrittenAnswer(
                actor=actor, dossier_id=dossier.id, expected_version=int(
                    turn.conversation.data.get("v", dossier.version)),
                reference=cited, paper=paper), s.uow(), s.clock)
        elif kind in STANDALONE:
            await svc.record_document(RecordDocument(actor=actor, dossier_id=dossier.id,
                                                     paper=paper), s.uow(), s.clock)
        else:
            duty = next((d for d in loaded.duties if d.id == ref), None)
            if duty is None:
                raise DomainError()
            await svc.mark_obligation_done(MarkObligationDone(
                actor=actor, obligation_id=duty.id, expected_version=duty.version,
                reference=cited, paper=paper), s.uow(), s.clock)
        return cited

    # The signed scan ----------------------------------------------------------------------

    async def ask_scan(self, turn: Turn, document_id: int) -> None:
        async with turn.services.uow() as uow:
            record = await uow.documents.get(document_id)
            dossier = await uow.dossiers.get(record.dossier_id) if record else None
        if record is None or dossier is None:
            await self.not_found(turn)
            return
        try:
            permit(dossier, await turn.actor(), Action.RECORD_DOCUMENT)
        except DomainError as error:
            turn.say(error.render(turn.t))
            return
        turn.set_step(NAME, SCAN)
        turn.conversation.data = {"id": dossier.id, "document": record.id}
        self._ask(turn, SCAN)

    async def on_attachments(self, turn: Turn) -> None:
        t, data = turn.t, turn.conversation.data
        if turn.conversation.step != SCAN or "document" not in data:
            await self.prompt(turn)
            return
        file = turn.inbound.attachments[0]
        if file.mime_type not in ("application/pdf", "image/jpeg", "image/png"):
            turn.say(t("Please send a PDF, JPG or PNG file."))
            self._ask(turn, SCAN)
            return
        try:
            await svc.attach_scan(svc.AttachScan(
                actor=await turn.actor(), dossier_id=int(data["id"]),
                document_id=int(data["document"]), scan=Scan(
                    channel=turn.inbound.channel, file_id=file.file_id, name=file.name,
                    mime_type=file.mime_type, size=file.size, sha256=file.sha256,
                    by=turn.person.id if turn.person else "")),
                turn.services.uow(), turn.services.clock)
        except DomainError as error:
            turn.say(error.render(t))
            turn.clear()
            return
        dossier_id = int(data["id"])
        turn.clear()
        turn.say(t("The signed copy is attached to the document."))
        await self.show_list(turn, dossier_id)


def _bare(doc: OfficialDocument) -> str:
    return reference(doc).removeprefix("Số: ").removeprefix("Số ")


def _signed_as(doc: OfficialDocument, signer: PersonInfo, dossier: Dossier) -> OfficialDocument:
    """A deputy signs for the collective as PHÓ BÍ THƯ, and for the head as "K/T BÍ THƯ"."""
    if doc.layout is Layout.STATE:
        capacity, position = state_signature(signer.title or "")
        return replace(doc, signature=replace(doc.signature, capacity=capacity,
                                              position=position))
    title = (signer.title or "").lower()
    if "phó bí thư" not in title:
        return doc
    signature = doc.signature
    if signature.capacity:
        return replace(doc, signature=replace(signature, position="PHÓ BÍ THƯ"))
    return replace(doc, signature=replace(signature, capacity="K/T BÍ THƯ",
                                          position="PHÓ BÍ THƯ"))


async def every_document(services: Services, dossier_id: int
                         ) -> list[tuple[str, bytes]] | None:
    """Every document of a dossier as files: the recorded ones as recorded, and a draft of
    each one still to be recorded; None when there is no such dossier."""
    async with services.uow() as uow:  # read only
        dossier = await uow.dossiers.get(dossier_id)
        if dossier is None:
            return None
        ballots = [b for i in dossier.ballot_ids if (b := await uow.ballots.get(i)) is not None]
        duties = await uow.obligations.for_dossier(dossier.id)
        records = await uow.documents.for_dossier(dossier.id)
        files = [(r.file_name, await uow.documents.content(r.id) or b"") for r in records]
    loaded = Loaded(dossier, ballots, duties, records)
    for kind, ref in drafts_for(loaded, frozenset({Role.OFFICE, Role.CELL_SECRETARY})):
        ballot = next((b for b in ballots if b.id == ref), None) if kind in BALLOT_KINDS else None
        duty = next((d for d in duties if d.id == ref), None)
        doc = await compose(services, dossier, kind, Edits(), ballot, duty)
        name = file_name(doc, dossier.id)
        if ballot is not None:
            name = name.replace(".docx", f"-bieu-quyet-{ballot.id}.docx")
        files.append((name, docx_bytes(services, doc)))
    return files
