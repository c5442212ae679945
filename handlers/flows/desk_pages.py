"""Lists shown a page at a time (/viec, the office's overview, /hanchot): at most
``PAGE_SIZE`` lines, the count and the page in the header, "‹ Previous" / "Next ›".

A page number comes back in a button (``k:l:<page>``, ``k:o:<page>``, ``h:l:<page>``),
so it is never trusted: page 0 cannot be drawn (a forged press), and a page past the end
(the list got shorter, or a forged number) is answered with the list's last page and a
word saying so. The storage reads the page only (``DeskReader.tasks``, ``open_page``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from babel.numbers import format_decimal

from handlers.buttons import ButtonData
from handlers.context import Turn
from handlers.i18n import Translator
from handlers.messages import Button

PAGE_SIZE = 10  # about a phone screen, and a few thousand characters at most

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int  # from 1
    pages: int  # at least 1
    counted: str  # ``total`` as the reader writes it: 1.009 in Vietnamese, 1,009 in English

    @property
    def paged(self) -> bool:
        return self.pages > 1


def pages_for(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


async def fetch(turn: Turn, page: int | None,
                read: Callable[[int, int], Awaitable[tuple[list[T], int]]]) -> Page[T]:
    """Page ``page`` (None: the first) of a list that ``read(offset, limit)`` returns with
    its total, the person told when the number they sent cannot be right."""
    t = turn.t
    wanted = 1 if page is None else page
    if wanted < 1:  # never drawn: a forged press
        turn.say(t("That button is no longer valid. Here is where we are now."))
        wanted = 1
    items, total = await read((wanted - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = pages_for(total)
    if wanted > pages:  # the list got shorter since the button was drawn (or a forgery)
        if total:
            turn.say(t.plural("That page is no longer there: the list now has {n} page. "
                              "Here is the last one.",
                              "That page is no longer there: the list now has {n} pages. "
                              "Here is the last one.", pages))
            items, total = await read((pages - 1) * PAGE_SIZE, PAGE_SIZE)
            pages = pages_for(total)
        wanted = min(wanted, pages)
    return Page(items, total, wanted, pages, format_decimal(total, locale=t.lang))


def in_memory(items: list[T]) -> Callable[[int, int], Awaitable[tuple[list[T], int]]]:
    """``read`` for a list already computed (/hanchot's deadlines)."""

    async def read(offset: int, limit: int) -> tuple[list[T], int]:
        return items[offset:offset + limit], len(items)

    return read


def nav_row(t: Translator, shown: Page[T], press: Callable[[int], ButtonData]
            ) -> list[tuple[Button, ...]]:
    """"‹ Previous" / "Next ›" for a list of more than one page, else nothing."""
    row: list[Button] = []
    if shown.page > 1:
        row.append(Button(t("‹ Previous"), press(shown.page - 1)))
    if shown.page < shown.pages:
        row.append(Button(t("Next ›"), press(shown.page + 1)))
    return [tuple(row)] if row else []
