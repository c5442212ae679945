"""The gettext catalogs: complete, not fuzzy, placeholders kept, in step with the code."""

from __future__ import annotations

import string

import pytest
from babel.messages.pofile import read_po

from bot.i18n_tools import catalog_path, extract


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _strings(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple) else [str(value or "")]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_string_in_the_code_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    # Each stray string with where it was found: a name that clashes with a gettext
    # keyword (a loop variable ``t``) shows up here as a string nobody meant to translate.
    missing = [f"{m.id!r} at " + ", ".join(f"{file}:{line}" for file, line in m.locations)
               for m in extract() if m.id and catalog.get(m.id) is None]
    assert not missing, f"run `python -m bot.i18n_tools sync` ({lang}): {missing[:5]}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_entry_is_empty_or_fuzzy(lang: str) -> None:
    bad = [m.id for m in _catalog(lang)
           if m.id and (m.fuzzy or not all(_strings(m.string)))]
    assert not bad, f"{lang}: empty or fuzzy entries, e.g. {bad[:5]}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_translations_keep_their_placeholders(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id:
            continue
        expected = _fields(_strings(message.id)[0])
        for text in _strings(message.string):
            assert _fields(text) == expected, f"{lang}: {message.id!r} -> {text!r}"


def test_vietnamese_is_really_vietnamese() -> None:
    # A Vietnamese entry identical to a long English msgid is a forgotten translation.
    copied = [m.id for m in _catalog("vi")
              if m.id and isinstance(m.id, str) and len(m.id.split()) > 2 and m.string == m.id]
    assert not copied, copied[:5]


VIETNAMESE_ONLY = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_english_catalog_has_no_vietnamese_that_its_msgid_lacks() -> None:
    leaked = [m.id for m in _catalog("en") if m.id and any(
        ch in VIETNAMESE_ONLY for text in _strings(m.string) for ch in text.lower())
        and not any(ch in VIETNAMESE_ONLY for ch in str(m.id).lower())]
    assert not leaked, leaked[:5]


@pytest.mark.parametrize(("text", "lang"), [
    ("Tôi là hiệu trưởng trường mầm non", "vi"),
    ("truong phong noi vu thi xa gui ke hoach cho ai", "vi"),
    ("I am the deputy head of the town finance office, who do I send my plan to?", "en"),
    ("UBND xa", "vi"),
])
def test_the_language_of_a_question_is_guessed(text: str, lang: str) -> None:
    from handlers.i18n import guess_language

    assert guess_language(text) == lang
