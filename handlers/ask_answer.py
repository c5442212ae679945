"""The answer to "who is competent?" asked in the person's own words.

Four outcomes of :func:`workflow.recognizer.recognise`, each answered without guessing:
a recognised kind gets the full route (:func:`handlers.route_answer.render_route`);
an unclear one gets a clarifying question with numbered choices; a case the pack does
not cover says so, why, and which office to ask; a question with no usable words says
what is needed, with examples. Transport-neutral: plain text, no channel specifics.
"""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.route_answer import render_route
from workflow.recognizer import Recognition, recognise
from workflow.rules.model import Pack, UnitKind

# Below this confidence a recognised answer invites the person to correct it.
SURE = 0.85


def answer_question(question: str, pack: Pack, lang: str = "vi") -> tuple[Recognition, str]:
    """Recognise the question under ``pack`` and answer it in ``lang``."""
    recognition = recognise(question, pack)
    return recognition, render_answer(pack, recognition, lang)


def answer_as_dict(recognition: Recognition, answer: str) -> dict[str, object]:
    """The JSON shape of ``cadrebot ask --json``: exactly these four keys."""
    return {
        "unit_kind": recognition.unit_kind,
        "confidence": round(recognition.confidence, 2),
        "candidates": list(recognition.candidates),
        "answer": answer,
    }


def render_answer(pack: Pack, recognition: Recognition, lang: str = "vi") -> str:
    """The answer text for one recognition (see the module docstring)."""
    t = Translator(lang)
    if recognition.unit_kind:
        return _recognised(pack, pack.unit_kind(recognition.unit_kind), recognition, t)
    if recognition.not_covered:
        return not_covered_answer(pack, recognition, t)
    if recognition.candidates or recognition.possibly_not_covered:
        return _clarify(pack, recognition, t)
    return no_signal_answer(t)


def _kind_label(kind: UnitKind, t: Translator) -> str:
    point = t(" (point {point})", point=kind.point) if kind.point else ""
    return kind.description.get(t.lang) + point


def offices(pack: Pack, t: Translator) -> str:
    """The offices that receive dossiers under this pack, e.g. the party offices."""
    seen: list[str] = []
    for kind in pack.unit_kinds:
        if kind.route.via not in seen:
            seen.append(kind.route.via)
    names = [pack.body(body_id).name.get(t.lang) for body_id in seen]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {t('or')} {names[-1]}"


def _recognised(pack: Pack, kind: UnitKind, recognition: Recognition, t: Translator) -> str:
    lines = [t("From your description, this is your case:"), "", render_route(pack, kind, t.lang)]
    return "\n".join(lines + recognised_notes(recognition, t))


def recognised_notes(recognition: Recognition, t: Translator) -> list[str]:
    """What follows a recognised route: not a leadership post, or not quite sure."""
    lines: list[str] = []
    if recognition.not_a_leader:
        lines += ["", t("Note: the rules speak of cadres holding a leadership or management "
                        "post; if you do not hold one, talk to the leaders of your unit first. "
                        "A plan from your unit goes the way shown above.")]
    if recognition.confidence < SURE:
        lines += ["", t("If this does not match your post, tell me more precisely what your "
                        "post is and in which organisation you work.")]
    return lines


def not_covered_answer(pack: Pack, recognition: Recognition, t: Translator) -> str:
    """The case is one the pack deliberately does not route: say so, why, and whom to ask."""
    case = recognition.not_covered
    assert case is not None
    return "\n".join([
        t("The rules ({rules}) do not cover this case: {case}.",
          rules=pack.title.get(t.lang), case=case.description.get(t.lang)),
        "",
        t("Why: {reason}", reason=case.reason.get(t.lang)),
        "",
        t("Please do not guess the route: ask {office} which body is competent before you "
          "send the plan.", office=offices(pack, t)),
    ])


def _clarify(pack: Pack, recognition: Recognition, t: Translator) -> str:
    lines = [t("I cannot tell for sure which case is yours. Which of these describes your "
               "post?")]
    for number, kind_id in enumerate(recognition.candidates, start=1):
        kind = pack.unit_kind(kind_id)
        lines.append(f"{number}. {_kind_label(kind, t)} [--unit-kind {kind.id}]")
    if recognition.possibly_not_covered:
        lines += ["", t("If your post is one of the following, the rules do not cover it; "
                        "ask {office} which body is competent:", office=offices(pack, t))]
        lines += [f"- {case.description.get(t.lang)}" for case in
                  recognition.possibly_not_covered]
    lines += ["", t("Reply with the number of your case, or describe your post and "
                    "organisation more precisely. You can also look a case up directly: "
                    "cadrebot route --unit-kind ID.")]
    return "\n".join(lines)


def no_signal_answer(t: Translator) -> str:
    """What a question must say (post, organisation, level), with two examples."""
    return "\n".join([
        t("I could not tell from the question what your post is."),
        t("To find the competent body I need your post, the organisation you work in, and "
          "its level: commune, ward or township, or the town."),
        "",
        t("For example:"),
        "- " + t("I am the principal of the kindergarten in Phổ Châu commune; whom do I "
                 "send my plan to?"),
        "- " + t("I am deputy head of the town's Finance and Planning Office; who is "
                 "competent for my plan?"),
    ])
