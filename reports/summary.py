"""The statistics in a few lines, readable on a phone (``/thongke``, the command line)."""

from __future__ import annotations

from reports import Translate, decimal, period_text
from workflow.statistics import Statistics


def title(t: Translate, stats: Statistics) -> str:
    if not stats.scope:
        return t("Statistics of creative and breakthrough plans: the whole installation")
    return t("Statistics of creative and breakthrough plans: {bodies} and the bodies under "
             "them", bodies=", ".join(stats.scope))


def median_text(t: Translate, stats: Statistics) -> str:
    if stats.median_working_days is None:
        return t("no answer yet")
    days = decimal(stats.median_working_days, t.lang)
    return t("{days} working days", days=days)


def summary_lines(t: Translate, stats: Statistics) -> list[str]:
    """Six lines: what was counted, then intake, outcomes, answers, pilots, protection."""
    f = stats.figure
    period = period_text(t, stats.period.start, stats.period.end)
    lines = [
        title(t, stats),
        t("Period: {period} (plans by the day they were sent; pilots, incidents and "
          "requests by the day they happened).", period=period),
        t("Plans received: {filed}; still under consideration: {open}.",
          filed=f("filed"), open=f("under_consideration")),
    ]
    if not f("filed"):
        lines[-1] = t("No plan was sent in this period.")
    else:
        lines.append(t(
            "Approved: {approved} (by the head's decision: {override}); not approved: "
            "{rejected}; re-preparation: {re_prepared}; not feasible: {not_feasible}; beyond "
            "authority: {escalated}.", approved=f("approved"), override=f("head_override"),
            rejected=f("rejected"), re_prepared=f("re_prepared"),
            not_feasible=f("not_feasible"), escalated=f("escalated")))
        lines.append(t(
            "Answered on time: {on_time}; late: {late}; awaiting an answer past the deadline: "
            "{overdue}; median time to answer: {median}.", on_time=f("answered_on_time"),
            late=f("answered_late"), overdue=f("waiting_overdue"), median=median_text(t, stats)))
    lines.append(t(
        "Pilots: {running} in progress, {completed} completed, {evaluated} evaluated; risks "
        "or errors reported: {incidents}; protection requests: {requests}.",
        running=f("pilots_in_progress"), completed=f("pilots_completed"),
        evaluated=f("pilots_evaluated"), incidents=f("incidents"),
        requests=f("protection_requests")))
    return lines
