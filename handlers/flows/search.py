"""Finding dossiers (prefix "s"): ``/timkiem mầm non 2026``, closed ones included.

Words are matched without diacritics or case; a four-digit year (2000-2100) among them
keeps the dossiers received that year. Who sees what is the desk's rule, applied by
storage (``Directory.search_dossiers``): the office and committee people the dossiers
of their bodies, a proposer their own. Each result opens the dossier's existing card:
"My dossiers" for its proposers (``d:v:<id>``), the desk for everyone else
(``k:v:<id>``); both check again who may see it.

Actions: ``s:n`` a new search (asks for the words), ``s:x`` stop, ``s:st:<o|f|a>`` keep
the dossiers in progress / finished / all, ``s:u:<n>`` keep the n-th unit offered,
``s:u:a`` every unit, ``s:r`` no filter. While the results are shown the query stays in
the conversation (step "results"): typed text is a new search.
"""

from __future__ import annotations

import re
from typing import Any

from handlers import menu
from handlers.buttons import (
    ButtonData,
    Home,
    NewSearch,
    OpenDossier,
    OpenOwnDossier,
    SearchCancel,
    SearchReset,
    SearchState,
    SearchUnit,
)
from handlers.context import Turn
from handlers.flows.dossier_view import shorten
from handlers.messages import Button, rows
from handlers.ports import SEARCH_FINISHED, SEARCH_OPEN, FoundDossier
from workflow.lifecycle import STATE_LABELS
from workflow.text_fold import fold

PREFIX = NewSearch.prefix
WORDS = "words"  # waiting for the words to look for
RESULTS = "results"  # the results are shown; typed text searches again
SHOWN = 10  # results listed (a phone screen)
MAX_QUERY = 200
MAX_UNITS = 5  # unit buttons offered under the results
STATES = {"o": SEARCH_OPEN, "f": SEARCH_FINISHED}
_YEAR = re.compile(r"[0-9]{4}")
# "năm 2026", "year 2026": the word before a year says nothing more.
_YEAR_WORDS = frozenset({"nam", "year"})


def parse(text: str) -> tuple[str, int | None]:
    """The words to look for and the year among them, if any (the last one given)."""
    words: list[str] = []
    year: int | None = None
    for token in text.split():
        if _YEAR.fullmatch(token) and 2000 <= int(token) <= 2100:
            year = int(token)
            if words and fold(words[-1]) in _YEAR_WORDS:
                words.pop()
        else:
            words.append(token)
    return " ".join(words), year


