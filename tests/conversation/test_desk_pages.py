"""The desk's lists a page at a time (/viec, the office's overview, /hanchot): for an
office with 35 dossiers, the first page, the next, the previous and the last; forged and
stale page numbers answered; a wrong number typed re-shows the page's buttons; every
page well under Telegram's 4,096 characters; both languages.
"""

from __future__ import annotations

import re

from bot.wiring import App
from handlers.flows.desk_pages import PAGE_SIZE
from tests.conversation.committee_people import NAM, linked
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import actions, file, labels
from workflow.lifecycle import State

TELEGRAM_LIMIT = 4096
REGISTERED, SUBMITTED = 20, 15  # registered ones have a due date: they come first


async def _many(app: App) -> list[int]:
    """35 dossiers at Hồ Văn Nam's office, in the desk's order: soonest due first (the
    registered ones, filed last), those without a due date after them, then by id."""
    waiting = [(await file(app, State.SUBMITTED, title=f"Kế hoạch chờ vào sổ {n}")).id
               for n in range(SUBMITTED)]
    due = [(await file(app, State.REGISTERED, title=f"Kế hoạch có hạn {n}")).id
           for n in range(REGISTERED)]
    assert max(waiting) < min(due)  # so the order is not the ids' order
    return sorted(due) + sorted(waiting)


async def _at_the_desk(app: App, codes: dict[str, str]) -> tuple[list[int], Chat]:
    """The 35 dossiers in order, and Hồ Văn Nam's chat showing /viec's first page."""
    order = await _many(app)
    nam = await linked(app, codes, NAM)
    await nam.send("/viec")
    return order, nam


def shown(chat: Chat) -> list[int]:
    """The dossiers a page lists, by their buttons (``k:v:<id>``), in order."""
    return [int(a.split(":")[2]) for a in actions(chat) if re.fullmatch(r"k:v:\d+", a)]


def page_of(order: list[int], page: int) -> list[int]:
    return order[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]


def fits(chat: Chat) -> None:
    assert all(len(reply.text) < TELEGRAM_LIMIT // 2 for reply in chat.replies), [
        len(reply.text) for reply in chat.replies]


async def test_the_desk_list_comes_a_page_at_a_time_most_urgent_first(
        app: App, codes: dict[str, str]) -> None:
    order, nam = await _at_the_desk(app, codes)
    assert "35 hồ sơ đang chờ đồng chí xử lý — trang 1/4:" in nam.text
    assert shown(nam) == page_of(order, 1)
    assert nam.text.count("Kế hoạch") == PAGE_SIZE  # ten lines, not thirty-five
    assert "Sau ›" in labels(nam) and "‹ Trước" not in labels(nam)
    fits(nam)
    await nam.press("Sau ›")
    assert "trang 2/4" in nam.text and shown(nam) == page_of(order, 2)
    assert {"‹ Trước", "Sau ›"} <= set(labels(nam))
    await nam.press("‹ Trước")
    assert "trang 1/4" in nam.text and shown(nam) == page_of(order, 1)
    for _ in range(3):
        await nam.press("Sau ›")
    assert "trang 4/4" in nam.text and shown(nam) == order[30:]
    assert "Sau ›" not in labels(nam) and "‹ Trước" in labels(nam)
    fits(nam)
    # The pages' buttons are the desk's: a dossier opens from any page.
    await nam.action(f"k:v:{order[31]}")
    assert f"số {order[31]}" in nam.text


async def test_a_forged_or_stale_page_gets_a_clear_answer(
        app: App, codes: dict[str, str]) -> None:
    order = await _many(app)
    nam = await linked(app, codes, NAM)
    await nam.action("k:l:9")  # past the end: the list is shorter than the button says
    assert "Trang đó không còn nữa: danh sách nay chỉ có 4 trang" in nam.text
    assert "trang 4/4" in nam.text and shown(nam) == order[30:]
    await nam.action("k:l:0")  # never drawn
    assert "Nút này không còn hiệu lực" in nam.text
    assert "trang 1/4" in nam.text and shown(nam) == page_of(order, 1)
    for forged in ("k:l:01", "k:l:-1", "k:l:2:3", "k:o:x", "h:l:abc"):
        await nam.action(forged)
        assert "Nút này không còn hiệu lực" in nam.text, forged
    await nam.action("k:o:999999")
    assert "chỉ có 4 trang" in nam.text and "xếp theo hạn — trang 4/4" in nam.text


async def test_a_wrong_number_shows_the_page_last_shown_again(
        app: App, codes: dict[str, str]) -> None:
    order, nam = await _at_the_desk(app, codes)
    await nam.press("Sau ›")
    await nam.send("99")
    assert "Các lựa chọn vừa hiển thị" in nam.text
    assert shown(nam) == page_of(order, 2)  # the second page's buttons, with its arrows
    await nam.press("Sau ›")
    assert "trang 3/4" in nam.text and shown(nam) == page_of(order, 3)


async def test_the_office_overview_is_paged_in_the_same_order(
        app: App, codes: dict[str, str]) -> None:
    order, nam = await _at_the_desk(app, codes)
    await nam.press("Tất cả hồ sơ đang xử lý theo hạn")
    assert "35 hồ sơ đang xử lý, xếp theo hạn — trang 1/4:" in nam.text
    assert shown(nam) == page_of(order, 1)
    fits(nam)
    await nam.press("Sau ›")
    assert shown(nam) == page_of(order, 2)
    assert "Quay lại việc cần xử lý" in " ".join(labels(nam))


async def test_deadlines_come_a_page_at_a_time(app: App, codes: dict[str, str]) -> None:
    await _many(app)
    nam = await linked(app, codes, NAM)
    await nam.send("/hanchot")
    first = nam.text
    assert re.search(r"Đồng chí có \d+ hạn chót, gần nhất ở trên — trang 1/\d+:", first)
    assert first.count("\n• ") == PAGE_SIZE
    assert len(shown(nam)) <= PAGE_SIZE and "Sau ›" in labels(nam)
    fits(nam)
    await nam.press("Sau ›")
    assert "— trang 2/" in nam.text and nam.text != first
    await nam.press("‹ Trước")
    assert nam.text == first
    await nam.action("h:l:0")
    assert "Nút này không còn hiệu lực" in nam.text and nam.text.endswith(first[-200:])


async def test_the_pages_in_english(app: App, codes: dict[str, str]) -> None:
    order = await _many(app)
    nam = await linked(app, codes, NAM)
    await nam.send("/language en")
    await nam.send("/viec")
    assert "35 dossiers are waiting for you — page 1/4:" in nam.text
    await nam.press("Next ›")
    assert "page 2/4" in nam.text and shown(nam) == page_of(order, 2)
    assert "‹ Previous" in labels(nam)
    await nam.action("k:l:7")
    assert "That page is no longer there: the list now has 4 pages." in nam.text
