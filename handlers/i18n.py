"""gettext for every user-visible string: Vietnamese first, English complete.

Catalogs are the ``.po`` files under ``locales/``; they are compiled in memory on
first use, so nothing has to be built before the bot or the tests run.
"""

from __future__ import annotations

import gettext as _gettext
import io
from datetime import date
from functools import cache
from importlib import resources

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "cadrebot"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class UntranslatedString(LookupError):
    pass


class _Strict(_gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        raise UntranslatedString(f"not in the catalog: {message!r}")

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        raise UntranslatedString(f"not in the catalog: {msgid1!r}")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (e.g. in workflow/)."""
    return message


_VIETNAMESE_LETTERS = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
                                "áàãéèíìóòõúùý")
_ENGLISH_WORDS = frozenset({
    "i", "am", "the", "of", "who", "whom", "to", "my", "our", "send", "plan", "which",
    "where", "what", "is", "in", "and", "for", "an", "a", "at", "work", "head", "deputy",
    "office",
})


def guess_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language a free-text message is written in, when the person has not said.

    Any Vietnamese letter settles it; so do two English function words in a text
    without one (Vietnamese typed without diacritics has almost none of them).
    """
    lowered = text.lower()
    if any(ch in _VIETNAMESE_LETTERS for ch in lowered):
        return "vi"
    words = {w.strip(".,;:!?\"'()") for w in lowered.split()}
    return "en" if len(words & _ENGLISH_WORDS) >= 2 else default


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    po = resources.files("locales") / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    result = _gettext.GNUTranslations(buffer)
    if _strict:
        result.add_fallback(_Strict())
    return result


_strict = False


def set_strict(on: bool) -> None:
    """Make a string missing from a catalog raise instead of showing its English (the
    tests, and ``CADREBOT_I18N_STRICT`` for a developer trying new screens)."""
    global _strict
    if on != _strict:
        _strict = on
        translations.cache_clear()


class Translator:
    """The strings of one language; ``t("Hello {name}", name=...)`` formats after translating."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._t = translations(self.lang)

    def __call__(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def date(self, value: date, pattern: str = "EEEE, dd/MM/yyyy") -> str:
        """A date the way the user reads it, e.g. "Thứ Ba, 05/01/2027"."""
        return format_date(value, pattern, locale=self.lang)