class SearchFlow:
    def __init__(self) -> None:
        self.name = "search"
        self.prefix = PREFIX
        self.commands = {"timkiem": "", "search": ""}

    # Entry points ---------------------------------------------------------------------

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        self._leave(turn)
        if not self._linked(turn):
            return
        if argument.strip():
            await self._search_text(turn, argument.strip())
        else:
            self._ask(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not self._linked(turn):
            return
        query = self._query(turn)
        if isinstance(data, NewSearch):
            self._leave(turn)
            self._ask(turn)
        elif isinstance(data, SearchCancel):
            self._leave(turn)
            await menu.show(turn)
        elif query is None:  # a filter left over from a search that is over
            self._leave(turn)
            turn.say(turn.t("That button is no longer valid. Here is where we are now."))
            self._ask(turn)
        elif isinstance(data, SearchState):
            query["st"] = data.state if data.state in STATES else None
            await self._run(turn, query)
        elif isinstance(data, SearchUnit) and data.index is None:
            query["u"] = None
            await self._run(turn, query)
        elif isinstance(data, SearchUnit) and data.index is not None and \
                data.index < len(query["units"]):
            query["u"] = query["units"][data.index]
            await self._run(turn, query)
        elif isinstance(data, SearchReset):
            query.update(st=None, u=None, y=None)
            await self._run(turn, query)
        else:
            turn.say(turn.t("That button is no longer valid. Here is where we are now."))
            await self._run(turn, query)

    async def on_text(self, turn: Turn, text: str) -> None:
        if turn.person is None:  # unlinked meanwhile: the flow is not for them
            self._leave(turn)
            self._linked(turn)
            return
        await self._search_text(turn, text)

    async def on_attachments(self, turn: Turn) -> None:
        turn.say(turn.t("Please write the words to look for; files cannot be searched."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        query = self._query(turn)
        if turn.person is None:
            self._leave(turn)
            self._linked(turn)
        elif turn.conversation.step == RESULTS and query is not None:
            await self._run(turn, query)
        else:
            self._ask(turn)

    # Searching ------------------------------------------------------------------------

    def _ask(self, turn: Turn) -> None:
        t = turn.t
        turn.set_step(self.name, WORDS)
        turn.conversation.data = {}
        turn.say(t("Which dossier are you looking for? Write a few words of its title or "
                   "content, the unit, the proposer's name, the registration or answer number, "
                   "and a year if you wish, e.g. mầm non 2026. Diacritics are not needed."),
                 rows(Button(t("Cancel"), SearchCancel())))

    async def _search_text(self, turn: Turn, text: str) -> None:
        t = turn.t
        if len(text) > MAX_QUERY:
            turn.say(t("Please keep it under {limit} characters: a few words are enough.",
                       limit=MAX_QUERY))
            self._ask(turn)
            return
        words, year = parse(text)
        if not words and year is None:
            self._ask(turn)
            return
        await self._run(turn, {"q": words, "y": year, "st": None, "u": None, "units": []})

    async def _run(self, turn: Turn, query: dict[str, Any]) -> None:
        assert turn.person is not None
        found = await turn.services.directory.search_dossiers(
            turn.person.id, words=query["q"], year=query["y"], state=STATES.get(query["st"]),
            unit=query["u"][0] if query["u"] else None, limit=SHOWN + 1)
        if query["u"] is None:  # the units of these results, to narrow them down
            units = {f.unit_id: f.unit_name or f.unit_id for f in found if f.unit_id}
            query["units"] = [[unit, name] for unit, name in units.items()][:MAX_UNITS]
        turn.set_step(self.name, RESULTS)
        turn.conversation.data = query
        if found:
            self._results(turn, query, found)
        else:
            self._nothing(turn, query)

    def _results(self, turn: Turn, query: dict[str, Any], found: list[FoundDossier]) -> None:
        t = turn.t
        more = len(found) > SHOWN
        found = found[:SHOWN]
        if more:
            header = t("More than {limit} dossiers found; the {limit} newest:", limit=SHOWN)
        else:
            header = t.plural("{n} dossier found:", "{n} dossiers found:", len(found))
        lines = [t("{number}. {title} — {state}, {year}", number=f.id,
                   title=shorten(f.title.strip() or t("(untitled plan)"), 60),
                   state=t(STATE_LABELS[f.state]), year=f.year) for f in found]
        tail = [self._described(turn, query)]
        if more:
            tail.append(t("Add a word or a year to narrow the search."))
        tail.append(t("Type other words to search again."))
        keys: list[tuple[Button, ...]] = [
            (Button(f"{f.id}. {shorten(f.title.strip() or t('(untitled plan)'), 40)}",
                    OpenOwnDossier(f.id) if f.own else OpenDossier(f.id)),) for f in found]
        keys += self._filters(turn, query)
        keys.append(_ending(turn))
        turn.say("\n".join([header, *lines, "", *tail]), tuple(keys))

    def _nothing(self, turn: Turn, query: dict[str, Any]) -> None:
        t = turn.t
        filtered = query["y"] is not None or query["st"] or query["u"]
        keys: list[tuple[Button, ...]] = []
        if filtered:
            keys.append((Button(t("Remove the year and filters"), SearchReset()),))
        keys.append(_ending(turn))
        turn.say("\n".join([
            t("No dossier found."), self._described(turn, query),
            t("Try fewer or shorter words (diacritics are not needed), another spelling, or "
              "without the year; or type other words to search again.")]), tuple(keys))

    def _described(self, turn: Turn, query: dict[str, Any]) -> str:
        """What was looked for, in words: the words, the year, the state, the unit."""
        t = turn.t
        parts = [t("“{words}”", words=query["q"])] if query["q"] else []
        if query["y"] is not None:
            parts.append(t("year {year}", year=query["y"]))
        if query["st"] == "o":
            parts.append(t("in progress"))
        elif query["st"] == "f":
            parts.append(t("finished"))
        if query["u"]:
            parts.append(str(query["u"][1]))
        return t("Searched: {what}.", what="; ".join(parts))

    def _filters(self, turn: Turn, query: dict[str, Any]) -> list[tuple[Button, ...]]:
        t = turn.t
        states = [Button(t("In progress"), SearchState("o")),
                  Button(t("Finished"), SearchState("f"))]
        if query["st"] == "o":
            states = [states[1], Button(t("Any state"), SearchState("a"))]
        elif query["st"] == "f":
            states = [states[0], Button(t("Any state"), SearchState("a"))]
        keys: list[tuple[Button, ...]] = [tuple(states)]
        if query["u"]:
            keys.append((Button(t("Every unit"), SearchUnit()),))
        elif len(query["units"]) > 1:
            keys += [(Button(shorten(str(name), 40), SearchUnit(i)),)
                     for i, (_unit, name) in enumerate(query["units"])]
        return keys

    # Checks ---------------------------------------------------------------------------

    def _query(self, turn: Turn) -> dict[str, Any] | None:
        """The search shown last, if this conversation is at its results."""
        data = turn.conversation.data
        if turn.conversation.flow != self.name or turn.conversation.step != RESULTS:
            return None
        if not isinstance(data.get("q"), str) or not isinstance(data.get("units"), list):
            return None
        query = dict(data)
        query.setdefault("y", None)
        query.setdefault("st", None)
        query.setdefault("u", None)
        return query

    def _linked(self, turn: Turn) -> bool:
        if turn.person is not None:
            return True
        t = turn.t
        menu.ask_to_link(turn, t(
            "Searching dossiers is for the people of the organisation: please link your "
            "account first with the invitation code your committee's office gave you."))
        return False

    def _leave(self, turn: Turn) -> None:
        if turn.conversation.flow == self.name:
            turn.clear()


def _ending(turn: Turn) -> tuple[Button, ...]:
    t = turn.t
    return (Button(t("Find another dossier"), NewSearch()), Button(t("Main menu"), Home()))
