"""My dossiers: the list, one dossier in full, and withdrawing one (with confirmation).

Buttons (prefix "d", ``handlers.buttons``), re-checked against the stored dossier on
every press:
``d:l`` / ``d:p:<page>`` the list, ``d:v:<id>`` a dossier, ``d:w:<id>:<version>`` asks
to confirm a withdrawal, ``d:wy:<id>:<version>`` withdraws, ``d:wn:<id>`` keeps it.
A dossier that does not exist and one that belongs to someone else get the same
answer, so a forged id reveals nothing. The version in a withdraw button goes to
the service as ``expected_version``: a confirmation left over from before the
dossier moved on is refused, not applied to its new state.
"""

from __future__ import annotations

import re

from handlers import menu
from handlers.buttons import (
    AskWithdraw,
    ButtonData,
    ConfirmWithdraw,
    DeskStep,
    Home,
    KeepDossier,
    MyDossiers,
    MyDossiersPage,
    OpenOwnDossier,
)
from handlers.context import Turn
from handlers.flows.desk_view import PROPOSER_CODES
from handlers.flows.desk_view import buttons as desk_buttons
from handlers.flows.documents import documents_button
from handlers.flows.dossier_view import detail_text, names_for, shorten, summary_line, title_of
from handlers.flows.papers import papers_button
from handlers.messages import Button, rows
from workflow import lifecycle
from workflow import services as svc
from workflow.commands import Withdraw
from workflow.dossier import Dossier
from workflow.errors import DomainError, StaleVersion
from workflow.lifecycle import Action, State

PAGE_SIZE = 8
CONFIRM = "confirm"  # the only step: waiting for "yes, withdraw" (and maybe a reason)
MAX_REASON = 1000
# "/hoso 12" or "/hoso #12"; ASCII digits only: int() would accept "²"-like input.
_NUMBER = re.compile(r"#*([0-9]{1,9})")


