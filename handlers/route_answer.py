"""The answer to "who is competent?" in the person's language, from a pack's route."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from handlers.i18n import Translator
from workflow.rules.model import Pack, UnitKind, render_citations


def route_as_dict(pack: Pack, kind: UnitKind, lang: str = "vi") -> dict[str, object]:
    """The route as plain data: body ids, and citations rendered in ``lang``."""
    route = kind.route
    return {
        "pack": pack.id,
        "unit_kind": kind.id,
        "preliminary_review": route.preliminary_review,
        "competent_body": route.competent_body,
        "via": route.via,
        "also_inform": list(route.also_inform),
        "appraisal_lead": route.appraisal_lead,
        "appraisal_assigned_by": route.appraisal_assigned_by,
        "legal_review": route.legal_review,
        "decision_bodies": list(route.decision_bodies),
        "head": route.head,
        "escalation_to": route.escalation_to,
        "citations": [c.render(pack, lang) for c in route.citations],
    }


def body_name(pack: Pack, body_id: str, lang: str,
              real_names: Mapping[str, str] | None) -> str:
    """The organisation's real name for a route body when known (English keeps the pack's
    generic name in brackets, the real names being Vietnamese), else the pack's."""
    generic = pack.body(body_id).name.get(lang)
    real = (real_names or {}).get(body_id)
    if not real:
        return generic
    return real if lang == "vi" else f"{real} ({generic})"


def render_route(pack: Pack, kind: UnitKind, lang: str = "vi",
                 real_names: Mapping[str, str] | None = None) -> str:
    """A complete, readable answer: where to send, first step, who appraises and decides.

    ``real_names``: route body id -> the real body of the person's organisation ("Đảng ủy xã
    Phổ Châu"); it replaces the pack's generic name, which English keeps in brackets
    since the real names are Vietnamese.
    """
    t = Translator(lang)
    route = kind.route

    def name(body_id: str) -> str:
        return body_name(pack, body_id, lang, real_names)

    def names(body_ids: tuple[str, ...], joiner: str) -> str:
        parts = [name(b) for b in body_ids]
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {joiner} {parts[-1]}"

    lines = [kind.description.get(lang) + (t(" (point {point})", point=kind.point)
                                           if kind.point else "")]
    lines.append("")
    competent = t("Competent body: {body}, through {office}.",
                  body=name(route.competent_body), office=name(route.via))
    lines.append(competent)
    if route.preliminary_review:
        lines.append(t("First step: send the plan and attached documents to {cell} for its "
                       "review and agreement; the cell then sends the proposal dossier to "
                       "{office}.", cell=name(route.preliminary_review), office=name(route.via)))
    else:
        lines.append(t("First step: send the plan and attached documents directly to {office}.",
                       office=name(route.via)))
    # Translated apart: Babel does not extract a gettext call nested in another's arguments.
    and_, or_ = t("and"), t("or")
    if route.also_inform:
        lines.append(t("At the same time, report to: {bodies}.",
                       bodies=names(route.also_inform, and_)))
    if route.appraisal_lead:
        lead = name(route.appraisal_lead)
        if route.appraisal_assigned_by and pack.appraisal_council:
            lines.append(t("Appraisal: {lead}, as assigned by {by} (or an appraisal council "
                           "if the matter is broad or complex).",
                           lead=lead, by=name(route.appraisal_assigned_by)))
        elif route.appraisal_assigned_by:
            lines.append(t("Appraisal: {lead}, as assigned by {by}.",
                           lead=lead, by=name(route.appraisal_assigned_by)))
        elif pack.appraisal_council:
            lines.append(t("Appraisal: led by {lead} (or an appraisal council if the matter "
                           "is broad or complex).", lead=lead))
        else:
            lines.append(t("Appraisal: led by {lead}.", lead=lead))
    if route.legal_review:
        lines.append(t("Legal-risk advice: {body}, when assigned.", body=name(route.legal_review)))
    lines.append(t("Decision: {bodies}, collectively.",
                   bodies=names(route.decision_bodies, or_)))
    if pack.head_override:
        lines.append(pack.head_override.get(lang).format(head=name(route.head)))
    else:
        lines.append(t("If the collective does not agree, {head} may decide to proceed if the "
                       "plan is feasible, and must report in writing to the direct superior at "
                       "once.", head=name(route.head)))
    lines.append(t("Beyond its authority: the matter is reported to {body}.",
                   body=name(route.escalation_to)))
    answer = pack.deadline("answer")
    if answer:
        complex_ = pack.deadline("answer_complex")
        deadline = answer.description.get(lang)
        if complex_:
            deadline += "; " + complex_.description.get(lang)
        lines.append(t("Deadline: {deadline}.", deadline=deadline))
    lines.append(t("Legal basis: {citations}.",
                   citations=render_citations(pack, route.citations, lang)))
    lines.append("")
    lines.append(t("Nothing may be implemented before the competent body has approved the plan."))
    return "\n".join(lines)


def render_route_short(pack: Pack, kind: UnitKind, lang: str = "vi",
                       real_names: Mapping[str, str] | None = None) -> str:
    """The answer that fits a phone: the case, the competent body, the first step and the
    deadline, in four lines; :func:`render_route` has the rest (shown on demand)."""
    t = Translator(lang)
    route = kind.route

    def name(body_id: str) -> str:
        return body_name(pack, body_id, lang, real_names)

    point = t(" (point {point})", point=kind.point) if kind.point else ""
    lines = [t("Your case: {case}.", case=kind.description.get(lang) + point),
             t("Competent body: {body}, through {office}.",
               body=name(route.competent_body), office=name(route.via))]
    if route.preliminary_review:
        lines.append(t("First step: send the plan to {cell} for its agreement.",
                       cell=name(route.preliminary_review)))
    else:
        lines.append(t("First step: send the plan directly to {office}.",
                       office=name(route.via)))
    answer = pack.deadline("answer")
    if answer:
        complex_ = pack.deadline("answer_complex")
        if complex_:
            lines.append(t("Answer within {days} working days ({complex} if complex); nothing "
                           "may be implemented before approval.",
                           days=answer.working_days, complex=complex_.working_days))
        else:
            lines.append(t("Answer within {days} working days; nothing may be implemented "
                           "before approval.", days=answer.working_days))
    else:
        lines.append(t("Nothing may be implemented before the competent body has approved "
                       "the plan."))
    return "\n".join(lines)


def validity_note(pack: Pack, on: date, lang: str = "vi") -> str | None:
    """A warning when the pack answering is not in force on ``on``."""
    if pack.in_force(on):
        return None
    t = Translator(lang)
    period = t("from {start} to {end}", start=t.date(pack.effective_from, "dd/MM/yyyy"),
               end=t.date(pack.effective_to, "dd/MM/yyyy")) if pack.effective_to else \
        t("from {start}", start=t.date(pack.effective_from, "dd/MM/yyyy"))
    return t("Note: these rules ({title}) apply {period}, not on {day}. Please ask your "
             "committee's office which rules apply.",
             title=pack.title.get(lang), period=period, day=t.date(on, "dd/MM/yyyy"))
