"""The regulation texts, article by article, and a keyword search over them.

The texts are shipped with the package (``workflow/data/regulations``) as they were
extracted from the official copies: markdown emphasis, page numbers, footnote markers
and lines wrapped mid-sentence included. :func:`parse_text` cleans only that noise and
keeps the wording; :meth:`Library.search` finds articles diacritics-insensitively
("tham dinh" finds "thẩm định"), every keyword required, ranked by hits.

Pure: no I/O beyond reading the bundled package data (:func:`bundled_library`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from workflow.rules.model import Text

# Scores: the whole query as a phrase counts most, then adjacent query words, then
# single words; a hit in the title counts extra, the exact spelling (diacritics as
# typed) breaks ties between "bảo vệ" and a folded look-alike.
PHRASE = 10.0
PAIR = 3.0
WORD = 1.0
IN_TITLE = 30.0  # an article whose title names the keyword is about it
EXACT = 2.0

_HEADING = re.compile(r"^Điều\s+(\d+)\s*\.\s*(.*)$")
_SECTION = re.compile(r"^(\d+(?:\.\d+)?)\.\s+(.*)$")
# Where a new paragraph starts: a numbered clause, a lettered point, a dash item.
_MARKER = re.compile(r"^(\d+(\.\d+)*\.|[a-zđ]\)|[-+•])\s")
# Signature blocks and the list of recipients end the text proper.
_END = re.compile(r"^(T/M|T/L|Nơi nhận)\b")
# Not ";": the wrapped copy breaks lines after a semicolon inside an enumeration.
_TERMINAL = ".:!?"
_FOOTNOTE_RULE = 10  # a whitespace-only line at least this long separates footnotes


# --------------------------------------------------------------------- folding


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base) == 1 else ch.lower()


def fold(text: str) -> str:
    """Lowercase without diacritics, one character for one, so positions carry over."""
    return "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", text))


def words(text: str) -> list[str]:
    """The searchable words of ``text``: folded letters and digits."""
    return re.findall(r"[a-z0-9]+", fold(text))


# --------------------------------------------------------------------- model


@dataclass(frozen=True)
class Document:
    """One regulation text and how it is cited."""

    id: str
    file: str
    unit: str  # "article" or "section"
    unit_name: Text  # "Điều" / "Article"
    title: Text
    short: Text
    label: Text
    breaks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """An article (or a numbered section) with its paragraphs, noise removed."""

    document: Document
    number: str  # "4"; "2.3" for a section
    title: str | None
    paragraphs: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return self.document.id, self.number

    def citation(self, lang: str = "vi") -> str:
        """E.g. "Điều 4, Quy định 887-QĐ/TU"."""
        return f"{self.document.unit_name.get(lang)} {self.number}, " \
               f"{self.document.short.get(lang)}"

    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Match:
    """An article that has every keyword; ``paragraphs`` index its matching paragraphs,
    best first."""

    article: Article
    score: float
    paragraphs: tuple[int, ...]


@dataclass(frozen=True)
class Topic:
    keyword: str
    label: Text


# --------------------------------------------------------------------- parsing


@dataclass
class _Draft:
    number: str
    pending_title: str | None  # the heading's text: a title unless the next line continues it
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    closed: bool = True  # the last paragraph may not be continued
    footnotes: list[str] = field(default_factory=list)


def _clean(line: str) -> tuple[str, bool]:
    """The line without markdown; True if it was a markdown heading or a bold line."""
    stripped = line.strip()
    heading = stripped.startswith("#") or (stripped.startswith("**") and
                                           stripped.rstrip().endswith("**"))
    stripped = stripped.lstrip("#").strip().replace("**", "")
    # "- g) ..." in the markdown copy is the lettered point "g) ...".
    stripped = re.sub(r"^[-*]\s+(?=[a-zđ]\)\s)", "", stripped)
    return re.sub(r"\s+", " ", stripped).strip(), heading


def _is_structure(line: str) -> bool:
    """A chapter heading or a signature line: all capitals ("CHƯƠNG II", "QUY ĐỊNH CHUNG")."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _lines(text: str) -> Iterable[tuple[str, str | None]]:
    """The text's lines as (line, None); ("", "N") where footnote N is referenced;
    ("\\fN text", None) for the footnote's own text. Page numbers are dropped."""
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        line = raw[i]
        if not line.strip() and len(line) >= _FOOTNOTE_RULE:
            # A footnote block: the number, then its text up to the end of a sentence.
            j = i + 1
            while j < len(raw) and not raw[j].strip():
                j += 1
            number = raw[j].strip() if j < len(raw) else ""
            body: list[str] = []
            j += 1
            while j < len(raw):
                part = raw[j].strip()
                j += 1
                if part:
                    body.append(part)
                    if part[-1] in _TERMINAL:
                        break
            if number.isdigit():
                yield f"\f{number} {' '.join(body)}", None
            i = j
            continue
        if line.strip().isdigit():
            before = raw[i - 1].strip() if i else ""
            after = raw[i + 1].strip() if i + 1 < len(raw) else ""
            # A marker sits between two lines of text; a page number between blank lines.
            if before and after:
                yield "", line.strip()
            i += 1
            continue
        yield line, None
        i += 1


