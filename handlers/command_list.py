"""The commands a chat platform lists in its menu, in each language's own words.

Vietnamese readers see the Vietnamese commands (/kehoach, /hoso...), English readers
the English ones; both work for everyone. Only commands the assistant knows are
listed, so a flow that is not installed never appears in the menu, and only those the
reader can use: a guest (no linked account) sees what works without one, a cadre adds
plans and dossiers, someone with a committee role adds the desk and the statistics.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import IntEnum

from handlers.i18n import N_, Translator


class Audience(IntEnum):
    """Who reads a command menu; each sees the commands of the levels up to theirs."""

    GUEST = 0
    CADRE = 1
    COMMITTEE = 2


# Beyond what a guest may use: the level a command needs (unlisted: anyone).
NEEDS: dict[str, Audience] = {
    **dict.fromkeys(("kehoach", "plan", "nhap", "draft", "hoso", "dossiers", "timkiem",
                     "search", "hanchot", "deadlines", "khancap", "emergency", "kenh",
                     "channel"), Audience.CADRE),
    **dict.fromkeys(("viec", "tasks", "thongke", "stats", "congbo", "publish"),
                    Audience.COMMITTEE),
}

# Answered by the assistant itself, whatever flows are installed.
BUILT_IN = frozenset({"start", "help", "trogiup", "menu", "cancel", "huy", "language",
                      "ngonngu"})

ENTRIES: dict[str, tuple[tuple[str, str], ...]] = {
    "vi": (
        ("kehoach", N_("Prepare a new plan")),
        ("nhap", N_("Continue my saved plan")),
        ("hoso", N_("My dossiers and their deadlines")),
        ("viec", N_("Dossiers waiting for me at the committee")),
        ("timkiem", N_("Find a dossier, closed ones included")),
        ("thongke", N_("Statistics of the plans (committees)")),
        ("congbo", N_("Published results: the public notice and web page")),
        ("hanchot", N_("Upcoming deadlines")),
        ("thamquyen", N_("Which body is competent for my plan")),
        ("quydinh", N_("Search the regulations")),
        ("khancap", N_("Report an action taken in an emergency")),
        ("kenh", N_("Which chat app my notifications go to")),
        ("menu", N_("Main menu")),
        ("trogiup", N_("Help")),
        ("ngonngu", N_("Language: Tiếng Việt or English")),
        ("huy", N_("Stop what I am doing")),
    ),
    "en": (
        ("plan", N_("Prepare a new plan")),
        ("draft", N_("Continue my saved plan")),
        ("dossiers", N_("My dossiers and their deadlines")),
        ("tasks", N_("Dossiers waiting for me at the committee")),
        ("search", N_("Find a dossier, closed ones included")),
        ("stats", N_("Statistics of the plans (committees)")),
        ("publish", N_("Published results: the public notice and web page")),
        ("deadlines", N_("Upcoming deadlines")),
        ("who", N_("Which body is competent for my plan")),
        ("regulations", N_("Search the regulations")),
        ("emergency", N_("Report an action taken in an emergency")),
        ("channel", N_("Which chat app my notifications go to")),
        ("menu", N_("Main menu")),
        ("help", N_("Help")),
        ("language", N_("Language: Tiếng Việt or English")),
        ("cancel", N_("Stop what I am doing")),
    ),
}


def command_list(lang: str, known: Collection[str],
                 audience: Audience = Audience.COMMITTEE) -> list[tuple[str, str]]:
    """(command, description) pairs for ``lang``, limited to commands that work and
    that ``audience`` may use."""
    t = Translator(lang)
    return [(command, t(description)) for command, description in ENTRIES.get(lang, ())
            if (command in BUILT_IN or command in known)
            and NEEDS.get(command, Audience.GUEST) <= audience]
