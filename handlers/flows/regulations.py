"""/quydinh KEYWORD: search the bundled regulation texts and read them article by article.

Actions (``q:...``), each checked strictly, anything else refused without a change:

- ``q:m:<page>``: a page of the current results (needs the search in progress);
- ``q:a:<document>:<number>``: one article in full (stateless: any article that exists,
  so a route answer can link the article it cites);
- ``q:t:<i>``: search one of the suggested topics;
- ``q:k``: ask for a new keyword.

Telegram refuses messages over 4096 characters: every reply stays under ``LIMIT``.
"""

from __future__ import annotations

from handlers import menu
from handlers.buttons import (
    ButtonData,
    Home,
    RegulationArticle,
    RegulationKeyword,
    RegulationPage,
    RegulationTopic,
)
from handlers.context import Turn
from handlers.messages import Button, rows
from workflow.recognizer import recognise
from workflow.regulations import Article, Library, Match, bundled_library, excerpt, words

NAME = "regulations"
PREFIX = RegulationPage.prefix
LIMIT = 3500  # characters per reply, well under Telegram's 4096
PER_PAGE = 3  # articles per page of results
EXCERPTS = 2  # matching paragraphs shown per article
EXCERPT_CHARS = 320
TOPIC_BUTTONS = 6
QUESTION_WORDS = 5  # a typed text this long may be a question rather than a keyword


def article_action(article: Article) -> RegulationArticle:
    return RegulationArticle(article.document.id, article.number)


def article_button(turn: Turn, article: Article) -> Button:
    """A button that opens ``article`` in full, e.g. "Điều 4 · QĐ 887"."""
    label = f"{article.document.unit_name.get(turn.lang)} {article.number} · " \
            f"{article.document.label.get(turn.lang)}"
    return Button(label, article_action(article))


