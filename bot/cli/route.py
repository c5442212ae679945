"""``cadrebot route``: the competent body for a unit kind, for a person or a program."""

from __future__ import annotations

import argparse
from datetime import date

from bot.cli.common import CliError, add_json, add_lang, iso_date, print_json
from handlers.route_answer import render_route, route_as_dict, validity_note
from workflow.rules import UnknownPack, UnknownUnitKind, bundled_rulebook


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("route", help="which body is competent for a unit kind")
    parser.add_argument("--unit-kind", required=True, metavar="KIND",
                        help="unit kind id, e.g. commune, commune_school, town_state_agency")
    parser.add_argument("--pack", metavar="ID", help="rule pack id (default: duc-pho-2022)")
    parser.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD",
                        help="the date the rules are applied on (picks the pack then in force)")
    add_json(parser)
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    book = bundled_rulebook()
    try:
        pack = book.get(args.pack)
        if args.on and not args.pack:
            # A date without a pack means "the rules of this place in force that day".
            pack = book.successor_in_force(pack, args.on) or pack
        pack, kind = book.route(args.unit_kind, pack.id)
    except UnknownPack as exc:
        raise CliError(f"unknown pack '{exc.pack_id}'; valid packs: {', '.join(exc.known)}") \
            from None
    except UnknownUnitKind as exc:
        raise CliError(f"unknown unit kind '{exc.kind}' in pack '{exc.pack}'; valid kinds: "
                       f"{', '.join(exc.known)}") from None
    if args.json:
        print_json(route_as_dict(pack, kind, args.lang))
        return 0
    print(render_route(pack, kind, args.lang))
    on = args.on or date.today()
    note = validity_note(pack, on, book.successor_in_force(pack, on), args.lang)
    if note:
        print()
        print(note)
    return 0
