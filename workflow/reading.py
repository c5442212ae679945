"""Reading a sentence the way the recogniser needs it: the lexicon, normalisation, terms.

Diacritics dropped (đ -> d), lowercase, punctuation kept only as clause boundaries,
short forms expanded from the lexicon (``workflow/data/abbreviations.yaml``), and
terms matched on whole words, longest first, forgiving a missing space or one slip.
Pure: no I/O beyond reading the bundled language data (:func:`default_lexicon`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

# Weights of forgiven matches, tuned with the recogniser on tests/data/ask_questions.yaml.
BOUNDARY = "|"  # a clause boundary (punctuation) in a token sequence
RESPACED = 0.95  # a term typed with a space missing or added
TYPO = 0.8  # a term typed with one letter wrong, missing or extra
TYPO_MIN_CHARS = 8  # shorter terms are too close to other words to forgive a slip

Phrase = tuple[str, ...]


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class Lexicon:
    """How to read a sentence: short forms, level words, neutral phrases, recipients."""

    abbreviations: Mapping[Phrase, Phrase]
    upper_only: Mapping[str, Phrase]
    levels: Mapping[Phrase, str]
    qualifiers: Mapping[Phrase, str]
    neutral: frozenset[Phrase]
    verbs: frozenset[Phrase]
    markers: frozenset[Phrase]
    stops: frozenset[Phrase]
    objects: frozenset[Phrase] = frozenset()
    plans: frozenset[Phrase] = frozenset()
    owner: frozenset[Phrase] = frozenset()
    non_leaders: frozenset[Phrase] = frozenset()
    topic: frozenset[Phrase] = frozenset()

    @property
    def level_names(self) -> frozenset[str]:
        return frozenset(self.levels.values()) | frozenset(self.qualifiers.values())

    @classmethod
    def from_yaml(cls, text: str) -> Lexicon:
        """Build a lexicon from the YAML format of ``workflow/data/abbreviations.yaml``."""
        data: dict[str, Any] = yaml.safe_load(text) or {}
        base = cls({}, {}, {}, {}, frozenset(), frozenset(), frozenset(), frozenset())

        def words(value: object) -> Phrase:
            return tuple(_tokens_plain(str(value)))

        abbreviations = {words(k): words(v) for k, v in (data.get("abbreviations") or {}).items()}
        base = cls(abbreviations, {}, {}, {}, frozenset(), frozenset(), frozenset(), frozenset())

        def phrases(items: Iterable[object]) -> frozenset[Phrase]:
            return frozenset(normalise(str(item), base) for item in items or ())

        def by_level(section: Mapping[str, Iterable[object]] | None) -> dict[Phrase, str]:
            return {phrase: level for level, items in (section or {}).items()
                    for phrase in phrases(items)}

        recipient = data.get("recipient") or {}
        plans = phrases((data.get("plans") or {}).get("nouns") or ())
        return cls(
            abbreviations=abbreviations,
            upper_only={str(k).lower(): words(v) for k, v in
                        (data.get("upper_only") or {}).items()},
            levels=by_level(data.get("levels")),
            qualifiers=by_level(data.get("qualifiers")),
            neutral=phrases(data.get("neutral") or ()),
            verbs=phrases(recipient.get("verbs") or ()),
            markers=phrases(recipient.get("markers") or ()),
            stops=phrases(recipient.get("stops") or ()),
            objects=phrases(recipient.get("objects") or ()) | plans,
            plans=plans,
            owner=phrases((data.get("plans") or {}).get("owner") or ()),
            non_leaders=phrases(data.get("non_leaders") or ()),
            topic=phrases((data.get("plans") or {}).get("topic") or ()),
        )


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with cadrebot (read once from the package)."""
    text = (resources.files("workflow") / "data" / "abbreviations.yaml").read_text("utf-8")
    return Lexicon.from_yaml(text)


# --------------------------------------------------------------------- normalisation

_BOUNDARY_CHARS = re.compile(r"[.,;:!?()\[\]{}\n\r\t…\"“”]+")
_WORD = re.compile(r"[A-Za-z0-9]+|\|")