def parse_text(text: str, document: Document) -> list[Article]:
    """Split a regulation text into its articles (or sections), cleaning the noise."""
    unit = _HEADING if document.unit == "article" else _SECTION
    breaks = tuple(fold(b) for b in document.breaks)
    drafts: list[_Draft] = []
    notes: dict[str, str] = {}
    referenced: dict[str, _Draft] = {}
    current: _Draft | None = None

    def add(line: str, standalone: bool) -> None:
        assert current is not None
        if current.pending_title is not None:
            continues = not standalone and not _MARKER.match(line) and line[:1].islower()
            if continues:
                current.paragraphs.append(current.pending_title)
                current.closed = False
            else:
                current.title = current.pending_title
            current.pending_title = None
        last = current.paragraphs[-1] if current.paragraphs else ""
        joins = (not current.closed and last and last[-1] not in _TERMINAL
                 and not standalone and not _MARKER.match(line)
                 and not fold(line).startswith(breaks))
        if joins:
            current.paragraphs[-1] = f"{last} {line}"
        else:
            current.paragraphs.append(line)
        current.closed = standalone

    for raw, marker in _lines(text):
        if raw.startswith("\f"):
            number, _, note = raw[1:].partition(" ")
            notes[number] = note
            continue
        if marker is not None:
            if current is not None and current.paragraphs:
                current.paragraphs[-1] += f"[{marker}]"
                referenced.setdefault(marker, current)
            continue
        line, standalone = _clean(raw)
        if not line:
            continue
        if _END.match(line) and current is not None:
            break
        if _is_structure(line):
            continue
        heading = unit.match(line)
        if heading and (document.unit == "article" or not current or standalone
                        or _is_subsection(heading.group(1), current.number)):
            rest = heading.group(2).strip()
            current = _Draft(heading.group(1), None)
            drafts.append(current)
            if rest and (document.unit == "article" or standalone):
                current.pending_title = rest
            elif rest:
                add(rest, False)
            continue
        if current is not None:
            add(line, standalone)
    for number, draft in referenced.items():
        if number in notes:
            draft.footnotes.append(f"[{number}] {notes[number]}")
    articles = []
    for draft in drafts:
        title = draft.title or draft.pending_title
        paragraphs = tuple(draft.paragraphs + draft.footnotes)
        if paragraphs:
            articles.append(Article(document, draft.number, title, paragraphs))
    return articles


def _is_subsection(number: str, previous: str) -> bool:
    """Section numbers only go forward ("2" -> "2.1" -> "2.2" -> "3"): anything else
    at the start of a line is a numbered paragraph inside the current section."""
    def parts(n: str) -> tuple[int, ...]:
        return tuple(int(p) for p in n.split("."))
    return parts(number) > parts(previous)


# --------------------------------------------------------------------- searching


def _count(seq: list[str], phrase: list[str]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(seq) - n + 1) if seq[i:i + n] == phrase)


@dataclass(frozen=True)
class _Indexed:
    article: Article
    title: list[str]
    paragraphs: list[list[str]]
    vocabulary: frozenset[str]


