"""Who is competent for my plan? /who, /thamquyen, the menu, and any text typed outside a flow.

Three ways in, one answer that fits a phone (:func:`handlers.route_answer.render_route_short`,
the whole procedure behind a button, ``c:x:<kind>``):

- a linked cadre whose unit kind is known gets the answer for their own unit at once,
  with the real bodies of their organisation ("Đảng ủy xã Phổ Châu") in place of the
  regulation's generic names;
- a guided path: the level (commune, ward or township / town agencies), then the unit
  kinds of that level in plain words;
- a sentence in the person's own words, read by the recogniser: recognised, a
  clarifying question (one button per candidate), a case the rules do not cover, or a
  question that says too little (what to tell, with examples, and the guided path).

Actions (``c:...``) carry unit kind ids and levels, checked against the pack:
``c:l:<level>``, ``c:k:<kind>``, ``c:o`` (another case: the guided path),
``c:d`` (describe in words), ``c:me`` (my own unit), ``c:x:<kind>`` (procedure details).
"""

from __future__ import annotations

import re

from handlers import menu
from handlers.ask_answer import no_signal_answer, not_covered_answer, offices, recognised_notes
from handlers.buttons import (
    ButtonData,
    CompetentDescribe,
    CompetentDetails,
    CompetentKind,
    CompetentLevel,
    CompetentLevels,
    CompetentOwnUnit,
    Home,
    HowToLink,
)
from handlers.context import Turn
from handlers.flows.regulations import article_button
from handlers.i18n import N_
from handlers.messages import Button, rows
from handlers.route_answer import render_route, render_route_short, validity_note
from workflow.recognizer import Recognition, recognise
from workflow.regulations import bundled_library
from workflow.rules.model import Pack, UnitKind

NAME = "competent"
PREFIX = CompetentKind.prefix
LABEL_CHARS = 60  # a pack description used as a button label is cut here

# The levels of the guided path, named after where the competent body sits.
LEVEL_LABELS = {
    "commune": N_("Commune, ward or township"),
    "town": N_("Town agencies and organisations"),
    "other": N_("Other agencies and organisations"),
}

# Short plain labels for the unit kinds (pack descriptions are the regulation's long
# wording); "pack/kind" where one pack means something else by the same kind id.
KIND_LABELS = {
    "commune": N_("Commune party, government, Front or mass organisation"),
    "commune_police_military": N_("Commune police or military"),
    "commune_school": N_("Kindergarten, primary, or primary and lower-secondary school"),
    "two-level-2025/commune_school": N_("Kindergarten, primary or lower-secondary school"),
    "commune_agency": N_("Office or public service unit of the commune People's Committee"),
    "town_party_agency": N_("Town party agency, Political Centre, Front or mass organisation"),
    "town_state_agency": N_("Office or public service unit of the town People's Committee "
                            "(not a school)"),
    "vertical_agency": N_("Vertically managed agency (tax, treasury, statistics…)"),
    "province_managed": N_("Managed by the Provincial Standing Board (provincial departments…)"),
    "cadre": N_("A leading or managing cadre"),
    "party_organisation": N_("A party committee, party organisation or agency"),
    "agency_staff": N_("Staff member (not the head of the agency)"),
    "agency_head": N_("Head of the agency"),
}

_ARTICLE = re.compile(r"Điều\s+(\d+)")


def level_of(kind: UnitKind) -> str:
    """Where the kind's competent body sits: "commune", "town" or "other"."""
    body = kind.route.competent_body
    return next((level for level in ("commune", "town") if body.startswith(f"{level}_")),
                "other")


def levels(pack: Pack) -> dict[str, list[UnitKind]]:
    """The pack's unit kinds by level, in the pack's order."""
    found: dict[str, list[UnitKind]] = {}
    for kind in pack.unit_kinds:
        found.setdefault(level_of(kind), []).append(kind)
    return found


def kind_label(turn: Turn, pack: Pack, kind: UnitKind) -> str:
    """A short label for a button; the pack's own description for kinds we do not know."""
    msgid = KIND_LABELS.get(f"{pack.id}/{kind.id}") or KIND_LABELS.get(kind.id)
    if msgid:
        return turn.t(msgid)
    text = kind.description.get(turn.lang)
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


