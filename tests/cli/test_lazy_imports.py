"""Each command imports what it needs, and no more (issue 18: start-up and memory).

Every check runs in a fresh interpreter, since this test process has imported everything
already; each reads ``sys.modules`` after the import or the command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import COMMANDS, main

# Never needed to answer a question from the rules or the calendar.
HEAVY = ("aiogram", "telegram", "aiohttp", "httpx", "sqlalchemy", "alembic", "redis",
         "apscheduler", "docx", "lxml", "openpyxl", "matplotlib", "storage", "reports",
         "documents", "pydantic", "pydantic_settings", "dotenv", "holidays")
ROOT = Path(__file__).resolve().parents[2]
ROUTE_QUESTION = "Tôi là hiệu trưởng trường mầm non xã Tân Phước, gửi kế hoạch cho ai?"


def loaded_after(code: str, tmp_path: Path) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; the top-level packages it left imported and
    how many of the holidays package's country modules."""
    probe = code + """
import json, sys
print(json.dumps({
    "top": sorted({name.split(".")[0] for name in sys.modules}),
    "countries": sum(1 for n in sys.modules if n.startswith("holidays.countries.")),
    "events": "workflow.events" in sys.modules,
    "cli": sorted(n for n in sys.modules if n.startswith("bot.cli.")),
    "catalog_reader": "babel.messages" in sys.modules,
    "pack_loader": "workflow.rules.loader" in sys.modules,
}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
    env["CADREBOT_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_command(argv: list[str]) -> str:
    return ("import contextlib, io\nfrom bot.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main({argv!r}) == 0\n")


@pytest.mark.parametrize("argv", [
    ["deadline", "--from", "2026-11-23", "--working-days", "30"],
    ["route", "--unit-kind", "commune"],
    ["ask", ROUTE_QUESTION],
], ids=["deadline", "route", "ask"])
def test_the_quick_commands_load_no_database_chat_or_document_library(
        argv: list[str], tmp_path: Path) -> None:
    loaded = loaded_after(run_command(argv), tmp_path)
    top = loaded["top"]
    assert isinstance(top, list)
    assert [name for name in HEAVY if name in top] == []
    # Only the subcommand asked for is imported, not its siblings.
    assert loaded["cli"] == sorted([f"bot.cli.{argv[0]}", "bot.cli.common"])
    # The calendar reads Vietnam's days from the table written from the holidays package
    # (no country module at all); the settings need the reminder policy, not every
    # domain event.
    assert loaded["countries"] == 0
    assert loaded["events"] is False
    # The catalogs are read without Babel's .po reader; the place in the settings is
    # checked from the packs' headers, so only a command that answers from the rules
    # loads (and parses) packs.
    assert loaded["catalog_reader"] is False
    assert loaded["pack_loader"] is (argv[0] != "deadline")


def test_the_settings_read_an_env_file_with_python_dotenv_only_when_there_is_one(
        tmp_path: Path) -> None:
    code = "from bot.settings import load_settings\nsettings = load_settings()\n"
    assert "dotenv" not in loaded_after(code, tmp_path)["top"]  # type: ignore[operator]
    (tmp_path / ".env").write_text("CADREBOT_LANGUAGE=en\n", encoding="utf-8")
    top = loaded_after(code + "assert settings.language == 'en'\n", tmp_path)["top"]
    assert isinstance(top, list) and "dotenv" in top and "pydantic" not in top


def test_importing_a_command_module_imports_no_heavy_library(tmp_path: Path) -> None:
    loaded = loaded_after("import bot.cli, bot.cli.deadline, bot.cli.route, bot.cli.ask\n",
                          tmp_path)
    top = loaded["top"]
    assert isinstance(top, list)
    assert [name for name in HEAVY if name in top] == []
    assert loaded["cli"] == [f"bot.cli.{name}" for name in ("ask", "common", "deadline",
                                                             "route")]


def test_the_bot_with_python_telegram_bot_loads_neither_aiogram_nor_aiohttp(
        tmp_path: Path) -> None:
    # What ``cadrebot run --framework ptb`` imports for Telegram alone, by polling: no
    # aiogram, no aiohttp server or Zalo client, no Redis unless configured, and no
    # document writer until a document is made.
    code = "import bot.cli.run, bot.runner, bot.telegram.ptb_adapter\n"
    top = loaded_after(code, tmp_path)["top"]
    assert isinstance(top, list)
    assert [name for name in ("aiogram", "aiohttp", "redis", "docx", "lxml", "openpyxl",
                              "matplotlib") if name in top] == []
    assert "telegram" in top and "sqlalchemy" in top  # what it does need (the probe works)


def test_vietnam_alone_gives_the_packages_holidays(tmp_path: Path) -> None:
    code = """
