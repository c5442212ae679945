"""/kenh (/channel): which chat app a person's notifications go to.

A person may link an account on several chat apps (Telegram and Zalo, say). Without a
choice, notifications go to the app they used last; here they see the apps they have
linked and may choose one, or go back to "the one I used last". The apps are whatever
the directory lists: nothing here knows one chat app from another.

Actions (prefix "ch"): ``ch:p:<channel>`` choose a channel, ``ch:a`` the one used last.
"""

from __future__ import annotations

from handlers import menu
from handlers.buttons import ButtonData, Home, PreferChannel, PreferLastUsed
from handlers.context import Turn
from handlers.messages import Button, rows
from handlers.ports import LinkedChannel

PREFIX = PreferChannel.prefix


def channel_name(channel: str) -> str:
    """The app's name as people write it ("telegram" -> "Telegram")."""
    return channel[:1].upper() + channel[1:]


class ChannelsFlow:
    def __init__(self) -> None:
        self.name = "channels"
        self.prefix = PREFIX
        self.commands = {"kenh": "", "channel": ""}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if turn.conversation.flow == self.name:
            turn.clear()
        await self._show(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        t = turn.t
        if turn.person is None:
            await self._show(turn)
            return
        linked = await turn.services.directory.linked_channels(turn.person.id)
        if isinstance(data, PreferLastUsed):
            await turn.services.directory.prefer_channel(turn.person.id, None)
            turn.say(t("From now on your notifications go to the chat app you used last."))
            return
        if (isinstance(data, PreferChannel)
                and any(c.channel == data.channel for c in linked)
                and await turn.services.directory.prefer_channel(turn.person.id, data.channel)):
            turn.say(t("From now on your notifications go to {app}.",
                       app=channel_name(data.channel)))
            return
        turn.say(t("That button is no longer valid. Here is where we are now."))
        await self._show(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self._show(turn)

    async def on_attachments(self, turn: Turn) -> None:
        await self._show(turn)

    async def prompt(self, turn: Turn) -> None:
        await self._show(turn)

    async def _show(self, turn: Turn) -> None:
        t = turn.t
        if turn.person is None:
            menu.ask_to_link(turn, t(
                "To choose where your notifications go, please link your account "
                "first with the invitation code your committee's office gave you."))
            return
        linked = await turn.services.directory.linked_channels(turn.person.id)
        turn.say(_summary(turn, linked), rows(
            *(Button(t("Notify me on {app}", app=channel_name(c.channel)),
                     PreferChannel(c.channel)) for c in linked),
            Button(t("On the app I used last"), PreferLastUsed()),
            Button(t("Main menu"), Home())))


def _summary(turn: Turn, linked: list[LinkedChannel]) -> str:
    t = turn.t
    apps = ", ".join(channel_name(c.channel) + ("" if c.reachable else " " + t("(blocked)"))
                     for c in linked)
    lines = [t("Your account is linked on: {apps}.", apps=apps)]
    chosen = next((c for c in linked if c.preferred), None)
    if chosen is not None:
        lines.append(t("Your notifications go to {app}, as you chose.",
                       app=channel_name(chosen.channel)))
    elif linked:
        lines.append(t("Your notifications go to the chat app you used last (now {app}).",
                       app=channel_name(linked[0].channel)))
    if len(linked) < 2:
        lines.append(t("To receive them on another chat app too, ask your committee's "
                       "office for a new invitation code and send it to me from there."))
    lines.append(t("Where should your notifications go?"))
    return "\n".join(lines)
