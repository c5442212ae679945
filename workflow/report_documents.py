"""What a written report of a body is made of, before any wording: which report a
reporting duty asks for, the period its figures cover, and the plans with their results.

Pure: the caller hands in the duty, the statistics (``workflow.statistics``) and the
dossiers of the plans counted; the wording and the file are made in ``reports``.

A duty's occurrence "before 30/11/Y" reports on the twelve months up to the day before
it (30/11/Y-1 to 29/11/Y), so that consecutive reports cover every day once (the same
cut-off as Nghị định 09/2019/NĐ-CP Điều 12 for a yearly report due mid-December); a
three-year report (seed 003, "kết quả 3 năm", before 30/8/2024) covers the three years
up to that day. A report drafted before the period ends counts up to today.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from workflow.calendar_overrides import MAX_YEAR, MIN_YEAR
from workflow.documents import Layout
from workflow.dossier import Dossier, EncouragementForm, ProblemKind
from workflow.letterhead import Letterhead, letterhead
from workflow.lifecycle import State
from workflow.organisation import OrgBody
from workflow.quiet_hours import Days
from workflow.reporting_duties import ReportingDuty, last_day
from workflow.statistics import Period, PlanLine
from workflow.text_fold import fold


class ReportTemplate(StrEnum):
    RESULTS = "results"  # a yearly report of results (seed 002, 887 Điều 10 khoản 4)
    THREE_YEAR = "three_year"  # seed 003: five sections, "có số liệu, danh mục, sản phẩm"
    INTERIM_REVIEW = "interim_review"  # sơ kết (887 Điều 7 khoản 8)
    FINAL_REVIEW = "final_review"  # tổng kết


REVIEWS = frozenset({ReportTemplate.INTERIM_REVIEW, ReportTemplate.FINAL_REVIEW})
_THREE_YEARS = re.compile(r"\b(3|ba) nam\b")


def template_for(duty: ReportingDuty) -> ReportTemplate:
    """The report a duty asks for, from its own words (Vietnamese): "3 năm" is the
    seed-003 report, "tổng kết"/"sơ kết" a review, anything else a results report."""
    words = fold(duty.text("what", "vi"))
    if _THREE_YEARS.search(words):
        return ReportTemplate.THREE_YEAR
    if "tong ket" in words:
        return ReportTemplate.FINAL_REVIEW
    if "so ket" in words:
        return ReportTemplate.INTERIM_REVIEW
    return ReportTemplate.RESULTS


class NotOwed(ValueError):
    """The duty owes no report for that year; ``reason`` says why for the caller's text:
    "once" (a one-off duty of ``year``), "outside" (not in the duty's period),
    "future" (the period has not begun yet)."""

    def __init__(self, reason: str, year: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.year = reason, year


@dataclass(frozen=True)
class Occurrence:
    """One report of a duty: the date it must be in before, its last working day, and
    the period its figures cover (cut at ``as_of`` when drafted early)."""

    duty: ReportingDuty
    template: ReportTemplate
    before: date
    due_on: date
    period: Period

    @property
    def years(self) -> tuple[int, int]:
        return self.period.start.year, self.period.end.year


def occurrence(duty: ReportingDuty, year: int, today: date, calendar: Days) -> Occurrence:
    """The report of ``duty`` due in ``year`` (raises :class:`NotOwed`)."""
    if duty.year is not None and duty.year != year:
        raise NotOwed("once", duty.year)
    if not MIN_YEAR <= year <= MAX_YEAR:  # the years the calendar of days off covers
        raise NotOwed("outside")
    before = date(year, duty.month, duty.day)
    due = last_day(before, calendar)
    if not duty.in_force(due):
        raise NotOwed("outside")
    template = template_for(duty)
    span = 3 if template is ReportTemplate.THREE_YEAR else 1
    start = _years_back(before, span)
    end = min(before - timedelta(days=1), today)
    if end < start:
        raise NotOwed("future")
    return Occurrence(duty, template, before, due, Period(start, end))


def _years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


_REPORT = re.compile(r"^\s*báo cáo\s+", re.IGNORECASE)
_YEARLY = re.compile(r"\s*\b(hằng|hàng) năm\b", re.IGNORECASE)
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def subject_of(duty: ReportingDuty) -> str:
    """What the report is about, for its summary line: the duty's Vietnamese words
    without "Báo cáo", "hằng năm" and a closing note in brackets (an office's remark)."""
    text = _REPORT.sub("", duty.text("what", "vi"), count=1)
    text = _YEARLY.sub("", text, count=1)
    while _NOTE.search(text):
        text = _NOTE.sub("", text)
    return " ".join(text.split())


def addressee_of(duty: ReportingDuty) -> str:
    """Whom the report goes to, without a closing remark in brackets ("(cấp ủy cấp trên
    trực tiếp)"); the way it goes ("(qua Phòng Nội vụ)") stays."""
    text = duty.text("to", "vi")
    while (found := _NOTE.search(text)) and not fold(found.group()).startswith("(qua "):
        text = text[:found.start()]
    return " ".join(text.split())


def source_of(duty: ReportingDuty) -> str:
    """The document that sets the duty, without the office's remarks after it."""
    text = duty.source.split("(")[0]
    text = re.split(r"\.\s", text)[0]
    return " ".join(text.split()).rstrip(".,;: ")


@dataclass(frozen=True)
class PlanResult:
    """A plan of the period, as a report lists it: where it stands and what it produced."""

    dossier_id: int
    title: str
    unit: str
    filed_on: date
    registration_number: str | None
    state: State
    completion: str = ""  # the proposer's report of completion: the product
    evaluated: bool = False
    effective: bool | None = None  # the collective's evaluation, when made
    evaluation: str = ""
    forms: tuple[EncouragementForm, ...] = ()
    unsuited_rule: str = ""  # "the rule (its issuer)" for a plan about an unsuited rule

    @property
    def good_model(self) -> bool:
        """Evaluated effective: a model to commend and replicate (887 Điều 7 khoản 8)."""
        return self.evaluated and bool(self.effective)


def plan_results(plans: Sequence[PlanLine], dossiers: Mapping[int, Dossier]
                 ) -> tuple[PlanResult, ...]:
    """The statistics' plans with their results read from the dossiers (a dossier not
    found, e.g. removed since, is listed with what the statistics know)."""
    found: list[PlanResult] = []
    for line in plans:
        dossier = dossiers.get(line.dossier_id)
        if dossier is None:
            found.append(PlanResult(line.dossier_id, line.title, line.unit, line.filed_on,
                                    line.registration_number, line.state))
            continue
        done = [r for r in dossier.reports if r.kind == "completion" and r.summary.strip()]
        evaluation = dossier.evaluation
        plan = dossier.plan
        rule = ""
        if plan.problem_kind is ProblemKind.REGULATED_UNSUITED and plan.regulation.strip():
            rule = plan.regulation.strip()
            if plan.regulation_issuer.strip():
                rule = f"{rule} ({plan.regulation_issuer.strip()})"
        found.append(PlanResult(
            line.dossier_id, line.title, line.unit, line.filed_on, line.registration_number,
            line.state, completion=done[-1].summary.strip() if done else "",
            evaluated=evaluation is not None,
            effective=evaluation.effective if evaluation is not None else None,
            evaluation=evaluation.summary.strip() if evaluation is not None else "",
            forms=evaluation.forms if evaluation is not None else (),
            unsuited_rule=rule))
    return tuple(found)


# A state agency's name (its reports follow Nghị định 30/2020 even in a party chart).
_STATE_BODY = re.compile(r"^(ủy ban nhân dân|ubnd|sở|phòng|thanh tra|chi cục|cục|trung tâm|"
                         r"ban quản lý)\s", re.IGNORECASE)
_PLACE = re.compile(r"\s(?:xã|phường|thị trấn|thị xã|huyện|quận|tỉnh|thành phố)\s+(.+)$",
                    re.IGNORECASE)

_FOLDED_PLACE = re.compile(r"\s(?:xa|phuong|thi tran|thi xa|huyen|quan|tinh|thanh pho)\s")


def report_letterhead(line: Sequence[OrgBody], pack_id: str) -> Letterhead:
    """The letterhead of the body reporting (``line``: it and the bodies above it): a state
    agency (a People's Committee and its offices, a department) in the state layout, "Số:
    …/BC-UBND", under the state agency above it if the chart has one; a party body as its
    pack's documents are."""
    if not line or not _STATE_BODY.match(line[0].name.strip()):
        return letterhead(line, pack_id)
    name = " ".join(line[0].name.split())
    above = next((" ".join(b.name.split()) for b in line[1:] if _STATE_BODY.match(b.name.strip())),
                 "")
    place = _PLACE.search(name)
    return Letterhead(Layout.STATE, above.upper(), name.upper(), _state_code(name),
                      place.group(1) if place else "", "")


def _state_code(name: str) -> str:
    """"Ủy ban nhân dân thị xã Đức Phổ" -> "UBND"; "Sở Nội vụ tỉnh Vĩnh Phúc" -> "SNV"."""
    folded = fold(name)
    if folded.startswith(("uy ban nhan dan", "ubnd")):
        return "UBND"
    words = _FOLDED_PLACE.split(folded)[0].split()
    return "".join(word[0] for word in words).upper()[:8]
