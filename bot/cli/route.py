"""``cadrebot route``: the competent body for a unit kind, for a person or a program."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, add_json, add_lang, add_rules_options, print_json, select_rules
from handlers.route_answer import render_route, route_as_dict, validity_note
from workflow.rules import UnknownUnitKind, bundled_rulebook


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("route", help="which body is competent for a unit kind")
    parser.add_argument("--unit-kind", required=True, metavar="KIND",
                        help="unit kind id, e.g. commune, commune_school, commune_agency")
    add_rules_options(parser)
    add_json(parser)
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rules = select_rules(args)
    try:
        pack, kind = bundled_rulebook().route(args.unit_kind, rules.pack.id)
    except UnknownUnitKind as exc:
        raise CliError(f"unknown unit kind '{exc.kind}' in pack '{exc.pack}' (the rules for "
                       f"{rules.on.isoformat()}); valid kinds: {', '.join(exc.known)}") from None
    note = validity_note(pack, rules.on, args.lang)
    if args.json:
        print_json(route_as_dict(pack, kind, args.lang) | rules.as_dict() | {"note": note})
        return 0
    print(render_route(pack, kind, args.lang))
    if note:
        print()
        print(note)
    return 0
