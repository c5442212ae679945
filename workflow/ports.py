"""Ports: what the domain's services need from the outside world, as Protocols.

``storage`` implements the repositories and the unit of work (SQLAlchemy async);
``bot`` supplies the clock and the working calendar; tests use in-memory fakes.

Contract of the unit of work (cosmicpython style):

* ``async with uow:`` opens a transaction; leaving the block without ``commit()``
  rolls back (also when an exception escapes).
* Objects returned by the repositories are tracked: the changes a service makes to
  them are saved by ``commit()``. Each of ``Dossier``, ``Ballot`` and ``Obligation``
  has a ``version`` that the domain bumps on every change; ``commit()`` must refuse
  (raise ``workflow.errors.StaleVersion``) if the stored version is no longer the
  one that was loaded: someone else changed it meanwhile (optimistic versioning).
* Events queued on the dossiers seen in the transaction are handed out once by
  ``collect_new_events()`` (after commit), so notifications follow a change that
  was really saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from workflow.documents import DocumentRecord
from workflow.dossier import Dossier
from workflow.events import Event
from workflow.obligations import Obligation
from workflow.voting import Ballot


class DossierRepository(Protocol):
    async def get(self, dossier_id: int, /) -> Dossier | None:
        """The dossier, tracked for saving on commit; None if there is none."""
        ...

    async def add(self, dossier: Dossier, /) -> None:
        """Track a new dossier (its id comes from :meth:`next_id`)."""
        ...

    async def next_id(self) -> int:
        """A fresh dossier id."""
        ...

    async def next_registration_number(self, office: str, year: int, /) -> int:
        """The next number in ``office``'s register for ``year`` (1, 2, ...)."""
        ...


class BallotRepository(Protocol):
    async def get(self, ballot_id: int, /) -> Ballot | None: ...

    async def add(self, ballot: Ballot, /) -> None: ...

    async def next_id(self) -> int: ...

    async def open_for(self, dossier_id: int, /) -> Ballot | None:
        """The dossier's ballot that is still open, if any."""
        ...


class ObligationRepository(Protocol):
    async def get(self, obligation_id: int, /) -> Obligation | None: ...

    async def add(self, obligation: Obligation, /) -> None: ...

    async def next_id(self) -> int: ...

    async def for_dossier(self, dossier_id: int, /) -> list[Obligation]: ...


class DocumentRepository(Protocol):
    async def get(self, document_id: int, /) -> DocumentRecord | None: ...

    async def add(self, record: DocumentRecord, content: bytes, /) -> None:
        """Keep a recorded document and its file; written on commit, never rewritten."""
        ...

    async def next_id(self) -> int: ...

    async def for_dossier(self, dossier_id: int, /) -> list[DocumentRecord]: ...

    async def content(self, document_id: int, /) -> bytes | None:
        """The .docx file as recorded."""
        ...


class UnitOfWork(Protocol):
    # Read-only in the protocol, so that an implementation may hold its own
    # repository classes (a plain attribute satisfies a property).
    @property
    def dossiers(self) -> DossierRepository: ...

    @property
    def ballots(self) -> BallotRepository: ...

    @property
    def obligations(self) -> ObligationRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def collect_new_events(self) -> Iterator[Event]:
        """Events of the dossiers seen in this unit of work, each handed out once."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, tz-aware, in the organisation's zone (Asia/Ho_Chi_Minh)."""
        ...


class WorkingCalendar(Protocol):
    def add_working_days(self, start: date, n: int, /) -> date:
        """The date ``n`` working days after ``start`` (``start`` itself not counted)."""
        ...
