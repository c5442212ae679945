"""The SQL unit of work: the workflow ports on SQLAlchemy, one transaction per use.

A state change, its history rows, its audit records, its outbox messages and its
reminders commit together or not at all. Optimistic versioning: every save of a dossier, ballot or
obligation is ``UPDATE ... WHERE version = <loaded>``; no row updated means someone
else changed it first, and the whole transaction is refused with StaleVersion.
Votes are the exception that makes concurrent voting work: a vote only needs the
ballot to be still open, so it bumps the ballot with ``WHERE closed_at IS NULL``
and upserts its own row; closing the ballot is strict, so a close never misses a
vote that was committed after the closer looked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import audit
from storage.codec import Schema, dump, load
from storage.desk_read import sync_participants
from storage.documents import SqlDocuments, audit_documents
from storage.dossier_models import (
    AttachmentRow,
    BallotRow,
    Counter,
    DossierHistoryRow,
    DossierRow,
    ObligationRow,
    VoteRow,
)
from storage.models import Person, Unit
from storage.outbox import OutboxWriter
from storage.publications import SqlPublications
from storage.reminders import ReminderWriter
from workflow.attachments import AttachedFile
from workflow.dossier import Dossier, HistoryEntry
from workflow.errors import StaleVersion
from workflow.events import Event
from workflow.obligations import Obligation
from workflow.text_fold import search_text
from workflow.voting import DECISION, Ballot, Choice, Electorate, Outcome, Vote, VotingRule

# Called after each commit with the events it published (tests mirror state with it).
OnCommit = Callable[[list[Event]], Awaitable[None]]


async def next_counter(session: AsyncSession, name: str) -> int:
    """Increment and return a named counter (row-locked until the transaction ends)."""
    result = await session.execute(
        update(Counter).where(Counter.name == name)
        .values(value=Counter.value + 1).returning(Counter.value))
    value = result.scalar_one_or_none()
    if value is None:
        session.add(Counter(name=name, value=1))
        await session.flush()
        return 1
    return int(value)


class _Tracked:
    """What a repository handed out, and how it looked when loaded."""

    def __init__(self) -> None:
        self.seen: dict[int, Any] = {}
        self.loaded: dict[int, Any] = {}  # id -> dump at load time (absent: new)


# --- dossiers ---------------------------------------------------------------------------

def _rule_needs_no_head(rule: Any) -> Any:
    # Voting rules stored before ``head_must_vote`` (ND 73 Điều 8 khoản 1) did not need
    # the head's vote.
    return {"head_must_vote": False, **rule} if isinstance(rule, dict) else rule


def _rule_closes_when_certain(rule: Any) -> Any:
    # Voting rules stored before the ballot mode closed the ballot as soon as the result
    # was certain: what was snapshotted then keeps doing so.
    return {"ballot": "close_when_certain", **rule} if isinstance(rule, dict) else rule


def _dossier_rules(blob: dict[str, Any], upcast: Callable[[Any], Any]) -> dict[str, Any]:
    rules = blob.get("voting_rules")
    if not isinstance(rules, dict):
        return blob
    return {**blob, "voting_rules": {k: upcast(v) for k, v in rules.items()}}


def _dossier_rules_head(blob: dict[str, Any]) -> dict[str, Any]:
    return _dossier_rules(blob, _rule_needs_no_head)


def _dossier_rules_mode(blob: dict[str, Any]) -> dict[str, Any]:
    return _dossier_rules(blob, _rule_closes_when_certain)


# The stored blob (the history lives in its own table). A field renamed, added or
# removed in workflow/dossier.py means a version bump and an upcaster here.
DOSSIER_BLOB = Schema("dossier", Dossier, version=3,
                      upcasters={1: _dossier_rules_head, 2: _dossier_rules_mode})


def _dossier_data(dossier: Dossier) -> dict[str, Any]:
    data = DOSSIER_BLOB.dump(dossier)
    data.pop("history", None)
    return data


class SqlDossiers(_Tracked):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session
        self.history_len: dict[int, int] = {}

    async def get(self, dossier_id: int, /) -> Dossier | None:
        if dossier_id in self.seen:
            return self.seen[dossier_id]  # type: ignore[no-any-return]
        row = await self.session.get(DossierRow, dossier_id)
        if row is None:
            return None
        steps = (await self.session.execute(
            select(DossierHistoryRow).where(DossierHistoryRow.dossier_id == dossier_id)
            .order_by(DossierHistoryRow.seq))).scalars().all()
        history = [
            {"action": s.action, "from_state": s.from_state, "to_state": s.to_state,
             "by": s.by, "at": s.at.isoformat(), "note": s.note} for s in steps]
        dossier = DOSSIER_BLOB.load(row.data, dossier_id, extra={"history": history})
        self.seen[dossier_id] = dossier
        self.loaded[dossier_id] = _dossier_data(dossier)
        self.history_len[dossier_id] = len(steps)
        return dossier

    async def add(self, dossier: Dossier, /) -> None:
        self.seen[dossier.id] = dossier
        self.history_len[dossier.id] = 0

    async def next_id(self) -> int:
        return await next_counter(self.session, "dossier")

    async def next_registration_number(self, office: str, year: int, /) -> int:
        return await next_counter(self.session, f"register:{office}:{year}")

    async def save(self, now: datetime) -> list[tuple[Dossier, list[HistoryEntry]]]:
        """Write new and changed dossiers; return each one's new history entries."""
        written = []
        for dossier_id, dossier in self.seen.items():
            data = _dossier_data(dossier)
            columns = _dossier_columns(dossier, data, now)
            if dossier_id not in self.loaded or data != self.loaded[dossier_id]:
                columns["search_text"] = await self._search_text(dossier)
            if dossier_id not in self.loaded:
                self.session.add(DossierRow(id=dossier_id, created_at=dossier.created_at,
                                            **columns))
                await self.session.flush()
            elif data != self.loaded[dossier_id]:
                loaded_version = self.loaded[dossier_id]["version"]
                result = await self.session.execute(
                    update(DossierRow)
                    .where(DossierRow.id == dossier_id, DossierRow.version == loaded_version)
                    .values(**columns))
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise StaleVersion()
            if dossier_id not in self.loaded or data != self.loaded[dossier_id]:
                await sync_participants(self.session, dossier, new=dossier_id not in self.loaded)
            new_steps = dossier.history[self.history_len.get(dossier_id, 0):]
            for offset, step in enumerate(new_steps):
                self.session.add(DossierHistoryRow(
                    dossier_id=dossier_id, seq=self.history_len.get(dossier_id, 0) + offset + 1,
                    action=step.action, from_state=step.from_state.value if step.from_state
                    else None, to_state=step.to_state.value, by=step.by, at=step.at,
                    note=step.note))
            written.append((dossier, list(new_steps)))
        await self.session.flush()
        return written

    async def _search_text(self, dossier: Dossier) -> str:
        """The folded text /timkiem looks in, with the proposers' names and units."""
        people = (await self.session.execute(
            select(Person.id, Person.name, Unit.name).outerjoin(Unit, Unit.id == Person.unit_id)
            .where(Person.id.in_(dossier.proposers)))).all()
        order = {person: i for i, person in enumerate(dossier.proposers)}
        people = sorted(people, key=lambda row: order.get(row[0], len(order)))
        names = [row[1] for row in people]
        units = list(dict.fromkeys(row[2] for row in people if row[2]))
        return dossier_search_text(dossier, [*names, *units])


