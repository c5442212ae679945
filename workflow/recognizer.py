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
from dataclasses import dataclass, field, replace

from workflow.reading import (
    BOUNDARY,
    Lexicon,
    Phrase,
    Span,
    TermEntry,
    TermIndex,
    default_lexicon,
    fold,
    normalise,
    parse_term,
    select_spans,
)
from workflow.rules.model import NotCovered, Pack

# Decision parameters, tuned on tests/data/ask_questions.yaml.
LEVEL_MATCH = 1.5  # a level-tagged term at one of its levels
LEVEL_MISMATCH = 0.25  # ... at another level
RECIPIENT = 0.2  # a term naming where the plan goes
TOPIC = 0.3  # a term in the plan's topic, after the person's own organisation
ATTACH_WINDOW = 5  # how far (words) a level word may be from the organisation it qualifies
LEVEL_PRESENT = 0.5  # level evidence needed to say the question is at that level
MIN_EVIDENCE = 1.0  # below this the question says nothing usable
CONFIDENT = 0.65  # softmax share needed to answer
NULL_MASS = 3.0  # softmax mass of "none of these" (as three options scoring 0)
CANDIDATE_SHARE = 0.35  # candidates asked back score at least this share of the best
MAX_CANDIDATES = 4


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
        entries: dict[Phrase, list[TermEntry]] = {}
        self._level_terms: list[TermEntry] = []
        options = [(k.id, k.terms) for k in pack.unit_kinds] + \
                  [(n.id, n.terms) for n in pack.not_covered]
        for option, terms in options:
            for term, weight in terms:
                phrase, levels = parse_term(term, self.lexicon)
                if phrase:
                    entries.setdefault(phrase, []).append(TermEntry(option, weight, levels))
                else:
                    self._level_terms.append(TermEntry(option, weight, levels))
        for phrase in self.lexicon.neutral:
            entries.setdefault(phrase, []).append(TermEntry(None, 0.0))
        self._terms = TermIndex(entries)
        level_entries: dict[Phrase, list[TermEntry]] = {}
        for phrase in self.lexicon.neutral:
            level_entries.setdefault(phrase, []).append(TermEntry(None, 0.0))
        for phrase, level in self.lexicon.levels.items():
            level_entries.setdefault(phrase, []).append(TermEntry(level, 1.0))
        # Level words are short and close to other words ("tich doan" is one letter
        # from "tinh doan"): no slips forgiven there.
        self._levels = TermIndex(level_entries, typos=False)
        self._qualifiers = TermIndex({p: [TermEntry(lv, 1.0)] for p, lv in
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

    def _topic_factors(self, tokens: Phrase, organisations: list[Span]) -> list[float]:
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
                    organisations: list[Span]) -> list[tuple[int, int, str, float]]:
        hits = []
        for span in select_spans(self._levels.spans(tokens)):
            for entry in self._levels.entries[span.key]:
                if entry.option:
                    hits.append((span.start, span.end, entry.option,
                                 min(factors[span.start:span.end])))
        ends = {span.end for span in organisations}
        for span in select_spans(self._qualifiers.spans(tokens)):
            if span.start in ends and span.quality == 1.0:
                for entry in self._qualifiers.entries[span.key]:
                    assert entry.option is not None
                    hits.append((span.start, span.end, entry.option, factors[span.start]))
        return sorted(hits)

    @staticmethod
    def _attached_level(span: Span, factor: float, tokens: Phrase,
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
        chosen = select_spans(self._terms.spans(tokens))
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


# ------------------------------------------------------------ is this such a question?

# Phrases (folded, lowercase) that ask where a plan goes or who decides it.
ROUTING_CUES: tuple[Phrase, ...] = tuple(tuple(p.split()) for p in (
    "tham quyen", "cap nao", "co quan nao", "don vi nao", "noi nao", "cho nao", "o dau",
    "ai quyet dinh", "ai phe duyet", "ai duyet", "ai tham dinh", "ai cho chu truong",
    "xin chu truong", "cap co tham quyen",
    "competent", "who decides", "who approves", "who appraises", "which body",
    "which level", "where do i send", "where should i send", "where to send",
))
# Words that, after a sending verb in the same clause, make it a question ("gửi cho ai").
QUESTION_WORDS = frozenset({"ai", "nao", "dau", "who", "whom", "where", "which"})
# The person saying who they are ("tôi là ...", "I am ...").
SELF_DESCRIPTION: tuple[Phrase, ...] = tuple(tuple(p.split()) for p in (
    "toi la", "toi lam", "toi dang la", "toi dang lam", "toi cong tac", "toi hien la",
    "em la", "em lam", "minh la", "chung toi la", "i am", "i m", "im a", "i work",
    "we are",
))
# Post titles a sentence about one's own post starts with ("Phó chủ tịch UBND xã ..."),
# with their marks: folded, "trưởng" (head) and "trường" (school) are one word.
POST_TITLES = ("chủ tịch", "phó chủ tịch", "bí thư", "phó bí thư", "hiệu trưởng",
               "phó hiệu trưởng", "giám đốc", "phó giám đốc", "trưởng", "phó", "chánh",
               "chi cục trưởng", "viện trưởng", "chỉ huy trưởng", "cán bộ", "công chức",
               "viên chức", "chu tich", "pho chu tich", "bi thu", "pho bi thu", "hieu truong",
               "giam doc", "truong phong", "truong ban", "pct", "head", "deputy", "director",
               "chief", "chair", "chairman", "chairwoman", "principal", "secretary", "vice",
               "tổ trưởng", "kế toán", "chỉ huy", "hạt trưởng", "chuyên viên", "đảng viên",
               "pho phong", "gđ", "ht", "cht", "vp", "ubnd", "commander", "manager")
# "có sáng kiến", "muốn gửi kế hoạch", "has an idea": the person has a plan to place.
HAVING = frozenset({"co", "muon", "has", "have", "wants", "want"})
POST_WORDS = 20  # longer than this, a sentence starting with a post is more than a post

def _has(tokens: Phrase, phrases: tuple[Phrase, ...] | frozenset[Phrase]) -> bool:
    return any(tokens[i:i + len(p)] == p for p in phrases for i in range(len(tokens)))


def reads_as_routing_question(text: str, pack: Pack, lexicon: Lexicon | None = None) -> bool:
    """Whether ``text``, typed outside any step, asks where to send a plan or who is
    competent, so that the recogniser should answer it.

    Yes when it (1) has a routing cue ("thẩm quyền", "cấp nào", "ai quyết định",
    "who is competent"), (2) has a sending verb with a question word in the same clause
    ("gửi kế hoạch cho ai", "nộp ở đâu"), or a sending verb and a question mark, (3) has
    the person describing themselves ("tôi là ...") and a post or organisation the
    recogniser knows, (4) places a plan ("có sáng kiến", "gửi kế hoạch") and the
    recogniser is sure of the case, or (5) starts with a post title and the recogniser
    is sure of the case ("Phó trưởng phòng Nội vụ thị xã"). A remark that merely mentions an
    organisation ("làm rõ nguồn vốn vay ngân hàng") is not such a question.
    """
    lexicon = lexicon or default_lexicon()
    tokens = tuple(normalise(text, lexicon))
    if _has(tokens, ROUTING_CUES):
        return True
    clauses: list[list[str]] = [[]]
    for token in tokens:
        if token == BOUNDARY:
            clauses.append([])
        else:
            clauses[-1].append(token)
    asked = text.rstrip().endswith("?")
    for clause in clauses:
        if any((token,) in lexicon.verbs for token in clause) and (
                asked or any(token in QUESTION_WORDS for token in clause)):
            return True
    recognition = recognise(text, pack, lexicon)
    if recognition.status == "no_signal":
        return False
    if _has(tokens, SELF_DESCRIPTION):
        return True
    sure = recognition.status in ("recognised", "not_covered")
    if sure and _places_a_plan(tokens, lexicon):
        return True
    words = text.lower().split()
    opening = " ".join(words[:4])
    folded = fold(opening)
    return sure and len(words) <= POST_WORDS and any(
        opening == title or opening.startswith(title + " ")
        or (fold(title) != "truong" and (folded == fold(title)
                                          or folded.startswith(fold(title) + " ")))
        for title in POST_TITLES)


def _places_a_plan(tokens: Phrase, lexicon: Lexicon) -> bool:
    """A sending verb, or "có"/"muốn", with a plan word close after it."""
    for i, token in enumerate(tokens):
        if (token,) in lexicon.verbs or token in HAVING:
            after = tokens[i + 1:i + 5]
            if any(after[j:j + len(p)] == p for p in lexicon.plans for j in range(len(after))):
                return True
    return False