class DossiersFlow:
    def __init__(self) -> None:
        self.name = "dossiers"
        self.prefix = MyDossiers.prefix
        self.commands = {"dossiers": "", "hoso": ""}

    # Entry points ---------------------------------------------------------------------

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if turn.conversation.flow == self.name:
            turn.clear()  # /hoso again while confirming: the confirmation is dropped
        if not await self._linked(turn):
            return
        number = _NUMBER.fullmatch(argument.strip())
        if number is not None:
            await self._show(turn, int(number.group(1)))
        else:
            await self._list(turn, 1)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._linked(turn):
            return
        match data:
            case MyDossiers():
                await self._list(turn, 1)
            case MyDossiersPage(page=page):
                await self._list(turn, page, edit=True)
            case OpenOwnDossier(dossier_id=dossier_id):
                await self._show(turn, dossier_id)
            case AskWithdraw(dossier_id=dossier_id, version=version):
                await self._ask_to_withdraw(turn, dossier_id, version)
            case ConfirmWithdraw(dossier_id=dossier_id, version=version):
                await self._withdraw(turn, dossier_id, version)
            case KeepDossier(dossier_id=dossier_id):
                self._leave(turn)
                turn.say(turn.t("The dossier was not withdrawn."))
                await self._show(turn, dossier_id)
            case _:
                await self._malformed(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        """While confirming, typed text is the (optional) reason for withdrawing."""
        data = turn.conversation.data
        if turn.conversation.step != CONFIRM or "id" not in data:
            self._leave(turn)
            await self._list(turn, 1)
            return
        if len(text) > MAX_REASON:
            turn.say(turn.t("Please keep the reason under {limit} characters.",
                            limit=MAX_REASON))
        else:
            data["reason"] = text
        await self.prompt(turn)

    async def on_attachments(self, turn: Turn) -> None:
        turn.say(turn.t("No file is needed to withdraw a dossier."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        data = turn.conversation.data
        if turn.conversation.step == CONFIRM and "id" in data and turn.person is not None:
            dossier = await self._own(turn, int(data["id"]))
            if dossier is not None and dossier.version == data.get("version"):
                self._confirmation(turn, dossier, str(data.get("reason") or ""))
                return
            if dossier is not None:  # it moved on while we were asking: show it as it is
                self._leave(turn)
                turn.say(StaleVersion().render(turn.t))
                await self._show(turn, dossier.id)
                return
        self._leave(turn)
        if turn.person is not None:
            await self._list(turn, 1)

    # The list and one dossier ---------------------------------------------------------

    async def _list(self, turn: Turn, page: int, edit: bool = False) -> None:
        t = turn.t
        assert turn.person is not None
        dossiers = await turn.services.directory.dossiers_of(turn.person.id)
        home = Button(t("Main menu"), Home())
        if not dossiers:
            turn.say(t("You have no dossiers yet. To prepare a plan, choose “Prepare a new "
                       "plan” in the main menu."), rows(home))
            return
        pages = (len(dossiers) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 1), pages)
        first = (page - 1) * PAGE_SIZE
        shown = dossiers[first:first + PAGE_SIZE]
        names = await names_for(turn, shown)
        today = turn.services.clock.now().date()
        calendar = turn.services.calendar
        header = t.plural("You have {n} dossier, newest first.",
                          "You have {n} dossiers, newest first.", len(dossiers))
        if pages > 1:
            header = t("{header} Page {page}/{pages}.", header=header, page=page, pages=pages)
        # Numbered by dossier number, the one the filing confirmation and the office use.
        lines = [summary_line(d.id, d, names, today, calendar, t) for d in shown]
        buttons: list[tuple[Button, ...]] = [
            (Button(f"{d.id}. {shorten(title_of(d, t), 40)}", OpenOwnDossier(d.id)),)
            for d in shown]
        paging = []
        if page > 1:
            paging.append(Button(t("‹ Newer"), MyDossiersPage(page - 1)))
        if page < pages:
            paging.append(Button(t("Older ›"), MyDossiersPage(page + 1)))
        if paging:
            buttons.append(tuple(paging))
        buttons.append((home,))
        turn.say("\n\n".join([header, *lines]), tuple(buttons), edit=edit)

    async def _show(self, turn: Turn, dossier_id: int) -> None:
        dossier = await self._own(turn, dossier_id)
        if dossier is None:
            await self._not_yours(turn)
            return
        t = turn.t
        names = await names_for(turn, [dossier], people=True)
        now = turn.services.clock.now()
        text = detail_text(dossier, names, now.date(), turn.services.calendar, t, now.tzinfo)
        roles = dossier.roles_of(await turn.actor())
        buttons: list[tuple[Button, ...]] = [
            row for row in desk_buttons(dossier, roles, t)
            if all(isinstance(d := b.data, DeskStep) and d.code in PROPOSER_CODES for b in row)]
        documents = documents_button(dossier, t)
        if documents is not None:
            buttons.append((documents,))
        if dossier.state is not State.DRAFT:  # the written documents and the record
            buttons.append((papers_button(dossier, t),))
        if await self._may_withdraw(turn, dossier):
            buttons.append((Button(t("Withdraw the dossier"),
                                   AskWithdraw(dossier.id, dossier.version)),))
        buttons.append((Button(t("‹ Back to my dossiers"), MyDossiers()),))
        turn.say(text, tuple(buttons))

    # Withdrawing ----------------------------------------------------------------------

    async def _ask_to_withdraw(self, turn: Turn, dossier_id: int, version: int) -> None:
        dossier = await self._own(turn, dossier_id)
        if dossier is None:
            await self._not_yours(turn)
            return
        if dossier.version != version:
            self._leave(turn)
            turn.say(StaleVersion().render(turn.t))
            await self._show(turn, dossier.id)
            return
        try:
            lifecycle.permit(Action.WITHDRAW, dossier.state,
                             dossier.roles_of(await turn.actor()), dossier.route_conditions())
        except DomainError as error:
            self._leave(turn)
            turn.say(error.render(turn.t))
            await self._show(turn, dossier.id)
            return
        # Taking over the conversation: a reason typed next belongs to this withdrawal.
        turn.clear()
        turn.set_step(self.name, CONFIRM)
        turn.conversation.data = {"id": dossier.id, "version": dossier.version, "reason": ""}
        self._confirmation(turn, dossier, "")

    def _confirmation(self, turn: Turn, dossier: Dossier, reason: str) -> None:
        t = turn.t
        title = title_of(dossier, t)
        if reason:
            text = t("Reason noted: “{reason}”.\n\nWithdraw the dossier “{title}” now?",
                     reason=reason, title=title)
        else:
            text = t("Are you sure you want to withdraw the dossier “{title}”? It will no "
                     "longer be considered; to propose it again you would file a new plan.\n\n"
                     "If you wish, type the reason for withdrawing first (optional).",
                     title=title)
        turn.say(text, rows(
            Button(t("Yes, withdraw it"), ConfirmWithdraw(dossier.id, dossier.version)),
            Button(t("No, keep it"), KeepDossier(dossier.id)),
        ))

    async def _withdraw(self, turn: Turn, dossier_id: int, version: int) -> None:
        dossier = await self._own(turn, dossier_id)
        if dossier is None:
            self._leave(turn)
            await self._not_yours(turn)
            return
        data = turn.conversation.data
        mine = turn.conversation.flow == self.name and data.get("id") == dossier_id
        reason = str(data.get("reason") or "") if mine else ""
        self._leave(turn)
        services = turn.services
        command = Withdraw(actor=await turn.actor(), dossier_id=dossier_id,
                           expected_version=version, reason=reason)
        try:
            withdrawn = await svc.withdraw(command, services.uow(), services.clock)
        except DomainError as error:
            # Stale button or a state that no longer allows it: say why, show it as it is.
            turn.say(error.render(turn.t))
            await self._show(turn, dossier_id)
            return
        t = turn.t
        done = t("The dossier “{title}” has been withdrawn.", title=title_of(withdrawn, t))
        if dossier.state is not State.DRAFT:
            done = t("{done} Those handling it will be informed.", done=done)
        turn.say(done)
        await self._list(turn, 1)

    # Checks ---------------------------------------------------------------------------

    async def _linked(self, turn: Turn) -> bool:
        if turn.person is not None:
            return True
        self._leave(turn)
        t = turn.t
        menu.ask_to_link(turn, t(
            "To follow your dossiers, please link your account first with the "
            "invitation code your committee's office gave you."))
        return False

    async def _own(self, turn: Turn, dossier_id: int) -> Dossier | None:
        """The dossier if it exists and this person proposed it (alone or in a group)."""
        assert turn.person is not None
        async with turn.services.uow() as uow:  # read only: left without commit
            dossier = await uow.dossiers.get(dossier_id)
        if dossier is None or turn.person.id not in dossier.proposers:
            return None
        return dossier

    async def _may_withdraw(self, turn: Turn, dossier: Dossier) -> bool:
        roles = dossier.roles_of(await turn.actor())
        return Action.WITHDRAW in lifecycle.available(dossier.state, roles)

    async def _not_yours(self, turn: Turn) -> None:
        turn.say(turn.t("I cannot find that dossier among yours."))
        await self._list(turn, 1)

    async def _malformed(self, turn: Turn) -> None:
        self._leave(turn)
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await self._list(turn, 1)

    def _leave(self, turn: Turn) -> None:
        """Drop the confirmation step, if it is ours; another flow's step is left alone."""
        if turn.conversation.flow == self.name:
            turn.clear()
