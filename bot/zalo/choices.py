"""Buttons where a chat has none: a numbered list, and the reply "2" read back.

A reply's buttons are shown under its text as a numbered list in the reader's language;
the list is recorded in the database (``storage.shown_choices``, one per chat, the
newest replacing the previous), so that the answer "2", or the option's words typed
out ("tán thành", "Tan thanh", "TÁN THÀNH"), becomes the same action a button press
would be, on any worker and after a restart. The handlers re-check that action like
any press. A number outside the list, or an answer to a list that is no longer the
one on screen (a newer list was shown after the person wrote, or it was shown more
than ``STALE_AFTER`` ago), gets the list again instead of a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Keyboard
from handlers.i18n import Translator
from storage.shown_choices import Shown, load_choices, save_choices, touch_choices

STALE_AFTER = timedelta(hours=24)
# The platform's clock and ours may differ a little: an answer written this much before
# the list was recorded still counts as an answer to it.
CLOCK_SKEW = timedelta(seconds=2)
Choices = tuple[tuple[str, str], ...]  # (label, action), numbered from 1

_NUMBER = re.compile(r"\s*(?:số\s*|so\s*|#\s*)?([0-9]{1,3})\s*[.)]?\s*", re.IGNORECASE)


def numbered(buttons: Keyboard) -> Choices:
    return tuple((button.label, button.action) for row in buttons for button in row)


def render(choices: Sequence[tuple[str, str]], t: Translator, start: int = 1) -> str:
    """The choices as text to put under a message: numbered from ``start``."""
    if len(choices) == 1:
        return t("Reply {number} to choose “{label}”.", number=start, label=choices[0][0])
    lines = [t("Reply with a number to choose:")]
    lines += [f"{number}. {label}" for number, (label, _action) in
              enumerate(choices, start=start)]
    return "\n".join(lines)


def fold(text: str) -> str:
    """Text compared without case, accents, punctuation or extra spaces
    ("Không tán thành!" -> "khong tan thanh")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


class Kind(Enum):
    CHOSEN = "chosen"  # a valid choice: ``action`` is what its button does
    OUT_OF_RANGE = "out_of_range"  # a number the list does not have
    STALE = "stale"  # an answer to a list that is no longer the current one
    TEXT = "text"  # not an answer to the list: pass the text on


@dataclass(frozen=True)
class Answer:
    kind: Kind
    action: str | None = None


def interpret(text: str, shown: Shown | None, now: datetime,
              written_at: datetime | None = None,
              stale_after: timedelta = STALE_AFTER) -> Answer:
    """What ``text`` means given the list ``shown`` in the chat (``written_at``: when the
    person sent it, as the platform stamped it)."""
    if shown is None or not shown.choices:
        return Answer(Kind.TEXT)
    number = _NUMBER.fullmatch(text)
    if number is not None:
        index = int(number.group(1))
    else:
        key = fold(text)
        found = [i for i, (label, _a) in enumerate(shown.choices, start=1)
                 if key and fold(label) == key]
        if not found:
            return Answer(Kind.TEXT)
        index = found[0]
    stale = (now - shown.shown_at > stale_after
             or (written_at is not None and written_at < shown.shown_at - CLOCK_SKEW))
    if stale:
        return Answer(Kind.STALE)
    if not 1 <= index <= len(shown.choices):
        return Answer(Kind.OUT_OF_RANGE)
    return Answer(Kind.CHOSEN, shown.choices[index - 1][1])


def again(answer: Answer, shown: Shown) -> str:
    """The list shown again, with why, in the language it was shown in."""
    t = Translator(shown.language)
    if answer.kind is Kind.OUT_OF_RANGE:
        lead = t("That number is not in the list. Please reply with one of the numbers "
                 "below.")
    else:
        lead = t("A newer list was shown, or this one is old; so that nothing is done by "
                 "mistake, here are the current choices again.")
    return f"{lead}\n\n{render(shown.choices, t)}"


class ChoiceBook:
    """The lists shown on one channel, kept in the database."""

    def __init__(self, engine: AsyncEngine, channel: str, *,
                 wall: Callable[[], datetime] | None = None,
                 stale_after: timedelta = STALE_AFTER) -> None:
        # Compared with the platform's own timestamps: the wall clock, not the app's.
        self.engine, self.channel = engine, channel
        self.wall = wall or (lambda: datetime.now(UTC))
        self.stale_after = stale_after

    async def show(self, chat_id: str, choices: Choices, language: str,
                   shown_at: datetime | None = None) -> None:
        """Record the list; ``shown_at``: when its posting began (an answer written after
        that is an answer to it), default now."""
        await save_choices(self.engine, self.channel, chat_id, choices, language,
                           shown_at or self.wall())

    async def shown(self, chat_id: str) -> Shown | None:
        return await load_choices(self.engine, self.channel, chat_id)

    async def shown_again(self, chat_id: str) -> None:
        await touch_choices(self.engine, self.channel, chat_id, self.wall())

    async def interpret(self, chat_id: str, text: str,
                        written_at: datetime | None) -> tuple[Answer, Shown | None]:
        shown = await self.shown(chat_id)
        return interpret(text, shown, self.wall(), written_at, self.stale_after), shown
