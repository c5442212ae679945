"""The statistics as PNG charts a phone shows well: 1000×700 pixels, large type.

Drawn with matplotlib's Agg canvas on a ``Figure`` of its own (not pyplot), so nothing
global is touched and charts can be drawn from several tasks at once. DejaVu Sans, the
default font, has every Vietnamese letter.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports import Translate, period_text
from workflow.statistics import FIGURE_LABELS, Statistics

WIDTH, HEIGHT, DPI = 10, 7, 100  # inches at DPI: 1000×700 pixels
PNG = "image/png"
GREEN, RED, AMBER, GREY, BLUE = "#2e7d32", "#c62828", "#ef6c00", "#9e9e9e", "#1565c0"

OUTCOMES = (("approved", GREEN), ("head_override", BLUE), ("rejected", RED),
            ("re_prepared", AMBER), ("not_feasible", GREY), ("escalated", BLUE),
            ("under_consideration", GREY))
TIMELINESS = (("answered_on_time", GREEN), ("answered_late", RED),
              ("waiting_in_time", GREY), ("waiting_overdue", AMBER))


def _bars(t: Translate, stats: Statistics, heading: str, bars: tuple[tuple[str, str], ...],
          note: str = "") -> bytes:
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [t(FIGURE_LABELS[key]) for key, _ in bars][::-1]
    values = [stats.figure(key) for key, _ in bars][::-1]
    shown = axes.barh(labels, values, color=[colour for _, colour in bars][::-1])
    axes.bar_label(shown, padding=6, fontsize=18, fontweight="bold")
    axes.set_xlim(0, max([*values, 1]) * 1.2)
    axes.xaxis.set_visible(False)
    axes.tick_params(axis="y", labelsize=16, length=0)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.suptitle(heading, fontsize=20, fontweight="bold")
    axes.set_title(period_text(t, stats.period.start, stats.period.end), fontsize=15)
    if note:
        figure.text(0.5, 0.03, note, ha="center", fontsize=15)
    figure.tight_layout(rect=(0, 0.06 if note else 0, 1, 0.95))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def outcomes_chart(t: Translate, stats: Statistics) -> bytes:
    """What became of the plans of the period."""
    return _bars(t, stats, t("Outcome of the plans received"), OUTCOMES,
                 t("Plans received: {n}", n=stats.figure("filed")))


def timeliness_chart(t: Translate, stats: Statistics) -> bytes:
    """Written answers on time and late, and those still awaited."""
    median = stats.median_working_days
    days = "" if median is None else f"{median:g}"
    note = t("Median time to answer: {days} working days", days=days) if days else ""
    return _bars(t, stats, t("Written answers and the deadline"), TIMELINESS, note)
