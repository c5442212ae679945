"""Folding text for search: Vietnamese written with or without diacritics, in any case.

"Trường Mầm non Tân Phước" and "truong mam non tan phuoc" fold to the same text, so a
person who types on a phone without a Vietnamese keyboard finds what was written with
one. The stored side and the typed side go through the same functions.
"""

from __future__ import annotations

import re
import unicodedata

# A run of letters and digits, or one other visible character ("15-CV/ĐU" -> 15 - cv / du).
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")


def fold(text: str) -> str:
    """``text`` without diacritics (đ -> d), lower case, whitespace collapsed to one space.

    Compatibility forms are unified first (NFKD: full-width letters, ligatures), then
    every combining mark is dropped: "Trường Mầm non" -> "truong mam non".
    """
    # Đ/đ is a letter of its own, not d with a mark: Unicode does not decompose it.
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def fold_words(text: str) -> list[str]:
    """The folded words of ``text``; punctuation stands apart as words of its own, so that
    "Mầm non (Phổ Châu)" gives mam, non, (, pho, chau, )."""
    return _TOKEN.findall(fold(text))


def search_text(*parts: str | None) -> str:
    """The searchable form of several texts: their folded words, one space apart."""
    return " ".join(word for part in parts if part for word in fold_words(part))
