"""How each step of the plan-filing wizard is shown: "Step N/9", the question, an
example of a good answer, what was answered so far, and the buttons.

Every button is a ``FilingPress`` (``f:<token>:<verb>[:<arg>]``); the token
(``Wizard.token``) makes buttons of older messages stale. What the verbs do is
``filing``'s business.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from handlers.buttons import FilingPress
from handlers.context import Turn
from handlers.flows import filing_state as fs
from handlers.flows.filing_state import Wizard
from handlers.i18n import N_
from handlers.messages import Button, rows
from workflow.dossier import ProblemKind

PREFIX = FilingPress.prefix

QUESTIONS = {
    fs.TITLE: N_("What is the title of your plan? One line that says what will be done, "
                 "and where (10 to 200 characters)."),
    fs.REGULATION: N_("Which regulation does not suit practice? Give its number (or year), "
                      "the article, and briefly what it requires."),
    fs.ISSUER: N_("Which body issued that regulation? When the plan is approved, the "
                  "committee reports to that body so that the rule can be amended (887 "
                  "Điều 4 khoản 5). If you are not sure, press Skip."),
    fs.PROBLEM: N_("Describe the problem and your analysis of it: what is happening now, "
                   "why it matters, its causes, and why the current rules do not solve it."),
    fs.APPROACH: N_("How will it be done? The content and tasks, the scope (where, for "
                    "whom), who does what, the timeline, and the resources (people, money, "
                    "equipment)."),
    fs.RESULTS: N_("What effectiveness and positive results do you expect? Say how they "
                   "will be measured."),
    fs.RISKS: N_("What risks may occur, and how will you contain them? For each risk, the "
                 "measure you will take."),
}

EXAMPLES = {
    fs.TITLE: N_("Online enrolment at Phổ Châu kindergarten for the 2026–2027 school year"),
    fs.REGULATION: N_("Article 5 of Decision No. 15/2021/QĐ-UBND of the Provincial People's "
                      "Committee, which requires a paper copy of every application"),
    fs.ISSUER: N_("The Provincial People's Committee"),
    fs.PROBLEM: N_("Parents must come to the school three times to enrol a child and write "
                   "the same details on paper each time; last year 40% of the forms had "
                   "errors and enrolment took six weeks. No rule yet covers enrolling "
                   "kindergarten children online."),
    fs.APPROACH: N_("Pilot online enrolment at the main campus from 01/03 to 30/06/2026: a "
                    "form on the school's page, checked by two teachers; paper forms stay "
                    "available. The head of the school leads; the accountant manages the "
                    "data; cost 15 million dong from the school's budget."),
    fs.RESULTS: N_("Enrolment in one visit instead of three; fewer than 5% of forms with "
                   "errors; enrolment finished in two weeks; parents' satisfaction surveyed "
                   "at the end of the pilot."),
    fs.RISKS: N_("Parents without a smartphone could be left out: paper forms stay "
                 "available and teachers help at the school. Personal data could leak: only "
                 "two staff have access, with passwords changed monthly."),
}

SECTION_LABELS = {
    fs.TITLE: N_("Title"),
    fs.KIND: N_("Kind of problem"),
    fs.PROBLEM: N_("Problem"),
    fs.APPROACH: N_("Proposed way"),
    fs.RESULTS: N_("Expected results"),
    fs.RISKS: N_("Risks"),
    fs.COPROPOSERS: N_("Co-proposers"),
    fs.FILES: N_("Documents"),
    fs.DECLARATION: N_("Declaration"),
}


def button(wizard: Wizard, label: str, verb: str, arg: str | int | None = None) -> Button:
    return Button(label, FilingPress(wizard.token, verb, None if arg is None else str(arg)))


def header(turn: Turn, step: str) -> str:
    title = turn.t(fs.STEP_TITLES[step])
    return turn.t("Step {n}/{total} · {title}", n=fs.NUMBER[step], total=fs.TOTAL, title=title)


def size_text(turn: Turn, size: int) -> str:
    if size < 1024 * 1024:
        kilobytes = format_decimal(max(1, round(size / 1024)), locale=turn.lang)
        return turn.t("{size} KB", size=kilobytes)
    megabytes = format_decimal(size / (1024 * 1024), "#,##0.0", locale=turn.lang)
    return turn.t("{size} MB", size=megabytes)


def short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def nav_row(turn: Turn, wizard: Wizard, step: str) -> tuple[Button, ...]:
    """Back (or back to the summary), Save, Cancel: on every step."""
    t = turn.t
    buttons: list[Button] = []
    if wizard.editing:
        buttons.append(button(wizard, t("« Summary"), "back"))
    elif fs.previous_step(step, wizard.kind) is not None:
        buttons.append(button(wizard, t("« Back"), "back"))
    buttons.append(button(wizard, t("Save"), "save"))
    buttons.append(button(wizard, t("Cancel"), "cancel"))
    return tuple(buttons)


async def show(turn: Turn, wizard: Wizard, step: str) -> None:
    """Show ``step``: its question, example, current answer and buttons."""
    if step in fs.TEXT_RULES:
        text_step(turn, wizard, step)
    elif step == fs.KIND:
        kind_step(turn, wizard)
    elif step == fs.COPROPOSERS:
        coproposers_step(turn, wizard)
    elif step == fs.FILES:
        files_step(turn, wizard)
    elif step == fs.DECLARATION:
        declaration_step(turn, wizard)


def text_step(turn: Turn, wizard: Wizard, step: str) -> None:
    t = turn.t
    rule = fs.TEXT_RULES[step]
    example = t(EXAMPLES[step])
    parts = [header(turn, step), t(QUESTIONS[step]), t("For example: {example}", example=example)]
    current = str(wizard.get(rule.field)).strip()
    extra: list[Button] = []
    if current:
        parts.append(t("Your answer so far:\n{answer}", answer=short(current)))
        parts.append(t("Send a new text to replace it, or press Keep."))
        extra.append(button(wizard, t("Keep"), "keep"))
    if step == fs.ISSUER:
        extra.append(button(wizard, t("Skip"), "skip"))
    turn.say("\n\n".join(parts), (*rows(*extra, per_row=2), nav_row(turn, wizard, step)))


def kind_label(turn: Turn, kind: ProblemKind | None) -> str:
    if kind is ProblemKind.NOT_REGULATED:
        return turn.t("Not yet regulated")
    if kind is ProblemKind.REGULATED_UNSUITED:
        return turn.t("Regulated, but the regulation does not suit practice")
    return turn.t("not chosen yet")


def kind_step(turn: Turn, wizard: Wizard) -> None:
    t = turn.t
    parts = [header(turn, fs.KIND),
             t("Which kind of problem does your plan address?\n"
               "1. Not yet regulated: no rule covers it yet.\n"
               "2. Regulated, but the regulation does not suit practice: you will then "
               "name the regulation.\n"
               "Press a button, or type 1 or 2.")]
    if wizard.kind is not None:
        current = kind_label(turn, wizard.kind)
        parts.append(t("Your answer so far: {answer}", answer=current))
    choices = rows(button(wizard, t("1. Not yet regulated"), "kind", "nr"),
                   button(wizard, t("2. Regulated but unsuited to practice"), "kind", "ru"))
    turn.say("\n\n".join(parts), (*choices, nav_row(turn, wizard, fs.KIND)))


def person_label(person: dict[str, object]) -> str:
    title = person.get("title")
    return f"{person.get('name')} ({title})" if title else str(person.get("name"))


def coproposers_step(turn: Turn, wizard: Wizard) -> None:
    t = turn.t
    parts = [header(turn, fs.COPROPOSERS),
             t("If this is a group plan, type the name (or part of the name) of a colleague "
               "who proposes it with you, and I will find them in your organisation. If you "
               "propose it alone, press Skip.")]
    added = wizard.co_proposers
    if added:
        names = "\n".join(f"• {person_label(p)}" for p in added)
        parts.append(t("Co-proposers so far:\n{names}", names=names))
    buttons: list[Button] = []
    if wizard.found:
        parts.append(t("Found: press the right person to add them."))
        buttons += [button(wizard, "+ " + person_label(p), "add", i)
                    for i, p in enumerate(wizard.found)]
    buttons += [button(wizard, t("Remove {name}", name=str(p.get("name"))), "del", i)
                for i, p in enumerate(added)]
    go_on = button(wizard, t("Continue"), "next") if added else \
        button(wizard, t("Skip: I propose it alone"), "skip")
    turn.say("\n\n".join(parts), (*rows(*buttons), (go_on,), nav_row(turn, wizard,
                                                                       fs.COPROPOSERS)))


def files_step(turn: Turn, wizard: Wizard) -> None:
    t = turn.t
    parts = [header(turn, fs.FILES),
             t("Send the documents that support your plan (reports, figures, photos) as "
               "files: pdf, doc, docx, xls, xlsx, jpg or png, at most {size} MB each and "
               "{count} files in all. When you have sent them, press Continue; if there "
               "are none, press Skip.", size=fs.MAX_FILE_BYTES // (1024 * 1024),
               count=fs.MAX_FILES)]
    files = wizard.files
    if files:
        listed = "\n".join(f"• {f.get('name')} ({size_text(turn, int(f.get('size', 0)))})"
                           for f in files)
        parts.append(t("Attached so far ({count}/{limit}):\n{files}", count=len(files),
                       limit=fs.MAX_FILES, files=listed))
    removals = [button(wizard, t("Remove {name}", name=short(str(f.get("name")), 40)), "rm", i)
                for i, f in enumerate(files)]
    go_on = button(wizard, t("Continue"), "next") if files else \
        button(wizard, t("Skip: no documents"), "skip")
    turn.say("\n\n".join(parts), (*rows(*removals), (go_on,), nav_row(turn, wizard,
                                                                        fs.FILES)))


def declaration_step(turn: Turn, wizard: Wizard) -> None:
    t = turn.t
    parts = [header(turn, fs.DECLARATION),
             t("Quy định 887 (Điều 2 khoản 5) protects cadres whose motive is the common "
               "good. Please confirm:"),
             t("“I declare that my motive in proposing this plan is the common good, not "
               "personal, local or group interest.”")]
    if wizard.get("common_good"):
        parts.append(t("You have already made this declaration."))
    turn.say("\n\n".join(parts), (
        (button(wizard, t("I declare this"), "yes"),),
        (button(wizard, t("I cannot declare this"), "no"),),
        nav_row(turn, wizard, fs.DECLARATION)))
