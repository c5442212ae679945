"""A living demo: a dozen dossiers of the demo organisation, one in each state of the
process, made through the real services on a clock that walks through past working days.

``cadrebot org demo --with-dossiers`` loads the demo organisation (two-level-2025), then
:func:`populate` plays each dossier's story: the proposer drafts and sends, the cell
secretary agrees, the office registers (the answer clock starts), the appraisers report,
the members vote, the head overrides, the office answers in writing... Every step is a
``workflow`` service on the SQL unit of work, so the history, the audit trail, the
outbox and the reminders are the ones the product itself writes. The steps happen on
past working days of the Vietnamese calendar, counted back from now, so received and
due dates are consistent: one dossier is overdue, several are due within days.

Choices made here:

* **One transaction per dossier.** The services commit as usual, but inside savepoints
  of one outer transaction per dossier, which commits only when the whole story has been
  played: a crash leaves each dossier either complete or absent. The audit records
  appended in it are anchored (``storage.audit``) only once it has committed, since an
  anchor ahead of the trail would read as a truncated trail.
* **Idempotence by a marker.** The transaction that makes a dossier also writes the row
  ``demo-dossier:<slug>`` in the counters table (its value: the dossier's id). A dossier
  whose marker exists is not made again, whatever happened to it since (a newcomer may
  have voted on it or renamed it); titles are not used, as a real dossier could share one.
  A second run therefore creates nothing, and a run after a crash makes only the missing.
* **The past is not sent again.** The notifications of the staged past are marked sent at
  the time they were written (as if delivered then), so that the first ``cadrebot run``
  does not send a newcomer's chat dozens of messages about last month. Recipients nobody
  holds stay ``unresolved``: the office's desk lists them, as it would in real life.
  Reminders whose time has passed are marked dispatched at their due time (the dispatcher
  would otherwise send, for each person and dossier, the latest of them at once); the
  later ones stay pending and go out on schedule (the overdue dossier's next morning).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from documents.text import as_text
from handlers.context import Services
from handlers.drafting import FOR_DUTY
from handlers.drafting_more import compose
from handlers.paper_files import docx_bytes, file_name
from storage import audit
from storage.db import read_only
from storage.directory import SqlDirectory
from storage.dossier_models import Counter, DossierRow
from storage.models import AuditHead, OutboxMessage, Reminder
from storage.models import Organisation as OrganisationRow
from storage.reminders import ReminderWriter
from storage.uow import SqlUnitOfWork
from workflow import services as svc
from workflow.actors import Actor
from workflow.calendar import WorkingCalendar
from workflow.commands import (
    AssignAppraisal,
    CastVote,
    CellAgree,
    CloseBallot,
    CreateDraft,
    FileAppraisal,
    ForwardBeyondAuthority,
    HeadDecide,
    MarkComplex,
    MarkObligationDone,
    OpenBallot,
    OpenEvaluation,
    Register,
    ReportCompletion,
    ReportProgress,
    SendWrittenAnswer,
    StartImplementation,
    Submit,
    UpdateDraft,
)
from workflow.documents import DocumentKind, Paper
from workflow.dossier import Dossier, EncouragementForm, Plan, ProblemKind
from workflow.errors import DomainError
from workflow.evaluating import evaluating_body
from workflow.i18n import N_
from workflow.lifecycle import State
from workflow.obligations import ObligationKind
from workflow.quiet_hours import working_days_before
from workflow.rules import RuleBook, bundled_rulebook
from workflow.rules.model import Pack
from workflow.voting import Choice

DEMO_PACK = "two-level-2025"
DEMO_ORGANISATION = "quang-ngai-xa-phuong-demo"
MARKER = "demo-dossier:"  # + slug: the counters row that says a demo dossier was made
EARLIEST = 122  # working days back to the first step of the oldest story
VOTE_CLOSES = time(17, 0)  # as the desk does: a vote closes at the end of a working day
ACTOR = "cli"  # who the audit trail names for staging the demo


class DemoUnavailable(Exception):
    """The demo dossiers cannot be made here; ``message`` is an English msgid."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(self.render())

    def render(self, translate: Callable[..., str] | None = None) -> str:
        return (translate(self.message, **self.params) if translate
                else self.message.format(**self.params))


@dataclass(frozen=True)
class DemoResult:
    slug: str
    dossier_id: int
    state: str  # the dossier's state now (a newcomer may have moved it on)
    created: bool  # made by this run; False: it was there already


