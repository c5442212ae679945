"""The wizard's summary (the whole plan and the route it will take) and what the
proposer is told once the plan is sent.

Route bodies are named as the person's organisation names them ("Chi bộ Trường
Mầm non Phổ Châu") where the directory resolves them, and by the pack's generic
names otherwise: the route itself always comes from the pack, never a guess.
"""

from __future__ import annotations

from handlers.context import Turn
from handlers.flows import filing_state as fs
from handlers.flows.dossier_view import shorten
from handlers.flows.filing_state import Wizard
from handlers.flows.filing_steps import SECTION_LABELS, button, kind_label, person_label
from handlers.route_answer import render_route
from workflow.dossier import Dossier, ProblemKind
from workflow.lifecycle import State
from workflow.reminders import ReminderSettings
from workflow.rules.model import UnitKind

CHUNK = 3500  # keep each message well under Telegram's 4096 characters
EDITABLE_SECTIONS = (fs.TITLE, fs.KIND, fs.PROBLEM, fs.APPROACH, fs.RESULTS, fs.RISKS,
                     fs.COPROPOSERS, fs.FILES, fs.DECLARATION)


def unit_kind(turn: Turn) -> UnitKind | None:
    """The person's unit kind in their pack; None when unknown (never guessed)."""
    kind_id = turn.person.unit_kind if turn.person else None
    if not kind_id or kind_id not in turn.pack.unit_kind_ids():
        return None
    return turn.pack.unit_kind(kind_id)


async def organisation_names(turn: Turn) -> dict[str, str]:
    """Route body id -> the real body's name in the person's organisation (resolved only)."""
    if turn.person is None:
        return {}
    directory = turn.services.directory
    resolved = await directory.route_bodies(turn.person.id, turn.pack)
    names = await directory.body_names(sorted(set(resolved.values())))
    return {route_id: names.get(body_id, body_id) for route_id, body_id in resolved.items()}


def name_of(turn: Turn, route_body: str, names: dict[str, str]) -> str:
    return names.get(route_body) or turn.pack.body(route_body).name.get(turn.lang)


def joined(turn: Turn, parts: list[str]) -> str:
    and_ = turn.t("and")
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {and_} {parts[-1]}"


async def route_text(turn: Turn, kind: UnitKind) -> str:
    """The pack's route, then the same route with the organisation's own bodies."""
    t = turn.t
    text = t("Where your plan will go:") + "\n\n" + render_route(turn.pack, kind, turn.lang)
    names = await organisation_names(turn)
    route = kind.route
    if not names:
        return text
    lines = [t("In your organisation:")]
    if route.preliminary_review:
        lines.append(t("• first to {cell}, for its opinion;",
                       cell=name_of(turn, route.preliminary_review, names)))
    lines.append(t("• received and registered by {office};", office=name_of(turn, route.via,
                                                                            names)))
    lines.append(t("• considered and decided by {body}.",
                   body=name_of(turn, route.competent_body, names)))
    if route.also_inform:
        bodies = joined(turn, [name_of(turn, b, names) for b in route.also_inform])
        lines.append(t("• also report the plan to {bodies}.", bodies=bodies))
    return text + "\n\n" + "\n".join(lines)


def plan_sections(turn: Turn, wizard: Wizard) -> list[str]:
    t = turn.t

    def section(step: str, body: str) -> str:
        return f"{t(SECTION_LABELS[step])}:\n{body}"

    plan = wizard.plan()
    kind = kind_label(turn, plan.problem_kind)
    if plan.problem_kind is ProblemKind.REGULATED_UNSUITED:
        kind += "\n" + t("Regulation: {regulation}", regulation=plan.regulation)
        if plan.regulation_issuer:
            kind += "\n" + t("Issued by: {issuer}", issuer=plan.regulation_issuer)
    person = turn.person
    proposer = person.name if person else ""
    if person and person.unit_name:
        proposer = f"{proposer} ({person.unit_name})"
    co = "\n".join(f"• {person_label(p)}" for p in wizard.co_proposers) or \
        t("none: an individual plan")
    files = "\n".join(f"• {f.get('name')}" for f in wizard.files) or t("none")
    declared = t("made: the motive is the common good") if plan.common_good \
        else t("not made yet")
    return [
        t("Summary of your plan"),
        section(fs.TITLE, plan.title),
        t("Proposer: {name}", name=proposer),
        section(fs.KIND, kind),
        section(fs.PROBLEM, plan.problem),
        section(fs.APPROACH, plan.approach),
        section(fs.RESULTS, plan.expected_results),
        section(fs.RISKS, plan.risks),
        section(fs.COPROPOSERS, co),
        section(fs.FILES, files),
        section(fs.DECLARATION, declared),
    ]


def chunks(parts: list[str]) -> list[str]:
    """Join parts into messages of at most CHUNK characters (a part is never cut)."""
    out: list[str] = []
    for part in parts:
        if out and len(out[-1]) + 2 + len(part) <= CHUNK:
            out[-1] += "\n\n" + part
        else:
            out.append(part)
    return out


# What the summary shows: the short view fits a phone; the others open from its buttons.
SHORT, FULL, EDIT, ROUTE, RHYTHM = "short", "full", "edit", "route", "rhythm"
VIEWS = (SHORT, FULL, EDIT, ROUTE, RHYTHM)
GIST = 90  # characters of each long section in the short view


