"""The emergency report (887 Điều 4 khoản 4), prefix "e", /khancap or /emergency.

When there was no time to file a plan and the cadre in charge acted, they report in
writing as soon as possible: what was done, and why there was no time. The service
records it as an emergency dossier with the collective's duty to discuss, evaluate and
conclude; the committee is notified and concludes it from its desk.
"""

from __future__ import annotations

from handlers.buttons import ButtonData, EmergencyCancel, Home, OpenOwnDossier
from handlers.context import Turn
from handlers.flows.filing_summary import unit_kind
from handlers.messages import Button, rows
from workflow import services as svc
from workflow.commands import FileEmergencyReport
from workflow.dossier import EmergencyReport
from workflow.errors import DomainError

ACTION, WHY = "action", "why"
MAX_TEXT = 2000


class EmergencyFlow:
    def __init__(self) -> None:
        self.name = "emergency"
        self.prefix = "e"
        self.commands = {"khancap": "", "emergency": ""}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        t = turn.t
        if turn.person is None or unit_kind(turn) is None or not turn.rules.in_force:
            turn.clear()
            turn.say(t("To report an emergency action, please link your account first; your "
                       "unit must be recorded so that the report reaches the competent "
                       "committee."), rows(Button(t("Main menu"), Home())))
            return
        turn.clear()
        turn.set_step(self.name, ACTION)
        turn.say(t("Emergency report (Quy định 887, Article 4, clause 4): when there was no "
                   "time to file a plan, you report in writing as soon as possible, and the "
                   "collective then discusses, evaluates and concludes."))
        await self.prompt(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        # Its one button is "Cancel"; any other press of its prefix cancels as well.
        turn.clear()
        turn.say(turn.t("Nothing was sent."), rows(Button(turn.t("Main menu"), Home())))

    async def on_text(self, turn: Turn, text: str) -> None:
        if len(text) > MAX_TEXT:
            turn.say(turn.t("Please keep it under {limit} characters.", limit=MAX_TEXT))
            await self.prompt(turn)
            return
        if turn.conversation.step == ACTION:
            turn.conversation.data = {"action": text}
            turn.set_step(self.name, WHY)
            await self.prompt(turn)
            return
        await self._file(turn, str(turn.conversation.data.get("action", "")), text)

    async def on_attachments(self, turn: Turn) -> None:
        turn.say(turn.t("Files cannot be attached here yet; please write the text."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        t = turn.t
        cancel = rows(Button(t("Cancel"), EmergencyCancel()))
        if turn.conversation.step == WHY:
            turn.say(t("Why was there no time to file a plan first? Say also whom you told "
                       "beforehand, if anyone."), cancel)
        else:
            turn.say(t("What did you do, and when?"), cancel)

    async def _file(self, turn: Turn, action: str, why: str) -> None:
        assert turn.person is not None
        s, t = turn.services, turn.t
        kind = unit_kind(turn)
        assert kind is not None
        turn.clear()
        bodies = await s.directory.route_bodies(turn.person.id, turn.pack)
        try:
            dossier = await svc.file_emergency_report(FileEmergencyReport(
                actor=await turn.actor(), unit_kind=kind.id,
                report=EmergencyReport(action_taken=action, taken_on=s.clock.now().date(),
                                       why_no_plan=why),
                bodies=bodies, ballots=await s.directory.route_ballots(bodies)),
                s.uow(), s.clock, turn.pack)
        except DomainError as error:
            turn.say(error.render(t))
            return
        turn.say(t("Your emergency report is recorded as dossier no. {id}; the committee is "
                   "informed and must discuss, evaluate and conclude.", id=dossier.id),
                 rows(Button(t("Open my dossier"), OpenOwnDossier(dossier.id)),
                      Button(t("Main menu"), Home())))
