"""The neutral message model: what every channel adapter turns updates into and back.

Handlers see only these types, never a chat library. A channel with buttons shows
``Reply.buttons`` as buttons; one without shows them as numbered choices; ``Reply.files``
go after the text, as files where the channel can send them. A button's
``action`` is short (Telegram allows 64 bytes of callback data) and never trusted:
handlers parse it strictly and re-check who pressed and whether it is still allowed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from handlers.buttons import MAX_ACTION_BYTES, ButtonData, decode, encode
from handlers.command_list import Audience


@dataclass(frozen=True)
class Attachment:
    """A file a person sent (the platform keeps it, we keep its id and checksum), or one
    the assistant made (a document: ``content`` holds it and ``file_id`` is empty)."""

    file_id: str
    name: str
    mime_type: str | None
    size: int
    sha256: str | None = None
    content: bytes | None = field(default=None, repr=False, compare=False)
    # Where to get a made file on a channel that cannot send one (Zalo), for its reader.
    elsewhere: str = ""

    @classmethod
    def made(cls, name: str, content: bytes, mime_type: str, elsewhere: str = "") -> Attachment:
        return cls("", name, mime_type, len(content), hashlib.sha256(content).hexdigest(),
                   content, elsewhere)


@dataclass(frozen=True)
class Inbound:
    """One message or button press from a person."""

    channel: str  # "telegram", "zalo", "console"
    account: str  # the person's id on that channel
    chat: str  # where to answer
    text: str | None = None
    action: str | None = None  # a pressed button's action
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None  # the platform's hint (e.g. Telegram's language_code)
    display_name: str = ""


@dataclass(frozen=True, init=False)
class Button:
    """A button: handlers give its typed data (``handlers.buttons``); ``action`` is the
    encoded form the channel adapters send and get back. A plain string is accepted for
    what adapters and the outbox hand back already encoded."""

    label: str
    action: str

    def __init__(self, label: str, data: ButtonData | str) -> None:
        action = data if isinstance(data, str) else encode(data)
        if len(action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action too long: {action!r}")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "action", action)

    @property
    def data(self) -> ButtonData | None:
        """What pressing it means (None for an action no kind of press has)."""
        return decode(self.action)


@dataclass(frozen=True)
class Reply:
    """Text in the reader's language (already translated), with optional button rows,
    and files to send after it: each by its platform file id, so only on the channel
    that received it (the console shows their names)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    # True: replace the message whose button was pressed instead of sending a new one.
    edit: bool = False
    files: tuple[Attachment, ...] = ()
    # Set: from now on the chat's command menu lists what this audience may use
    # (a channel without a command menu ignores it).
    command_menu: Audience | None = None

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """``reply`` as JSON to keep in the outbox, files included (a made one's bytes in
    base64), so a reply a platform refused goes again whole."""
    return {"text": reply.text,
            "buttons": [[(b.label, b.action) for b in row] for row in reply.buttons],
            "files": [{"file_id": f.file_id, "name": f.name, "mime_type": f.mime_type,
                       "size": f.size, "sha256": f.sha256, "elsewhere": f.elsewhere,
                       "content": None if f.content is None
                       else base64.b64encode(f.content).decode("ascii")}
                      for f in reply.files]}


def reply_from_json(data: dict[str, Any]) -> Reply:
    """The reply ``reply_to_json`` kept (older records have no files)."""
    files = tuple(
        Attachment(str(f.get("file_id") or ""), str(f.get("name") or ""), f.get("mime_type"),
                   int(f.get("size") or 0), f.get("sha256"),
                   None if f.get("content") is None else base64.b64decode(f["content"]),
                   str(f.get("elsewhere") or ""))
        for f in data.get("files") or ())
    return Reply(str(data.get("text", "")), tuple(
        tuple(Button(str(label), str(action)) for label, action in row)
        for row in data.get("buttons") or ()), files=files)


def rows(*buttons: Button, per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    """Buttons laid out ``per_row`` to a row."""
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))
