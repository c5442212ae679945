"""In-memory fakes of the workflow ports, for unit tests of the services.

The fake unit of work behaves like a database session: repositories hand out
copies that the session tracks, ``commit()`` writes them back (refusing a version
that changed underneath, like SQLAlchemy's ``version_id_col``), and anything not
committed is discarded. So a refused action can be checked to have left the stored
state unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from workflow import services as svc
from workflow.actors import Actor, Grant, Role
from workflow.commands import (
    AssignAppraisal,
    AssignLegalReview,
    CastVote,
    CellAgree,
    CellReturn,
    CloseBallot,
    CloseExpiredBallot,
    CreateDraft,
    FileAppraisal,
    FileEmergencyReport,
    FileLegalReview,
    ForwardBeyondAuthority,
    OpenBallot,
    OpenEvaluation,
    RecordEvaluation,
    Register,
    ReportCompletion,
    ReturnForCompletion,
    SendWrittenAnswer,
    StartImplementation,
    Submit,
    Withdraw,
)
from workflow.documents import DocumentRecord
from workflow.dossier import Dossier, EmergencyReport, EncouragementForm, Plan, ProblemKind
from workflow.errors import StaleVersion
from workflow.events import Event
from workflow.lifecycle import State
from workflow.obligations import Obligation
from workflow.rules import bundled_rulebook
from workflow.rules.model import Pack
from workflow.voting import Ballot, BallotMode, Basis, Choice, VotingRule

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

# Set by tests/storage/test_services_sql.py: the same scenarios then run on a real
# database through storage.uow.SqlUnitOfWork instead of the in-memory fake.
SQL_ENGINE: Any = None


T = TypeVar("T", Dossier, Ballot, Obligation, DocumentRecord)


@dataclass
class Store:
    """What is "in the database": committed records, shared by all units of work."""

    dossiers: dict[int, Dossier] = field(default_factory=dict)
    ballots: dict[int, Ballot] = field(default_factory=dict)
    obligations: dict[int, Obligation] = field(default_factory=dict)
    documents: dict[int, DocumentRecord] = field(default_factory=dict)
    files: dict[int, bytes] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    published: list[Event] = field(default_factory=list)

    def next(self, name: str) -> int:
        self.sequences[name] = self.sequences.get(name, 0) + 1
        return self.sequences[name]


class FakeRepository(Generic[T]):
    def __init__(self, store: Store, table: dict[int, T], name: str) -> None:
        self._store, self._name = store, name
        self._table: dict[int, T] = table
        self.seen: dict[int, T] = {}
        self.loaded_versions: dict[int, int | None] = {}  # None: new

    async def get(self, record_id: int) -> T | None:
        if record_id in self.seen:
            return self.seen[record_id]
        stored = self._table.get(record_id)
        if stored is None:
            return None
        record = copy.deepcopy(stored)
        self.seen[record_id] = record
        self.loaded_versions[record_id] = record.version
        return record

    async def add(self, record: T) -> None:
        self.seen[record.id] = record
        self.loaded_versions[record.id] = None

    async def next_id(self) -> int:
        return self._store.next(self._name)

    def stale(self) -> bool:
        """Whether a record loaded here was changed in the store meanwhile."""
        for record_id, loaded in self.loaded_versions.items():
            stored = self._table.get(record_id)
            if loaded is not None and stored is not None and stored.version != loaded:
                return True
        return False

    def flush(self) -> None:
        for record_id, record in self.seen.items():
            self._table[record_id] = copy.deepcopy(record)

    def forget(self) -> None:
        self.seen.clear()
        self.loaded_versions.clear()


class FakeDossiers(FakeRepository[Dossier]):
    async def next_registration_number(self, office: str, year: int) -> int:
        return self._store.next(f"register:{office}:{year}")


class FakeBallots(FakeRepository[Ballot]):
    async def open_for(self, dossier_id: int) -> Ballot | None:
        for ballot_id in sorted({*self._table, *self.seen}):
            ballot = await self.get(ballot_id)
            if ballot is not None and ballot.dossier_id == dossier_id and ballot.is_open:
                return ballot
        return None


class FakeObligations(FakeRepository[Obligation]):
    async def for_dossier(self, dossier_id: int) -> list[Obligation]:
        found = []
        for obligation_id in sorted({*self._table, *self.seen}):
            obligation = await self.get(obligation_id)
            if obligation is not None and obligation.dossier_id == dossier_id:
                found.append(obligation)
        return found


class FakeDocuments(FakeRepository[DocumentRecord]):
    async def add(self, record: DocumentRecord, content: bytes = b"") -> None:  # type: ignore[override]
        await super().add(record)
        self._store.files[record.id] = content

    async def for_dossier(self, dossier_id: int) -> list[DocumentRecord]:
        found = []
        for document_id in sorted({*self._table, *self.seen}):
            record = await self.get(document_id)
            if record is not None and record.dossier_id == dossier_id:
                found.append(record)
        return found

    async def content(self, document_id: int) -> bytes | None:
        return self._store.files.get(document_id)


class FakeUnitOfWork:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.commits = 0
        self.rollbacks = 0
        self._fresh()

    def _fresh(self) -> None:
        self.dossiers = FakeDossiers(self.store, self.store.dossiers, "dossier")
        self.ballots = FakeBallots(self.store, self.store.ballots, "ballot")
        self.obligations = FakeObligations(self.store, self.store.obligations, "obligation")
        self.documents = FakeDocuments(self.store, self.store.documents, "document")
        self._events: list[Event] = []

    async def __aenter__(self) -> Self:
        self._fresh()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        repos: list[FakeRepository[Any]] = [self.dossiers, self.ballots, self.obligations,
                                            self.documents]
        # Check every version before writing anything: all or nothing.
        if any(repo.stale() for repo in repos):
            raise StaleVersion()
        for dossier in self.dossiers.seen.values():
            self._events.extend(dossier.events)
            dossier.events.clear()
        for repo in repos:
            repo.flush()
            repo.forget()
        self.store.published.extend(self._events)
        self.commits += 1

    async def rollback(self) -> None:
        # Whatever was not committed is dropped; committed work is already stored.
        for repo in (self.dossiers, self.ballots, self.obligations, self.documents):
            if repo.seen:
                self.rollbacks += 1
                break
        self.dossiers.forget()
        self.ballots.forget()
        self.obligations.forget()
        self.documents.forget()

    def collect_new_events(self) -> Iterator[Event]:
        while self._events:
            yield self._events.pop(0)


@dataclass
class FakeClock:
    """A settable clock in Vietnam's time zone."""

    current: datetime = datetime(2024, 3, 4, 9, 0, tzinfo=VIETNAM)  # a Monday

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def set_date(self, day: date, hour: int = 9) -> None:
        self.current = datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM)


