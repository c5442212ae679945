"""The filing wizard refuses what it cannot take, says why, and changes nothing:
too short or too long answers, a regulation without a reference, unacceptable files,
a refused declaration, stickers, files where text is expected, stale or forged buttons."""

from __future__ import annotations

from bot.wiring import App
from handlers.messages import Attachment
from tests.conversation.harness import Chat
from tests.conversation.test_filing import PROBLEM, TITLE, answer_sections
from workflow.lifecycle import State

MB = 1024 * 1024


def token(chat: Chat) -> str:
    """The token the current step's buttons carry (``f:<token>:<verb>``)."""
    return chat.button("Lưu").action.split(":")[1]


def pdf(n: int, size: int = MB) -> Attachment:
    return Attachment(f"tg-{n}", f"tai-lieu-{n}.pdf", "application/pdf", size, f"{n:064x}")


async def to_files_step(chat: Chat) -> None:
    await chat.send("/plan")
    await chat.send(TITLE)
    await chat.press("Chưa được quy định")
    await answer_sections(chat)
    await chat.press("Bỏ qua: tôi đề xuất một mình")
    assert "Bước 8/9" in chat.text


async def test_sections_too_short_or_too_long_are_refused_with_an_example(lan: Chat) -> None:
    await lan.send("/plan")
    await lan.send("Số hóa")
    assert "quá ngắn" in lan.text and "ít nhất 10" in lan.text
    assert "Bước 1/9" in lan.text and "Ví dụ:" in lan.text
    await lan.send("x" * 201)
    assert "quá dài" in lan.text and "tối đa 200" in lan.text and "Bước 1/9" in lan.text
    await lan.send(TITLE)
    await lan.press("Chưa được quy định")
    await lan.send("Phụ huynh đi lại nhiều lần.")
    assert "quá ngắn" in lan.text and "Bước 3/9" in lan.text
    await lan.send("y" * 3001)
    assert "quá dài" in lan.text and "tài liệu đính kèm" in lan.text
    await lan.send(PROBLEM)
    assert "Bước 4/9" in lan.text


async def test_the_unsuited_kind_needs_a_regulation_with_its_reference(lan: Chat) -> None:
    await lan.send("/plan")
    await lan.send(TITLE)
    await lan.send("đã có quy định nhưng chưa phù hợp")  # typed, "chưa" notwithstanding
    assert "Văn bản quy định nào" in lan.text
    await lan.send("Quy định về hồ sơ giấy của tỉnh")
    assert "số hiệu hoặc năm ban hành" in lan.text and "Bước 2/9" in lan.text
    await lan.press("Quay lại")
    await lan.send("không biết")
    assert "gõ 1 hoặc 2" in lan.text and "Bước 2/9" in lan.text
    await lan.press("Có quy định nhưng không phù hợp")
    await lan.send("Quyết định 15/2021/QĐ-UBND, Điều 5")
    assert "Cơ quan nào ban hành" in lan.text
    await lan.send("UB")
    assert "quá ngắn" in lan.text
    await lan.send("UBND tỉnh Quảng Ngãi")
    assert "Bước 3/9" in lan.text


async def test_attachments_of_the_wrong_type_too_big_repeated_or_too_many_are_refused(
        lan: Chat, app: App) -> None:
    await to_files_step(lan)
    await lan.send(attachments=(Attachment("tg-x", "cai-dat.exe", None, 1000),))
    assert "Chưa thêm “cai-dat.exe”" in lan.text and "pdf, doc, docx" in lan.text
    await lan.send(attachments=(pdf(1, 21 * MB),))
    assert "21,0 MB" in lan.text and "tối đa 20 MB" in lan.text
    await lan.send(attachments=(Attachment("tg-photo", "", "image/jpeg", 300_000, "b" * 64),))
    assert "Đã đính kèm: tệp.jpg (293 KB)" in lan.text  # a photo sent without a name
    await lan.send(attachments=(pdf(2),))
    await lan.send(attachments=(pdf(2),))
    assert "đã được đính kèm" in lan.text and "(2/10)" in lan.text
    await lan.send(attachments=tuple(pdf(n) for n in range(3, 12)))
    assert "(10/10)" in lan.text and "Chưa thêm “tai-lieu-11.pdf”" in lan.text
    assert "tối đa 10 tệp" in lan.text
    await lan.press("Gỡ tai-lieu-2.pdf")
    assert "Đã gỡ: tai-lieu-2.pdf" in lan.text and "(9/10)" in lan.text
    await lan.send("tài liệu ở trên")
    assert "dưới dạng tệp" in lan.text and "Bước 8/9" in lan.text
    await lan.send("xong")
    assert "Bước 9/9" in lan.text
    await lan.press("Lưu")
    [draft] = await app.services.directory.dossiers_of("nguyen-thi-lan")
    assert len(draft.plan.attachments) == 9 and "tệp.jpg" in draft.plan.attachments


