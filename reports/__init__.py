"""Reports rendered from the domain's figures: workbooks, charts, short summaries.

Rendering lives here, apart from ``workflow`` (pure figures) and ``handlers`` (the
conversation), so that the chat and the command line draw the same files. Every label
goes through the caller's translator (``handlers.i18n.Translator`` fits ``Translate``).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class Translate(Protocol):
    lang: str

    def __call__(self, message: str, **params: object) -> str: ...

    def date(self, value: date, pattern: str = ...) -> str: ...


def decimal(value: float, lang: str) -> str:
    """A figure as its reader writes it: "15,5" in Vietnamese, "15.5" in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, "#,##0.#", locale=lang)


def day(t: Translate, value: date) -> str:
    return t.date(value, "dd/MM/yyyy")


def period_text(t: Translate, start: date, end: date) -> str:
    return t("{start} to {end}", start=day(t, start), end=day(t, end))
