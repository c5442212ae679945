"""``cadrebot db upgrade``, and how every database command opens the database.

The database is the settings' (``CADREBOT_DATABASE_URL``, else a SQLite file under
``./data`` or ``CADREBOT_DATA_DIR``). Every command that uses it first brings the schema up to date,
so a newcomer never runs a migration by hand. A bad URL or an unreachable server is one
line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import CliError, add_json, add_lang, print_json
from bot.sealing import prepare, seal_for
from bot.settings import ENV_PREFIX, Settings
from handlers.i18n import Translator
from storage import audit
from storage.db import create_engine, is_sqlite
from storage.migrate import MigrationFailed, current_revision, head_revision, upgrade

T = TypeVar("T")
DATABASE_URL_ENV = f"{ENV_PREFIX}DATABASE_URL"
CONNECT_TIMEOUT = 10  # seconds: an unreachable server fails soon, not after a minute


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("db", help="the database: create or upgrade its schema")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True
    up = actions.add_parser(
        "upgrade", help="create or upgrade the configured database",
        description=f"Database: ${DATABASE_URL_ENV}, else cadrebot.sqlite3 in "
                    f"${ENV_PREFIX}DATA_DIR (default: ./data).")
    add_json(up)
    add_lang(up)
    up.set_defaults(func=run_upgrade)


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return f"${DATABASE_URL_ENV}"


def _reason(exc: BaseException) -> str:
    # The driver's own words, first line only (SQLAlchemy adds the statement and a link).
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip() or type(inner).__name__
    return text.splitlines()[0]


def open_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        return create_engine(url)
    return create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT})


def with_database(settings: Settings, t: Translator,
                  work: Callable[[AsyncEngine], Awaitable[T]], *, migrate: bool = True,
                  apart: bool = False) -> T:
    """Run ``work`` on an engine for the configured database, schema brought up to date
    (``apart``: by a child process, for a process that runs on: storage.migrate)."""
    url = settings.database

    async def main() -> T:
        engine = open_engine(url)
        try:
            if migrate:
                await prepare(engine, settings, apart=apart)
            else:
                audit.bind(engine, seal_for(settings))
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (ArgumentError, NoSuchModuleError) as exc:
        raise CliError(t("{env} is not a usable database URL: {reason}", env=DATABASE_URL_ENV,
                         reason=_reason(exc))) from None
    except (MigrationFailed, _migration_error()) as exc:  # e.g. a revision unknown here
        raise CliError(t("Cannot migrate the database {url}: {reason}", url=shown_url(url),
                         reason=_reason(exc))) from None
    except (DBAPIError, OSError, TimeoutError, ImportError, SQLAlchemyError) as exc:
        raise CliError(t("Cannot use the database {url}: {reason}", url=shown_url(url),
                         reason=_reason(exc))) from None


def _migration_error() -> type[Exception]:
    # Evaluated only when something failed: Alembic is not imported just to name it.
    from alembic.util.exc import CommandError

    return CommandError


def run_upgrade(args: argparse.Namespace) -> int:
    t = Translator(args.lang)

    async def work(engine: AsyncEngine) -> tuple[str | None, str | None]:
        before = await current_revision(engine)
        await upgrade(engine)
        return before, await current_revision(engine)

    before, after = with_database(args.settings, t, work, migrate=False)
    url = shown_url(args.settings.database)
    if args.json:
        print_json({"database": url, "from": before, "revision": after, "head": head_revision()})
    elif before == after:
        print(t("Database {url} is up to date: revision {revision}.", url=url, revision=after))
    elif before is None:
        print(t("Database {url} created: revision {revision}.", url=url, revision=after))
    else:
        print(t("Database {url} upgraded from revision {old} to {revision}.", url=url,
                old=before, revision=after))
    return 0