class _StagedClock:
    """The workflow's Clock port, set by the story before each step."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def now(self) -> datetime:
        assert self.moment is not None, "a step before the story set the clock"
        return self.moment


class Stage:
    """One dossier's story, each step a service call on the staged clock."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 pack: Pack, rulebook: RuleBook, now: datetime) -> None:
        self.sessions, self.pack = sessions, pack
        self.calendar: WorkingCalendar = settings.calendar
        self.today, self.zone = now.date(), now.tzinfo
        self.clock = _StagedClock()
        self.directory = SqlDirectory(sessions, rulebook)
        self.rulebook = rulebook
        self.writer = ReminderWriter(calendar=self.calendar, settings=settings.reminders)
        self.dossier_id = 0
        self.proposer = ""
        self.started: datetime | None = None

    def uow(self) -> SqlUnitOfWork:
        # Rows are stamped with the staged time, as the product stamps them with its clock.
        return SqlUnitOfWork(self.sessions, reminders=self.writer, clock=self.clock.now)

    def on(self, days_ago: int, hh_mm: str) -> None:
        """Move the clock to ``hh_mm`` on the working day ``days_ago`` working days back."""
        if not 1 <= days_ago <= EARLIEST:
            raise ValueError(f"a demo step {days_ago} working days ago")
        hour, minute = (int(part) for part in hh_mm.split(":"))
        day = working_days_before(self.today, days_ago, self.calendar)
        moment = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        if self.clock.moment is not None and moment <= self.clock.moment:
            raise ValueError(f"the demo's steps go forward: {moment} after {self.clock.moment}")
        self.clock.moment = moment
        self.started = self.started or moment

    async def _actor(self, person: str) -> Actor:
        return await self.directory.actor(person)

    async def dossier(self) -> Dossier:
        async with self.uow() as uow:  # read only: left without commit
            found = await uow.dossiers.get(self.dossier_id)
        assert found is not None
        return found

    # --- the proposer -------------------------------------------------------------

    async def draft(self, person: str, plan: Plan) -> None:
        info = await self.directory.person(person)
        if info is None or not info.unit_kind:
            raise DemoUnavailable(N_("{person} is not in the demo organisation."),
                                  person=person)
        bodies = await self.directory.route_bodies(person, self.pack)
        made = await svc.create_draft(
            CreateDraft(actor=await self._actor(person), unit_kind=info.unit_kind, plan=plan,
                        bodies=bodies, ballots=await self.directory.route_ballots(bodies)),
            self.uow(), self.clock, self.pack)
        self.dossier_id, self.proposer = made.id, person

    async def edit(self, plan: Plan) -> None:
        await svc.update_draft(UpdateDraft(actor=await self._actor(self.proposer),
                                           dossier_id=self.dossier_id, plan=plan),
                               self.uow(), self.clock)

    async def submit(self) -> None:
        await svc.submit(Submit(actor=await self._actor(self.proposer),
                                dossier_id=self.dossier_id), self.uow(), self.clock)

    async def start(self) -> None:
        await svc.start_implementation(StartImplementation(
            actor=await self._actor(self.proposer), dossier_id=self.dossier_id),
            self.uow(), self.clock)

    async def progress(self, summary: str) -> None:
        await svc.report_progress(ReportProgress(
            actor=await self._actor(self.proposer), dossier_id=self.dossier_id,
            summary=summary), self.uow(), self.clock)

    async def complete(self, summary: str) -> None:
        await svc.report_completion(ReportCompletion(
            actor=await self._actor(self.proposer), dossier_id=self.dossier_id,
            summary=summary), self.uow(), self.clock)

    # --- the cell, the office, the appraisers ------------------------------------

    async def cell_agrees(self, person: str, note: str) -> None:
        await svc.cell_agree(CellAgree(actor=await self._actor(person),
                                       dossier_id=self.dossier_id, note=note),
                             self.uow(), self.clock)

    async def register(self, person: str) -> None:
        await svc.register(Register(actor=await self._actor(person),
                                    dossier_id=self.dossier_id),
                           self.uow(), self.clock, self.calendar)

    async def mark_complex(self, person: str, reason: str) -> None:
        await svc.mark_complex(MarkComplex(actor=await self._actor(person),
                                           dossier_id=self.dossier_id, reason=reason),
                               self.uow(), self.clock, self.calendar)

    async def assign_appraisal(self, person: str, appraisers: tuple[str, ...],
                               working_days: int) -> None:
        await svc.assign_appraisal(AssignAppraisal(
            actor=await self._actor(person), dossier_id=self.dossier_id,
            appraisers=appraisers, working_days=working_days),
            self.uow(), self.clock, self.calendar)

    async def appraise(self, person: str, summary: str) -> None:
        await svc.file_appraisal(FileAppraisal(actor=await self._actor(person),
                                               dossier_id=self.dossier_id, feasible=True,
                                               summary=summary), self.uow(), self.clock)

    async def forward(self, person: str, solution: str) -> None:
        """Beyond authority, to the direct superior (the provincial standing board)."""
        await svc.forward_beyond_authority(ForwardBeyondAuthority(
            actor=await self._actor(person), dossier_id=self.dossier_id,
            proposed_solution=solution), self.uow(), self.clock)

    async def answer(self, person: str, number: int) -> None:
        """The written answer, numbered like the office's other letters (công văn), as the
        document the office would have recorded: drafted, numbered, signed by the head."""
        paper = await self._paper(DocumentKind.ANSWER, number)
        await svc.send_written_answer(SendWrittenAnswer(
            actor=await self._actor(person), dossier_id=self.dossier_id,
            reference=self._reference(number, "CV"), paper=paper), self.uow(), self.clock)

    async def report_done(self, person: str, kind: ObligationKind, number: int) -> None:
        async with self.uow() as uow:
            owed = [o for o in await uow.obligations.for_dossier(self.dossier_id)
                    if o.kind is kind and o.is_open]
        paper = await self._paper(FOR_DUTY[kind], number) if kind in FOR_DUTY else None
        await svc.mark_obligation_done(MarkObligationDone(
            actor=await self._actor(person), obligation_id=owed[0].id,
            reference=self._reference(number, "BC"), paper=paper), self.uow(), self.clock)

    async def _paper(self, kind: DocumentKind, number: int) -> Paper:
        """The document drafted from the dossier, numbered today and signed by the head."""
        dossier = await self.dossier()
        services = Services(directory=self.directory, conversations=None,  # type: ignore[arg-type]
                            uow=self.uow, clock=self.clock,  # type: ignore[arg-type]
                            calendar=self.calendar, rulebook=self.rulebook)  # type: ignore[arg-type]
        [head] = await self.directory.people_on(dossier.body(dossier.route.head), ("head",))
        doc = (await compose(services, dossier, kind)).numbered(
            str(number), self.clock.now().date(), head.name)
        return Paper(document=doc, signer=head.id, file_name=file_name(doc, dossier.id),
                     content=docx_bytes(services, doc), text=as_text(doc))

    def _reference(self, number: int, code: str) -> str:
        return f"{number}-{code}/ĐU, {self.clock.now():%d/%m/%Y}"

    # --- the collective and the head ------------------------------------------------

    def _closes(self, working_days: int) -> datetime:
        day = self.calendar.add_working_days(self.clock.now().date(), working_days)
        return datetime.combine(day, VOTE_CLOSES, tzinfo=self.zone)

    async def _voters(self, dossier: Dossier, route_body: str) -> tuple[list[str], str | None]:
        members = await self.directory.counted_members(dossier.body(route_body))
        heads = await self.directory.people_on(dossier.body(dossier.route.head), ("head",))
        return members, heads[0].id if heads else None

    async def open_vote(self, person: str, closes_in: int, body_index: int = 0) -> None:
        """The office opens the vote of the route's ``body_index``-th deciding body."""
        dossier = await self.dossier()
        body = dossier.route.decision_bodies[body_index]
        members, head = await self._voters(dossier, body)
        await svc.open_ballot(OpenBallot(
            actor=await self._actor(person), dossier_id=self.dossier_id,
            members=tuple(members), body=body, head_person=head,
            closes_at=self._closes(closes_in)), self.uow(), self.clock)

    async def vote(self, person: str, choice: Choice, comment: str | None = None) -> None:
        await svc.cast_vote(CastVote(actor=await self._actor(person),
                                     dossier_id=self.dossier_id, choice=choice,
                                     comment=comment), self.uow(), self.clock)

    async def close_vote(self, person: str) -> None:
        """The office ends the vote: the committee's meeting is over (the party packs'
        ballots stay open until they are closed, and the result is counted then); a ballot
        that closed itself once the result was certain is left as it is."""
        if (await self.dossier()).state not in (State.BALLOT_OPEN, State.EVALUATION_OPEN):
            return
        await svc.close_ballot(CloseBallot(actor=await self._actor(person),
                                           dossier_id=self.dossier_id), self.uow(), self.clock)

    async def head_decides(self, person: str, reasoning: str) -> None:
        """No consensus: the head orders the pilot and owes the superior a report."""
        await svc.head_decide(HeadDecide(actor=await self._actor(person),
                                         dossier_id=self.dossier_id, proceed=True,
                                         reasoning=reasoning), self.uow(), self.clock)

    async def open_evaluation(self, person: str, forms: tuple[EncouragementForm, ...],
                              summary: str, closes_in: int) -> None:
        dossier = await self.dossier()
        members, head = await self._voters(dossier, evaluating_body(dossier))
        await svc.open_evaluation(OpenEvaluation(
            actor=await self._actor(person), dossier_id=self.dossier_id,
            members=tuple(members), effective=True, forms=forms, summary=summary,
            head_person=head, closes_at=self._closes(closes_in)), self.uow(), self.clock)


