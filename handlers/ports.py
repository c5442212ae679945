"""What the conversation needs from storage, as Protocols (storage implements them).

``handlers`` never imports ``storage``: the composition root (``bot``) hands in
objects that satisfy these ports, and the conversation tests can use the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from workflow.actors import Actor, Role
from workflow.dossier import Dossier
from workflow.lifecycle import State
from workflow.obligations import Obligation
from workflow.organisation import HigherBody, OrgBody
from workflow.ports import UnitOfWork
from workflow.rules.model import Pack
from workflow.statistics import Period, Statistics
from workflow.voting import Ballot, BallotMode


@dataclass(frozen=True)
class PersonInfo:
    id: str
    name: str
    language: str = "vi"
    title: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    unit_kind: str | None = None
    pack_id: str | None = None  # the routing pack of the person's organisation


class LinkStatus(StrEnum):
    LINKED = "linked"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ACCOUNT_TAKEN = "account_taken"
    RATE_LIMITED = "rate_limited"


@dataclass
class Conversation:
    """Where a chat account is in the conversation; saved after every message."""

    channel: str
    account: str
    flow: str | None = None  # e.g. "filing", "competent"
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    language: str | None = None  # chosen with /language; None: the person's or a guess
    version: int = 0


class RecordMaker(Protocol):
    async def __call__(self, dossier_id: int, language: str) -> tuple[str, bytes, str] | None:
        """The dossier's verifiable record: (file name, the zip, its verification code);
        None when there is no such dossier."""
        ...


class StatisticsReader(Protocol):
    """The figures of ``/thongke`` (storage.statistics)."""

    async def committees_of(self, person_id: str, today: date) -> list[tuple[str, str]]:
        """The committees whose statistics the person sees: (body id, name)."""
        ...

    async def statistics(self, bodies: Collection[str] | None, period: Period,
                         as_of: date) -> Statistics:
        """For ``bodies`` and the bodies under them (None: the whole installation)."""
        ...


@dataclass(frozen=True)
class DeskDossiers:
    """Dossiers a person takes part in, by id, and which of them owe a written duty."""

    dossiers: list[Dossier]
    owing: frozenset[int]  # ids of those with a duty not yet done (open or finished)
    # The person's roles on each of them: ``Dossier.roles_of`` without ADMIN (an admin
    # grant takes no step in a dossier), read from the same rows that selected them.
    roles: dict[int, frozenset[Role]]


@dataclass(frozen=True)
class DeskPage:
    """One page of a desk list, in the list's order, and how many the whole list holds."""

    dossiers: list[Dossier]
    total: int


class DeskReader(Protocol):
    """The desk's reads (/viec, /hanchot, the office's overview), selected in the
    database by the person's part in each dossier: their cost grows with the person's own
    dossiers, not with the installation's (storage.desk_read)."""

    async def involving(self, actor: Actor, *, proposed: bool = False) -> DeskDossiers:
        """Dossiers on which ``actor`` holds a role (``Dossier.roles_of``; an admin grant
        alone gives none) that are open (sent, not finished) or owe a written duty; with
        ``proposed``, also every dossier the person filed as first proposer, drafts and
        finished ones included (what ``Directory.dossiers_of`` lists)."""
        ...

    async def open_at(self, offices: Collection[str]) -> list[Dossier]:
        """Open dossiers whose office (the route's ``via`` body) is one of ``offices``."""
        ...

    async def tasks(self, actor: Actor, *, offset: int, limit: int) -> DeskPage:
        """/viec: the dossiers ``involving`` gives on which ``actor``'s acting roles have a
        task (``workflow.desk_tasks``) or, as office or head, owe a written duty; counted,
        and ``limit`` of them from ``offset``, soonest due first (none last), then by id."""
        ...

    async def open_page(self, offices: Collection[str], *, offset: int, limit: int
                        ) -> DeskPage:
        """The office's overview: ``open_at``, counted, one page in the same order."""
        ...

    async def deadline_inputs(self, ballot_ids: Collection[int], duties_of: Collection[int]
                              ) -> tuple[dict[int, Ballot], dict[int, list[Obligation]]]:
        """The ballots of ``ballot_ids`` by id, and every obligation (done or not) of the
        dossiers ``duties_of`` by dossier, oldest first: what /hanchot's dates need."""
        ...

    async def person_names(self, person_ids: Collection[str]) -> dict[str, str]:
        """Person id -> name, for those that exist."""
        ...


