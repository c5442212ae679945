"""Notifications: an outbox payload rendered for its recipient, in their language.

The outbox row says what happened (the event's name and fields) and to whom (the
recipient: a person, or a role on a body). The text is written here, when it is sent,
in the reader's language; the buttons are those of the dossier as it stands *now*
for the reader's roles (``desk_view``), so a message rendered after the dossier
moved on never offers a step that no longer applies. Pressing one is re-checked anyway.

The event is read back typed (``workflow.events.decode_event``) and its text comes from
the renderer registered for its class (``handlers.notification_texts.RENDERERS``); a
row that cannot be read, or an event without a renderer, is logged as an error and
reads as the generic "there is news about dossier ..." with the dossier's buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from handlers import system_notices
from handlers.buttons import OpenDossier, OpenOwnDossier
from handlers.context import Services
from handlers.drafting_more import compose
from handlers.flows.desk_view import buttons
from handlers.flows.desk_vote import lines_for
from handlers.flows.dossier_view import notice_names
from handlers.flows.papers import draft_action
from handlers.i18n import Translator
from handlers.messages import Attachment, Button, Reply, reply_from_json
from handlers.notification_texts import Notice, text_of
from handlers.paper_files import as_attachment, recorded_attachment
from handlers.ports import PersonInfo
from handlers.reminder_notices import render as render_reminder
from workflow.actors import Role
from workflow.conflicts import acting_roles
from workflow.documents import DocumentKind
from workflow.events import (
    BallotClosed,
    DocumentRecorded,
    Event,
    EventDecodeError,
    ObligationFulfilled,
    Recipient,
    WrittenAnswerSent,
    decode_event,
    decode_recipient,
)
from workflow.lifecycle import EDITABLE, State
from workflow.voting import DECISION

log = logging.getLogger(__name__)


async def render(services: Services, person: PersonInfo, payload: Mapping[str, Any]) -> Reply:
    """The message for ``person`` about one outbox payload."""
    if "reminder" in payload:  # from the reminder dispatcher (storage.dispatcher)
        return await render_reminder(services, person, payload)
    if "notice" in payload:
        return await system_notices.render(services, person, payload)
    if "reply" in payload:  # an answer kept after its platform refused it (bot.runner)
        return reply_from_json(dict(payload["reply"]))
    t = Translator(person.language)
    name = str(payload.get("event", ""))
    data: Mapping[str, Any] = payload.get("data") or {}
    event: Event | None
    try:
        event = decode_event(name, data, at=services.clock.now())
        recipient = decode_recipient(payload.get("recipient"))
    except EventDecodeError as exc:
        # Never a crash nor an internal code for the reader: the generic news, logged.
        log.error("outbox payload for %s not readable (%s); generic text sent", person.id, exc)
        event, recipient = None, Recipient(role=None)
    ballot = None
    async with services.uow() as uow:  # read only
        dossier = await uow.dossiers.get(event.dossier_id if event else _dossier_id(data))
        if isinstance(event, BallotClosed):
            ballot = await uow.ballots.get(event.ballot_id)
    if dossier is None:
        return Reply(t("An update about a dossier that no longer exists."))
    names = await notice_names(services, dossier, person.language)
    # A BallotClosed does not carry its ballot's purpose (an evaluation has its words).
    purpose = str(data["purpose"]) if isinstance(data, Mapping) and "purpose" in data else (
        ballot.purpose if ballot is not None else DECISION)
    notice = Notice(dossier, recipient, names, t, services.clock.now().tzinfo, purpose)
    text = notice.news()
    if event is not None:
        try:
            text = text_of(event, notice)
        except LookupError:
            log.error("no renderer for the event %s; generic text sent", name)
    role = recipient.role
    if isinstance(event, BallotClosed) and role in (Role.OFFICE, Role.HEAD):
        # The members' comments come with the result for those who act on it.
        comments = await lines_for(services.directory, t, list(event.comments))
        text = "\n".join([text, *comments])
    files: tuple[Attachment, ...] = ()
    minutes: tuple[Button, ...] = ()
    if isinstance(event, BallotClosed) and role is Role.OFFICE and ballot is not None:
        # The minutes of the count, drafted at the close, for the office to number and sign.
        draft = await compose(services, dossier, DocumentKind.VOTE_MINUTES, ballot=ballot)
        files = (as_attachment(services, draft, dossier.id, t),)
        minutes = (Button(t("Number and sign the minutes"),
                          draft_action(dossier, DocumentKind.VOTE_MINUTES, ballot.id)),)
    if (isinstance(event, WrittenAnswerSent | ObligationFulfilled | DocumentRecorded)
            and event.document_id):
        # The document itself, as recorded: its file, and its text to read on the phone.
        async with services.uow() as uow:
            record = await uow.documents.get(event.document_id)
            content = await uow.documents.content(record.id) if record else None
        if record is not None and content is not None:
            text = "\n\n".join([text, record.text])
            files = (recorded_attachment(record.file_name, content, t),)
    actor = await services.directory.actor(person.id)
    roles = dossier.roles_of(actor)
    keys: list[tuple[Button, ...]] = list(buttons(dossier, acting_roles(dossier, actor), t))
    if minutes:
        keys.insert(0, minutes)
    if Role.PROPOSER in roles and role not in (None, Role.PROPOSER):
        text = "\n\n".join([text, t("You are one of the proposers of this plan, so you do "
                                    "not act on it in another role (conflict of interest): "
                                    "another person holding that role must.")])
    if Role.PROPOSER in roles and dossier.state in EDITABLE and dossier.state is not State.DRAFT:
        text = "\n\n".join([text, t("To revise the plan and send it again, send /draft.")])
    if Role.PROPOSER in roles:
        keys.append((Button(t("Open my dossier"), OpenOwnDossier(dossier.id)),))
    elif roles:
        keys.append((Button(t("Open the dossier"), OpenDossier(dossier.id)),))
    return Reply(text, tuple(keys), files=files)


def _dossier_id(data: Mapping[str, Any]) -> int:
    """The dossier of a payload that could not be read as an event (0: none). One that
    does not even name it by number cannot be said to anyone: the ``ValueError`` fails
    the row, which the notifier then lists to the office."""
    return int(data.get("dossier_id") or 0) if isinstance(data, Mapping) else 0
