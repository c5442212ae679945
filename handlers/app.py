"""The assistant: one entry point, ``Assistant.handle(inbound) -> replies``.

It finds who is writing, picks the language, answers the commands that work from
any step (/start, /help, /menu, /cancel, /language), hands everything else to the
flow in progress, and saves where the conversation stands. Anything it does not
understand gets a short helpful answer and the current step again.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from collections.abc import Sequence

from handlers import buttons, menu
from handlers.context import Services, Turn
from handlers.flows import Flow
from handlers.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, guess_language
from handlers.messages import Button, Inbound, Reply
from handlers.ports import TURN_COMMITS, AccountLock, Conversation
from workflow.errors import DomainError, StaleVersion, StorageUnavailable
from workflow.reading import fold
from workflow.recognizer import reads_as_routing_question

MAX_TEXT = 4000  # longer messages are refused, not truncated: nothing typed is lost silently
BUSY_RETRIES = 4  # a turn that met a busy database: tried again after 0.2, 0.4, 0.8, 1.6 s
BUSY_BACKOFF = 0.2

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, services: Services, flows: Sequence[Flow], *,
                 account_lock: AccountLock | None = None,
                 default_language: str = DEFAULT_LANGUAGE) -> None:
        self.services = services
        # Before a person has chosen a language and when their app gives no hint.
        self.default_language = (default_language if default_language in LANGUAGES
                                 else DEFAULT_LANGUAGE)
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        # Several worker processes: a lock they share (Redis) around the local one.
        self.account_lock = account_lock
        self.flows = {flow.name: flow for flow in flows}
        self.by_prefix = {flow.prefix: flow for flow in flows}
        # Commands that start a flow: "/quydinh thuế" -> flow.start(turn, "thuế", mode).
        self.commands: dict[str, tuple[Flow, str]] = {}
        for flow in flows:
            for command, mode in flow.commands.items():
                self.commands[command] = (flow, mode)

    async def handle(self, inbound: Inbound) -> list[Reply]:
        # One message at a time per account: a second one (a double tap) waits instead of
        # acting on a conversation state the first is about to change.
        # (One small lock per account ever seen: bounded by the organisation's size.)
        lock = self._locks.setdefault((inbound.channel, inbound.account), asyncio.Lock())
        async with lock:
            if self.account_lock is None:
                return await self._handle_retrying(inbound)
            async with self.account_lock(inbound.channel, inbound.account):
                return await self._handle_retrying(inbound)

    async def _handle_retrying(self, inbound: Inbound) -> list[Reply]:
        """The turn; tried again with back-off while the database is busy and nothing of
        it was saved yet. When it cannot be finished the person is told to send it again
        (never silence) and the operator's log says why, in one line."""
        for attempt in range(1 + BUSY_RETRIES):
            commits = [0]
            token = TURN_COMMITS.set(commits)
            try:
                return await self._handle(inbound)
            except StorageUnavailable as error:
                if commits[0] or attempt == BUSY_RETRIES:
                    log.error("a message from %s:%s was not handled: the database is "
                              "unavailable (%s; attempts: %d, saved steps: %d)",
                              inbound.channel, inbound.account, error, attempt + 1,
                              commits[0])
                    return [self._busy(inbound)]
            finally:
                TURN_COMMITS.reset(token)
            await asyncio.sleep(BUSY_BACKOFF * 2 ** attempt)
        raise AssertionError("unreachable")

    def _busy(self, inbound: Inbound) -> Reply:
        hint = inbound.language if inbound.language in LANGUAGES else self.default_language
        t = Translator(hint)
        return Reply(t("The system is busy and could not finish your last message. Please "
                       "open /menu to check, and send it again if needed."))

    async def _handle(self, inbound: Inbound) -> list[Reply]:
        turn = await self._turn(inbound)
        before = where(turn.conversation)
        await self._dispatch(turn)
        if where(turn.conversation) == before:
            return turn.replies  # nothing to save: a turn that changed nothing writes nothing
        try:
            await self.services.conversations.save(turn.conversation)
        except StaleVersion:
            # Another process answered this account meanwhile. What this message did is
            # saved in the dossiers already; never run it twice: show where things stand.
            turn = await self._turn(inbound)
            turn.say(turn.t("Your message crossed with another one. Here is where we are "
                            "now; please check before going on."))
            await self._prompt(turn)
        return turn.replies

    async def _turn(self, inbound: Inbound) -> Turn:
        load_turn = getattr(self.services.conversations, "load_turn", None)
        if load_turn is not None:  # both in one round trip (storage.conversations)
            conversation, person = await load_turn(inbound.channel, inbound.account)
        else:
            conversation = await self.services.conversations.load(inbound.channel,
                                                                  inbound.account)
            person = await self.services.directory.person_for_account(inbound.channel,
                                                                      inbound.account)
        lang = conversation.language or (person.language if person else None)
        if lang not in LANGUAGES:
            hint = inbound.language if inbound.language in LANGUAGES else None
            lang = guess_language(inbound.text or "", default=hint or self.default_language)
        return Turn(inbound, conversation, person, lang, self.services)

    async def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        try:
            if inbound.action is not None:
                await self._action(turn, inbound.action)
            elif inbound.text is not None and inbound.text.strip().startswith("/"):
                await self._command(turn, inbound.text.strip())
            elif inbound.text is not None and len(inbound.text) > MAX_TEXT:
                turn.say(turn.t("That message is too long ({length} characters; at most "
                                "{limit}). Please shorten it or send the details as a file.",
                                length=len(inbound.text), limit=MAX_TEXT))
                await self._prompt(turn)
            elif inbound.attachments:
                flow = self._current(turn)
                if flow is None:
                    turn.say(turn.t("Thank you, but I was not expecting a file here. Files "
                                    "can be attached while you prepare a plan."))
                    await menu.show(turn)
                else:
                    await flow.on_attachments(turn)
            elif inbound.text and inbound.text.strip():
                flow = self._current(turn)
                if flow is None:
                    await self._free_text(turn, inbound.text.strip())
                else:
                    await flow.on_text(turn, inbound.text.strip())
            else:
                turn.say(turn.t("I can read text messages, buttons and documents, but not "
                                "this kind of message."))
                await self._prompt(turn)
        except DomainError as error:
            turn.say(error.render(turn.t))
            await self._prompt(turn)
        remember_list(turn)

    def _current(self, turn: Turn) -> Flow | None:
        return self.flows.get(turn.conversation.flow or "")

    async def _prompt(self, turn: Turn) -> None:
        flow = self._current(turn)
        if flow is not None:
            await flow.prompt(turn)
        else:
            await menu.show(turn)

    async def _action(self, turn: Turn, action: str) -> None:
        # One codec for every button; a press that does not decode still goes to the flow
        # of its prefix (as None), which answers it as stale where it stands.
        data = buttons.decode(action)
        prefix = data.prefix if data is not None else action.partition(":")[0]
        if prefix == menu.PREFIX:
            await self._menu_action(turn, data)
            return
        flow = self.by_prefix.get(prefix)
        if flow is None:
            await self._stale(turn)
            return
        await flow.on_action(turn, data)

    async def _stale(self, turn: Turn) -> None:
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await self._prompt(turn)

    async def _menu_action(self, turn: Turn, data: buttons.ButtonData | None) -> None:
        match data:
            case buttons.Home():
                await menu.show(turn)
            case buttons.Help():
                await menu.help(turn)
            case buttons.ChooseLanguage():
                await menu.choose_language(turn)
            case buttons.SetLanguage(code=code) if code in LANGUAGES:
                await menu.set_language(turn, code)
                await self._prompt(turn)
            case buttons.StartFlow(flow=name) if name in self.flows:
                turn.clear()
                await self.flows[name].start(turn)
            case buttons.HowToLink():
                await menu.how_to_link(turn)
            case _:
                await self._stale(turn)

    async def _command(self, turn: Turn, text: str) -> None:
        word, _, argument = text.partition(" ")
        command = word[1:].split("@", 1)[0].lower()  # "/start@cadrebot" in groups
        argument = argument.strip()
        if command == "start":
            await menu.start(turn, argument)
        elif command in ("help", "trogiup"):
            await menu.help(turn)
            await self._prompt(turn)
        elif command == "menu":
            await menu.show(turn)
        elif command in ("cancel", "huy"):
            had_flow = turn.conversation.flow is not None
            turn.clear()
            turn.say(turn.t("Cancelled. Nothing was sent.") if had_flow
                     else turn.t("There was nothing to cancel."))
            await menu.show(turn)
        elif command in ("language", "ngonngu"):
            if argument in LANGUAGES:
                await menu.set_language(turn, argument)
                await self._prompt(turn)
            else:
                await menu.choose_language(turn)
        elif command in self.commands:
            flow, mode = self.commands[command]
            if turn.conversation.flow != flow.name:
                turn.clear()
            await flow.start(turn, argument, mode)
        else:
            turn.say(turn.t("I do not know the command {command}. Send /help to see what I "
                            "can do.", command=word))
            await self._prompt(turn)

    async def _free_text(self, turn: Turn, text: str) -> None:
        """Text outside any flow. A greeting (the first thing people send on Zalo) gets the
        welcome and the menu; a question about where to send a plan or who is competent
        gets the competent body; a number or short word answering the menu gets the menu
        again; anything else (a remark meant for someone else) two short lines and the
        menu, never a guess at a routing case."""
        if is_greeting(text):
            await menu.start(turn, "")
            return
        competent = self.flows.get("competent")
        if is_choice_attempt(text):
            turn.say(turn.t("That number is not in the list. Please choose one of the "
                            "buttons below."))
            if not show_last_list(turn):
                await menu.show(turn)
        elif competent is not None and hasattr(competent, "answer_question") and \
                reads_as_routing_question(text, turn.pack):
            await competent.answer_question(turn, text)
        else:
            turn.say(turn.t("I did not understand this message.") + "\n" +
                     turn.t("Please choose from the menu, or send /help."))
            await menu.show(turn)