from workflow.vietnam_holidays import vietnam_holidays
own = vietnam_holidays(range(2024, 2028), "vi")
import sys
alone = sum(1 for n in sys.modules if n.startswith("holidays.countries."))
import holidays
package = holidays.country_holidays("VN", years=range(2024, 2028), language="vi")
assert dict(own) == dict(package) and own.weekend_workdays == package.weekend_workdays
assert isinstance(package, type(own))  # one class: the package reuses the module loaded
assert alone == 1, alone
"""
    # The package's own lookup of Vietnam finds the module already loaded, too.
    assert loaded_after(code, tmp_path)["countries"] == 1


def test_a_broken_rule_pack_is_still_one_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    # The CLI recognises a broken pack without importing the pack loader itself.
    # Imported first, so its loader stays the real one for the tests that follow.
    import bot.cli.route
    import bot.settings  # noqa: F401
    import workflow.rules
    from workflow.rules.loader import PackError

    def broken() -> None:
        raise PackError("unit_kinds: missing", origin="two-level-2025.yaml", line=7)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(workflow.rules, "bundled_rulebook", broken)
    assert main(["route", "--unit-kind", "commune"]) == 1
    assert capsys.readouterr().err.strip() == (
        "cadrebot: a rule pack is broken: two-level-2025.yaml:7: unit_kinds: missing")


def test_help_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    listed = capsys.readouterr().out
    assert all(f"    {name} " in listed or f"    {name}\n" in listed for name in COMMANDS)


def test_an_unknown_command_is_refused_with_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["deadlines"])
    assert stop.value.code == 2
    assert "invalid choice: 'deadlines'" in capsys.readouterr().err


def test_a_restart_on_an_up_to_date_database_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cadrebot.sqlite3'}"
    ensure = ("import asyncio\nfrom storage.db import create_engine\n"
              "from storage.migrate import ensure_schema\n"
              "async def go() -> bool:\n"
              f"    engine = create_engine({url!r})\n"
              "    try:\n        return await ensure_schema(engine)\n"
              "    finally:\n        await engine.dispose()\n"
              "done = asyncio.run(go())\n")
    first = loaded_after(ensure + "assert done\n", tmp_path)["top"]
    assert isinstance(first, list) and "alembic" in first  # created: Alembic migrated it
    again = loaded_after(ensure + "assert not done\n", tmp_path)["top"]
    assert isinstance(again, list) and "alembic" not in again and "sqlalchemy" in again


def test_a_bot_migrating_a_new_database_apart_never_loads_alembic(tmp_path: Path) -> None:
    # ``cadrebot run`` migrates in a child process: it would keep Alembic for good.
    url = f"sqlite+aiosqlite:///{tmp_path / 'cadrebot.sqlite3'}"
    ensure = ("import asyncio\nfrom storage.db import create_engine\n"
              "from storage.migrate import ensure_schema, head_of_files, stamped_revision\n"
              "async def go() -> tuple[bool, bool]:\n"
              f"    engine = create_engine({url!r})\n"
              "    try:\n        done = await ensure_schema(engine, apart=True)\n"
              "        return done, await stamped_revision(engine) == head_of_files()\n"
              "    finally:\n        await engine.dispose()\n"
              "done, at_head = asyncio.run(go())\nassert done and at_head\n")
    loaded = loaded_after(ensure, tmp_path)["top"]
    assert isinstance(loaded, list) and "alembic" not in loaded and "sqlalchemy" in loaded
    loaded = loaded_after(ensure.replace("assert done and", "assert not done and"),
                          tmp_path)["top"]
    assert isinstance(loaded, list) and "alembic" not in loaded


def test_the_head_read_from_the_files_is_alembics() -> None:
    from storage.migrate import head_of_files, head_revision

    assert head_of_files() == head_revision() is not None