def fold(text: str) -> str:
    """Drop Vietnamese diacritics (đ -> d) and keep the case: "Đảng ủy" -> "Dang uy"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


_LEVEL_INITIAL = {"p": "phuong", "x": "xa"}


def _raw_tokens(text: str) -> list[str]:
    text = fold(text).replace("&", " va ").replace("+", " va ")
    text = re.sub(r"['’]s\b", "", text)
    # "P.Phổ Văn", "X. Phổ Châu": a ward or commune written by its initial.
    text = re.sub(r"\b([PpXx])\.\s*(?=[A-Z])",
                  lambda m: _LEVEL_INITIAL[m.group(1).lower()] + " ", text)
    # A dot inside a word ("TP.HCM", "TX.Đức Phổ") does not end a clause.
    text = re.sub(r"\.(?=\w)", " ", text)
    text = _BOUNDARY_CHARS.sub(f" {BOUNDARY} ", text)
    return _WORD.findall(text)


def _tokens_plain(text: str) -> list[str]:
    return [token.lower() for token in _raw_tokens(text) if token != BOUNDARY]


def _singular(token: str) -> str:
    # Vietnamese syllables never end in "s": only English plurals do ("offices").
    if len(token) >= 5 and token.endswith("s") and not token.endswith("ss") and token.isalpha():
        return token[:-1]
    return token


def normalise(text: str, lexicon: Lexicon | None = None) -> Phrase:
    """The words of ``text`` as the recogniser sees them; clause boundaries are "|".

    >>> " ".join(normalise("Trưởng CA xã Phổ Châu, gửi kế hoạch cho ai?"))
    'truong cong an xa pho chau | gui ke hoach cho ai |'
    """
    lexicon = lexicon or default_lexicon()
    raw = _raw_tokens(text)
    lower = [token.lower() for token in raw]
    longest = max((len(key) for key in lexicon.abbreviations), default=0)
    out: list[str] = []
    i = 0
    while i < len(raw):
        if lower[i] == BOUNDARY:
            if out and out[-1] != BOUNDARY:
                out.append(BOUNDARY)
            i += 1
            continue
        for size in range(min(longest, len(raw) - i), 0, -1):
            key = tuple(lower[i:i + size])
            if key in lexicon.abbreviations:
                out.extend(lexicon.abbreviations[key])
                i += size
                break
        else:
            token = raw[i]
            if len(token) >= 2 and token.isupper() and lower[i] in lexicon.upper_only:
                out.extend(lexicon.upper_only[lower[i]])
            else:
                out.append(lower[i])
            i += 1
    while out and out[0] == BOUNDARY:
        out.pop(0)
    return tuple(_singular(token) for token in out)


# ---------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class TermEntry:
    """One term of one option: a unit kind id or a not-covered id (None: neutral)."""

    option: str | None
    weight: float
    levels: frozenset[str] | None = None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    key: Phrase
    quality: float  # 1 exact; lower for a respaced or mistyped match


def parse_term(term: str, lexicon: Lexicon) -> tuple[Phrase, frozenset[str] | None]:
    """``"cong an @commune"`` -> (("cong", "an"), {"commune"}); tags name lexicon levels.

    A term of tags only (``"@commune"``) has no words: it counts when the question is
    at one of those levels, whatever organisation it names.
    """
    text, _, tags = term.partition("@")
    levels = None
    if tags.strip():
        levels = frozenset(t.strip() for t in re.split(r"[,\s@]+", tags) if t.strip())
        unknown = levels - lexicon.level_names
        if unknown:
            raise ValueError(f"term '{term}': unknown level {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(sorted(lexicon.level_names))})")
    phrase = tuple(t for t in normalise(text, lexicon) if t != BOUNDARY)
    if not phrase and not levels:
        raise ValueError(f"term '{term}' has no words")
    return phrase, levels


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class TermIndex:
    """Phrases to entries, with lookups forgiving a missing space or one slip."""

    def __init__(self, entries: Mapping[Phrase, list[TermEntry]], *, typos: bool = True):
        self.entries = dict(entries)
        self.typos = typos
        self.longest = max((len(p) for p in self.entries), default=0)
        self.joined: dict[str, list[Phrase]] = {}
        self.near: dict[str, set[Phrase]] = {}
        for phrase in self.entries:
            joined = "".join(phrase)
            self.joined.setdefault(joined, []).append(phrase)
            meaningful = any(entry.option for entry in self.entries[phrase])
            if meaningful and len(joined) >= TYPO_MIN_CHARS:
                for variant in {joined} | _deletions(joined):
                    self.near.setdefault(variant, set()).add(phrase)

    def spans(self, tokens: Sequence[str]) -> list[Span]:
        found: list[Span] = []
        for start in range(len(tokens)):
            for size in range(1, self.longest + 2):
                window = tuple(tokens[start:start + size])
                if len(window) < size or BOUNDARY in window:
                    break
                if window in self.entries:
                    found.append(Span(start, start + size, window, 1.0))
                joined = "".join(window)
                for phrase in self.joined.get(joined, ()):
                    if phrase != window:
                        found.append(Span(start, start + size, phrase, RESPACED))
                if self.typos and len(joined) >= TYPO_MIN_CHARS and not joined.isdigit():
                    near: set[Phrase] = set()
                    for variant in {joined} | _deletions(joined):
                        near |= self.near.get(variant, set())
                    for phrase in near:
                        if _slipped(window, phrase):
                            found.append(Span(start, start + size, phrase, TYPO))
        return found


def _slipped(window: Phrase, phrase: Phrase) -> bool:
    """True if ``window`` is ``phrase`` typed with one slip in one word.

    Without diacritics most one-letter changes of a syllable are another syllable
    ("chuyen doi" vs "huyen doi", "co" vs "so"), so the slip must keep each word's first
    letter and fall in a word of four letters or more, unless the other words of a
    longer term pin it down ("truong mam nom").
    """
    if len(window) != len(phrase) or window == phrase:
        return False
    diff = [(a, b) for a, b in zip(window, phrase, strict=True) if a != b]
    if len(diff) != 1:
        return False
    typed, meant = diff[0]
    if typed[0] != meant[0] or (min(len(typed), len(meant)) < 4 and len(phrase) < 3):
        return False
    return _one_slip(typed, meant)


def _one_slip(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ by one letter changed, added, removed or swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def select_spans(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: longest phrase first, then exact before forgiven, then the
    later one, since a title comes before the body it heads ("phó trưởng | phòng y tế")."""
    chosen: list[Span] = []
    taken: set[int] = set()
    order = sorted(spans, key=lambda s: (-len(s.key), -s.quality, -s.start))
    for span in order:
        positions = set(range(span.start, span.end))
        if positions & taken:
            continue
        chosen.append(span)
        taken |= positions
    return sorted(chosen, key=lambda s: s.start)
