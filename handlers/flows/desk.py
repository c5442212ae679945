"""The committee desk (prefix "k"): the cell secretary's, the office's, the appraisers',
the members' and the head's tasks, each dossier with the buttons for its next step.

Buttons (``handlers.buttons``), all decoded strictly and re-checked against the stored
dossier:
``k:l`` my tasks, ``k:o`` the office's overview by due date, ``k:u`` unreachable people,
``k:v:<id>`` a dossier, ``k:<code>:<id>:<version>`` a step (see ``desk_view.CODES``;
steps that need a reason ask for it first), the assignments of the appraisal and the
legal-risk review (``desk_assign``), ``k:oc:<id>:<version>:<days>`` open the vote,
``k:vt:<id>:<ballot>:<a|r|p|x>`` vote, ``k:od:<obligation>:<version>`` a report done.
A dossier the person has no part in gets the same answer as one that does not exist.
"""

from __future__ import annotations

from handlers import menu
from handlers.buttons import (
    BallotClosing,
    ButtonData,
    CommentVote,
    DeskCancel,
    DeskCode,
    DeskStep,
    DutyDone,
    Home,
    MyTasks,
    OpenDossier,
    OpenOverview,
    OpenOwnDossier,
    UnreachablePeople,
    Vote,
)
from handlers.context import Turn
from handlers.drafting import FOR_DUTY
from handlers.flows import desk_assign as assign
from handlers.flows import desk_evaluate as evaluate
from handlers.flows import desk_forward as forward
from handlers.flows import desk_matters as matters
from handlers.flows import desk_ops as ops
from handlers.flows import desk_pages as pages
from handlers.flows import desk_vote as votes
from handlers.flows import filing_state as fs
from handlers.flows.desk_view import ASKS, CODES, buttons, offered, status_lines
from handlers.flows.documents import documents_button
from handlers.flows.dossier_view import detail_text, names_for, shorten, summary_line, title_of
from handlers.flows.dossiers import DossiersFlow
from handlers.flows.papers import PapersFlow, papers_button
from handlers.i18n import Translator
from handlers.messages import Button, rows
from handlers.ports import DeskReader
from workflow.actors import Role
from workflow.conflicts import acting_roles
from workflow.documents import DocumentKind
from workflow.dossier import Dossier
from workflow.errors import DomainError, NotPermitted, StaleVersion
from workflow.lifecycle import Action
from workflow.obligations import DECIDED, OBLIGATION_SHORT_LABELS, Obligation
from workflow.service_kit import permit
from workflow.voting import Ballot

TEXT = "text"  # the only step: waiting for a reason, findings or a reference
MAX_TEXT = 2000

