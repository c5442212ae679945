"""Helpers shared by the subcommands: errors, options, dates, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any


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
