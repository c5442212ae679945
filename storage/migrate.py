"""Schema migrations (Alembic), run programmatically on an async engine.

The default SQLite database is created and upgraded on first use, so a newcomer never
runs a migration by hand; ``cadrebot db upgrade`` does the same explicitly.
"""

from __future__ import annotations

import ast
import asyncio
import sys
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and Pygments, about 11 MiB) is imported only to migrate or to answer
# what the files alone cannot: a bot restarted on an up-to-date database never loads it.
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction."""
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.upgrade(alembic_config(sync), revision))


class MigrationFailed(Exception):
    """The migration run in a child process failed; the message is its last line."""


async def ensure_schema(engine: AsyncEngine, *, apart: bool = False) -> bool:
    """Upgrade when the database is behind; True when something was done.

    ``apart``: migrate in a child process, so that a long-running process (``cadrebot
    run``) never loads Alembic and the migrations (about 14 MiB it would keep for good);
    not for an in-memory database, which only this process sees."""
    head = head_of_files()
    if head is not None and await stamped_revision(engine) == head:
        return False
    if apart and head is not None and not _in_memory(engine.url):
        await upgrade_apart(engine.url)
        return True
    if await current_revision(engine) == head_revision():
        return False
    await upgrade(engine)
    return True


def _in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or "mode=memory" in str(url))


async def upgrade_apart(url: URL) -> None:
    """``upgrade`` to the head in a child process (this module run as a program). The URL
    goes on its standard input, not its command line, where others could read it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storage.migrate", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await process.communicate(url.render_as_string(hide_password=False).encode())
    if process.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise MigrationFailed(lines[-1] if lines else f"exit code {process.returncode}")


def head_of_files() -> str | None:
    """The head revision from the migration files' ``revision`` and ``down_revision``
    lines, without Alembic; None unless the chain has exactly one head of plain values
    (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in (resources.files("storage") / "migrations" / "versions").iterdir():
        if not file.name.endswith(".py") or file.name == "__init__.py":
            continue
        values = _assigned(file.read_text(encoding="utf-8"), ("revision", "down_revision"))
        revision, parent = values.get("revision"), values.get("down_revision", ...)
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return None
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _assigned(source: str, names: tuple[str, ...]) -> dict[str, object]:
    """Module-level ``name = <constant>`` (or annotated) assignments among ``names``."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            # Anything but a constant (a tuple of parents, a name) is not a plain value.
            found[target.id] = value.value if isinstance(value, ast.Constant) else ...
    return found


async def stamped_revision(engine: AsyncEngine) -> str | None:
    """The one revision the database is stamped with; None when there is no stamp (or
    several: branches are Alembic's to read)."""
    async with engine.connect() as connection:
        if not await connection.run_sync(
                lambda sync: inspect(sync).has_table(VERSION_TABLE)):
            return None
        rows = (await connection.execute(
            text(f"SELECT version_num FROM {VERSION_TABLE}"))).scalars().all()
    return rows[0] if len(rows) == 1 else None


def autogenerate(engine_url: str, message: str) -> None:  # pragma: no cover - developer tool
    """Write a new revision from the models' difference to ``engine_url`` (a dev database)."""
    import asyncio

    from alembic import command

    from storage.db import create_engine

    async def run() -> None:
        engine = create_engine(engine_url)
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.revision(
                alembic_config(sync), message=message, autogenerate=True))
        await engine.dispose()

    asyncio.run(run())


def _main() -> int:
    """The child of ``upgrade_apart``: the URL on standard input; one line on failure."""
    from storage.db import create_engine

    async def run(url: str) -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run(sys.stdin.read().strip()))
    except Exception as exc:  # reported to the parent, which raises it
        # The driver's own words, first line only (as bot.cli.db says them in-process).
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        sys.stderr.write(f"{reason[0] if reason else type(exc).__name__}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
