"""A body's written reports drafted from its records, as ``OfficialDocument``s (BÁO CÁO,
type code "BC") in the party or state layout: the yearly report a reporting duty asks
for, the seed-003 three-year report in its five sections, and a periodic review (sơ
kết, tổng kết: 887 Điều 7 khoản 8).

Every figure is read from the statistics the desk and ``/thongke`` show, never counted
again here, so the report agrees with them. The sections that call for a judgement
(strengths, limits, lessons, proposals) carry the facts the records hold and leave the
judgement to the office, which edits the draft before it is numbered and signed. The
documents are in Vietnamese, the office's language: the caller passes a Vietnamese
translator whatever the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports import Translate, day, decimal
from workflow.documents import DocumentKind, Layout, OfficialDocument, Signature
from workflow.dossier import ENCOURAGEMENT_LABELS, EncouragementForm
from workflow.letterhead import Letterhead
from workflow.lifecycle import STATE_LABELS
from workflow.report_documents import (
    Occurrence,
    PlanResult,
    ReportTemplate,
    addressee_of,
    source_of,
    subject_of,
)
from workflow.statistics import MATTER_LABELS, Statistics
from workflow.text_fold import fold

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORT_TITLE = "BÁO CÁO"  # the type written out (HD 36, ND 30): part of the format


@dataclass(frozen=True)
class Issuer:
    """Who reports: the letterhead of the body and its name in running text."""

    head: Letterhead
    name: str  # "Đảng ủy xã Tân Phước"


@dataclass(frozen=True)
class Records:
    """What the records say about the period: the figures and the plans' results."""

    stats: Statistics
    plans: tuple[PlanResult, ...]


def yearly_report(t: Translate, occurrence: Occurrence, issuer: Issuer,
                  records: Records) -> OfficialDocument:
    """The report ``occurrence`` of a duty asks for, addressed to whom the duty says."""
    duty, period = occurrence.duty, occurrence.period
    subject = subject_of(duty)
    if occurrence.template is ReportTemplate.THREE_YEAR:
        first, last = occurrence.years
        summary = t("{subject}, {first} to {last}", subject=subject, first=first, last=last)
    else:
        summary = t("{subject} in {year}", subject=subject, year=occurrence.before.year)
    source = source_of(duty)
    intro = (t("Carrying out {source}, {issuer} reports as follows; the figures cover "
               "{start} to {end}.", source=source, issuer=issuer.name,
               start=day(t, period.start), end=day(t, period.end)) if source else
             t("{issuer} reports as follows; the figures cover {start} to {end}.",
               issuer=issuer.name, start=day(t, period.start), end=day(t, period.end)))
    body = _sections(t, occurrence.template, issuer, records)
    return _document(t, issuer, summary, [intro, _scope(t, records.stats), *body,
                                          _closing(t, records.stats)],
                     to=addressee_of(duty), table=plan_table(t, records.plans))


def review_report(t: Translate, final: bool, issuer: Issuer, records: Records,
                  to: str = "") -> OfficialDocument:
    """A periodic review (sơ kết; ``final``: tổng kết) of the policy over the period."""
    period = records.stats.period
    subject = (t("Final review of the policy of encouraging and protecting dynamic, "
                 "creative cadres acting for the common good") if final else
               t("Interim review of the policy of encouraging and protecting dynamic, "
                 "creative cadres acting for the common good"))
    summary = t("{subject}, {start} to {end}", subject=subject, start=day(t, period.start),
                end=day(t, period.end))
    intro = t("{issuer} reviews the policy over the period from {start} to {end} as "
              "follows.", issuer=issuer.name, start=day(t, period.start),
              end=day(t, period.end))
    template = ReportTemplate.FINAL_REVIEW if final else ReportTemplate.INTERIM_REVIEW
    body = _sections(t, template, issuer, records)
    return _document(t, issuer, summary, [intro, _scope(t, records.stats), *body,
                                          _closing(t, records.stats)],
                     to=to, table=plan_table(t, records.plans))


def file_name(doc: OfficialDocument, period_end: date, template: ReportTemplate) -> str:
    """"du-thao-bao-cao-so-ket-2026-12-04.docx": what it is and the period's last day."""
    slug = {ReportTemplate.RESULTS: "bao-cao-ket-qua",
            ReportTemplate.THREE_YEAR: "bao-cao-ket-qua-3-nam",
            ReportTemplate.INTERIM_REVIEW: "bao-cao-so-ket",
            ReportTemplate.FINAL_REVIEW: "bao-cao-tong-ket"}[template]
    issuer = "-".join(fold(doc.issuer).replace("/", " ").split())[:40]
    return f"du-thao-{slug}-{issuer}-{period_end.isoformat()}.docx"