class CompetentFlow:
    def __init__(self) -> None:
        self.name = NAME
        self.prefix = PREFIX
        self.commands = {"who": "", "thamquyen": ""}

    # -- the Flow protocol

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if argument.strip():
            await self.answer_question(turn, argument.strip())
        elif self._own_kind(turn) is not None:
            await self._answer_own(turn)
        else:
            self._ask_level(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        pack = turn.pack
        match data:
            case CompetentLevel(level=level) if level in levels(pack):
                self._ask_kind(turn, level)
            case CompetentKind(kind_id=kind_id) if kind_id in pack.unit_kind_ids():
                await self._answer(turn, pack.unit_kind(kind_id))
            case CompetentLevels():
                self._ask_level(turn)
            case CompetentDescribe():
                self._ask_describe(turn)
            case CompetentDetails(kind_id=kind_id) if kind_id in pack.unit_kind_ids():
                await self._details(turn, pack.unit_kind(kind_id))
            case CompetentOwnUnit() if self._own_kind(turn) is not None:
                await self._answer_own(turn)
            case _:
                await self._stale(turn)

    async def _stale(self, turn: Turn) -> None:
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        await self.prompt(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self.answer_question(turn, text)

    async def on_attachments(self, turn: Turn) -> None:
        turn.say(turn.t("Thank you, but I was not expecting a file here. Files can be "
                        "attached while you prepare a plan."))
        await self.prompt(turn)

    async def prompt(self, turn: Turn) -> None:
        step = turn.conversation.step if turn.conversation.flow == NAME else None
        data = turn.conversation.data
        if step == "kind" and data.get("level") in levels(turn.pack):
            self._ask_kind(turn, str(data["level"]))
        elif step == "describe":
            self._ask_describe(turn)
        elif step == "clarify" and self._candidates(turn, data.get("candidates")):
            self._clarify(turn, Recognition(None, 0.0, tuple(self._candidates(
                turn, data.get("candidates"))), None))
        elif step is not None:
            self._ask_level(turn)
        else:
            await menu.show(turn)

    # -- free text

    async def answer_question(self, turn: Turn, text: str) -> None:
        """The person's own words: recognised, ambiguous, not covered, or too little said."""
        pack = turn.pack
        recognition = recognise(text, pack)
        if recognition.unit_kind:
            await self._answer(turn, pack.unit_kind(recognition.unit_kind), recognition)
        elif recognition.not_covered:
            self._leave(turn)
            lines = [not_covered_answer(pack, recognition, turn.t), "", *self._guest_note(turn)]
            turn.say("\n".join(lines), self._after_answer(turn))
        elif recognition.candidates or recognition.possibly_not_covered:
            self._clarify(turn, recognition)
        else:
            self._enter(turn, "level")
            turn.say(no_signal_answer(turn.t) + "\n\n" +
                     turn.t("Or choose where you work:"), self._level_buttons(turn))

    # -- the guided path

    def _ask_level(self, turn: Turn) -> None:
        found = levels(turn.pack)
        if len(found) == 1:
            self._ask_kind(turn, next(iter(found)))
            return
        self._enter(turn, "level")
        turn.say(turn.t("Where do you work? Choose the level first. You can also simply "
                        "write your post and organisation in a message."),
                 self._level_buttons(turn))

    def _level_buttons(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        found = levels(turn.pack)
        if len(found) == 1:
            return self._kind_buttons(turn, next(iter(found)), back=False)
        buttons = [Button(turn.t(LEVEL_LABELS[level]), CompetentLevel(level)) for level in found]
        return rows(*buttons) + self._extra_buttons(turn)

    def _ask_kind(self, turn: Turn, level: str) -> None:
        self._enter(turn, "kind")
        turn.conversation.data = {"level": level}
        turn.say(turn.t("Which of these describes where you work? If none does, write your "
                        "post and organisation in a message."),
                 self._kind_buttons(turn, level, back=len(levels(turn.pack)) > 1))

    def _kind_buttons(self, turn: Turn, level: str,
                      back: bool) -> tuple[tuple[Button, ...], ...]:
        pack = turn.pack
        buttons = [Button(kind_label(turn, pack, kind), CompetentKind(kind.id))
                   for kind in levels(pack).get(level, [])]
        buttons.append(Button(turn.t("None of these: describe it in words"), CompetentDescribe()))
        if back:
            buttons.append(Button(turn.t("◀ Back"), CompetentLevels()))
        return rows(*buttons)

    def _extra_buttons(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        extra = []
        if self._own_kind(turn) is not None:
            extra.append(Button(turn.t("My own unit"), CompetentOwnUnit()))
        extra.append(Button(turn.t("Describe it in words"), CompetentDescribe()))
        return rows(*extra, per_row=2)

    def _ask_describe(self, turn: Turn) -> None:
        t = turn.t
        self._enter(turn, "describe")
        turn.say("\n".join([
            t("Write your post, the organisation you work in and its level (commune, ward "
              "or township, or the town) in one message, for example:"),
            "- " + t("I am the principal of the kindergarten in Phổ Châu commune; whom do "
                     "I send my plan to?"),
            "- " + t("I am deputy head of the town's Finance and Planning Office; who is "
                     "competent for my plan?"),
        ]), rows(Button(t("Choose from a list instead"), CompetentLevels())))

    def _clarify(self, turn: Turn, recognition: Recognition) -> None:
        t = turn.t
        pack = turn.pack
        self._enter(turn, "clarify")
        turn.conversation.data = {"candidates": list(recognition.candidates)}
        lines = [t("I cannot tell for sure which case is yours. Which of these describes "
                   "your post?")]
        for number, kind_id in enumerate(recognition.candidates, start=1):
            kind = pack.unit_kind(kind_id)
            point = t(" (point {point})", point=kind.point) if kind.point else ""
            lines.append(f"{number}. {kind.description.get(turn.lang)}{point}")
        if recognition.possibly_not_covered:
            lines += ["", t("If your post is one of the following, the rules do not cover "
                            "it; ask {office} which body is competent:",
                            office=offices(pack, t))]
            lines += [f"- {case.description.get(turn.lang)}"
                      for case in recognition.possibly_not_covered]
        lines += ["", t("Press the button of your case, or describe your post and "
                        "organisation more precisely.")]
        buttons = [Button(f"{number}. {kind_label(turn, pack, pack.unit_kind(kind_id))}",
                          CompetentKind(kind_id))
                   for number, kind_id in enumerate(recognition.candidates, start=1)]
        buttons.append(Button(t("None of these: choose from the full list"), CompetentLevels()))
        turn.say("\n".join(lines), rows(*buttons))

    def _candidates(self, turn: Turn, stored: object) -> list[str]:
        known = turn.pack.unit_kind_ids()
        if not isinstance(stored, list):
            return []
        return [kind for kind in stored if isinstance(kind, str) and kind in known]

    # -- the answer

    async def _answer_own(self, turn: Turn) -> None:
        kind = self._own_kind(turn)
        assert kind is not None and turn.person is not None
        await self._answer(turn, kind, intro=turn.t(
            "Your unit: {unit}.", unit=turn.person.unit_name or turn.person.name))

    async def _answer(self, turn: Turn, kind: UnitKind, recognition: Recognition | None = None,
                      intro: str | None = None) -> None:
        """The short answer (it fits a phone): the case, the competent body, the first
        step and the deadline; the whole procedure and the articles behind buttons."""
        t = turn.t
        pack = turn.pack
        real_names = await self._real_names(turn, kind)
        lines = [intro] if intro else []
        lines.append(render_route_short(pack, kind, turn.lang, real_names))
        if recognition is not None:
            lines += [line for line in recognised_notes(recognition, t) if line]
        note = self._validity_note(turn, pack)
        if note:
            lines.append(note)
        lines += self._guest_note(turn)
        self._leave(turn)
        details = Button(t("Procedure details"), CompetentDetails(kind.id))
        turn.say("\n".join(lines), self._article_buttons(turn, kind, details)
                 + self._after_answer(turn))

    async def _details(self, turn: Turn, kind: UnitKind) -> None:
        """The whole procedure for ``kind``: appraisal, decision, the head's power,
        escalation, deadlines and legal basis."""
        real_names = await self._real_names(turn, kind)
        text = render_route(turn.pack, kind, turn.lang, real_names)
        turn.say(text, self._article_buttons(turn, kind) + self._after_answer(turn))

    def _article_buttons(self, turn: Turn, kind: UnitKind,
                         first: Button | None = None) -> tuple[tuple[Button, ...], ...]:
        library = bundled_library()
        cited = []
        for citation in kind.route.citations:
            found = _ARTICLE.search(citation.ref.vi)
            article = library.article(citation.source, found.group(1)) if found else None
            if article is not None and article not in cited:
                cited.append(article)
        buttons = [first] if first else []
        buttons += [article_button(turn, article) for article in cited[:2]]
        return rows(*buttons, per_row=2)

    async def _real_names(self, turn: Turn, kind: UnitKind) -> dict[str, str]:
        """Route body id -> the name of the organisation's body, for the person's own kind
        only: for another kind, the person's party cell would be the wrong one."""
        person = turn.person
        if person is None or person.unit_kind != kind.id:
            return {}
        directory = turn.services.directory
        bodies = await directory.route_bodies(person.id, turn.pack)
        names = await directory.body_names(sorted(set(bodies.values())))
        return {route_body: names[body] for route_body, body in bodies.items() if body in names}

    def _validity_note(self, turn: Turn, pack: Pack) -> str | None:
        """A warning when no rules are in force today for this installation: the answer
        comes from the nearest pack, and the office must confirm the route."""
        rules = turn.rules
        if rules.in_force and turn.services.rules_date is None:
            return None
        return validity_note(pack, turn.services.clock.now().date(), turn.lang)

    def _guest_note(self, turn: Turn) -> list[str]:
        if turn.person is not None:
            return []
        return [turn.t("To send your plan here, link your account (button below).")]

    def _after_answer(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        t = turn.t
        buttons = [Button(t("Ask about another case"), CompetentLevels())]
        if turn.person is None:
            buttons.append(Button(t("Link my account"), HowToLink()))
        buttons.append(Button(t("Main menu"), Home()))
        return rows(*buttons, per_row=2)

    # -- state

    def _own_kind(self, turn: Turn) -> UnitKind | None:
        person = turn.person
        if person is None or not person.unit_kind:
            return None
        pack = turn.pack
        return pack.unit_kind(person.unit_kind) if person.unit_kind in \
            pack.unit_kind_ids() else None

    @staticmethod
    def _enter(turn: Turn, step: str) -> None:
        # Another flow's answers are dropped, as when a command starts this one.
        if turn.conversation.flow != NAME:
            turn.clear()
        turn.set_step(NAME, step)
        turn.conversation.data = {}

    @staticmethod
    def _leave(turn: Turn) -> None:
        # An answer ends this flow; another flow in progress is left as it was.
        if turn.conversation.flow == NAME:
            turn.clear()
