"""The desk's assignments: who appraises (the appraisal lead's people, one of them, or an
appraisal council of named people) and by when; the legal-risk review and by when.

Buttons (``handlers.buttons``, decoded strictly; the dossier, its version and the
person's right are re-checked here and again by the services):
``k:aa:<id>:<v>`` who appraises; ``k:as:<id>:<v>:<pick>`` by when (pick 0: all the lead's
appraisers, n: the n-th); ``k:as:<id>:<v>:<pick>:<days>`` assign;
``k:cm:<id>:<v>:<mask>`` choose the council (a bit per candidate, toggled by each press);
``k:cs:<id>:<v>:<mask>`` by when; ``k:cd:<id>:<v>:<mask>:<days>`` assign to the council;
``k:lr:<id>:<v>`` by when the legal-risk review is due; ``k:ld:<id>:<v>:<days>`` assign it.
The files an appraiser sends with the report are read by :func:`accept_file`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from handlers.buttons import (
    AppraisersPick,
    ButtonData,
    CouncilDays,
    CouncilMembers,
    CouncilWhen,
    DeskCode,
    DeskStep,
    LegalReviewDays,
    OpenDossier,
)
from handlers.context import Turn
from handlers.flows import desk_ops as ops
from handlers.flows import filing_state as fs
from handlers.flows.dossier_view import title_of
from handlers.messages import Attachment, Button, rows
from handlers.ports import PersonInfo
from workflow import services as svc
from workflow.appraising import APPRAISAL, LEGAL_REVIEW, MAX_FILES, MIN_COUNCIL, due_date
from workflow.commands import AssignAppraisal, AssignLegalReview
from workflow.dossier import Dossier
from workflow.errors import DomainError

if TYPE_CHECKING:
    from handlers.flows.desk import DeskFlow

APPRAISAL_DAYS = (5, 10, 15, 20)  # offered beside the pack's own appraisal time
LEGAL_DAYS = (3, 5, 10)
MAX_COUNCIL = 20  # candidates offered for a council (bits of the mask)


async def on_action(flow: DeskFlow, turn: Turn, data: ButtonData) -> bool:
    """Handle an assignment button; False if ``data`` is not one."""
    match data:
        case DeskStep(code="aa", dossier_id=dossier_id, version=version):
            await _who(flow, turn, dossier_id, version)
        case AppraisersPick(dossier_id=dossier_id, version=version, pick=pick, days=None):
            await _when(flow, turn, dossier_id, version, APPRAISAL, pick=pick)
        case AppraisersPick(dossier_id=dossier_id, version=version, pick=pick, days=int(days)):
            await _assign(flow, turn, dossier_id, version, days, pick=pick)
        case CouncilMembers(dossier_id=dossier_id, version=version, mask=mask):
            await _council(flow, turn, dossier_id, version, mask)
        case CouncilWhen(dossier_id=dossier_id, version=version, mask=mask):
            await _when(flow, turn, dossier_id, version, APPRAISAL, mask=mask)
        case CouncilDays(dossier_id=dossier_id, version=version, mask=mask, days=days):
            await _assign(flow, turn, dossier_id, version, days, mask=mask)
        case DeskStep(code="lr", dossier_id=dossier_id, version=version):
            await _when(flow, turn, dossier_id, version, LEGAL_REVIEW)
        case LegalReviewDays(dossier_id=dossier_id, version=version, days=days):
            await _assign_legal(flow, turn, dossier_id, version, days)
        case _:
            return False
    return True


async def _who(flow: DeskFlow, turn: Turn, dossier_id: int, version: int) -> None:
    dossier = await flow.checked(turn, "aa", dossier_id, version)
    if dossier is None:
        return
    t = turn.t
    people = await ops.appraisers(turn, dossier)
    keys: list[Button] = []
    if people:
        everyone = ", ".join(p.name for p in people)
        keys.append(Button(t("All: {people}", people=everyone),
                           AppraisersPick(dossier.id, version, 0)))
        keys += [Button(p.name, AppraisersPick(dossier.id, version, i))
                 for i, p in enumerate(people, start=1)]
    if dossier.council_allowed:
        keys.append(Button(t("An appraisal council of named people…"),
                           CouncilMembers(dossier.id, version, 0)))
    if not keys:
        turn.say(t("Nobody is recorded as an appraiser for this route; please ask the "
                   "administrator to add them."))
        await flow.card(turn, dossier.id)
        return
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    turn.say(t("Who should appraise “{title}”?", title=title_of(dossier, t)), rows(*keys))


def _days_offered(dossier: Dossier, deadline_id: str) -> list[int]:
    base = APPRAISAL_DAYS if deadline_id == APPRAISAL else LEGAL_DAYS
    default = dossier.deadline_days(deadline_id, 10 if deadline_id == APPRAISAL else 5)
    return sorted({*base, default})


def _due(turn: Turn, dossier: Dossier, deadline_id: str, days: int) -> date:
    today = turn.services.clock.now().date()
    return due_date(dossier, turn.services.calendar, today,  # type: ignore[arg-type]
                    deadline_id, days)[1]


async def _when(flow: DeskFlow, turn: Turn, dossier_id: int, version: int, deadline_id: str,
                pick: int | None = None, mask: int | None = None) -> None:
    """Ask by when: each button says the date, never after the answer's due date. The
    appraisal goes to ``pick`` (0: all the lead's appraisers, n: the n-th) or to the
    council ``mask``; without either, this is the legal-risk review."""
    code: DeskCode = "lr" if deadline_id == LEGAL_REVIEW else "aa"
    dossier = await flow.checked(turn, code, dossier_id, version)
    if dossier is None:
        return
    if mask is not None and not await _council_ok(flow, turn, dossier, mask):
        return
    t = turn.t
    if pick is not None and not pick <= len(await ops.appraisers(turn, dossier)):
        await flow.malformed(turn)
        return

    def then(days: int) -> ButtonData:
        if pick is not None:
            return AppraisersPick(dossier_id, version, pick, days)
        if mask is not None:
            return CouncilDays(dossier_id, version, mask, days)
        return LegalReviewDays(dossier_id, version, days)

    keys = [Button(t.plural("{n} working day: by {due}", "{n} working days: by {due}", days,
                            due=t.date(_due(turn, dossier, deadline_id, days), "dd/MM/yyyy")),
                   then(days))
            for days in _days_offered(dossier, deadline_id)]
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    question = (t("By when should the legal-risk advice be given?")
                if deadline_id == LEGAL_REVIEW else t("By when should the appraisal be filed?"))
    turn.say(question, rows(*keys))


async def council_candidates(turn: Turn, dossier: Dossier) -> list[PersonInfo]:
    """Who may sit on an appraisal council: the lead's appraisers, the deciding bodies'
    counted members and the legal reviewers, proposers left out (they do not appraise
    their own plan), in a stable order so that a mask means the same people each time."""
    directory = turn.services.directory
    found: dict[str, PersonInfo] = {p.id: p for p in await ops.appraisers(turn, dossier)}
    others: dict[str, PersonInfo] = {}
    for body in dossier.route.decision_bodies:
        for person_id in await directory.counted_members(dossier.body(body)):
            info = await directory.person(person_id)
            if info is not None:
                others.setdefault(person_id, info)
    for person in await ops.legal_reviewers(turn, dossier):
        others.setdefault(person.id, person)
    ordered = [*found.values(), *sorted((p for i, p in others.items() if i not in found),
                                        key=lambda p: p.name)]
    return [p for p in ordered if p.id not in dossier.proposers][:MAX_COUNCIL]


def _chosen(people: list[PersonInfo], mask: int) -> list[PersonInfo]:
    return [p for i, p in enumerate(people) if mask >> i & 1]


async def _council_ok(flow: DeskFlow, turn: Turn, dossier: Dossier, mask: int) -> bool:
    people = await council_candidates(turn, dossier)
    if mask >= 1 << len(people):
        await flow.malformed(turn)
        return False
    return True


async def _council(flow: DeskFlow, turn: Turn, dossier_id: int, version: int,
                   mask: int) -> None:
    dossier = await flow.checked(turn, "aa", dossier_id, version)
    if dossier is None or not await _council_ok(flow, turn, dossier, mask):
        return
    t = turn.t
    people = await council_candidates(turn, dossier)
    chosen = _chosen(people, mask)
    keys = [Button(f"✓ {p.name}" if mask >> i & 1 else p.name,
                   CouncilMembers(dossier.id, version, mask ^ (1 << i)))
            for i, p in enumerate(people)]
    if len(chosen) >= MIN_COUNCIL:
        keys.append(Button(t.plural("Done: {n} member", "Done: {n} members", len(chosen)),
                           CouncilWhen(dossier.id, version, mask)))
    keys.append(Button(t("Cancel"), OpenDossier(dossier.id)))
    names = ", ".join(p.name for p in chosen) or t("nobody yet")
    turn.say(t("Choose the members of the appraisal council (for a broad or complex matter): "
               "press a name to add or remove it. Chosen: {people}.", people=names),
             rows(*keys, per_row=2))


async def _assign(flow: DeskFlow, turn: Turn, dossier_id: int, version: int, days: int, *,
                  pick: int | None = None, mask: int | None = None) -> None:
    dossier = await flow.checked(turn, "aa", dossier_id, version)
    if dossier is None:
        return
    t = turn.t
    council = mask is not None
    people = (await council_candidates(turn, dossier) if council
              else await ops.appraisers(turn, dossier))
    if council:
        chosen = _chosen(people, mask or 0) if (mask or 0) < 1 << len(people) else []
    else:
        chosen = (people if pick == 0 else people[(pick or 0) - 1:pick]) if (
            pick is not None and 0 <= pick <= len(people)) else []
    if not chosen or days not in _days_offered(dossier, APPRAISAL):
        await flow.malformed(turn)
        return
    s = turn.services
    try:
        done = await svc.assign_appraisal(AssignAppraisal(
            actor=await turn.actor(), dossier_id=dossier.id, expected_version=version,
            appraisers=tuple(p.id for p in chosen), council=council, working_days=days),
            s.uow(), s.clock, s.calendar)  # type: ignore[arg-type]
        due = t.date(done.appraisal_due_on) if done.appraisal_due_on else ""
        who = ", ".join(p.name for p in chosen)
        turn.say(t("The appraisal was assigned to the appraisal council: {people}. It is due "
                   "by {due}.", people=who, due=due) if council else
                 t("The appraisal was assigned to {people}. It is due by {due}.",
                   people=who, due=due))
    except DomainError as error:
        turn.say(error.render(t))
    await flow.card(turn, dossier.id)


async def _assign_legal(flow: DeskFlow, turn: Turn, dossier_id: int, version: int,
                        days: int) -> None:
    dossier = await flow.checked(turn, "lr", dossier_id, version)
    if dossier is None:
        return
    if days not in _days_offered(dossier, LEGAL_REVIEW):
        await flow.malformed(turn)
        return
    t, s = turn.t, turn.services
    people = await ops.legal_reviewers(turn, dossier)
    try:
        done = await svc.assign_legal_review(AssignLegalReview(
            actor=await turn.actor(), dossier_id=dossier.id, expected_version=version,
            reviewers=tuple(p.id for p in people), working_days=days),
            s.uow(), s.clock, s.calendar)  # type: ignore[arg-type]
        due = t.date(done.legal_review_due_on) if done.legal_review_due_on else ""
        turn.say(t("The legal-risk review was assigned to {people}. It is due by {due}.",
                   people=", ".join(p.name for p in people), due=due))
    except DomainError as error:
        turn.say(error.render(t))
    await flow.card(turn, dossier.id)


def accept_file(turn: Turn, data: dict[str, Any], attachment: Attachment) -> str:
    """Keep a file sent with the appraisal report (same types and sizes as a plan's)."""
    t = turn.t
    files: list[dict[str, Any]] = list(data.get("files") or [])
    ext = fs.extension_of(attachment.name, attachment.mime_type)
    name = attachment.name or t("file")
    if ext and not name.lower().endswith(f".{ext}"):
        name = f"{name}.{ext}"
    if any(f.get("file_id") == attachment.file_id for f in files):
        return t("“{name}” is already attached.", name=name)
    if ext is None:
        return t("“{name}” was not added: only pdf, doc, docx, xls, xlsx, jpg and png "
                 "files can be attached.", name=name)
    if attachment.size > fs.MAX_FILE_BYTES:
        return t("“{name}” was not added: it is larger than {limit} MB.", name=name,
                 limit=fs.MAX_FILE_BYTES // 2**20)
    if len(files) >= MAX_FILES:
        return t("“{name}” was not added: at most {limit} files can be filed with the "
                 "appraisal.", name=name, limit=MAX_FILES)
    files.append({"name": name, "file_id": attachment.file_id, "size": attachment.size,
                  "sha256": attachment.sha256, "mime": attachment.mime_type,
                  "channel": turn.inbound.channel,
                  "by": turn.person.id if turn.person else ""})
    data["files"] = files
    return t("Attached to the appraisal report: {name}. Attach more, or write the findings.",
             name=name)
