"""Conversation flows. Each flow owns an action prefix and the steps of one task."""

from __future__ import annotations

from typing import Protocol

from handlers.buttons import ButtonData
from handlers.context import Turn


class Flow(Protocol):
    name: str  # stored in Conversation.flow while the flow is in progress
    prefix: str  # its buttons' actions start with "<prefix>:"
    # Slash commands that start it, each with a mode, e.g. {"plan": "new", "draft": "resume"}.
    commands: dict[str, str]

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        """Begin the flow (from the menu: no argument, mode "")."""
        ...

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        """A button of this flow was pressed: its decoded data (``handlers.buttons``), or
        None when the action under this flow's prefix does not decode (forged, or from an
        older version). Must refuse anything malformed or no longer valid (a kind it does
        not take, a dossier moved on), changing nothing."""
        ...

    async def on_text(self, turn: Turn, text: str) -> None:
        """Text typed while this flow's step is current."""
        ...

    async def on_attachments(self, turn: Turn) -> None:
        """Files sent while this flow's step is current."""
        ...

    async def prompt(self, turn: Turn) -> None:
        """Show the current step again (after an interruption or unexpected input)."""
        ...