Story = Callable[[Stage], Awaitable[None]]


@dataclass(frozen=True)
class DemoDossier:
    slug: str
    state: State  # where the story stops
    play: Story


# --- the stories ------------------------------------------------------------------------
# Invented plans of the demo's people (storage/data/demo_organisation_2025.yaml). Offices:
# bui-thi-ngoc-anh (xã Tân Phước), mai-thi-thu-ha (phường Hòa An). Steps are
# (working days ago, time); due dates follow from the day of receipt (30 working days).

A, R, P, ABSTAIN = Choice.APPROVE, Choice.REJECT, Choice.RE_PREPARE, Choice.ABSTAIN
NEW = ProblemKind.NOT_REGULATED
TP_OFFICE, HA_OFFICE = "bui-thi-ngoc-anh", "mai-thi-thu-ha"


def _plan(title: str, problem: str, approach: str, expected: str, risks: str,
          kind: ProblemKind = NEW, regulation: str = "", issuer: str = "") -> Plan:
    return Plan(title=title, problem=problem, problem_kind=kind, regulation=regulation,
                regulation_issuer=issuer, approach=approach, expected_results=expected,
                risks=risks, common_good=True)


CAMERA = Plan(
    title="Camera giám sát kết nối Công an xã tại cổng các điểm trường giờ tan học",
    problem="Giờ tan học, trước cổng các điểm trường trên tuyến đường liên xã thường ùn tắc, "
            "đã xảy ra va quẹt; lực lượng Công an xã mỏng, không bố trí được người tại mọi "
            "điểm trường.",
    problem_kind=NEW)


async def _draft(s: Stage) -> None:
    s.on(4, "15:20")
    await s.draft("nguyen-van-hau", CAMERA)
    s.on(1, "16:05")
    await s.edit(Plan(
        title=CAMERA.title, problem=CAMERA.problem, problem_kind=NEW,
        approach="Lắp 6 camera tại cổng 3 điểm trường, hình ảnh truyền về phòng trực ban "
                 "Công an xã; phối hợp nhà trường và phụ huynh phân luồng giờ tan học."))


async def _at_cell(s: Stage) -> None:
    s.on(3, "08:40")
    await s.draft("le-van-son", _plan(
        "Tiếp nhận tin báo về an ninh, trật tự qua mã QR niêm yết tại các tổ dân phố",
        "Người dân ngại đến trụ sở hoặc gọi điện khi phát hiện dấu hiệu vi phạm; tin báo đến "
        "chậm, khó xác minh và người báo không biết kết quả xử lý.",
        "Niêm yết mã QR tại nhà văn hóa và bảng tin của 12 tổ dân phố; tin báo (kèm ảnh, vị "
        "trí) chuyển về tổ trực ban Công an phường, được phân công xử lý trong ngày và phản "
        "hồi kết quả cho người báo; thí điểm 6 tháng bằng trang thiết bị hiện có.",
        "Tin báo được tiếp nhận, xác minh trong ngày thay vì 1–2 ngày; tăng số tin báo có "
        "giá trị; người dân theo dõi được kết quả xử lý.",
        "Tin báo sai sự thật, lộ danh tính người báo: chỉ cán bộ trực ban được xem, không "
        "công khai danh tính, xác minh trước khi xử lý; dữ liệu cá nhân được bảo vệ theo "
        "Nghị định 13/2023/NĐ-CP."))
    s.on(2, "10:15")
    await s.submit()  # waits for duong-van-hieu, the police cell's secretary


async def _registered(s: Stage) -> None:
    s.on(2, "09:30")
    await s.draft("dang-thi-thu", _plan(
        "Công khai thu, chi Quỹ khuyến học xã qua mã QR và trang thông tin điện tử của xã",
        "Quỹ khuyến học vận động từ nhân dân và doanh nghiệp nhưng chỉ được công khai tại trụ "
        "sở mỗi năm một lần; người đóng góp không biết khoản đóng góp được dùng vào đâu.",
        "Mở tài khoản riêng của Quỹ, nhận đóng góp qua mã QR; hằng tháng công khai danh sách "
        "đóng góp và các khoản chi học bổng trên trang thông tin điện tử của xã và nhóm Zalo "
        "các thôn; Ban Thanh tra nhân dân giám sát; thí điểm trong năm học này.",
        "Tăng nguồn vận động, nhất là từ con em xa quê; minh bạch, giảm thắc mắc; trao học "
        "bổng sớm hơn.",
        "Sai sót khi đối chiếu tài khoản, lộ thông tin người đóng góp: chỉ công khai tên (hoặc "
        "ẩn danh theo ý người đóng góp) và số tiền; kế toán xã đối chiếu hằng tuần."))
    s.on(2, "10:10")
    await s.submit()
    s.on(1, "08:20")
    await s.register(TP_OFFICE)


