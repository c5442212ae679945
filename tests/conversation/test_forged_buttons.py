"""Forged and stale button data through the real dispatcher: every flow answers a press it
cannot decode (or no longer accepts) with the same clear sentence and changes nothing."""

from __future__ import annotations

import pytest

from bot.wiring import App
from handlers.buttons import OpenDossier, RegulationArticle, encode
from tests.conversation.harness import Chat

STALE = "Nút này không còn hiệu lực"


@pytest.mark.parametrize("action", [
    "k:v:01", "k:zz:1", "k:rg:1", "k:vt:1:2:z", "k:v:1%3A2",  # the desk
    "d:v:1:2", "d:p:-1",  # my dossiers
    "p:l:x", "p:o:1:zz:0",  # written documents
    "a:1:2", "h:x", "ch:p", "c:k", "c:k:no_such_kind", "q:m:x", "m:lang:xx", "m:go:nowhere",
    "f:stale-0:save", "zz:1", "k:v:" + "9" * 60,
])
async def test_a_forged_press_gets_the_clear_answer_and_changes_nothing(
        app: App, lan: Chat, action: str) -> None:
    await lan.send("/menu")
    before = await app.services.conversations.load("console", lan.account)
    await lan.action(action)
    assert STALE in lan.text, (action, lan.text)
    after = await app.services.conversations.load("console", lan.account)
    assert (after.flow, after.step, _kept(after.data)) == (before.flow, before.step,
                                                           _kept(before.data))


def _kept(data: dict[str, object]) -> dict[str, object]:
    """What a flow keeps, without the buttons last shown (the numbered choices' list)."""
    return {key: value for key, value in data.items() if key != "last_list"}


async def test_a_colon_in_a_string_field_does_not_forge_another_article(lan: Chat) -> None:
    """The escaped ':' stays inside the document id: an article of no document, refused."""
    await lan.action(encode(RegulationArticle("887:4", "1")))
    assert STALE in lan.text


async def test_the_typed_data_presses_like_the_string_it_encodes(lan: Chat) -> None:
    await lan.action(encode(OpenDossier(999_999_999)))  # a dossier nobody has
    assert "Không tìm thấy hồ sơ này trong số việc của đồng chí." in lan.text