class Directory(Protocol):
    """People, accounts and the organisation, as the conversation sees them."""

    async def person_for_account(self, channel: str, account: str) -> PersonInfo | None: ...

    async def person(self, person_id: str) -> PersonInfo | None: ...

    async def actor(self, person_id: str) -> Actor:
        """The person with their roles (grants) from current memberships."""
        ...

    async def route_bodies(self, person_id: str, pack: Pack) -> dict[str, str]:
        """Route body id -> the organisation's body, for the person's unit (resolved only)."""
        ...

    async def route_ballots(self, bodies: Mapping[str, str]) -> dict[str, BallotMode]:
        """Route body id -> the ballot mode the organisation file set for that body."""
        ...

    async def body_names(self, body_ids: list[str]) -> dict[str, str]: ...

    async def body_kinds(self, body_ids: list[str]) -> dict[str, str]:
        """Body id -> its kind (the pack's body id, e.g. town_peoples_committee)."""
        ...

    async def body_line(self, body_id: str) -> list[OrgBody]:
        """The body and the bodies above it, nearest first (a document's letterhead)."""
        ...

    async def find_people(self, query: str, limit: int = 5) -> list[PersonInfo]: ...

    async def link(self, code: str, channel: str, account: str, chat: str) -> tuple[
            LinkStatus, str | None]:
        """Redeem an invitation code for this account (rate-limited); the person linked."""
        ...

    async def set_language(self, person_id: str, language: str) -> None: ...

    async def dossiers_of(self, person_id: str) -> list[Dossier]:
        """Dossiers the person proposed or co-proposed, newest first."""
        ...

    async def open_dossiers(self, also: Collection[int] = ()) -> list[Dossier]:
        """Dossiers sent and not finished (not drafts, closed or withdrawn), and those of
        ``also`` whatever their state, by id."""
        ...

    async def owing_dossier_ids(self) -> frozenset[int]:
        """Dossiers, open or finished, with a written duty not yet done (a plan found not
        feasible is closed while its written notice is still owed)."""
        ...

    async def counted_members(self, body_id: str) -> list[str]:
        """The body's counted members today (its working rules), by person id."""
        ...

    async def people_on(self, body_id: str, roles: tuple[str, ...]) -> list[PersonInfo]:
        """People holding one of the membership ``roles`` on the body today, by name."""
        ...

    async def has_committee_role(self, person_id: str) -> bool:
        """Whether the person acts for a committee today: any current membership other
        than an ordinary member of a party cell (office, member of a committee, head,
        cell secretary, appraiser, legal reviewer): ``permissions.is_committee_role``."""
        ...

    async def people_of_kind(self, kind: str, roles: tuple[str, ...]) -> list[PersonInfo]:
        """People holding one of ``roles`` on any body of ``kind`` (e.g. the appraisers of
        the town's advisory agencies, a route body that stands for several bodies)."""
        ...

    async def escalation_targets(self, superior: str, kinds: tuple[str, ...]
                                 ) -> list[HigherBody]:
        """Bodies of ``kinds`` a matter beyond authority may go to: the direct superior
        first, then its level's other bodies, then the levels above (level 0, 1, ...)."""
        ...

    async def unreachable(self) -> list[Unreachable]:
        """Notifications that cannot be delivered (newest first), for the office."""
        ...

    async def linked_channels(self, person_id: str) -> list[LinkedChannel]:
        """The chat apps the person has linked an account on, the most recently used
        first (one entry per app)."""
        ...

    async def prefer_channel(self, person_id: str, channel: str | None) -> bool:
        """Send the person's notifications to their account on ``channel`` from now on
        (None: to the app they used last); False if they have no account there."""
        ...

    async def search_dossiers(self, person_id: str, *, words: str, unit: str | None = None,
                              year: int | None = None, state: str | None = None,
                              limit: int = 10) -> list[FoundDossier]:
        """Dossiers the person may see whose text holds every word of ``words`` (diacritics
        and case ignored), closed ones included, newest first: the office, the committee
        members, the head, appraisers... those of their bodies; a proposer their own.
        ``unit``: the proposer's unit id; ``year``: received that year (created, if not
        registered); ``state``: a state's value, SEARCH_OPEN or SEARCH_FINISHED."""
        ...


# The two groups of states a search may keep (Directory.search_dossiers' ``state``).
SEARCH_OPEN = "open"  # not closed nor withdrawn
SEARCH_FINISHED = "finished"  # closed or withdrawn


@dataclass(frozen=True)
class FoundDossier:
    """A dossier found by a search, as the list of results shows it."""

    id: int
    title: str
    state: State
    year: int  # received (registered) that year; created, if never registered
    unit_id: str | None  # the proposer's unit
    unit_name: str | None
    own: bool  # the person searching is one of its proposers


@dataclass(frozen=True)
class Unreachable:
    """A notification nobody can receive yet: no holder of the role, or no linked account."""

    dossier_id: int
    event: str
    person_id: str | None  # None: nobody holds the role on the body
    role: str | None = None
    body: str | None = None


@dataclass(frozen=True)
class LinkedChannel:
    """A chat app on which a person has linked an account."""

    channel: str  # "telegram", "zalo", ...
    preferred: bool  # chosen for their notifications (/kenh)
    reachable: bool  # False: the app said the person blocked the bot


class ConversationStore(Protocol):
    async def load(self, channel: str, account: str) -> Conversation: ...

    async def save(self, conversation: Conversation) -> None:
        """Save; raises workflow.errors.StaleVersion if saved by another process meanwhile."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
# Held around one message of one account, across worker processes: (channel, account).
AccountLock = Callable[[str, str], AbstractAsyncContextManager[object]]


# Commits made during the turn being handled: storage counts each one here (a list of
# one number, set by the assistant for each turn), so that a turn that met a busy
# database is tried again only when nothing of it was saved yet.
TURN_COMMITS: ContextVar[list[int] | None] = ContextVar("turn_commits", default=None)