def dossier_search_text(dossier: Dossier, names: list[str]) -> str:
    """What a search looks in (folded): the plan's title and content, the registration
    and answer numbers of every round, an emergency's action, then ``names`` (the
    proposers and their units). migrations/0010 fills it the same way from stored rows."""
    plan = dossier.plan
    rounds = [(r.registration_number, r.answer_reference) for r in dossier.past_rounds]
    return search_text(
        plan.title, plan.problem, plan.regulation, plan.regulation_issuer, plan.approach,
        plan.expected_results, dossier.registration_number, dossier.answer_reference,
        *(number for pair in rounds for number in pair),
        dossier.emergency.action_taken if dossier.emergency else None, *names)


def _dossier_columns(dossier: Dossier, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "kind": dossier.kind.value, "state": dossier.state.value, "proposer_id": dossier.proposer,
        "pack_id": dossier.pack_id, "pack_version": dossier.pack_version,
        "unit_kind": dossier.unit_kind, "office_body": dossier.body(dossier.route.via),
        "title": dossier.plan.title, "round": dossier.round,
        "registration_number": dossier.registration_number,
        "received_on": dossier.received_on, "due_on": dossier.due_on,
        "is_complex": dossier.complexity is not None, "version": dossier.version,
        "updated_at": now, "data": data,
    }


