"""Who is competent? Free text, the guided path, clarifying questions, a cadre's own unit."""

from __future__ import annotations

from bot.wiring import App
from tests.conversation.harness import Chat


def _labels(chat: Chat) -> list[str]:
    return [b.label for r in chat.replies for b in r.all_buttons()]


def _actions(chat: Chat) -> list[str]:
    return [b.action for r in chat.replies for b in r.all_buttons()]


async def test_a_guest_asking_in_their_own_words_gets_the_party_cell_and_the_committee(
        guest: Chat) -> None:
    await guest.send("Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    text = guest.text
    assert "Cấp có thẩm quyền: Đảng ủy xã (phường, thị trấn)" in text
    assert "gửi kế hoạch cho Chi bộ nơi cán bộ sinh hoạt" in text
    # Without an account: how to link one, to file the plan here (a button).
    assert "liên kết tài khoản" in text
    assert "m:link" in _actions(guest)
    assert guest.button("Điều 2").action == "q:a:dp887:2"
    # The whole procedure and its legal basis, on demand.
    assert "Căn cứ" not in text
    await guest.press("Chi tiết quy trình")
    assert "gửi kế hoạch và tài liệu kèm theo cho Chi bộ nơi cán bộ sinh hoạt" in guest.text
    assert "Căn cứ: Điều 2 khoản 1 điểm b" in guest.text


async def test_a_town_cadre_without_diacritics_is_answered_with_the_town_bodies(
        guest: Chat) -> None:
    await guest.send("truong phong noi vu thi xa gui ke hoach dot pha cho ai")
    assert "Thường trực Thị ủy, qua Văn phòng Thị ủy" in guest.text
    assert "Chi bộ nơi cán bộ sinh hoạt" in guest.text
    await guest.press("Chi tiết quy trình")
    assert "Ủy ban nhân dân thị xã" in guest.text  # also inform (point d)


async def test_the_guided_path_goes_by_level_then_unit_kind_in_plain_words(
        guest: Chat) -> None:
    await guest.send("/thamquyen")
    assert "công tác ở đâu" in guest.text
    assert _labels(guest)[:2] == ["Xã, phường, thị trấn", "Cơ quan, đơn vị cấp thị xã"]
    await guest.press("Xã, phường")
    assert "Công an, Quân sự xã" in _labels(guest)
    await guest.press("◀ Quay lại")
    await guest.press("cấp thị xã")
    assert "Công an, Quân sự xã" not in _labels(guest)
    await guest.press("ngành dọc")
    assert "Thường trực Thị ủy" in guest.text
    assert "(điểm đ)" in guest.text
    await guest.press("Chi tiết quy trình")
    assert "Cơ quan chủ quản cấp trên trực tiếp" in guest.text  # point đ: also inform
    # The answer ends the flow: typed text is a new question again.
    await guest.send("Tôi là trưởng công an xã Phổ Châu")
    assert "Công an, Quân sự cấp xã" in guest.text


async def test_a_description_can_be_typed_at_any_step_of_the_guided_path(guest: Chat) -> None:
    await guest.send("/who")
    await guest.press("Xã, phường")
    await guest.press("tự mô tả")
    assert "Tôi là hiệu trưởng trường mầm non xã Phổ Châu" in guest.text  # an example
    await guest.send("Tôi là chủ tịch hội phụ nữ xã Phổ Châu")
    assert "Đảng ủy xã (phường, thị trấn), qua Văn phòng cấp ủy" in guest.text


async def test_a_clarifying_question_is_answered_with_a_button(guest: Chat) -> None:
    await guest.send("Tôi là chủ tịch hội nông dân")
    assert "Chưa xác định chắc chắn" in guest.text
    assert "c:k:commune" in _actions(guest) and "c:k:town_party_agency" in _actions(guest)
    await guest.press("Các ban Thị ủy")
    assert "Thường trực Thị ủy, qua Văn phòng Thị ủy" in guest.text
    assert "(điểm c)" in guest.text


async def test_a_clarifying_question_names_the_cases_the_rules_leave_out(guest: Chat) -> None:
    await guest.send("Tôi là hiệu trưởng")
    assert "Lãnh đạo trường trung học cơ sở (không có cấp tiểu học)" in guest.text
    assert "c:k:commune_school" in _actions(guest)


async def test_a_case_the_rules_do_not_cover_is_said_so_and_sent_to_the_office(
        guest: Chat) -> None:
    await guest.send("Tôi là hiệu trưởng trường THCS Phổ Châu, gửi kế hoạch cho ai?")
    assert "không nêu trường hợp này" in guest.text
    assert "Lý do: Điểm b chỉ nêu" in guest.text
    assert "Văn phòng Thị ủy" in guest.text and "không tự suy đoán" in guest.text
    assert "Cấp có thẩm quyền:" not in guest.text


async def test_a_question_without_a_post_says_what_to_tell_and_offers_the_guided_path(
        guest: Chat) -> None:
    await guest.send("/thamquyen cho tôi hỏi")
    assert "chức vụ, cơ quan, đơn vị" in guest.text and "Ví dụ:" in guest.text
    assert "c:l:commune" in _actions(guest) and "c:l:town" in _actions(guest)


async def test_someone_who_is_not_a_leader_is_told_and_still_helped(guest: Chat) -> None:
    await guest.send("Tôi là giáo viên trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?")
    assert "cán bộ giữ chức vụ lãnh đạo, quản lý" in guest.text
    assert "Cấp có thẩm quyền: Đảng ủy xã" in guest.text


async def test_a_linked_cadre_is_answered_at_once_for_her_own_unit(lan: Chat) -> None:
    await lan.send("/who")
    text = lan.text
    assert "Trường Mầm non Phổ Châu" in text
    assert "Cấp có thẩm quyền: Đảng ủy xã Phổ Châu, qua Văn phòng Đảng ủy xã Phổ Châu." in text
    assert "cho Chi bộ Trường Mầm non Phổ Châu xem xét" in text
    assert "/start" not in text and "m:link" not in _actions(lan)
    await lan.press("Chi tiết quy trình")
    assert "Ban Thường vụ Đảng ủy xã Phổ Châu chủ trì" in lan.text
    # From the menu as well, and "another case" leads to the guided path with "my unit".
    await lan.action("m:go:competent")
    assert "Đảng ủy xã Phổ Châu" in lan.text
    await lan.press("Hỏi trường hợp khác")
    assert "c:me" in _actions(lan)
    await lan.press("Đơn vị của tôi")
    assert "Chi bộ Trường Mầm non Phổ Châu" in lan.text


async def test_another_case_asked_by_a_cadre_does_not_borrow_her_party_cell(lan: Chat) -> None:
    await lan.send("Tôi là trưởng công an xã Phổ Châu, gửi kế hoạch cho ai?")
    assert "Chi bộ nơi cán bộ sinh hoạt" in lan.text
    assert "Chi bộ Trường Mầm non Phổ Châu" not in lan.text


async def test_the_answer_is_in_english_with_the_real_names_beside_the_generic_ones(
        app: App, codes: dict[str, str]) -> None:
    ngoc = Chat(app)  # Nguyễn Thị Bích Ngọc, Phòng Nội vụ, reads English
    await ngoc.send(f"/start {codes['nguyen-thi-bich-ngoc']}")
    await ngoc.send("/who")
    assert "Your unit: Phòng Nội vụ thị xã Đức Phổ" in ngoc.text
    assert ("Competent body: Thường trực Thị ủy Đức Phổ (the Town Party Committee's standing "
            "members), through Văn phòng Thị ủy Đức Phổ") in ngoc.text
    assert ngoc.button("Article 2").action == "q:a:dp887:2"
    guest = Chat(app, language="en")
    await guest.send("/who")
    assert "Where do you work?" in guest.text
    await guest.press("Commune, ward")
    await guest.press("Kindergarten")
    assert "the party cell the cadre belongs to" in guest.text
    assert "link your account" in guest.text and "m:link" in _actions(guest)


async def test_an_english_question_is_answered_in_english(app: App) -> None:
    guest = Chat(app)
    await guest.send("I am the head of the commune police, whom do I send my plan to?")
    assert "Competent body: the commune (ward, township) party committee" in guest.text


async def test_forged_and_stale_buttons_change_nothing(guest: Chat) -> None:
    await guest.send("/who")
    await guest.press("Xã, phường")
    for action in ("c:k:no_such_kind", "c:l:province", "c:k", "c:k:commune:extra", "c:me",
                   "c:zz", "c:"):
        await guest.action(action)
        assert "không còn hiệu lực" in guest.text, action
        # Still at the unit kinds of the commune level.
        assert "c:k:commune_police_military" in _actions(guest), action
    # A kind button from an earlier answer still answers (kind ids are checked, not state).
    await guest.action("c:k:commune_school")
    assert "Cấp có thẩm quyền: Đảng ủy xã" in guest.text


async def test_a_citation_button_opens_the_article_it_cites(guest: Chat) -> None:
    await guest.send("Tôi là trưởng công an xã Phổ Châu, gửi kế hoạch cho ai?")
    await guest.press("Điều 2")
    assert guest.text.startswith("Điều 2, Quy định cụ thể hóa")
    assert "a) Cán bộ (hoặc nhóm cán bộ) đang công tác ở cấp xã" in guest.text