async def _under_appraisal(s: Stage) -> None:
    s.on(14, "14:00")
    await s.draft("nguyen-van-binh", _plan(
        "Thu tiền thuê điểm kinh doanh và phí vệ sinh tại Chợ Tân Phước không dùng tiền mặt",
        "Tiền thuê điểm kinh doanh và phí vệ sinh ở chợ thu bằng tiền mặt qua nhiều người, dễ "
        "thất thoát, khó đối chiếu; tiểu thương phải giữ biên lai giấy.",
        "Mỗi sạp có mã QR gắn với tài khoản thu của Ban Quản lý chợ; biên lai điện tử gửi qua "
        "Zalo; Ban Quản lý đối chiếu hằng ngày; thí điểm 6 tháng tại khu chợ chính (khoảng "
        "180 sạp), sau đó đánh giá.",
        "Mọi khoản thu có chứng từ điện tử; giảm thời gian thu và đối chiếu; hạn chế thất "
        "thoát.",
        "Tiểu thương lớn tuổi chưa quen thanh toán điện tử: giữ một quầy thu tiền mặt có biên "
        "lai điện tử; mất kết nối mạng: thu bù trong ngày."))
    s.on(13, "08:30")
    await s.submit()
    s.on(12, "09:00")
    await s.register(TP_OFFICE)
    s.on(11, "10:30")
    await s.mark_complex(TP_OFFICE, "Liên quan Ban Quản lý chợ, ngân hàng, cơ quan thuế và "
                         "khoảng 180 hộ kinh doanh; cần thời gian lấy ý kiến.")
    s.on(8, "14:15")
    await s.assign_appraisal(TP_OFFICE, ("pham-thi-hang", "doan-thi-kim-lien"), 10)


async def _voting(s: Stage) -> None:
    s.on(31, "08:15")
    await s.draft("pham-thi-hong", _plan(
        "Tuyển sinh trực tuyến và số hóa hồ sơ trẻ tại Trường Mầm non Tân Phước",
        "Mỗi mùa tuyển sinh phụ huynh phải đến trường nộp hồ sơ giấy nhiều lần; các điểm "
        "trường lẻ cách trung tâm xã hơn 10 km; hồ sơ giấy dễ thất lạc, khó tra cứu.",
        "Phụ huynh đăng ký qua biểu mẫu trực tuyến trên Zalo OA của trường, xuất trình thông "
        "tin trên VNeID thay cho bản sao giấy; giáo viên điểm trường hỗ trợ phụ huynh chưa có "
        "điện thoại thông minh; áp dụng cho mùa tuyển sinh năm học tới, kinh phí từ nguồn chi "
        "thường xuyên của trường.",
        "Phụ huynh không phải đi lại; tuyển sinh xong trong 5 ngày thay vì 2 tuần; hồ sơ trẻ "
        "được lưu trữ điện tử và dùng lại cho các năm sau.",
        "Lộ lọt dữ liệu cá nhân của trẻ: chỉ Ban Giám hiệu và giáo viên phụ trách được truy "
        "cập, theo Nghị định 13/2023/NĐ-CP; phụ huynh không dùng được mạng: vẫn nhận hồ sơ "
        "giấy tại điểm trường."))
    s.on(31, "09:05")
    await s.submit()
    s.on(30, "10:40")
    await s.cell_agrees("nguyen-thi-tuyet-mai", "Chi bộ nhất trí, đề nghị Đảng ủy xã xem xét.")
    s.on(27, "08:30")
    await s.register(TP_OFFICE)
    s.on(26, "15:00")
    await s.assign_appraisal(TP_OFFICE, ("doan-thi-kim-lien",), 10)
    s.on(18, "16:10")
    await s.appraise("doan-thi-kim-lien", "Phương án khả thi, chi phí thấp, đáp ứng nhu cầu "
                     "của phụ huynh ở các thôn xa; đề nghị Đảng ủy xã cho chủ trương.")
    s.on(2, "08:45")
    await s.open_vote(TP_OFFICE, closes_in=4)  # closes two working days from today
    s.on(1, "09:10")
    await s.vote("tran-van-minh", A)
    s.on(1, "10:25")
    await s.vote("nguyen-thi-hong-van", A, "Đề nghị bổ sung cách hỗ trợ phụ huynh ở thôn "
                 "vùng cao chưa có sóng điện thoại.")
    s.on(1, "14:40")
    await s.vote("le-van-quang", A)
    s.on(1, "15:30")
    await s.vote("vo-minh-tuan", ABSTAIN)


async def _override(s: Stage) -> None:
    s.on(30, "08:00")
    await s.draft("do-thi-thanh-huong", _plan(
        "Đặt lịch hẹn trực tuyến và trả kết quả thủ tục hành chính tại nhà cho người cao tuổi",
        "Người dân phải chờ lâu ở Trung tâm vào đầu tuần; người cao tuổi, người khuyết tật đi "
        "lại khó khăn; chưa có quy định về việc Trung tâm cấp xã đặt lịch hẹn và trả kết quả "
        "tận nhà.",
        "Đặt lịch qua Zalo OA và điện thoại của Trung tâm, mỗi khung 30 phút; trả kết quả tận "
        "nhà qua bưu điện, ngân sách xã hỗ trợ cước cho người từ 75 tuổi và người khuyết tật; "
        "thí điểm 6 tháng với 20 thủ tục có nhiều hồ sơ nhất.",
        "Thời gian chờ bình quân giảm từ 45 xuống dưới 15 phút; người cao tuổi, người khuyết "
        "tật không phải đến Trung tâm để nhận kết quả.",
        "Kinh phí hỗ trợ cước (khoảng 18 triệu đồng trong 6 tháng) chưa có trong dự toán; thất "
        "lạc kết quả: bàn giao có ký nhận, theo dõi bưu gửi."))
    s.on(30, "08:50")
    await s.submit()
    s.on(29, "09:30")
    await s.cell_agrees("ly-van-thanh", "Chi bộ Trung tâm nhất trí trình Ban Thường vụ.")
    s.on(25, "08:10")
    await s.register("phan-van-tai")
    s.on(24, "10:00")
    await s.assign_appraisal(TP_OFFICE, ("pham-thi-hang",), 8)
    s.on(15, "15:45")
    await s.appraise("pham-thi-hang", "Khả thi, thiết thực với người cao tuổi; cần bố trí "
                     "kinh phí hỗ trợ cước bưu chính và quy định rõ việc bàn giao kết quả.")
    s.on(6, "08:30")
    await s.open_vote(TP_OFFICE, closes_in=3)  # Ban Thường vụ Đảng ủy xã
    for hour, person, choice, comment in (
            ("09:00", "tran-van-minh", A, None),
            ("09:40", "le-van-quang", A, "UBND xã cân đối được kinh phí từ nguồn dự phòng."),
            ("10:20", "nguyen-thi-hong-van", A, None),
            ("14:05", "pham-thi-hang", R, "Kinh phí hỗ trợ chưa có trong dự toán năm nay."),
            ("15:10", "dang-thi-thu", R, None)):
        s.on(5, hour)
        await s.vote(person, choice, comment)
    s.on(4, "08:35")
    await s.vote("vo-minh-tuan", P, "Cần làm rõ trách nhiệm khi thất lạc kết quả.")
    s.on(4, "10:50")
    await s.vote("huynh-van-loi", P)  # all seven voted
    s.on(4, "11:00")
    await s.close_vote(TP_OFFICE)  # no consensus
    s.on(1, "14:30")
    await s.head_decides("tran-van-minh", (
        "Phương án khả thi, đáp ứng nhu cầu cấp thiết của người cao tuổi; kinh phí thí điểm "
        "nhỏ, UBND xã cân đối từ nguồn dự phòng. Người đứng đầu chịu trách nhiệm và báo cáo "
        "ngay Ban Thường vụ Tỉnh ủy."))  # the report to the superior is still owed