class MondayToFridayCalendar:
    """Working days are Monday to Friday; no holidays (enough for the services' tests)."""

    def add_working_days(self, start: date, n: int) -> date:
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day



# A cast of people around one route of a pack, and the steps that move a dossier ----

COMPLETE_PLAN = Plan(
    title="Số hóa hồ sơ một cửa tại trường",
    problem="Hồ sơ giấy chậm, thất lạc",
    problem_kind=ProblemKind.NOT_REGULATED,
    approach="Thí điểm phần mềm trong 6 tháng, giao tổ văn phòng thực hiện",
    expected_results="Giảm một nửa thời gian xử lý",
    risks="Lỗi phần mềm; giữ song song bản giấy",
    attachments=("du-toan.pdf",),
    common_good=True,
)


class Scenario:
    """A store, a clock, a calendar and one actor per role for ``unit_kind``'s route.

    The deciding body has five counted members: the head and member-1..4.
    """

    def __init__(
        self,
        unit_kind: str = "commune_school",
        pack: Pack | None = None,
        plan: Plan = COMPLETE_PLAN,
    ) -> None:
        self.pack = pack or bundled_rulebook().get("duc-pho-2022")
        self.unit_kind = unit_kind
        self.route = self.pack.unit_kind(unit_kind).route
        self.plan = plan
        self.store = Store()
        self.clock = FakeClock()
        self.calendar = MondayToFridayCalendar()
        self.last_uow: FakeUnitOfWork | None = None
        route = self.route
        body = route.decision_bodies[0]
        self.proposer = Actor.of("cadre-1")
        self.co_proposer = Actor.of("cadre-2")
        self.cell = Actor.of("cell-secretary",
                             Grant(Role.CELL_SECRETARY, route.preliminary_review or "none"))
        self.office = Actor.of("office-clerk", Grant(Role.OFFICE, route.via))
        self.head = Actor.of("secretary", Grant(Role.HEAD, route.head), Grant(Role.MEMBER, body))
        self.members = [Actor.of(f"member-{i}", Grant(Role.MEMBER, body)) for i in range(1, 5)]
        self.appraiser = Actor.of("appraiser-1")
        self.legal = Actor.of("inspector-1")
        self.superior = Actor.of("superior", Grant(Role.SUPERIOR, route.escalation_to))
        self.admin = Actor.of("admin", Grant(Role.ADMIN))
        self.outsider = Actor.of("outsider")
        self.dossier_id = 0

    # Plumbing ---------------------------------------------------------------------

    def uow(self) -> FakeUnitOfWork:
        if SQL_ENGINE is not None:
            from tests.storage.sql_scenario import sql_uow

            self.last_uow = sql_uow(SQL_ENGINE, self.store)  # type: ignore[assignment]
            return self.last_uow  # type: ignore[return-value]
        self.last_uow = FakeUnitOfWork(self.store)
        return self.last_uow

    @property
    def dossier(self) -> Dossier:
        """The committed dossier."""
        return self.store.dossiers[self.dossier_id]

    @property
    def voters(self) -> list[Actor]:
        return [self.head, *self.members]

    def actor_for(self, role: Role) -> Actor:
        return {
            Role.PROPOSER: self.proposer, Role.CELL_SECRETARY: self.cell,
            Role.OFFICE: self.office, Role.APPRAISER: self.appraiser,
            Role.LEGAL_REVIEWER: self.legal, Role.MEMBER: self.members[0],
            Role.HEAD: self.head, Role.SUPERIOR: self.superior, Role.ADMIN: self.admin,
        }[role]

    def everyone(self) -> list[Actor]:
        return [self.proposer, self.co_proposer, self.cell, self.office, self.head,
                *self.members, self.appraiser, self.legal, self.superior, self.admin,
                self.outsider]

    def snapshot(self) -> Store:
        return copy.deepcopy(self.store)

    def published(self, kind: type[Event] | None = None) -> list[Event]:
        return [e for e in self.store.published if kind is None or isinstance(e, kind)]

    def new_events(self) -> list[Event]:
        assert self.last_uow is not None
        return list(self.last_uow.collect_new_events())

    def open_ballot_of(self) -> Ballot:
        return next(b for b in self.store.ballots.values() if b.is_open)

    # Steps (each one a service call as the right person) ----------------------------

    async def create(self, **overrides: Any) -> Dossier:
        values: dict[str, Any] = {"plan": self.plan,
                                  "co_proposers": (self.co_proposer.person_id,)}
        values.update(overrides)
        cmd = CreateDraft(actor=self.proposer, unit_kind=self.unit_kind, **values)
        dossier = await svc.create_draft(cmd, self.uow(), self.clock, self.pack)
        self.dossier_id = dossier.id
        return dossier

    def ids(self) -> dict[str, Any]:
        return {"dossier_id": self.dossier_id}

    async def submit(self) -> Dossier:
        return await svc.submit(Submit(actor=self.proposer, **self.ids()), self.uow(), self.clock)

    async def cell_agree(self) -> Dossier:
        return await svc.cell_agree(CellAgree(actor=self.cell, **self.ids()), self.uow(),
                                    self.clock)

    async def cell_return(self) -> Dossier:
        return await svc.cell_return(CellReturn(actor=self.cell, reason="Bổ sung dự toán",
                                                **self.ids()), self.uow(), self.clock)

    async def to_office(self) -> Dossier:
        """Submit, and through the cell where the route has one."""
        dossier = await self.submit()
        if self.route.preliminary_review:
            dossier = await self.cell_agree()
        return dossier

    async def register(self, received_on: date | None = None) -> Dossier:
        return await svc.register(Register(actor=self.office, received_on=received_on,
                                           **self.ids()), self.uow(), self.clock, self.calendar)

    async def assign_appraisal(self) -> Dossier:
        return await svc.assign_appraisal(
            AssignAppraisal(actor=self.office, appraisers=(self.appraiser.person_id,),
                            **self.ids()), self.uow(), self.clock, self.calendar)

    async def file_appraisal(self, feasible: bool = True) -> Dossier:
        return await svc.file_appraisal(
            FileAppraisal(actor=self.appraiser, feasible=feasible, summary="Khả thi, hiệu quả"
                          if feasible else "Không khả thi", **self.ids()), self.uow(), self.clock)

    async def appraise(self) -> Dossier:
        await self.assign_appraisal()
        return await self.file_appraisal(True)

    async def assign_legal_review(self) -> Dossier:
        return await svc.assign_legal_review(
            AssignLegalReview(actor=self.office, reviewers=(self.legal.person_id,),
                              **self.ids()), self.uow(), self.clock, self.calendar)

    async def file_legal_review(self) -> Dossier:
        return await svc.file_legal_review(
            FileLegalReview(actor=self.legal, summary="Rủi ro pháp lý thấp", **self.ids()),
            self.uow(), self.clock)

    async def open_ballot(self, **overrides: Any) -> Ballot:
        values: dict[str, Any] = {
            "members": tuple(a.person_id for a in self.voters),
            "head_person": self.head.person_id,
            "closes_at": self.clock.now() + timedelta(days=3),
        }
        values.update(overrides)
        return await svc.open_ballot(OpenBallot(actor=self.office, **self.ids(), **values),
                                     self.uow(), self.clock)

    async def vote(self, actor: Actor, choice: Choice) -> Ballot:
        return await svc.cast_vote(CastVote(actor=actor, choice=choice, **self.ids()),
                                   self.uow(), self.clock)

    async def votes(self, *choices: Choice) -> Ballot:
        ballot = None
        for actor, choice in zip(self.voters, choices, strict=False):
            ballot = await self.vote(actor, choice)
        assert ballot is not None
        return ballot

    async def decide(self, choice: Choice) -> Ballot:
        """Three of five vote ``choice``: certain; a ballot that closes when certain closes
        by itself, a meeting (the party packs) is closed by the office."""
        await self.open_ballot()
        ballot = await self.votes(choice, choice, choice)
        return ballot if not ballot.is_open else await self.close_ballot()

    async def close_ballot(self) -> Ballot:
        """The office ends the vote now (a meeting may be ended at any time)."""
        return await svc.close_ballot(CloseBallot(actor=self.office, **self.ids()),
                                      self.uow(), self.clock)

    async def closed(self, ballot: Ballot) -> Ballot:
        """``ballot`` closed: as it is if it closed by itself, else the office ends the
        meeting now (either ballot mode)."""
        return ballot if not ballot.is_open else await self.close_ballot()

    async def no_consensus(self) -> Ballot:
        await self.open_ballot()
        ballot = await self.votes(Choice.APPROVE, Choice.APPROVE, Choice.REJECT,
                                  Choice.REJECT, Choice.RE_PREPARE)
        return ballot if not ballot.is_open else await self.close_ballot()

    async def answer(self) -> Dossier:
        return await svc.send_written_answer(
            SendWrittenAnswer(actor=self.office, reference="15-CV/ĐU", **self.ids()),
            self.uow(), self.clock)

    async def start(self) -> Dossier:
        return await svc.start_implementation(
            StartImplementation(actor=self.proposer, **self.ids()), self.uow(), self.clock)

    async def complete(self) -> Dossier:
        return await svc.report_completion(
            ReportCompletion(actor=self.proposer, summary="Đã hoàn thành", **self.ids()),
            self.uow(), self.clock)

    async def evaluate(self) -> Dossier:
        return await svc.record_evaluation(
            RecordEvaluation(actor=self.office, effective=True,
                             forms=(EncouragementForm.RECOGNITION,), summary="Hiệu quả",
                             **self.ids()), self.uow(), self.clock)

    async def open_evaluation(self, **overrides: Any) -> Ballot:
        """The office puts an evaluation (real results, recognition) to the collective."""
        values: dict[str, Any] = {
            "members": tuple(a.person_id for a in self.voters),
            "head_person": self.head.person_id,
            "closes_at": self.clock.now() + timedelta(days=3),
            "effective": True, "forms": (EncouragementForm.RECOGNITION,),
            "summary": "Hiệu quả rõ rệt",
        }
        values.update(overrides)
        return await svc.open_evaluation(OpenEvaluation(actor=self.office, **self.ids(),
                                                        **values), self.uow(), self.clock)

    async def drive_to(self, state: State) -> None:
        """Take a fresh dossier to ``state`` through the services."""
        paths: dict[State, list[str]] = {
            State.DRAFT: [],
            State.AT_CELL: ["submit"],
            State.RETURNED_BY_CELL: ["submit", "cell_return"],
            State.SUBMITTED: ["to_office"],
            State.RETURNED_FOR_COMPLETION: ["to_office", "return_for_completion"],
            State.REGISTERED: ["to_office", "register"],
            State.ESCALATED: ["to_office", "register", "forward"],
            State.APPRAISAL_ASSIGNED: ["to_office", "register", "assign_appraisal"],
            State.APPRAISED: ["to_office", "register", "appraise"],
            State.LEGAL_REVIEW_ASSIGNED: ["to_office", "register", "appraise",
                                          "assign_legal_review"],
            State.LEGAL_REVIEWED: ["to_office", "register", "appraise", "assign_legal_review",
                                   "file_legal_review"],
            State.BALLOT_OPEN: ["to_office", "register", "appraise", "open_ballot"],
            State.QUORUM_NOT_MET: ["to_office", "register", "appraise", "quorum_not_met"],
            State.NO_CONSENSUS: ["to_office", "register", "appraise", "no_consensus"],
            State.APPROVED: ["to_office", "register", "appraise", "approve"],
            State.REJECTED: ["to_office", "register", "appraise", "reject"],
            State.RETURNED_FOR_RE_PREPARATION: ["to_office", "register", "appraise", "re_prepare"],
            State.ANSWERED: ["to_office", "register", "appraise", "approve", "answer"],
            State.IMPLEMENTING: ["to_office", "register", "appraise", "approve", "answer",
                                 "start"],
            State.COMPLETED: ["to_office", "register", "appraise", "approve", "answer", "start",
                              "complete"],
            State.EVALUATION_OPEN: ["to_office", "register", "appraise", "approve", "answer",
                                    "start", "complete", "open_evaluation"],
            State.EVALUATED: ["to_office", "register", "appraise", "approve", "answer", "start",
                              "complete", "evaluate"],
            State.CLOSED: ["to_office", "register", "appraise", "reject", "answer"],
            State.WITHDRAWN: ["withdraw"],
        }
        if state is State.EMERGENCY_REPORTED:
            await self.emergency()
            return
        await self.create()
        for step in paths[state]:
            method = getattr(self, f"_step_{step}", None) or getattr(self, step)
            await method()
        assert self.dossier.state is state, (self.dossier.state, state)

    async def _step_return_for_completion(self) -> None:
        await svc.return_for_completion(ReturnForCompletion(
            actor=self.office, missing=("dự toán",), **self.ids()), self.uow(), self.clock)

    async def _step_forward(self) -> None:
        await svc.forward_beyond_authority(ForwardBeyondAuthority(
            actor=self.office, proposed_solution="Đề nghị cấp trên cho chủ trương",
            **self.ids()), self.uow(), self.clock)

    async def set_voting_rule(self, body: str, rule: VotingRule) -> None:
        """Change the committed dossier's rule for ``body`` (set-up, not a service)."""
        self.store.dossiers[self.dossier_id].voting_rules[body] = rule
        if SQL_ENGINE is not None:
            from tests.storage.sql_scenario import push_dossier

            await push_dossier(SQL_ENGINE, self.store.dossiers[self.dossier_id])

    async def close_when_certain(self) -> None:
        """Let the deciding body's ballot close by itself once the result is certain
        (``BallotMode.CLOSE_WHEN_CERTAIN``), whatever the pack's default."""
        body = self.route.decision_bodies[0]
        rule = self.store.dossiers[self.dossier_id].voting_rule(body)
        await self.set_voting_rule(body, replace(rule, ballot=BallotMode.CLOSE_WHEN_CERTAIN))

    async def _step_quorum_not_met(self) -> None:
        rule = VotingRule(id="with_quorum", basis=Basis.COUNTED_MEMBERS, quorum=Fraction(2, 3))
        await self.set_voting_rule(self.route.decision_bodies[0], rule)
        ballot = await self.open_ballot()
        await self.vote(self.head, Choice.APPROVE)
        assert ballot.closes_at is not None
        self.clock.current = ballot.closes_at + timedelta(minutes=1)
        await svc.close_expired_ballot(CloseExpiredBallot(ballot_id=ballot.id), self.uow(),
                                       self.clock)

    async def _step_approve(self) -> None:
        await self.decide(Choice.APPROVE)

    async def _step_reject(self) -> None:
        await self.decide(Choice.REJECT)

    async def _step_re_prepare(self) -> None:
        await self.decide(Choice.RE_PREPARE)

    async def withdraw(self) -> Dossier:
        return await svc.withdraw(Withdraw(actor=self.proposer, reason="Rút để làm lại",
                                           **self.ids()), self.uow(), self.clock)

    async def emergency(self) -> Dossier:
        report = EmergencyReport(action_taken="Sơ tán dân khỏi vùng sạt lở",
                                 taken_on=self.clock.now().date(),
                                 why_no_plan="Mưa lớn bất ngờ trong đêm")
        dossier = await svc.file_emergency_report(
            FileEmergencyReport(actor=self.proposer, unit_kind=self.unit_kind, report=report),
            self.uow(), self.clock, self.pack)
        self.dossier_id = dossier.id
        return dossier