# --- the sections ----------------------------------------------------------------------


def _sections(t: Translate, template: ReportTemplate, issuer: Issuer,
              records: Records) -> list[str]:
    stats, plans = records.stats, records.plans
    results = [*figures_paragraphs(t, stats), _list_note(t, plans)]
    if template is ReportTemplate.THREE_YEAR:
        # Seed 003, mục 5: the five contents the report must have, in this order.
        return [
            t("1. Leadership, implementation, plans and documents issued"),
            *_leadership(t, issuer, stats),
            t("2. Results: the number and quality of what was achieved under the rules "
              "(with figures, a list and concrete products)"),
            *results,
            t("3. Strengths, limits, difficulties and obstacles"),
            *_assessment(t, stats),
            t("4. Lessons learned, good practices, creativity and innovation"),
            *_good_models(t, stats, plans),
            t("5. Recommendations and proposals"),
            *_proposals(t, stats, plans),
        ]
    if template is ReportTemplate.RESULTS:
        return [
            t("I. RESULTS"),
            *results,
            t("II. ASSESSMENT AND PROPOSALS"),
            *_assessment(t, stats),
            *_proposals(t, stats, plans),
        ]
    return [
        t("I. LEADERSHIP AND IMPLEMENTATION"),
        *_leadership(t, issuer, stats),
        t("II. RESULTS"),
        *results,
        t("III. ASSESSMENT"),
        *_assessment(t, stats),
        t("IV. COMMENDATION AND REPLICATION OF NEW MODELS AND GOOD PRACTICES"),
        *_good_models(t, stats, plans),
        t("V. TASKS AHEAD, RECOMMENDATIONS AND PROPOSALS"),
        *_ahead(t, stats),
        *_proposals(t, stats, plans),
    ]


def figures_paragraphs(t: Translate, stats: Statistics) -> list[str]:
    """The period's figures, as the statistics count them, in four paragraphs."""
    f = stats.figure
    intake = (t("No plan was sent in this period.") if not f("filed") else t(
        "Plans received: {filed}, of which {registered} registered by the office; approved: "
        "{approved} (by the head's decision, without consensus: {override}); not approved: "
        "{rejected}; returned for re-preparation: {re_prepared}; found not feasible at "
        "appraisal: {not_feasible}; forwarded beyond authority: {escalated}; withdrawn by "
        "the proposer: {withdrawn}; still under consideration: {open}. Votes held: {ballots}.",
        filed=f("filed"), registered=f("registered"), approved=f("approved"),
        override=f("head_override"), rejected=f("rejected"), re_prepared=f("re_prepared"),
        not_feasible=f("not_feasible"), escalated=f("escalated"), withdrawn=f("withdrawn"),
        open=f("under_consideration"), ballots=f("ballots")))
    median = stats.median_working_days
    days = "" if median is None else decimal(median, "vi")  # documents are in Vietnamese
    answers = t(
        "Written answers (within 30 working days of receipt, 60 when complex): on time: "
        "{on_time}; late: {late}; awaited within the deadline: {waiting}; awaited past the "
        "deadline: {overdue}; median time to answer: {median}.",
        on_time=f("answered_on_time"), late=f("answered_late"), waiting=f("waiting_in_time"),
        overdue=f("waiting_overdue"),
        median=t("{days} working days", days=days) if days else t("no answer yet"))
    pilots = t(
        "Pilots: started: {started}; in progress at the end of the period: {running}; "
        "completed: {completed}; evaluated: {evaluated}.", started=f("pilots_started"),
        running=f("pilots_in_progress"), completed=f("pilots_completed"),
        evaluated=f("pilots_evaluated"))
    if stats.encouragement:
        pilots += " " + t("Forms of encouragement granted: {forms}.",
                          forms=_forms(t, stats.encouragement))
    outcomes = stats.matter_outcomes
    matters = t(
        "Risks or errors reported: {incidents}{incident_outcomes}; protection requests: "
        "{requests}{request_outcomes}; emergency actions reported: {emergencies}.",
        incidents=f("incidents"), incident_outcomes=_outcomes(t, outcomes.get("incident")),
        requests=f("protection_requests"),
        request_outcomes=_outcomes(t, outcomes.get("protection")),
        emergencies=f("emergencies"))
    return [intake, answers, pilots, matters]


