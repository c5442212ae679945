"""The committee's side through the chat, the desk's finer points: appraisal councils,
refused buttons, vote comments, conflicts of interest, quorum, forwarding upward and
the evaluation ballot (people in ``committee_people``).
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from bot.wiring import App
from tests.conversation.committee_people import (
    HOA,
    MEMBERS,
    NAM,
    THOA,
    close_vote,
    co_proposed,
    docx_text,
    linked,
    meeting_open,
    sign_paper,
    to_appraised,
    vote_all,
)
from tests.conversation.harness import Chat, SettableClock
from tests.conversation.test_dossiers import actions, file, stored
from workflow.lifecycle import State
from workflow.voting import Basis, VotingRule


async def test_the_office_forms_an_appraisal_council_with_a_due_date(
        app: App, codes: dict[str, str]) -> None:
    dossier = await file(app, State.REGISTERED)
    nam = await linked(app, codes, NAM)
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Giao thẩm định")
    await nam.press("hội đồng thẩm định")
    assert not any(b.label.startswith("Xong") for r in nam.replies for b in r.all_buttons())
    await nam.press("Lê Thị Hoa")
    assert "Đã chọn: Lê Thị Hoa." in nam.text
    await nam.press("Võ Văn Dũng")
    await nam.press("Xong: 2 thành viên")
    await nam.press("15 ngày làm việc")
    council = await stored(app, dossier.id)
    assert council.state is State.APPRAISAL_ASSIGNED and council.appraisal_council
    assert set(council.appraisers) == {HOA, "vo-van-dung"}
    assert "hội đồng thẩm định" in nam.text
    dung = await linked(app, codes, "vo-van-dung")
    await dung.notifications()
    assert "thành viên hội đồng thẩm định" in dung.text
    assert "Thẩm định: khả thi" in [b.label for r in dung.replies for b in r.all_buttons()]


async def test_assignment_buttons_refuse_the_wrong_role_stale_and_forged_ones(
        app: App, codes: dict[str, str]) -> None:
    dossier = await file(app, State.REGISTERED)
    version = dossier.version
    member = await linked(app, codes, "tran-thi-be")  # a member, not the office
    for action in (f"k:aa:{dossier.id}:{version}", f"k:as:{dossier.id}:{version}:0:10",
                   f"k:cd:{dossier.id}:{version}:3:10", f"k:ld:{dossier.id}:{version}:5"):
        await member.action(action)
        assert (await stored(app, dossier.id)).version == version, action
    nam = await linked(app, codes, NAM)
    for forged in (f"k:as:{dossier.id}:{version}:9:10",  # no ninth appraiser
                   f"k:as:{dossier.id}:{version}:0:11",  # a time not offered
                   f"k:cd:{dossier.id}:{version}:1:10",  # a council of one
                   f"k:cd:{dossier.id}:{version}:99999999:10",  # people who are not there
                   f"k:cm:{dossier.id}:{version}:99999999",
                   f"k:as:{dossier.id}:{version + 3}:0:10"):  # stale
        await nam.action(forged)
        assert (await stored(app, dossier.id)).version == version, forged
    await nam.action(f"k:as:{dossier.id}:{version}:0:10")
    assert (await stored(app, dossier.id)).state is State.APPRAISAL_ASSIGNED
    await nam.action(f"k:as:{dossier.id}:{version}:0:10")  # the same button again: stale
    assert (await stored(app, dossier.id)).version == version + 1


async def test_members_comment_on_their_votes_and_the_office_reads_them_with_the_result(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "", close=False)
    ballot = (await stored(app, dossier_id)).ballot_ids[-1]
    be = chats["tran-thi-be"]
    await be.notifications()
    await be.press("Ghi ý kiến")  # before voting: refused
    assert "biểu quyết trước" in be.text
    await be.press("Tán thành")
    await be.press("Ghi ý kiến")
    await be.send("Đề nghị báo cáo kết quả thí điểm sau 3 tháng.")
    assert "đã được lưu kèm biểu quyết" in be.text
    assert "Ý kiến của đồng chí: Đề nghị báo cáo" in be.text
    # Nobody else may comment: the proposer, the office, a stale ballot number.
    version = (await stored(app, dossier_id)).version
    await lan.action(f"k:vc:{dossier_id}:{ballot}")
    assert "không biểu quyết" in lan.text
    await nam.action(f"k:vc:{dossier_id}:{ballot}")
    assert "không thuộc thành phần biểu quyết" in nam.text
    await be.action(f"k:vc:{dossier_id}:{ballot + 7}")
    assert "đã kết thúc" in be.text
    assert (await stored(app, dossier_id)).version == version
    for member in ("nguyen-van-tam", "le-thi-hoa", "vo-van-dung", "pham-ngoc-lam"):
        await chats[member].action(f"k:vt:{dossier_id}:{ballot}:a")
    if await meeting_open(app, ballot):  # the meeting ends when the office closes it
        await close_vote(nam, dossier_id)
    decided = await stored(app, dossier_id)
    assert decided.state is State.APPROVED and decided.version > version
    await nam.notifications()
    assert "Ý kiến của các đồng chí ủy viên" in nam.text
    assert "Trần Thị Bé (tán thành): Đề nghị báo cáo kết quả thí điểm sau 3 tháng." in nam.text
    await nam.action(f"k:v:{dossier_id}")
    assert "Đề nghị báo cáo kết quả thí điểm" in nam.text  # on the dossier too
    await lan.notifications()
    assert "Đề nghị báo cáo kết quả thí điểm" not in lan.text
    await be.action(f"k:vc:{dossier_id}:{ballot}")  # the vote has closed
    assert "đã kết thúc" in be.text





async def test_a_cell_secretary_in_the_proposing_group_cannot_agree_to_her_own_plan(
        app: App, codes: dict[str, str]) -> None:
    dossier_id = await co_proposed(app, THOA)
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()  # the cell's duty on her own plan is not sent to her
    assert "ý kiến" not in thoa.text
    assert not any(a.startswith(("k:ca:", "k:cr:")) for a in actions(thoa))
    version = (await stored(app, dossier_id)).version
    await thoa.action(f"k:ca:{dossier_id}:{version}")  # forged
    assert "không thể thay mặt chi bộ cho ý kiến" in thoa.text and "xung đột lợi ích" in thoa.text
    await thoa.action(f"k:cr:{dossier_id}:{version}")
    after = await stored(app, dossier_id)
    assert after.state is State.AT_CELL and after.version == version
    await thoa.send("/viec")
    assert f"{dossier_id}." not in " ".join(b.label for r in thoa.replies
                                              for b in r.all_buttons())


async def test_an_appraiser_and_member_in_the_proposing_group_neither_appraises_nor_votes(
        app: App, codes: dict[str, str]) -> None:
    dossier_id = await co_proposed(app, HOA)
    thoa = await linked(app, codes, THOA)
    await thoa.notifications()
    await thoa.press("Đồng ý")
    nam = await linked(app, codes, NAM)
    await nam.notifications()
    await nam.press("Vào sổ")
    await nam.press("Giao thẩm định")
    assert "Lê Thị Hoa" not in " ".join(b.label for r in nam.replies for b in r.all_buttons())
    await nam.press("Tất cả")
    await nam.press("10 ngày làm việc")
    assert (await stored(app, dossier_id)).appraisers == ("nguyen-thi-thanh-tam",)
    tam = await linked(app, codes, "nguyen-thi-thanh-tam")
    await tam.notifications()
    await tam.press("Thẩm định: khả thi")
    await tam.send("Khả thi.")
    await nam.notifications()
    await nam.press("Mở biểu quyết")
    await nam.press("3 ngày làm việc")
    opened = await stored(app, dossier_id)
    assert opened.state is State.BALLOT_OPEN
    hoa = await linked(app, codes, HOA)
    await hoa.notifications()
    assert not any(a.startswith("k:vt:") for a in actions(hoa))
    await hoa.action(f"k:vt:{dossier_id}:{opened.ballot_ids[-1]}:a")  # forged
    assert "xung đột lợi ích" in hoa.text
    async with app.services.uow() as uow:
        ballot = await uow.ballots.get(opened.ballot_ids[-1])
    assert ballot is not None and not ballot.votes and HOA not in ballot.voters.voters
    assert (await stored(app, dossier_id)).version == opened.version


async def test_a_vote_without_its_quorum_decides_nothing_and_the_office_opens_it_again(
        app: App, codes: dict[str, str], clock: SettableClock) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    async with app.services.uow() as uow:  # the committee's working rules: 2/3 must vote
        dossier = await uow.dossiers.get(dossier_id)
        assert dossier is not None
        dossier.voting_rules["commune_party_committee"] = VotingRule(
            id="with_quorum", basis=Basis.COUNTED_MEMBERS, quorum=Fraction(2, 3))
        dossier.version += 1
        await uow.commit()
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaa")
    assert (await stored(app, dossier_id)).state is State.BALLOT_OPEN  # 3 of 6 needed
    clock.current += timedelta(days=3)
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Kết thúc biểu quyết")
    closed = await stored(app, dossier_id)
    assert closed.state is State.QUORUM_NOT_MET and closed.decision is None
    await nam.notifications()
    assert "không đủ số lượng theo quy định: có 3/6 phiếu cần thiết" in nam.text
    assert nam.button("Mở lại biểu quyết").action.startswith(f"k:ob:{dossier_id}:")
    head = chats["nguyen-van-tam"]
    await head.notifications()
    assert "3/6 phiếu cần thiết" in head.text
    be = chats["tran-thi-be"]
    await be.notifications()
    assert "văn phòng có thể mở lại biểu quyết" in be.text
    # A member cannot reopen it; an old button is stale.
    await be.action(f"k:ob:{dossier_id}:{closed.version}")
    await be.action(f"k:oc:{dossier_id}:{closed.version - 1}:3:0")
    assert (await stored(app, dossier_id)).version == closed.version
    await nam.action(f"k:v:{dossier_id}")
    assert "Lần biểu quyết gần nhất không đủ số lượng" in nam.text
    await nam.press("Mở lại biểu quyết")
    assert "Đây là lần biểu quyết mới" in nam.text
    await nam.press("3 ngày làm việc")
    reopened = await stored(app, dossier_id)
    assert reopened.state is State.BALLOT_OPEN and len(reopened.ballot_ids) == 2
    await be.notifications()
    assert "Đề nghị đồng chí biểu quyết" in be.text
    for member in MEMBERS[:6]:
        await chats[member].action(f"k:vt:{dossier_id}:{reopened.ballot_ids[-1]}:a")
    assert (await stored(app, dossier_id)).state is State.APPROVED


async def test_the_office_reports_beyond_a_level_and_the_direct_superior_is_informed(
        app: App, codes: dict[str, str]) -> None:
    dossier = await file(app, State.REGISTERED)
    nam = await linked(app, codes, NAM)
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Vượt thẩm quyền")
    offered = [b.label for r in nam.replies for b in r.all_buttons()]
    assert offered[:3] == ["Ban Thường vụ Thị ủy Đức Phổ (cấp trên trực tiếp)", "Thị ủy Đức Phổ",
                           "Ban Thường vụ Tỉnh ủy Quảng Ngãi (vượt cấp: đồng thời báo cáo cấp "
                           "trên trực tiếp để biết)"]
    # The wrong role, a stale button and a forged pick change nothing.
    version = dossier.version
    be = await linked(app, codes, "tran-thi-be")
    await be.action(f"k:fw:{dossier.id}:{version}")
    await be.action(f"k:fb:{dossier.id}:{version}:2")
    await nam.action(f"k:fb:{dossier.id}:{version}:9")
    await nam.action(f"k:fb:{dossier.id}:{version - 1}:2")
    assert (await stored(app, dossier.id)).version == version
    await nam.action(f"k:v:{dossier.id}")
    await nam.press("Vượt thẩm quyền")
    await nam.press("Ban Thường vụ Tỉnh ủy Quảng Ngãi")
    await nam.send("Đề nghị Ban Thường vụ Tỉnh ủy cho chủ trương thí điểm toàn tỉnh.")
    forwarded = await stored(app, dossier.id)
    assert forwarded.state is State.ESCALATED and forwarded.forwarding is not None
    assert forwarded.forwarding.body == "btv-tinh-uy" and forwarded.forwarding.skips_level
    assert "Ban Thường vụ Thị ủy Đức Phổ cũng được báo cáo để biết" in nam.text
    hung = await linked(app, codes, "pham-van-hung")  # secretary of the town standing board
    await hung.notifications()
    assert "vượt thẩm quyền" in hung.text.lower() and f"số {dossier.id}" in hung.text
    await nam.press("Văn bản: báo cáo cấp có thẩm quyền")
    draft = docx_text(nam)
    assert "Kính gửi: Ban Thường vụ Tỉnh ủy Quảng Ngãi" in draft
    assert "Ban Thường vụ Thị ủy Đức Phổ (để biết: đề nghị vượt cấp)" in draft


async def test_the_collective_votes_on_the_evaluation_and_the_forms_are_announced(
        app: App, codes: dict[str, str], lan: Chat) -> None:
    dossier_id, nam, hoa = await to_appraised(app, codes)
    chats = await vote_all(app, codes, dossier_id, nam, hoa, "aaaaa")
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Ghi nhận văn bản trả lời")
    await sign_paper(nam, "18")
    await lan.notifications()
    await lan.press("Bắt đầu thực hiện")
    await lan.send(f"/hoso {dossier_id}")
    await lan.press("Báo cáo hoàn thành")
    await lan.send("Đã số hóa toàn bộ hồ sơ năm học.")
    completed = await stored(app, dossier_id)
    assert completed.state is State.COMPLETED
    # The office proposes: real results, forms c) and e), and proposes upward.
    await nam.action(f"k:v:{dossier_id}")
    await nam.press("Đưa kết quả đánh giá ra tập thể biểu quyết")
    for letter in ("c)", "e)"):
        [form] = [b for r in nam.replies for b in r.all_buttons()
                  if b.label.startswith(letter)]
        await nam.action(form.action)
    await nam.press("Đề xuất cấp có thẩm quyền")
    assert "Đã chọn: c)" in nam.text
    await nam.press("Xong: đưa ra biểu quyết")
    await nam.press("3 ngày làm việc")
    await nam.send("Giảm một nửa thời gian xử lý hồ sơ; đề nghị khen thưởng.")
    opened = await stored(app, dossier_id)
    assert opened.state is State.EVALUATION_OPEN and opened.evaluation_proposal is not None
    ballot = opened.ballot_ids[-1]
    be = chats["tran-thi-be"]
    await be.notifications()
    assert "biểu quyết về kết quả đánh giá" in be.text and "Văn phòng đề xuất" in be.text
    assert "Chuẩn bị lại" not in [b.label for r in be.replies for b in r.all_buttons()]
    await lan.notifications()
    assert "Tập thể đang đánh giá" in lan.text
    # Refused: the proposer voting, re-preparation, the office re-proposing, a stale button.
    await lan.action(f"k:vt:{dossier_id}:{ballot}:a")
    await be.action(f"k:vt:{dossier_id}:{ballot}:p")
    await nam.action(f"k:oe:{dossier_id}:{completed.version}")
    assert (await stored(app, dossier_id)).version == opened.version
    async with app.services.uow() as uow:
        assert not (await uow.ballots.get(ballot)).votes  # type: ignore[union-attr]
    await be.press("Tán thành")
    await be.press("Ghi ý kiến")
    await be.send("Đồng ý, đề nghị nhân rộng ra các trường trong xã.")
    for member in ("nguyen-van-tam", "le-thi-hoa", "vo-van-dung", "pham-ngoc-lam"):
        await chats[member].action(f"k:vt:{dossier_id}:{ballot}:a")
    if await meeting_open(app, ballot):  # the meeting ends when the office closes it
        await close_vote(nam, dossier_id)
    evaluated = await stored(app, dossier_id)
    assert evaluated.state is State.EVALUATED and evaluated.evaluation is not None
    assert [f.value for f in evaluated.evaluation.forms] == ["c", "e"]
    assert evaluated.evaluation.proposed_upward
    await lan.notifications()
    assert "Tập thể đã đánh giá" in lan.text or "Hình thức khuyến khích" in lan.text
    assert "đề xuất cấp có thẩm quyền" in lan.text
    await chats["luong-thi-my"].notifications()
    assert "Tập thể đã thông qua kết quả đánh giá" in chats["luong-thi-my"].text
    await nam.notifications()
    assert "nhân rộng ra các trường" in nam.text  # the comment, with the result