async def _evaluated(s: Stage) -> None:
    s.on(122, "08:30")
    await s.draft("le-van-quang", _plan(
        "Phân loại rác thải tại nguồn, tích điểm đổi quà qua Zalo tại ba thôn của xã Tân Phước",
        "Rác thải sinh hoạt ở các thôn chưa được phân loại; khối lượng rác chuyển đi xử lý "
        "tăng mỗi năm, chi phí thu gom vượt dự toán; chưa có cách khuyến khích hộ dân phân "
        "loại rác.",
        "Thí điểm 4 tháng tại 3 thôn: mỗi hộ được phát 2 thùng và một mã QR; tổ thu gom ghi "
        "nhận rác đã phân loại và cộng điểm qua Zalo OA của xã; điểm đổi lấy nhu yếu phẩm do "
        "doanh nghiệp tài trợ; Hội Phụ nữ, Đoàn Thanh niên vận động.",
        "Ít nhất 70% số hộ ở 3 thôn phân loại rác; khối lượng rác chuyển đi xử lý giảm 25%; "
        "có mô hình để nhân rộng.",
        "Hộ dân không duy trì khi hết quà: gắn với tiêu chí khu dân cư văn hóa; tài trợ không "
        "đủ: UBND xã bố trí phần thiếu từ nguồn sự nghiệp môi trường."))
    s.on(121, "09:00")
    await s.submit()
    s.on(120, "08:15")
    await s.register(TP_OFFICE)
    s.on(119, "10:00")
    await s.assign_appraisal(TP_OFFICE, ("pham-thi-hang", "doan-thi-kim-lien"), 10)
    s.on(112, "15:30")
    await s.appraise("pham-thi-hang", "Khả thi; đã có doanh nghiệp cam kết tài trợ quà tặng "
                     "trong 4 tháng.")
    s.on(108, "08:30")
    await s.open_vote(TP_OFFICE, closes_in=3)
    for hour, person in (("08:50", "tran-van-minh"), ("09:30", "nguyen-thi-hong-van"),
                         ("10:15", "pham-thi-hang"), ("14:00", "vo-minh-tuan"),
                         ("15:20", "dang-thi-thu")):  # five of nine
        s.on(107, hour)
        await s.vote(person, A)
    s.on(107, "16:30")
    await s.close_vote(TP_OFFICE)  # approved
    s.on(105, "09:00")
    await s.answer(TP_OFFICE, 21)
    s.on(104, "07:45")
    await s.start()
    s.on(84, "16:00")
    await s.progress("Đã phát thùng và mã QR cho 412 hộ; 61% số hộ phân loại rác trong tháng "
                     "đầu.")
    s.on(64, "16:10")
    await s.progress("74% số hộ phân loại rác; khối lượng rác chuyển đi giảm 22%.")
    s.on(44, "15:40")
    await s.progress("78% số hộ phân loại rác; đã đổi 1.240 phần quà.")
    s.on(24, "09:20")
    await s.complete("Kết thúc thí điểm: 78% số hộ phân loại rác, khối lượng rác chuyển đi "
                     "xử lý giảm 31%, chi phí thu gom giảm khoảng 40 triệu đồng.")
    s.on(12, "08:40")
    await s.open_evaluation(
        TP_OFFICE, (EncouragementForm.RECOGNITION, EncouragementForm.REWARDS,
                    EncouragementForm.REPLICATION),
        "Mô hình mang lại hiệu quả thiết thực; đề nghị biểu dương, khen thưởng đồng chí đề "
        "xuất và tập thể 3 thôn, nhân rộng ra toàn xã.", closes_in=3)
    for hour, person in (("08:30", "tran-van-minh"), ("09:15", "nguyen-thi-hong-van"),
                         ("10:00", "huynh-van-loi"), ("14:30", "nguyen-van-binh"),
                         ("15:45", "truong-van-duc")):
        s.on(11, hour)
        await s.vote(person, A)
    s.on(11, "16:30")
    await s.close_vote(TP_OFFICE)  # the evaluation is adopted


async def _answered(s: Stage) -> None:
    s.on(26, "14:30")
    await s.draft("truong-thi-thanh-nga", _plan(
        "Ngân hàng đề kiểm tra dùng chung và chấm bài trắc nghiệm bằng điện thoại tại Trường "
        "Trung học cơ sở Hòa An",
        "Giáo viên mất nhiều thời gian ra đề và chấm bài trắc nghiệm thủ công; đề kiểm tra "
        "giữa các lớp không đồng đều, khó đánh giá khách quan.",
        "Tổ chuyên môn xây dựng ngân hàng câu hỏi theo ma trận đề cho 4 môn (Toán, Ngữ văn, "
        "Tiếng Anh, Khoa học tự nhiên); đề được trộn tự động; giáo viên chấm phiếu trắc nghiệm "
        "bằng ứng dụng trên điện thoại, điểm cập nhật vào sổ điểm điện tử; thí điểm học kỳ II.",
        "Thời gian chấm bài trắc nghiệm giảm khoảng 60%; đề kiểm tra đồng đều giữa các lớp; "
        "phụ huynh biết kết quả sớm hơn.",
        "Lộ đề: chỉ tổ trưởng chuyên môn được truy cập ngân hàng đề, đề được trộn trước giờ "
        "kiểm tra; ứng dụng chấm sai: giáo viên rà soát lại 10% số bài."))
    s.on(26, "15:10")
    await s.submit()
    s.on(25, "09:20")
    await s.cell_agrees("ho-van-thinh", "Chi bộ nhất trí, đề nghị Đảng ủy phường cho chủ trương.")
    s.on(22, "08:30")
    await s.register(HA_OFFICE)
    s.on(21, "10:10")
    await s.assign_appraisal(HA_OFFICE, ("vo-thi-ngoc-lan",), 8)
    s.on(14, "15:00")
    await s.appraise("vo-thi-ngoc-lan", "Khả thi, không phát sinh kinh phí; phù hợp chủ trương "
                     "chuyển đổi số trong giáo dục.")
    s.on(9, "08:30")
    await s.open_vote(HA_OFFICE, closes_in=3)
    for hour, person, comment in (
            ("08:45", "nguyen-duc-thanh", None), ("09:30", "le-thi-bich-thuy", None),
            ("10:05", "tran-minh-khang", None), ("14:20", "vo-thi-ngoc-lan", None),
            ("15:00", "huynh-thi-kim-ngan", "Đề nghị chia sẻ ngân hàng đề với các trường trong "
                                            "phường.")):
        s.on(8, hour)
        await s.vote(person, A, comment)
    s.on(8, "16:30")
    await s.close_vote(HA_OFFICE)  # approved
    s.on(3, "09:30")
    await s.answer(HA_OFFICE, 17)  # the school may start its pilot


