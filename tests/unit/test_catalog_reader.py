"""The catalogs are read without Babel's reader, with the result Babel's compiler gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from handlers.i18n import DOMAIN, LANGUAGES, Catalog, read_catalog
from handlers.i18n import _with_babel as _babel  # Babel's reader and compiler

LOCALES = Path(__file__).resolve().parents[2] / "locales"

EDGES = r'''# A header, then what a catalog may hold.
msgid ""
msgstr ""
"Language: @LANG\n"
"Plural-Forms: nplurals=@N; plural=@EXPR;\n"
"Content-Type: text/plain; charset=utf-8\n"

#: bot/a.py
#, python-brace-format
msgid "Hello {name}"
msgstr "Xin chào {name}"

#, fuzzy
msgid "Not sure yet"
msgstr "Chưa chắc"

msgid "Untranslated"
msgstr ""

msgid ""
"Two "
"lines\n"
msgstr ""
"Hai "
"dòng\n"

msgid "Quote \" tab \t backslash \\ bell \a"
msgstr "Ngoặc \" tab \t gạch \\ chuông \a"

msgctxt "button"
msgid "Open"
msgstr "Mở"

msgid "Open"
msgstr "Mở ra"

msgid "{n} day"
msgid_plural "{n} days"
msgstr[0] "{n} ngày"
msgstr[1] ""

#, fuzzy, python-brace-format
msgid "{n} file"
msgid_plural "{n} files"
msgstr[0] "{n} tệp"
msgstr[1] "{n} tệp"
'''


def _entries(translations: Any) -> dict[Any, str]:
    return {k: v for k, v in translations._catalog.items() if k != ""}  # "": the header


def _same(text: str, lang: str) -> Catalog:
    ours, babel = read_catalog(text, lang), _babel(text, lang)
    assert isinstance(ours, Catalog)  # read here, not handed to Babel
    assert _entries(ours) == _entries(babel)
    assert [ours.plural(n) for n in range(200)] == [babel.plural(n) for n in range(200)]
    return ours


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_bundled_catalogs_read_as_babel_compiles_them(lang: str) -> None:
    text = (LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po").read_text(encoding="utf-8")
    assert len(_entries(_same(text, lang))) > 1000


@pytest.mark.parametrize(("lang", "n", "expr"), [("vi", 1, "0"), ("en", 2, "(n != 1)")])
def test_fuzzy_untranslated_plural_context_and_escapes_as_babel(lang: str, n: int,
                                                                 expr: str) -> None:
    ours = _same(EDGES.replace("@LANG", lang).replace("@N", str(n)).replace("@EXPR", expr),
                 lang)
    assert ours.gettext("Not sure yet") == "Not sure yet"  # fuzzy: left out
    assert ours.gettext("Untranslated") == "Untranslated"
    assert ours.gettext("Two lines\n") == "Hai dòng\n"
    assert ours.pgettext("button", "Open") == "Mở" and ours.gettext("Open") == "Mở ra"
    assert ours.ngettext("{n} day", "{n} days", 2) == ("{n} days" if n == 2 else "{n} ngày")


def test_what_the_reader_does_not_expect_is_left_to_babel() -> None:
    obsolete = EDGES.replace("@LANG", "en").replace("@N", "2").replace(
        "@EXPR", "(n != 1)") + '\n#~ msgid "Gone"\n#~ msgstr "Đã bỏ"\n'
    assert not isinstance(read_catalog(obsolete, "en"), Catalog)
    assert _entries(read_catalog(obsolete, "en")) == _entries(_babel(obsolete, "en"))
    no_plural_forms = 'msgid ""\nmsgstr "Language: en\\n"\n\nmsgid "A"\nmsgstr "B"\n'
    assert read_catalog(no_plural_forms, "en").gettext("A") == "B"