class Library:
    """The bundled regulation texts, their articles, and search over them."""

    def __init__(self, documents: list[Document], articles: list[Article],
                 topics: list[Topic] | None = None,
                 synonyms: dict[str, str] | None = None) -> None:
        self.documents = {d.id: d for d in documents}
        self.articles = list(articles)
        self.topics = list(topics or [])
        self.synonyms = {fold(k): v for k, v in (synonyms or {}).items()}
        self._by_key = {a.key: a for a in self.articles}
        self._order = {a.key: i for i, a in enumerate(self.articles)}
        self._index = []
        for article in self.articles:
            paragraphs = [words(p) for p in article.paragraphs]
            title = words(article.title or "")
            vocabulary = frozenset(w for p in paragraphs for w in p) | frozenset(title)
            self._index.append(_Indexed(article, title, paragraphs, vocabulary))

    def article(self, document_id: str, number: str) -> Article | None:
        return self._by_key.get((document_id, number))

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The articles before and after ``article`` in the same document."""
        same = [a for a in self.articles if a.document.id == article.document.id]
        i = same.index(article)
        return (same[i - 1] if i > 0 else None, same[i + 1] if i + 1 < len(same) else None)

    def translate(self, query: str) -> str | None:
        """The Vietnamese keyword for an English query the texts cannot match, if known."""
        return self.synonyms.get(" ".join(words(query)))

    def search(self, query: str) -> list[Match]:
        """Articles that contain every word of ``query`` (diacritics-insensitive), best
        first. When some articles contain the whole query as a phrase, only those."""
        wanted = words(query)
        if not wanted:
            return []
        exact = re.sub(r"\s+", " ", query.strip().lower())
        found: list[tuple[bool, Match]] = []
        for item in self._index:
            if not set(wanted) <= item.vocabulary:
                continue
            phrase_hits = sum(_count(p, wanted) for p in item.paragraphs)
            score = PHRASE * phrase_hits + IN_TITLE * _count(item.title, wanted)
            score += sum(WORD * p.count(w) for p in item.paragraphs for w in set(wanted))
            score += sum(PAIR * _count(p, wanted[i:i + 2]) for p in item.paragraphs
                         for i in range(len(wanted) - 1))
            score += EXACT * sum(p.lower().count(exact) for p in item.article.paragraphs)
            found.append((phrase_hits > 0 or _count(item.title, wanted) > 0,
                          Match(item.article, score, _best_paragraphs(item, wanted))))
        if len(wanted) > 1 and any(has_phrase for has_phrase, _ in found):
            found = [f for f in found if f[0]]
        matches = [m for _, m in found]
        matches.sort(key=lambda m: (-m.score, self._order[m.article.key]))
        return matches


def _best_paragraphs(item: _Indexed, wanted: list[str]) -> tuple[int, ...]:
    """Paragraphs with the phrase, else those with the most keywords, best first."""
    scored = []
    for i, tokens in enumerate(item.paragraphs):
        present = len(set(wanted) & set(tokens))
        if present:
            scored.append((_count(tokens, wanted), present, -i))
    if not scored:
        return ()
    top = max(s[:2] for s in scored)
    keep = [s for s in scored if s[0] > 0] if top[0] > 0 else \
        [s for s in scored if s[1] == top[1]]
    keep.sort(reverse=True)
    return tuple(-s[2] for s in keep)


def excerpt(paragraph: str, query: str, width: int = 320) -> str:
    """A window of ``paragraph`` around the first hit of ``query`` (word boundaries,
    "…" where it was cut)."""
    if len(paragraph) <= width:
        return paragraph
    folded = fold(paragraph)
    wanted = words(query)
    start = -1
    for pattern in (r"\b" + r"\W+".join(wanted) + r"\b", *(rf"\b{w}\b" for w in wanted)):
        hit = re.search(pattern, folded) if wanted else None
        if hit:
            start = hit.start()
            break
    begin = max(0, start - width // 3) if start >= 0 else 0
    end = min(len(paragraph), begin + width)
    begin = max(0, end - width)
    if begin > 0:
        space = paragraph.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    if end < len(paragraph):
        space = paragraph.rfind(" ", begin, end)
        end = space if space > begin else end
    return ("…" if begin > 0 else "") + paragraph[begin:end].strip() + \
        ("…" if end < len(paragraph) else "")


# --------------------------------------------------------------------- loading


def _text(value: dict[str, str]) -> Text:
    return Text(vi=str(value["vi"]), en=str(value.get("en") or value["vi"]))


def load_library(index_text: str, read: dict[str, str]) -> Library:
    """A library from the index YAML and the texts by file name."""
    data = yaml.safe_load(index_text)
    documents = [Document(
        id=str(d["id"]), file=str(d["file"]), unit=str(d.get("unit", "article")),
        unit_name=_text(d["unit_name"]), title=_text(d["title"]), short=_text(d["short"]),
        label=_text(d["label"]), breaks=tuple(str(b) for b in d.get("breaks") or ()),
    ) for d in data["documents"]]
    articles = [a for d in documents for a in parse_text(read[d.file], d)]
    # Not ``t``: that name is the gettext keyword, and Babel would extract t["keyword"].
    topics = [Topic(str(topic["keyword"]), _text(topic["label"]))
              for topic in data.get("topics") or ()]
    synonyms = {str(k): str(v) for k, v in (data.get("synonyms") or {}).items()}
    return Library(documents, articles, topics, synonyms)


@cache
def bundled_library() -> Library:
    """The regulation texts shipped with cadrebot, parsed once per process."""
    folder = resources.files("workflow") / "data" / "regulations"
    index = (folder / "index.yaml").read_text("utf-8")
    files = [str(d["file"]) for d in yaml.safe_load(index)["documents"]]
    return load_library(index, {f: (folder / f).read_text("utf-8") for f in files})
