"""The statistics' full tables as an .xlsx workbook: one sheet per table, the header row
in bold and frozen, dates as real dates (dd/mm/yyyy), column widths set to the content.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from reports import Translate, period_text
from reports.summary import median_text, title
from workflow.dossier import ENCOURAGEMENT_LABELS
from workflow.lifecycle import STATE_LABELS
from workflow.statistics import FIGURES, MATTER_LABELS, OUTCOME_LABELS, GroupRow, Statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
MAX_WIDTH = 60
Cell = str | int | float | date | None


def workbook(t: Translate, stats: Statistics, lang: str = "vi") -> bytes:
    """The workbook's bytes; ``lang`` picks the unit kinds' descriptions."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    _summary(book, t, stats)
    _sheet(book, t("By state"), [t("State now"), t("Plans")],
           [[t(STATE_LABELS[state]), n] for state, n in stats.by_state])
    _sheet(book, t("Answers"), [
        t("Dossier"), t("Plan"), t("Unit"), t("Round"), t("Received on"), t("Due on"),
        t("Answered on"), t("Outcome"), t("Working days"), t("Working days late")],
        [[a.dossier_id, a.title, a.unit, a.round, a.received_on, a.due_on, a.answered_on,
          t(OUTCOME_LABELS[a.outcome]) if a.outcome else t("Under consideration"),
          a.working_days, a.late_by] for a in stats.answers])
    kinds = {k: v.get(lang) for k, v in stats.unit_kind_names.items()}
    _groups(book, t, t("By unit kind"), t("Unit kind"),
            [(kinds.get(g.key, g.key), g) for g in stats.by_unit_kind])
    _groups(book, t, t("By unit"), t("Unit"),
            [(g.name or t("(unit not recorded)"), g) for g in stats.by_unit])
    _sheet(book, t("Encouragement"), [t("Form of encouragement (887 Article 5)"), t("Times")],
           [[f"{form.value}) {t(ENCOURAGEMENT_LABELS[form])}", n]
            for form, n in stats.encouragement])
    _sheet(book, t("Incidents, protection"), [
        t("Dossier"), t("Plan"), t("Matter"), t("Date"), t("Outcome"), t("Decided")],
        [[m.dossier_id, m.title,
          t("Risk or error") if m.kind == "incident" else t("Protection request"), m.on,
          t(MATTER_LABELS[m.outcome]) if m.outcome in MATTER_LABELS else m.outcome,
          m.summary] for m in stats.matters])
    _sheet(book, t("Plans"), [
        t("Dossier"), t("Plan"), t("Unit"), t("Sent on"), t("Registration number"),
        t("State now")],
        [[p.dossier_id, p.title, p.unit, p.filed_on, p.registration_number or "",
          t(STATE_LABELS[p.state])] for p in stats.plans])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(book: Workbook, t: Translate, stats: Statistics) -> None:
    rows: list[list[Cell]] = [[t(label), stats.figure(key)] for key, label in FIGURES]
    rows.append([t("Median time to answer"), median_text(t, stats)])
    sheet = _sheet(book, t("Summary"), [t("Figure"), t("Number")], rows)
    notes = [title(t, stats),
             t("Period: {period}; plans by the day they were sent, pilots, incidents and "
               "requests by the day they happened; answers in working days from receipt.",
               period=period_text(t, stats.period.start, stats.period.end)),
             t("Overdue answers counted up to {day}.", day=t.date(stats.as_of, "dd/MM/yyyy"))]
    start = sheet.max_row + 2
    for offset, note in enumerate(notes):
        sheet.cell(row=start + offset, column=1, value=note)


def _groups(book: Workbook, t: Translate, name: str, first: str,
            rows: Sequence[tuple[str, GroupRow]]) -> None:
    _sheet(book, name, [
        first, t("Received"), t("Approved"), t("Not approved"), t("Re-preparation"),
        t("Not feasible"), t("Beyond authority"), t("Under consideration"),
        t("Answered on time"), t("Answered late")],
        [[label, g.filed, g.approved, g.rejected, g.re_prepared, g.not_feasible, g.escalated,
          g.under_consideration, g.on_time, g.late] for label, g in rows])


def _sheet(book: Workbook, name: str, header: Sequence[str],
           rows: Sequence[Sequence[Cell]]) -> Worksheet:
    sheet = book.create_sheet(_sheet_name(name))
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(list(row))
    widths = [len(str(h)) for h in header]
    for row in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(row):
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
                size = 10
            else:
                size = len(str(cell.value)) if cell.value is not None else 0
            if index < len(widths):
                widths[index] = max(widths[index], size)
    for index, width in enumerate(widths):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(8, width + 2))
    return sheet


def _sheet_name(name: str) -> str:
    """Excel's limits: at most 31 characters, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31]
