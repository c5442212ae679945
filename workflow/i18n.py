"""Marking user-visible strings in the domain without importing ``handlers``.

``workflow`` must not depend on the conversation layer, yet its error messages and
labels are shown to users. They are written in English and marked with :func:`N_`
so that ``python -m bot.i18n_tools sync`` extracts them; ``handlers`` translates
them when it renders a reply.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` as a gettext msgid; returns it unchanged (translated later)."""
    return message
