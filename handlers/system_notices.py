"""Notices the assistant itself writes to the outbox (``{"notice": ...}`` payloads),
rendered for their reader like any notification.

``unreachable``: a person could not be reached on a chat (they blocked the bot or left
it); the office of the dossier is asked to reach them another way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.buttons import OpenDossier, UnreachablePeople
from handlers.context import Services
from handlers.flows.dossier_view import shorten, title_of
from handlers.i18n import Translator
from handlers.messages import Button, Reply
from handlers.ports import PersonInfo

# Chat apps are named as their users know them, in every language.
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


async def render(services: Services, person: PersonInfo, payload: Mapping[str, Any]) -> Reply:
    """The message for ``person`` about one notice payload."""
    t = Translator(person.language)
    if payload.get("notice") == "unreachable":
        return await _unreachable(services, t, payload)
    return Reply(t("The assistant has a notice for you that this version cannot show."))


async def _unreachable(services: Services, t: Translator, payload: Mapping[str, Any]) -> Reply:
    person_id = str(payload.get("person_id") or "")
    info = await services.directory.person(person_id) if person_id else None
    name = info.name if info else person_id
    channel = str(payload.get("channel") or "")
    channel = CHANNEL_NAMES.get(channel, channel)
    try:
        dossier_id = int(payload.get("dossier_id") or 0)
    except (TypeError, ValueError):
        dossier_id = 0
    dossier = None
    if dossier_id:
        async with services.uow() as uow:  # read only
            dossier = await uow.dossiers.get(dossier_id)
    if dossier is None:
        return Reply(t("{name} cannot be reached on {channel} (they blocked the bot or left). "
                       "Please reach them another way.", name=name, channel=channel),
                     ((Button(t("People who cannot be reached"), UnreachablePeople()),),))
    text = t("{name} cannot be reached on {channel} (they blocked the bot or left). Dossier "
             "no. {id} “{title}”: please reach them another way.", name=name, channel=channel,
             id=dossier.id, title=shorten(title_of(dossier, t), 120))
    return Reply(text, ((Button(t("Open the dossier"), OpenDossier(dossier.id)),),
                        (Button(t("People who cannot be reached"), UnreachablePeople()),)))
