"""Issue 16 (items 2 and 5): the right words for each reader. The evaluation ballot is
announced in its own terms; no internal value reaches a history line or a notice, in
either language; the proposer is not sent the committee's duties; each duty's button
names it; the office reads who holds an approved dossier, not "you"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.wiring import App
from handlers.flows.dossier_view import detail_text, notice_names
from handlers.i18n import Translator
from handlers.notifications import render
from storage.db import session_factory
from storage.models import OutboxMessage
from tests.conversation.committee_people import (
    MEMBERS,
    NAM,
    linked,
    sign_paper,
    to_appraised,
    vote_all,
)
from tests.conversation.harness import Chat, SettableClock
from tests.conversation.test_dossiers import stored
from workflow.lifecycle import State

INTERNAL = ("approved", "evaluated", "no_consensus", "rejected", "quorum_not_met",
            "re_prepare", "report_incident", "hệ thống tự động", "done automatically")


def internal_in(text: str) -> list[str]:
    """The internal codes found in ``text``: a code quoted as a note, a code with an
    underscore anywhere, or the system named as the actor; in Vietnamese, any code."""
    lowered = text.lower()
    found = [code for code in INTERNAL if f"“{code}”" in lowered or
             ("_" in code and code in lowered)]
    if "hệ thống tự động" in lowered or "done automatically" in lowered:
        found.append("system")
    return found


def english_code_in(text: str) -> list[str]:
    """Vietnamese text showing an English internal value as a word of its own."""
    words = set(text.lower().replace("“", " ").replace("”", " ").replace(":", " ").split())
    return [code for code in INTERNAL if code in words]


async def to_implementing(app: App, codes: dict[str, str], lan: Chat) -> tuple[int, Chat,
                                                                              dict[str, Chat]]:
    """Approved, answered, started, an incident reported: the office's chat and members'."""
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    assert (await stored(app, dossier_id)).state is State.APPROVED
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    await sign_paper(nam, "18")
    await lan.notifications()
    await lan.press("Bắt đầu thực hiện")
    assert (await stored(app, dossier_id)).state is State.IMPLEMENTING
    return dossier_id, nam, chats


async def evaluated(app: App, codes: dict[str, str], lan: Chat, clock: SettableClock,
                    choice: str = "a") -> tuple[int, Chat, dict[str, Chat]]:
    """Completed, the evaluation put to the vote and every member votes ``choice``."""
    dossier_id, nam, chats = await to_implementing(app, codes, lan)
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo hoàn thành")
    await lan.send("Đã số hóa toàn bộ hồ sơ năm học.")
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Đưa kết quả đánh giá ra tập thể")
    await nam.press("e)")
    await nam.press("Xong: đưa ra biểu quyết")
    await nam.press("1 ngày")
    await nam.send("Hiệu quả rõ rệt; đề nghị khen thưởng.")
    ballot = (await stored(app, dossier_id)).ballot_ids[-1]
    for member in MEMBERS:
        await chats[member].action(f"k:vt:{dossier_id}:{ballot}:{choice}")
    if (await stored(app, dossier_id)).state is State.EVALUATION_OPEN:  # closed at its time
        clock.current += timedelta(days=3)
        await nam.action(f"k:v:{dossier_id}")
        await nam.press("Kết thúc biểu quyết")
    assert (await stored(app, dossier_id)).state is not State.EVALUATION_OPEN
    return dossier_id, nam, chats


async def every_notice(app: App, lang: str) -> list[tuple[str, str, str]]:
    """Every outbox notice, sent or not, rendered for its person in ``lang``:
    (person, event, text)."""
    async with session_factory(app.engine)() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars())
    found = []
    for row in rows:
        if not row.person_id or "event" not in row.payload:
            continue
        person = await app.services.directory.person(row.person_id)
        assert person is not None
        reply = await render(app.services, replace(person, language=lang), row.payload)
        found.append((row.person_id, str(row.payload["event"]), reply.text))
    return found


async def history(app: App, dossier_id: int, lang: str) -> str:
    dossier = await stored(app, dossier_id)
    names = await notice_names(app.services, dossier, lang)
    now = app.services.clock.now()
    return detail_text(dossier, names, now.date(), app.services.calendar, Translator(lang),
                       now.tzinfo)


async def test_the_evaluation_vote_is_announced_in_its_own_words(
        app: App, codes: dict[str, str], lan: Chat, clock: SettableClock) -> None:
    dossier_id, _nam, _chats = await evaluated(app, codes, lan, clock)
    assert (await stored(app, dossier_id)).state is State.EVALUATED
    closed = [text for _p, event, text in await every_notice(app, "vi")
              if event == "BallotClosed" and "kết quả đánh giá" in text]
    assert closed, "the evaluation vote's result is announced"
    for text in closed:
        assert "thông qua kết quả đánh giá" in text
        assert "chủ trương" not in text and "chuẩn bị lại" not in text
    english = [text for _p, event, text in await every_notice(app, "en")
               if event == "BallotClosed" and "evaluation" in text]
    assert english and all("adopted the evaluation" in t and "re-prepare" not in t
                           for t in english)
    vi = await history(app, dossier_id, "vi")
    assert "tập thể thông qua kết quả đánh giá" in vi


async def test_an_evaluation_not_adopted_says_so(
        app: App, codes: dict[str, str], lan: Chat, clock: SettableClock) -> None:
    dossier_id, _nam, _chats = await evaluated(app, codes, lan, clock, choice="r")
    closed = [text for _p, event, text in await every_notice(app, "vi")
              if event == "BallotClosed" and "kết quả đánh giá" in text]
    assert closed and all("không thông qua kết quả đánh giá" in t for t in closed)
    assert "không thông qua kết quả đánh giá" in await history(app, dossier_id, "vi")


async def test_no_internal_code_in_any_history_line_or_notice_in_either_language(
        app: App, codes: dict[str, str], lan: Chat, clock: SettableClock) -> None:
    dossier_id, nam, _chats = await evaluated(app, codes, lan, clock)
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc hồ sơ")
    assert (await stored(app, dossier_id)).state is State.CLOSED
    for lang in ("vi", "en"):
        text = await history(app, dossier_id, lang)
        assert internal_in(text) == [], (lang, text)
        assert lang == "en" or english_code_in(text) == [], text
        for person, event, notice in await every_notice(app, lang):
            assert internal_in(notice) == [], (lang, person, event, notice)
            assert lang == "en" or english_code_in(notice) == [], (person, event, notice)
    await lan.send(f"/hoso {dossier_id}")
    assert internal_in(lan.text) == [] and "đã đánh giá, kết luận" in lan.text


async def test_a_ballot_closed_by_its_rule_is_the_collective_s_decision() -> None:
    from datetime import datetime

    from handlers.flows.dossier_view import Names, history_line
    from workflow.dossier import HistoryEntry
    from workflow.lifecycle import Action
    from workflow.rules import bundled_rulebook

    names = Names({}, {}, bundled_rulebook(), "vi")
    entry = HistoryEntry(Action.CLOSE_BALLOT, State.BALLOT_OPEN, State.NO_CONSENSUS,
                         "system", datetime(2026, 11, 25, 10, 0), "no_consensus")
    vi = history_line(entry, names, Translator("vi"), None)
    assert "kết quả biểu quyết của tập thể" in vi and internal_in(vi) == []
    en = history_line(entry, names, Translator("en"), None)
    assert "the collective's vote" in en and internal_in(en) == []
    closed = HistoryEntry(Action.CLOSE, State.EVALUATED, State.CLOSED, NAM,
                          datetime(2026, 11, 25, 10, 0), "evaluated")
    assert "“evaluated”" not in history_line(closed, names, Translator("en"), None)
    assert "sau khi đã đánh giá" in history_line(closed, names, Translator("vi"), None)


async def test_the_proposer_is_not_sent_the_committee_s_duties(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _chats = await to_implementing(app, codes, lan)
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo rủi ro")
    await lan.send("Phần mềm lỗi làm mất dữ liệu một buổi.")
    await lan.notifications()
    # The proposer's copy is about her report, not the committee's duty to report upward.
    assert "Phần mềm lỗi" in lan.text
    assert "cấp trên trực tiếp" not in lan.text and "nhiệm vụ" not in lan.text.lower()
    lan_events = {event for person, event, _t in await every_notice(app, "vi")
                  if person == "nguyen-thi-lan"}
    assert "ObligationCreated" not in lan_events
    # The committee is told of the duty.
    await nam.notifications()
    assert "cấp trên trực tiếp" in nam.text
    # A button of a notice pressed by the proposer shows her own dossier, not the desk.
    await lan.action(f"k:v:{dossier_id}")
    labels = [b.label for r in lan.replies for b in r.all_buttons()]
    assert "‹ Quay lại việc cần xử lý" not in labels
    assert "Nhiệm vụ chưa thực hiện" not in lan.text


async def test_each_duty_button_names_its_duty(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _chats = await to_implementing(app, codes, lan)
    for summary in ("Phần mềm lỗi làm mất dữ liệu.", "Máy chủ hỏng ổ cứng."):
        await lan.send(f"/hoso {dossier_id}")
        await lan.press("Báo cáo rủi ro")
        await lan.send(summary)
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Đề nghị bảo vệ")
    await lan.send("Đề nghị bảo vệ trước phản ánh sai sự thật.")
    await nam.action(f"k:v:{dossier_id}")
    duties = [b.label for r in nam.replies for b in r.all_buttons()
              if b.action.startswith(("k:od:", "k:pd:"))]
    assert len(duties) == 3, duties
    assert any("rủi ro, sai sót" in d for d in duties)
    assert any("đề nghị bảo vệ" in d for d in duties)
    assert all(len(d) <= 45 for d in duties), duties
    assert "Đánh dấu đã báo cáo" not in " ".join(duties)
    assert not any(d == "Văn bản: xem dự thảo, ghi số" for d in duties)


async def test_the_office_reads_who_implements_an_approved_dossier(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, _chats = await to_implementing(app, codes, lan)
    await nam.action(f"k:v:{dossier_id}")
    assert "đồng chí tổ chức triển khai thực hiện" not in nam.text
    assert "người đề xuất (đồng chí Nguyễn Thị Lan) tổ chức triển khai thực hiện" in nam.text
    await lan.send(f"/hoso {dossier_id}")
    assert "đồng chí tổ chức triển khai thực hiện" in lan.text
    office = await linked(app, codes, NAM)
    await office.send("/viec")
    assert "đồng chí tổ chức triển khai thực hiện" not in office.text
