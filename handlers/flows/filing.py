"""Filing a plan, step by step: the wizard that writes the plan 887 Điều 4 khoản 1 asks
for, shows the route it will take, saves drafts and sends it.

Steps (``filing_state.ORDER``): title; kind of problem (and, when a regulation does
not suit practice, which one and who issued it); problem; proposed way; expected
results; risks; co-proposers; documents; common-good declaration; then a summary
from which any part can be edited before sending. Buttons carry a token that
changes with the step, so a button from an older message changes nothing.

Autosave: once the plan has a title, every answer is kept in a draft dossier (created,
then updated, through the workflow services) as it is given, besides the conversation
the router saves after every message. Leaving the wizard any way (/cancel, another
command, the menu, a restart of the process, another channel) loses no answer: /draft
reopens the draft at the step the person was on while the conversation still holds it
(a restart keeps it), else at the first part still missing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from handlers import menu
from handlers.buttons import ButtonData, FilingPress
from handlers.context import Turn
from handlers.flows import filing_answers as answers
from handlers.flows import filing_state as fs
from handlers.flows import filing_steps as steps
from handlers.flows.filing_dossier import (
    drafts,
    return_note,
    save,
    send,
    show_drafts,
    wizard_from,
)
from handlers.flows.filing_state import Wizard
from handlers.flows.filing_summary import (
    EDITABLE_SECTIONS,
    SHORT,
    VIEWS,
    after_submission,
    show_summary,
    unit_kind,
)
from workflow.dossier import Dossier, ProblemKind
from workflow.errors import DomainError, ValidationError
from workflow.lifecycle import STATE_LABELS, State

log = logging.getLogger(__name__)


class FilingFlow:
    def __init__(self) -> None:
        self.name = "filing"
        self.prefix = steps.PREFIX
        self.commands = {"plan": "new", "kehoach": "new", "draft": "resume", "nhap": "resume"}

    # Entry ---------------------------------------------------------------------------

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if not await self._may_file(turn):
            return
        if mode == "resume":
            await self._resume(turn)
            return
        if turn.conversation.flow == self.name and turn.conversation.step not in (
                None, fs.DRAFTS):
            # The router keeps a flow's own data when its command comes again.
            turn.say(turn.t("You are already preparing a plan: here is where you were. To "
                            "start a new one, send /cancel first."))
            await self.prompt(turn)
            return
        turn.conversation.data[fs.KEY] = fs.fresh()
        wizard = Wizard.of(turn.conversation.data)
        turn.say(turn.t("Let us prepare your plan together, in {total} steps. From the title "
                        "on, each answer is kept in a draft as you give it: if you stop or "
                        "leave with /cancel, /draft continues where you were.",
                        total=fs.TOTAL))
        turn.set_step(self.name, fs.TITLE)
        if argument:  # "/plan Title of my plan": the title is answered already
            await self._answer_text(turn, wizard, fs.TITLE, argument)
        else:
            await self._goto(turn, wizard, fs.TITLE)

    async def _may_file(self, turn: Turn) -> bool:
        """Only a linked person whose unit the pack routes may file: never guess a route."""
        t = turn.t
        if turn.person is None:
            message = t("To prepare and send a plan, please link your account first: send "
                        "/start CODE with the invitation code from your committee's office.")
        elif not turn.rules.in_force:
            message = t("No rules for plans are in force here today, so I cannot say where "
                        "your plan must go. Please ask your committee's office.")
        elif turn.person.unit_kind and unit_kind(turn) is None:
            message = t("Your unit is recorded under rules that are no longer in force "
                        "({title} applies today). Please ask your committee's office to "
                        "record your unit under the current structure; meanwhile you can "
                        "ask who is competent.", title=turn.pack.title.get(turn.lang))
        elif unit_kind(turn) is None:
            message = t("I do not know which kind of unit you work in, so I cannot tell "
                        "where your plan must go. Please ask your committee's office to "
                        "record your unit; meanwhile you can ask who is competent.")
        else:
            return True
        if turn.conversation.flow == self.name:
            turn.clear()
        turn.say(message)
        await menu.show(turn)
        return False

    async def _resume(self, turn: Turn) -> None:
        t = turn.t
        step = turn.conversation.step
        current = Wizard.of(turn.conversation.data) if turn.conversation.flow == self.name \
            and step not in (None, fs.DRAFTS) else None
        if current is not None:
            await self._autosave(turn, current)
        found = await drafts(turn)
        same = [d for d in found if current is not None and d.id == current.dossier_id]
        if current is not None and same:
            # The plan this conversation is on: continue it exactly where it was.
            await self._open(turn, same[0], current, step)
            return
        if not found:
            turn.clear()
            turn.say(t("You have no saved plans to continue. To start one, send /plan."))
            await menu.show(turn)
            return
        if len(found) == 1:
            await self._open(turn, found[0])
            return
        data = fs.fresh()
        data["drafts"] = [d.id for d in found]
        turn.conversation.data[fs.KEY] = data
        await self._goto(turn, Wizard(data), fs.DRAFTS)

    async def _open(self, turn: Turn, dossier: Dossier, wizard: Wizard | None = None,
                    step: str | None = None) -> None:
        """Continue ``dossier``: from its saved answers at the first part missing, or with
        this conversation's ``wizard`` at its own ``step``."""
        t = turn.t
        if wizard is None:
            turn.conversation.data[fs.KEY] = await wizard_from(turn, dossier)
            wizard = Wizard.of(turn.conversation.data)
        state = t(STATE_LABELS[dossier.state])
        title = dossier.plan.title or t("untitled")
        lines = [t("Continuing your plan no. {id}, “{title}” ({state}).", id=dossier.id,
                   title=title, state=state)]
        note = return_note(dossier) if dossier.state is not State.DRAFT else ""
        if note:
            lines.append(t("Reason given when it was returned: {note}", note=note))
        turn.say("\n".join(lines))
        await self._goto(turn, wizard, step or wizard.first_missing() or fs.SUMMARY)

    # Showing ---------------------------------------------------------------------------

    async def prompt(self, turn: Turn) -> None:
        if not await self._may_file(turn):
            return
        wizard = Wizard.of(turn.conversation.data)
        step = turn.conversation.step or ""
        if step not in (*fs.ORDER, fs.SUMMARY, fs.DRAFTS):
            await self._goto(turn, wizard, wizard.first_missing() or fs.SUMMARY)
            return
        await self._show(turn, wizard, step)

    async def _goto(self, turn: Turn, wizard: Wizard, step: str) -> None:
        wizard.touch()
        if step != fs.COPROPOSERS:
            wizard.data["found"] = []  # search results belong to the co-proposers step
        turn.set_step(self.name, step)
        await self._show(turn, wizard, step)

    async def _show(self, turn: Turn, wizard: Wizard, step: str) -> None:
        if step != fs.DRAFTS:
            await self._autosave(turn, wizard)
        if step == fs.SUMMARY:
            kind = unit_kind(turn)
            assert kind is not None, "checked by _may_file"
            await show_summary(turn, wizard, kind)
        elif step == fs.DRAFTS:
            await show_drafts(turn, wizard)
        else:
            await steps.show(turn, wizard, step)

    async def _autosave(self, turn: Turn, wizard: Wizard) -> None:
        """Keep the answers given so far in the draft dossier (created with the title).

        Runs before every step is shown, so after every answer. A refusal (the plan was
        sent meanwhile from another chat) leaves the answers in the conversation, marked
        unsaved; pressing Save then says why.
        """
        if not wizard.dirty or not str(wizard.get("title")).strip():
            return
        try:
            await save(turn, wizard)
        except DomainError as error:
            log.info("autosave of plan %s refused: %s", wizard.dossier_id, error)

    # Input -----------------------------------------------------------------------------

    async def on_text(self, turn: Turn, text: str) -> None:
        if not await self._may_file(turn):
            return
        wizard = Wizard.of(turn.conversation.data)
        step = turn.conversation.step or ""
        said = answers.said(text)
        please_press = turn.t("Please press one of the buttons.")
        if step in fs.TEXT_RULES:
            await self._answer_text(turn, wizard, step, text)
        elif step == fs.KIND:
            kind = answers.kind_from_text(text)
            if kind is None:
                await self._again(turn, wizard, turn.t("Please press one of the two buttons, "
                                                       "or type 1 or 2."))
            else:
                await self._choose_kind(turn, wizard, kind)
        elif step in (fs.COPROPOSERS, fs.FILES) and said in answers.NEXT_WORDS | \
                answers.SKIP_WORDS:
            await self._advance(turn, wizard, step)
        elif step == fs.COPROPOSERS:
            note = await answers.search(turn, wizard, text)
            if note:
                turn.say(note)
            await self._goto(turn, wizard, step)
        elif step == fs.FILES:
            await self._again(turn, wizard, turn.t(
                "Please send the documents as files (not as text), or press Continue."))
        elif step == fs.DECLARATION and said in answers.YES_WORDS | answers.NO_WORDS:
            await self._declare(turn, wizard, said in answers.YES_WORDS)
        elif step == fs.SUMMARY and said in answers.SEND_WORDS:
            await self._send(turn, wizard)
        elif step == fs.DRAFTS and said.isdigit():
            await self._open_index(turn, wizard, int(said) - 1)
        else:
            await self._again(turn, wizard, please_press)

    async def _again(self, turn: Turn, wizard: Wizard, note: str) -> None:
        turn.say(note)
        await self._show(turn, wizard, turn.conversation.step or "")

    async def _answer_text(self, turn: Turn, wizard: Wizard, step: str, text: str) -> None:
        rule = fs.TEXT_RULES[step]
        value = fs.clean_text(text, single_line=step in (fs.TITLE, fs.REGULATION, fs.ISSUER))
        problem = answers.text_problem(turn, rule, value)
        if problem is not None:
            await self._again(turn, wizard, problem)
            return
        wizard.set(rule.field, value)
        await self._advance(turn, wizard, step)

    async def _advance(self, turn: Turn, wizard: Wizard, step: str) -> None:
        """The next step; from an edit opened in the summary, back to the summary."""
        if wizard.editing:
            unsuited = wizard.kind is ProblemKind.REGULATED_UNSUITED
            if (step == fs.KIND and unsuited) or step == fs.REGULATION:
                await self._goto(turn, wizard, fs.next_step(step, wizard.kind))
                return
            wizard.data["editing"] = False
            await self._goto(turn, wizard, wizard.first_missing() or fs.SUMMARY)
            return
        await self._goto(turn, wizard, fs.next_step(step, wizard.kind))

    async def on_attachments(self, turn: Turn) -> None:
        if not await self._may_file(turn):
            return
        wizard = Wizard.of(turn.conversation.data)
        step = turn.conversation.step or ""
        if step != fs.FILES:
            where = turn.t(fs.STEP_TITLES[fs.FILES])
            await self._again(turn, wizard, turn.t(
                "I was expecting text here, not a file. Documents are attached at step "
                "{n} ({step}).", n=fs.NUMBER[fs.FILES], step=where))
            return
        notes = [answers.attach(turn, wizard, a) for a in turn.inbound.attachments]
        wizard.touch()
        await self._again(turn, wizard, "\n".join(notes))

    # Buttons ---------------------------------------------------------------------------

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._may_file(turn):
            return
        if turn.conversation.flow != self.name:
            await self._stale(turn)
            return
        wizard = Wizard.of(turn.conversation.data)
        if not isinstance(data, FilingPress) or data.token != wizard.token:
            await self._stale(turn)
            return
        verb, rest = data.verb, [] if data.arg is None else [data.arg]
        step = turn.conversation.step or ""
        handled = await self._common(turn, wizard, step, verb, rest) or \
            await self._specific(turn, wizard, step, verb, rest)
        if not handled:
            await self._stale(turn)

    async def _stale(self, turn: Turn) -> None:
        turn.say(turn.t("That button is no longer valid. Here is where we are now."))
        if turn.conversation.flow == self.name:
            await self.prompt(turn)
        else:
            await menu.show(turn)

    async def _common(self, turn: Turn, wizard: Wizard, step: str, verb: str,
                      rest: list[str]) -> bool:
        """Back, save, cancel and keep: the buttons most steps share."""
        if rest or step == fs.DRAFTS:
            return False
        if verb == "back":
            if wizard.editing:
                wizard.data["editing"] = False
                await self._goto(turn, wizard, wizard.first_missing() or fs.SUMMARY)
                return True
            previous = fs.previous_step(step, wizard.kind) if step in (*fs.ORDER, fs.SUMMARY) \
                else None
            if previous is None:
                return False
            await self._goto(turn, wizard, previous)
        elif verb == "save":
            await self._save(turn, wizard)
        elif verb == "cancel":
            await self._cancel(turn, wizard)
        elif verb == "keep" and step in fs.TEXT_RULES and \
                str(wizard.get(fs.TEXT_RULES[step].field)).strip():
            await self._advance(turn, wizard, step)
        elif verb == "skip" and step in (fs.ISSUER, fs.COPROPOSERS, fs.FILES):
            if step == fs.ISSUER:
                wizard.set("regulation_issuer", "")
            await self._advance(turn, wizard, step)
        elif verb == "next" and step in (fs.COPROPOSERS, fs.FILES):
            await self._advance(turn, wizard, step)
        else:
            return False
        return True

    async def _specific(self, turn: Turn, wizard: Wizard, step: str, verb: str,
                        rest: list[str]) -> bool:
        arg = rest[0] if len(rest) == 1 else None
        if step == fs.KIND and verb == "kind" and arg in ("nr", "ru"):
            kind = ProblemKind.NOT_REGULATED if arg == "nr" else ProblemKind.REGULATED_UNSUITED
            await self._choose_kind(turn, wizard, kind)
        elif step == fs.COPROPOSERS and verb == "add" and \
                (i := _index(arg, wizard.found)) is not None:
            await self._add(turn, wizard, wizard.found[i])
        elif step == fs.COPROPOSERS and verb == "del" and \
                (i := _index(arg, wizard.co_proposers)) is not None:
            wizard.co_proposers.pop(i)
            wizard.data["dirty"] = True
            await self._goto(turn, wizard, step)
        elif step == fs.FILES and verb == "rm" and (i := _index(arg, wizard.files)) is not None:
            removed = wizard.files.pop(i)
            wizard.data["dirty"] = True
            turn.say(turn.t("Removed: {name}.", name=str(removed.get("name"))))
            await self._goto(turn, wizard, step)
        elif step == fs.DECLARATION and verb in ("yes", "no") and not rest:
            await self._declare(turn, wizard, verb == "yes")
        elif step == fs.SUMMARY and verb == "edit" and arg in EDITABLE_SECTIONS:
            wizard.data["editing"] = True
            wizard.data["view"] = SHORT
            await self._goto(turn, wizard, arg or "")
        elif step == fs.SUMMARY and verb == "every" and arg in {str(n) for n in fs.CADENCES}:
            wizard.set("progress_every", int(arg or 0))
            wizard.touch()
            wizard.data["view"] = SHORT
            await self._goto(turn, wizard, fs.SUMMARY)
        elif step == fs.SUMMARY and verb == "view" and arg in VIEWS:
            wizard.data["view"] = arg
            await self._goto(turn, wizard, fs.SUMMARY)
        elif step == fs.SUMMARY and verb == "send" and not rest:
            await self._send(turn, wizard)
        elif step == fs.DRAFTS and verb == "open" and \
                (i := _index(arg, wizard.data.get("drafts", []))) is not None:
            await self._open_index(turn, wizard, i)
        else:
            return False
        return True

    # What the buttons do -----------------------------------------------------------------

    async def _choose_kind(self, turn: Turn, wizard: Wizard, kind: ProblemKind) -> None:
        wizard.set("problem_kind", kind.value)
        if kind is ProblemKind.NOT_REGULATED:
            wizard.set("regulation", "")
            wizard.set("regulation_issuer", "")
        await self._advance(turn, wizard, fs.KIND)

    async def _add(self, turn: Turn, wizard: Wizard, person: dict[str, object]) -> None:
        if len(wizard.co_proposers) >= fs.MAX_COPROPOSERS:
            turn.say(turn.t("A plan can have at most {limit} co-proposers.",
                            limit=fs.MAX_COPROPOSERS))
        else:
            wizard.co_proposers.append(dict(person))
            wizard.data["dirty"] = True
            turn.say(turn.t("Added {name} as a co-proposer.", name=str(person.get("name"))))
        wizard.data["found"] = []
        await self._goto(turn, wizard, fs.COPROPOSERS)

    async def _declare(self, turn: Turn, wizard: Wizard, declared: bool) -> None:
        wizard.set("common_good", declared)
        if declared:
            await self._advance(turn, wizard, fs.DECLARATION)
            return
        await self._again(turn, wizard, turn.t(
            "Understood. Without this declaration the plan cannot be sent: Quy định 887 "
            "encourages and protects only ideas whose motive is the common good (Điều 2 "
            "khoản 5, Điều 3 khoản 6). You may revise the plan, save it as a draft, or "
            "cancel."))

    async def _save(self, turn: Turn, wizard: Wizard) -> None:
        t = turn.t
        if not str(wizard.get("title")).strip():
            await self._again(turn, wizard, t("Please give the plan a title first: a draft "
                                              "is saved under its title."))
            return
        dossier = await save(turn, wizard)
        await self._again(turn, wizard, t(
            "Saved as a draft: no. {id}, “{title}”. It is listed under “My dossiers”; to "
            "continue later, send /draft.", id=dossier.id, title=dossier.plan.title))

    async def _cancel(self, turn: Turn, wizard: Wizard) -> None:
        t = turn.t
        saved = wizard.dossier_id
        turn.clear()
        if saved is not None:
            turn.say(t("Cancelled. Nothing was sent; your answers are kept in draft no. {id} "
                       "under “My dossiers” (/draft to continue it).", id=saved))
        else:
            turn.say(t("Cancelled. Your answers were not saved and nothing was sent."))
        await menu.show(turn)

    async def _send(self, turn: Turn, wizard: Wizard) -> None:
        t = turn.t
        missing = wizard.first_missing()
        if missing is not None:
            part = t(fs.STEP_TITLES[missing])
            turn.say(t("The plan is not complete yet: “{part}” is missing.", part=part))
            await self._goto(turn, wizard, missing)
            return
        try:
            dossier = await send(turn, wizard)
        except ValidationError as error:
            await self._again(turn, wizard, error.render(t))
            return
        text = await after_submission(turn, dossier)
        turn.clear()
        turn.say(text)
        await menu.show(turn)

    async def _open_index(self, turn: Turn, wizard: Wizard, index: int) -> None:
        ids = wizard.data.get("drafts", [])
        found = {d.id: d for d in await drafts(turn)}
        dossier = found.get(ids[index]) if 0 <= index < len(ids) else None
        if dossier is None:
            await self._again(turn, wizard, turn.t("That plan cannot be continued here any "
                                                   "more (it may have been sent already)."))
            return
        await self._open(turn, dossier)


def _index(arg: str | None, items: Sequence[object]) -> int | None:
    """A list index from a button, or None when it does not parse or is out of range."""
    if arg is None or not arg.isdigit():
        return None
    index = int(arg)
    return index if index < len(items) else None

