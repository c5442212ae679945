"""``cadrebot rules``: list, show and validate routing packs."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import (
    CliError,
    add_json,
    add_lang,
    add_rules_options,
    print_json,
    select_rules,
)
from handlers.i18n import Translator
from workflow.rules import PackError, UnknownPack, bundled_rulebook, load_pack_text
from workflow.rules.loader import check_overlaps
from workflow.rules.model import Pack, render_citations


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("rules", help="routing packs: list, show, validate")
    rules = parser.add_subparsers(dest="rules_command", metavar="ACTION")
    rules.required = True

    listing = rules.add_parser("list", help="the packs this installation knows")
    add_rules_options(listing, pack=False)
    add_json(listing)
    add_lang(listing)
    listing.set_defaults(func=run_list)

    show = rules.add_parser("show", help="one pack in full")
    show.add_argument("pack_id", metavar="ID")
    add_json(show)
    add_lang(show)
    show.set_defaults(func=run_show)

    validate = rules.add_parser("validate", help="check a pack file before installing it")
    validate.add_argument("file", type=Path, metavar="FILE")
    add_lang(validate)
    validate.set_defaults(func=run_validate)


def _period(t: Translator, pack: Pack) -> str:
    start = t.date(pack.effective_from, "dd/MM/yyyy")
    if pack.effective_to is None:
        return t("from {start}", start=start)
    return t("from {start} to {end}", start=start, end=t.date(pack.effective_to, "dd/MM/yyyy"))


def _summary(pack: Pack) -> dict[str, object]:
    return {
        "id": pack.id,
        "version": pack.version,
        "title": {"vi": pack.title.vi, "en": pack.title.en},
        "jurisdiction": pack.jurisdiction,
        "effective_from": pack.effective_from.isoformat(),
        "effective_to": pack.effective_to.isoformat() if pack.effective_to else None,
        "unit_kinds": pack.unit_kind_ids(),
    }


def run_list(args: argparse.Namespace) -> int:
    book = bundled_rulebook()
    rules = select_rules(args)
    chosen = rules.pack.id if rules.in_force else None
    if args.json:
        print_json([_summary(p) | {"selected": p.id == chosen} for p in book.packs()])
        return 0
    t = Translator(args.lang)
    for pack in book.packs():
        marker = t(" (in force for {place} on {day})", place=rules.jurisdiction,
                   day=t.date(rules.on, "dd/MM/yyyy")) if pack.id == chosen else ""
        print(f"{pack.id}{marker}  v{pack.version}  {_period(t, pack)}  {pack.jurisdiction}")
        print(f"    {pack.title.get(args.lang)}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    try:
        pack = bundled_rulebook().get(args.pack_id)
    except UnknownPack as exc:
        raise CliError(f"unknown pack '{exc.pack_id}'; valid packs: {', '.join(exc.known)}") \
            from None
    lang = args.lang
    if args.json:
        data = _summary(pack)
        data["bodies"] = {b.id: b.name.get(lang) for b in pack.bodies}
        data["deadlines"] = {d.id: d.working_days for d in pack.deadlines}
        data["sources"] = {s.id: s.title.get(lang) for s in pack.sources}
        print_json(data)
        return 0
    t = Translator(lang)
    print(f"{pack.id} v{pack.version}: {pack.title.get(lang)}")
    print(t("In force {period}.", period=_period(t, pack)))
    print()
    print(t("Legal sources:"))
    for source in pack.sources:
        print(f"  - {source.title.get(lang)}")
    print()
    print(t("Unit kinds:"))
    for kind in pack.unit_kinds:
        point = f" [{kind.point}]" if kind.point else ""
        print(f"  {kind.id}{point}: {kind.description.get(lang)}")
    if pack.not_covered:
        print()
        print(t("Not covered (the office must be asked):"))
        for case in pack.not_covered:
            print(f"  {case.id}: {case.description.get(lang)}")
    print()
    print(t("Deadlines:"))
    for deadline in pack.deadlines:
        cited = f" [{render_citations(pack, (deadline.citation,), lang)}]" \
            if deadline.citation else ""
        print(f"  {deadline.id}: {deadline.working_days} — {deadline.description.get(lang)}{cited}")
    print()
    print(t("Bodies:"))
    for body in pack.bodies:
        print(f"  {body.id}: {body.name.get(lang)}")
    for note in pack.notes:
        print()
        print(note.get(lang))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    t = Translator(args.lang)
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    try:
        pack = load_pack_text(text, str(args.file))
        # The file would replace a bundled pack of the same id, and must not overlap the rest.
        others = [p for p in bundled_rulebook().packs() if p.id != pack.id]
        try:
            check_overlaps([*others, pack])
        except PackError as exc:
            # Point at the file being checked, whichever of the two packs starts later.
            raise PackError(exc.message, where="effective", line=pack.lines.get("effective"),
                            origin=str(args.file)) from None
    except PackError as exc:
        raise CliError(str(exc), exit_code=1) from None
    print(t("{file}: valid pack '{pack}' version {version}, {count} unit kinds, in force {period}.",
            file=str(args.file), pack=pack.id, version=pack.version,
            count=len(pack.unit_kinds), period=_period(t, pack)))
    return 0
