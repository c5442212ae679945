"""The documents of a dossier (prefix "a"): ``a:<id>`` answers with the files received
with it (the plan's attached documents, the appraisal report's files), for everyone
who has a part in the dossier: proposers, the cell, the office, the appraisers, the
members, the head.

A file is sent on by its platform file id, which only the channel that received it
knows; a file received on another channel is listed instead (name, size, checksum),
with where it was received, so that the reader can ask for it or check a copy.
Like every button, ``a:<id>`` is re-checked: a dossier the person has no part in gets
the same answer as one that does not exist.
"""

from __future__ import annotations

from handlers import menu
from handlers.buttons import ButtonData, DossierDocuments, OpenDossier, OpenOwnDossier
from handlers.context import Turn
from handlers.flows.desk_view import DESK_ROLES
from handlers.flows.dossier_view import title_of
from handlers.flows.filing_steps import size_text
from handlers.i18n import N_, Translator
from handlers.messages import Attachment, Button, rows
from workflow.attachments import APPRAISAL, PLAN, AttachedFile
from workflow.dossier import Dossier

PREFIX = DossierDocuments.prefix
# Channels as readers know them; a product's name is not translated.
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": N_("the console")}
PURPOSES = {PLAN: N_("attached to the plan"), APPRAISAL: N_("filed with the appraisal report")}


def documents_button(dossier: Dossier, t: Translator) -> Button | None:
    """"Documents (N)" for a dossier that holds files; None when it holds none."""
    held = dossier.files()
    if not held:
        return None
    return Button(t("Documents ({n})", n=len(held)), DossierDocuments(dossier.id))


def channel_name(channel: str, t: Translator) -> str:
    name = CHANNEL_NAMES.get(channel)
    if name is None:
        return channel or t("another channel")
    return t(name) if channel == "console" else name


def attachment_of(file: AttachedFile) -> Attachment:
    return Attachment(file_id=file.file_id, name=file.name, mime_type=file.mime_type,
                      size=file.size, sha256=file.sha256)


class DocumentsFlow:
    def __init__(self) -> None:
        self.name = "documents"
        self.prefix = PREFIX
        self.commands: dict[str, str] = {}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        await menu.show(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if turn.person is None or not isinstance(data, DossierDocuments):
            turn.say(turn.t("That button is no longer valid. Here is where we are now."))
            await menu.show(turn)
            return
        await self.show(turn, data.dossier_id)

    async def on_text(self, turn: Turn, text: str) -> None:
        await menu.show(turn)

    async def on_attachments(self, turn: Turn) -> None:
        await menu.show(turn)

    async def prompt(self, turn: Turn) -> None:
        await menu.show(turn)

    async def show(self, turn: Turn, dossier_id: int) -> None:
        """The dossier's files: sent where this channel can, listed where it cannot."""
        t = turn.t
        async with turn.services.uow() as uow:  # read only: left without commit
            dossier = await uow.dossiers.get(dossier_id)
        roles = dossier.roles_of(await turn.actor()) if dossier is not None else frozenset()
        if dossier is None or not roles:
            turn.say(t("I cannot find that dossier among yours or your tasks."))
            await menu.show(turn)
            return
        # Back to where the person reads the dossier: the desk, or "My dossiers".
        back = OpenDossier(dossier.id) if roles & DESK_ROLES else OpenOwnDossier(dossier.id)
        keys = rows(Button(t("‹ Back to the dossier"), back))
        held = dossier.files()
        title = title_of(dossier, t)
        if not held:
            turn.say(t("No documents were received with dossier no. {id}, “{title}”.",
                       id=dossier.id, title=title), keys)
            return
        here = turn.inbound.channel
        lines = [t.plural("Dossier no. {id}, “{title}”: {n} document.",
                          "Dossier no. {id}, “{title}”: {n} documents.", len(held),
                          id=dossier.id, title=title)]
        sent: list[Attachment] = []
        for purpose, file in held:
            # The same shape in every language: name, size, what it came with.
            lines.append(f"📎 {file.name} ({size_text(turn, file.size)}), "
                         f"{t(PURPOSES[purpose])}")
            if file.channel == here and file.file_id:
                sent.append(attachment_of(file))
                continue
            lines.append(t("Received on {channel}, so it cannot be sent here. SHA-256 "
                           "checksum, to check a copy: {sha256}",
                           channel=channel_name(file.channel, t),
                           sha256=file.sha256 or t("not recorded")))
        if sent:
            lines.append(t.plural("The file follows.", "The files follow.", len(sent)))
        turn.say("\n".join(lines), keys, files=tuple(sent))