# --- ballots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotData:
    """A ballot row's blob: the rule and the electorate snapshotted at opening."""

    rule: VotingRule
    voters: Electorate
    purpose: str


def _ballot_purpose(blob: dict[str, Any]) -> dict[str, Any]:
    # Ballots from before evaluations were put to the vote have no purpose: they decided.
    return {**blob, "purpose": blob.get("purpose", DECISION)}


def _ballot_rule_head(blob: dict[str, Any]) -> dict[str, Any]:
    return {**blob, "rule": _rule_needs_no_head(blob.get("rule"))}


def _ballot_rule_mode(blob: dict[str, Any]) -> dict[str, Any]:
    return {**blob, "rule": _rule_closes_when_certain(blob.get("rule"))}


BALLOT_BLOB = Schema("ballot", BallotData, version=4,
                     upcasters={1: _ballot_purpose, 2: _ballot_rule_head, 3: _ballot_rule_mode})


class SqlBallots(_Tracked):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session

    async def get(self, ballot_id: int, /) -> Ballot | None:
        if ballot_id in self.seen:
            return self.seen[ballot_id]  # type: ignore[no-any-return]
        row = await self.session.get(BallotRow, ballot_id)
        return None if row is None else await self._load(row)

    async def _load(self, row: BallotRow) -> Ballot:
        votes = (await self.session.execute(
            select(VoteRow).where(VoteRow.ballot_id == row.id))).scalars().all()
        return self._built(row, votes)

    async def load_many(self, ballot_ids: list[int], /) -> dict[int, Ballot]:
        """The ballots of ``ballot_ids`` that exist, by id, in two queries (for a list
        that shows many: /hanchot's open votes)."""
        rows = (await self.session.execute(
            select(BallotRow).where(BallotRow.id.in_(ballot_ids)))).scalars().all()
        votes: dict[int, list[VoteRow]] = {row.id: [] for row in rows}
        for vote in (await self.session.execute(select(VoteRow).where(
                VoteRow.ballot_id.in_(list(votes))).order_by(VoteRow.id))).scalars():
            votes[vote.ballot_id].append(vote)
        return {row.id: self.seen.get(row.id) or self._built(row, votes[row.id])
                for row in rows}

    def _built(self, row: BallotRow, votes: Sequence[VoteRow]) -> Ballot:
        data = BALLOT_BLOB.load(row.data, row.id)
        ballot = Ballot(
            id=row.id, dossier_id=row.dossier_id, body=row.body,
            rule=data.rule, voters=data.voters,
            opened_at=row.opened_at, closes_at=row.closes_at,
            votes={v.person_id: Vote(Choice(v.choice), v.at, v.comment or "") for v in votes},
            closed_at=row.closed_at, outcome=load(Outcome | None, row.outcome),
            automatic=row.automatic, cancelled=row.cancelled, version=row.version,
            purpose=data.purpose)
        self.seen[ballot.id] = ballot
        self.loaded[ballot.id] = dump(ballot)
        return ballot

    async def add(self, ballot: Ballot, /) -> None:
        self.seen[ballot.id] = ballot

    async def next_id(self) -> int:
        return await next_counter(self.session, "ballot")

    async def open_for(self, dossier_id: int, /) -> Ballot | None:
        for ballot in self.seen.values():
            if ballot.dossier_id == dossier_id and ballot.is_open:
                return ballot  # type: ignore[no-any-return]
        row = (await self.session.execute(
            select(BallotRow).where(BallotRow.dossier_id == dossier_id,
                                    BallotRow.closed_at.is_(None),
                                    BallotRow.id.not_in(list(self.seen)))
            .order_by(BallotRow.id))).scalars().first()
        return None if row is None else await self._load(row)

    async def save(self) -> None:
        for ballot_id, ballot in self.seen.items():
            columns = {
                "dossier_id": ballot.dossier_id, "body": ballot.body,
                "opened_at": ballot.opened_at, "closes_at": ballot.closes_at,
                "closed_at": ballot.closed_at,
                "outcome": ballot.outcome.value if ballot.outcome else None,
                "automatic": ballot.automatic, "cancelled": ballot.cancelled,
                "data": BALLOT_BLOB.dump(BallotData(ballot.rule, ballot.voters, ballot.purpose)),
            }
            before = self.loaded.get(ballot_id)
            if before is None:
                self.session.add(BallotRow(id=ballot_id, version=ballot.version, **columns))
                await self.session.flush()
                await self._save_votes(ballot, {})
                continue
            now_dump = dump(ballot)
            if now_dump == before:
                continue
            closing = any(now_dump[k] != before[k]
                          for k in ("closed_at", "outcome", "automatic", "cancelled",
                                    "closes_at"))
            query = update(BallotRow).where(BallotRow.id == ballot_id)
            if closing:  # strict: nothing may have changed since we looked
                query = query.where(BallotRow.version == before["version"])
            else:  # a vote: the ballot only has to be still open
                query = query.where(BallotRow.closed_at.is_(None))
            result = await self.session.execute(
                query.values(version=BallotRow.version + 1, **columns))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion()
            await self._save_votes(ballot, before["votes"])

    async def _save_votes(self, ballot: Ballot, before: dict[str, Any]) -> None:
        for person, vote in ballot.votes.items():
            if before.get(person) == dump(vote):
                continue
            await _upsert_vote(self.session, ballot.id, person, vote)


