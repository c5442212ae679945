"""Finding dossiers (/timkiem): by words, the proposer's unit, the year and the state.

Words are matched on ``dossiers.search_text`` (folded when the dossier is saved, see
``storage.uow``), each folded word at the start of a word of the text, all of them
required, typed ``%`` and ``_`` taken literally. Who may see a dossier is the desk's
rule (``Dossier.roles_of``): the office, the committee members, the head, the cell
secretary, the appraisers and reviewers, the direct superior see the dossiers of their
bodies, closed ones included; a proposer sees their own; nobody sees another's draft.
The filters run in SQL; the roles are checked on each candidate, newest first, page by
page, until enough are found.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ports import SEARCH_FINISHED, SEARCH_OPEN, FoundDossier
from storage.dossier_models import DossierRow
from storage.models import Person, Unit
from storage.uow import DOSSIER_BLOB
from workflow.actors import Actor, Role
from workflow.dossier import Dossier
from workflow.lifecycle import TERMINAL_STATES, State
from workflow.text_fold import fold_words

OPEN = SEARCH_OPEN  # not closed nor withdrawn (drafts included, for their proposers)
FINISHED = SEARCH_FINISHED  # closed or withdrawn
MAX_WORDS = 12  # a longer query is cut: every word must match anyway
PAGE = 200  # candidates read at a time while checking who may see them


def may_find(dossier: Dossier, actor: Actor) -> bool:
    """Whether a search by ``actor`` may list ``dossier``: the people who may open its
    card at the desk (any part in it), but a draft only for its proposers."""
    roles = dossier.roles_of(actor) - {Role.ADMIN}
    if Role.PROPOSER in roles:
        return True
    return bool(roles) and dossier.state is not State.DRAFT


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(words: str, unit: str | None, year: int | None,
             state: str | None) -> list[ColumnElement[bool]]:
    text = DossierRow.search_text
    found: list[ColumnElement[bool]] = []
    for word in fold_words(words)[:MAX_WORDS]:
        pattern = _like(word)
        # At the start of the text or of one of its words.
        found.append(or_(text.like(f"{pattern}%", escape="\\"),
                         text.like(f"% {pattern}%", escape="\\")))
    if unit is not None:
        found.append(Person.unit_id == unit)
    if year is not None:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
        found.append(or_(
            and_(DossierRow.received_on >= start, DossierRow.received_on < end),
            and_(DossierRow.received_on.is_(None),
                 DossierRow.created_at >= datetime(year, 1, 1, tzinfo=UTC),
                 DossierRow.created_at < datetime(year + 1, 1, 1, tzinfo=UTC))))
    if state == OPEN:
        found.append(DossierRow.state.not_in([s.value for s in TERMINAL_STATES]))
    elif state == FINISHED:
        found.append(DossierRow.state.in_([s.value for s in TERMINAL_STATES]))
    elif state is not None:
        found.append(DossierRow.state == State(state).value)  # ValueError if unknown
    return found


async def search_dossiers(session: AsyncSession, *, words: str, visible_to: Actor,
                          unit: str | None = None, year: int | None = None,
                          state: str | None = None, limit: int = 10) -> list[FoundDossier]:
    """Dossiers ``visible_to`` may see with every word of ``words`` (diacritics and case
    ignored; none: no condition), of the proposer's ``unit``, received in ``year`` (or
    created then, if never registered), in ``state`` (a state's value, OPEN or
    FINISHED); newest first, at most ``limit``."""
    if limit <= 0:
        return []
    query = (
        select(DossierRow.id, DossierRow.data, DossierRow.received_on, DossierRow.created_at,
               Unit.id, Unit.name)
        .join(Person, Person.id == DossierRow.proposer_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(*_filters(words, unit, year, state))
        .order_by(DossierRow.id.desc()).limit(PAGE))
    found: list[FoundDossier] = []
    before: int | None = None
    while True:
        page = query if before is None else query.where(DossierRow.id < before)
        rows = (await session.execute(page)).all()
        for dossier_id, data, received_on, created_at, unit_id, unit_name in rows:
            # The history lives in its own table and is not needed to tell the roles.
            dossier = DOSSIER_BLOB.load(data, dossier_id, extra={"history": []})
            if not may_find(dossier, visible_to):
                continue
            found.append(FoundDossier(
                id=dossier_id, title=dossier.plan.title, state=dossier.state,
                year=received_on.year if received_on else created_at.year,
                unit_id=unit_id, unit_name=unit_name,
                own=visible_to.person_id in dossier.proposers))
            if len(found) >= limit:
                return found
        if len(rows) < PAGE:
            return found
        before = rows[-1][0]