class DeskFlow:
    def __init__(self) -> None:
        self.name = "desk"
        self.prefix = DeskStep.prefix
        self.commands = {"tasks": "", "viec": ""}

    # Entry points ---------------------------------------------------------------------

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        self._leave(turn)
        if await self._linked(turn):
            await self._inbox(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._linked(turn):
            return
        if isinstance(data, Vote):  # a vote leaves a question pending (its comment) alone
            await votes.vote(self, turn, data.dossier_id, data.ballot_id, data.choice)
            return
        if data is None:
            await self.malformed(turn)
            return
        self._leave(turn)  # a new button drops a pending question
        if isinstance(data, MyTasks):
            await self._inbox(turn, data.page)
        elif isinstance(data, OpenOverview):
            await self._overview(turn, data.page)
        elif isinstance(data, UnreachablePeople):
            await self._unreachable(turn)
        elif isinstance(data, OpenDossier):
            await self.card(turn, data.dossier_id)
        elif isinstance(data, DeskCancel):
            turn.say(turn.t("Nothing was changed."))
            await self._inbox(turn)
        elif (await assign.on_action(self, turn, data)
              or await forward.on_action(self, turn, data)
              or await evaluate.on_action(self, turn, data)
              or await matters.on_action(self, turn, data)):
            pass
        elif isinstance(data, CommentVote):
            await votes.ask_comment(self, turn, data.dossier_id, data.ballot_id)
        elif isinstance(data, DeskStep):
            await self._step(turn, data.code, data.dossier_id, data.version)
        elif isinstance(data, BallotClosing):
            await self._run(turn, data.dossier_id, data.version, "ob", pick=data.days,
                            body=data.body)
        elif isinstance(data, DutyDone):
            await self._ask_obligation(turn, data.obligation_id, data.version)
        else:
            await self.malformed(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        data = dict(turn.conversation.data)
        if turn.conversation.step != TEXT or "op" not in data:
            self._leave(turn)
            await self._inbox(turn)
            return
        if len(text) > MAX_TEXT:
            turn.say(turn.t("Please keep it under {limit} characters.", limit=MAX_TEXT))
            await self.prompt(turn)
            return
        self._leave(turn)
        op, version = str(data["op"]), int(data["v"])
        try:
            if op == "od":
                turn.say(await ops.obligation_done(turn, int(data["obligation"]), version, text))
                await self.card(turn, int(data["id"]))
                return
            if op in matters.ASKS:
                await matters.decide(turn, op, data, text)
                await self.card(turn, int(data["id"]))
                return
            dossier = await self.load(turn, int(data["id"]))
            if dossier is None:
                await self.not_found(turn)
                return
            if op == votes.COMMENT:
                turn.say(await votes.comment(turn, dossier, version, text))
                await self.card(turn, dossier.id)
                return
            if op == evaluate.OPEN:
                turn.say(await evaluate.open_vote(turn, dossier, version, text,
                                                  int(data["pick"]), int(data["days"])))
                await self.card(turn, dossier.id)
                return
            files = tuple(fs.received(f) for f in data.get("files") or [])
            turn.say(await ops.with_text(turn, op, dossier, version, text,
                                         int(data.get("pick", 0)), files))
        except DomainError as error:
            turn.say(error.render(turn.t))
        await self.card(turn, int(data["id"]))

    async def on_attachments(self, turn: Turn) -> None:
        data = turn.conversation.data
        if turn.conversation.step == TEXT and data.get("op") in ("fy", "fn"):
            for attachment in turn.inbound.attachments:  # the appraisal report's files
                turn.say(assign.accept_file(turn, data, attachment))
            return
        turn.say(turn.t("Files cannot be attached here yet; please write the text."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        data = turn.conversation.data
        if turn.conversation.step == TEXT and "op" in data:
            self._ask_again(turn, str(data["op"]), int(data["id"]))
            return
        self._leave(turn)
        if turn.person is not None:
            await self._inbox(turn)

    # Lists ----------------------------------------------------------------------------

    async def _inbox(self, turn: Turn, page: int | None = None) -> None:
        """The dossiers on the person's desk, most urgent first, a page at a time (the
        count and the page selected in SQL: ``DeskReader.tasks``)."""
        t = turn.t
        actor = await turn.actor()
        reader = desk_reader(turn)

        async def read(offset: int, limit: int) -> tuple[list[Dossier], int]:
            found = await reader.tasks(actor, offset=offset, limit=limit)
            return found.dossiers, found.total

        shown = await pages.fetch(turn, page, read)
        extra: list[tuple[Button, ...]] = []
        if actor.bodies_with(Role.OFFICE):
            extra.append((Button(t("All open dossiers by due date"), OpenOverview()),))
            extra.append((Button(t("People who cannot be reached"), UnreachablePeople()),))
        extra.append((Button(t("Main menu"), Home()),))
        if not shown.items:
            turn.say(t("Nothing is waiting for you at the moment."), tuple(extra))
            return
        header = (t.plural("{count} dossier is waiting for you — page {page}/{pages}:",
                           "{count} dossiers are waiting for you — page {page}/{pages}:",
                           shown.total, count=shown.counted, page=shown.page,
                           pages=shown.pages) if shown.paged else
                  t.plural("{n} dossier is waiting for you:",
                           "{n} dossiers are waiting for you:", shown.total))
        await self._listing(turn, header, shown.items,
                            [*pages.nav_row(t, shown, MyTasks), *extra])

    async def _overview(self, turn: Turn, page: int | None = None) -> None:
        t = turn.t
        offices = (await turn.actor()).bodies_with(Role.OFFICE)
        back = (Button(t("‹ Back to my tasks"), MyTasks()),)
        if not offices:
            turn.say(t("This overview is for the committee office."), (back,))
            return
        reader = desk_reader(turn)

        async def read(offset: int, limit: int) -> tuple[list[Dossier], int]:
            found = await reader.open_page({b for b in offices if b}, offset=offset,
                                           limit=limit)
            return found.dossiers, found.total

        shown = await pages.fetch(turn, page, read)
        if not shown.items:
            turn.say(t("There are no open dossiers."), (back,))
            return
        header = (t.plural("{count} open dossier, by due date — page {page}/{pages}:",
                           "{count} open dossiers, by due date — page {page}/{pages}:",
                           shown.total, count=shown.counted, page=shown.page,
                           pages=shown.pages) if shown.paged else
                  t.plural("{n} open dossier, by due date:", "{n} open dossiers, by due date:",
                           shown.total))
        await self._listing(turn, header, shown.items,
                            [*pages.nav_row(t, shown, OpenOverview), back])

    async def _listing(self, turn: Turn, header: str, dossiers: list[Dossier],
                       extra: list[tuple[Button, ...]]) -> None:
        t = turn.t
        names = await names_for(turn, dossiers)
        today = turn.services.clock.now().date()
        lines = [summary_line(d.id, d, names, today, turn.services.calendar, t)
                 for d in dossiers]
        shown = [(Button(f"{d.id}. {shorten(title_of(d, t), 40)}", OpenDossier(d.id)),)
                 for d in dossiers]
        turn.say("\n\n".join([header, *lines]), (*shown, *extra))

    async def _unreachable(self, turn: Turn) -> None:
        t = turn.t
        back = (Button(t("‹ Back to my tasks"), MyTasks()),)
        offices = (await turn.actor()).bodies_with(Role.OFFICE)
        if not offices:
            turn.say(t("This list is for the committee office."), (back,))
            return
        turn.say("\n".join(await ops.unreachable_lines(turn, offices)), (back,))

    # One dossier ----------------------------------------------------------------------

    async def card(self, turn: Turn, dossier_id: int) -> None:
        t = turn.t
        loaded = await self._load_all(turn, dossier_id)
        if loaded is None:
            await self.not_found(turn)
            return
        dossier, ballot, obligations = loaded
        actor = await turn.actor()
        roles = acting_roles(dossier, actor)
        # The proposer reads "with you"; the committee reads who holds it.
        proposer = Role.PROPOSER in dossier.roles_of(actor)
        if proposer and not roles - {Role.PROPOSER}:
            # A proposer who pressed a button of a notice sees their own dossier, not the
            # committee's card (its duties, its tasks list).
            await DossiersFlow().on_action(turn, OpenOwnDossier(dossier.id))
            return
        names = await names_for(turn, [dossier], people=True)
        now = turn.services.clock.now()
        text = detail_text(dossier, names, now.date(), turn.services.calendar, t, now.tzinfo,
                           for_proposer=proposer)
        extra = status_lines(dossier, ballot, obligations, t, now.tzinfo,
                             turn.person.id if turn.person else "")
        if ballot is not None and roles & {Role.OFFICE, Role.HEAD}:
            extra += await votes.comment_lines(turn, votes.ballot_comments(ballot))
        if extra:
            text = "\n".join([text, "", *extra])
        keys = list(buttons(dossier, roles, t))
        keys += matters.matter_buttons(obligations, roles, t)
        if roles & {Role.OFFICE, Role.HEAD}:
            for item in obligations:
                if item.is_open and item.kind not in DECIDED:
                    label = duty_button(item, t)
                    keys.append((Button(label, DutyDone(item.id, item.version)),))
        documents = documents_button(dossier, t)
        if documents is not None:
            keys.append((documents,))
        keys.append((papers_button(dossier, t),))
        keys.append((Button(t("‹ Back to my tasks"), MyTasks()),))
        turn.say(text, tuple(keys))

    async def _step(self, turn: Turn, code: DeskCode, dossier_id: int,
                    version: int) -> None:
        dossier = await self.checked(turn, code, dossier_id, version)
        if dossier is None:
            return
        if code == "ev":
            evaluate.meeting_picker(turn, dossier, version)
        elif code == "wa":  # the answer is drafted, numbered and signed as a document
            await PapersFlow().open(turn, dossier.id, DocumentKind.ANSWER, 0)
        elif code in ASKS:
            turn.set_step(self.name, TEXT)
            turn.conversation.data = {"op": code, "id": dossier.id, "v": version}
            self._ask_again(turn, code, dossier.id)
        elif code == "ob":
            await ops.ballot_picker(turn, dossier, version)
        else:
            await self._run(turn, dossier.id, version, code)

    async def _run(self, turn: Turn, dossier_id: int, version: int, code: DeskCode,
                   pick: int = 0, body: int = 0) -> None:
        dossier = await self.checked(turn, code, dossier_id, version)
        if dossier is None:
            return
        try:
            if code == "ob":
                turn.say(await ops.open_ballot(turn, dossier, version, pick, body))
            else:
                turn.say(await ops.immediate(turn, code, dossier, version))
        except DomainError as error:
            turn.say(error.render(turn.t))
        await self.card(turn, dossier.id)

    async def _ask_obligation(self, turn: Turn, obligation_id: int, version: int) -> None:
        async with turn.services.uow() as uow:
            obligation = await uow.obligations.get(obligation_id)
        dossier = await self.load(turn, obligation.dossier_id) if obligation else None
        if obligation is None or dossier is None:
            await self.not_found(turn)
            return
        try:
            if obligation.version != version:
                raise StaleVersion()
            permit(dossier, await turn.actor(), Action.MARK_OBLIGATION_DONE)
        except DomainError as error:
            turn.say(error.render(turn.t))
            await self.card(turn, dossier.id)
            return
        if obligation.kind in FOR_DUTY:  # a document the product drafts
            await PapersFlow().open(turn, dossier.id, FOR_DUTY[obligation.kind], obligation.id)
            return
        turn.set_step(self.name, TEXT)
        turn.conversation.data = {"op": "od", "id": dossier.id, "v": version,
                                  "obligation": obligation_id}
        self._ask_again(turn, "od", dossier.id)

    def ask_text(self, turn: Turn, code: str, dossier_id: int, version: int,
                 pick: int = 0, **extra: int) -> None:
        """Wait for the text a step needs (``ASKS[code]``), the button's choices kept."""
        turn.set_step(self.name, TEXT)
        turn.conversation.data = {"op": code, "id": dossier_id, "v": version, "pick": pick,
                                  **extra}
        self._ask_again(turn, code, dossier_id)

    def _ask_again(self, turn: Turn, code: str, dossier_id: int) -> None:
        t = turn.t
        if code == votes.COMMENT:
            votes.ask(turn)
            return
        text = t(ASKS.get(code) or matters.ASKS[code])
        if code in ("fy", "fn"):
            text = "\n".join([text, t("You may first send the appraisal report itself as a "
                                      "file (pdf, doc, docx, xls, xlsx, jpg or png).")])
        turn.say(text, rows(Button(t("Cancel"), DeskCancel())))

    # Checks ---------------------------------------------------------------------------

    async def checked(self, turn: Turn, code: DeskCode, dossier_id: int,
                       version: int) -> Dossier | None:
        """The dossier if the button still applies: same version, a row allowing it."""
        dossier = await self.load(turn, dossier_id)
        if dossier is None:
            await self.not_found(turn)
            return None
        action, chosen, _label = CODES[code]
        try:
            if dossier.version != version:
                raise StaleVersion()
            actor = await turn.actor()
            if code not in offered(dossier, acting_roles(dossier, actor)):
                # Say why (state, route, conflict of interest or role); the outcome rows
                # (closing a vote) are decided by the service, which knows the outcome.
                permit(dossier, actor, action, *([chosen] if chosen else []))
                raise NotPermitted()
        except DomainError as error:
            turn.say(error.render(turn.t))
            await self.card(turn, dossier.id)
            return None
        return dossier

    async def load(self, turn: Turn, dossier_id: int) -> Dossier | None:
        """The dossier if the person has a part in it; None otherwise (or if unknown)."""
        loaded = await self._load_all(turn, dossier_id)
        return loaded[0] if loaded else None

    async def _load_all(self, turn: Turn, dossier_id: int) -> tuple[
            Dossier, Ballot | None, list[Obligation]] | None:
        async with turn.services.uow() as uow:  # read only: left without commit
            dossier = await uow.dossiers.get(dossier_id)
            if dossier is None:
                return None
            ballot = await uow.ballots.get(dossier.ballot_ids[-1]) if dossier.ballot_ids \
                else None
            obligations = await uow.obligations.for_dossier(dossier.id)
        if not dossier.roles_of(await turn.actor()):
            return None
        return dossier, ballot, obligations

    async def _linked(self, turn: Turn) -> bool:
        if turn.person is not None:
            return True
        self._leave(turn)
        t = turn.t
        menu.ask_to_link(turn, t(
            "To see your tasks, please link your account first with the invitation "
            "code your committee's office gave you."))
        return False

    async def not_found(self, turn: Turn) -> None:
        turn.say(turn.t("I cannot find that dossier among your tasks."))
        await self._inbox(turn)

    async def malformed(self, turn: Turn) -> None:
        self._leave(turn)
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await self._inbox(turn)

    def _leave(self, turn: Turn) -> None:
        if turn.conversation.flow == self.name:
            turn.clear()


def desk_reader(turn: Turn) -> DeskReader:
    """The desk's reads; the composition root wires them (bot.wiring)."""
    if turn.services.desk is None:
        raise RuntimeError("Services.desk is not wired: the desk cannot list dossiers")
    return turn.services.desk


def duty_button(obligation: Obligation, t: Translator) -> str:
    """The button of one open duty, naming it: several duties never share a label."""
    duty = t(OBLIGATION_SHORT_LABELS[obligation.kind])
    if obligation.kind in FOR_DUTY:  # a document the product drafts, then numbers
        return t("Document: {duty}", duty=duty)
    return t("Done: {duty}", duty=duty)