async def _rejected(s: Stage) -> None:
    s.on(23, "10:00")
    await s.draft("ngo-van-phuc", _plan(
        "Cho thuê tạm thời một phần vỉa hè để kinh doanh, thu phí theo giờ qua ứng dụng",
        "Vỉa hè các tuyến trung tâm phường thường xuyên bị lấn chiếm để buôn bán; phường không "
        "có nguồn thu để chỉnh trang vỉa hè.",
        "Kẻ vạch phần vỉa hè được kinh doanh trên 3 tuyến phố, chừa ít nhất 1,5 m cho người đi "
        "bộ; hộ kinh doanh đăng ký và trả phí theo giờ qua ứng dụng; lực lượng trật tự đô thị "
        "kiểm tra bằng mã QR; thí điểm 3 tháng.",
        "Lập lại trật tự vỉa hè; có nguồn thu để chỉnh trang đô thị; hộ kinh doanh nhỏ có chỗ "
        "buôn bán hợp pháp.",
        "Người dân phản ứng nếu quản lý không chặt; mức phí chưa được cấp có thẩm quyền quyết "
        "định: chỉ thu sau khi có quyết định.",
        kind=ProblemKind.REGULATED_UNSUITED,
        regulation="Quy định về quản lý, sử dụng tạm thời một phần lòng đường, vỉa hè trên "
                   "địa bàn tỉnh",
        issuer="Ủy ban nhân dân tỉnh Quảng Ngãi"))
    s.on(23, "11:00")
    await s.submit()
    s.on(20, "08:30")
    await s.register(HA_OFFICE)
    s.on(19, "09:45")
    await s.assign_appraisal(HA_OFFICE, ("chau-van-long",), 6)
    s.on(12, "16:00")
    await s.appraise("chau-van-long", "Khả thi về kỹ thuật; tuy nhiên mức phí sử dụng vỉa hè "
                     "do cấp tỉnh quyết định, phường chưa có căn cứ để thu.")
    s.on(5, "08:30")
    await s.open_vote(HA_OFFICE, closes_in=3)
    for days, hour, person, choice, comment in (
            (4, "09:00", "nguyen-duc-thanh", R, "Phường không có thẩm quyền quyết định thu "
                                                "phí sử dụng vỉa hè."),
            (4, "10:30", "tran-minh-khang", A, None),
            (4, "14:15", "le-thi-bich-thuy", R, None),
            (3, "08:40", "pham-van-toan", R, None),
            (3, "10:00", "duong-van-hieu", R, "Khó bảo đảm trật tự, an toàn giao thông."),
            (3, "15:30", "huynh-thi-kim-ngan", R, None)):  # the fifth "no"
        s.on(days, hour)
        await s.vote(person, choice, comment)
    s.on(3, "16:30")
    await s.close_vote(HA_OFFICE)  # rejected
    # The office still owes the proposer the written answer.


async def _re_prepare(s: Stage) -> None:
    s.on(19, "08:00")
    await s.draft("lam-van-tri", _plan(
        "Tổ dân quân phản ứng nhanh dùng thiết bị bay không người lái cảnh báo ngập lụt ở các "
        "khu dân cư trũng thấp",
        "Mùa mưa bão, các khu dân cư ven sông của phường bị ngập sâu cục bộ; việc nắm tình "
        "hình và cảnh báo sơ tán chủ yếu dựa vào kiểm tra trực tiếp, chậm và nguy hiểm cho "
        "lực lượng.",
        "Trang bị 2 thiết bị bay không người lái có camera nhiệt cho tổ dân quân phản ứng "
        "nhanh; lập bản đồ điểm ngập; cảnh báo qua loa truyền thanh và nhóm Zalo các tổ dân "
        "phố; thí điểm trong mùa mưa bão.",
        "Nắm tình hình ngập sớm hơn 1–2 giờ; giảm nguy hiểm cho lực lượng; sơ tán kịp thời.",
        "Bay trong thời tiết xấu, vướng quy định về cấp phép bay: chỉ bay trong khu vực được "
        "phép, phối hợp Bộ Chỉ huy Quân sự tỉnh."))
    s.on(19, "08:45")
    await s.submit()
    s.on(16, "08:30")
    await s.register(HA_OFFICE)
    s.on(15, "10:20")
    await s.assign_appraisal(HA_OFFICE, ("vo-thi-ngoc-lan", "chau-van-long"), 5)
    s.on(10, "15:00")
    await s.appraise("vo-thi-ngoc-lan", "Khả thi nhưng chưa làm rõ thủ tục cấp phép bay, nguồn "
                     "kinh phí mua sắm và người điều khiển có chứng chỉ.")
    s.on(7, "08:30")
    await s.open_vote(HA_OFFICE, closes_in=3)
    for hour, person, choice, comment in (
            ("08:50", "nguyen-duc-thanh", P, "Đề nghị bổ sung thủ tục cấp phép bay và dự toán "
                                             "kinh phí."),
            ("09:20", "vo-thi-ngoc-lan", A, None),
            ("10:00", "le-thi-bich-thuy", P, None),
            ("10:45", "tran-minh-khang", P, None),
            ("14:10", "pham-van-toan", P, None),
            ("15:00", "duong-van-hieu", P, None)):  # the fifth "re-prepare"
        s.on(6, hour)
        await s.vote(person, choice, comment)
    s.on(6, "16:30")
    await s.close_vote(HA_OFFICE)  # returned for re-preparation
    s.on(4, "10:00")
    await s.answer(HA_OFFICE, 16)