class RegulationsFlow:
    def __init__(self, library: Library | None = None) -> None:
        self.name = NAME
        self.prefix = PREFIX
        self.commands = {"quydinh": "", "regulations": ""}
        self._library = library

    @property
    def library(self) -> Library:
        # Parsed on first use, not at import: the bot starts without reading the texts.
        if self._library is None:
            self._library = bundled_library()
        return self._library

    # -- the Flow protocol

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if argument.strip():
            await self.search(turn, argument.strip())
        else:
            self._ask_keyword(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        library = self.library
        match data:
            case RegulationPage(page=page):
                query = turn.conversation.data.get("query") if self._active(turn) else None
                matches = library.search(query) if isinstance(query, str) else []
                if matches and page * PER_PAGE < len(matches):
                    turn.conversation.data["page"] = page
                    turn.set_step(NAME, "results")
                    self._show_page(turn, query or "", matches, page)
                    return
            case RegulationArticle(document_id=document_id, article=number):
                article = library.article(document_id, number)
                if article is not None:
                    self._show_article(turn, article)
                    return
            case RegulationTopic(index=index) if index < len(library.topics):
                await self.search(turn, library.topics[index].keyword)
                return
            case RegulationKeyword():
                self._ask_keyword(turn)
                return
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await self.prompt(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        # In this flow, what is typed is the next keyword; but a sentence that matches no
        # article and describes a post is someone asking whom to send a plan to.
        if len(words(text)) >= QUESTION_WORDS and not self.library.search(text) \
                and not self.library.translate(text) \
                and recognise(text, turn.pack).status != "no_signal":
            # Imported here: the competent flow links to articles through this module.
            from handlers.flows.competent import CompetentFlow

            turn.clear()
            await CompetentFlow().answer_question(turn, text)
            return
        await self.search(turn, text)

    async def on_attachments(self, turn: Turn) -> None:
        turn.say(turn.t("Thank you, but I was not expecting a file here. Files can be "
                        "attached while you prepare a plan."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        if not self._active(turn):
            await menu.show(turn)
            return
        query = turn.conversation.data.get("query")
        page = turn.conversation.data.get("page", 0)
        if turn.conversation.step == "results" and isinstance(query, str) \
                and isinstance(page, int):
            matches = self.library.search(query)
            if matches and 0 <= page * PER_PAGE < len(matches):
                self._show_page(turn, query, matches, page)
                return
        self._ask_keyword(turn)

    # -- searching

    async def search(self, turn: Turn, query: str) -> None:
        """Search and show the first page of results (or say nothing matched)."""
        t = turn.t
        library = self.library
        if turn.conversation.flow != NAME:
            turn.clear()
        query = query[:200]
        matches = library.search(query)
        if not matches:
            keyword = library.translate(query)
            if keyword:
                # An English word the Vietnamese texts cannot contain: search its equivalent.
                turn.say(t("The regulations are in Vietnamese: searching for “{keyword}” "
                           "instead.", keyword=keyword))
                query, matches = keyword, library.search(keyword)
        if not matches:
            turn.set_step(NAME, "keyword")
            turn.conversation.data = {}
            examples = ", ".join(topic.keyword for topic in library.topics[:3])
            turn.say(t("No article of the regulations mentions “{query}”. Try a shorter or "
                       "different keyword, for example: {examples}.",
                       query=query, examples=examples) + "\n\n" +
                     t("To find out whom to send your plan to, send /who."),
                     self._topic_buttons(turn))
            return
        turn.conversation.data = {"query": query, "page": 0}
        turn.set_step(NAME, "results")
        self._show_page(turn, query, matches, 0)

    def _ask_keyword(self, turn: Turn) -> None:
        t = turn.t
        if turn.conversation.flow != NAME:
            turn.clear()
        turn.set_step(NAME, "keyword")
        turn.conversation.data = {}
        titles = "\n".join(f"- {d.title.get(turn.lang)}" for d in
                           self.library.documents.values())
        lines = [t("Which topic are you looking for? Send a keyword, for example "
                   "“thẩm định” or “30 ngày”, or choose a topic below."), "",
                 t("I search these texts, article by article:"), titles]
        if turn.lang == "en":
            lines += ["", t("The texts are in Vietnamese; English keywords for the main "
                            "topics are understood.")]
        turn.say("\n".join(lines), self._topic_buttons(turn))

    def _topic_buttons(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        topics = self.library.topics[:TOPIC_BUTTONS]
        buttons = [Button(topic.label.get(turn.lang), RegulationTopic(i))
                   for i, topic in enumerate(topics)]
        return rows(*buttons, per_row=2) + rows(Button(turn.t("Main menu"), Home()))

    def _show_page(self, turn: Turn, query: str, matches: list[Match], page: int) -> None:
        t = turn.t
        pages = (len(matches) + PER_PAGE - 1) // PER_PAGE
        shown = matches[page * PER_PAGE:(page + 1) * PER_PAGE]
        header = t("Articles that mention “{query}”: {count} (page {page} of {pages}).",
                   query=query, count=len(matches), page=page + 1, pages=pages)
        blocks = [_result(turn, match, query, page * PER_PAGE + i + 1)
                  for i, match in enumerate(shown)]
        text = "\n\n".join([header, *blocks])
        if len(text) > LIMIT:  # long excerpts: fall back to one excerpt each
            blocks = [_result(turn, match, query, page * PER_PAGE + i + 1, excerpts=1)
                      for i, match in enumerate(shown)]
            text = "\n\n".join([header, *blocks])[:LIMIT]
        text += "\n\n" + t("Press an article to read it in full.")
        navigation = []
        if page > 0:
            navigation.append(Button(t("◀ Previous"), RegulationPage(page - 1)))
        if page + 1 < pages:
            navigation.append(Button(t("More ▶"), RegulationPage(page + 1)))
        buttons = rows(*(article_button(turn, m.article) for m in shown))
        if navigation:
            buttons += (tuple(navigation),)
        buttons += rows(Button(t("New search"), RegulationKeyword()),
                        Button(t("Main menu"), Home()), per_row=2)
        turn.say(text, buttons)

    # -- reading one article

    def _show_article(self, turn: Turn, article: Article) -> None:
        t = turn.t
        heading = article.citation(turn.lang)
        if article.title:
            heading += f": {article.title}"
        parts = [heading]
        if turn.lang == "en":
            parts.append(t("(The text is in Vietnamese.)"))
        chunks = _chunks([*parts, *article.paragraphs], LIMIT)
        before, after = self.library.neighbours(article)
        navigation = []
        if before is not None:
            navigation.append(Button(t("◀ {article}", article=_short(turn, before)),
                                     article_action(before)))
        if after is not None:
            navigation.append(Button(t("{article} ▶", article=_short(turn, after)),
                                     article_action(after)))
        buttons: tuple[tuple[Button, ...], ...] = (tuple(navigation),) if navigation else ()
        data = turn.conversation.data
        if self._active(turn) and turn.conversation.step == "results" \
                and isinstance(data.get("page"), int):
            buttons += rows(Button(t("Back to the results"), RegulationPage(data["page"])))
        buttons += rows(Button(t("New search"), RegulationKeyword()),
                        Button(t("Main menu"), Home()), per_row=2)
        for chunk in chunks[:-1]:
            turn.say(chunk)
        turn.say(chunks[-1], buttons)

    @staticmethod
    def _active(turn: Turn) -> bool:
        return turn.conversation.flow == NAME


def _short(turn: Turn, article: Article) -> str:
    return f"{article.document.unit_name.get(turn.lang)} {article.number}"


def _result(turn: Turn, match: Match, query: str, number: int, excerpts: int = EXCERPTS) -> str:
    article = match.article
    line = f"{number}. {article.citation(turn.lang)}"
    if article.title:
        line += f": {article.title}"
    # Shown in the order they stand in the article, so that they read naturally.
    chosen = sorted(match.paragraphs[:excerpts])
    quotes = [f"   “{excerpt(article.paragraphs[i], query, EXCERPT_CHARS)}”" for i in chosen]
    return "\n".join([line, *quotes])


def _chunks(paragraphs: list[str], limit: int) -> list[str]:
    """Paragraphs packed into messages of at most ``limit`` characters, split between
    paragraphs (a paragraph longer than that is cut between words)."""
    pieces: list[str] = []
    for paragraph in paragraphs:
        while len(paragraph) > limit:
            cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(paragraph[:cut])
            paragraph = paragraph[cut:].strip()
        pieces.append(paragraph)
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 2 + len(piece) <= limit:
            chunks[-1] += "\n\n" + piece
        else:
            chunks.append(piece)
    return chunks or [""]