def where(conversation: Conversation) -> tuple[object, ...]:
    """What a save would write (a copy: flows change ``data`` in place)."""
    return (conversation.flow, conversation.step, conversation.language,
            copy.deepcopy(conversation.data))


# Outside a flow, the last buttons shown: a wrong number typed to answer them gets the
# same list again (a flow re-shows its own step). Pressing one is checked like any press.
LAST_LIST = "last_list"


def remember_list(turn: Turn) -> None:
    if turn.conversation.flow is not None:
        return
    rows = [[[b.label, b.action] for b in row] for reply in turn.replies
            for row in reply.buttons]
    if rows:
        turn.conversation.data[LAST_LIST] = rows


def show_last_list(turn: Turn) -> bool:
    saved = turn.conversation.data.get(LAST_LIST)
    if not isinstance(saved, list) or not saved:
        return False
    try:
        keys = tuple(tuple(Button(str(label), str(action)) for label, action in row)
                     for row in saved)
    except (TypeError, ValueError):  # not what remember_list wrote: forget it
        turn.conversation.data.pop(LAST_LIST, None)
        return False
    turn.say(turn.t("The choices shown last:"), keys)
    return True


# "99", "-1", "0", "[7]", "3.": a number typed to answer a list of buttons.
_CHOICE = re.compile(r"\[?\s*[-+]?\d{1,6}\s*[\].)]?")