async def _beyond_authority(s: Stage) -> None:
    s.on(24, "09:00")
    await s.draft("vu-thi-hai-yen", _plan(
        "Chia sẻ dữ liệu hộ kinh doanh giữa Thuế cơ sở 5 và Ủy ban nhân dân các xã, phường "
        "trên địa bàn để hỗ trợ hộ kinh doanh tự kê khai thuế",
        "Nhiều hộ kinh doanh nhỏ ở chợ và khu dân cư chưa biết tự kê khai thuế, dùng hóa đơn "
        "điện tử; danh sách hộ kinh doanh của cơ quan thuế và của các xã, phường chưa được "
        "đối chiếu.",
        "Ký quy chế phối hợp giữa Thuế cơ sở 5 và Ủy ban nhân dân các xã, phường trên địa bàn: "
        "đối chiếu danh sách hộ kinh doanh hằng quý; tổ hỗ trợ lưu động hướng dẫn kê khai, "
        "hóa đơn điện tử tại chợ và khu dân cư; thí điểm 6 tháng.",
        "Hộ kinh doanh kê khai đúng, đủ; giảm số hộ bỏ sót; chính quyền nắm được tình hình "
        "kinh doanh trên địa bàn.",
        "Lộ thông tin của người nộp thuế: chỉ chia sẻ thông tin được phép theo Luật Quản lý "
        "thuế, có biên bản giao nhận; quá tải tổ hỗ trợ: lập lịch theo từng chợ."))
    s.on(24, "09:40")
    await s.submit()
    s.on(23, "14:00")
    await s.cell_agrees("ta-van-hung", "Chi bộ Thuế cơ sở 5 nhất trí, đề nghị Đảng ủy phường "
                        "xem xét.")
    s.on(18, "08:30")
    await s.register(HA_OFFICE)
    s.on(17, "09:10")
    await s.assign_appraisal(HA_OFFICE, ("chau-van-long",), 7)
    s.on(9, "15:20")
    await s.appraise("chau-van-long", "Cần thiết và khả thi; nhưng phạm vi gồm nhiều xã, phường "
                     "và liên quan đến Thuế tỉnh, vượt thẩm quyền của Đảng ủy phường.")
    s.on(6, "10:00")
    await s.forward(HA_OFFICE, "Đề nghị Ban Thường vụ Tỉnh ủy cho chủ trương thí điểm trên "
                    "toàn địa bàn Thuế cơ sở 5, giao Thuế tỉnh chủ trì xây dựng quy chế phối "
                    "hợp với Ủy ban nhân dân các xã, phường.")
    s.on(4, "16:00")
    await s.report_done(HA_OFFICE, ObligationKind.REPORT_BEYOND_AUTHORITY, 8)


async def _overdue(s: Stage) -> None:
    s.on(36, "14:00")
    await s.draft("chau-van-long", _plan(
        "Điểm danh sinh hoạt chi bộ bằng mã QR và gửi tài liệu sinh hoạt qua Sổ tay đảng viên "
        "điện tử tại các chi bộ khu dân cư phường Hòa An",
        "Nhiều chi bộ khu dân cư còn theo dõi sinh hoạt bằng sổ giấy; tổng hợp số liệu chậm; "
        "đảng viên lớn tuổi khó tiếp cận tài liệu sinh hoạt trước buổi họp.",
        "Mỗi chi bộ có mã QR điểm danh; Văn phòng Đảng ủy tổng hợp tỷ lệ tham gia hằng tháng; "
        "tài liệu sinh hoạt gửi trước qua ứng dụng; đảng viên trẻ hỗ trợ đảng viên lớn tuổi; "
        "thí điểm 6 tháng ở 5 chi bộ.",
        "Số liệu sinh hoạt cập nhật trong ngày; giảm giấy tờ; đảng viên nghiên cứu tài liệu "
        "trước buổi sinh hoạt.",
        "Đảng viên không có điện thoại thông minh: bí thư chi bộ điểm danh hộ; bảo mật: chỉ "
        "gửi tài liệu được phép phổ biến."))
    s.on(36, "15:00")
    await s.submit()
    s.on(33, "08:30")
    await s.register(HA_OFFICE)
    s.on(32, "10:00")
    await s.assign_appraisal(HA_OFFICE, ("vo-thi-ngoc-lan",), 8)
    s.on(25, "16:30")
    await s.appraise("vo-thi-ngoc-lan", "Khả thi, chi phí thấp; đề nghị sớm trình Ban Chấp hành "
                     "Đảng bộ phường.")
    # ...and the vote was never opened: the answer is now overdue.


# In the order the offices registered them, so that each office's register numbers
# (001/2026, 002/2026...) follow the days of receipt; the two not yet received last.
DEMO_DOSSIERS: tuple[DemoDossier, ...] = (
    DemoDossier("phan-loai-rac", State.EVALUATED, _evaluated),
    DemoDossier("so-tay-dang-vien", State.APPRAISED, _overdue),
    DemoDossier("tuyen-sinh-mam-non", State.BALLOT_OPEN, _voting),
    DemoDossier("dat-lich-hanh-chinh-cong", State.APPROVED, _override),
    DemoDossier("ngan-hang-de-thcs", State.ANSWERED, _answered),
    DemoDossier("via-he-thu-phi", State.REJECTED, _rejected),
    DemoDossier("du-lieu-ho-kinh-doanh", State.ESCALATED, _beyond_authority),
    DemoDossier("dan-quan-ngap-lut", State.RETURNED_FOR_RE_PREPARATION, _re_prepare),
    DemoDossier("cho-khong-tien-mat", State.APPRAISAL_ASSIGNED, _under_appraisal),
    DemoDossier("quy-khuyen-hoc", State.REGISTERED, _registered),
    DemoDossier("tin-bao-qr", State.AT_CELL, _at_cell),
    DemoDossier("camera-cong-truong", State.DRAFT, _draft),
)


# --- populating -------------------------------------------------------------------------