def plan_table(t: Translate, plans: Sequence[PlanResult]) -> tuple[tuple[str, ...], ...]:
    """The list of plans (seed 003: "danh mục, sản phẩm cụ thể"): header row, then one row
    a plan; none when the period has no plan."""
    if not plans:
        return ()
    header = (t("No."), t("Plan"), t("Unit"), t("Sent on"), t("State now"),
              t("Products and results"))
    return (header, *((str(index), p.title, p.unit or "—", day(t, p.filed_on),
                       t(STATE_LABELS[p.state]), products(t, p) or "—")
                      for index, p in enumerate(plans, start=1)))


def products(t: Translate, plan: PlanResult) -> str:
    """What a plan produced, as recorded: its completion report and its evaluation."""
    parts = []
    if plan.completion:
        parts.append(t("Completion reported: {summary}", summary=plan.completion))
    if plan.evaluated:
        verdict = t("effective") if plan.effective else t("not effective")
        text = t("Evaluated {verdict}", verdict=verdict)
        if plan.evaluation:
            text = f"{text}: {plan.evaluation.rstrip('. ')}"
        if plan.forms:
            text = f"{text}; " + t("encouragement: {forms}", forms=", ".join(
                t(ENCOURAGEMENT_LABELS[form]) for form in plan.forms))
        parts.append(text)
    return ". ".join(part.rstrip(". ") for part in parts) + ("." if parts else "")


def _list_note(t: Translate, plans: Sequence[PlanResult]) -> str:
    if not plans:
        return t("No plan to list for this period.")
    return t("The list of the {n} plans, where each stands and what it produced is in the "
             "table at the end of this report.", n=len(plans))


def _leadership(t: Translate, issuer: Issuer, stats: Statistics) -> list[str]:
    f = stats.figure
    answered = f("answered_on_time") + f("answered_late")
    return [t("{issuer} received the plans through its office, registered {registered}, held "
              "{ballots} votes and sent {answered} written answers in the period.",
              issuer=issuer.name, registered=f("registered"), ballots=f("ballots"),
              answered=answered),
            t("The plans and documents the committee issued to carry out the policy are "
              "added by the office.")]


def _assessment(t: Translate, stats: Statistics) -> list[str]:
    """The facts an assessment rests on; the judgement is the office's."""
    f = stats.figure
    answered = f("answered_on_time") + f("answered_late")
    facts = []
    if answered:
        facts.append(t("Written answers on time: {on_time} of {answered}.",
                       on_time=f("answered_on_time"), answered=answered))
    if f("waiting_overdue"):
        facts.append(t("Plans awaiting a written answer past the deadline: {n}.",
                       n=f("waiting_overdue")))
    if f("rejected") or f("not_feasible"):
        facts.append(t("Plans not approved: {rejected}; found not feasible: {not_feasible}.",
                       rejected=f("rejected"), not_feasible=f("not_feasible")))
    if f("incidents") or f("protection_requests"):
        facts.append(t("Risks or errors reported: {incidents}; protection requests: "
                       "{requests}.", incidents=f("incidents"),
                       requests=f("protection_requests")))
    if not facts:
        return [t("The records hold no fact for this section; the office completes it.")]
    return [t("From the records: {facts}", facts=" ".join(facts)),
            t("The strengths, limits and their causes are assessed by the office.")]


def _good_models(t: Translate, stats: Statistics, plans: Sequence[PlanResult]) -> list[str]:
    """887 Điều 7 khoản 8: commend and replicate the new models and good practices."""
    good = [p for p in plans if p.good_model]
    if not good:
        return [t("No plan of the period has yet been evaluated as effective; the office "
                  "completes this section.")]
    lines = [t("Plans evaluated as effective, to commend and replicate:")]
    for plan in good:
        line = f"- “{plan.title}” ({plan.unit or '—'})"  # a list item: no words of its own
        if plan.evaluation:
            line = f"{line}: {plan.evaluation.rstrip('. ')}"
        if plan.forms:
            line = f"{line}; " + t("encouragement: {forms}", forms=", ".join(
                t(ENCOURAGEMENT_LABELS[form]) for form in plan.forms))
        lines.append(line.rstrip(".") + ".")
    return lines


