"""Helpers shared by the subcommands: errors, options, dates, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflow.rules import Selection


class CliError(Exception):
    """A one-line explanation for the user; the exit code says what kind of failure."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=["vi", "en"], default="vi",
                        help="language of the answer (default: vi)")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for programs")


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD with a clear message."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def add_rules_options(parser: argparse.ArgumentParser, *, pack: bool = True) -> None:
    """The options that choose the rules: by default the pack in force today for the
    installation's place (CADREBOT_JURISDICTION), as the assistant itself chooses."""
    parser.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD",
                        help="the day the rules are applied on (default: today, or the "
                             "training date)")
    parser.add_argument("--jurisdiction", metavar="PLACE",
                        help="the place whose rules apply (default: CADREBOT_JURISDICTION)")
    if pack:
        parser.add_argument("--pack", metavar="ID",
                            help="answer with this pack even if it is not the one in force")


def select_rules(args: argparse.Namespace) -> Selection:
    """The pack for these options: the same rule of selection as the running assistant."""
    from workflow.rules import UnknownJurisdiction, UnknownPack, bundled_rulebook

    settings = args.settings
    on = args.on or settings.rules_day()
    book = bundled_rulebook()
    try:
        return book.select(on, jurisdiction=args.jurisdiction or settings.jurisdiction,
                           pack_id=getattr(args, "pack", None))
    except UnknownPack as exc:
        raise CliError(f"unknown pack '{exc.pack_id}'; valid packs: {', '.join(exc.known)}") \
            from None
    except UnknownJurisdiction as exc:
        raise CliError(f"unknown jurisdiction '{exc.jurisdiction}'; known: "
                       f"{', '.join(exc.known)}") from None