async def present(engine: AsyncEngine) -> dict[str, tuple[int, str]]:
    """The demo dossiers already made: slug -> (dossier id, its state now)."""
    async with read_only(engine) as connection:
        rows = (await connection.execute(
            select(Counter.name, Counter.value, DossierRow.state)
            .outerjoin(DossierRow, DossierRow.id == Counter.value)
            .where(Counter.name.startswith(MARKER, autoescape=True)))).all()
    return {name.removeprefix(MARKER): (int(value), state or "") for name, value, state in rows}


async def populate(engine: AsyncEngine, settings: Settings, *, now: datetime | None = None,
                   rulebook: RuleBook | None = None,
                   dossiers: Sequence[DemoDossier] | None = None) -> list[DemoResult]:
    """Make the demo dossiers that are not there yet, each in one transaction.

    ``engine`` must be prepared (schema, audit seal) and hold the demo organisation.
    ``now`` defaults to the installation's clock (the training date included);
    ``dossiers`` to :data:`DEMO_DOSSIERS`.
    """
    dossiers = DEMO_DOSSIERS if dossiers is None else dossiers
    if now is None:  # the installation's clock, as bot.wiring.SystemClock reads it
        real = datetime.now(settings.zone)
        now = real + settings.clock_offset(real.date())
    book = rulebook or bundled_rulebook()
    seal = audit.seal_of(engine)
    if seal is None:
        raise audit.AuditKeyMissing("the demo needs the engine's audit seal (bot.sealing)")
    async with read_only(engine) as connection:
        pack_id = await connection.scalar(select(OrganisationRow.pack_id).where(
            OrganisationRow.id == DEMO_ORGANISATION))
    if pack_id != DEMO_PACK:
        raise DemoUnavailable(N_("The demo organisation {organisation} is not loaded: run "
                                 "`cadrebot org demo` first."), organisation=DEMO_ORGANISATION)
    pack = book.get(DEMO_PACK)
    first = working_days_before(now.date(), EARLIEST, settings.calendar)
    if first < pack.effective_from:
        raise DemoUnavailable(N_("The demo dossiers' stories begin on {first}, before the rules "
                                 "they follow took effect ({effective})."),
                              first=first.isoformat(), effective=pack.effective_from.isoformat())
    # Appends are sealed with the installation's key but anchored by hand, once the
    # dossier's transaction has committed (an engine of its own carries that seal).
    staging = engine.execution_options(cadrebot_demo_dossiers=True)
    audit.bind(staging, audit.Seal(seal.key, anchors=None))
    made = await present(engine)
    results = []
    for demo in dossiers:
        if demo.slug in made:
            dossier_id, state = made[demo.slug]
            results.append(DemoResult(demo.slug, dossier_id, state, created=False))
            continue
        async with staging.connect() as connection:
            await connection.begin()
            result = await _make(connection, demo, settings, pack, book, now)
            await connection.commit()
        head = await _audit_head(engine)
        if head is not None:
            seal.anchor(*head)
        results.append(result)
    return results


async def _make(connection: AsyncConnection, demo: DemoDossier, settings: Settings,
                pack: Pack, rulebook: RuleBook, now: datetime) -> DemoResult:
    """Play ``demo``'s story inside ``connection``'s transaction (the caller commits)."""
    marker = await connection.scalar(select(Counter.value).where(
        Counter.name == MARKER + demo.slug))
    if marker is not None:  # made meanwhile by another run: nothing to do
        state = await connection.scalar(select(DossierRow.state).where(
            DossierRow.id == marker))
        return DemoResult(demo.slug, int(marker), state or "", created=False)
    floor = await connection.scalar(select(func.max(OutboxMessage.id))) or 0
    # Each unit of work's commit releases a savepoint; the connection's commit is the one.
    sessions = async_sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                  expire_on_commit=False, autoflush=False)
    stage = Stage(sessions, settings, pack, rulebook, now)
    try:
        await demo.play(stage)
    except DomainError as exc:  # a story that no longer fits the rules: a bug to report
        raise DemoUnavailable(N_("The demo dossier “{slug}” could not be made: {reason}"),
                              slug=demo.slug, reason=str(exc)) from exc
    state = await connection.scalar(select(DossierRow.state).where(
        DossierRow.id == stage.dossier_id))
    if state != demo.state.value:
        raise DemoUnavailable(N_("The demo dossier “{slug}” could not be made: {reason}"),
                              slug=demo.slug, reason=f"it ended {state}, not {demo.state}")
    await _settle(connection, stage.dossier_id, floor, now)
    # The records above carry the story's times; this one says when they were written.
    async with sessions() as session, session.begin():
        await audit.append(session, action="demo_dossier_staged", actor=ACTOR,
                           dossier_id=stage.dossier_id, at=now,
                           payload={"demo": demo.slug, "from": (stage.started or now).isoformat(),
                                    "to": stage.clock.now().isoformat()})
    await connection.execute(insert(Counter).values(name=MARKER + demo.slug,
                                                    value=stage.dossier_id))
    return DemoResult(demo.slug, stage.dossier_id, state, created=True)


async def _settle(connection: AsyncConnection, dossier_id: int, floor: int,
                  now: datetime) -> None:
    """The staged past is over: its messages count as sent when written, and its reminders
    whose time has come as dispatched then (see the module's docstring)."""
    rows = (await connection.execute(select(OutboxMessage.id, OutboxMessage.payload).where(
        OutboxMessage.id > floor, OutboxMessage.status == "pending"))).all()
    sent = [row.id for row in rows
            if (row.payload.get("data") or {}).get("dossier_id") == dossier_id]
    if sent:
        await connection.execute(update(OutboxMessage).where(OutboxMessage.id.in_(sent))
                                 .values(status="sent", sent_at=OutboxMessage.created_at))
    await connection.execute(update(Reminder).where(
        Reminder.dossier_id == dossier_id, Reminder.status == "pending",
        Reminder.due_at <= now).values(status="dispatched", dispatched_at=Reminder.due_at))


async def _audit_head(engine: AsyncEngine) -> tuple[int, str] | None:
    async with read_only(engine) as connection:
        head = (await connection.execute(select(AuditHead.count, AuditHead.last_hash)
                                         .where(AuditHead.id == 1))).first()
    return (int(head[0]), str(head[1])) if head is not None else None


def counts_by_state(results: Sequence[DemoResult]) -> dict[str, int]:
    """How many demo dossiers are in each state, in the order of the lifecycle."""
    order = {state.value: index for index, state in enumerate(State)}
    found: dict[str, int] = {}
    for result in sorted(results, key=lambda r: order.get(r.state, len(order))):
        found[result.state] = found.get(result.state, 0) + 1
    return found