def short_sections(turn: Turn, wizard: Wizard) -> list[str]:
    """The plan in about ten lines: each long section cut to its first words."""
    t = turn.t
    plan = wizard.plan()
    person = turn.person
    proposer = person.name if person else ""
    if person and person.unit_name:
        proposer = f"{proposer} ({person.unit_name})"
    kind = kind_label(turn, plan.problem_kind)
    if plan.problem_kind is ProblemKind.REGULATED_UNSUITED:
        kind += " · " + shorten(plan.regulation, GIST)
        if plan.regulation_issuer:
            kind += " · " + t("Issued by: {issuer}", issuer=shorten(plan.regulation_issuer, 60))
    lines = [t("Summary of your plan “{title}”", title=shorten(plan.title, 120)),
             t("Proposer: {name}", name=proposer),
             f"{t(SECTION_LABELS[fs.KIND])}: {kind}"]
    for step, text in ((fs.PROBLEM, plan.problem), (fs.APPROACH, plan.approach),
                       (fs.RESULTS, plan.expected_results), (fs.RISKS, plan.risks)):
        lines.append(f"{t(SECTION_LABELS[step])}: {shorten(text, GIST)}")
    declared = t("made") if plan.common_good else t("not made yet")
    lines.append(t("Co-proposers: {n} · documents: {files} · declaration: {declared}",
                   n=len(wizard.co_proposers), files=len(wizard.files), declared=declared))
    return lines


async def route_line(turn: Turn, kind: UnitKind) -> str:
    """The route in one line, with the organisation's own bodies where known."""
    names = await organisation_names(turn)
    route = kind.route
    steps = [route.preliminary_review] if route.preliminary_review else []
    steps += [route.via, route.competent_body]
    route_names = " → ".join(name_of(turn, step, names) for step in dict.fromkeys(steps))
    answer = turn.pack.deadline("answer")
    if answer is None:
        return turn.t("Goes to: {route}", route=route_names)
    return turn.t("Goes to: {route}; answer within {days} working days.", route=route_names,
                  days=answer.working_days)


async def show_summary(turn: Turn, wizard: Wizard, kind: UnitKind) -> None:
    """The short summary with a few buttons; the whole text, the route, the parts to
    change and the reporting rhythm each open from it (``wizard.data["view"]``)."""
    t = turn.t
    view = str(wizard.data.get("view") or SHORT)
    every = wizard.cadence or ReminderSettings().progress_every
    back = button(wizard, t("‹ Back to the summary"), "view", SHORT)
    if view == EDIT:
        edits = [button(wizard, "✎ " + t(SECTION_LABELS[step]), "edit", step)
                 for step in EDITABLE_SECTIONS]
        turn.say(t("Which part do you want to change?"),
                 (*(tuple(edits[i:i + 3]) for i in range(0, len(edits), 3)), (back,)))
        return
    if view == RHYTHM:
        cadence = tuple(button(wizard, ("✓ " if n == every else "") + t(
            "every {n} working days", n=n), "every", n) for n in fs.CADENCES)
        turn.say(t("Once the plan is approved and under way, you will report its progress "
                   "every {n} working days. Choose another rhythm if you wish.", n=every),
                 (cadence, (back,)))
        return
    if view == FULL:
        for text in chunks(plan_sections(turn, wizard)):
            turn.say(text)
    elif view == ROUTE:
        turn.say(await route_text(turn, kind))
    lines = short_sections(turn, wizard) if view == SHORT else []
    lines += [await route_line(turn, kind),
              t("Progress reports: every {n} working days.", n=every),
              t("Check the plan, then send it or change a part.")]
    turn.say("\n".join(lines), (
        (button(wizard, t("Send the plan"), "send"),),
        (button(wizard, "✎ " + t("Change a part"), "view", EDIT),
         button(wizard, t("Whole text"), "view", FULL)),
        (button(wizard, t("Route in detail"), "view", ROUTE),
         button(wizard, t("Reporting rhythm"), "view", RHYTHM)),
        (button(wizard, t("« Back"), "back"), button(wizard, t("Save"), "save"),
         button(wizard, t("Cancel"), "cancel")),
    ))


async def after_submission(turn: Turn, dossier: Dossier) -> str:
    """Where the plan went, what happens next, and the rule against acting before approval."""
    t = turn.t
    names = await organisation_names(turn)
    route = dossier.route
    office = name_of(turn, route.via, names)
    competent = name_of(turn, route.competent_body, names)
    days = dossier.deadline_days("answer", 30)
    complex_days = dossier.deadline_days("answer_complex", 60)
    lines = [t("Your plan has been sent: dossier no. {id}, “{title}”.", id=dossier.id,
               title=dossier.plan.title)]
    if dossier.state is State.AT_CELL and route.preliminary_review:
        cell = name_of(turn, route.preliminary_review, names)
        lines.append(t("It is now with {cell}, which reviews it and gives its opinion. If the "
                       "cell agrees, it sends the proposal dossier to {office}.",
                       cell=cell, office=office))
    else:
        lines.append(t("It is now with {office}, which receives and registers it.",
                       office=office))
    lines.append(t("From the day the office registers the dossier, {body} has {days} working "
                   "days to answer you in writing ({complex_days} at most if the matter is "
                   "complex and needs appraisal time). You will be told at each step.",
                   body=competent, days=days, complex_days=complex_days))
    if dossier.state is State.SUBMITTED and route.also_inform:
        bodies = joined(turn, [name_of(turn, b, names) for b in route.also_inform])
        lines.append(t("Please also report the plan to {bodies}.", bodies=bodies))
    lines.append(t("Important: nothing in the plan may be implemented until the competent "
                   "body has considered and approved it. Implementing an idea before "
                   "approval is strictly forbidden."))
    lines.append(t("You can follow it under “My dossiers”."))
    return "\n\n".join(lines)
