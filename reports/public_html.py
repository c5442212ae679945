"""The published results as one static HTML page an installation puts on its portal
(887 Điều 5 khoản 3: "để lan tỏa việc làm tốt và tạo điều kiện cho Nhân dân giám sát").

Self-contained: UTF-8, the style inline, no script, no outside resource, readable on a
phone (one column of cards). Every text from the records is escaped. The page names the
publishing committees and the day it was made; nothing about a person is on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from reports import Translate, day
from reports.public_notice import forms_text, outcome_text
from workflow.publishing import CommitteeResults, Publication

PAGE = "index.html"
_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:"Times New Roman",Georgia,serif;color:#1a1a1a;background:#f6f4ef;
line-height:1.5;font-size:17px}
header{background:#a50e0e;color:#fff;padding:1rem}
header p{margin:.25rem 0 0;font-size:.95rem}
h1{margin:0;font-size:1.35rem;line-height:1.3}
main{max-width:52rem;margin:0 auto;padding:1rem}
h2{font-size:1.15rem;border-bottom:2px solid #a50e0e;padding-bottom:.25rem;margin-top:1.5rem}
article{background:#fff;border:1px solid #ddd5c4;border-radius:6px;padding:.75rem 1rem;
margin:.75rem 0}
h3{margin:0 0 .5rem;font-size:1.05rem}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem}
dt{font-weight:bold;color:#555}
dd{margin:0}
footer{max-width:52rem;margin:0 auto;padding:1rem;font-size:.9rem;color:#555}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
"""


def public_page(t: Translate, results: Sequence[CommitteeResults], made_on: date,
                lang: str = "vi") -> str:
    """The page of ``results`` (by committee), made on ``made_on``."""
    names = ", ".join(r.name for r in results)
    title = t("Published results of encouragement")
    count = sum(len(r.publications) for r in results)
    updated = t("Updated on {day}", day=day(t, made_on))
    intro = t("To spread good work and enable the people to oversee it, the committees make "
              "public the results of the plans they evaluated and the encouragement decided "
              "({count} plans).", count=count)
    credit = t("Published by {committees}. Page made on {day}.", committees=names,
               day=day(t, made_on))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(names)}</p>",
        f"<p>{escape(updated)}</p>",
        "</header>",
        "<main>",
        f"<p>{escape(intro)}</p>",
    ]
    for committee in results:
        parts.append(f'<section id="{escape(committee.committee)}">')
        parts.append(f"<h2>{escape(committee.name)}</h2>")
        parts += [_card(t, p) for p in committee.publications]
        parts.append("</section>")
    parts += [
        "</main>",
        "<footer>",
        f"<p>{escape(credit)}</p>",
        "</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _card(t: Translate, publication: Publication) -> str:
    rows = [(t("Unit"), publication.unit),
            (t("Evaluated on"), day(t, publication.evaluated_on.date())),
            (t("Result"), outcome_text(t, publication)),
            (t("Forms of encouragement"), forms_text(t, publication))]
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
                    for label, value in rows if value)
    return (f"<article><h3>{escape(publication.title)}</h3>"
            f"<dl>{items}</dl></article>")
