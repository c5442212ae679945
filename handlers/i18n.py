"""gettext for every user-visible string: Vietnamese first, English complete.

Catalogs are the ``.po`` files under ``locales/``; they are read in memory on first
use, so nothing has to be built before the bot or the tests run. They are read here, not
with Babel's catalog reader: that one (and its import) took most of a quick command's
start-up (README, Benchmarks: start-up). The result is what Babel compiled, entry for
entry (a test compares the two on the real catalogs).
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

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
    result = read_catalog(po.read_text(encoding="utf-8"), lang)
    if _strict:
        result.add_fallback(_Strict())
    return result


class Catalog(_gettext.GNUTranslations):
    """Translations read from a ``.po`` text: the lookups of a compiled ``.mo``."""

    def __init__(self, entries: dict[Any, str], plural: Callable[[int], int]):
        super().__init__()  # no file: nothing to parse
        self._catalog = entries
        self.plural = plural  # type: ignore[method-assign]
        self._charset = "utf-8"


_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_PLURAL_FORMS = re.compile(r"^Plural-Forms:\s*nplurals=\s*(\d+)\s*;\s*plural=(.*?);?\s*$",
                           re.MULTILINE | re.IGNORECASE)


def _unquote(text: str) -> str:
    text = text[1:-1]
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def read_catalog(text: str, lang: str) -> _gettext.NullTranslations:
    """The entries a ``.po`` text gives once compiled as Babel compiles it (without fuzzy
    entries, without untranslated ones; an empty plural form falls back to the msgid)."""
    entries: list[tuple[dict[str, list[str]], bool]] = []
    current: dict[str, list[str]] = {}
    fuzzy = False
    key = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line[0] == "#":
            if line[1:2] in ("-", "~"):  # a merge conflict or an obsolete entry
                return _with_babel(text, lang)
            if current:
                entries.append((current, fuzzy))
                current, fuzzy = {}, False
            if line[1:2] == ",":
                fuzzy = fuzzy or "fuzzy" in (f.strip() for f in line[2:].split(","))
            continue
        if line[0] == '"':
            current[key].append(_unquote(line))
            continue
        key, _, arg = line.partition(" ")
        if key in ("msgid", "msgctxt") and "msgid" in current:
            entries.append((current, fuzzy))
            current, fuzzy = {}, False
        current[key] = [_unquote(arg)] if arg != '""' else []
    if current:
        entries.append((current, fuzzy))

    header = next(("".join(e["msgstr"]) for e, _ in entries
                   if e.get("msgid") == [] and "msgctxt" not in e and "msgstr" in e), "")
    forms = _PLURAL_FORMS.search(header)
    if forms is None or not all(_expected(entry) for entry, _ in entries):
        return _with_babel(text, lang)  # what this reader does not expect: Babel decides
    count = int(forms.group(1))
    catalog: dict[Any, str] = {"": header}
    for entry, is_fuzzy in entries:
        msgid = "".join(entry.get("msgid", []))
        if not msgid or is_fuzzy or "msgid" not in entry:
            continue
        context = "".join(entry["msgctxt"]) + "\x04" if "msgctxt" in entry else ""
        if "msgid_plural" in entry:
            ids = (msgid, "".join(entry["msgid_plural"]))
            for index in range(count):
                form = "".join(entry.get(f"msgstr[{index}]", []))
                catalog[(context + msgid, index)] = form or ids[min(index, 1)]
        else:
            translated = "".join(entry.get("msgstr", []))
            if translated:
                catalog[context + msgid] = translated
    return Catalog(catalog, _gettext.c2py(forms.group(2)))


def _expected(entry: dict[str, list[str]]) -> bool:
    """An entry as Babel writes them: a plural has only indexed forms, others one msgstr."""
    forms = {key for key in entry if key not in ("msgctxt", "msgid", "msgid_plural")}
    if "msgid_plural" in entry:
        return all(re.fullmatch(r"msgstr\[\d+\]", key) for key in forms)
    return forms == {"msgstr"}


def _with_babel(text: str, lang: str) -> _gettext.GNUTranslations:
    """Babel's reader and compiler, for a catalog this module's reader does not expect."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.StringIO(text), locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


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
        from babel.dates import format_date

        return format_date(value, pattern, locale=self.lang)
