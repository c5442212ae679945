"""Which unit kind is this? Recognise a cadre's post from a sentence in their own words.

"Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?" and
"truong phong noi vu thi xa gui ke hoach dot pha cho ai" must both be understood,
without guessing silently. Pure: no I/O beyond reading the bundled language data
(:func:`default_lexicon`), no framework.

How a question is read:

1. **Normalise** (:func:`normalise`): diacritics dropped (đ -> d), lowercase, punctuation
   kept only as clause boundaries, short forms expanded (UBND, THCS, BCHQS, CA xã ...)
   from the lexicon (``workflow/data/abbreviations.yaml``).
2. **Match terms** on whole words: every unit kind and not-covered case of the pack
   carries ``terms`` (its vocabulary, with weights). Overlapping matches are settled
   longest first, so "cong an thi xa" is never also "cong an xa"; the lexicon's
   neutral phrases ("xa hoi", "phuong an") are matched too and say nothing. A term may
   also match with one typing slip (a letter, a missing space) at a lower weight.
3. **Levels**: the lexicon's level words (xã, phường, thị trấn / thị xã, huyện / tỉnh)
   are found the same way. A term tagged with levels (``cong an @commune``) counts
   fully only at those levels: the level is the one written right after the
   organisation (Vietnamese puts it there: "Hội Nông dân thị xã"), else just before it
   in the same clause, else the levels of the whole question.
4. **Recipients**: words after a sending verb and a preposition ("gửi cho Đảng ủy xã")
   name where the plan goes, not who the person is, and count for little.
5. **Decide**: a score per unit kind and per not-covered case; the confidence is a
   softmax over the scores with some mass kept for "none of these". A clear winner is
   the answer (or "not covered"); otherwise the candidates are asked back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from workflow.rules.model import NotCovered, Pack

BOUNDARY = "|"  # a clause boundary (punctuation) in a token sequence

# Decision parameters, tuned on tests/data/ask_questions.yaml.
LEVEL_MATCH = 1.5  # a level-tagged term at one of its levels
LEVEL_MISMATCH = 0.25  # ... at another level
RECIPIENT = 0.2  # a term naming where the plan goes
TOPIC = 0.3  # a term in the plan's topic, after the person's own organisation
RESPACED = 0.95  # a term typed with a space missing or added
TYPO = 0.8  # a term typed with one letter wrong, missing or extra
TYPO_MIN_CHARS = 8  # shorter terms are too close to other words to forgive a slip
ATTACH_WINDOW = 5  # how far (words) a level word may be from the organisation it qualifies
LEVEL_PRESENT = 0.5  # level evidence needed to say the question is at that level
MIN_EVIDENCE = 1.0  # below this the question says nothing usable
CONFIDENT = 0.65  # softmax share needed to answer
NULL_MASS = 3.0  # softmax mass of "none of these" (as three options scoring 0)
CANDIDATE_SHARE = 0.35  # candidates asked back score at least this share of the best
MAX_CANDIDATES = 4

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
class _Entry:
    """One term of one option: a unit kind id or a not-covered id (None: neutral)."""

    option: str | None
    weight: float
    levels: frozenset[str] | None = None


@dataclass(frozen=True)
class _Span:
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


class _Index:
    """Phrases to entries, with lookups forgiving a missing space or one slip."""

    def __init__(self, entries: Mapping[Phrase, list[_Entry]], *, typos: bool = True):
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

    def spans(self, tokens: Sequence[str]) -> list[_Span]:
        found: list[_Span] = []
        for start in range(len(tokens)):
            for size in range(1, self.longest + 2):
                window = tuple(tokens[start:start + size])
                if len(window) < size or BOUNDARY in window:
                    break
                if window in self.entries:
                    found.append(_Span(start, start + size, window, 1.0))
                joined = "".join(window)
                for phrase in self.joined.get(joined, ()):
                    if phrase != window:
                        found.append(_Span(start, start + size, phrase, RESPACED))
                if self.typos and len(joined) >= TYPO_MIN_CHARS and not joined.isdigit():
                    near: set[Phrase] = set()
                    for variant in {joined} | _deletions(joined):
                        near |= self.near.get(variant, set())
                    for phrase in near:
                        if _slipped(window, phrase):
                            found.append(_Span(start, start + size, phrase, TYPO))
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


def _select(spans: list[_Span]) -> list[_Span]:
    """Non-overlapping spans: longest phrase first, then exact before forgiven, then the
    later one, since a title comes before the body it heads ("phó trưởng | phòng y tế")."""
    chosen: list[_Span] = []
    taken: set[int] = set()
    order = sorted(spans, key=lambda s: (-len(s.key), -s.quality, -s.start))
    for span in order:
        positions = set(range(span.start, span.end))
        if positions & taken:
            continue
        chosen.append(span)
        taken |= positions
    return sorted(chosen, key=lambda s: s.start)


# ---------------------------------------------------------------------- recognition


@dataclass(frozen=True)
class Recognition:
    """What the question says about the person's unit kind.

    ``unit_kind`` is set only for a confident answer; ``not_covered`` only when the
    question clearly describes a case the pack does not route. Otherwise
    ``candidates`` (best first) are the kinds to ask back about, and
    ``possibly_not_covered`` the not-covered cases that also fit.
    """

    unit_kind: str | None
    confidence: float
    candidates: tuple[str, ...]
    not_covered: NotCovered | None
    possibly_not_covered: tuple[NotCovered, ...] = ()
    # The person describes a post that is not a leadership post (a teacher, a specialist).
    not_a_leader: bool = False
    # The terms that counted, as "option: term (score)", strongest first: for tests
    # and for anyone wondering why.
    evidence: tuple[str, ...] = field(default=(), compare=False)

    @property
    def status(self) -> str:
        """``recognised``, ``not_covered``, ``ambiguous`` or ``no_signal``."""
        if self.unit_kind:
            return "recognised"
        if self.not_covered:
            return "not_covered"
        return "ambiguous" if self.candidates or self.possibly_not_covered else "no_signal"


class Recognizer:
    """A pack's vocabulary compiled for matching; reusable across questions."""

    def __init__(self, pack: Pack, lexicon: Lexicon | None = None):
        self.pack = pack
        self.lexicon = lexicon or default_lexicon()
        entries: dict[Phrase, list[_Entry]] = {}
        self._level_terms: list[_Entry] = []
        options = [(k.id, k.terms) for k in pack.unit_kinds] + \
                  [(n.id, n.terms) for n in pack.not_covered]
        for option, terms in options:
            for term, weight in terms:
                phrase, levels = parse_term(term, self.lexicon)
                if phrase:
                    entries.setdefault(phrase, []).append(_Entry(option, weight, levels))
                else:
                    self._level_terms.append(_Entry(option, weight, levels))
        for phrase in self.lexicon.neutral:
            entries.setdefault(phrase, []).append(_Entry(None, 0.0))
        self._terms = _Index(entries)
        level_entries: dict[Phrase, list[_Entry]] = {}
        for phrase in self.lexicon.neutral:
            level_entries.setdefault(phrase, []).append(_Entry(None, 0.0))
        for phrase, level in self.lexicon.levels.items():
            level_entries.setdefault(phrase, []).append(_Entry(level, 1.0))
        # Level words are short and close to other words ("tich doan" is one letter
        # from "tinh doan"): no slips forgiven there.
        self._levels = _Index(level_entries, typos=False)
        self._qualifiers = _Index({p: [_Entry(lv, 1.0)] for p, lv in
                                   self.lexicon.qualifiers.items()}, typos=False)
        self._kinds = {k.id for k in pack.unit_kinds}
        self._not_covered = {n.id: n for n in pack.not_covered}

    # -- reading

    def _recipient_factors(self, tokens: Phrase) -> list[float]:
        """RECIPIENT for words naming where the plan goes, 1 elsewhere."""
        lex = self.lexicon
        factors = [1.0] * len(tokens)
        verb = recipient = False
        i = 0
        while i < len(tokens):
            if tokens[i] == BOUNDARY:
                verb = recipient = False
                i += 1
                continue
            stop = next((len(p) for p in lex.stops if tuple(tokens[i:i + len(p)]) == p), 0)
            if stop:
                verb = recipient = False
                i += stop
                continue
            if recipient:
                factors[i] = RECIPIENT
            elif (tokens[i],) in lex.verbs:
                verb = True
                # "nộp Văn phòng Thị ủy": a body right after the verb is the recipient.
                following = tuple(tokens[i + 1:i + 3])
                if following and following[0] != BOUNDARY and not any(
                        following[:len(p)] == p for p in lex.objects | lex.markers | lex.stops):
                    recipient = True
            elif verb and (tokens[i],) in lex.markers:
                recipient = True
            i += 1
        return factors

    def _topic_factors(self, tokens: Phrase, organisations: list[_Span]) -> list[float]:
        """TOPIC for words describing the plan, once the person's organisation is named."""
        lex = self.lexicon
        factors = [1.0] * len(tokens)
        covered = {i for span in organisations for i in range(span.start, span.end)}
        first_organisation = min((span.start for span in organisations), default=len(tokens))
        topic = False
        i = 0
        while i < len(tokens):
            if tokens[i] == BOUNDARY:
                topic = False
                i += 1
                continue
            stop = next((len(p) for p in lex.stops if tuple(tokens[i:i + len(p)]) == p), 0)
            if stop:
                topic = False
                i += stop
                continue
            if topic:
                factors[i] = TOPIC
            elif i not in covered:
                plan = next((len(p) for p in lex.plans if tuple(tokens[i:i + len(p)]) == p), 0)
                if plan:
                    after = tokens[i + plan:i + plan + 3]
                    owned = bool(after) and (after[0],) in lex.owner
                    marked = any((word,) in lex.topic for word in
                                 after[:after.index(BOUNDARY) if BOUNDARY in after else 3])
                    topic = not owned and (i > first_organisation or marked)
                    i += plan
                    continue
            i += 1
        return factors

    def _level_hits(self, tokens: Phrase, factors: list[float],
                    organisations: list[_Span]) -> list[tuple[int, int, str, float]]:
        hits = []
        for span in _select(self._levels.spans(tokens)):
            for entry in self._levels.entries[span.key]:
                if entry.option:
                    hits.append((span.start, span.end, entry.option,
                                 min(factors[span.start:span.end])))
        ends = {span.end for span in organisations}
        for span in _select(self._qualifiers.spans(tokens)):
            if span.start in ends and span.quality == 1.0:
                for entry in self._qualifiers.entries[span.key]:
                    assert entry.option is not None
                    hits.append((span.start, span.end, entry.option, factors[span.start]))
        return sorted(hits)

    @staticmethod
    def _attached_level(span: _Span, factor: float, tokens: Phrase,
                        hits: list[tuple[int, int, str, float]]) -> str | None:
        """The level word qualifying this organisation: right after it, else just before.

        Only level words in the same kind of context count: the person's own words, or
        the recipient's (``factor`` below 1).
        """
        def same_clause(a: int, b: int) -> bool:
            return BOUNDARY not in tokens[min(a, b):max(a, b)]

        usable = [h for h in hits if (h[3] >= 1.0) == (factor >= 1.0)]
        for start, _, level, _ in usable:
            if span.start <= start <= span.end + ATTACH_WINDOW and same_clause(span.start, start):
                return level
        for _start, end, level, _ in reversed(usable):
            if end <= span.start and span.start - end <= ATTACH_WINDOW \
                    and same_clause(end, span.start):
                return level
        return None

    def scores(self, question: str) -> tuple[dict[str, float], list[tuple[float, str]]]:
        """Score per option (unit kind or not-covered id), and the evidence behind it."""
        tokens = normalise(question, self.lexicon)
        chosen = _select(self._terms.spans(tokens))
        organisations = [s for s in chosen if any(e.option for e in self._terms.entries[s.key])]
        factors = [min(a, b) for a, b in zip(self._recipient_factors(tokens),
                                             self._topic_factors(tokens, organisations),
                                             strict=True)]
        hits = self._level_hits(tokens, factors, organisations)
        present: dict[str, float] = {}
        for _, _, level, factor in hits:
            present[level] = max(present.get(level, 0.0), factor)
        question_levels = {level for level, v in present.items() if v >= LEVEL_PRESENT}

        best: dict[tuple[str, Phrase], float] = {}
        for span in organisations:
            context = min(factors[span.start:span.end])  # recipient or topic, else 1
            attached = self._attached_level(span, context, tokens, hits)
            for entry in self._terms.entries[span.key]:
                if entry.option is None:
                    continue
                value = entry.weight * context * span.quality * _level_factor(
                    entry.levels, attached, question_levels)
                key = (entry.option, span.key)
                if key not in best or abs(value) > abs(best[key]):
                    best[key] = value
        for entry in self._level_terms:
            assert entry.option is not None and entry.levels is not None
            if entry.levels & question_levels:
                key = (entry.option, tuple(f"@{lv}" for lv in sorted(entry.levels)))
                best[key] = max(best.get(key, 0.0), entry.weight)
        totals: dict[str, float] = {}
        for (option, _), value in best.items():
            totals[option] = totals.get(option, 0.0) + value
        evidence = sorted(((v, f"{o}: {' '.join(p)}") for (o, p), v in best.items()),
                          reverse=True)
        return {o: max(0.0, v) for o, v in totals.items()}, evidence

    def _not_a_leader(self, question: str) -> bool:
        tokens = normalise(question, self.lexicon)
        factors = self._recipient_factors(tokens)
        return any(tuple(tokens[i:i + len(p)]) == p and factors[i] == 1.0
                   for p in self.lexicon.non_leaders for i in range(len(tokens)))

    def recognise(self, question: str) -> Recognition:
        """Read the question and decide: a kind, not covered, ask back, or no signal."""
        result = self._decide(question)
        if result.unit_kind and self._not_a_leader(question):
            return replace(result, not_a_leader=True)
        return result

    def _decide(self, question: str) -> Recognition:
        scores, evidence = self.scores(question)
        ranked = sorted(((s, o) for o, s in scores.items() if s > 0),
                        key=lambda x: (-x[0], x[1]))
        why = tuple(f"{text} ({value:.2f})" for value, text in evidence)
        if not ranked or ranked[0][0] < MIN_EVIDENCE:
            return Recognition(None, 0.0, (), None, evidence=why)
        mass = sum(math.exp(s) for s, _ in ranked) + NULL_MASS
        top_score, top = ranked[0]
        confidence = round(math.exp(top_score) / mass, 3)
        if confidence >= CONFIDENT:
            if top in self._kinds:
                return Recognition(top, confidence, (top,), None, evidence=why)
            return Recognition(None, confidence, (), self._not_covered[top], evidence=why)
        close = [o for s, o in ranked if s >= CANDIDATE_SHARE * top_score]
        kinds = tuple(o for o in close if o in self._kinds)[:MAX_CANDIDATES]
        uncovered = tuple(self._not_covered[o] for o in close if o in self._not_covered)
        return Recognition(None, confidence, kinds, None, uncovered, evidence=why)


def _level_factor(levels: frozenset[str] | None, attached: str | None,
                  question_levels: set[str]) -> float:
    """How much a level-tagged term counts given the levels the question speaks of."""
    if levels is None:
        return 1.0
    if attached is not None:
        return LEVEL_MATCH if attached in levels else LEVEL_MISMATCH
    if not question_levels:
        return 1.0
    if question_levels <= levels:
        return LEVEL_MATCH
    return 1.0 if question_levels & levels else LEVEL_MISMATCH


_COMPILED: dict[int, tuple[Pack, Lexicon, Recognizer]] = {}


def recognise(question: str, pack: Pack, lexicon: Lexicon | None = None) -> Recognition:
    """Recognise the unit kind of ``question`` under ``pack`` (compiled once per pack)."""
    lexicon = lexicon or default_lexicon()
    cached = _COMPILED.get(id(pack))
    if cached is None or cached[0] is not pack or cached[1] is not lexicon:
        if len(_COMPILED) > 32:
            _COMPILED.clear()
        cached = (pack, lexicon, Recognizer(pack, lexicon))
        _COMPILED[id(pack)] = cached
    return cached[2].recognise(question)
