"""A migrated SQLite database with the demo organisation and invitation codes, built once
per test process and copied (with its audit key and anchors) for each test that needs one.

Importing the demo organisation and issuing its codes costs about two thousand
statements; a copy of the file costs one. Each test still gets a database of its own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from pathlib import Path

from storage import audit
from storage.db import create_engine, session_factory
from storage.invitations import issue_invitations
from storage.migrate import upgrade
from storage.organisation import demo_text, import_chart, parse_org_text

_built: tuple[Path, dict[str, str]] | None = None
_empty: Path | None = None


async def empty_database(target: Path) -> None:
    """Put a migrated, empty SQLite database at ``target`` (a new file)."""
    global _empty
    if _empty is None:
        folder = Path(tempfile.mkdtemp(prefix="cadrebot-empty-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = create_engine(f"sqlite+aiosqlite:///{folder / 'empty.sqlite3'}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        _empty = folder / "empty.sqlite3"
    shutil.copyfile(_empty, target)


async def _build() -> tuple[Path, dict[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="cadrebot-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "demo.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    audit.bind(engine, audit.load_seal(folder))
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            chart = parse_org_text(demo_text("duc-pho-2022"), "demo")
            await import_chart(session, chart)
            issued = await issue_invitations(session, chart.organisation.id)
    finally:
        await engine.dispose()  # the last connection folds the WAL into the file
    return path, {i.person: i.code for i in issued}


async def demo_database(target: Path) -> dict[str, str]:
    """Put the demo database at ``target`` (a new file); the invitation codes by person."""
    global _built
    if _built is None:  # tests of one process run one at a time
        _built = await _build()
    source, codes = _built
    if target.exists():
        raise FileExistsError(f"{target}: a test's database is copied once")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    # The key and anchors go with it: the app finds them beside the database.
    for name in (audit.KEY_FILE, audit.ANCHOR_FILE):
        shutil.copyfile(source.parent / name, target.parent / name)
    return dict(codes)


# The demo organisation is the Đức Phổ town of the seeds (2022 structure). The tests that
# play it keep today's calendar and clock but apply the rules of its period, as an
# installation set with CADREBOT_JURISDICTION and CADREBOT_RULES_DATE would.
DEMO_2022_RULES: dict[str, object] = {"jurisdiction": "quang-ngai/duc-pho",
                                      "rules_date": date(2025, 6, 2)}