async def _upsert_vote(session: AsyncSession, ballot_id: int, person: str, vote: Vote) -> None:
    dialect = session.get_bind().dialect.name
    values = {"ballot_id": ballot_id, "person_id": person, "choice": vote.choice.value,
              "at": vote.at, "comment": vote.comment}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    statement = upsert(VoteRow).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["ballot_id", "person_id"],
        set_={"choice": statement.excluded.choice, "at": statement.excluded.at,
              "comment": statement.excluded.comment}))


# --- obligations ------------------------------------------------------------------------

def _obligation_decision(blob: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no decided matters: nothing was decided, nothing summarised."""
    return {"outcome": None, "summary": "", **blob}


OBLIGATION_BLOB = Schema("obligation", Obligation, version=2,
                         upcasters={1: _obligation_decision})


class SqlObligations(_Tracked):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session

    async def get(self, obligation_id: int, /) -> Obligation | None:
        if obligation_id in self.seen:
            return self.seen[obligation_id]  # type: ignore[no-any-return]
        row = await self.session.get(ObligationRow, obligation_id)
        return None if row is None else self._load(row)

    def _load(self, row: ObligationRow) -> Obligation:
        obligation = OBLIGATION_BLOB.load(row.data, row.id)
        self.seen[obligation.id] = obligation
        self.loaded[obligation.id] = OBLIGATION_BLOB.dump(obligation)
        return obligation

    async def add(self, obligation: Obligation, /) -> None:
        self.seen[obligation.id] = obligation

    async def next_id(self) -> int:
        return await next_counter(self.session, "obligation")

    async def for_dossier(self, dossier_id: int, /) -> list[Obligation]:
        rows = (await self.session.execute(
            select(ObligationRow).where(ObligationRow.dossier_id == dossier_id,
                                        ObligationRow.id.not_in(list(self.seen)))
        )).scalars().all()
        for row in rows:
            self._load(row)
        return sorted((o for o in self.seen.values() if o.dossier_id == dossier_id),
                      key=lambda o: o.id)

    async def save(self) -> None:
        for obligation_id, obligation in self.seen.items():
            data = OBLIGATION_BLOB.dump(obligation)
            columns = {"dossier_id": obligation.dossier_id, "kind": obligation.kind.value,
                       "owner_body": obligation.owner_body, "created_at": obligation.created_at,
                       "due_on": obligation.due_on, "done_at": obligation.done_at,
                       "version": obligation.version, "data": data}
            before = self.loaded.get(obligation_id)
            if before is None:
                self.session.add(ObligationRow(id=obligation_id, **columns))
            elif data != before:
                result = await self.session.execute(
                    update(ObligationRow).where(ObligationRow.id == obligation_id,
                                                ObligationRow.version == before["version"])
                    .values(**columns))
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise StaleVersion()
        await self.session.flush()


# --- received files ---------------------------------------------------------------------

async def _keep_files(session: AsyncSession, dossier: Dossier, step: HistoryEntry,
                      purpose: str, files: tuple[AttachedFile, ...]) -> None:
    """Record the files a step sent on with the dossier, once per purpose and round."""
    held = {(channel, file_id) for channel, file_id in await session.execute(
        select(AttachmentRow.channel, AttachmentRow.file_id).where(
            AttachmentRow.dossier_id == dossier.id, AttachmentRow.purpose == purpose,
            AttachmentRow.round == dossier.round))}
    for file in files:
        if (file.channel, file.file_id) in held:
            continue
        held.add((file.channel, file.file_id))
        session.add(AttachmentRow(
            dossier_id=dossier.id, person_id=file.by or step.by, purpose=purpose,
            round=dossier.round, channel=file.channel, file_id=file.file_id,
            name=file.name[:300], mime_type=(file.mime_type or "")[:100] or None,
            size=file.size, sha256=file.sha256,
            created_at=step.at))
    await session.flush()


# --- the unit of work -------------------------------------------------------------------


class SqlUnitOfWork:
    """``async with uow:`` opens a session and a transaction; ``commit()`` saves it all."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 outbox: OutboxWriter | None = None, on_commit: OnCommit | None = None,
                 clock: Callable[[], datetime] | None = None,
                 reminders: ReminderWriter | None = None) -> None:
        self._sessions = sessions
        self._outbox = outbox or OutboxWriter()
        self._reminders = reminders or ReminderWriter()
        self._on_commit = on_commit
        self._clock = clock or (lambda: datetime.now(UTC))
        self._events: list[Event] = []
        self.commits = 0
        self.rollbacks = 0
        self.session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        self.dossiers = SqlDossiers(self.session)
        self.ballots = SqlBallots(self.session)
        self.obligations = SqlObligations(self.session)
        self.documents = SqlDocuments(self.session)
        self.publications = SqlPublications(self.session)  # written by the session's commit
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            await self.rollback()
        finally:
            if self.session is not None:
                await self.session.close()
                self.session = None

    async def commit(self) -> None:
        assert self.session is not None, "use the unit of work in `async with`"
        # A busy database raises StorageUnavailable (storage.db): rolled back, and the
        # assistant tries the whole turn again when nothing of it was saved yet.
        await self._commit()

    async def _commit(self) -> None:
        assert self.session is not None
        now = self._clock()
        written = await self.dossiers.save(now)
        await self.ballots.save()
        await self.obligations.save()
        recorded, rescanned = await self.documents.save()
        events: list[Event] = []
        for dossier, steps in written:
            for step in steps:
                payload: dict[str, Any] = {
                    "from": step.from_state.value if step.from_state else None,
                    "to": step.to_state.value, "version": dossier.version,
                    "round": dossier.round, "note": step.note}
                purpose, files = dossier.files_sent_by(step.action)
                if files:
                    # The checksums go into the hash chain: a copy shown later that
                    # differs from what was sent can be told apart.
                    payload["files"] = [f.fingerprint() for f in files]
                    await _keep_files(self.session, dossier, step, purpose, files)
                await audit.append(self.session, action=step.action, actor=step.by,
                                   dossier_id=dossier.id, at=step.at, payload=payload)
            events.extend(dossier.events)
        for ballot_id, ballot in self.ballots.seen.items():
            before = self.ballots.loaded.get(ballot_id, {}).get("votes", {})
            for person, vote in ballot.votes.items():
                if before.get(person) != dump(vote):
                    payload = {"ballot": ballot_id, "choice": vote.choice.value}
                    if vote.comment:  # kept in the tamper-evident record with the vote
                        payload["comment"] = vote.comment
                    await audit.append(self.session, action="vote_cast", actor=person,
                                       dossier_id=ballot.dossier_id, at=vote.at,
                                       payload=payload)
        await audit_documents(self.session, recorded, rescanned, now)
        await self._outbox.write(self.session, events, now,
                                 {d.id: d.proposers for d, _ in written})
        await self._reminders.write(self.session, events, now)
        await self.session.commit()
        for dossier, _ in written:
            dossier.events.clear()
        self._events.extend(events)
        self.commits += 1
        self._forget()
        await self.session.begin()
        if self._on_commit is not None:
            await self._on_commit(list(events))

    async def rollback(self) -> None:
        if self.session is None:
            return
        if any(repo.seen for repo in (self.dossiers, self.ballots, self.obligations,
                                      self.documents)):
            self.rollbacks += 1
        await self.session.rollback()
        self._forget()

    def _forget(self) -> None:
        assert self.session is not None
        self.dossiers = SqlDossiers(self.session)
        self.ballots = SqlBallots(self.session)
        self.obligations = SqlObligations(self.session)
        self.documents = SqlDocuments(self.session)
        self.publications = SqlPublications(self.session)

    def collect_new_events(self) -> Iterator[Event]:
        while self._events:
            yield self._events.pop(0)
