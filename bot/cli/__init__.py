"""The ``cadrebot`` command line: one module per subcommand, composed in an explicit list."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import (
    ask,
    audit,
    calendar,
    console,
    db,
    deadline,
    documents,
    dossier,
    org,
    reminders,
    report,
    route,
    rules,
    run,
)
from bot.cli.common import CliError
from bot.settings import ConfigError, load_settings
from handlers.i18n import set_strict
from workflow.rules import PackError

# Each module adds its subcommand with ``register(subparsers)`` and sets ``func``.
COMMANDS = [run, console, route, ask, deadline, calendar, rules, org, db, audit, reminders,
            dossier, documents, report]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cadrebot",
        description="Trợ lý hồ sơ sáng tạo, đột phá (Quy định 887-QĐ/TU) / "
        "assistant for creative-plan dossiers",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except PackError as exc:
        print(f"cadrebot: a rule pack is broken: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a traceback.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