def is_choice_attempt(text: str) -> bool:
    """Whether ``text`` is only a number, as typed to pick from a numbered list."""
    return _CHOICE.fullmatch(text.strip()) is not None


# "Xin chào", "chào anh", "hello", "alo", "Chào buổi sáng ạ": said to start a conversation.
_GREETINGS = frozenset({"xin chao", "chao", "hello", "hi", "alo", "a lo", "helo", "hey"})
_POLITE = frozenset({"a", "anh", "chi", "em", "ban", "bot", "tro ly", "buoi sang", "buoi chieu",
                     "buoi toi", "moi nguoi", "dong chi", "cadrebot", "there"})


def is_greeting(text: str) -> bool:
    words = re.sub(r"[^a-z ]+", " ", fold(text).lower()).split()
    if not words or len(words) > 5:
        return False
    phrase = " ".join(words)
    for greeting in sorted(_GREETINGS, key=len, reverse=True):
        if phrase == greeting or phrase.startswith(greeting + " "):
            rest = phrase[len(greeting):].strip()
            return not rest or all(part in _POLITE for part in _split_polite(rest))
    return False


def _split_polite(rest: str) -> list[str]:
    """``rest`` as a sequence of polite words, longest first ("buoi sang a")."""
    parts: list[str] = []
    while rest:
        match = next((p for p in sorted(_POLITE, key=len, reverse=True)
                      if rest == p or rest.startswith(p + " ")), None)
        if match is None:
            return [rest]
        parts.append(match)
        rest = rest[len(match):].strip()
    return parts
