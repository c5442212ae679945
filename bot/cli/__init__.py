"""The ``cadrebot`` command line: one module per subcommand, composed in an explicit list.

A subcommand's module is imported only when it runs (or for ``--help``, which lists them
all): ``cadrebot deadline`` must not pay for the database, the chat libraries and the
document writers that other commands need (README, Benchmarks: start-up).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from types import ModuleType

# Each module adds its subcommand with ``register(subparsers)`` and sets ``func``; the
# subcommand is the module's name.
COMMANDS = ["run", "console", "route", "ask", "deadline", "calendar", "rules", "org", "db",
            "audit", "reminders", "dossier", "documents", "report"]


def command_module(name: str) -> ModuleType:
    return import_module(f"bot.cli.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or with ``only`` that one (the same parser for
    it: the top level has no options of its own)."""
    parser = argparse.ArgumentParser(
        prog="cadrebot",
        description="Trợ lý hồ sơ sáng tạo, đột phá (Quy định 887-QĐ/TU) / "
        "assistant for creative-plan dossiers",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS if only is None else [only]:
        command_module(name).register(sub)
    return parser


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named first on the command line, when it is one of ours; None for
    ``--help``, a typo or nothing (then every subcommand is registered, to list them)."""
    first = argv[0] if argv else None
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(requested_command(argv))
    args = parser.parse_args(argv)
    from bot.cli.common import CliError
    from bot.settings import ConfigError, load_settings
    from handlers.i18n import set_strict

    try:
        # The one place the configuration is read; every command gets it as args.settings.
        args.settings = load_settings(getattr(args, "env_file", ".env"))
    except ConfigError as exc:
        print(f"cadrebot: {exc}", file=sys.stderr)
        return 2
    set_strict(args.settings.i18n_strict)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"cadrebot: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a traceback.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _is_pack_error(exc):
            raise
        print(f"cadrebot: a rule pack is broken: {exc}", file=sys.stderr)
        return 1


def _is_pack_error(exc: Exception) -> bool:
    # A broken pack can only have been raised by its loader, so the loader is imported
    # already; a command that reads no pack does not import it just for this check.
    loader = sys.modules.get("workflow.rules.loader")
    return loader is not None and isinstance(exc, loader.PackError)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
