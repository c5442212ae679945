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
# English words that are not also Vietnamese syllables once the diacritics are gone:
# "an" (công an, chánh án), "to" (tờ trình, tổ), "the" (thế), "my" (Mỹ), "am", "in", "a"
# and "i" are, so they say nothing about the language.
_ENGLISH_WORDS = frozenset({
    "who", "whom", "which", "where", "what", "how", "should", "does", "is", "are", "was",
    "of", "and", "for", "with", "from", "our", "your", "i'm", "send", "submit", "plan",
    "plans", "proposal", "idea", "work", "works", "working", "deputy", "head", "office",
    "director", "school", "principal", "committee", "party", "commune", "ward", "town",
    "district", "province", "provincial", "police", "teacher", "company", "bank",
    "chairman", "secretary", "department", "agency", "people's", "people",
})
# Vietnamese words as typed without diacritics: evidence the other way.
_VIETNAMESE_WORDS = frozenset({
    "toi", "la", "cua", "gui", "cho", "ai", "nao", "dau", "ve", "voi", "va", "duoc",
    "khong", "minh", "em", "anh", "chi", "truong", "pho", "xa", "phuong", "huyen", "tinh",
    "ke", "hoach", "can", "bo", "dang", "uy", "nop", "ho", "so", "chu", "tich", "phong",
    "cong", "an", "to", "trinh", "tung", "chanh", "giam", "doc", "hieu", "thi", "ban",
    "cap", "nhan", "dan", "lanh", "dao", "sang", "kien", "de", "xuat", "o", "thuoc",
})


def guess_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language a free-text message is written in, when the person has not said.

    Any Vietnamese letter settles it. Without one, English needs two words that are
    English only (never a syllable Vietnamese typed without diacritics also has) and
    more of them than Vietnamese words typed without diacritics.
    """
    lowered = text.lower()
    if any(ch in _VIETNAMESE_LETTERS for ch in lowered):
        return "vi"
    words = [w.strip(".,;:!?\"'()") for w in lowered.split()]
    english = sum(w in _ENGLISH_WORDS for w in words)
    vietnamese = sum(w in _VIETNAMESE_WORDS for w in words)
    return "en" if english >= 2 and english > vietnamese else default


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
