"""The command menu lists what its reader may use: a guest what works without an
account (the default menu), a linked cadre the plans and dossiers, someone with a role
at a committee also the desk and the statistics (a menu of their own chat)."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import Start
from tests.telegram.people import Person


def _menu(run: object, scope: str, lang: str | None = None) -> set[str]:
    commands = run.fake.commands.get((scope, lang), [])  # type: ignore[attr-defined]
    return {c["command"] for c in commands}


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_each_reader_sees_the_commands_they_may_use(start_bot: Start,
                                                         framework: str) -> None:
    run = await start_bot(framework)
    guest_menu = _menu(run, "default")
    assert {"thamquyen", "quydinh", "trogiup"} <= guest_menu
    assert not guest_menu & {"kehoach", "hoso", "viec", "thongke"}
    assert "who" in _menu(run, "default", "en") and "plan" not in _menu(run, "default", "en")

    lan = Person(run.fake, 101, "nguyen-thi-lan", core=run.service.core)
    await lan.say(f"/start {run.codes['nguyen-thi-lan']}")
    own = _menu(run, "chat:101")
    assert {"kehoach", "nhap", "hoso", "hanchot"} <= own
    directory = run.service.app.services.directory
    committee = await directory.has_committee_role("nguyen-thi-lan")
    assert ("viec" in own) is committee and ("thongke" in own) is committee
    assert "plan" in _menu(run, "chat:101", "en")

    thoa = Person(run.fake, 102, "tran-thi-kim-thoa", core=run.service.core)
    await thoa.say(f"/start {run.codes['tran-thi-kim-thoa']}")  # the cell's secretary
    assert await directory.has_committee_role("tran-thi-kim-thoa")
    assert {"kehoach", "viec", "thongke"} <= _menu(run, "chat:102")

    guest = Person(run.fake, 555, "Bình", core=run.service.core)
    await guest.say("/help")
    assert "/kehoach" not in guest.text
    assert not _menu(run, "chat:555") & {"kehoach", "viec"}
    assert guest_menu == _menu(run, "default")  # the guests' menu never changed
