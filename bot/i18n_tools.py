"""Keep the gettext catalogs in step with the code: ``python -m bot.i18n_tools sync``.

1. extract every marked string (``t("...")``, ``N_("...")``, ``_("...")``) from our packages;
2. update ``locales/{vi,en}/LC_MESSAGES/cadrebot.po`` (new ids added, vanished ones dropped);
3. fill empty Vietnamese entries from ``locales/pending/*.po`` (translations written beside
   new code, merged here so that several people never edit one catalog at once);
4. English is the source language: an empty English entry takes its msgid.

``check`` reports what is missing instead of writing; the test suite runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "workflow", "storage", "reports")
KEYWORDS = {"t": None, "N_": None, "_": None, "gettext": None,
            "plural": (1, 2), "ngettext": (1, 2)}
LOCALES = ROOT / "locales"
DOMAIN = "cadrebot"


def extract() -> Catalog:
    template = Catalog(project="cadrebot", domain=DOMAIN, charset="utf-8")
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
        ):
            template.add(message, None, [(f"{package}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    return template


def catalog_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="cadrebot", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _pending() -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for path in sorted((LOCALES / "pending").glob("*.po")):
        for message in _read(path, "vi"):
            if message.id and message.string and not message.fuzzy:
                found[message.id] = message.string
    return found


def sync() -> list[str]:
    pending = _pending()
    missing: list[str] = []
    for lang in ("vi", "en"):
        path = catalog_path(lang)
        catalog = _read(path, lang)
        created = catalog.creation_date  # kept: a rewrite with no new string changes nothing
        # A fresh template per language: Catalog.update adds the template's message
        # objects themselves, so sharing one would leak Vietnamese into English.
        catalog.update(extract(), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.creation_date = catalog.revision_date = created
        for message in catalog:
            if not message.id:
                continue
            empty = not message.string or (
                isinstance(message.string, tuple) and not all(message.string))
            if lang == "vi" and empty and message.id in pending:
                message.string = pending[message.id]
            elif lang == "en" and empty:
                message.string = message.id
            message.flags.discard("fuzzy")
            still_empty = not message.string or (
                isinstance(message.string, tuple) and not all(message.string))
            if still_empty:
                missing.append(f"{lang}: {message.id!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, omit_header=False,
                     include_lineno=False)
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "sync"
    if command != "sync":
        print("usage: python -m bot.i18n_tools sync", file=sys.stderr)
        return 2
    missing = sync()
    for line in missing:
        print(f"untranslated {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