def _proposals(t: Translate, stats: Statistics, plans: Sequence[PlanResult]) -> list[str]:
    lines = []
    rules = sorted({p.unsuited_rule for p in plans if p.unsuited_rule})
    if rules:
        lines.append(t("Rules found unsuited to practice by the plans of the period, for the "
                       "issuing bodies to consider amending: {rules}.", rules="; ".join(rules)))
    if stats.figure("escalated"):
        lines.append(t("Plans forwarded to the competent level beyond authority: {n}.",
                       n=stats.figure("escalated")))
    if not lines:
        return [t("The records hold no proposal; the office completes this section.")]
    return lines


def _ahead(t: Translate, stats: Statistics) -> list[str]:
    f = stats.figure
    return [t("To carry on: answer the {open} plans still under consideration ({overdue} past "
              "the deadline) and follow the {running} pilots in progress.",
              open=f("under_consideration"), overdue=f("waiting_overdue"),
              running=f("pilots_in_progress"))]


def _scope(t: Translate, stats: Statistics) -> str:
    if not stats.scope:
        return t("The figures cover every body of the installation.")
    return t("The figures cover {bodies} and the bodies under them.",
             bodies=", ".join(stats.scope))


def _closing(t: Translate, stats: Statistics) -> str:
    return t("Figures as recorded up to {day}: plans by the day they were sent; pilots, "
             "incidents and requests by the day they happened; answers in working days from "
             "receipt.", day=day(t, stats.as_of))


def _forms(t: Translate, forms: Sequence[tuple[EncouragementForm, int]]) -> str:
    return "; ".join(f"{t(ENCOURAGEMENT_LABELS[form])}: {n}" for form, n in forms)


def _outcomes(t: Translate, counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    parts = [f"{t(MATTER_LABELS[key]).lower()}: {n}" for key, n in counts.items()
             if key in MATTER_LABELS and n]
    return f" ({', '.join(parts)})" if parts else ""


# --- the document ----------------------------------------------------------------------


def _document(t: Translate, issuer: Issuer, summary: str, paragraphs: list[str], *,
              to: str, table: tuple[tuple[str, ...], ...]) -> OfficialDocument:
    """A report names no addressee ("Kính gửi" is for letters and submissions, HD 36 and
    ND 30): the body it goes to heads the recipients, "(để báo cáo)"."""
    head = issuer.head
    kept = [t("{body} (to report)", body=to)] if to.strip() else []
    # ND 30 writes the clerical office's copy "Lưu: VT" (its fixed words).
    kept.append("Lưu: VT" if head.layout is Layout.STATE else
                t("File: {office}", office=_office(head)))
    return OfficialDocument(
        kind=DocumentKind.PERIODIC_REPORT, layout=head.layout, superior=head.superior,
        issuer=head.issuer, issuer_code=head.issuer_code, place=head.place,
        title=REPORT_TITLE, summary=_summary_case(summary, head.layout),
        paragraphs=tuple(p for p in paragraphs if p.strip()),
        signature=signature(issuer), recipients=tuple(kept), table=table)


def signature(issuer: Issuer) -> Signature:
    """On behalf of the collective, signed by its secretary (the state track: the head of
    the agency, as the post signs)."""
    head = issuer.head
    if head.layout is Layout.STATE:  # ND 30: a People's Committee signs as a collective
        name = fold(issuer.name or head.issuer)
        if name.startswith(("uy ban nhan dan", "ubnd")):
            return Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
        if name.startswith("so "):
            return Signature("", "GIÁM ĐỐC")
        if name.startswith("phong "):
            return Signature("", "TRƯỞNG PHÒNG")
        return Signature("", "THỦ TRƯỞNG CƠ QUAN")
    if issuer.name.lower().startswith(("ban thường vụ", "thường trực")):
        return Signature("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    return Signature(f"T/M {head.collective}" if head.collective else "", "BÍ THƯ")


def _office(head: Letterhead) -> str:
    """"Văn phòng Đảng ủy"; a party cell keeps its own copy."""
    if not head.collective or head.collective == "CHI BỘ":
        return "Chi bộ"
    return f"Văn phòng {head.collective.capitalize()}"


def _summary_case(text: str, layout: Layout) -> str:
    """HD 36 writes a report's summary in lower case after the type; ND 30 starts it with
    a capital."""
    if not text:
        return text
    first = text[0].upper() if layout is Layout.STATE else text[0].lower()
    return first + text[1:]
