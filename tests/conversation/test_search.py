"""Finding dossiers through the chat (/timkiem): the office finds a closed one with or
without diacritics, a proposer finds only their own, a guest is asked to link first
(people in ``committee_people``)."""

from __future__ import annotations

from dataclasses import replace

from bot.wiring import App
from tests.conversation.committee_people import NAM, linked, to_appraised, vote_all
from tests.conversation.harness import Chat
from tests.conversation.test_dossiers import LAN, PHONG, actions, file, labels, stored
from tests.fakes import COMPLETE_PLAN
from workflow import services as svc
from workflow.commands import CreateDraft, SendWrittenAnswer, Submit
from workflow.dossier import Dossier
from workflow.lifecycle import State


async def _rejected_and_closed(app: App, codes: dict[str, str]) -> tuple[int, Chat]:
    """Lan's plan (Trường Mầm non Phổ Châu), not approved by the vote, the written answer
    recorded (through the service: the answer's drafting is another test's): closed.
    The office's chat."""
    dossier_id, nam, hoa = await to_appraised(app, codes)
    await vote_all(app, codes, dossier_id, nam, hoa, "rrrrrrrrr")
    assert (await stored(app, dossier_id)).state is State.REJECTED
    services = app.services
    await svc.send_written_answer(SendWrittenAnswer(
        actor=await services.directory.actor(NAM), dossier_id=dossier_id,
        reference="17-CV/ĐU"), services.uow(), services.clock)
    assert (await stored(app, dossier_id)).state is State.CLOSED
    return dossier_id, nam


async def _sent_by_the_commune(app: App) -> Dossier:
    """Phạm Thị Thu Sương's plan (the commune's own staff: no cell), sent to Hồ Văn Nam."""
    services, directory = app.services, app.services.directory
    person = "pham-thi-thu-suong"
    pack = services.rulebook.get("duc-pho-2022")
    actor = await directory.actor(person)
    draft = await svc.create_draft(CreateDraft(
        actor=actor, unit_kind="commune", plan=replace(COMPLETE_PLAN,
                                                       title="Số hóa hồ sơ hộ tịch"),
        bodies=await directory.route_bodies(person, pack)), services.uow(), services.clock,
        pack)
    return await svc.submit(Submit(actor=actor, dossier_id=draft.id), services.uow(),
                            services.clock)


async def test_the_office_finds_a_closed_dossier_with_and_without_diacritics(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam = await _rejected_and_closed(app, codes)
    elsewhere = await file(app, State.AT_CELL, person=PHONG,
                           title="Liên thông mầm non và tiểu học")  # another ward's
    for words in ("mam non", "Mầm Non", "MẦM NON phổ châu", "17-CV/ĐU"):
        await nam.send(f"/timkiem {words}")
        assert "Tìm thấy 1 hồ sơ:" in nam.text, words
        assert f"{dossier_id}. “Số hóa hồ sơ một cửa tại trường” — đã kết thúc, năm 2026" \
            in nam.text, words
        assert f"k:v:{dossier_id}" in actions(nam)
        assert f"k:v:{elsewhere.id}" not in actions(nam)
    # The result opens the desk's card of the dossier.
    await nam.action(f"k:v:{dossier_id}")
    assert f"Hồ sơ số {dossier_id}" in nam.text and "17-CV/ĐU" in nam.text


async def test_the_year_and_the_state_buttons_narrow_the_search(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam = await _rejected_and_closed(app, codes)
    await nam.send("/timkiem mầm non năm 2025")
    assert "Không tìm thấy hồ sơ nào." in nam.text and "năm 2025" in nam.text
    await nam.press("Bỏ năm và bộ lọc")
    assert f"{dossier_id}. “Số hóa" in nam.text
    await nam.press("Đang xử lý")
    assert "Không tìm thấy hồ sơ nào." in nam.text and "đang xử lý" in nam.text
    await nam.press("Bỏ năm và bộ lọc")
    await nam.press("Đã kết thúc")
    assert f"{dossier_id}. “Số hóa" in nam.text and "Mọi trạng thái" in labels(nam)
    # Typed text while the results are shown is a new search.
    await nam.send("mam non 2026")
    assert "Tìm theo: “mam non”; năm 2026." in nam.text
    assert f"k:v:{dossier_id}" in actions(nam)
    # A filter button from a search that is over is refused.
    await nam.send("/huy")
    await nam.action("s:st:f")
    assert "không còn hiệu lực" in nam.text


async def test_the_results_are_narrowed_to_one_unit_by_its_button(
        app: App, codes: dict[str, str]) -> None:
    dossier_id, nam = await _rejected_and_closed(app, codes)
    commune = await _sent_by_the_commune(app)
    await nam.send("/timkiem so hoa ho so")
    assert "Tìm thấy 2 hồ sơ:" in nam.text
    await nam.press("Trường Mầm non Phổ Châu")
    assert "Tìm thấy 1 hồ sơ:" in nam.text and "Trường Mầm non Phổ Châu." in nam.text
    assert f"k:v:{dossier_id}" in actions(nam) and f"k:v:{commune.id}" not in actions(nam)
    await nam.press("Mọi đơn vị")
    assert "Tìm thấy 2 hồ sơ:" in nam.text


async def test_a_proposer_finds_only_their_own_dossiers(
        app: App, codes: dict[str, str]) -> None:
    mine = await file(app, State.SUBMITTED, title="Bếp ăn bán trú mầm non")
    other = await file(app, State.AT_CELL, person=PHONG, title="Sân chơi mầm non")
    lan = await linked(app, codes, LAN)
    await lan.send("/timkiem")
    assert "Đồng chí cần tìm hồ sơ nào?" in lan.text and "Hủy" in labels(lan)
    await lan.send("bep an ban tru")
    assert "Tìm thấy 1 hồ sơ:" in lan.text
    assert f"d:v:{mine.id}" in actions(lan)  # her own card, in "My dossiers"
    await lan.send("mam non")
    assert f"d:v:{mine.id}" in actions(lan)
    assert f"v:{other.id}" not in " ".join(actions(lan))
    await lan.action(f"d:v:{mine.id}")
    assert f"Hồ sơ số {mine.id}" in lan.text
    phong = await linked(app, codes, PHONG)
    await phong.send("/search mam non")
    assert f"d:v:{other.id}" in actions(phong) and f"v:{mine.id}" not in " ".join(
        actions(phong))
    assert (await stored(app, mine.id)).proposer == LAN


async def test_someone_without_a_part_finds_nothing_and_a_guest_is_asked_to_link(
        app: App, codes: dict[str, str], guest: Chat) -> None:
    await file(app, State.SUBMITTED, title="Bếp ăn bán trú mầm non")
    stranger = await linked(app, codes, "le-thi-ngoc-han")  # a teacher, no dossier
    await stranger.send("/timkiem mam non")
    assert "Không tìm thấy hồ sơ nào." in stranger.text
    await guest.send("/timkiem mam non")
    assert "liên kết tài khoản" in guest.text and "Tìm thấy" not in guest.text
    await guest.action("s:st:f")
    assert "liên kết tài khoản" in guest.text