async def test_a_refused_declaration_keeps_the_plan_from_being_sent(lan: Chat,
                                                                     app: App) -> None:
    await to_files_step(lan)
    await lan.press("Bỏ qua: không có tài liệu")
    await lan.press("Tôi chưa thể cam kết")
    assert "chưa thể gửi đi" in lan.text and "Bước 9/9" in lan.text
    await lan.send("không")
    assert "chưa thể gửi đi" in lan.text
    await lan.send("có lẽ")
    assert "bấm một trong các nút" in lan.text
    await lan.press("Lưu")  # a draft without the declaration is fine
    await lan.send("/cancel")
    await lan.send("/draft")
    assert "Bước 9/9" in lan.text  # the declaration is the first missing part
    [draft] = await app.services.directory.dossiers_of("nguyen-thi-lan")
    assert draft.state is State.DRAFT and not draft.plan.common_good


async def test_stickers_files_and_unknown_commands_mid_wizard_reshow_the_step(
        lan: Chat) -> None:
    await lan.send("/plan")
    await lan.send(TITLE)
    await lan.send(None)  # a sticker
    assert "tin nhắn văn bản" in lan.text and "Bước 2/9" in lan.text
    await lan.press("Chưa được quy định")
    await lan.send(attachments=(pdf(1),))
    assert "cần nội dung văn bản" in lan.text and "bước 8" in lan.text
    assert "Bước 3/9" in lan.text
    await lan.send("/frobnicate")
    assert "/frobnicate" in lan.text and "Bước 3/9" in lan.text
    await lan.send("/help")
    assert "/draft" in lan.text and "Bước 3/9" in lan.text
    await lan.send("/language en")
    assert "Step 3/9" in lan.text


async def test_stale_and_forged_buttons_change_nothing(lan: Chat, app: App) -> None:
    await lan.send("/plan")
    await lan.send(TITLE)
    old_kind = lan.button("Chưa được quy định")
    await lan.press("Chưa được quy định")
    assert "Bước 3/9" in lan.text
    step3 = token(lan)
    await lan.action(old_kind.action.replace(":nr", ":ru"))  # an earlier step's button
    assert "không còn hiệu lực" in lan.text and "Bước 3/9" in lan.text
    for forged in ("f", "f:", "f:zz", f"f:{step3}", f"f:{step3}:kind:nr",
                   f"f:{step3}:frob", f"f:{step3}:save:1", f"f:{step3}:edit:title",
                   f"f:{step3}:open:0", f"f:{step3}:del:0"):
        await lan.action(forged)
        assert "không còn hiệu lực" in lan.text and "Bước 3/9" in lan.text, forged
    await answer_sections_from_problem(lan)
    await lan.send("Thoa")
    await lan.action(f"f:{token(lan)}:add:7")  # index out of range
    assert "không còn hiệu lực" in lan.text
    await lan.action(f"f:{token(lan)}:add:-1")
    assert "không còn hiệu lực" in lan.text
    await lan.send("Nguyễn Thị Lan")  # oneself is not a co-proposer
    assert "Không tìm thấy người nào khác" in lan.text
    await lan.send("zzzz")
    assert "Không tìm thấy" in lan.text and "Bước 7/9" in lan.text
    await lan.send("/cancel")
    await lan.action(f"f:{step3}:back")  # after the wizard ended
    assert "không còn hiệu lực" in lan.text and "Đồng chí cần làm gì?" in lan.text
    [draft] = await app.services.directory.dossiers_of("nguyen-thi-lan")  # autosaved
    assert draft.state is State.DRAFT and draft.co_proposers == ()


async def answer_sections_from_problem(chat: Chat) -> None:
    await answer_sections(chat)
    assert "Bước 7/9" in chat.text
